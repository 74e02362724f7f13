"""Small aggregations shown as bar charts (counts with their share of the largest)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int  # width relative to the largest bar


def breakdown(qs: QuerySet[Any], field: str, labels: dict[str, Any] | None, limit: int = 12) -> list[Bar]:
    rows = list(qs.values(field).annotate(n=Count("id")).order_by("-n", field)[:limit])
    top = max((r["n"] for r in rows), default=0) or 1
    out = []
    for r in rows:
        key = r[field]
        label = str(labels.get(key, key)) if labels is not None else str(key)
        if key in ("", None):
            label = _("Not recorded")
        out.append(Bar(label=label, count=r["n"], percent=round(100 * r["n"] / top)))
    return out
