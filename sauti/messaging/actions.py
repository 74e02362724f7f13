"""Everything that receives, processes, queues or sends a message, or records an opt-out."""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sauti.core.crypto import lookup_hash
from sauti.core.db import insert_new
from sauti.messaging import segments
from sauti.messaging.keywords import OptChange, parse_opt_out
from sauti.messaging.models import (
    MAX_ATTEMPTS,
    MAX_INBOUND_ATTEMPTS,
    STATUS_RANK,
    Channel,
    ChannelKind,
    DeliveryReport,
    InboundMessage,
    InboundStatus,
    OptOut,
    OutboundMessage,
    OutboundStatus,
    provider_key,
)
from sauti.messaging.providers import TransportError, client_for
from sauti.people.models import Consent, Contact, Organisation, User

log = logging.getLogger("sauti.messaging")

RETRY_DELAY = timedelta(minutes=5)  # times the attempt number, as RapidPro's courier does
# Spam: links and the usual prize/money scams. Such messages are quarantined for a person to look at.
SPAM_PATTERNS = re.compile(
    r"https?://|www\.|bit\.ly|\bumeshinda\b|\byou have won\b|\bcongratulations,? you\b|\btuma pesa\b"
    r"|\bsend money\b|\bclaim your prize\b|\bzawadi ya\b",
    re.IGNORECASE,
)


# Inbound ----------------------------------------------------------------------------------------------


# A provider's own time for a message is kept as data only if it is plausible: at most this long before
# Sauti received it (carriers hold undelivered SMS for days) or this far after (clock skew).
PROVIDER_TIME_BEFORE = timedelta(days=30)
PROVIDER_TIME_AFTER = timedelta(hours=1)


def plausible_provider_time(provider_time: datetime, received_at: datetime) -> tuple[datetime, bool]:
    """The provider's time clamped into [received - PROVIDER_TIME_BEFORE, received + PROVIDER_TIME_AFTER],
    and whether it had to be (a `date=9999-12-31` or `0001-01-01` callback)."""
    low, high = received_at - PROVIDER_TIME_BEFORE, received_at + PROVIDER_TIME_AFTER
    if provider_time < low:
        return low, True
    if provider_time > high:
        return high, True
    return provider_time, False


def do_receive_sms(
    channel: Channel,
    *,
    provider_id: str,
    phone: str,
    text: str,
    provider_time: datetime | None = None,
    received_at: datetime | None = None,
) -> tuple[InboundMessage, bool]:
    """Store an inbound SMS durably (the caller answers 200 only after this returns) and have it processed.
    A provider retry with the same id returns the stored message and creates nothing.

    `received_at` is when Sauti received it (default: now); rate limits and ordering use it, never the
    provider's clock. `provider_time`, the time the provider states, is kept as data, clamped to a
    plausible range and flagged when it was not (`plausible_provider_time`).

    One INSERT, committed on its own: with the database task backend (the default) the stored message is
    itself the queue entry, found by the worker through a partial index on waiting messages
    (`do_process_waiting`), so a webhook writes one row and no task row (docs/decisions.md has the
    figures). Other backends (the immediate one in tests, Redis) get a task once the message is committed."""
    received = received_at or timezone.now()
    message = InboundMessage(
        channel=channel,
        organisation_id=channel.organisation_id,
        provider_id=provider_key(provider_id),
        text=text,
        received_at=received,
    )
    if provider_time is not None:
        message.provider_time, message.provider_time_implausible = plausible_provider_time(
            provider_time, received
        )
    message.phone = phone
    if not insert_new(message):
        existing = InboundMessage.objects.filter(
            channel=channel, provider_id=provider_key(provider_id)
        ).first()
        if existing is None:  # a conflict, but not with a stored duplicate: let the webhook report a failure
            raise IntegrityError("inbound message conflicts with a row that cannot be found")
        return existing, False
    if not _tasks_in_database():
        transaction.on_commit(lambda: _enqueue_inbound(message.pk))
    return message, True


def _tasks_in_database() -> bool:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def waiting_inbound(limit: int, *, older_than: datetime | None = None) -> list[int]:
    """Ids of stored messages nobody has started processing, oldest first (the partial index
    `inbound_waiting` answers this without touching processed rows)."""
    waiting = InboundMessage.objects.filter(status=InboundStatus.RECEIVED)
    if older_than is not None:
        waiting = waiting.filter(created_at__lt=older_than)
    return list(waiting.order_by("pk").values_list("pk", flat=True)[:limit])


