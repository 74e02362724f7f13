"""Report intake and the case lifecycle, through the actions every channel uses."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from django.utils import timezone

from sauti.monitoring.actions import (
    ReportError,
    ReportInput,
    TransitionError,
    do_split_report,
    do_submit_report,
    do_transition,
)
from sauti.monitoring.models import Case, CaseEvent, Category, Status
from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS
from tests.conftest import World

TODAY = timezone.localdate()


def submit(world: World, text: str, **extra: object) -> object:
    fields: dict[str, object] = {"description": text, "channel": "web", "occurred_on": TODAY, **extra}
    return do_submit_report(world.umoja, ReportInput(**fields))  # type: ignore[arg-type]


def test_every_new_organisation_gets_the_seeded_taxonomy(world: World) -> None:
    keys = set(Category.objects.filter(organisation=world.umoja, parent=None).values_list("key", flat=True))
    assert keys == set(TOP_LEVEL_KEYS)
    assert Category.objects.get(organisation=world.umoja, key="water").name_sw == "Maji"


def test_a_report_is_placed_from_what_the_reporter_wrote(world: World) -> None:
    report = submit(
        world, "Maji yamekatwa tangu jana", place_text="Kwa Reuben", category_keys=["water-disconnection"]
    )
    assert report.ward.code == 1408 and report.county.code == 47  # type: ignore[attr-defined]
    assert report.precision == "ward"  # type: ignore[attr-defined]
    assert report.case.status == Status.NEW  # type: ignore[attr-defined]


def test_reports_of_the_same_event_are_suggested_into_one_case_and_can_be_split(world: World) -> None:
    first = submit(
        world,
        "Water disconnected in Kwa Reuben, 200 families without water",
        place_text="Kwa Reuben",
        category_keys=["water"],
    )
    second = submit(
        world,
        "Kwa Reuben water cut since Monday, families without water",
        place_text="Kwa Reuben",
        category_keys=["water-disconnection"],
        occurred_on=TODAY - timedelta(days=1),
    )
    other = submit(
        world, "Police beat youths at Kwa Reuben", place_text="Kwa Reuben", category_keys=["security"]
    )
    assert second.case_id == first.case_id and not second.grouping_confirmed  # type: ignore[attr-defined]
    assert other.case_id != first.case_id  # type: ignore[attr-defined]
    assert Case.objects.get(pk=first.case_id).report_count == 2  # type: ignore[attr-defined]
    new_case = do_split_report(second, world.wanjiku, "different pipe")  # type: ignore[arg-type]
    assert new_case.pk != first.case_id and Case.objects.get(pk=first.case_id).report_count == 1  # type: ignore[attr-defined]


def test_the_lifecycle_records_who_when_and_why(world: World) -> None:
    case = submit(
        world, "Demolition of homes in Mathare", place_text="Mabatini", category_keys=["housing"]
    ).case  # type: ignore[attr-defined]
    do_transition(case, Status.TRIAGED, world.wanjiku)
    with pytest.raises(TransitionError):
        do_transition(case, Status.VERIFIED, world.wanjiku)  # no method
    do_transition(case, Status.VERIFIED, world.wanjiku, method="site_visit", reason="Visited on Tuesday")
    with pytest.raises(TransitionError):
        do_transition(case, Status.NEW, world.wanjiku)
    events = list(
        case.events.filter(kind=CaseEvent.Kind.STATUS).values_list(
            "from_status", "to_status", "actor__username"
        )
    )
    assert events == [("new", "triaged", "wanjiku"), ("triaged", "verified", "wanjiku")]
    event = case.events.last()
    with pytest.raises(ValueError, match="append-only"):
        event.save()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"occurred_on": TODAY + timedelta(days=2)}, "future"),
        ({"occurred_on": date(1950, 1, 1)}, "before 1963"),
        ({"lat": 51.5, "lon": -0.12}, "outside Kenya"),
        ({"lat": 95.0, "lon": 36.8}, "not valid"),
        ({"category_keys": ["aliens"]}, "Unknown category"),
    ],
)
def test_bad_reports_are_refused_with_a_reason_and_nothing_saved(
    world: World, extra: dict[str, object], message: str
) -> None:
    with pytest.raises(ReportError, match=message):
        submit(world, "Something happened", **extra)
    assert not Case.objects.exists()


def test_a_retried_submission_with_the_same_external_id_is_not_duplicated(world: World) -> None:
    a = submit(world, "Sewage flowing into houses", external_id="uuid:1234", channel="odk")
    b = submit(world, "Sewage flowing into houses", external_id="uuid:1234", channel="odk")
    assert a.pk == b.pk  # type: ignore[attr-defined]
    assert timezone.now()
