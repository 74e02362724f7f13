"""Budgets and development projects a community follows, what the community saw on site, and proposals.

Published figures are never changed by Sauti: a coordinator's correction is its own row beside the figure
(`Correction`), and every figure keeps its source (the document, and the page or row it came from).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sauti.dialogues.models import Priority, Programme
from sauti.monitoring.models import Case, Category, Report
from sauti.people.models import Office, Organisation
from sauti.places.models import County, Ward
from sauti.questionnaires.models import Finding, Submission


def _money(label: Any = None) -> Any:
    """A published amount: KES (projects) or KES millions (departments), None where the source is blank."""
    return models.DecimalField(label, max_digits=18, decimal_places=2, null=True, blank=True)


class BudgetDocument(models.Model):
    """One file imported: a CoB review chapter, an adopted budget / ADP / CIDP list, or typed corrections."""

    class Kind(models.TextChoices):
        COB_REVIEW = "cob", _("Controller of Budget review report")
        BUDGET = "budget", _("Adopted budget")
        ADP = "adp", _("Annual Development Plan")
        CIDP = "cidp", _("County Integrated Development Plan")
        OTHER = "other", _("Other project list")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="budget_documents")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    financial_year = models.CharField(_("financial year"), max_length=9, blank=True)
    filename = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64)
    summary = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("budget document")
        verbose_name_plural = _("budget documents")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "county", "sha256"], name="budget_document_once")
        ]

    def __str__(self) -> str:
        return self.title


class WardMatch(models.TextChoices):
    MATCHED = "matched", _("Matched automatically")
    CONFIRMED = "confirmed", _("Chosen by a coordinator")
    ASKED = "asked", _("To be chosen by a coordinator")
    COUNTY_WIDE = "county", _("County-wide")


class Flag(models.TextChoices):
    LISTED_TWICE = "listed_twice", _("Listed twice")
    OVERPAID = "overpaid", _("Payments exceed the contract sum")
    PROGRESS_MISMATCH = "progress_mismatch", _("Published progress and community observations disagree")
    PCT_INCONSISTENT = "pct_inconsistent", _("Published percentage complete does not match spending")
    ABSURD_AMOUNT = "absurd_amount", _("Implausible amount")
    UNKNOWN_WARD = "unknown_ward", _("The ward given does not exist")


class Project(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="budget_projects")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    # The short number people use by SMS ("MRADI 12 2"), per organisation.
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(_("code"), max_length=80, help_text=_("Key in the source: import code or row"))
    financial_year = models.CharField(_("financial year"), max_length=9, blank=True)
    name = models.CharField(_("project"), max_length=500)
    sector_published = models.CharField(_("sector as published"), max_length=300, blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    location_published = models.CharField(_("location as published"), max_length=300, blank=True)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ward_match = models.CharField(max_length=10, choices=WardMatch.choices, default=WardMatch.ASKED)
    ward_candidates = models.JSONField(default=list, blank=True)
    contract_sum = _money(_("contract sum"))
    paid = _money(_("paid in the year"))
    cumulative_expenditure = _money(_("cumulative expenditure"))
    pct_complete = models.DecimalField(
        _("Percent complete as published"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    expected_completion = models.CharField(_("expected completion"), max_length=40, blank=True)
    document = models.ForeignKey(BudgetDocument, on_delete=models.PROTECT, related_name="projects")
    source_page = models.PositiveIntegerField(null=True, blank=True)
    source_row = models.PositiveIntegerField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    flagged = models.BooleanField(default=False)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The latest community observation (kept by the actions, for the scorecards).
    observed_status = models.CharField(max_length=12, blank=True)
    observed_at = models.DateTimeField(null=True, blank=True)
    observations_count = models.PositiveIntegerField(default=0)
    # Reports' cases linked by a coordinator (site visits' own cases are found through their reports).
    cases = models.ManyToManyField(Case, blank=True, related_name="budget_projects")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="budget_project_code"),
            models.UniqueConstraint(fields=["organisation", "number"], name="budget_project_number"),
        ]
        indexes = [
            # The ward scorecard sums these from the index alone (grouped by ward, status seen, flagged).
            models.Index(
                fields=[
                    "organisation",
                    "ward",
                    "observed_status",
                    "flagged",
                    "contract_sum",
                    "paid",
                    "cumulative_expenditure",
                ],
                name="budget_project_ward",
            ),
            # A ward's project list, in number order.
            models.Index(fields=["organisation", "ward", "number"], name="budget_project_ward_list"),
        ]

    def __str__(self) -> str:
        return f"P{self.number} {self.name}"

    @property
    def reference(self) -> str:
        return f"P{self.number}"

    @property
    def source_label(self) -> str:
        where = []
        if self.source_page:
            where.append(f"p. {self.source_page}")
        if self.source_row:
            where.append(f"row {self.source_row}")
        return f"{self.document.title}, " + ", ".join(where) if where else self.document.title

    @property
    def flag_labels(self) -> list[tuple[str, str]]:
        return [(f, str(Flag(f).label) if f in Flag.values else f) for f in self.flags]

    def source(self) -> dict[str, Any]:
        return {
            "document": self.document.title,
            "document_id": self.document_id,
            "file": self.document.filename,
            "year": self.financial_year,
            "page": self.source_page,
            "row": self.source_row,
        }

    def figure_flags(self) -> list[str]:
        """Flags that follow from the published figures of this row alone."""
        return figure_flags(self.contract_sum, self.paid, self.cumulative_expenditure, self.pct_complete)

    def progress_mismatch(self) -> bool:
        return progress_mismatch(
            self.observed_status, self.contract_sum, self.cumulative_expenditure, self.pct_complete
        )


PROJECT_CODE = re.compile(r"^\s*P?\s*0*(\d{1,7})\s*$", re.I)


def project_number(text: str) -> int | None:
    """The project number people type ("P12", "p 12", "12"), None when it is not one."""
    m = PROJECT_CODE.match(text or "")
    return int(m.group(1)) if m else None


# One project costing more than KES 100 billion is not a figure anyone published on purpose.
ABSURD = Decimal("100000000000")


def figure_flags(
    contract: Decimal | None, paid: Decimal | None, cumulative: Decimal | None, pct: Decimal | None
) -> list[str]:
    """Flags that follow from a row's published figures alone."""
    out = []
    if contract is not None and any(v is not None and v > contract for v in (paid, cumulative)):
        out.append(Flag.OVERPAID.value)
    if (
        contract
        and cumulative is not None
        and pct is not None
        and abs(cumulative / contract * 100 - pct) > 15
    ):
        out.append(Flag.PCT_INCONSISTENT.value)
    if any(v is not None and v > ABSURD for v in (contract, paid, cumulative)):
        out.append(Flag.ABSURD_AMOUNT.value)
    return out


