"""Reports of rights violations, the cases that group them, and each case's append-only timeline."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sauti.people.models import Contact, Office, Organisation
from sauti.places.models import Constituency, County, Settlement, Ward


class Category(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="categories")
    key = models.SlugField(_("key"), max_length=40)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name_en = models.CharField(_("name in English"), max_length=80)
    name_sw = models.CharField(_("name in Kiswahili"), max_length=80)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["organisation", "position", "key"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="category_key_unique_per_org")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.name_sw if (get_language() or "en").startswith("sw") else self.name_en

    @property
    def top_key(self) -> str:
        return self.parent.key if self.parent_id and self.parent else self.key


class ReportChannel(models.TextChoices):
    WEB = "web", _("Web form")
    MONITOR = "monitor", _("Field monitor")
    SMS = "sms", _("SMS")
    USSD = "ussd", _("USSD")
    ODK = "odk", _("Field form (ODK)")
    IMPORT = "import", _("Import")


class CategorySource(models.TextChoices):
    REPORTER = "reporter", _("chosen by the reporter")
    READING = "reading", _("guessed from the message")


class Precision(models.TextChoices):
    POINT = "point", _("Exact point")
    SETTLEMENT = "settlement", _("Settlement or village")
    WARD = "ward", _("Ward")
    CONSTITUENCY = "constituency", _("Constituency")
    COUNTY = "county", _("County")
    UNKNOWN = "unknown", _("Unknown")


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    REFERRED = "referred", _("Referred / actioned")
    RESOLVED = "resolved", _("Resolved")
    UNRESOLVED = "unresolved", _("Unresolved")


# Which status a case may move to from each status (a reopened case goes back to triaged).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.NEW: (Status.TRIAGED, Status.REJECTED),
    Status.TRIAGED: (Status.VERIFIED, Status.REJECTED),
    Status.VERIFIED: (Status.REFERRED, Status.RESOLVED, Status.UNRESOLVED),
    Status.REJECTED: (Status.TRIAGED,),
    Status.REFERRED: (Status.RESOLVED, Status.UNRESOLVED),
    Status.RESOLVED: (Status.TRIAGED,),
    Status.UNRESOLVED: (Status.REFERRED, Status.RESOLVED),
}


class VerificationMethod(models.TextChoices):
    SITE_VISIT = "site_visit", _("Site visit by a monitor")
    PHOTO = "photo", _("Photo or document evidence")
    SECOND_SOURCE = "second_source", _("Second independent source")
    OFFICIAL = "official", _("Confirmed by an official")


class Located(models.Model):
    """The most precise place known, plus coordinates when we have them."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    constituency = models.ForeignKey(
        Constituency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    settlement = models.ForeignKey(
        Settlement, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    precision = models.CharField(
        _("location precision"), max_length=12, choices=Precision.choices, default="unknown"
    )

    class Meta:
        abstract = True

    @property
    def place_label(self) -> str:
        parts = [p.name for p in (self.settlement, self.ward, self.county) if p is not None]
        return ", ".join(parts)


class Case(Located):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="cases")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("category"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    verification_method = models.CharField(
        _("verified by"), max_length=16, choices=VerificationMethod.choices, blank=True
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=240, blank=True)
    referred_to = models.ForeignKey(
        Office,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("referred to"),
    )
    occurred_from = models.DateField(_("first occurred"), null=True, blank=True)
    occurred_to = models.DateField(_("last occurred"), null=True, blank=True)
    people_affected = models.PositiveIntegerField(_("people affected"), null=True, blank=True)
    is_public = models.BooleanField(_("show on the public map"), default=False)
    is_sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Coarsen the location to the ward in public views.")
    )
    report_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["organisation", "status", "-updated_at"], name="case_inbox"),
            # The figures per ward and per status add up report_count (and people_affected): carried in
            # the index, they are read without visiting 250,000 rows one by one (SQLite).
            models.Index(fields=["organisation", "ward", "report_count"], name="case_org_ward"),
            # A county's ward choropleth: its cases per ward, from the index alone.
            models.Index(fields=["organisation", "county", "ward"], name="case_org_county_ward"),
            models.Index(
                fields=["organisation", "status", "report_count", "people_affected"],
                name="case_org_status_sums",
            ),
            # Hotspots: the cases of the last two months, per ward, read from the index alone.
            models.Index(fields=["organisation", "created_at", "ward"], name="case_org_created_ward"),
            # The inbox walks this newest-first and stops after a page; the dates ride along so that a
            # date filter is checked in the index, without reading each case.
            models.Index(
                fields=["organisation", "-updated_at", "-id", "occurred_to", "occurred_from", "created_at"],
                name="case_org_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def reference(self) -> str:
        return f"C{self.pk}"

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]


