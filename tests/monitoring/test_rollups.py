"""The rollups (daily and monthly reports, cases per place): kept exact by every action, rebuilt by a
command. That the dashboard and the map read the same figures from them: tests/insights/test_rollup_reads.py."""

from __future__ import annotations

import random
from collections import Counter
from io import StringIO

import pytest

from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from sauti.monitoring import rollups
from sauti.monitoring.actions import (
    do_edit_case,
    do_move_report,
    do_split_report,
    do_transition,
)
from sauti.monitoring.models import (
    TRANSITIONS,
    Case,
    CaseRollup,
    Category,
    Report,
    ReportMonthRollup,
    ReportRollup,
    Status,
)
from sauti.people.models import Office
from sauti.places.models import Ward
from tests.conftest import World
from tests.insights.test_maps import GITHUNGURI, LAINI_SABA, MABATINI, PORT_REITZ, build, submit

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


def stored_months() -> Counter[rollups.Key]:
    return Counter(
        {
            (r.organisation_id, r.month, r.category, r.status, r.channel): r.reports
            for r in ReportMonthRollup.objects.all()
        }
    )


def stored_cases() -> dict[rollups.CaseKey, rollups.Sums]:
    return {
        (r.organisation_id, r.category, r.status, r.county, r.ward): (r.cases, r.reports, r.people)
        for r in CaseRollup.objects.all()
    }


def assert_exact() -> None:
    """Every rollup equals a recount from the reports and cases."""
    assert stored() == recount()
    assert stored_months() == rollups.by_month(recount())
    assert stored_cases() == rollups.tally_cases(Case.objects.all())


def random_step(rng: random.Random, world: World) -> None:
    org = rng.choice([world.umoja, world.umoja, world.haki])
    coordinator = world.wanjiku if org == world.umoja else world.bob
    cases = list(Case.objects.filter(organisation=org).order_by("pk"))
    step = rng.choice(
        ["submit", "submit", "transition", "transition", "split", "move", "merge", "category", "place"]
    )
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
    elif step == "merge":  # every report of one case moved into another, which leaves the first empty
        source, target = rng.choice(cases), rng.choice(cases)
        for report in Report.objects.filter(case=source).order_by("pk"):
            do_move_report(report, target, coordinator)
    elif step == "place":
        ward = Ward.objects.select_related("county").get(code=rng.choice(WARDS))
        do_edit_case(rng.choice(cases), coordinator, ward=ward, county=ward.county)
    else:
        categories = list(Category.objects.filter(organisation=org, parent=None).order_by("pk"))
        do_edit_case(rng.choice(cases), coordinator, category=rng.choice([None, *categories]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_rollup_equals_a_recount_after_any_sequence_of_actions(world: World, seed: int) -> None:
    build(world)
    rng = random.Random(seed)
    for _step in range(30):
        random_step(rng, world)
        assert_exact()
    assert not ReportRollup.objects.filter(reports__lte=0).exists()
    assert not ReportMonthRollup.objects.filter(reports__lte=0).exists()
    assert not CaseRollup.objects.filter(cases__lte=0).exists()
    assert sum(stored().values()) == Report.objects.exclude(case=None).count()
    assert sum(n for n, _r, _p in stored_cases().values()) == Case.objects.count()


def test_a_status_change_moves_the_case_in_the_case_rollup(world: World) -> None:
    data = build(world)
    water = data.water
    key = (world.umoja.pk, water.category_id or 0, "new", water.county_id or 0, water.ward_id or 0)
    before = stored_cases()[key]
    do_transition(data.water, Status.TRIAGED, world.wanjiku)
    after = stored_cases()
    people = data.water.people_affected or 0
    assert after.get(key, (0, 0, 0)) == (before[0] - 1, before[1] - 2, before[2] - people)
    assert after[(key[0], key[1], "triaged", key[3], key[4])] == (1, 2, people)
    assert_exact()


def test_a_failed_action_leaves_the_rollup_alone(world: World) -> None:
    data = build(world)
    before = stored()
    with pytest.raises(ValueError):
        do_transition(data.water, Status.RESOLVED, world.wanjiku)
    assert stored() == before


def test_rebuild_recounts_from_scratch(world: World) -> None:
    build(world)
    expected = stored(), stored_months(), stored_cases()
    ReportRollup.objects.all().delete()
    ReportRollup.objects.create(organisation=world.umoja, day=TODAY, category=0, status="new", channel="web")
    ReportMonthRollup.objects.all().update(reports=7)
    CaseRollup.objects.all().delete()
    CaseRollup.objects.create(organisation=world.umoja, category=0, status="new", county=0, ward=0, cases=3)
    err = StringIO()
    call_command("reports", "rebuild-rollups", stderr=err)
    assert (stored(), stored_months(), stored_cases()) == expected
    assert_exact()
    assert "report ids counted" in err.getvalue() and "rollup rows written" in err.getvalue()


def test_rebuild_of_one_organisation_leaves_the_others(world: World) -> None:
    build(world)
    expected = stored()
    ReportRollup.objects.filter(organisation=world.haki).delete()
    CaseRollup.objects.filter(organisation=world.haki).delete()
    umoja_rows = list(ReportRollup.objects.filter(organisation=world.umoja).values_list("pk", flat=True))
    call_command("reports", "rebuild-rollups", "--org", "haki", stderr=StringIO())
    assert stored() == expected
    assert_exact()
    assert (
        list(ReportRollup.objects.filter(organisation=world.umoja).values_list("pk", flat=True)) == umoja_rows
    )


def test_rebuild_of_an_unknown_organisation_is_a_command_error(world: World) -> None:
    with pytest.raises(CommandError, match="No organisation"):
        call_command("reports", "rebuild-rollups", "--org", "nobody", stderr=StringIO())