def do_process_waiting(limit: int = 100) -> int:
    """Process up to `limit` waiting inbound messages; each is claimed first, so several workers share
    the work without doing anything twice. Returns how many this call processed."""
    return sum(1 for pk in waiting_inbound(limit) if do_process_inbound(pk) is not None)


def _enqueue_inbound(message_id: int) -> None:
    from sauti.messaging.tasks import process_inbound

    process_inbound.enqueue(message_id)


def _reply_language(organisation: Organisation, phone: str, change: OptChange) -> str:
    # Any record of the number (its own first): a language is the person's, whoever entered it.
    contact = (
        Contact.objects.filter(organisation=organisation, phone_hash=lookup_hash(phone))
        .order_by("scope")
        .first()
    )
    if contact is not None:
        return contact.language
    return change.language


def quarantine_reason(message: InboundMessage) -> str:
    """Why a message should wait for a person instead of being processed, or ""."""
    window_start = message.received_at - timedelta(seconds=60)
    recent = InboundMessage.objects.filter(
        organisation_id=message.organisation_id,
        phone_hash=message.phone_hash,
        received_at__gt=window_start,
        received_at__lte=message.received_at,
    ).count()
    if recent > settings.SAUTI_SMS_RATE_LIMIT:
        return _("More than %(n)d messages in a minute from this number.") % {
            "n": settings.SAUTI_SMS_RATE_LIMIT
        }
    if SPAM_PATTERNS.search(message.text):
        return _("Looks like spam (a link or a prize/money offer).")
    return ""


