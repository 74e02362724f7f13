"""The county map of printed documents (evidence summaries, petitions, memoranda), from the same figures and
outlines as the web map; core.pdf draws it."""

from __future__ import annotations

import json

from django.db.models import QuerySet

from sauti.core import pdf as core_pdf
from sauti.insights import areas
from sauti.insights.boundaries import county_boundaries
from sauti.monitoring.models import Case


def county_map(pdf: core_pdf.Summary, cases: QuerySet[Case]) -> None:
    """The cases per county and each located case."""
    counts = {a.code: a.cases for a in areas.county_counts(cases, reports=False)}
    top = max(counts.values(), default=0)
    points = [
        (float(lat or 0), float(lon or 0))
        for lat, lon in cases.exclude(lat=None).exclude(lon=None).values_list("lat", "lon")
    ]
    core_pdf.county_map(
        pdf, counts, json.loads(county_boundaries().body), areas.breaks(top) if top else [0], points
    )
