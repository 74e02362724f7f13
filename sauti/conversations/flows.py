"""The SMS conversation engine, pure: `advance(state, text, services) -> Step(state, events)`.

A message that is not a command becomes a report draft (`Services.analyse`: category, place, people,
language). The engine then asks only for what is missing, location first: county -> ward -> landmark.
Each question takes a number from a numbered list (paged: 98 = more, 99 = previous page) or a name,
matched by the place services; 0 skips the question ("I don't know"). When nothing is missing the engine
emits `SubmitReport` and the host answers with `confirmation(lang, reference)`.

`HALI 123` / `STATUS R123` answer a report's status (the host's `report_status` only knows the sender's
own reports, so other people's references get the same "not found" as unknown ones). `HELP`/`MSAADA`
explains the syntax and repeats the open question.

Timeouts (`expire`): after `TIMEOUT` of silence an open draft is submitted with what is known. A report
without its ward still reaches a coordinator, who can place it; a dropped draft would be lost.

The state is a small dataclass that round-trips through JSON (`to_json` / `State.from_json`). Prompts are
rendered with gettext inside `translation.override(state.lang)`; nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import timedelta
from typing import Any, Final, Literal, Protocol

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sauti.messaging.keywords import parse_opt_out
from sauti.messaging.segments import is_gsm7

__all__ = [
    "CATEGORY_LABELS",
    "MORE",
    "PREVIOUS",
    "SKIP",
    "TIMEOUT",
    "Choice",
    "Draft",
    "PlaceOption",
    "Reply",
    "ReportStatus",
    "Services",
    "State",
    "Step",
    "SubmitReport",
    "advance",
    "confirmation",
    "expire",
    "page_screen",
    "parse_reference",
]

TIMEOUT: Final = timedelta(minutes=30)
MAX_INPUT: Final = 1000  # longer messages are cut (providers concatenate at most ~6 parts anyway)
SCREEN: Final = 160  # one SMS, one USSD screen
SKIP: Final = "0"
MORE: Final = "98"
PREVIOUS: Final = "99"

StepName = Literal["idle", "category", "place", "county", "ward", "landmark"]
COLLECTING: Final = ("category", "place", "county", "ward", "landmark")
HELP_WORDS: Final = frozenset({"help", "msaada", "usaidizi", "saidia", "menu", "?"})
CANCEL_WORDS: Final = frozenset({"cancel", "ghairi", "futa"})
_STATUS = re.compile(
    r"^\s*(?:hali|status|stat)\b[\s:#.,-]*(?:(?:ya|of|for)\s+)?(?:(?:ripoti|report|kesi|case)\s*)?"
    r"(?:(?:no|nr|namba|number|ref)\b\.?\s*)?#?\s*(?P<ref>r?\s*\d{1,12})?\s*[.!?]*\s*$",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"^\s*#?\s*r?\s*(\d{1,12})\s*$", re.IGNORECASE)
# Short labels for one screen (the SMS category question, the USSD menu); the taxonomy's full names are
# too long.
CATEGORY_LABELS: Final[list[tuple[str, str]]] = [
    ("housing", gettext_noop("Housing, evictions")),
    ("water", gettext_noop("Water")),
    ("sanitation", gettext_noop("Toilets, sewage, garbage")),
    ("environment", gettext_noop("Pollution")),
    ("security", gettext_noop("Security, police")),
    ("gbv", gettext_noop("Gender violence")),
    ("land", gettext_noop("Land, property")),
    ("health", gettext_noop("Health")),
    ("education", gettext_noop("Education")),
    ("public-projects", gettext_noop("Public projects")),
    ("corruption", gettext_noop("Corruption")),
    ("other", gettext_noop("Other")),
]


@dataclass(frozen=True, slots=True)
class Choice:
    code: int
    name: str


@dataclass(frozen=True, slots=True)
class PlaceOption:
    """One of several places a name may mean ("Huruma, Mathare, Nairobi"), to offer on a numbered list."""

    label: str
    county: Choice
    ward: Choice | None = None
    place_name: str = ""  # a settlement
    settlement_id: int | None = None  # that settlement in the gazetteer


@dataclass(frozen=True, slots=True)
class Draft:
    """What the analysis of a message found. `options`: two or more places the named place may be (the
    sender is asked which; `ward` is then empty, `county` at most the organisation's only county).
    `category_choices`: categories the reading is unsure between, best (`category`) first (the sender is
    asked which); `category_said`: the sender named the category (RIPOTI <category>)."""

    language: str  # en, sw or mixed
    category: str
    people_affected: int | None = None
    county: Choice | None = None
    ward: Choice | None = None
    place_name: str = ""  # a settlement or landmark more precise than the ward
    options: tuple[PlaceOption, ...] = ()
    settlement_id: int | None = None  # `place_name` in the gazetteer, when it is a settlement
    category_choices: tuple[str, ...] = ()
    category_said: bool = False


@dataclass(frozen=True, slots=True)
class ReportStatus:
    reference: str
    status: str  # a monitoring Status value


class Services(Protocol):
    """What the engine needs from the rest of Sauti, bound to one organisation and one sender."""

    def analyse(self, text: str) -> Draft: ...
    def counties(self) -> Sequence[Choice]: ...
    def wards(self, county_code: int) -> Sequence[Choice]: ...
    def find_counties(self, text: str) -> Sequence[Choice]: ...
    def find_wards(self, county_code: int, text: str) -> Sequence[Choice]: ...
    def find_place_options(self, text: str) -> Sequence[PlaceOption]:
        """Places a typed name may mean for the organisation: one, several to choose from, or none."""
        ...

    def report_status(self, number: int | None) -> ReportStatus | None:
        """The sender's report with this number (None: their latest), or None."""
        ...


@dataclass
class State:
    step: StepName = "idle"
    lang: str = "sw"
    description: str = ""
    category: str = "other"
    # The categories asked about in step "category" (best guess first), and whether the sender chose or
    # named the category (otherwise it is the reading's guess).
    category_choices: list[str] = field(default_factory=list)
    category_chosen: bool = False
    people_affected: int | None = None
    county_code: int | None = None
    county_name: str = ""
    ward_code: int | None = None
    ward_name: str = ""
    place_text: str = ""
    # The gazetteer's settlement `place_text` names, when the analysis or the sender's choice found it
    # (a landmark typed in answer to "where exactly?" is looked up when the report is made).
    settlement_id: int | None = None
    page: int = 0
    matches: list[list[Any]] = field(default_factory=list)  # [[code, name], ...] from a name search
    # Places a name may mean, asked about in step "place": [[label, county code, county name, ward code
    # or None, ward name, settlement name, settlement id or None], ...] (rows of 6 before the id was kept)
    options: list[list[Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> State:
        known = {f.name for f in fields(cls)}
        state = cls(**{k: v for k, v in (data or {}).items() if k in known})
        if state.step not in ("idle", *COLLECTING):
            state.step = "idle"
        if state.lang not in ("en", "sw"):
            state.lang = "sw"
        return state

    @property
    def is_open(self) -> bool:
        return self.step in COLLECTING

    def place_label(self) -> str:
        return ", ".join(p for p in (self.place_text, self.ward_name, self.county_name) if p)


@dataclass(frozen=True, slots=True)
class Reply:
    text: str


@dataclass(frozen=True, slots=True)
class SubmitReport:
    """Submit the state's draft as a report; the host then replies with `confirmation`."""

    state: State


Event = Reply | SubmitReport


@dataclass(frozen=True, slots=True)
class Step:
    state: State
    events: list[Event]

    @property
    def replies(self) -> list[str]:
        return [e.text for e in self.events if isinstance(e, Reply)]


def parse_reference(text: str) -> int | None:
    """`123`, `R123`, `#r 123` -> 123; anything else None."""
    match = _REFERENCE.match(text or "")
    return int(match.group(1)) if match else None


def option_row(o: PlaceOption) -> list[Any]:
    """A place to choose, as kept in a conversation's JSON state."""
    return [o.label, o.county.code, o.county.name, o.ward.code if o.ward else None, o.ward.name if o.ward else "",
            o.place_name, o.settlement_id]  # fmt: skip


def option_settlement(row: Sequence[Any]) -> int | None:
    """The settlement id of an option row (None in rows kept before it was)."""
    return int(row[6]) if len(row) > 6 and row[6] is not None else None


def _language(detected: str, fallback: str) -> str:
    return detected if detected in ("en", "sw") else fallback


def _clean(text: str) -> str:
    return " ".join((text or "").split())[:MAX_INPUT]


# Screens ------------------------------------------------------------------------------------------------


def page_bounds(header: str, items: Sequence[str], footers: dict[tuple[bool, bool], str]) -> list[int]:
    """Start index of each page: as many numbered items as fit in one screen with the header and the
    footer (`footers[(has_more, has_previous)]`)."""
    starts = [0]
    i = 0
    while i < len(items):
        start, used = i, len(header)
        while i < len(items):
            grown = used + 1 + len(items[i])
            if grown + 1 + len(footers[(i + 1 < len(items), start > 0)]) > SCREEN and i > start:
                break
            used, i = grown, i + 1
        if i < len(items):
            starts.append(i)
    return starts


def skip_option() -> str:
    label = _("Skip")
    return f"{SKIP}. {label}"


def page_screen(header: str, names: Sequence[str], page: int, extra: str = "") -> tuple[str, int]:
    """One page of a numbered list (numbers run on across pages) and the page actually shown."""
    more_label, previous_label = _("More"), _("Previous")
    more, previous = f"{MORE}. {more_label}", f"{PREVIOUS}. {previous_label}"
    footers = {
        (has_more, back): "\n".join(
            p for p in (more if has_more else "", previous if back else "", extra) if p
        )
        for has_more in (False, True)
        for back in (False, True)
    }
    items = [f"{n}. {name}" for n, name in enumerate(names, start=1)]
    starts = page_bounds(header, items, footers)
    page = max(0, min(page, len(starts) - 1))
    end = starts[page + 1] if page + 1 < len(starts) else len(items)
    lines = [header, *items[starts[page] : end]]
    tail = footers[(end < len(items), page > 0)]
    if tail:
        lines.append(tail)
    return "\n".join(lines), page


def confirmation(lang: str, reference: str, key: str = "", url: str = "") -> str:
    """The reply to a report: its reference, HALI, and (issue 15) the status page's code and address when
    they fit one SMS; the address goes first, then the code alone."""
    with translation.override(lang):
        plain = _("Thank you. Your report %(ref)s is received. To check on it, send HALI %(ref)s.") % {
            "ref": reference
        }
        if not key:
            return plain
        values = {"ref": reference, "code": key, "url": url}
        if url:
            full = (
                _(
                    "Thank you. Report %(ref)s received. Check it: send HALI %(ref)s or open %(url)s code %(code)s"
                )
                % values
            )
            if fits_one_sms(full):
                return full
        short = (
            _("Thank you. Report %(ref)s received. Check it: send HALI %(ref)s. Web status code: %(code)s")
            % values
        )
        return short if fits_one_sms(short) else plain


def status_text(lang: str, found: ReportStatus | None, asked: int | None) -> str:
    with translation.override(lang):
        if found is None:
            if asked is None:
                return _("We have no report from this number. Send your report as an SMS.")
            return _("We found no report R%(number)s sent from this number. Check the number.") % {
                "number": asked
            }
        return _("Report %(ref)s: %(status)s") % {
            "ref": found.reference,
            "status": status_phrase(found.status),
        }


def status_phrase(status: str) -> str:
    phrases = {
        "new": _("received, waiting to be reviewed."),
        "triaged": _("being reviewed by the coordinators."),
        "verified": _("verified. The group is following it up."),
        "rejected": _("closed: it could not be confirmed."),
        "referred": _("taken to the authorities. We are following up."),
        "resolved": _("resolved."),
        "unresolved": _("closed without a solution. The group may raise it again."),
    }
    return phrases.get(status, _("received."))


def help_text() -> str:
    return _(
        "Send what happened and where, e.g. 'No water in Mathare 4A since Monday'. "
        "To check a report send HALI and its number, e.g. HALI R12."
    )


def _county_prompt(state: State, services: Services, note: str = "") -> str:
    header = (note + "\n" if note else "") + _("Which county? Reply with the name or number:")
    names = [c.name for c in services.counties()]
    text, state.page = page_screen(header, names, state.page, skip_option())
    return text


def _ward_prompt(state: State, services: Services, note: str = "") -> str:
    header = (note + "\n" if note else "") + _("Which ward in %(county)s? Name or number:") % {
        "county": state.county_name
    }
    names = [w.name for w in services.wards(state.county_code or 0)]
    text, state.page = page_screen(header, names, state.page, skip_option())
    return text


def _matches_prompt(state: State, note: str = "") -> str:
    header = (note + "\n" if note else "") + _("Did you mean:")
    text, _page = page_screen(header, [str(m[1]) for m in state.matches], 0, skip_option())
    return text


def _landmark_prompt(state: State) -> str:
    if not (state.ward_name or state.county_name):
        return _("Where did it happen? Reply with the village, estate or a landmark, or 0 to skip.")
    return _("Where exactly in %(ward)s? Reply with the village, estate or a landmark, or 0 to skip.") % {
        "ward": state.ward_name or state.county_name
    }


def _options_prompt(state: State, note: str = "", header: str = "") -> str:
    header = (note + "\n" if note else "") + (
        header or _("Several places have this name. Which one? Reply with the number:")
    )
    text, _page = page_screen(header, [str(o[0]) for o in state.options], 0, skip_option())
    return text


def category_label(key: str) -> str:
    return _(dict(CATEGORY_LABELS).get(key, "Other"))


def _category_prompt(state: State, note: str = "") -> str:
    header = (note + "\n" if note else "") + _("What is your report about? Reply with the number:")
    text, _page = page_screen(header, [category_label(k) for k in state.category_choices], 0, skip_option())
    return text


def _prompt(state: State, services: Services, note: str = "") -> str:
    if state.step == "category":
        return _category_prompt(state, note)
    if state.step == "place":
        return _options_prompt(state, note)
    if state.matches:
        return _matches_prompt(state, note)
    if state.step == "county":
        return _county_prompt(state, services, note)
    if state.step == "ward":
        return _ward_prompt(state, services, note)
    return (note + "\n" if note else "") + _landmark_prompt(state)


# Choosing from a list ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Picked:
    choice: Choice | None  # None: skipped


def _pick(
    state: State, text: str, options: Sequence[Choice], search: Callable[[str], Sequence[Choice]]
) -> _Picked | str:
    """The option the reply names, or the note to show with the question asked again."""
    word = text.strip().casefold()
    if word == SKIP:
        return _Picked(None)
    listed = [Choice(int(m[0]), str(m[1])) for m in state.matches] if state.matches else list(options)
    if word == MORE:
        state.page += 1
        return ""
    if word == PREVIOUS:
        state.page = max(0, state.page - 1)
        return ""
    if word.isdigit():
        n = int(word)
        if 1 <= n <= len(listed):
            return _Picked(listed[n - 1])
        return _("There is no number %(n)s on the list.") % {"n": word[:6]}
    found = list(search(text))[:6] if text.strip() else []
    if len(found) == 1:
        return _Picked(found[0])
    if found:
        state.matches = [[c.code, c.name] for c in found]
        state.page = 0
        return ""
    return _("We did not find '%(name)s'.") % {"name": text.strip()[:30]}


def _next_missing(state: State) -> list[Event]:
    state.page = 0
    state.matches = []
    if state.county_code is None and state.step in ("idle",):
        state.step = "county"
    elif state.ward_code is None and state.county_code is not None and state.step in ("idle", "county"):
        state.step = "ward"
    elif not state.place_text and state.step in ("idle", "county", "ward"):
        state.step = "landmark"
    else:
        state.step = "idle"
        return [SubmitReport(State.from_json(state.to_json()))]
    return []


# The engine --------------------------------------------------------------------------------------------


def advance(state: State, text: str, services: Services, *, fallback_lang: str = "sw") -> Step:
    """The sender's next message, given their conversation state (a fresh `State()` when none is open)."""
    state = State.from_json(state.to_json())
    text = _clean(text)
    words = text.casefold().split()
    if parse_opt_out(text) is not None:  # the transport's business, not a report
        return Step(state, [])
    status = _STATUS.match(text)
    if status is not None:
        if not state.is_open:
            keyword = text.casefold().lstrip("#*:. ")[:4]
            state.lang = _language("en" if keyword == "stat" else "sw", state.lang)
        raw = status.group("ref")
        number = parse_reference(raw) if raw else None
        found = services.report_status(number)
        return Step(state, [Reply(status_text(state.lang, found, number))])
    if not text or (len(words) == 1 and words[0].strip("!.") in HELP_WORDS):
        if not state.is_open:
            state.lang = _language("en" if words and words[0] == "help" else "sw", fallback_lang)
        with translation.override(state.lang):
            replies = [Reply(help_text())]
            if state.is_open:
                replies.append(Reply(_prompt(state, services)))
        return Step(state, list(replies))
    if state.is_open and len(words) == 1 and words[0] in CANCEL_WORDS:
        with translation.override(state.lang):
            reply = _("Your report was cancelled. Send a new SMS to report again.")
        return Step(State(lang=state.lang), [Reply(reply)])
    if not state.is_open:
        return _start(text, services, fallback_lang)
    with translation.override(state.lang):
        return _answer(state, text, services)


def _start(text: str, services: Services, fallback_lang: str) -> Step:
    draft = services.analyse(text)
    state = State(
        lang=_language(draft.language, fallback_lang),
        description=text,
        category=draft.category,
        category_chosen=draft.category_said,
        people_affected=draft.people_affected,
    )
    if draft.county is not None:
        state.county_code, state.county_name = draft.county.code, draft.county.name
    if draft.ward is not None:
        state.ward_code, state.ward_name = draft.ward.code, draft.ward.name
    state.place_text, state.settlement_id = draft.place_name, draft.settlement_id
    if len(draft.options) > 1:  # "Huruma": Nairobi's or Uasin Gishu's? Ask, never guess.
        state.options = [option_row(o) for o in draft.options]
    with translation.override(state.lang):
        if len(draft.category_choices) > 1 and not draft.category_said:
            # Unsure of the category: the sender chooses; any other answer keeps the best guess.
            state.step = "category"
            state.category_choices = list(draft.category_choices)
            return Step(state, [Reply(_category_prompt(state, _("Thank you.")))])
        return _after_category(state, services, _("Thank you."))


def _after_category(state: State, services: Services, note: str = "") -> Step:
    """Go on to the place: the places a name may mean, or what is missing, or submit."""
    state.step = "idle"
    if state.options:
        state.step = "place"
        return Step(state, [Reply(_options_prompt(state, note))])
    if state.place_text and state.county_code is not None:  # a named settlement is more precise than a ward
        return Step(state, [SubmitReport(State.from_json(state.to_json()))])
    events = _next_missing(state)
    if events:
        return Step(state, events)
    return Step(state, [Reply(_prompt(state, services, note))])


def _choose_category(state: State, text: str, services: Services) -> Step:
    """The answer to "what is your report about?": a number on the list or a category's name chooses;
    0, another number or anything else keeps the best guess (never asked again: the report goes on)."""
    word = text.strip().casefold()
    choices = state.category_choices
    names = {category_label(k).casefold(): k for k in choices} | {k: k for k in choices}
    if word.isdigit() and 1 <= int(word) <= len(choices):
        state.category, state.category_chosen = choices[int(word) - 1], True
    elif word in names:
        state.category, state.category_chosen = names[word], True
    elif len(text.split()) > 3:  # more about the problem rather than a choice: keep it
        state.description = f"{state.description}\n{text}"[: MAX_INPUT * 2]
    state.category_choices = []
    return _after_category(state, services)


def _choose_option(state: State, text: str, services: Services) -> Step:
    """The answer to "which of these places?": a number, 0 (none of them: ask county and ward), or
    anything else (asked again)."""
    word = text.strip()
    if word == SKIP:
        state.options = []
        state.step = "idle"
        events = _next_missing(state)
        return Step(state, events or [Reply(_prompt(state, services))])
    if not word.isdigit() or not 1 <= int(word) <= len(state.options):
        if len(text.split()) > 3:  # more about the problem rather than a choice: keep it
            state.description = f"{state.description}\n{text}"[: MAX_INPUT * 2]
        if word.isdigit():
            note = _("There is no number %(n)s on the list.") % {"n": word[:6]}
            return Step(state, [Reply(_options_prompt(state, note))])
        # A name ("Kasarani"): say so, in a header short enough to keep the list on one SMS.
        not_found = _("Sorry, we could not find %(name)s. Reply with a number:") % {"name": word[:20]}
        return Step(state, [Reply(_options_prompt(state, header=not_found))])
    row = state.options[int(word) - 1]
    _label, county_code, county_name, ward_code, ward_name, place_name = row[:6]
    state.county_code, state.county_name = int(county_code), str(county_name)
    if ward_code is not None:
        state.ward_code, state.ward_name = int(ward_code), str(ward_name)
    if place_name:
        state.place_text, state.settlement_id = str(place_name), option_settlement(row)
    state.options = []
    state.step = "idle"
    if state.place_text and state.county_code is not None:
        return Step(state, [SubmitReport(State.from_json(state.to_json()))])
    events = _next_missing(state)
    return Step(state, events or [Reply(_prompt(state, services))])


def _answer(state: State, text: str, services: Services) -> Step:
    if state.step == "category":
        return _choose_category(state, text, services)
    if state.step == "place":
        return _choose_option(state, text, services)
    if state.step == "landmark":
        if text.strip() != SKIP:
            state.place_text = text[:200]
        else:
            state.place_text = ""
        state.settlement_id = None
        state.step = "idle"
        return Step(state, [SubmitReport(State.from_json(state.to_json()))])
    if state.step == "county":
        picked = _pick(state, text, services.counties(), services.find_counties)
    else:
        county = state.county_code or 0
        picked = _pick(state, text, services.wards(county), lambda t: services.find_wards(county, t))
    if isinstance(picked, str):
        if picked and len(text.split()) > 3:  # more about the problem rather than a place: keep it
            state.description = f"{state.description}\n{text}"[: MAX_INPUT * 2]
        return Step(state, [Reply(_prompt(state, services, picked))])
    if state.step == "county":
        if picked.choice is not None:
            state.county_code, state.county_name = picked.choice.code, picked.choice.name
            state.step = "county"
        else:  # no county: the ward cannot be asked either
            state.step = "ward"
    elif picked.choice is not None:
        state.ward_code, state.ward_name = picked.choice.code, picked.choice.name
    events = _next_missing(state)
    if events:
        return Step(state, events)
    return Step(state, [Reply(_prompt(state, services))])


def expire(state: State) -> Step:
    """A conversation silent for `TIMEOUT`: submit the open draft with what is known."""
    state = State.from_json(state.to_json())
    if not state.is_open:
        return Step(state, [])
    state.step = "idle"
    return Step(state, [SubmitReport(State.from_json(state.to_json()))])


def fits_one_sms(text: str) -> bool:
    return len(text) <= SCREEN and is_gsm7(text)