def claimant() -> str:
    """Who is claiming: host, process and thread (shown on stuck messages; checked before committing)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"[:120]


def lease() -> timedelta:
    return timedelta(seconds=settings.SAUTI_PROCESSING_LEASE_SECONDS)


def do_process_inbound(message_id: int, *, release: bool = False) -> InboundMessage | None:
    """Process one inbound message exactly once.

    1. Claim it with a conditional UPDATE (status, when, by whom; committed on its own) so two workers,
       or a retried task, never both handle it.
    2. In ONE transaction: check the claim is still ours (the sweep takes back claims older than the
       lease), run opt-out keywords / the spam and rate filter / the conversation handler, queue the
       replies and record the final status. A crash (kill -9, a lost connection, "database is locked")
       anywhere before that commit leaves nothing behind but the claim, which the sweep takes back once
       the lease has passed; after the commit there is nothing left to do. So the report, the replies,
       the opinion vote and the ballot are written once or not at all.
    `release=True` is a person releasing a quarantined message: the filters are skipped."""
    claimable = [InboundStatus.QUARANTINED] if release else [InboundStatus.RECEIVED]
    me = claimant()
    claimed = InboundMessage.objects.filter(pk=message_id, status__in=claimable).update(
        status=InboundStatus.PROCESSING, claimed_at=timezone.now(), claimed_by=me, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    message = InboundMessage.objects.select_related("channel", "organisation").get(pk=message_id)
    status: str
    error: str
    if message.attempts > MAX_INBOUND_ATTEMPTS:
        status, error = (
            InboundStatus.FAILED,
            _("Processing was interrupted %(n)d times; not tried again.") % {"n": MAX_INBOUND_ATTEMPTS},
        )
        _finish(message_id, me, status, error)
        message.status, message.error = status, error
        return message
    try:
        with transaction.atomic():
            mine = InboundMessage.objects.select_for_update().filter(
                pk=message_id, status=InboundStatus.PROCESSING, claimed_by=me
            )
            if not mine.exists():
                return None  # the lease ran out and someone else has it now
            status, error = _process(message, release)
            _finish(message_id, me, status, error)
    except DatabaseError as e:
        # Nothing was written: hand the message back to the queue (or leave the claim to the sweep).
        log.warning("inbound message %s: database error, handed back: %s", message_id, e)
        status, error = (InboundStatus.QUARANTINED if release else InboundStatus.RECEIVED), ""
        try:
            _finish(message_id, me, status, error)
        except DatabaseError:
            log.warning("inbound message %s stays claimed until its lease runs out", message_id)
            return None
    except Exception as e:
        log.exception("inbound message %s failed", message_id)
        status, error = InboundStatus.FAILED, f"{type(e).__name__}: {e}"[:300]
        _finish(message_id, me, status, error)
    message.status, message.error = status, error
    return message


def _finish(message_id: int, me: str, status: str, error: str) -> None:
    """Record the outcome of our claim (nothing if the claim is no longer ours)."""
    changes: dict[str, Any] = {"status": status, "error": error[:300], "claimed_at": None, "claimed_by": ""}
    if status == InboundStatus.PROCESSED:
        changes["processed_at"] = timezone.now()
    InboundMessage.objects.filter(pk=message_id, status=InboundStatus.PROCESSING, claimed_by=me).update(
        **changes
    )


def do_reclaim_expired(now: datetime | None = None) -> int:
    """Put messages whose processing claim is older than the lease back in the queue (their worker died
    or hung: what it did was rolled back). Claims from before claims had a time are taken back too."""
    cutoff = (now or timezone.now()) - lease()
    expired = InboundMessage.objects.filter(
        Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True), status=InboundStatus.PROCESSING
    )
    taken = expired.update(status=InboundStatus.RECEIVED, claimed_at=None, claimed_by="")
    if taken:
        log.warning("took back %d inbound messages whose processing claim expired", taken)
    return taken


def _process(message: InboundMessage, release: bool) -> tuple[str, str]:
    org, phone, text = message.organisation, message.phone, message.text.strip()
    if message.processed_at is not None:
        return InboundStatus.PROCESSED, message.error  # done before: nothing to do again
    if not text:
        return InboundStatus.PROCESSED, _("Empty message: nothing to do.")
    change = parse_opt_out(text)
    if change is not None:
        with transaction.atomic():
            do_set_opt_out(org, phone, active=change.kind == "stop", how="sms", keyword=change.keyword)
            language = _reply_language(org, phone, change)
            with translation.override(language):
                reply = (
                    _("You will get no more messages from us. Send ANZA or START to receive them again.")
                    if change.kind == "stop"
                    else _("Welcome back: you will receive our messages again. Send ACHA or STOP to stop.")
                )
            # The confirmation goes out even though the number is now opted out: it is the last one.
            _queue(org, message.channel, phone=phone, text=reply, purpose="opt-out", in_reply_to=message)
        return InboundStatus.PROCESSED, ""
    if not release:
        reason = quarantine_reason(message)
        if reason:
            return InboundStatus.QUARANTINED, reason
    handler: Callable[..., list[str]] = import_string(settings.SAUTI_SMS_HANDLER)
    with transaction.atomic():
        replies = handler(
            organisation=org,
            phone=phone,
            text=message.text,
            received_at=message.received_at,
            inbound_id=message.pk,
        )
        for reply in replies:
            do_queue_sms(org, to_phone=phone, text=reply, channel=message.channel, in_reply_to=message)
    return InboundStatus.PROCESSED, ""


def do_release(message: InboundMessage, by: User) -> InboundMessage | None:
    """A person decided a quarantined message is genuine: process it now, without the filters."""
    log.info("user %s released inbound message %s", by.pk, message.pk)
    return do_process_inbound(message.pk, release=True)


def do_handle_ussd(channel: Channel, *, session_id: str, phone: str, service_code: str, text: str) -> str:
    handler: Callable[..., str] = import_string(settings.SAUTI_USSD_HANDLER)
    body = handler(
        organisation=channel.organisation,
        session_id=session_id,
        phone=phone,
        service_code=service_code,
        text=text,
    )
    if not body.startswith(("CON ", "END ")):
        log.error("USSD handler returned a body without CON/END: %r", body[:40])
        body = "END " + body
    return body


# Opt-out ----------------------------------------------------------------------------------------------


def do_set_opt_out(
    organisation: Organisation, phone: str, *, active: bool, how: str, keyword: str = ""
) -> OptOut:
    optout, _created = OptOut.objects.update_or_create(
        organisation=organisation,
        phone_hash=lookup_hash(phone),
        defaults={"active": active, "how": how, "keyword": keyword[:20], "changed_at": timezone.now()},
    )
    return optout


def is_opted_out(organisation: Organisation, phone_hash: str) -> bool:
    return OptOut.objects.filter(organisation=organisation, phone_hash=phone_hash, active=True).exists()


def has_withdrawn_consent(contact: Contact) -> bool:
    """The latest messaging consent decision is a refusal. No decision at all does not block replies.

    The decision is the person's, whichever record of their number it was given on (Contact.scope): a
    withdrawal by USSD also stops a group's broadcasts to the same number."""
    same_number = (
        Consent.objects.filter(
            contact__organisation_id=contact.organisation_id, contact__phone_hash=contact.phone_hash
        )
        if contact.phone_hash
        else Consent.objects.filter(contact=contact)
    )
    latest = same_number.filter(purpose="messaging").order_by("-recorded_at", "-id").first()
    return latest is not None and not latest.granted


