"""The USSD menu through `actions.do_handle_ussd` (Africa's Talking semantics), and every screen's length."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Callable, Sequence
from datetime import timedelta
from itertools import count
from typing import Any

import pytest

from django.utils import timezone

from sauti.conversations import ussd
from sauti.conversations.actions import do_handle_ussd
from sauti.conversations.flows import Choice
from sauti.conversations.models import UssdSession
from sauti.conversations.services import OrgServices, counties, wards
from sauti.messaging.segments import measure
from sauti.monitoring.models import Report
from sauti.people.actions import find_contact
from sauti.people.models import Consent, Contact, Organisation
from tests.conftest import World

PHONE = "+254711000333"
SW_PHONE = "+254711000555"
_sessions = count(1)


@pytest.fixture(autouse=True)
def english_speakers(world: World) -> None:
    """The phones these tests dial from belong to English-speaking contacts, except SW_PHONE."""
    for phone in (PHONE, "+254711000444", "+254711000999"):
        contact = Contact(organisation=world.umoja, language="en")
        contact.phone = phone
        contact.save()


class Dial:
    """One USSD session: each `send` appends an input to `text` the way the gateway does."""

    def __init__(self, org: Organisation, phone: str = PHONE) -> None:
        self.org, self.phone = org, phone
        self.session_id = f"ATUid_{next(_sessions)}"
        self.inputs: list[str] = []

    def start(self) -> str:
        return self._post("")

    def send(self, entry: str) -> str:
        self.inputs.append(entry)
        return self._post("*".join(self.inputs))

    def _post(self, text: str) -> str:
        return do_handle_ussd(
            organisation=self.org,
            session_id=self.session_id,
            phone=self.phone,
            service_code="*384*1234#",
            text=text,
        )


def report_journey(dial: Dial, description: str = "Maji hayatoki wiki nzima") -> str:
    dial.start()
    dial.send("1")  # report
    dial.send("2")  # water
    dial.send("Nairobi")
    dial.send("Mabatini")
    dial.send(description)
    return dial.send("1")


def test_a_report_in_english_ends_with_its_reference(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dial = Dial(world.umoja, SW_PHONE)
    dial.start()
    assert dial.send("4").startswith("CON Lugha / Language")
    with django_capture_on_commit_callbacks(execute=True):
        assert dial.send("1") == "END Language set: English."
    assert find_contact(world.umoja, SW_PHONE).language == "en"  # type: ignore[union-attr]
    dial = Dial(world.umoja)
    assert dial.start().startswith("CON Sauti: report to your group\n1. Report a problem")
    assert dial.send("1").startswith("CON Choose the problem:\n1. Housing, evictions")
    assert dial.send("2").startswith("CON County? Choose or type the name:\n1. Mombasa")
    assert dial.send("nairob").startswith("CON Ward? Choose or type the name:")
    assert dial.send("Mabatini") == "CON Say briefly what happened:\n0. Back"
    assert dial.send("No water for a week").startswith(
        "CON Water, Mabatini, Nairobi\n'No water for a week'\n1. Send"
    )
    end = dial.send("1")
    report = Report.objects.get()
    assert end == f"END Thank you. Your report is {report.reference}. To check it, dial again and choose 2."
    assert (report.channel, report.external_id, report.ward.code if report.ward else None) == (
        "ussd",
        f"ussd:{dial.session_id}",
        1446,
    )
    assert [c.key for c in report.categories.all()] == ["water"] and report.language == "en"
    contact = find_contact(world.umoja, PHONE)
    assert contact is not None and report.reporter == contact
    assert Consent.objects.filter(contact=contact, purpose="reporting", granted=True, method="ussd").exists()


def test_a_report_in_kiswahili(world: World, kiswahili: dict[str, str]) -> None:
    dial = Dial(world.umoja, SW_PHONE)
    assert dial.start().startswith("CON Sauti: ripoti kwa kikundi chako\n1. Ripoti tatizo")
    end = report_journey(Dial(world.umoja, SW_PHONE))
    assert (
        end
        == f"END Asante. Ripoti yako ni {Report.objects.get().reference}. Kuifuatilia, piga tena uchague 2."
    )


def test_a_star_typed_in_the_description_stays_in_it(world: World) -> None:
    report_journey(Dial(world.umoja), "bomba*imevunjika *2 siku")
    assert Report.objects.get().description == "bomba*imevunjika *2 siku"


def test_a_repeated_request_shows_the_same_screen_and_submits_once(world: World) -> None:
    dial = Dial(world.umoja)
    end = report_journey(dial)
    assert dial._post("*".join(dial.inputs)) == end
    assert Report.objects.count() == 1
    assert dial._post("*".join([*dial.inputs, "1"])) == end  # the session is over


def test_back_home_and_paging(world: World) -> None:
    dial = Dial(world.umoja)
    dial.start()
    dial.send("1")
    first = dial.send("2")
    second = dial.send("98")
    assert "1. Mombasa" in first and "1. Mombasa" not in second and "99. Previous" in second
    assert dial.send("99") == first
    assert dial.send("0").startswith("CON Choose the problem:")
    assert dial.send("00").startswith("CON Sauti:")
    dial.send("1")
    dial.send("2")
    dial.send("47")
    wards_page = dial.send("98")
    assert "99. Previous" in wards_page
    assert dial.send("0") == first


def test_typed_names_offer_matches_and_unknown_names_ask_again(world: World) -> None:
    dial = Dial(world.umoja)
    dial.start()
    dial.send("1")
    dial.send("2")
    assert dial.send("Atlantis").startswith("CON Not found: Atlantis\nCounty?")
    dial.send("47")
    matches = dial.send("Kibera")  # spans several wards
    assert matches.startswith("CON Did you mean:\n1. ")
    assert dial.send("1").startswith("CON Say briefly")


def test_numbers_out_of_range_and_empty_inputs_ask_again(world: World) -> None:
    dial = Dial(world.umoja)
    dial.start()
    # On the main menu the note takes the title's place (the menu stays one screen with other apps' items).
    assert dial.send("9").startswith("CON Choose a number from the list.\n1. Report a problem")
    dial.send("1")
    assert dial.send("13").startswith("CON Choose a number from the list.\nChoose the problem:")
    dial.send("1")
    assert dial.send("48").startswith("CON Choose a number from the list.")
    dial.send("47")
    assert dial.send("999").startswith("CON Choose a number from the list.")
    dial.send("1")
    assert dial.send("").startswith("CON Please write a few words.")
    confirm = dial.send("💧💧💧 hakuna maji " + "x" * 1000)
    assert confirm.startswith("CON ") and len(confirm) <= 164 and "💧" not in confirm
    assert Report.objects.count() == 0
    dial.send("1")
    assert Report.objects.get().description.startswith("💧💧💧 hakuna maji xxx")


def test_status_of_own_report_only(world: World) -> None:
    report_journey(Dial(world.umoja))
    ref = Report.objects.get().reference
    dial = Dial(world.umoja)
    dial.start()
    dial.send("2")
    assert dial.send("abc").startswith("CON That is not a report number.")
    assert dial.send(ref) == f"END Report {ref}: received, waiting to be reviewed."
    other = Dial(world.umoja, phone="+254711000444")
    other.start()
    other.send("2")
    assert other.send(ref) == f"END We found no report {ref} sent from this number. Check the number."
    unknown = Dial(world.umoja)
    unknown.start()
    unknown.send("2")
    assert unknown.send("R99999").startswith("END We found no report R99999")


def test_consent_and_language_are_queued_and_recorded(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    dial = Dial(world.umoja)
    dial.start()
    dial.send("3")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert dial.send("2") == "END Your consent is withdrawn. We will not use your reports or SMS you."
    assert len(callbacks) == 1
    contact = find_contact(world.umoja, PHONE)
    assert contact is not None
    assert set(Consent.objects.filter(contact=contact).values_list("purpose", "granted", "method")) == {
        ("reporting", False, "ussd"),
        ("messaging", False, "ussd"),
    }
    dial = Dial(world.umoja)
    dial.start()
    dial.send("4")
    with django_capture_on_commit_callbacks(execute=True):
        assert dial.send("2") == "END Lugha imewekwa: Kiswahili."
    contact.refresh_from_db()
    assert contact.language == "sw"


def test_unknown_or_expired_sessions_end_politely(world: World) -> None:
    dial = Dial(world.umoja)
    assert dial.send("1") == "END Your session has ended. Please dial again."  # never started
    dial = Dial(world.umoja)
    dial.start()
    UssdSession.objects.update(updated_at=timezone.now() - timedelta(minutes=10))
    assert dial.send("1").startswith("END ")
    dial = Dial(world.umoja)
    dial.start()
    thief = Dial(world.umoja, phone="+254711000999")
    thief.session_id = dial.session_id
    assert thief.send("1").startswith("END ")
    assert Report.objects.count() == 0


class CachedServices(OrgServices):
    """Name searches repeat across the walk; inside a test transaction each one re-checks the place
    index's freshness, which is what makes them slow here (not in production)."""

    @functools.cache  # noqa: B019 (one instance per test)
    def find_counties(self, text: str) -> Sequence[Choice]:
        return super().find_counties(text)

    @functools.cache  # noqa: B019
    def find_wards(self, county_code: int, text: str) -> Sequence[Choice]:
        return super().find_wards(county_code, text)


