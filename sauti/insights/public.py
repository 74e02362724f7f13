"""What the public map may show: published cases with safe coordinates, and what may be read about each."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db.models import Case as Conditional
from django.db.models import Count, F, FloatField, Max, QuerySet, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from sauti.insights.figures import UNCATEGORISED
from sauti.monitoring.models import Case, Status
from sauti.people.models import Organisation

CASE_LIST_LIMIT = 50


def public_cases(organisation: Organisation | None = None) -> QuerySet[Case]:
    """Cases an organisation chose to publish (never rejected ones), with coordinates safe to show.

    `plat`/`plon`: the case's point, or for a sensitive case its ward's centre (else its county's), so
    the exact point of a sensitive case never leaves the database, not even through a bbox query.
    """
    qs = Case.objects.filter(is_public=True).exclude(status=Status.REJECTED)
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    return qs.annotate(
        plat=Conditional(
            When(is_sensitive=False, then=F("lat")),
            default=Coalesce(F("ward__lat"), F("county__lat")),
            output_field=FloatField(),
        ),
        plon=Conditional(
            When(is_sensitive=False, then=F("lon")),
            default=Coalesce(F("ward__lon"), F("county__lon")),
            output_field=FloatField(),
        ),
    )


def public_rows(
    qs: QuerySet[Case], limit: int = CASE_LIST_LIMIT, *, labels: bool = True
) -> list[dict[str, Any]]:
    """What the public may read about each case: category, place (ward and county), status, month.

    Without `labels` the rows hold only keys, so the JSON is the same in every language (cacheable).
    """
    rows = qs.select_related("category__parent", "ward", "county").order_by("-created_at", "-pk")[:limit]
    out = []
    for case in rows:
        top = case.category.parent if case.category and case.category.parent else case.category
        day = case.occurred_from or timezone.localdate(case.created_at)
        row: dict[str, Any] = {
            "category": top.key if top else UNCATEGORISED,
            "status": case.status,
            "month": day.strftime("%Y-%m"),
            "ward": case.ward.name if case.ward else "",
            "county": case.county.name if case.county else "",
        }
        if labels:
            row["category_label"] = top.label if top else _("Uncategorised")
            row["status_label"] = case.get_status_display()
            row["month_label"] = date_format(day, "F Y")
        out.append(row)
    return out


def public_fingerprint() -> str:
    """Changes whenever a case is published, edited or withdrawn: part of the ETag of public responses."""
    agg = Case.objects.filter(is_public=True).aggregate(n=Count("pk"), last=Max("updated_at"), top=Max("pk"))
    return hashlib.sha256(f"{agg['n']}|{agg['last']}|{agg['top']}".encode()).hexdigest()[:20]
