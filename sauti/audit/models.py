"""The tamper-evident history: one hash chain of audit entries, its head, anchors, organisation keys and
the heads signed with them.

The tables keep the names they had in the evidence app (`db_table`), so existing rows stay. Organisations
are referred to by the lazy string "people.Organisation": audit sits below people, and this is the one
relation it has to a higher app (docs/decisions.md, "Audit as its own app")."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.core import crypto
from sauti.core.keys import fingerprint


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
    # Facts about people data (audit.note): an export of everything about a person, an erased identity.
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")


class AuditEntry(models.Model):
    """One change to an audited row. Entries are only ever appended (see audit.audit)."""

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, blank=True, help_text=_("Username, or empty for the system"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=6, choices=Action.choices)
    model = models.CharField(max_length=100)
    object_pk = models.CharField(max_length=64)
    # The audited fields as canonical JSON, kept so the chain of custody can say what changed.
    data = models.TextField()
    data_hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "evidence_auditentry"
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["model", "object_pk", "seq"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.model} {self.object_pk}"


class ChainHead(models.Model):
    """The last committed entry's seq and hash, moved forward after each commit that appended (see
    audit.audit), so that `sauti verify` notices entries cut from the end of the log."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "evidence_chainhead"
        verbose_name = _("chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class Anchor(models.Model):
    """A chain head printed or shared outside the database; verify checks it still matches."""

    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "evidence_anchor"
        ordering = ["-seq", "-id"]
        verbose_name = _("anchor")
        verbose_name_plural = _("anchors")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class OrganisationKey(models.Model):
    """An organisation's Ed25519 signing key; the private half encrypted with the identity keys."""

    organisation = models.OneToOneField(
        "people.Organisation", on_delete=models.CASCADE, related_name="signing_key"
    )
    public_key = models.CharField(max_length=64, help_text=_("Raw Ed25519 public key, hex"))
    private_key_ciphertext = crypto.EncryptedTextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "evidence_organisationkey"
        verbose_name = _("organisation signing key")
        verbose_name_plural = _("organisation signing keys")

    def __str__(self) -> str:
        return f"{self.organisation} {self.fingerprint}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(bytes.fromhex(self.public_key))


class SignedHead(models.Model):
    """The chain head signed with an organisation's key (sauti.audit.actions.do_sign_heads): by the worker
    at intervals and with every bundle. The statement is exactly the bytes signed. Someone with write
    access to the database can rewrite the whole chain consistently, but cannot sign its new head without the
    private key (encrypted with the identity keys, which live outside the database): `sauti verify` then
    finds the heads signed earlier no longer in the chain, and heads published or in bundles stay as proof."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.CASCADE, related_name="signed_heads"
    )
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    statement = models.TextField()
    signature = models.CharField(max_length=128)
    public_key = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=20, default="schedule")

    class Meta:
        db_table = "evidence_signedhead"
        ordering = ["-signed_at", "-id"]
        verbose_name = _("signed chain head")
        verbose_name_plural = _("signed chain heads")
        indexes = [models.Index(fields=["organisation", "-signed_at"], name="signed_head_latest")]

    def __str__(self) -> str:
        return f"{self.organisation_id} #{self.seq} {self.hash[:12]}"
