"""The tamper-evident history: one hash chain of audit entries, its head, anchors and organisation keys."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.core import crypto
from sauti.people.models import Organisation


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("updated")
    DELETE = "delete", _("deleted")
    # Facts about people data (audit.note): an export of everything about a person, an erased identity.
    EXPORT = "export", _("exported")
    ERASE = "erase", _("erased")


class AuditEntry(models.Model):
    """One change to an audited row. Entries are only ever appended (see evidence.audit)."""

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
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["model", "object_pk", "seq"], name="audit_object")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.model} {self.object_pk}"


class ChainHead(models.Model):
    """The last committed entry's seq and hash, moved forward after each commit that appended (see
    evidence.audit), so that `sauti verify` notices entries cut from the end of the log."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
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
        ordering = ["-seq", "-id"]
        verbose_name = _("anchor")
        verbose_name_plural = _("anchors")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


class OrganisationKey(models.Model):
    """An organisation's Ed25519 signing key; the private half encrypted with the identity keys."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="signing_key")
    public_key = models.CharField(max_length=64, help_text=_("Raw Ed25519 public key, hex"))
    private_key_ciphertext = crypto.EncryptedTextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation signing key")
        verbose_name_plural = _("organisation signing keys")

    def __str__(self) -> str:
        return f"{self.organisation} {self.fingerprint}"

    @property
    def fingerprint(self) -> str:
        from sauti.evidence.bundlecheck import fingerprint

        return fingerprint(bytes.fromhex(self.public_key))


class LoginFailure(models.Model):
    """One failed log-in (or second-factor) attempt; enough of them lock that username from that address."""

    username = models.CharField(max_length=160)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["username", "ip", "at"], name="login_failure_lookup"),
            models.Index(fields=["ip", "at"], name="login_failure_address"),
        ]
        verbose_name = _("failed log-in")
        verbose_name_plural = _("failed log-ins")

    def __str__(self) -> str:
        return f"{self.username} {self.ip} {self.at:%Y-%m-%d %H:%M}"


class TOTPDevice(models.Model):
    """A user's authenticator app (RFC 6238); the shared secret is encrypted with the identity keys."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp")
    secret_ciphertext = crypto.EncryptedTextField(editable=False)
    confirmed = models.BooleanField(default=False)
    last_step = models.BigIntegerField(default=0, help_text=_("Time step of the last code accepted"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    def __str__(self) -> str:
        return f"{self.user_id} {'confirmed' if self.confirmed else 'pending'}"


class RecoveryCode(models.Model):
    """A one-time code for when the phone with the authenticator is lost; only its hash is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"{self.user_id} {'used' if self.used_at else 'unused'}"


class OdkPassword(models.Model):
    """A per-device password for ODK Collect (HTTP Basic), revocable on its own. Roles that need a second
    factor cannot use their account password over Basic; they make one of these after logging in with both
    factors. Only a salted hash is kept (Django's password hashers); the password is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="odk_passwords")
    name = models.CharField(_("device"), max_length=80)
    password_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ODK device password")
        verbose_name_plural = _("ODK device passwords")

    def __str__(self) -> str:
        return f"{self.user_id} {self.name}"


class SignedHead(models.Model):
    """The chain head signed with an organisation's key (sauti.evidence.actions.do_sign_heads): by the
    worker at intervals and with every bundle. The statement is exactly the bytes signed. Someone with write
    access to the database can rewrite the whole chain consistently, but cannot sign its new head without the
    private key (encrypted with the identity keys, which live outside the database): `sauti verify` then
    finds the heads signed earlier no longer in the chain, and heads published or in bundles stay as proof."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="signed_heads")
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    statement = models.TextField()
    signature = models.CharField(max_length=128)
    public_key = models.CharField(max_length=64)
    signed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=20, default="schedule")

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("signed chain head")
        verbose_name_plural = _("signed chain heads")
        indexes = [models.Index(fields=["organisation", "-signed_at"], name="signed_head_latest")]

    def __str__(self) -> str:
        return f"{self.organisation_id} #{self.seq} {self.hash[:12]}"
