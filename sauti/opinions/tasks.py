"""Background recomputation of a conversation's opinion map, enqueued on commit after votes."""

from __future__ import annotations

from django_tasks import task

from sauti.opinions.models import Conversation


@task()
def recompute_analysis(conversation_id: int) -> bool:
    """Recompute unless an analysis newer than the last vote exists (many votes, one run). True if it ran."""
    from sauti.opinions.actions import do_recompute

    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return False
    return do_recompute(conversation) is not None
