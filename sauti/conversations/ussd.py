"""The USSD menu, pure: `advance(state, text, services) -> Screen(state, body, end, events)`.

Africa's Talking sends `text` as every input of the session joined with `*`. The menu position is kept
server-side (`UssdState.consumed` is the `text` already answered), so the new input is whatever follows
`consumed + "*"`; a `*` the user typed inside a description stays part of that one input. A repeated
request (same `text`) shows the same screen again without acting twice.

Keys on every list: 98 more, 99 previous page, 0 back, 00 home. Every screen is at most 160 GSM-7
characters in both languages (tests walk every menu).

Apps above this one add a top-level item with `register_menu_item` in their AppConfig.ready() (budgets'
"Project status"): the main menu lists it, and `actions.do_handle_ussd` hands it every hop from its number
on, until it ends the session or sends the caller home.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal, Protocol

from django.utils import translation
from django.utils.translation import gettext as _

from sauti.conversations.flows import (
    CATEGORY_LABELS,
    MORE,
    PREVIOUS,
    SCREEN,
    Choice,
    ReportStatus,
    Services,
    option_row,
    option_settlement,
    page_screen,
    parse_reference,
    status_text,
)
from sauti.messaging.segments import GSM7_BASIC

if TYPE_CHECKING:
    from sauti.people.models import Organisation

__all__ = [
    "CATEGORY_LABELS",
    "MenuItem",
    "MenuStep",
    "Screen",
    "UssdState",
    "advance",
    "main_screen",
    "menu_item",
    "new_input",
    "register_menu_item",
    "submitted",
]

BACK: Final = "0"
HOME: Final = "00"
MAX_DESCRIPTION: Final = 300

Menu = Literal[
    "main", "category", "county", "place", "ward", "description", "confirm", "status", "consent", "language"
]
PARENT: Final[dict[str, str]] = {
    "category": "main",
    "county": "category",
    "place": "county",
    "ward": "county",
    "description": "ward",
    "confirm": "description",
    "status": "main",
    "consent": "main",
    "language": "main",
}


@dataclass
class UssdState:
    menu: str = "main"
    lang: str = "sw"
    consumed: str = ""
    body: str = ""  # the last screen shown, for repeated requests
    end: bool = False
    page: int = 0
    matches: list[list[Any]] = field(default_factory=list)
    category: str = ""
    county_code: int | None = None
    county_name: str = ""
    ward_code: int | None = None
    ward_name: str = ""
    place_text: str = ""  # a settlement chosen from `options`
    settlement_id: int | None = None  # that settlement in the gazetteer
    # Places a typed name may mean ("Huruma"): [[label, county code, county name, ward code, ward name,
    # settlement, settlement id], ...] (rows of 6 before the id was kept), offered in menu "place".
    options: list[list[Any]] = field(default_factory=list)
    description: str = ""
    reference: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> UssdState:
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in (data or {}).items() if k in known})
        if state.menu not in ("main", *PARENT):
            state.menu = "main"
        if state.lang not in ("en", "sw"):
            state.lang = "sw"
        return state


@dataclass(frozen=True, slots=True)
class SubmitReport:
    state: UssdState


@dataclass(frozen=True, slots=True)
class RecordConsent:
    granted: bool


@dataclass(frozen=True, slots=True)
class SetLanguage:
    lang: str


Event = SubmitReport | RecordConsent | SetLanguage


@dataclass(frozen=True, slots=True)
class Screen:
    state: UssdState
    body: str
    end: bool
    events: list[Event] = field(default_factory=list)

    @property
    def response(self) -> str:
        return ("END " if self.end else "CON ") + self.body


SURVEYS = "5"  # answered by questionnaires.phone (short forms), routed in conversations.actions


@dataclass(frozen=True, slots=True)
class MenuStep:
    """What a registered menu item answers to one hop."""

    body: str
    end: bool = False
    data: dict[str, Any] = field(default_factory=dict)  # the item's own state, kept for its next hop
    home: bool = False  # back to the main menu (the body is then ignored)


class MenuItem(Protocol):
    """A top-level USSD menu item of an app above conversations."""

    key: str  # its number in the main menu ("6"); 1-5 are taken

    def label(self) -> str:
        """Its main-menu label, short, in the active language."""

    def step(
        self,
        organisation: Organisation,
        *,
        phone: str,
        session_id: str,
        entry: str | None,
        lang: str,
        data: dict[str, Any],
        now: datetime,
    ) -> MenuStep:
        """One hop, run in `lang`: `entry` None for the item's first screen, else what the caller typed."""


