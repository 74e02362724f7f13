"""The SMS flow engine on its own: a fake `Services`, no database."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sauti.conversations import flows
from sauti.conversations.flows import Choice, Draft, PlaceOption, ReportStatus, State

COUNTIES = [Choice(n, f"County{n}") for n in range(1, 48)]
COUNTIES[46] = Choice(47, "Nairobi")
COUNTIES[41] = Choice(42, "Kisumu")
WARDS = {
    47: [
        Choice(1400 + n, name)
        for n, name in enumerate(
            [
                "Mabatini",
                "Mlango Kubwa",
                "Hospital",
                "Kiamaiko",
                "Ngei",
                "Huruma",
                "Kibera",
                "Laini Saba",
                "Makina",
                "Sarang'ombe",
                "Woodley",
                "Kileleshwa",
                "Kilimani",
                "Lavington",
                "Kangemi",
                "Mountain View",
                "Kitisuru",
                "Parklands",
                "Karura",
                "Kahawa West",
            ]
        )
    ]
}


class FakeServices:
    def __init__(self, draft: Draft | None = None, mine: dict[int, str] | None = None) -> None:
        self.draft = draft or Draft("sw", "water")
        self.mine = mine or {}

    def analyse(self, text: str) -> Draft:
        return self.draft

    def counties(self) -> Sequence[Choice]:
        return COUNTIES

    def wards(self, county_code: int) -> Sequence[Choice]:
        return WARDS.get(county_code, [])

    def find_counties(self, text: str) -> Sequence[Choice]:
        return [c for c in COUNTIES if c.name.casefold().startswith(text.strip().casefold()[:4])]

    def find_wards(self, county_code: int, text: str) -> Sequence[Choice]:
        t = text.strip().casefold()
        return [w for w in WARDS.get(county_code, []) if w.name.casefold().startswith(t[:3])]

    def find_place_options(self, text: str) -> Sequence[PlaceOption]:
        return []

    def report_status(self, number: int | None) -> ReportStatus | None:
        if number is None and self.mine:
            number = max(self.mine)
        return ReportStatus(f"R{number}", self.mine[number]) if number in self.mine else None


def submitted(step: flows.Step) -> State | None:
    found = [e.state for e in step.events if isinstance(e, flows.SubmitReport)]
    return found[0] if found else None


def test_a_message_naming_a_settlement_is_submitted_at_once() -> None:
    draft = Draft("sw", "water", 200, Choice(47, "Nairobi"), Choice(1446, "Mabatini"), "Mathare 4A")
    step = flows.advance(State(), "Maji yamekatwa Mathare 4A tangu jana, watu 200", FakeServices(draft))
    state = submitted(step)
    assert state is not None and not step.state.is_open
    assert (state.county_code, state.ward_code, state.place_text, state.people_affected) == (
        47,
        1446,
        "Mathare 4A",
        200,
    )


def test_it_asks_for_the_county_then_the_ward_then_a_landmark() -> None:
    services = FakeServices(Draft("en", "water"))
    step = flows.advance(State(), "No water for a week", services)
    assert step.state.step == "county" and "Which county?" in step.replies[0]
    assert "1. County1" in step.replies[0] and "98. More" in step.replies[0]
    step = flows.advance(step.state, "47", services)  # numbers run on across pages: 47 is not on page 1
    assert step.state.county_name == "Nairobi" and "Which ward in Nairobi?" in step.replies[0]
    step = flows.advance(step.state, "mabatin", services)
    assert step.state.ward_name == "Mabatini" and step.state.step == "landmark"
    assert "Where exactly in Mabatini?" in step.replies[0]
    step = flows.advance(step.state, "near the chief's camp", services)
    state = submitted(step)
    assert (
        state is not None
        and state.place_text == "near the chief's camp"
        and state.description == "No water for a week"
    )


def test_prompts_follow_the_senders_language(kiswahili: dict[str, str]) -> None:
    step = flows.advance(State(), "Hakuna maji wiki nzima", FakeServices(Draft("sw", "water")))
    assert step.replies[0].startswith("Asante.\nKaunti gani?")
    step = flows.advance(State(), "x", FakeServices(Draft("mixed", "water")), fallback_lang="en")
    assert "Which county?" in step.replies[0]


def test_every_county_page_fits_one_sms_and_paging_moves_both_ways() -> None:
    services = FakeServices(Draft("en", "water"))
    step = flows.advance(State(), "No water", services)
    seen = [step.replies[0]]
    for _ in range(10):
        step = flows.advance(step.state, "98", services)
        seen.append(step.replies[0])
    assert all(flows.fits_one_sms(s) for s in seen)
    assert "47. Nairobi" in seen[-1] and "98. More" not in seen[-1]
    step = flows.advance(step.state, "99", services)
    assert step.state.page == seen.index(seen[-1]) - 1 or "99. Back" in step.replies[0]


def test_numbers_out_of_range_and_unknown_names_ask_again() -> None:
    services = FakeServices(Draft("en", "water"))
    state = flows.advance(State(), "No water", services).state
    step = flows.advance(state, "480", services)
    assert step.state.step == "county" and step.replies[0].startswith("There is no number 480 on the list.")
    step = flows.advance(state, "Atlantis", services)
    assert step.replies[0].startswith("We did not find 'Atlantis'.")
    assert step.state.description == "No water"


def test_a_long_unmatched_reply_adds_to_the_description() -> None:
    services = FakeServices(Draft("en", "water"))
    state = flows.advance(State(), "No water", services).state
    step = flows.advance(state, "the pipes were cut by the contractor", services)
    assert step.state.description == "No water\nthe pipes were cut by the contractor"


def test_several_matches_are_offered_as_a_list() -> None:
    services = FakeServices(Draft("en", "water"))
    state = flows.advance(State(), "No water", services).state
    state = flows.advance(state, "Nairobi", services).state
    step = flows.advance(
        state, "Ki", services
    )  # Kiamaiko, Kibera, Kileleshwa, Kilimani, Kitisuru... "ki" prefix
    assert step.replies[0].startswith("Did you mean:")
    names = [m[1] for m in step.state.matches]
    step = flows.advance(step.state, "2", services)
    assert step.state.ward_name == names[1] and step.state.step == "landmark"


def test_zero_skips_what_the_sender_does_not_know() -> None:
    services = FakeServices(Draft("en", "water"))
    state = flows.advance(State(), "No water", services).state
    step = flows.advance(state, "0", services)
    assert step.state.step == "landmark" and "Where did it happen?" in step.replies[0]
    done = submitted(flows.advance(step.state, "0", services))
    assert done is not None and done.county_code is None and done.place_text == ""


def test_status_queries_answer_only_the_senders_reports(kiswahili: dict[str, str]) -> None:
    services = FakeServices(mine={12: "referred"})
    for text in ["STATUS 12", "status R12", "STATUS #R12", "status of report 12", "Status: r 12."]:
        step = flows.advance(State(), text, services)
        assert step.replies == ["Report R12: taken to the authorities. We are following up."], text
    for text in ["HALI 12", "hali R12", "Hali ya ripoti namba 12"]:
        step = flows.advance(State(), text, services)
        assert step.replies == ["Ripoti R12: imepelekwa kwa viongozi husika. Tunafuatilia."], text
    assert flows.advance(State(), "STATUS 13", services).replies == [
        "We found no report R13 sent from this number. Check the number."
    ]
    assert "R12" in flows.advance(State(), "hali", services).replies[0]
    assert flows.advance(State(), "Hali ni mbaya sana Mathare", services).state.step == "county"


def test_status_in_kiswahili(kiswahili: dict[str, str]) -> None:
    step = flows.advance(State(), "HALI R12", FakeServices(mine={12: "new"}))
    assert step.replies == ["Ripoti R12: imepokelewa, inasubiri kuangaliwa."]


def test_help_explains_and_repeats_the_open_question() -> None:
    services = FakeServices(Draft("en", "water"))
    assert "HALI" in flows.advance(State(lang="en"), "HELP", services).replies[0]
    state = flows.advance(State(), "No water", services).state
    step = flows.advance(state, "help", services)
    assert len(step.replies) == 2 and "Which county?" in step.replies[1] and step.state.step == "county"


def test_cancel_drops_the_draft() -> None:
    services = FakeServices(Draft("en", "water"))
    state = flows.advance(State(), "No water", services).state
    step = flows.advance(state, "CANCEL", services)
    assert not step.state.is_open and submitted(step) is None


def test_bad_input_never_crashes() -> None:
    services = FakeServices(Draft("en", "water"))
    assert "HALI" in flows.advance(State(), "", services).replies[0]
    assert "HALI" in flows.advance(State(), "   \n ", services).replies[0]
    long = flows.advance(State(), "maji " * 400, services)
    assert len(long.state.description) <= flows.MAX_INPUT
    emoji = flows.advance(State(), "No water 😡😡", services)
    state = flows.advance(emoji.state, "😡", services).state
    assert state.step == "county"


def test_state_round_trips_through_json_and_tolerates_garbage() -> None:
    services = FakeServices(Draft("en", "water"))
    state = flows.advance(State(), "No water", services).state
    assert State.from_json(json.loads(json.dumps(state.to_json()))) == state
    assert State.from_json({"step": "bogus", "lang": "fr", "unknown": 1}) == State()


def test_expiry_submits_what_is_known() -> None:
    services = FakeServices(Draft("en", "water", county=Choice(47, "Nairobi")))
    state = flows.advance(State(), "No water", services).state
    assert state.step == "ward"
    step = flows.expire(state)
    assert submitted(step) is not None and not step.state.is_open
    assert flows.expire(State()).events == []


def test_every_string_has_a_kiswahili_translation(kiswahili: dict[str, str]) -> None:
    import re

    from django.utils import translation

    from tests.conversations.conftest import SOURCES, msgids_in_source

    in_templates = {
        m.group(1)
        for path in SOURCES.rglob("*.html")
        for m in re.finditer(r'\{% translate "([^"]+)" %\}|_\("([^"]+)"\)', path.read_text(encoding="utf-8"))
        if m.group(1)
    } | {
        m.group(1)
        for path in SOURCES.rglob("*.html")
        for m in re.finditer(r'_\("([^"]+)"\)', path.read_text(encoding="utf-8"))
    }
    with translation.override("sw"):
        missing = {m for m in msgids_in_source() | in_templates if translation.gettext(m) == m}
    assert not missing - {"Sauti", "SMS", "USSD"}
    for msgid, sw in kiswahili.items():  # placeholders survive translation
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(re.findall(r"%\(\w+\)s", sw)), msgid


def test_opt_out_and_opt_in_words_are_left_to_the_transport() -> None:
    services = FakeServices(Draft("en", "water"))
    open_state = flows.advance(State(), "No water", services).state
    for text in ["STOP", "acha kutuma sms", "SIMAMA", "START"]:
        step = flows.advance(open_state, text, services)
        assert step.events == [] and step.state == open_state
