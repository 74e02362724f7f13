"""Who sees an organisation's impact report: its coordinators and analysts (and admins), the roles that may
export its data. The report counts; it names no one."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from sauti.people.access import Perm, get_organisation_for_user
from sauti.people.models import Organisation, User

REPORT_PERM = Perm.EXPORT_DATA


def get_organisation_for_report(user: User | AnonymousUser, slug: str) -> Organisation:
    """404 outside the user's organisations, 403 without the role."""
    return get_organisation_for_user(user, slug, REPORT_PERM)
