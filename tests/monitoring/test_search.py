"""Text search in report descriptions: the indexed path (FTS5 on SQLite, pg_trgm on PostgreSQL) finds exactly
what the plain `icontains` query finds, in the inbox too, and follows new and changed descriptions."""

from __future__ import annotations

import pytest

from django.db import connection

from sauti.monitoring import views
from sauti.monitoring.models import Report
from sauti.monitoring.search import reports_matching
from tests.conftest import World
from tests.insights.test_maps import MABATINI, build, submit

TEXTS = [
    "Maji yamekatwa Mabatini kwa wiki mbili",
    "WATER cut again at the kiosk",
    "Sewage 100% overflowing near the school_gate",
    "Mtoto alipigwa na polisi — Ñandú street",
    "Éviction à l'école",
]
QUERIES = ["maji", "MAJI", "water", "ter cu", "100%", "school_gate", "_", "%", "ñandú", "ÑANDÚ", "évic", "ÉVIC",
           "ab", "polisi —", "nothing like this", "e"]  # fmt: skip


@pytest.fixture
def texts(world: World) -> None:
    build(world)
    for text in TEXTS:
        submit(world.umoja, text, "water", ward=MABATINI)


def plain(text: str) -> set[int]:
    return set(Report.objects.filter(description__icontains=text).values_list("pk", flat=True))


@pytest.mark.parametrize("text", QUERIES)
def test_the_indexed_search_finds_what_icontains_finds(texts: None, text: str) -> None:
    assert set(reports_matching(text).values_list("pk", flat=True)) == plain(text)


def test_sqlite_narrows_through_its_text_index(texts: None) -> None:
    sql = str(reports_matching("maji").query)
    assert ("monitoring_report_fts" in sql) == (connection.vendor == "sqlite")
    assert "monitoring_report_fts" not in str(reports_matching("ab").query)


def test_changed_and_deleted_descriptions_are_followed(texts: None) -> None:
    report = Report.objects.get(description__startswith="WATER cut")
    Report.objects.filter(pk=report.pk).update(description="Electricity gone")
    assert not reports_matching("water cut").exists()
    assert list(reports_matching("electricity")) == [report]
    loose = Report.objects.create(
        organisation=report.organisation, description="A loose report", channel="web"
    )
    assert list(reports_matching("loose rep")) == [loose]
    loose.delete()
    assert not reports_matching("loose rep").exists()


@pytest.mark.parametrize("few_matches", [2000, 0])
def test_the_inbox_search_over_every_case_matches_the_plain_query(
    world: World, texts: None, monkeypatch: pytest.MonkeyPatch, few_matches: int
) -> None:
    from sauti.monitoring import forms

    monkeypatch.setattr(views, "RECENT_WINDOW", 1)  # past the newest cases: every report is searched
    monkeypatch.setattr(forms, "FEW_MATCHES", few_matches)  # the matching ids themselves, or the walk
    client = world.client_for(world.wanjiku)
    for text in ("kiosk", "100%", "polisi", "nothing like this"):
        response = client.get("/cases/", {"q": text})
        assert response.status_code == 200
        shown = {row.pk for row in response.context["rows"]}
        expected = set(
            Report.objects.filter(description__icontains=text, organisation=world.umoja).values_list(
                "case_id", flat=True
            )
        )
        assert shown == expected