class Report(Located):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="reports")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reports", null=True, blank=True)
    grouping_confirmed = models.BooleanField(
        default=False, help_text=_("A coordinator confirmed this report belongs to its case.")
    )
    grouping_score = models.FloatField(null=True, blank=True)
    description = models.TextField(_("what happened"))
    # A coordinator's correction of the automatic redaction (sauti/people/redaction.py): what those who may
    # not see identities are shown instead of the description. Blank: the automatic redaction.
    redacted_description = models.TextField(_("what happened, as shown without identities"), blank=True)
    occurred_on = models.DateField(_("when it happened"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    place_text = models.CharField(_("place, as the reporter said it"), max_length=200, blank=True)
    categories = models.ManyToManyField(
        Category, related_name="reports", verbose_name=_("categories"), blank=True
    )
    # Who chose the categories: the reporter (a menu, a form, an answer to the SMS question) or Sauti's
    # reading of the message. Blank: not recorded (older reports, imports, staff).
    category_source = models.CharField(
        _("category source"), max_length=10, choices=CategorySource.choices, blank=True
    )
    people_affected = models.PositiveIntegerField(_("people affected"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=ReportChannel.choices)
    language = models.CharField(_("language"), max_length=5, default="sw")
    reporter = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reporter"),
    )
    external_id = models.CharField(
        max_length=120, blank=True, help_text=_("Id in the source system (ODK instanceID …)")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "channel", "external_id"],
                condition=~models.Q(external_id=""),
                name="report_external_id_unique",
            )
        ]
        indexes = [models.Index(fields=["organisation", "-received_at"], name="report_org_received")]

    def __str__(self) -> str:
        return f"R{self.pk}"

    @property
    def reference(self) -> str:
        return f"R{self.pk}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.report.organisation_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    public_file = models.FileField(upload_to="public/", blank=True, help_text=_("Copy without EXIF location"))
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=80)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class CaseEvent(models.Model):
    """One step in a case's life. Rows are only ever added."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case opened")
        REPORT_ADDED = "report_added", _("Report added")
        GROUPING_CONFIRMED = "confirmed", _("Grouping confirmed")
        REPORT_SPLIT = "split", _("Report split into its own case")
        STATUS = "status", _("Status changed")
        EDITED = "edited", _("Details edited")
        NOTE = "note", _("Note")
        MESSAGE = "message", _("Reporter informed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("case events are append-only")
        super().save(*args, **kwargs)


class ReportRollup(models.Model):
    """Reports grouped into cases, counted per day received and per what the dashboard filters on.

    Kept in step by `monitoring.rollups.recounting` inside every action that adds a report to a case or
    changes a counted attribute (the case's organisation, category or status; the report's case), and
    rebuilt from scratch by `sauti reports rebuild-rollups`; `ReportMonthRollup` holds the same per month. `category` is the case's category pk, 0 for none
    (a plain integer so that the unique key also covers uncategorised cases).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    category = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    channel = models.CharField(max_length=10, choices=ReportChannel.choices)
    reports = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "day", "category", "status", "channel"], name="report_rollup_key"
            )
        ]
        # The dashboard's sums read this index alone.
        indexes = [
            models.Index(
                fields=["organisation", "day", "category", "channel", "status", "reports"],
                name="report_rollup_sums",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.organisation_id} {self.day} {self.category} {self.status} {self.channel}: {self.reports}"
        )


class ReportMonthRollup(models.Model):
    """`ReportRollup` per month received (`month` is its first day): a year of figures in a few thousand rows."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    channel = models.CharField(max_length=10, choices=ReportChannel.choices)
    reports = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month", "category", "status", "channel"],
                name="report_month_rollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.category} {self.status} {self.channel}: {self.reports}"


class CaseRollup(models.Model):
    """Cases counted per category, status, county and ward (pks, 0 for none), with their reports and people
    affected summed: the dashboard's and the map's figures per status and per place, when no dates are set.

    Kept in step by `monitoring.rollups.recounting_cases` around every change to a case's counted columns,
    rebuilt by `sauti reports rebuild-rollups`.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    category = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices)
    county = models.PositiveIntegerField()
    ward = models.PositiveIntegerField()
    cases = models.IntegerField(default=0)
    reports = models.BigIntegerField(default=0)
    people = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "category", "status", "county", "ward"], name="case_rollup_key"
            )
        ]
        # Per status and per ward, read from an index alone.
        indexes = [
            models.Index(
                fields=["organisation", "status", "category", "cases", "reports", "people"],
                name="case_rollup_status",
            ),
            models.Index(
                fields=["organisation", "ward", "category", "status", "cases", "reports"],
                name="case_rollup_ward",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.category} {self.status} {self.county}/{self.ward}: {self.cases}"


class StatusKey(models.Model):
    """What opens the public status page of a report (issue 15): its reference plus a short secret given
    to the reporter once (thanks page, confirmation SMS). Only a keyed hash of the secret is kept."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="status_key")
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"key of R{self.report_id}"


class FixCheck(models.Model):
    """ "Is it fixed?" asked of a resolved case's reporters: once per resolution (the status event that
    resolved it), and, when one of them says no, the coordinator's decision (reopen or keep resolved)."""

    class Decision(models.TextChoices):
        REOPENED = "reopened", _("Reopened")
        KEPT = "kept", _("Kept resolved")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="fix_checks")
    resolution = models.OneToOneField(CaseEvent, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]

    def __str__(self) -> str:
        return f"fixed? C{self.case_id} ({self.asked_at:%Y-%m-%d})"


class FixAnswer(models.Model):
    """One reporter asked whether their resolved case is fixed, and their answer (blank until they reply)."""

    class Answer(models.TextChoices):
        YES = "yes", _("Fixed")
        NO = "no", _("Not fixed")

    fix_check = models.ForeignKey(FixCheck, on_delete=models.CASCADE, related_name="answers")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.CharField(max_length=4, choices=Answer.choices, blank=True)
    channel = models.CharField(max_length=4, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fix_check", "contact"], name="fix_asked_once")]

    def __str__(self) -> str:
        return f"{self.fix_check_id}: {self.answer or '?'}"