def progress_mismatch(
    seen: str, contract: Decimal | None, cumulative: Decimal | None, pct: Decimal | None
) -> bool:
    """The community saw something the published progress contradicts."""
    if not seen:
        return False
    spent = cumulative / contract * 100 if contract and cumulative is not None else None
    progressed = max((v for v in (pct, spent) if v is not None), default=None)
    if progressed is None:
        return False
    if seen == "not_started":
        return progressed >= 10
    if seen in ("stalled", "exists", "poor_quality"):
        return progressed >= 100
    return False


class DepartmentBudget(models.Model):
    """One row of a county's budget-by-department table (KES millions, as published; None where blank)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    financial_year = models.CharField(max_length=9, blank=True)
    name = models.CharField(_("department"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    is_total = models.BooleanField(default=False)
    budget_rec = _money()
    budget_dev = _money()
    exchequer_rec = _money()
    exchequer_dev = _money()
    expenditure_rec = _money()
    expenditure_dev = _money()
    exp_to_exchequer_rec_pct = _money()
    exp_to_exchequer_dev_pct = _money()
    absorption_rec_pct = _money()
    absorption_dev_pct = _money()
    document = models.ForeignKey(BudgetDocument, on_delete=models.PROTECT, related_name="departments")
    source_page = models.PositiveIntegerField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["county", "financial_year", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "county", "financial_year", "name"], name="budget_department_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "county", "financial_year", "position"], name="budget_dept_list"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Correction(models.Model):
    """A coordinator's correction of a published figure; the published one stays. Rows are only added."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    department = models.ForeignKey(
        DepartmentBudget, on_delete=models.CASCADE, null=True, blank=True, related_name="corrections"
    )
    field = models.CharField(_("figure"), max_length=40)
    published_value = models.CharField(_("as published"), max_length=60, blank=True)
    corrected_value = models.CharField(_("corrected"), max_length=60, blank=True)
    reason = models.TextField(_("reason and source"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.published_value} -> {self.corrected_value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("corrections are append-only")
        super().save(*args, **kwargs)


class SiteStatus(models.TextChoices):
    EXISTS = "exists", _("Exists, work going on")
    NOT_STARTED = "not_started", _("Not started")
    STALLED = "stalled", _("Stalled")
    COMPLETE = "complete", _("Complete")
    POOR_QUALITY = "poor_quality", _("Poor quality")


# The number people send by SMS for each status ("MRADI 12 2" = not started).
SMS_STATUS = {
    "1": SiteStatus.EXISTS,
    "2": SiteStatus.NOT_STARTED,
    "3": SiteStatus.STALLED,
    "4": SiteStatus.COMPLETE,
    "5": SiteStatus.POOR_QUALITY,
}


class Observation(models.Model):
    """What a community member saw at a project's site. Each one is also a monitoring Report (its
    photos, place and audit trail), linked here; bulk-loaded benchmark rows may have none."""

    class Source(models.TextChoices):
        WEB = "web", _("Web")
        SMS = "sms", _("SMS")
        USSD = "ussd", _("USSD")
        ODK = "odk", _("Field form (ODK)")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="observations")
    status = models.CharField(_("what you saw"), max_length=12, choices=SiteStatus.choices)
    note = models.TextField(_("notes"), blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    observed_on = models.DateField(_("date of the visit"), default=timezone.localdate)
    source = models.CharField(max_length=4, choices=Source.choices, default=Source.WEB)
    report = models.ForeignKey(Report, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invented = models.BooleanField(default=False, help_text=_("Invented for the demonstration"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"], name="budget_obs_project")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.status}"


class Proposal(models.Model):
    """Priorities and flagged projects taken to the county's next planning cycle, and what became of them."""

    class Fate(models.TextChoices):
        DRAFTED = "drafted", _("Drafted")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted into the next plan or budget")
        PARTLY = "partly", _("Partly accepted")
        REJECTED = "rejected", _("Not accepted")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    cycle = models.CharField(_("planning cycle"), max_length=80, help_text=_("e.g. ADP 2026/27"))
    office = models.ForeignKey(Office, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    priorities = models.ManyToManyField(Priority, blank=True, related_name="budget_proposals")
    projects = models.ManyToManyField(Project, blank=True, related_name="proposals")
    fate = models.CharField(_("outcome"), max_length=10, choices=Fate.choices, default=Fate.DRAFTED)
    fate_note = models.TextField(_("what was decided, and where it is written"), blank=True)
    fate_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SubmissionLink(models.Model):
    """A questionnaire submission about a development project (issue 20, item 3), linked by a coordinator
    from the submission's page; one project per submission. Kept here, not on the submission: budgets sits
    above questionnaires."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="submission_links")
    submission = models.OneToOneField(Submission, on_delete=models.CASCADE, related_name="budget_link")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at", "-id"]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.project_id}"


class ProposalConclusion(models.Model):
    """An agreed conclusion of a participatory analysis session made an item of a memorandum (issue 20,
    item 5). The words and figures are copied as they stood when it was added, so the memorandum says what
    the group agreed even if more findings follow; `finding` leads back to the session and its history."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="conclusions")
    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    figures = models.JSONField(default=list, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["proposal", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "finding"], name="proposal_conclusion_once")
        ]

    def __str__(self) -> str:
        return self.text[:60]
