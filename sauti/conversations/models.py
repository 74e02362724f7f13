"""A sender's SMS conversation (one open at a time) and USSD sessions, each holding its engine's state."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.monitoring.models import Report
from sauti.people.models import Contact, Organisation


def _empty() -> dict[str, Any]:
    return {}


def _no_log() -> list[Any]:
    return []


class SmsConversation(models.Model):
    """One sender's report taking shape over several SMS (opinions.Conversation is another thing: the
    opinion map staff and people call a "conversation")."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="sms_conversations")
    contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="sms_conversations"
    )
    phone_hash = models.CharField(max_length=64, db_index=True)
    state = models.JSONField(default=_empty)
    status = models.CharField(_("status"), max_length=6, choices=State.choices, default=State.OPEN)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    report = models.ForeignKey(
        Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="sms_conversations"
    )
    first_inbound_id = models.BigIntegerField(null=True, blank=True)
    last_inbound_id = models.BigIntegerField(null=True, blank=True)
    # The last replies, returned again if the same inbound message is handled twice.
    last_replies = models.JSONField(default=_no_log)
    # [{"in": text, "out": [texts]}, ...]: what staff see on the conversation page (capped).
    log = models.JSONField(default=_no_log)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["organisation", "phone_hash", "status"], name="conversation_sender"),
            models.Index(fields=["status", "expires_at"], name="conversation_expiry"),
        ]

    def __str__(self) -> str:
        return f"Conversation {self.pk}"

    def waiting_for(self) -> str:
        """What the open conversation asks the sender for, for staff pages."""
        if self.status != self.State.OPEN:
            return ""
        labels = {
            "category": _("the category"),
            "place": _("which place"),
            "county": _("the county"),
            "ward": _("the ward"),
            "landmark": _("a landmark"),
        }
        return str(labels.get(str(self.state.get("step", "")), ""))

    def is_expired(self, now: Any) -> bool:
        return self.status == self.State.OPEN and self.expires_at is not None and self.expires_at <= now


class UssdSession(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="ussd_sessions")
    session_id = models.CharField(max_length=100)
    phone_hash = models.CharField(max_length=64)
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    state = models.JSONField(default=_empty)
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("USSD session")
        verbose_name_plural = _("USSD sessions")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "session_id"], name="ussd_session_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.session_id
