"""Writes of the audit app: anchors, backfill, organisation signing keys and the chain heads signed with them.

Organisations are reached through the relation of the key models ("people.Organisation"), never by
importing people: audit sits below it (docs/decisions.md, "Audit as its own app")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, Protocol, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sauti.audit import audit
from sauti.audit.models import Action, Anchor, AuditEntry, OrganisationKey, SignedHead
from sauti.core import crypto


class Signer(Protocol):
    """What signing needs of an organisation (a people.Organisation)."""

    @property
    def pk(self) -> Any: ...

    @property
    def slug(self) -> str: ...


@transaction.atomic
def do_anchor(note: str = "") -> Anchor:
    """Record the last entry (the lock makes it one no concurrent append is missing from)."""
    seq, digest = audit.lock_chain()
    return Anchor.objects.create(seq=seq, hash=digest, note=note[:200])


def do_backfill(batch: int = 1000, progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Log every audited row that has no entry yet, as a creation (rows from before the log existed)."""
    counts: dict[str, int] = {}
    for spec in audit.registered():
        logged = set(
            AuditEntry.objects.filter(model=spec.label).values_list("object_pk", flat=True).distinct()
        )
        pending: list[tuple[str, str, str, str]] = []
        done = 0
        for pk, data in audit.snapshots(spec):
            if pk in logged:
                continue
            pending.append((Action.CREATE, spec.label, pk, data))
            if len(pending) >= batch:
                audit.append(pending)
                done += len(pending)
                pending = []
                if progress:
                    progress(spec.label, done)
        audit.append(pending)
        done += len(pending)
        if progress and done:
            progress(spec.label, done)
        counts[spec.label] = done
    return counts


def organisation_key(org: Signer) -> OrganisationKey:
    """The organisation's signing key, generated on first use (private half encrypted at rest)."""
    existing = OrganisationKey.objects.filter(organisation_id=org.pk).first()
    if existing is not None:
        return existing
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with transaction.atomic():
        key, _created = OrganisationKey.objects.get_or_create(
            organisation_id=org.pk,
            defaults={
                "public_key": raw_public.hex(),
                "private_key_ciphertext": crypto.encrypt(raw_private.hex()),
            },
        )
    return key


def private_key(key: OrganisationKey) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(crypto.decrypt(key.private_key_ciphertext)))


def head() -> tuple[int, str]:
    return audit.last_entry()


HEAD_FORMAT = "sauti-chain-head/1"


def head_statement(org: Signer, seq: int, digest: str, at: str) -> str:
    """The exact text an organisation signs for a chain head."""
    return audit.canonical({"format": HEAD_FORMAT, "organisation": org.slug, "seq": seq, "hash": digest,
                            "signed_at": at})  # fmt: skip


def do_sign_head(org: Signer, reason: str, at_head: tuple[int, str] | None = None) -> SignedHead:
    """Sign the chain head (the last committed entry, or `at_head`) with the organisation's key."""
    seq, digest = at_head or head()
    key = organisation_key(org)
    now = timezone.now()
    statement = head_statement(org, seq, digest, now.isoformat(timespec="seconds"))
    signature = private_key(key).sign(statement.encode()).hex()
    return SignedHead.objects.create(organisation_id=org.pk, seq=seq, hash=digest, statement=statement,
                                     signature=signature, public_key=key.public_key, signed_at=now,
                                     reason=reason[:20])  # fmt: skip


def _organisations() -> Any:
    """Every organisation, oldest first (the model behind the lazy "people.Organisation" relation)."""
    model = cast("type[Any]", SignedHead._meta.get_field("organisation").related_model)
    return model._default_manager.order_by("pk")


def do_sign_heads(force: bool = False) -> int:
    """The worker's periodic job: every organisation signs the chain head when it has moved since its last
    signature and SAUTI_SIGN_HEAD_MINUTES have passed (or always, with `force`). Returns how many signed."""
    seq, digest = head()
    if not seq:
        return 0
    since = timezone.now() - timedelta(minutes=settings.SAUTI_SIGN_HEAD_MINUTES)
    signed = 0
    for org in _organisations():
        last = SignedHead.objects.filter(organisation_id=org.pk).order_by("-signed_at", "-id").first()
        if not force and last is not None and (last.seq == seq or last.signed_at > since):
            continue
        do_sign_head(org, "schedule", (seq, digest))
        signed += 1
    return signed
