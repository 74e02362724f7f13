"""An organisation's own questionnaires (XLSForms), their versions, submissions, result counts and the
participatory analysis sessions where a group makes sense of them."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.dialogues.models import Meeting, Priority
from sauti.monitoring.models import Case, Category, Report
from sauti.people.models import Contact, Group, Organisation
from sauti.places.models import Ward


class Questionnaire(models.Model):
    class Kind(models.TextChoices):
        SURVEY = "survey", _("Survey (answers only)")
        REPORT = "report", _("Report form (each submission becomes a report)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="questionnaires")
    form_id = models.CharField(_("form ID"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SURVEY)
    category = models.ForeignKey(
        Category,
        verbose_name=_("report category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    short = models.BooleanField(_("short form (SMS and USSD)"), default=False)
    sms_keyword = models.CharField(_("SMS keyword"), max_length=20, blank=True)
    published = models.BooleanField(_("published"), default=True)
    current = models.ForeignKey(
        "FormVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "form_id"], name="questionnaire_form_id_per_org")
        ]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    """One uploaded (or built) XLSForm: kept for ever so older submissions stay readable."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(_("version"), max_length=60)
    xlsx = models.BinaryField()
    xml = models.TextField()
    md5 = models.CharField(max_length=32)
    spec = models.JSONField(default=dict)  # questions, choices, languages (see xlsform.FormSpec)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["questionnaire", "-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "version"], name="form_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.version}"

    @property
    def questions(self) -> list[dict[str, Any]]:
        return list(self.spec.get("questions", []))


class Submission(models.Model):
    class Channel(models.TextChoices):
        ODK = "odk", _("ODK Collect / Enketo")
        WEB = "web", _("Web page")
        SMS = "sms", _("SMS")
        USSD = "ussd", _("USSD")
        IMPORT = "import", _("Import")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="submissions")
    version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version_text = models.CharField(max_length=60, blank=True)
    # The version sent is not the questionnaire's current one (or is unknown): kept, shown flagged.
    mismatch = models.BooleanField(default=False)
    instance_id = models.CharField(max_length=120)
    content_hash = models.CharField(max_length=64)
    answers = models.JSONField(default=dict)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=5, default="sw")
    # Names and phone numbers given in answers live in a Contact (encrypted), never in `answers`.
    respondent = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ward = models.ForeignKey(Ward, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(default=timezone.now)
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "instance_id"], name="submission_instance_unique"
            )
        ]
        indexes = [models.Index(fields=["questionnaire", "received_at"], name="submission_by_form_day")]

    def __str__(self) -> str:
        return f"{self.questionnaire.form_id}/{self.instance_id}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    question = models.CharField(max_length=100)
    file = models.FileField(upload_to="questionnaires/%Y/%m/")
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.question}: {self.file.name}"


class AnswerCount(models.Model):
    """How many submissions gave each value to each counted question (select, number, date, and the
    pseudo-questions `_ward` and `_day`), kept exact by every action that adds a submission."""

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=100)
    value = models.CharField(max_length=200)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["questionnaire", "question", "value"], name="answer_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.question}={self.value}: {self.n}"


def _token() -> str:
    return secrets.token_urlsafe(18)


class AnalysisSession(models.Model):
    """A group sitting with its data: results filtered to the group's ward, findings, conclusions."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="analysis_sessions")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    token = models.CharField(max_length=40, unique=True, default=_token)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return self.title


class Finding(models.Model):
    class Status(models.TextChoices):
        FINDING = "finding", _("Finding")
        CONCLUSION = "conclusion", _("Agreed conclusion")

    session = models.ForeignKey(AnalysisSession, on_delete=models.CASCADE, related_name="findings")
    text = models.TextField(_("finding"))
    # The figures behind it: [{"question": name, "value": choice or "", "count": n, "of": total}]
    figures = models.JSONField(default=list, blank=True)
    submissions = models.ManyToManyField(Submission, blank=True, related_name="+")
    cases = models.ManyToManyField(Case, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.FINDING)
    priority = models.ForeignKey(Priority, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class FindingEvent(models.Model):
    """The history of a finding: written, edited (with the text before), agreed, concluded, prioritised, taken
    into a memorandum."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    text_before = models.TextField(blank=True)
    # What it became, in words, when an app above made something of it (e.g. "Memorandum: …").
    detail = models.CharField(max_length=300, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["finding", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class Agreement(models.Model):
    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="agreements")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["finding", "by"], name="agreement_once_per_person")]

    def __str__(self) -> str:
        return f"{self.by} agreed {self.at:%Y-%m-%d %H:%M}"


class PhoneSurvey(models.Model):
    """A short form being answered by SMS or USSD, one question per message or screen."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        EXPIRED = "expired", _("Expired")

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="+")
    phone_hash = models.CharField(max_length=64, db_index=True)
    channel = models.CharField(max_length=10, default="sms")
    session_id = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=5, default="sw")
    position = models.PositiveIntegerField(default=0)
    answers = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    first_inbound_id = models.BigIntegerField(null=True, blank=True)
    last_inbound_id = models.BigIntegerField(null=True, blank=True)
    last_replies = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    submission = models.ForeignKey(
        Submission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.questionnaire_id} {self.channel} {self.status}"
