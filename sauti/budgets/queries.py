"""Read side: the project register, the department view and the ward scorecard (shared by pages and commands)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from sauti.budgets.cob import DEPARTMENT_COLUMNS
from sauti.budgets.models import DepartmentBudget, Project, SiteStatus
from sauti.people.models import Organisation
from sauti.places.models import County, Ward


def _num(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def projects_for(org: Organisation, ward: Ward | None = None) -> QuerySet[Project]:
    qs = Project.objects.filter(organisation=org).select_related("ward", "document", "category", "county")
    return qs.filter(ward=ward) if ward is not None else qs


def project_json(p: Project, corrections: list[Any] | None = None) -> dict[str, Any]:
    return {
        "number": p.number,
        "code": p.code,
        "name": p.name,
        "sector": p.sector_published,
        "category": p.category.key if p.category else None,
        "location_published": p.location_published,
        "ward_code": p.ward.code if p.ward else None,
        "ward": p.ward.name if p.ward else None,
        "ward_match": p.ward_match,
        "ward_candidates": p.ward_candidates,
        "financial_year": p.financial_year,
        "contract_sum": _num(p.contract_sum),
        "paid": _num(p.paid),
        "cumulative_expenditure": _num(p.cumulative_expenditure),
        "pct_complete": _num(p.pct_complete),
        "expected_completion": p.expected_completion or None,
        "source": p.source(),
        "flags": p.flags,
        "observed_status": p.observed_status or None,
        "observations": p.observations_count,
        "corrections": [
            {
                "field": c.field,
                "published": c.published_value,
                "corrected": c.corrected_value,
                "reason": c.reason,
            }
            for c in (corrections or [])
        ],
    }


def latest_year(org: Organisation, county: County) -> str | None:
    row = (
        DepartmentBudget.objects.filter(organisation=org, county=county)
        .order_by("-financial_year")
        .values_list("financial_year", flat=True)
        .first()
    )
    return row


def departments(org: Organisation, county: County, year: str | None = None) -> list[DepartmentBudget]:
    year = year if year is not None else latest_year(org, county)
    if year is None:
        return []
    return list(
        DepartmentBudget.objects.filter(organisation=org, county=county, financial_year=year)
        .select_related("document")
        .order_by("position")
    )


def department_json(d: DepartmentBudget) -> dict[str, Any]:
    out: dict[str, Any] = {"department": "Total" if d.is_total else d.name}
    for column in DEPARTMENT_COLUMNS:
        out[column] = _num(getattr(d, column))
    out["financial_year"] = d.financial_year
    out["source"] = {"document": d.document.title, "document_id": d.document_id, "page": d.source_page}
    out["flags"] = d.flags
    return out


@dataclass
class WardScore:
    ward_code: int | None
    ward: str
    planned: int
    funded: int
    contract_sum: Decimal
    paid: Decimal
    cumulative: Decimal
    observed: int
    observed_complete: int
    not_started: int
    stalled: int
    flagged: int

    def as_json(self) -> dict[str, Any]:
        return {
            "ward_code": self.ward_code,
            "ward": self.ward,
            "planned": self.planned,
            "funded": self.funded,
            "contract_sum": _num(self.contract_sum),
            "paid": _num(self.paid),
            "cumulative_expenditure": _num(self.cumulative),
            "observed": self.observed,
            "observed_complete": self.observed_complete,
            "not_started": self.not_started,
            "stalled": self.stalled,
            "flagged": self.flagged,
        }


def scorecard(org: Organisation, ward: Ward | None = None) -> list[WardScore]:
    """Per ward (and one row for projects without a ward): planned, funded, paid, observed complete, flagged.

    One grouped scan of the covering index (ward × status seen × flagged), added up here."""
    qs = Project.objects.filter(organisation=org)
    if ward is not None:
        qs = qs.filter(ward=ward)
    rows = (
        qs.order_by()
        .values_list("ward", "observed_status", "flagged")
        .annotate(
            n=Count("pk"),
            funded=Count("pk", filter=Q(contract_sum__gt=0)),
            contract=Sum("contract_sum"),
            paid_sum=Sum("paid"),
            cumulative=Sum("cumulative_expenditure"),
        )
    )
    zero = Decimal(0)
    by_ward: dict[int | None, WardScore] = {}
    for ward_id, seen, flagged, n, funded, contract, paid, cumulative in rows:
        s = by_ward.get(ward_id)
        if s is None:
            s = by_ward[ward_id] = WardScore(ward_id, "", 0, 0, zero, zero, zero, 0, 0, 0, 0, 0)
        s.planned += n
        s.funded += funded
        s.contract_sum += contract or zero
        s.paid += paid or zero
        s.cumulative += cumulative or zero
        s.observed += n if seen else 0
        s.observed_complete += n if seen == SiteStatus.COMPLETE else 0
        s.not_started += n if seen == SiteStatus.NOT_STARTED else 0
        s.stalled += n if seen == SiteStatus.STALLED else 0
        s.flagged += n if flagged else 0
    places = {
        pk: (code, name)
        for pk, code, name in Ward.objects.filter(pk__in=[k for k in by_ward if k]).values_list(
            "pk", "code", "name"
        )
    }
    out = []
    for ward_id, s in by_ward.items():
        s.ward_code, s.ward = places[ward_id] if ward_id else (None, "")
        out.append(s)
    out.sort(key=lambda s: (s.ward_code is None, s.ward))
    if ward is not None and not out:
        out = [WardScore(ward.code, ward.name, 0, 0, zero, zero, zero, 0, 0, 0, 0, 0)]
    return out


def total(scores: list[WardScore]) -> WardScore:
    return WardScore(
        None,
        "Total",
        sum(s.planned for s in scores),
        sum(s.funded for s in scores),
        sum((s.contract_sum for s in scores), Decimal(0)),
        sum((s.paid for s in scores), Decimal(0)),
        sum((s.cumulative for s in scores), Decimal(0)),
        sum(s.observed for s in scores),
        sum(s.observed_complete for s in scores),
        sum(s.not_started for s in scores),
        sum(s.stalled for s in scores),
        sum(s.flagged for s in scores),
    )
