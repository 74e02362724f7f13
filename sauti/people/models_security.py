"""Log-in hardening (people/security.py): failed attempts, authenticators, recovery codes and ODK device
passwords. Imported by people/models.py. The tables keep the names they had in the evidence app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.core import crypto


class LoginFailure(models.Model):
    """One failed log-in (or second-factor) attempt; enough of them lock that username from that address."""

    username = models.CharField(max_length=160)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "evidence_loginfailure"
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
        db_table = "evidence_totpdevice"
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
        db_table = "evidence_recoverycode"
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
        db_table = "evidence_odkpassword"
        ordering = ["-created_at", "-id"]
        verbose_name = _("ODK device password")
        verbose_name_plural = _("ODK device passwords")

    def __str__(self) -> str:
        return f"{self.user_id} {self.name}"
