"""Opinion maps (Polis-style conversations): statements, anonymous participants, append-only votes, analyses."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from sauti.people.models import Organisation


def _public_code() -> str:
    return secrets.token_urlsafe(6)


def _participant_token() -> str:
    return secrets.token_urlsafe(24)


class Conversation(models.Model):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="opinion_conversations"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The dialogue programme (and meeting) this conversation serves; the same organisation's.
    programme = models.ForeignKey(
        "dialogues.Programme",
        verbose_name=_("programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion_conversations",
    )
    meeting = models.ForeignKey(
        "dialogues.Meeting",
        verbose_name=_("meeting"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion_conversations",
    )
    public_code = models.CharField(max_length=16, unique=True, default=_public_code)
    is_open = models.BooleanField(_("open for votes"), default=True)
    allow_submissions = models.BooleanField(_("participants may submit statements"), default=True)
    source = models.CharField(max_length=300, blank=True)
    groups_hint = models.PositiveSmallIntegerField(null=True, blank=True)

    class Results(models.TextChoices):
        DURING = "during", _("Participants see the results while the vote is open")
        AFTER = "after", _("Participants see the results once the vote is closed")

    # When participants (web and SMS) may see the opinion map; the facilitator decides.
    results_open = models.CharField(
        _("results for participants"), max_length=10, choices=Results.choices, default=Results.AFTER
    )
    # A map shown at a meeting stays as it is until the facilitator unfreezes it (votes are still counted).
    map_frozen = models.BooleanField(_("opinion map frozen"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_vote_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def results_visible(self) -> bool:
        """May participants see the opinion map now?"""
        return self.results_open == self.Results.DURING or not self.is_open


class Moderation(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    META = "meta", _("Meta (about the conversation, not an opinion)")


class Statement(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="statements")
    number = models.PositiveIntegerField()  # the statement id of analyses and SMS (Polis' tid)
    text_en = models.TextField(_("text (English)"), blank=True)
    text_sw = models.TextField(_("text (Kiswahili)"), blank=True)
    moderation = models.CharField(max_length=10, choices=Moderation.choices, default=Moderation.PENDING)
    is_seed = models.BooleanField(default=False)
    author = models.ForeignKey(
        "Participant", null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "number"], name="opinions_statement_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.text()[:60]}"

    def text(self, language: str = "sw") -> str:
        """The text in the language asked for, else the other one."""
        first, second = (self.text_sw, self.text_en) if language == "sw" else (self.text_en, self.text_sw)
        return first or second

    @property
    def is_mod_out(self) -> bool:
        return self.moderation in (Moderation.REJECTED, Moderation.META)

    @property
    def is_votable(self) -> bool:
        return self.moderation == Moderation.ACCEPTED


class Participant(models.Model):
    """Someone voting without an account: a web cookie token, an SMS number's hash or an imported id."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        SMS = "sms", _("SMS")
        IMPORT = "import", _("Imported")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="participants")
    number = models.PositiveIntegerField()  # the participant id of analyses (Polis' pid)
    token = models.CharField(max_length=64, unique=True, default=_participant_token)
    external_id = models.CharField(max_length=100, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    language = models.CharField(max_length=5, default="sw")
    stopped = models.BooleanField(default=False)
    # SMS: the statement last sent, so a bare "1" / "2" / "3" reply knows what it answers.
    pending_statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["conversation", "number"], name="opinions_participant_number")
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class Vote(models.Model):
    """Append-only: a changed mind is a new row, and the latest row per statement counts."""

    AGREE, DISAGREE, PASS = 1, -1, 0
    VALUES = ((AGREE, _("Agree")), (DISAGREE, _("Disagree")), (PASS, _("Pass / unsure")))

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=VALUES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["participant", "statement"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(value__in=(-1, 0, 1)), name="opinions_vote_value")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} on {self.statement_id}: {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("votes are append-only")
        super().save(*args, **kwargs)


class Analysis(models.Model):
    """The latest pipeline result for a conversation (sauti.opinions.polis.Analysis.to_json)."""

    conversation = models.OneToOneField(Conversation, on_delete=models.CASCADE, related_name="analysis")
    result = models.JSONField(default=dict)
    error = models.CharField(max_length=300, blank=True)  # "not enough data yet" and the like
    computed_at = models.DateTimeField()
    votes_counted = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"analysis of {self.conversation_id} at {self.computed_at:%Y-%m-%d %H:%M}"
