"""The development channel sends nothing: the outbox row is the record, shown in the simulator."""

from __future__ import annotations

import uuid

from sauti.messaging.providers import SendResult


class DevClient:
    # Sends nothing, so sending a message again cannot reach a phone twice.
    idempotent = True

    def send(self, phone: str, text: str) -> SendResult:
        return SendResult(provider_id=f"dev-{uuid.uuid4().hex[:16]}", status="delivered")
