"""Which opinion-map conversations a user may see or run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sauti.opinions.models import Conversation as OpinionConversation
from sauti.people.access import Perm, can, organisations_for, require

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sauti.people.models import User


def opinion_conversations_for(user: User | AnonymousUser) -> QuerySet[OpinionConversation]:
    """Opinion-map conversations of the organisations where the user sees aggregates (reports)."""
    if user.is_authenticated and user.is_superuser:
        return OpinionConversation.objects.all()
    orgs = [o.pk for o in organisations_for(user) if can(user, Perm.VIEW_AGGREGATES, o)]
    return OpinionConversation.objects.filter(organisation__in=orgs)


def get_opinion_conversation_for_user(user: User | AnonymousUser, pk: int, perm: Perm) -> OpinionConversation:
    conversation = (
        opinion_conversations_for(user).select_related("organisation").filter(pk=pk).first()
        if user.is_authenticated
        else None
    )
    if conversation is None:
        # Members without VIEW_AGGREGATES still belong to the organisation: 403, not 404.
        other = OpinionConversation.objects.filter(pk=pk, organisation__in=organisations_for(user)).first()
        if other is None:
            raise Http404
        raise PermissionDenied
    if conversation.organisation is None:
        if not user.is_superuser:
            raise PermissionDenied
    else:
        require(user, perm, conversation.organisation)
    return conversation
