"""Which forms and analysis sessions a user may see or run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from sauti.people.access import Perm, can, organisations_for, require
from sauti.questionnaires.models import AnalysisSession, Questionnaire

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sauti.people.models import User


def questionnaires_for(user: User | AnonymousUser) -> QuerySet[Questionnaire]:
    """Forms of the organisations the user belongs to (what they may do with each is a Perm)."""
    return Questionnaire.objects.filter(organisation__in=organisations_for(user))


def get_questionnaire_for_user(user: User | AnonymousUser, pk: int, perm: Perm) -> Questionnaire:
    form = (
        questionnaires_for(user).select_related("organisation", "current", "category").filter(pk=pk).first()
    )
    if form is None:
        raise Http404
    require(user, perm, form.organisation)
    return form


def get_session_for_user(user: User | AnonymousUser, pk: int, perm: Perm) -> AnalysisSession:
    """RUN_ANALYSIS in the organisation, or JOIN_ANALYSIS for the session's group (leaders: their own)."""
    session = (
        AnalysisSession.objects.select_related("organisation", "group", "questionnaire__current")
        .filter(pk=pk, organisation__in=organisations_for(user))
        .first()
    )
    if session is None:
        raise Http404
    if not can(user, Perm.RUN_ANALYSIS, session.organisation):
        require(user, perm, session.organisation, session.group)
    return session
