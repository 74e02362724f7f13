"""Channels (one per provider account), the inbox, the outbox, opt-outs and delivery reports.

Phone numbers are stored encrypted with a keyed hash for lookups, like people.Contact.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sauti.core import crypto
from sauti.people.models import Contact, Organisation

# Webhooks look channels up by token on every callback; each process keeps them for CACHE_SECONDS
# (a channel switched off elsewhere stops answering within that time; in this process at once).
CACHE_SECONDS = 10.0
CHANNEL_CACHE: dict[tuple[str, str], tuple[float, Channel | None]] = {}


PROVIDER_ID_MAX = 120


def provider_key(provider_id: str) -> str:
    """How a provider's message id is stored and looked up: as is up to 120 characters, otherwise as the
    SHA-256 of the whole id (cutting it made two long ids that share a prefix collide, and the second
    message was dropped as a retry of the first)."""
    if len(provider_id) <= PROVIDER_ID_MAX:
        return provider_id
    return "sha256:" + hashlib.sha256(provider_id.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ChannelKind(models.TextChoices):
    AFRICASTALKING = "africastalking", "Africa's Talking"
    TWILIO = "twilio", "Twilio"
    DEV = "dev", _("Development (simulator)")


class Channel(models.Model):
    """One provider account. Webhooks reach it at /messaging/<kind>/<token>/…; the token is the secret."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(_("provider"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=80)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    address = models.CharField(
        _("short code or sender id"),
        max_length=40,
        blank=True,
        help_text=_("e.g. 21512, SAUTI, +15005550006"),
    )
    ussd_code = models.CharField(_("USSD code"), max_length=40, blank=True, help_text=_("e.g. *384*1234#"))
    base_url = models.URLField(_("API base URL"), blank=True, help_text=_("Empty: the provider's default."))
    credentials_ciphertext = crypto.EncryptedTextField(editable=False, blank=True)
    price_per_segment = models.DecimalField(
        _("price per SMS part"), max_digits=8, decimal_places=4, default=Decimal("0.80")
    )
    currency = models.CharField(_("currency"), max_length=3, default="KES")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="channel_name_unique_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        CHANNEL_CACHE.clear()

    # Credentials are write-only in the UI; code reads them here, decrypted on demand.
    @property
    def credentials(self) -> dict[str, str]:
        if not self.credentials_ciphertext:
            return {}
        data: dict[str, str] = json.loads(crypto.decrypt(self.credentials_ciphertext))
        return data

    @credentials.setter
    def credentials(self, value: dict[str, str]) -> None:
        clean = {k: v for k, v in value.items() if v}
        self.credentials_ciphertext = crypto.encrypt(json.dumps(clean, sort_keys=True)) if clean else ""


class EncryptedPhone(models.Model):
    phone_ciphertext = crypto.EncryptedTextField(editable=False, blank=True)
    phone_hash = models.CharField(max_length=64, editable=False, blank=True, db_index=True)

    class Meta:
        abstract = True

    phone = crypto.EncryptedPhone()


class InboundStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSING = "processing", _("Processing")
    PROCESSED = "processed", _("Processed")
    QUARANTINED = "quarantined", _("Quarantined")
    FAILED = "failed", _("Failed")


class InboundMessage(EncryptedPhone):
    """An SMS as the provider delivered it. Written before the webhook answers 200; processed by a task."""

    # Every index costs each webhook a page write: these three are covered by the unique constraint and the
    # (organisation, phone_hash, received_at) index below.
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="inbound", db_index=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    phone_hash = models.CharField(max_length=64, editable=False, blank=True)
    provider_id = models.CharField(max_length=120)
    text = models.TextField(blank=True)
    # When Sauti received it (rate limits and ordering use this, never the provider's clock).
    received_at = models.DateTimeField(_("received"))
    # When the provider says it was sent: data only, clamped to a plausible range around received_at
    # (PROVIDER_TIME_BEFORE .. PROVIDER_TIME_AFTER) and flagged when it had to be.
    provider_time = models.DateTimeField(_("provider's time"), null=True, blank=True)
    provider_time_implausible = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=12, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    error = models.CharField(_("reason"), max_length=300, blank=True)
    report_id = models.BigIntegerField(null=True, blank=True)
    # The processing claim: who took the message and when. A claim older than
    # SAUTI_PROCESSING_LEASE_SECONDS is taken back by the sweep; `attempts` counts claims (a message whose
    # processing keeps killing its worker fails after MAX_INBOUND_ATTEMPTS instead of looping).
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Set in the same transaction as what processing wrote (report, replies, vote, ballot): once set,
    # processing the message again does nothing, whatever its status says.
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            # A provider retrying a callback must never create a second message.
            models.UniqueConstraint(fields=["channel", "provider_id"], name="inbound_once_per_provider_id")
        ]
        indexes = [
            models.Index(fields=["organisation", "phone_hash", "received_at"]),
            # The worker's queue: messages stored and not yet picked up (a handful, whatever the table's size).
            models.Index(fields=["id"], condition=Q(status="received"), name="inbound_waiting"),
            # Claims in progress (for the sweep's lease check): only rows being processed are in it.
            models.Index(fields=["claimed_at"], condition=Q(status="processing"), name="inbound_claimed"),
        ]

    def __str__(self) -> str:
        return f"in:{self.provider_id}"


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    UNDELIVERABLE = "undeliverable", _("Undeliverable")


# Delivery reports may arrive late or twice: a message's status only ever moves up this order.
STATUS_RANK: dict[str, int] = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.SENT: 2,
    OutboundStatus.DELIVERED: 3,
    OutboundStatus.UNDELIVERABLE: 3,
    OutboundStatus.FAILED: 3,
}
MAX_ATTEMPTS = 3
MAX_INBOUND_ATTEMPTS = 3


class OutboundMessage(EncryptedPhone):
    """The outbox: one row per SMS to one phone."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="outbound")
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    in_reply_to = models.ForeignKey(
        InboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    text = models.TextField()
    segments = models.PositiveSmallIntegerField(default=1)
    encoding = models.CharField(max_length=8, default="GSM-7")
    purpose = models.CharField(_("purpose"), max_length=40, default="reply")
    status = models.CharField(
        _("status"), max_length=14, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    provider_id = models.CharField(max_length=120, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    # The send claim: who moved it to `sending` and when (a message left in `sending` past the lease is
    # resolved by the sweep: see messaging.actions.do_resolve_stuck_sending).
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")

    def __str__(self) -> str:
        return f"out:{self.pk}"

    def is_final(self) -> bool:
        return STATUS_RANK[self.status] == 3


class OptOut(models.Model):
    """The latest opt-out decision per phone and organisation. `active=False` means opted back in."""

    HOW_CHOICES = [
        ("sms", _("SMS keyword")),
        ("provider", _("Provider opt-out callback")),
        ("staff", _("Recorded by staff")),
        ("delivery", _("Provider reported the number blacklisted")),
    ]
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    phone_hash = models.CharField(max_length=64)
    active = models.BooleanField(default=True)
    how = models.CharField(max_length=10, choices=HOW_CHOICES)
    keyword = models.CharField(max_length=20, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phone_hash"], name="one_optout_per_phone")
        ]

    def __str__(self) -> str:
        return f"optout:{self.phone_hash[:8]}"


class DeliveryReport(models.Model):
    """Every delivery callback as received, matched or not, known status or not (for support)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        OutboundMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    provider_id = models.CharField(max_length=120)
    provider_status = models.CharField(max_length=40)
    mapped_status = models.CharField(max_length=14, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"dlr:{self.provider_id}:{self.provider_status}"
