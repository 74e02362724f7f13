"""The daily report rollup: kept exact by every action, rebuilt by a command, and the dashboard's figures
read from it equal the figures counted report by report."""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import QueryDict
from django.utils import timezone

from sauti.monitoring import maps, rollups
from sauti.monitoring.actions import (
    do_edit_case,
    do_move_report,
    do_split_report,
    do_transition,
)
from sauti.monitoring.models import TRANSITIONS, Case, Category, Report, ReportRollup, Status
from sauti.people.models import Office, Organisation
from tests.conftest import World
from tests.monitoring.test_maps import GITHUNGURI, LAINI_SABA, MABATINI, PORT_REITZ, build, submit

TODAY = timezone.localdate()
WARDS = (MABATINI, LAINI_SABA, GITHUNGURI, PORT_REITZ)
CATEGORIES = ("water", "housing", "security", "land-widows", "sanitation", "health")


def stored() -> Counter[rollups.Key]:
    return Counter(
        {
            (r.organisation_id, r.day, r.category, r.status, r.channel): r.reports
            for r in ReportRollup.objects.all()
        }
    )


def recount() -> Counter[rollups.Key]:
    return rollups.tally(Report.objects.all())


def random_step(rng: random.Random, world: World) -> None:
    org = rng.choice([world.umoja, world.umoja, world.haki])
    coordinator = world.wanjiku if org == world.umoja else world.bob
    cases = list(Case.objects.filter(organisation=org).order_by("pk"))
    step = rng.choice(["submit", "submit", "transition", "transition", "split", "move", "category"])
    if step == "submit" or not cases:
        submit(
            org,
            f"{rng.choice(['Water', 'Houses', 'Police', 'Sewage'])} problem number {rng.randint(1, 10**6)}",
            rng.choice(CATEGORIES),
            ward=rng.choice(WARDS),
            days_ago=rng.randint(0, 100),
            channel=rng.choice(["web", "sms", "ussd", "odk"]),
        )
    elif step == "transition":
        case = rng.choice(cases)
        to = rng.choice(TRANSITIONS[case.status])
        do_transition(
            case,
            to,
            coordinator,
            reason="checked",
            method="site_visit",
            referred_to=Office.objects.first() if to == Status.REFERRED else None,
        )
    elif step == "split":
        reports = list(Report.objects.filter(organisation=org, case__report_count__gt=1).order_by("pk"))
        if reports:
            do_split_report(rng.choice(reports), coordinator, "not the same")
    elif step == "move":
        report = rng.choice(list(Report.objects.filter(organisation=org).order_by("pk")))
        do_move_report(report, rng.choice(cases), coordinator)
    else:
        categories = list(Category.objects.filter(organisation=org, parent=None).order_by("pk"))
        do_edit_case(rng.choice(cases), coordinator, category=rng.choice([None, *categories]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_equals_a_recount_after_any_sequence_of_actions(world: World, seed: int) -> None:
    build(world)
    rng = random.Random(seed)
    for _step in range(30):
        random_step(rng, world)
        assert stored() == recount()
    assert not ReportRollup.objects.filter(reports__lte=0).exists()
    assert sum(stored().values()) == Report.objects.exclude(case=None).count()


def test_a_status_change_moves_every_report_of_the_case(world: World) -> None:
    data = build(world)
    before = stored()
    do_transition(data.water, Status.TRIAGED, world.wanjiku)
    after = stored()
    moved = after - before
    assert sum(moved.values()) == 2 and {k[3] for k in moved} == {Status.TRIAGED}
    assert sum((before - after).values()) == 2


def test_a_failed_action_leaves_the_rollup_alone(world: World) -> None:
    data = build(world)
    before = stored()
    with pytest.raises(ValueError):
        do_transition(data.water, Status.RESOLVED, world.wanjiku)
    assert stored() == before


def test_rebuild_recounts_from_scratch(world: World) -> None:
    build(world)
    expected = stored()
    ReportRollup.objects.all().delete()
    ReportRollup.objects.create(organisation=world.umoja, day=TODAY, category=0, status="new", channel="web")
    err = StringIO()
    call_command("reports", "rebuild-rollups", stderr=err)
    assert stored() == expected == recount()
    assert "report ids counted" in err.getvalue() and "rollup rows written" in err.getvalue()


def test_rebuild_of_one_organisation_leaves_the_others(world: World) -> None:
    build(world)
    expected = stored()
    ReportRollup.objects.filter(organisation=world.haki).delete()
    umoja_rows = list(ReportRollup.objects.filter(organisation=world.umoja).values_list("pk", flat=True))
    call_command("reports", "rebuild-rollups", "--org", "haki", stderr=StringIO())
    assert stored() == expected
    assert (
        list(ReportRollup.objects.filter(organisation=world.umoja).values_list("pk", flat=True)) == umoja_rows
    )


def test_rebuild_of_an_unknown_organisation_is_a_command_error(world: World) -> None:
    with pytest.raises(CommandError, match="No organisation"):
        call_command("reports", "rebuild-rollups", "--org", "nobody", stderr=StringIO())


def figures(board: maps.Dashboard) -> tuple[object, ...]:
    return (
        board.over_time.labels,
        [(r.label, r.values) for r in board.over_time.rows],
        [(b.label, b.value) for b in board.channels.bars],
        board.totals,
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
    ],
)
def test_the_dashboard_reads_the_same_figures_from_the_rollup(world: World, params: str) -> None:
    build(world)
    rng = random.Random(params)
    for _step in range(25):
        random_step(rng, world)
    query = QueryDict(params)
    organisations = Organisation.objects.filter(pk__in=[world.umoja.pk, world.haki.pk])
    filters = maps.parse_filters(query, organisations)
    interval = query.get("interval", "month")
    cases = Case.objects.filter(organisation__in=organisations)
    counted = maps.dashboard(cases, filters, interval, TODAY)
    rolled = maps.dashboard(
        cases, filters, interval, TODAY, whole_organisations=[world.umoja.pk, world.haki.pk]
    )
    assert figures(rolled) == figures(counted)
    assert counted.over_time.total > 0 or "category" in params


def test_the_dashboard_view_uses_the_rollup_only_for_whole_organisations(world: World) -> None:
    data = build(world)
    # A rollup that disagrees with the reports shows which path each persona's dashboard took.
    ReportRollup.objects.filter(organisation=world.umoja).update(reports=100)
    coordinator = world.client_for(world.wanjiku).get("/dashboard/").context["board"]
    assert coordinator.over_time.total > 100
    chief = world.client_for(world.chief).get("/dashboard/").context["board"]
    assert chief.over_time.total == 1 == data.housing.reports.count()