_MENU_ITEMS: list[MenuItem] = []
_RESERVED: Final = frozenset({"1", "2", "3", "4", SURVEYS, BACK, HOME})


def register_menu_item(item: MenuItem) -> None:
    if item.key in _RESERVED:
        raise ValueError(f"USSD menu key {item.key!r} is taken by the main menu")
    taken = menu_item(item.key)
    if taken is None:
        _MENU_ITEMS.append(item)
    elif type(taken) is not type(item):
        # Two apps claiming one key would hide one of them from every caller.
        raise ValueError(f"USSD menu key {item.key!r} is taken by {type(taken).__name__}")


def menu_item(key: str) -> MenuItem | None:
    return next((item for item in _MENU_ITEMS if item.key == key), None)


def new_input(consumed: str, text: str) -> str | None:
    """The input this request adds to the session (None: a repeat of the last request)."""
    if text == consumed:
        return None
    if not consumed:
        return text
    if text.startswith(consumed + "*"):
        return text[len(consumed) + 1 :]
    return text.rsplit("*", 1)[-1]  # history out of step (a gateway restart): trust the last input


def _gsm_only(text: str) -> str:
    return "".join(ch for ch in text if ch in GSM7_BASIC and ch not in "\n\r")


# Screens ------------------------------------------------------------------------------------------------


def _main(note: str = "") -> str:
    """The main menu; a note (an error) takes the title's place, so the screen stays one screen with the
    items other apps register."""
    return "\n".join(
        [
            note or _("Sauti: report to your group"),
            "1. " + _("Report a problem"),
            "2. " + _("Check a report"),
            "3. " + _("My consent"),
            "4. Language / Lugha",
            f"{SURVEYS}. " + _("Surveys"),
            *(f"{item.key}. {item.label()}" for item in sorted(_MENU_ITEMS, key=lambda i: i.key)),
        ]
    )


def main_screen(lang: str, note: str = "") -> str:
    with translation.override(lang):
        return _main(note)


def _back() -> str:
    label = _("Back")
    return f"{BACK}. {label}"


def _list(state: UssdState, header: str, names: Sequence[str], note: str) -> str:
    if note:
        header = f"{note}\n{header}"
    body, state.page = page_screen(header, names, state.page, _back())
    return body


def _screen(state: UssdState, services: Services, note: str = "") -> str:
    menu = state.menu
    if menu == "main":
        return _main(note)
    if menu == "category":
        return _list(state, _("Choose the problem:"), [_(label) for _k, label in CATEGORY_LABELS], note)
    if state.matches and menu in ("county", "ward"):
        return _list(state, _("Did you mean:"), [str(m[1]) for m in state.matches], note)
    if menu == "county":
        names = [c.name for c in services.counties()]
        return _list(state, _("County? Choose or type the name:"), names, note)
    if menu == "place":
        return _list(state, _("Which place?"), [_gsm_only(str(o[0])) for o in state.options], note)
    if menu == "ward":
        names = [w.name for w in services.wards(state.county_code or 0)]
        return _list(state, _("Ward? Choose or type the name:"), names, note)
    if menu == "description":
        return (note + "\n" if note else "") + _("Say briefly what happened:") + "\n" + _back()
    if menu == "confirm":
        return _confirm_screen(state)
    if menu == "status":
        return (note + "\n" if note else "") + _("Enter the report number, e.g. R12:") + "\n" + _back()
    if menu == "consent":
        return "\n".join(
            [
                (note + "\n" if note else "") + _("We keep your reports and may SMS you about them."),
                "1. " + _("I agree"),
                "2. " + _("Withdraw my consent"),
                _back(),
            ]
        )
    return "Lugha / Language:\n1. English\n2. Kiswahili\n" + _back()


