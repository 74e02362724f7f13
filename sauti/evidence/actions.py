"""Writes of the evidence app: anchors, backfill, organisation signing keys, ODK device passwords."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from sauti.core import crypto
from sauti.evidence import audit
from sauti.evidence.models import Action, Anchor, AuditEntry, OdkPassword, OrganisationKey, SignedHead
from sauti.people.models import Organisation, User


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


def organisation_key(org: Organisation) -> OrganisationKey:
    """The organisation's signing key, generated on first use (private half encrypted at rest)."""
    existing = OrganisationKey.objects.filter(organisation=org).first()
    if existing is not None:
        return existing
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with transaction.atomic():
        key, _created = OrganisationKey.objects.get_or_create(
            organisation=org,
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


def head_statement(org: Organisation, seq: int, digest: str, at: str) -> str:
    """The exact text an organisation signs for a chain head."""
    return audit.canonical({"format": HEAD_FORMAT, "organisation": org.slug, "seq": seq, "hash": digest,
                            "signed_at": at})  # fmt: skip


def do_sign_head(org: Organisation, reason: str, at_head: tuple[int, str] | None = None) -> SignedHead:
    """Sign the chain head (the last committed entry, or `at_head`) with the organisation's key."""
    seq, digest = at_head or head()
    key = organisation_key(org)
    now = timezone.now()
    statement = head_statement(org, seq, digest, now.isoformat(timespec="seconds"))
    signature = private_key(key).sign(statement.encode()).hex()
    return SignedHead.objects.create(organisation=org, seq=seq, hash=digest, statement=statement,
                                     signature=signature, public_key=key.public_key, signed_at=now,
                                     reason=reason[:20])  # fmt: skip


def do_sign_heads(force: bool = False) -> int:
    """The worker's periodic job: every organisation signs the chain head when it has moved since its last
    signature and SAUTI_SIGN_HEAD_MINUTES have passed (or always, with `force`). Returns how many signed."""
    seq, digest = head()
    if not seq:
        return 0
    since = timezone.now() - timedelta(minutes=settings.SAUTI_SIGN_HEAD_MINUTES)
    signed = 0
    for org in Organisation.objects.order_by("pk"):
        last = SignedHead.objects.filter(organisation=org).order_by("-signed_at", "-id").first()
        if not force and last is not None and (last.seq == seq or last.signed_at > since):
            continue
        do_sign_head(org, "schedule", (seq, digest))
        signed += 1
    return signed


# Lower-case letters and digits without look-alikes: typed on a phone keyboard into ODK Collect.
ODK_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def do_create_odk_password(user: User, name: str) -> tuple[OdkPassword, str]:
    """A new device password (about 98 bits, shown once; only its hash is stored)."""
    groups = ["".join(secrets.choice(ODK_ALPHABET) for _i in range(5)) for _g in range(4)]
    secret = "-".join(groups)
    device = OdkPassword.objects.create(
        user=user, name=name.strip()[:80], password_hash=make_password(secret)
    )
    return device, secret


def do_revoke_odk_password(device: OdkPassword) -> None:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