# Outbox -----------------------------------------------------------------------------------------------


def default_channel(organisation: Organisation) -> Channel | None:
    order = {ChannelKind.AFRICASTALKING: 0, ChannelKind.TWILIO: 1, ChannelKind.DEV: 2}
    channels = list(Channel.objects.filter(organisation=organisation, active=True))
    return min(channels, key=lambda c: (order.get(ChannelKind(c.kind), 9), c.pk), default=None)


def do_queue_sms(
    organisation: Organisation,
    *,
    to_contact: Contact | None = None,
    to_phone: str | None = None,
    text: str,
    channel: Channel | None = None,
    purpose: str = "reply",
    in_reply_to: InboundMessage | None = None,
    require_consent: bool = False,
) -> OutboundMessage | None:
    """Queue one SMS. Returns None, and logs why, when the number opted out, the contact withdrew
    consent (or has not given it, for `require_consent` sends such as broadcasts), there is no active
    channel, or nothing to send."""
    phone = to_phone or (to_contact.phone if to_contact is not None else "")
    if to_contact is None and phone:
        to_contact = Contact.objects.filter(
            organisation=organisation, scope=Contact.INTAKE, phone_hash=lookup_hash(phone)
        ).first()
    reason = ""
    if not phone:
        reason = "no phone number"
    elif not text.strip():
        reason = "empty text"
    elif is_opted_out(organisation, lookup_hash(phone)):
        reason = "opted out"
    elif to_contact is not None and has_withdrawn_consent(to_contact):
        reason = "consent withdrawn"
    elif require_consent and (to_contact is None or not has_messaging_consent(to_contact)):
        reason = "no consent to messaging"
    channel = channel or default_channel(organisation)
    if not reason and channel is None:
        reason = "no active channel"
    if reason:
        log.info("not queueing %s SMS for organisation %s: %s", purpose, organisation.pk, reason)
        return None
    assert channel is not None
    return _queue(
        organisation,
        channel,
        phone=phone,
        text=text,
        purpose=purpose,
        contact=to_contact,
        in_reply_to=in_reply_to,
    )


def has_messaging_consent(contact: Contact) -> bool:
    latest = (
        Consent.objects.filter(contact=contact, purpose="messaging").order_by("-recorded_at", "-id").first()
    )
    return latest is not None and latest.granted


def _queue(
    organisation: Organisation,
    channel: Channel,
    *,
    phone: str,
    text: str,
    purpose: str,
    contact: Contact | None = None,
    in_reply_to: InboundMessage | None = None,
) -> OutboundMessage:
    measure = segments.measure(text)
    message = OutboundMessage(
        organisation=organisation,
        channel=channel,
        contact=contact,
        in_reply_to=in_reply_to,
        text=measure.text,
        segments=max(measure.segments, 1),
        encoding=measure.encoding,
        purpose=purpose[:40],
        next_attempt_at=timezone.now(),
    )
    message.phone = phone
    message.save()
    transaction.on_commit(lambda: _enqueue_send(message.pk))
    return message


def _enqueue_send(message_id: int, run_after: datetime | None = None) -> None:
    from sauti.messaging.tasks import send_outbound

    task = send_outbound
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # picked up later by do_send_due (`sauti messaging send-due`, the worker's sweep)
        task = task.using(run_after=run_after)
    task.enqueue(message_id)


def claim(message_id: int) -> bool:
    """Move one due message from queued to sending; only one caller can win."""
    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    return bool(
        OutboundMessage.objects.filter(due, pk=message_id, status=OutboundStatus.QUEUED).update(
            status=OutboundStatus.SENDING, attempts=F("attempts") + 1, claimed_at=now, claimed_by=claimant()
        )
    )


