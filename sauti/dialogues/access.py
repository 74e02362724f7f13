"""Which programmes (and their rating groups) a user may see or manage."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sauti.dialogues.models import Programme
from sauti.people.access import Perm, can, organisations_for, require
from sauti.people.models import Group

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sauti.people.models import User


def programmes_for(user: User | AnonymousUser) -> QuerySet[Programme]:
    orgs = [o.pk for o in organisations_for(user) if can(user, Perm.VIEW_DIALOGUES, o)]
    return Programme.objects.filter(organisation__in=orgs)


def can_manage_programme(user: User | AnonymousUser, programme: Programme) -> bool:
    if can(user, Perm.MANAGE_DIALOGUES, programme.organisation):
        return True
    return (
        can(user, Perm.VIEW_DIALOGUES, programme.organisation)
        and programme.facilitators.filter(pk=user.pk or 0).exists()
    )


def get_programme_for_user(user: User | AnonymousUser, pk: int, perm: Perm) -> Programme:
    """VIEW_DIALOGUES or MANAGE_DIALOGUES (coordinators, and the programme's facilitators)."""
    programme = programmes_for(user).select_related("organisation").filter(pk=pk).first()
    if programme is None:
        raise Http404
    if perm == Perm.MANAGE_DIALOGUES and not can_manage_programme(user, programme):
        raise PermissionDenied
    if perm not in (Perm.VIEW_DIALOGUES, Perm.MANAGE_DIALOGUES):
        require(user, perm, programme.organisation)
    return programme


def get_rating_group_for_user(user: User | AnonymousUser, programme: Programme, group_pk: int) -> Group:
    """A group of the programme whose breakout rating this user may record: managers any, leaders theirs."""
    group = programme.groups.filter(pk=group_pk).first()
    if group is None:
        raise Http404
    if not can_manage_programme(user, programme):
        require(user, Perm.RATE_RESPONSES, programme.organisation, group)
    return group
