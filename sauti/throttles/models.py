"""Limits on anonymous submissions per client, and the counts that enforce them (fixed windows)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sauti.people.models import Organisation


class Scope(models.TextChoices):
    REPORT = "report", _("Public report form")
    VOTE = "vote", _("Opinion votes")
    STATUS = "status", _("Report status look-ups")
    TRUST = "trust", _("Trust survey answers (web)")


class ThrottleLimit(models.Model):
    """An organisation's own limit for a scope (otherwise the deployment's default applies)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("what"), max_length=10, choices=Scope.choices)
    limit = models.PositiveIntegerField(_("at most"), help_text=_("0 turns the limit off."))
    window_seconds = models.PositiveIntegerField(_("per how many seconds"))
    changed_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "scope"], name="one_limit_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope}: {self.limit}/{self.window_seconds}s"


class ThrottleCount(models.Model):
    """Submissions from one client (a keyed hash of its address, never the address) in one window."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    client = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "scope", "client", "window_start"], name="one_count_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.client[:8]}:{self.count}"
