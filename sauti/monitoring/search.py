"""Free-text search in report descriptions: one function, an index behind it on each database.

`reports_matching(text)` is exactly `Report.objects.filter(description__icontains=text)`. On PostgreSQL a
trigram GIN index on UPPER(description) (migration 0005, when the pg_trgm extension can be installed)
serves that query as it stands. On SQLite an FTS5 trigram table mirrors the descriptions (kept by
triggers); its LIKE, which folds case at least as widely as SQLite's, picks candidate rows, and the
ordinary condition then decides, so the answer is the same with or without the index.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from sauti.monitoring.models import Report

# Constant SQL; the text goes in as a parameter.
CANDIDATES = "SELECT rowid FROM monitoring_report_fts WHERE description LIKE %s"
# The trigram index can narrow a search only with three characters in a row to look up.
MIN_INDEXED = 3


def reports_matching(text: str) -> QuerySet[Report]:
    reports = Report.objects.filter(description__icontains=text)
    if connection.vendor == "sqlite" and len(text) >= MIN_INDEXED:
        # % and _ in the text are wildcards to FTS5's LIKE: they only widen the candidates.
        reports = reports.filter(pk__in=RawSQL(CANDIDATES, [f"%{text}%"]))  # noqa: S611
    return reports
