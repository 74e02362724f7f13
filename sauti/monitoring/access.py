"""Which cases a user may see and act on (the rules themselves: sauti.people.access)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from sauti.monitoring.models import Case
from sauti.people.access import Perm, can, organisations_for, referred_offices, require

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sauti.people.models import User


def _case_scope(user: User | AnonymousUser) -> tuple[list[int], list[int]]:
    """(organisations whose every case the user may see, offices whose referred cases the user may see)."""
    full = [o.pk for o in organisations_for(user) if can(user, Perm.VIEW_CASES, o)]
    return full, referred_offices(user)


def cases_for(user: User | AnonymousUser) -> QuerySet[Case]:
    """Cases the user may see: all of an organisation's with VIEW_CASES; an official's referred ones."""
    full, offices = _case_scope(user)
    return Case.objects.filter(Q(organisation__in=full) | Q(referred_to__in=offices))


def whole_organisations_for(user: User | AnonymousUser) -> list[int] | None:
    """The organisations whose cases are exactly `cases_for(user)`, or None when the user sees a
    part of some organisation's cases (referred ones) so that only case-by-case counting is right."""
    full, offices = _case_scope(user)
    return None if offices else full


def get_case_for_user(user: User | AnonymousUser, pk: int, perm: Perm) -> Case:
    case = (
        cases_for(user)
        .select_related("organisation", "category", "ward", "county", "settlement")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    if perm != Perm.VIEW_CASES:
        require(user, perm, case.organisation)
    return case
