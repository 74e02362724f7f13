"""The dashboard and the map read the same figures from the rollups as from counting the cases."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from django.http import QueryDict
from django.utils import timezone

from sauti.insights import overviews, views_maps
from sauti.insights.filters import parse_filters
from sauti.monitoring.access import cases_for
from sauti.monitoring.models import Case, CaseRollup, ReportMonthRollup, ReportRollup
from sauti.people.models import Organisation
from tests.conftest import World
from tests.insights.test_maps import build
from tests.monitoring.test_rollups import random_step

TODAY = timezone.localdate()


def figures(board: overviews.Dashboard) -> tuple[object, ...]:
    return (
        board.over_time.labels,
        [(r.label, r.values) for r in board.over_time.rows],
        [(b.label, b.value) for b in board.channels.bars],
        board.totals,
        *([(b.label, b.value, b.extra) for b in chart.bars] for chart in (board.funnel, board.statuses)),
        *([(b.label, b.value, b.extra) for b in chart.bars] for chart in (board.counties, board.wards)),
    )


@pytest.mark.parametrize(
    "params",
    [
        "",
        "interval=week",
        "category=water",
        "status=new&status=referred",
        "org=umoja&category=land",
        f"from={(TODAY - timedelta(days=45)).isoformat()}&to={(TODAY - timedelta(days=3)).isoformat()}",
        f"from={(TODAY - timedelta(days=60)).isoformat()}&interval=week&category=security",
        f"from={(TODAY - timedelta(days=70)).replace(day=1).isoformat()}",
        f"from={(TODAY - timedelta(days=70)).replace(day=1).isoformat()}&to={TODAY.isoformat()}",
        f"from={(TODAY - timedelta(days=95)).isoformat()}&to={(TODAY - timedelta(days=20)).isoformat()}",
    ],
)
def test_the_dashboard_reads_the_same_figures_from_the_rollup(world: World, params: str) -> None:
    build(world)
    rng = random.Random(params)
    for _step in range(25):
        random_step(rng, world)
    query = QueryDict(params)
    organisations = Organisation.objects.filter(pk__in=[world.umoja.pk, world.haki.pk])
    filters = parse_filters(query, organisations)
    interval = query.get("interval", "month")
    cases = Case.objects.filter(organisation__in=organisations)
    counted = overviews.dashboard(cases, filters, interval, TODAY)
    rolled = overviews.dashboard(
        cases, filters, interval, TODAY, whole_organisations=[world.umoja.pk, world.haki.pk]
    )
    assert figures(rolled) == figures(counted)
    assert counted.over_time.total > 0 or "category" in params


def test_the_dashboard_view_uses_the_rollup_only_for_whole_organisations(world: World) -> None:
    data = build(world)
    # Rollups that disagree with the reports and cases show which path each persona's dashboard took.
    ReportRollup.objects.filter(organisation=world.umoja).update(reports=100)
    ReportMonthRollup.objects.filter(organisation=world.umoja).update(reports=100)
    CaseRollup.objects.filter(organisation=world.umoja).update(cases=100)
    coordinator = world.client_for(world.wanjiku).get("/dashboard/").context["board"]
    assert coordinator.over_time.total > 100 and coordinator.totals.cases > 100
    weekly = world.client_for(world.wanjiku).get("/dashboard/?interval=week").context["board"]
    assert weekly.over_time.total > 100
    # With dates the cases are counted one by one (the case rollup has no time).
    dated = world.client_for(world.wanjiku).get(f"/dashboard/?from={TODAY - timedelta(days=10)}")
    assert dated.context["board"].totals.cases == 4
    chief = world.client_for(world.chief).get("/dashboard/").context["board"]
    assert chief.over_time.total == 1 == data.housing.reports.count()
    assert chief.totals.cases == 1


@pytest.mark.parametrize(
    "url",
    [
        "/map/data/counts.json?level=county",
        "/map/data/counts.json?level=ward",
        "/map/data/counts.json?level=ward&county=47",
        "/map/data/counts.json?level=county&status=new&category=water",
        "/map/data/clusters.json?zoom=6",
        "/map/data/clusters.json?zoom=8&bbox=36.6,-1.45,37.1,-1.1&status=new",
        "/map/data/clusters.json?zoom=12",
    ],
)
def test_the_map_reads_the_same_figures_from_the_case_rollup(world: World, url: str) -> None:
    build(world)
    rng = random.Random(url)
    for _step in range(25):
        random_step(rng, world)
    rolled = world.client_for(world.wanjiku).get(url).json()
    path, query = url.split("?")
    params = QueryDict(query)
    cases = parse_filters(params, Organisation.objects.all()).apply(cases_for(world.wanjiku))
    counted = (
        views_maps._counts_json(cases, params)
        if path.endswith("counts.json")
        else views_maps._clusters(cases, params, public=False)
    )
    assert rolled == counted
    assert rolled.get("counts") or rolled.get("clusters")
