"""A place the intake already resolved (`KnownPlace`, from an SMS or USSD conversation) places the report as
given: the words are not looked up again."""

from __future__ import annotations

from typing import NoReturn

import pytest

from sauti.monitoring import actions
from sauti.monitoring.actions import KnownPlace, ReportInput, do_submit_report
from sauti.monitoring.models import Report
from sauti.places.models import Settlement, Ward
from tests.conftest import World


@pytest.fixture
def no_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    def looked_up(*_args: object, **_kwargs: object) -> NoReturn:
        raise AssertionError("the place was resolved again from text")

    for name in ("place_resolution", "resolve_place", "find_places"):
        monkeypatch.setattr(actions, name, looked_up)


def submit(world: World, place_text: str, place: KnownPlace) -> Report:
    return do_submit_report(
        world.umoja,
        ReportInput(description="Maji yamekatwa", channel="sms", place_text=place_text, place=place),
    )


def test_a_known_ward_places_the_report_whatever_the_words(world: World, no_lookup: None) -> None:
    ward = Ward.objects.select_related("county", "constituency").get(code=713)  # Huruma, Uasin Gishu
    report = submit(world, "Huruma", KnownPlace(county_code=ward.county.code, ward_code=ward.code))
    assert (report.county, report.constituency, report.ward, report.settlement) == (
        ward.county,
        ward.constituency,
        ward,
        None,
    )
    assert report.precision == "ward" and report.place_text == "Huruma"
    assert (report.lat, report.lon) == (ward.lat, ward.lon)


def test_a_known_settlement_is_the_most_precise_place(world: World, no_lookup: None) -> None:
    s = Settlement.objects.select_related("county", "ward__constituency").filter(ward__isnull=False).first()
    assert s is not None and s.ward is not None
    report = submit(world, s.name, KnownPlace(s.county.code, None, s.ward.code, s.pk))
    assert (report.settlement, report.ward, report.county) == (s, s.ward, s.county)
    assert report.constituency == (s.constituency or s.ward.constituency)
    assert report.precision == "settlement"


def test_a_settlement_without_a_ward_keeps_the_ward_given_with_it(world: World, no_lookup: None) -> None:
    s = (
        Settlement.objects.select_related("county", "constituency")
        .filter(ward__isnull=True, constituency__isnull=False)
        .first()
    )
    assert s is not None and s.constituency is not None
    ward = s.constituency.wards.order_by("code").first()
    assert ward is not None
    report = submit(world, s.name, KnownPlace(s.county.code, None, ward.code, s.pk))
    assert (report.settlement, report.ward, report.constituency) == (s, ward, s.constituency)
    elsewhere = Ward.objects.exclude(county=s.county).order_by("code").first()
    assert elsewhere is not None
    report = submit(world, s.name, KnownPlace(s.county.code, None, elsewhere.code, s.pk))
    assert report.settlement == s and report.ward is None  # a ward elsewhere is not the settlement's


def test_a_known_county_alone_places_the_report_in_the_county(world: World, no_lookup: None) -> None:
    report = submit(world, "Nairobi", KnownPlace(county_code=47))
    assert report.county is not None and report.county.code == 47
    assert report.ward is None and report.precision == "county"


def test_without_a_known_place_the_words_are_resolved_as_before(world: World) -> None:
    report = do_submit_report(
        world.umoja, ReportInput(description="Maji yamekatwa", channel="sms", place_text="Kwa Reuben")
    )
    assert report.ward is not None and report.ward.code == 1408 and report.precision == "ward"
