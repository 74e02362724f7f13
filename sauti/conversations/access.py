"""Which SMS conversations a user may read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from sauti.conversations.models import SmsConversation
from sauti.people.access import Perm, organisations_for, require

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from sauti.people.models import User


def get_conversation_for_user(user: User | AnonymousUser, pk: int) -> SmsConversation:
    """An SMS conversation: 404 unless it belongs to one of the user's organisations, 403 without the role."""
    conv = (
        SmsConversation.objects.select_related("organisation", "contact", "report")
        .filter(pk=pk, organisation__in=organisations_for(user))
        .first()
    )
    if conv is None:
        raise Http404
    require(user, Perm.VIEW_CONVERSATIONS, conv.organisation)
    return conv