def _confirm_screen(state: UssdState) -> str:
    label = dict(CATEGORY_LABELS).get(state.category, "Other")
    head = f"{_(label)}, {state.ward_name}, {state.county_name}"
    tail = "\n1. " + _("Send") + "\n2. " + _("Cancel")
    room = SCREEN - len(head) - len(tail) - 3
    description = _gsm_only(state.description)
    if len(description) > room:
        description = description[: max(room - 2, 0)] + ".."
    return f"{head}\n'{description}'{tail}"


def submitted(lang: str, reference: str) -> str:
    with translation.override(lang):
        return _("Thank you. Your report is %(ref)s. To check it, dial again and choose 2.") % {
            "ref": reference
        }


# The engine ---------------------------------------------------------------------------------------------


def advance(state: UssdState, text: str, services: Services) -> Screen:
    state = UssdState.from_json(state.to_json())
    if state.end:  # the session is over; whatever the gateway sends, the answer stands
        return Screen(state, state.body, True)
    entry = new_input(state.consumed, text) if state.consumed or text else None
    if entry is None and state.body:
        return Screen(state, state.body, state.end)  # the gateway repeated a request
    state.consumed = text
    with translation.override(state.lang):
        screen = _handle(state, (entry or "").strip(), services) if entry is not None else None
        if screen is None:
            screen = Screen(state, _screen(state, services), False)
    screen.state.body, screen.state.end = screen.body, screen.end
    return screen


def _go(state: UssdState, menu: str) -> None:
    state.menu, state.page, state.matches = menu, 0, []


def _handle(state: UssdState, entry: str, services: Services) -> Screen:
    def again(note: str = "") -> Screen:
        return Screen(state, _screen(state, services, note), False)

    menu = state.menu
    if entry == HOME:
        _go(state, "main")
        return again()
    if entry == BACK and menu != "main":
        _go(state, PARENT[menu])
        if state.menu == "county" and _only_county(state, services):
            _go(state, "category")
        return again()
    if entry in (MORE, PREVIOUS) and menu in ("category", "county", "place", "ward"):
        state.page = state.page + 1 if entry == MORE else max(0, state.page - 1)
        return again()
    if menu == "main":
        target = {"1": "category", "2": "status", "3": "consent", "4": "language"}.get(entry)
        if target is None:
            return again(_("Choose a number from the list."))
        _go(state, target)
        return again()
    if menu == "category":
        n = int(entry) if entry.isdigit() else 0
        if not 1 <= n <= len(CATEGORY_LABELS):
            return again(_("Choose a number from the list."))
        state.category = CATEGORY_LABELS[n - 1][0]
        _go(state, "ward" if _only_county(state, services) else "county")
        return again()
    if menu in ("county", "ward"):
        return _place(state, entry, services, again)
    if menu == "place":
        n = int(entry) if entry.isdigit() else 0
        if not 1 <= n <= len(state.options):
            return again(_("Choose a number from the list."))
        _take_option(state, state.options[n - 1])
        return again()
    if menu == "description":
        if len(entry) < 3:
            return again(_("Please write a few words."))
        state.description = entry[:MAX_DESCRIPTION]
        _go(state, "confirm")
        return again()
    if menu == "confirm":
        if entry == "1":
            return Screen(state, "", True, [SubmitReport(UssdState.from_json(state.to_json()))])
        if entry == "2":
            return Screen(state, _("Cancelled. Nothing was sent."), True)
        return again()
    if menu == "status":
        number = parse_reference(entry)
        if number is None:
            return again(_("That is not a report number."))
        found: ReportStatus | None = services.report_status(number)
        return Screen(state, status_text(state.lang, found, number), True)
    if menu == "consent":
        if entry not in ("1", "2"):
            return again(_("Choose a number from the list."))
        granted = entry == "1"
        body = (
            _("Thank you. Your consent is recorded.")
            if granted
            else _("Your consent is withdrawn. We will not use your reports or SMS you.")
        )
        return Screen(state, body, True, [RecordConsent(granted)])
    lang = {"1": "en", "2": "sw"}.get(entry)
    if lang is None:
        return again(_("Choose a number from the list."))
    state.lang = lang
    with translation.override(lang):
        body = _("Language set: English.") if lang == "en" else _("Language set: Kiswahili.")
    return Screen(state, body, True, [SetLanguage(lang)])


