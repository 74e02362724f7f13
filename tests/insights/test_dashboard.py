"""The dashboard: figures per period, category, status, channel and place, hotspots, and its SVG charts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from django.utils import timezone

from sauti.insights import areas, charts, overviews
from sauti.monitoring.models import Case
from tests.conftest import World
from tests.insights.test_maps import LAINI_SABA, MABATINI, PORT_REITZ, Data, build, submit

TODAY = timezone.localdate()


@pytest.fixture
def data(world: World) -> Data:
    return build(world)


def board(world: World, user: str = "wanjiku", **params: str) -> overviews.Dashboard:
    response = world.client_for(getattr(world, user)).get("/dashboard/", params)
    assert response.status_code == 200, response.content[:500]
    result: overviews.Dashboard = response.context["board"]
    return result


def bars(chart: charts.BarChart) -> list[tuple[str, int | float]]:
    return [(b.label, b.value) for b in chart.bars]


def test_the_dashboard_counts_the_coordinators_cases(world: World, data: Data) -> None:
    b = board(world)
    assert (b.totals.cases, b.totals.reports, b.totals.verified) == (5, 6, 1)
    assert bars(b.funnel) == [("Received", 5), ("Triaged", 1), ("Verified", 1), ("Resolved", 0)]
    assert dict(bars(b.statuses))["New"] == 4 and dict(bars(b.statuses))["Referred / actioned"] == 1
    assert bars(b.channels)[:2] == [("Web form", 5), ("SMS", 1)]
    assert bars(b.counties) == [("Nairobi", 3), ("Kiambu", 1), ("Mombasa", 1)]
    assert [b.extra for b in b.counties.bars] == [4, 1, 1]
    assert bars(b.wards)[0] == ("Mabatini", 2)


def test_reports_over_time_are_stacked_by_top_level_category(world: World, data: Data) -> None:
    chart = board(world).over_time
    assert chart.total == 6 and len(chart.labels) == 12
    # Forty days ago is in an earlier month; the other five reports are in this one.
    assert chart.column_totals[-1] == 5 and sum(chart.column_totals[:-1]) == 1
    assert {r.label: r.total for r in chart.rows} == {
        "Water": 3,  # two water reports and a water disconnection
        "Housing and evictions": 1,
        "Security and police conduct": 1,
        "Land and property": 1,
    }
    last = chart.columns[-1]
    assert sum(s.height for s in last.segments) == pytest.approx(
        5 * (chart.baseline - charts.TOP) / chart.ticks[-1].value, abs=0.05
    )


def test_weeks_and_explicit_periods(world: World, data: Data) -> None:
    weekly = board(world, interval="week").over_time
    assert len(weekly.labels) == 12 and weekly.total == 6 and weekly.column_totals[-1] >= 1
    start = (TODAY - timedelta(days=45)).isoformat()
    end = (TODAY - timedelta(days=35)).isoformat()
    window = board(world, interval="week", **{"from": start, "to": end})
    assert window.over_time.total == 1 and window.totals.cases == 1
    assert bars(window.counties) == [("Kiambu", 1)]


def test_hotspots_are_wards_rising_fastest(world: World, data: Data) -> None:
    submit(
        world.umoja, "Landlord locked out tenants", "housing", ward=LAINI_SABA, days_ago=45, offset=(0.0, 0.0)
    )
    spots = board(world).hotspots
    assert [(h.code, h.recent, h.previous, h.change) for h in spots] == [
        (MABATINI, 2, 0, 2),
        (PORT_REITZ, 1, 0, 1),
    ]
    assert spots[0].name == "Mabatini" and spots[0].county == "Nairobi"
    # Laini Saba is level (one case in each window) and Githunguri fell: neither is rising.
    today_spots = areas.hotspots(Case.objects.filter(organisation=world.umoja), TODAY, days=30)
    assert [h.code for h in today_spots] == [MABATINI, PORT_REITZ]


def test_filters_apply_to_every_figure(world: World, data: Data) -> None:
    b = board(world, category="water")
    assert b.totals.cases == 2 and b.over_time.total == 3
    assert bars(b.counties) == [("Mombasa", 1), ("Nairobi", 1)]
    assert bars(b.channels)[0] == ("Web form", 3)
    referred = board(world, status="referred")
    assert referred.totals.cases == 1 and [h.code for h in referred.hotspots] == [MABATINI]


def test_the_official_sees_figures_for_referred_cases_only(world: World, data: Data) -> None:
    b = board(world, "chief")
    assert (b.totals.cases, b.totals.reports) == (1, 1)
    assert b.over_time.total == 1 and bars(b.counties) == [("Nairobi", 1)]
    assert board(world, "bob").totals.cases == 1  # Haki's own case, never Umoja's


def test_the_svg_charts_carry_their_numbers_and_titles(world: World, data: Data) -> None:
    html = world.client_for(world.wanjiku).get("/dashboard/").content.decode()
    svg = html.split('<svg class="stacked"')[1].split("</svg>")[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    figures = [int(n) for n in re.findall(r'<text class="figure"[^>]*>(\d+)</text>', svg)]
    assert sorted(figures) == [1, 5]
    assert "<details" in html and "<table" in html
    assert "<script>" not in html and "style=" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"interval": "year"}, "by week or by month"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "more than 60"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "after the end date"),
        ({"category": "weather"}, "Unknown category"),
    ],
)
def test_bad_dashboard_filters_are_a_400_with_a_message(
    world: World, params: dict[str, str], message: str
) -> None:
    response = world.client_for(world.wanjiku).get("/dashboard/", params)
    assert response.status_code == 400 and message in response.content.decode()


def test_access(world: World) -> None:
    assert world.client_for(None).get("/dashboard/").status_code == 302
    assert world.client_for(world.outsider).get("/dashboard/").status_code == 403
    for persona in ("alice", "wanjiku", "otieno", "achieng", "kamau", "chief", "bob"):
        assert world.client_for(getattr(world, persona)).get("/dashboard/").status_code == 200


def test_the_number_of_queries_does_not_grow_with_the_data(
    world: World, data: Data, django_assert_max_num_queries: Any
) -> None:
    client = world.client_for(world.wanjiku)
    with django_assert_max_num_queries(24) as captured:
        client.get("/dashboard/", {"interval": "week", "category": "water"})
    for i in range(5):
        submit(
            world.umoja, f"More garbage piling up, week {i}", "sanitation", ward=PORT_REITZ, days_ago=i * 9
        )
    with django_assert_max_num_queries(len(captured)):
        client.get("/dashboard/", {"interval": "week", "category": "water"})


# The chart geometry on its own ---------------------------------------------------------------------


def test_nice_ceiling() -> None:
    assert charts.nice_ceiling(0) == (1, 1)
    assert charts.nice_ceiling(3) == (3, 1)
    assert charts.nice_ceiling(7) == (8, 2)
    assert charts.nice_ceiling(95) == (100, 50)
    assert charts.nice_ceiling(1234) == (1500, 500)


def test_stacked_bars_geometry() -> None:
    chart = charts.stacked_bars(
        "t",
        "Title",
        "desc",
        ["Jan", "Feb", "Mar"],
        [charts.Series("water", "Water", [1, 0, 3]), charts.Series("housing", "Housing", [2, 2, 0])],
    )
    assert chart.column_totals == [3, 2, 3] and chart.total == 8
    assert [r.label for r in chart.rows] == ["Housing", "Water"]  # larger series first (at the bottom)
    assert chart.rows[1].css == charts.series_class("water") == "s1"
    scale = (chart.baseline - charts.TOP) / chart.ticks[-1].value
    for column, total in zip(chart.columns, chart.column_totals, strict=True):
        assert sum(s.height for s in column.segments) == pytest.approx(total * scale, abs=0.05)
        assert min(s.y for s in column.segments) == pytest.approx(chart.baseline - total * scale, abs=0.02)
    assert chart.columns[1].segments[0].tip == "Housing, Feb: 2"
    assert charts.stacked_bars("e", "Empty", "", ["Jan"], []).total == 0


def test_bar_chart_percentages() -> None:
    chart = charts.bar_chart("b", "Bars", [("a", 4), ("b", 1), ("c", 0)], value_label="Cases")
    assert [b.percent for b in chart.bars] == [100.0, 25.0, 0.0] and chart.total == 5