def do_send(message_id: int) -> OutboundMessage | None:
    """Send one queued message through its channel's provider, at most once per claim."""
    if not claim(message_id):
        return None
    message = OutboundMessage.objects.select_related("channel").get(pk=message_id)
    try:
        result = client_for(message.channel).send(message.phone, message.text)
    except TransportError as e:
        _send_failed(message, e)
    else:
        OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.SENDING).update(
            claimed_at=None,
            claimed_by="",
            status=result.status,
            provider_id=provider_key(result.provider_id),
            sent_at=timezone.now(),
            delivered_at=timezone.now() if result.status == OutboundStatus.DELIVERED else None,
            last_error="",
        )
    message.refresh_from_db()
    return message


def _send_failed(message: OutboundMessage, error: TransportError) -> None:
    if error.opted_out:
        do_set_opt_out(message.organisation, message.phone, active=True, how="delivery")
    if error.permanent or message.attempts >= MAX_ATTEMPTS:
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundStatus.FAILED, last_error=str(error)[:300], claimed_at=None, claimed_by=""
        )
        return
    next_at = timezone.now() + RETRY_DELAY * message.attempts
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundStatus.QUEUED,
        next_attempt_at=next_at,
        last_error=str(error)[:300],
        claimed_at=None,
        claimed_by="",
    )
    transaction.on_commit(lambda: _enqueue_send(message.pk, run_after=next_at))


def do_send_due(limit: int = 500) -> int:
    """Send every due queued message (retries whose time has come, tasks lost in a crash), after resolving
    messages left in `sending` past the lease (`do_resolve_stuck_sending`)."""
    do_resolve_stuck_sending()
    now = timezone.now()
    due = OutboundMessage.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=OutboundStatus.QUEUED
    ).values_list("pk", flat=True)[:limit]
    sent = 0
    for pk in list(due):
        if do_send(pk) is not None:
            sent += 1
    return sent


def do_resolve_stuck_sending(now: datetime | None = None) -> tuple[int, int]:
    """Messages in `sending` whose claim is older than the lease: their worker died between claiming and
    recording the provider's answer, so nobody knows whether the provider took them. Where the provider
    de-duplicates by our idempotency key (the message id) they go back to the queue and are sent again
    safely; otherwise they are marked failed with that reason, never sent twice, and staff see them in the
    outbox. Returns (re-queued, failed)."""
    cutoff = (now or timezone.now()) - lease()
    stuck = OutboundMessage.objects.filter(status=OutboundStatus.SENDING).filter(
        Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, next_attempt_at__lt=cutoff)
    )
    requeued = failed = 0
    for message in stuck.select_related("channel"):
        if provider_deduplicates(message.channel):
            requeued += OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.SENDING).update(
                status=OutboundStatus.QUEUED, claimed_at=None, claimed_by="", next_attempt_at=timezone.now()
            )
        else:
            failed += OutboundMessage.objects.filter(pk=message.pk, status=OutboundStatus.SENDING).update(
                status=OutboundStatus.FAILED,
                last_error=UNKNOWN_OUTCOME,
                claimed_at=None,
                claimed_by="",
            )
    if requeued or failed:
        log.warning(
            "outbox: %d interrupted sends re-queued, %d marked failed (outcome unknown)", requeued, failed
        )
    return requeued, failed


UNKNOWN_OUTCOME = (
    "Interrupted while sending: the provider may or may not have taken it, and it offers no way to "
    "avoid a duplicate, so it is not sent again automatically."
)


def provider_deduplicates(channel: Channel) -> bool:
    """Whether sending the same message twice through this channel reaches the phone once."""
    return bool(getattr(client_for(channel), "idempotent", False))


def do_delivery_report(
    channel: Channel, *, provider_id: str, provider_status: str, status: str | None, detail: str = ""
) -> DeliveryReport:
    """Log a delivery callback and move the message's status forward (never back: reports can arrive
    late, twice, or out of order). `status=None`: a status we do not know, only logged."""
    message = (
        OutboundMessage.objects.filter(channel=channel, provider_id=provider_key(provider_id)).first()
        if provider_id
        else None
    )
    if message is not None and status is not None:
        lower = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK[status]]
        changes: dict[str, Any] = {"status": status}
        if status == OutboundStatus.DELIVERED:
            changes["delivered_at"] = timezone.now()
        if status in (OutboundStatus.UNDELIVERABLE, OutboundStatus.FAILED):
            changes["last_error"] = (detail or provider_status)[:300]
        OutboundMessage.objects.filter(pk=message.pk, status__in=lower).update(**changes)
        if detail in ("UserInBlackList", "UserInBlacklist"):
            do_set_opt_out(channel.organisation, message.phone, active=True, how="delivery")
    if status is None:
        log.warning("channel %s: unknown delivery status %r for %r", channel.pk, provider_status, provider_id)
    return DeliveryReport.objects.create(
        channel=channel,
        message=message,
        provider_id=provider_key(provider_id),
        provider_status=provider_status[:40],
        mapped_status=status or "",
        detail=detail[:200],
    )