def _inputs(state: ussd.UssdState) -> list[str]:
    menu = state.menu
    if menu == "main":
        return ["1", "2", "3", "4", "9"]
    if menu == "category":
        return [*(str(n) for n in range(1, 13)), "98", "99", "13", "x"]
    if menu == "county":
        if state.matches:
            return ["1", "9"]
        return [*(str(n) for n in range(1, 48)), "98", "99", "Atlantis-with-a-very-long-name", "Kibera"]
    if menu == "ward":
        if state.matches:
            return [str(n) for n in range(1, len(state.matches) + 1)]
        n = len(wards(state.county_code or 0))
        longest = max(range(n), key=lambda i: len(wards(state.county_code or 0)[i].name)) + 1
        return ["98", "99", "999", "Mathare", str(longest)]
    if menu == "description":
        return ["ab", "x" * 400 + " 💧"]
    if menu in ("status", "consent", "language", "confirm"):
        return ["7", "abc", "2", "R1"]
    return []


@pytest.mark.parametrize("lang", ["en", "sw"])
def test_every_screen_fits_160_gsm7_characters(world: World, kiswahili: dict[str, str], lang: str) -> None:
    services = CachedServices(world.umoja, None)
    start = ussd.advance(ussd.UssdState(lang=lang), "", services)
    queue: deque[ussd.Screen] = deque([start])
    seen: set[str] = set()
    checked = 0
    while queue:
        screen = queue.popleft()
        m = measure(screen.body, normalise=False)
        assert screen.body and m.encoding == "GSM-7" and m.units <= 160, (m.units, screen.body)
        checked += 1
        if screen.end:
            continue
        for entry in _inputs(screen.state):
            state = ussd.UssdState.from_json(screen.state.to_json())
            nxt = ussd.advance(state, f"{state.consumed}*{entry}" if state.consumed else entry, services)
            if nxt.events:  # submitting needs the database; its END screen is checked below
                continue
            key = repr({k: v for k, v in nxt.state.to_json().items() if k not in ("consumed",)})
            if key not in seen:
                seen.add(key)
                queue.append(nxt)
    assert checked > 500  # every county's ward pages, both ends of every list, every error note
    for body in [ussd.submitted(lang, "R1234567"), _expired(lang)]:
        m = measure(body, normalise=False)
        assert m.encoding == "GSM-7" and m.units <= 160, body
    assert len(counties()) == 47