def _place(state: UssdState, entry: str, services: Services, again: Callable[..., Screen]) -> Screen:
    county = state.county_code or 0
    if state.matches:
        options = [Choice(int(m[0]), str(m[1])) for m in state.matches]
    elif state.menu == "county":
        options = list(services.counties())
    else:
        options = list(services.wards(county))
    chosen: Choice | None = None
    if entry.isdigit():
        n = int(entry)
        if not 1 <= n <= len(options):
            return again(_("Choose a number from the list."))
        chosen = options[n - 1]
    elif entry:
        found = list(
            services.find_counties(entry) if state.menu == "county" else services.find_wards(county, entry)
        )[:6]
        if not found:
            # Not a county (nor a ward of the county): a ward, estate or village ("Huruma") read for the
            # organisation's area; the county menu is skipped for an organisation working in one county.
            places = list(services.find_place_options(entry))
            if len(places) == 1:
                _take_option(state, option_row(places[0]))
                return again()
            if places:
                state.options = [option_row(o) for o in places]
                _go(state, "place")
                return again()
        if state.menu == "ward" and len(found) > 1:
            # A settlement's name ("Mashimoni"): list the places it names, as the SMS flow does, rather than
            # the wards they lie in, which the sender may not know.
            named = [p for p in services.find_place_options(entry) if p.county.code == county]
            if len(named) > 1:
                state.options = [option_row(o) for o in named]
                _go(state, "place")
                return again()
        if not found:
            state.matches, state.page = [], 0
            return again(_("Not found: %(name)s") % {"name": _gsm_only(entry)[:20]})
        if len(found) > 1:
            state.matches, state.page = [[c.code, c.name] for c in found], 0
            return again()
        chosen = found[0]
    else:
        return again(_("Choose a number from the list."))
    if state.menu == "county":
        state.county_code, state.county_name = chosen.code, chosen.name
        state.ward_code, state.ward_name, state.place_text, state.settlement_id = None, "", "", None
        _go(state, "ward")
    else:
        state.ward_code, state.ward_name = chosen.code, chosen.name
        _go(state, "description")
    return again()


def _only_county(state: UssdState, services: Services) -> bool:
    """An organisation working in one county is not asked it: the county is set and the ward asked."""
    counties = list(services.counties())
    if len(counties) != 1:
        return False
    state.county_code, state.county_name = counties[0].code, counties[0].name
    return True


def _take_option(state: UssdState, row: list[Any]) -> None:
    """The place chosen: its county, its ward when known (else the ward is asked), its settlement."""
    _label, county_code, county_name, ward_code, ward_name, place_name = row[:6]
    state.county_code, state.county_name = int(county_code), str(county_name)
    state.ward_code, state.ward_name = (
        (int(ward_code), str(ward_name)) if ward_code is not None else (None, "")
    )
    state.place_text, state.settlement_id = str(place_name), option_settlement(row)
    state.options = []
    _go(state, "description" if ward_code is not None else "ward")
