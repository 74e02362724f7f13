"""SMS and USSD ask which place was meant when a name stays ambiguous for the organisation (issue 16)."""

from __future__ import annotations

from itertools import count
from typing import NoReturn

import pytest

from django.utils import timezone

from sauti.conversations import actions as conversation_actions
from sauti.conversations.actions import do_handle_sms, do_handle_ussd
from sauti.monitoring import actions as monitoring_actions
from sauti.monitoring.models import Report
from sauti.people.models import Organisation
from sauti.places.models import County, Ward
from tests.conftest import World

PHONE = "+254711000777"
_ids = count(9000)


def sms(org: Organisation, text: str) -> list[str]:
    return do_handle_sms(
        organisation=org, phone=PHONE, text=text, received_at=timezone.now(), inbound_id=next(_ids)
    )


def working_in(org: Organisation, county: int) -> Organisation:
    org.county = County.objects.get(code=county)
    org.save()
    return org


@pytest.mark.django_db
def test_sms_from_a_nairobi_organisation_goes_to_nairobis_huruma_without_asking(world: World) -> None:
    org = working_in(world.haki, 47)
    replies = sms(org, "Maji yamekatwa Huruma tangu jana")
    assert "Huruma, Turbo" not in " ".join(replies)
    assert "Huruma, Mathare" not in " ".join(replies)
    # The ward is known: the flow asks only for the landmark, then submits.
    sms(org, "karibu na soko")
    report = Report.objects.get()
    assert report.ward is not None and report.ward.code == 1447


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("Maji yamekatwa Huruma tangu jana", "Mahali kadhaa"),
        ("No water in Huruma since yesterday", "Several places"),
    ],
)
def test_sms_asks_which_huruma_in_the_senders_language(world: World, text: str, question: str) -> None:
    org = working_in(world.umoja, 22)  # Kiambu: both Hurumas are outside its area
    replies = sms(org, text)
    assert question in replies[0], replies
    lines = replies[0].splitlines()
    numbered = [line for line in lines if line[:2] in ("1.", "2.")]
    assert len(numbered) == 2 and any("Nairobi" in line for line in numbered)
    assert any("Uasin Gishu" in line for line in numbered)
    assert not Report.objects.exists()
    pick = next(line for line in numbered if "Uasin Gishu" in line)[0]
    replies = sms(org, pick)
    sms(org, "0")  # no landmark
    report = Report.objects.get()
    assert report.ward is not None and report.ward.code == 713


@pytest.mark.django_db
def test_ussd_asks_which_place_when_a_typed_name_is_ambiguous(world: World) -> None:
    org = working_in(world.umoja, 22)
    inputs: list[str] = []

    def send(entry: str | None) -> str:
        if entry is not None:
            inputs.append(entry)
        return do_handle_ussd(
            organisation=org,
            session_id="ATUid_place",
            phone=PHONE,
            service_code="*384*1#",
            text="*".join(inputs),
        )

    send(None)
    send("1")  # report
    send("2")  # water
    screen = send("Huruma")
    assert screen.startswith("CON") and "Nairobi" in screen and "Uasin Gishu" in screen
    number = next(line for line in screen.splitlines() if "Nairobi" in line)[0]
    screen = send(number)
    send("Maji hayatoki wiki nzima")
    send("1")
    report = Report.objects.get()
    assert report.ward is not None and report.ward.code == 1447 and report.channel == "ussd"
    assert report.category_source == "reporter"  # picked from the menu


def _no_second_lookup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any lookup of the place from text while the report is made fails the test."""

    def looked_up(*_args: object, **_kwargs: object) -> NoReturn:
        raise AssertionError("the place was resolved again from text")

    for module, name in (
        (monitoring_actions, "place_resolution"),
        (monitoring_actions, "resolve_place"),
        (monitoring_actions, "find_places"),
        (conversation_actions, "find_places"),
    ):
        monkeypatch.setattr(module, name, looked_up)


@pytest.mark.django_db
def test_the_huruma_the_sender_chose_is_the_reports_ward_without_a_second_lookup(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = working_in(world.umoja, 22)  # Kiambu: both Hurumas are outside its area
    # The words alone stay ambiguous for this organisation: placed from them, the report would get no ward.
    assert monitoring_actions.place_resolution("Huruma", org.operating_area()).ambiguous
    replies = sms(org, "Maji yamekatwa Huruma tangu jana")
    pick = next(line for line in replies[0].splitlines() if "Uasin Gishu" in line)[0]
    sms(org, pick)
    _no_second_lookup(monkeypatch)
    sms(org, "0")  # no landmark: submitted
    report = Report.objects.get()
    ward = Ward.objects.select_related("county", "constituency").get(code=713)
    assert (report.ward, report.constituency, report.county) == (ward, ward.constituency, ward.county)
    assert report.precision == "ward" and report.place_text == "Huruma"
    assert (report.lat, report.lon) == (ward.lat, ward.lon)


@pytest.mark.django_db
def test_a_settlement_read_in_the_message_is_the_reports_place_without_a_second_lookup(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = working_in(world.haki, 47)
    _no_second_lookup(monkeypatch)
    sms(org, "Maji yamekatwa Mathare 4A tangu jana")
    report = Report.objects.get()
    assert report.settlement is not None and report.settlement.name == "Mathare 4A"
    assert report.precision == "settlement" and report.county is not None and report.county.code == 47


@pytest.mark.django_db
def test_the_ward_chosen_stays_when_the_landmark_names_only_the_county(world: World) -> None:
    org = working_in(world.haki, 47)
    sms(org, "Maji yamekatwa tangu jana, watu wengi hawana maji")
    sms(org, "Nairobi")
    sms(org, "Mabatini")
    sms(org, "Nairobi")  # "where exactly?": a name less precise than the ward chosen
    report = Report.objects.get()
    assert report.ward is not None and report.ward.code == 1446 and report.precision == "ward"
    assert "Nairobi" in report.description


@pytest.mark.django_db
def test_ussd_lists_the_places_a_settlement_name_means_not_their_wards(world: World) -> None:
    """USSD 1 → 2 → (the ward menu of Nairobi, the organisation's only county) "Mashimoni": Kibera's and
    Mathare's Mashimoni by name, as the SMS flow lists them, not "Lindi / Hospital / Pumwani"."""
    org = working_in(world.umoja, 47)
    inputs: list[str] = []

    def send(entry: str | None) -> str:
        if entry is not None:
            inputs.append(entry)
        return do_handle_ussd(
            organisation=org, session_id="ATUid_mash", phone=PHONE, service_code="*384*1#",
            text="*".join(inputs),
        )  # fmt: skip

    send(None)
    send("1")  # report
    send("2")  # water: the ward menu of Nairobi (a one-county organisation is not asked the county)
    screen = send("Mashimoni")
    assert screen.startswith("CON") and len(screen) <= 164, screen
    numbered = [line for line in screen.splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(numbered) == 2 and all(line[3:].startswith("Mashimoni") for line in numbered), screen
    assert any("Kibera" in line for line in numbered) and any("Mathare" in line for line in numbered)
    pick = next(line for line in numbered if "Mathare" in line)[0]
    send(pick)
    send("Maji hayatoki wiki nzima")
    send("1")
    report = Report.objects.get()
    assert report.settlement is not None and report.settlement.name == "Mashimoni"
    assert report.settlement.parent is not None and report.settlement.parent.name == "Mathare"
    assert report.ward is not None and report.ward.county.code == 47