def _expired(lang: str) -> str:
    from sauti.conversations.actions import _ussd_expired

    return _ussd_expired(lang).removeprefix("END ")


def test_input_history_is_split_robustly() -> None:
    new: Callable[[str, str], str | None] = ussd.new_input
    assert new("", "1") == "1"
    assert new("1*2", "1*2*pipe*burst") == "pipe*burst"
    assert new("1*2", "1*2") is None
    assert new("1*2", "5*6") == "6"
    assert new("1", "1*") == ""


def test_a_raced_first_hop_still_gets_the_first_screen(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from sauti.core.crypto import lookup_hash

    real = ussd.advance

    def racing(state: ussd.UssdState, text: str, services: Any) -> ussd.Screen:
        # the gateway's retry of the same first hop saves the session while this request is working
        UssdSession.objects.create(
            organisation=world.umoja, session_id="ATUid_race", phone_hash=lookup_hash(PHONE)
        )
        return real(state, text, services)

    monkeypatch.setattr(ussd, "advance", racing)
    body = do_handle_ussd(
        organisation=world.umoja, session_id="ATUid_race", phone=PHONE, service_code="*1#", text=""
    )
    assert body.startswith("CON Sauti: report to your group")
    assert UssdSession.objects.filter(session_id="ATUid_race").count() == 1


def test_apps_above_add_main_menu_items_but_not_on_taken_keys(world: World) -> None:
    """budgets registers "6" in its AppConfig.ready(); the keys of the menu itself stay taken."""
    item = ussd.menu_item("6")
    assert item is not None
    # 7: conversations' own; 8: trust's
    assert ussd.main_screen("en").endswith("\n6. Project status\n7. Answer\n8. Trust survey")
    assert ussd.main_screen("sw").endswith("\n6. Hali ya mradi\n7. Jibu\n8. Utafiti wa imani")
    assert max(len(ussd.main_screen(lang, "Choose a number from the list.")) for lang in ("en", "sw")) <= 160

    class Clash:
        key = ussd.SURVEYS

        def label(self) -> str:
            return "x"

        def step(self, *args: Any, **kwargs: Any) -> ussd.MenuStep:
            return ussd.MenuStep("x")

    with pytest.raises(ValueError, match="taken"):
        ussd.register_menu_item(Clash())
    assert ussd.menu_item(ussd.SURVEYS) is None

    class SecondSeven(Clash):
        key = "7"

    # Seen when two apps both chose "7": the second one vanished from the menu without a word.
    with pytest.raises(ValueError, match="taken by AnswerItem"):
        ussd.register_menu_item(SecondSeven())
    assert type(ussd.menu_item("7")).__name__ == "AnswerItem"
