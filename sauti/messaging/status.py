"""How the inbound queue and the outbox stand (`sauti messaging status`, /healthz)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.utils import timezone

from sauti.messaging.models import InboundMessage, InboundStatus, OutboundMessage, OutboundStatus

UNPROCESSED = (InboundStatus.RECEIVED, InboundStatus.PROCESSING)
OUTBOX_BACKLOG = (OutboundStatus.QUEUED, OutboundStatus.SENDING)


def counts() -> dict[str, Any]:
    """`{"inbound": {state: count}, "outbound": {state: count}, "oldest_unprocessed_seconds": n|null}`:
    every state listed (0 when none); the age is that of the oldest message received and not yet
    processed (waiting or being processed), in whole seconds."""
    inbound = {s.value: 0 for s in InboundStatus}
    for row in InboundMessage.objects.order_by().values("status").annotate(n=Count("id")):
        inbound[row["status"]] = row["n"]
    outbound = {s.value: 0 for s in OutboundStatus}
    for row in OutboundMessage.objects.order_by().values("status").annotate(n=Count("id")):
        outbound[row["status"]] = row["n"]
    oldest = (
        InboundMessage.objects.filter(status__in=UNPROCESSED)
        .order_by()
        .aggregate(oldest=Min("received_at"))["oldest"]
    )
    age = None if oldest is None else max(0, int((timezone.now() - oldest).total_seconds()))
    return {"inbound": inbound, "outbound": outbound, "oldest_unprocessed_seconds": age}
