"""The export's shortcuts give exactly what the straightforward code gives: CSV lines as csv.writer writes
them, local times as datetime.astimezone formats them, rows as the ORM reads them."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from django.db import connection
from django.utils import timezone

from sauti.insights import exports
from sauti.monitoring.models import Report
from tests.conftest import World
from tests.insights.test_maps import build

TRICKY = [
    "",
    "plain",
    "a,b",
    'say "hi"',
    "line\nbreak",
    "cr\rhere",
    "None",
    "Nonesuch",
    "=1+2",
    " lead",
    "ñ✓",
]


def reference(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def test_csv_lines_are_what_csv_writer_writes() -> None:
    rng = random.Random(5)
    values: list[object] = [*TRICKY, None, 0, 47, -1.2345678901234, 36.8, 1e-7, True]
    rows = [[rng.choice(values) for _ in range(7)] for _ in range(3000)]
    assert exports.csv_lines(rows) == reference(rows)
    assert exports.csv_lines([]) == ""


@pytest.mark.parametrize(
    "zone", ["Africa/Nairobi", "UTC", "Europe/London", "America/St_Johns", "Asia/Kolkata"]
)
def test_local_iso_from_database_text_is_astimezone(db: None, zone: str) -> None:
    rng = random.Random(zone)
    with timezone.override(ZoneInfo(zone)):
        look = exports._Lookups()
        start = datetime(2024, 1, 1, tzinfo=UTC)
        for _ in range(3000):
            moment = start + timedelta(
                seconds=rng.randint(0, 2 * 365 * 86400), microseconds=rng.randint(0, 999999)
            )
            expected = exports._local_iso(moment, look.tz)
            naive = moment.replace(tzinfo=None)
            assert look.local_iso(str(naive)) == expected  # SQLite's text
            assert look.local_iso(f"{naive}+00") == expected  # PostgreSQL's text
    assert look.local_iso(None) == ""


def test_the_rows_read_as_text_match_the_orm(world: World) -> None:
    build(world)
    rows = [row for chunk in exports.export_chunks(Report.objects.all(), exports.Audience()) for row in chunk]
    keys = [c.key for c in exports.COLUMNS]
    by_ref = {row[0]: dict(zip(keys, row, strict=True)) for row in rows}
    tz = timezone.get_current_timezone()
    for report in Report.objects.all():
        row = by_ref[report.reference]
        assert row["received_at"] == report.received_at.astimezone(tz).isoformat(timespec="seconds")
        assert row["occurred_on"] == (report.occurred_on.isoformat() if report.occurred_on else "")
    assert len(rows) == Report.objects.count() > 0, connection.vendor