# Broadcasts -------------------------------------------------------------------------------------------


_PLACEHOLDER = re.compile(r"\{(name|pseudonym)\}")


def personalise(template: str, contact: Contact) -> str:
    """Fill {name} (first name) and {pseudonym}; anything else in braces stays as written (no
    str.format: a template must not reach attributes)."""
    values = {"name": contact.name.split()[0] if contact.name.strip() else "", "pseudonym": contact.pseudonym}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def estimate_cost(texts: Iterable[str], channel: Channel) -> segments.CostEstimate:
    """What sending these texts (one each) through the channel costs, at its price per SMS part."""
    return segments.cost_estimate(texts, channel.price_per_segment)


@dataclass
class BroadcastPlan:
    texts: dict[int, str]  # contact pk -> the text that contact gets
    blocked: dict[str, int]  # reason -> how many contacts are left out
    cost: segments.CostEstimate


def plan_broadcast(
    organisation: Organisation,
    contacts: Sequence[Contact],
    *,
    text_en: str,
    text_sw: str,
    price_per_segment: Decimal,
) -> BroadcastPlan:
    """Who gets what, who is left out and why, and what it costs — before anything is queued."""
    opted = set(
        OptOut.objects.filter(
            organisation=organisation, active=True, phone_hash__in=[c.phone_hash for c in contacts]
        ).values_list("phone_hash", flat=True)
    )
    texts: dict[int, str] = {}
    blocked: dict[str, int] = {}
    for contact in contacts:
        reason = ""
        if not contact.phone_hash:
            reason = _("no phone number")
        elif contact.phone_hash in opted:
            reason = _("opted out")
        elif not has_messaging_consent(contact):
            reason = _("no consent to messages")
        if reason:
            blocked[reason] = blocked.get(reason, 0) + 1
            continue
        template = text_en if contact.language == "en" and text_en.strip() else (text_sw or text_en)
        texts[contact.pk] = personalise(template, contact)
    return BroadcastPlan(
        texts=texts, blocked=blocked, cost=segments.cost_estimate(texts.values(), price_per_segment)
    )


@transaction.atomic
def do_broadcast(
    organisation: Organisation,
    contacts: Iterable[Contact],
    *,
    text_en: str,
    text_sw: str,
    channel: Channel | None,
    by: User,
    purpose: str = "broadcast",
) -> list[OutboundMessage]:
    """Queue one personalised message per contact in the contact's language; contacts who opted out
    or have not consented to messages are left out."""
    contacts = list(contacts)
    channel = channel or default_channel(organisation)
    price = channel.price_per_segment if channel else Decimal(0)
    plan = plan_broadcast(organisation, contacts, text_en=text_en, text_sw=text_sw, price_per_segment=price)
    queued = []
    for contact in contacts:
        text = plan.texts.get(contact.pk)
        if text is None:
            continue
        message = do_queue_sms(
            organisation,
            to_contact=contact,
            text=text,
            channel=channel,
            purpose=purpose,
            require_consent=True,
        )
        if message is not None:
            queued.append(message)
    log.info(
        "user %s queued a broadcast of %d messages for organisation %s", by.pk, len(queued), organisation.pk
    )
    return queued


# Channels ---------------------------------------------------------------------------------------------


def do_create_channel(organisation: Organisation, channel: Channel, credentials: dict[str, str]) -> Channel:
    channel.organisation = organisation
    channel.credentials = credentials
    channel.save()
    log.info("channel %s (%s) created for organisation %s", channel.pk, channel.kind, organisation.pk)
    return channel


def do_sweep(stranded_after: timedelta = timedelta(minutes=5)) -> tuple[int, int]:
    """Catch up after a crash or a lost task: process inbound messages still waiting after
    `stranded_after`, and send every due outbox message. Safe to run while workers run (every step
    claims its row). Returns (inbound processed, outbound sent)."""
    do_reclaim_expired()
    waiting = waiting_inbound(1000, older_than=timezone.now() - stranded_after)
    processed = sum(1 for pk in waiting if do_process_inbound(pk) is not None)
    return processed, do_send_due()
