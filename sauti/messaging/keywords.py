"""The SMS keyword grammar, in English and Kiswahili (pure, no Django).

    RIPOTI <category> <place> <text>      REPORT <category> <place> <text>
    HALI <number>                         STATUS <number>
    ACHA | SIMAMA                         STOP          (opt out of every message)
    ANZA                                  START         (opt back in)

Keywords are case-insensitive and may be followed by `:`, `.`, `,`, `#` or `-` ("Ripoti: maji ...",
"status #123", "HALI YA 123"). `<category>` is a word from `CATEGORY_WORDS` (e.g. MAJI, WATER, USALAMA,
POLICE) or a taxonomy key; when the word after RIPOTI is not a category word the whole rest is the text
and the category is found from it like any free-text message. The place is found in `<place> <text>` by
the gazetteer, with the place position counting as a cue (so "RIPOTI MAJI Bondeni ..." finds Bondeni).

Opt-out, opt-in and status commands must be the whole message (a few filler words allowed: "STOP
please", "acha kutuma sms", "hali ya ripoti 123"), because ACHA, SIMAMA and HALI are ordinary words that
start many reports ("Acha nikwambie, polisi ...", "Hali ni mbaya ...").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS

__all__ = [
    "CATEGORY_WORDS",
    "OPT_IN_WORDS",
    "OPT_OUT_WORDS",
    "REPORT_WORDS",
    "STATUS_WORDS",
    "Command",
    "CommandKind",
    "category_word",
    "parse_command",
]

CommandKind = Literal["report", "status", "stop", "start"]

REPORT_WORDS: Final = frozenset({"ripoti", "report", "repoti", "riport", "ripot"})
STATUS_WORDS: Final = frozenset({"hali", "status", "stat"})
OPT_OUT_WORDS: Final = frozenset({"stop", "acha", "simama", "stopall", "unsubscribe"})
OPT_IN_WORDS: Final = frozenset({"start", "anza", "unstop"})

# Words that may follow a command word without making the message anything else.
_OPT_FILLER: Final = frozenset(
    {
        "all", "please", "pls", "plz", "sms", "smses", "messages", "msgs", "texts", "now", "tafadhali",
        "tafadhal", "ujumbe", "jumbe", "kutuma", "kunitumia", "kabisa", "sasa", "me", "again", "tena",
    }
)  # fmt: skip
_STATUS_FILLER: Final = frozenset(
    {
        "ya",
        "of",
        "for",
        "ripoti",
        "report",
        "namba",
        "nambari",
        "no",
        "nr",
        "number",
        "ref",
        "reference",
        "kesi",
        "case",
    }
)

# The category word after RIPOTI/REPORT -> taxonomy key. Taxonomy keys themselves are accepted too.
CATEGORY_WORDS: Final[dict[str, str]] = {
    # housing
    "nyumba": "housing", "makazi": "housing", "housing": "housing", "house": "housing",
    "eviction": "housing", "evictions": "housing", "kufurushwa": "housing", "bomoa": "housing",
    "demolition": "housing",
    # water
    "maji": "water", "water": "water", "mabomba": "water", "bomba": "water",
    # sanitation
    "usafi": "sanitation", "sanitation": "sanitation", "choo": "sanitation", "vyoo": "sanitation",
    "taka": "sanitation", "takataka": "sanitation", "garbage": "sanitation", "sewage": "sanitation",
    "toilet": "sanitation", "toilets": "sanitation",
    # environment
    "mazingira": "environment", "environment": "environment", "uchafuzi": "environment",
    "pollution": "environment", "moshi": "environment",
    # security
    "usalama": "security", "security": "security", "polisi": "security", "police": "security",
    "askari": "security", "karao": "security",
    # gbv
    "gbv": "gbv", "ukatili": "gbv", "dhuluma": "gbv", "ubakaji": "gbv", "rape": "gbv", "sgbv": "gbv",
    # land
    "ardhi": "land", "land": "land", "shamba": "land", "mashamba": "land",
    # health
    "afya": "health", "health": "health", "hospitali": "health", "hospital": "health", "zahanati": "health",
    "dawa": "health",
    # education
    "elimu": "education", "education": "education", "shule": "education", "school": "education",
    "ada": "education",
    # public-projects
    "mradi": "public-projects", "miradi": "public-projects", "project": "public-projects",
    "projects": "public-projects", "barabara": "public-projects", "road": "public-projects",
    "bajeti": "public-projects", "budget": "public-projects",
    # corruption
    "ufisadi": "corruption", "corruption": "corruption", "rushwa": "corruption", "hongo": "corruption",
    "bribe": "corruption",
    # other
    "nyingine": "other", "other": "other", "mengine": "other",
}  # fmt: skip
for _key in TOP_LEVEL_KEYS:
    CATEGORY_WORDS.setdefault(_key, _key)
CATEGORY_WORDS.setdefault("publicprojects", "public-projects")
_HYPHENATED = re.compile(r"public[\s_-]*projects?(?=$|[\s:;,.#*!?/()])[\s:;,.#*!?\-/()]*", re.IGNORECASE)

_SHORT_COMMANDS: Final = OPT_OUT_WORDS | OPT_IN_WORDS | STATUS_WORDS
_SEPARATORS = re.compile(r"[\s:;,.#*!?\-_/()]+")
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_LEAD = re.compile(r"^[\s:;,.#*!?\-_/()\"]+")


@dataclass(frozen=True, slots=True)
class Command:
    """A keyword command. For `report`: `category` (a taxonomy key, or None when not given) and `rest`
    (the text after the keyword and category: place then description). For `status`: `reference` (None
    when the number is missing, so the conversation can ask for it)."""

    kind: CommandKind
    keyword: str
    category: str | None = None
    reference: int | None = None
    rest: str = ""


def _fold(word: str) -> str:
    if word.isascii():
        return word.casefold().translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", word)
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(_APOSTROPHES)
    )


def _words(text: str) -> list[str]:
    return [w for w in _SEPARATORS.split(_fold(text)) if w]


def category_word(word: str) -> str | None:
    """The taxonomy key a category word names ("MAJI" -> "water"), or None."""
    return CATEGORY_WORDS.get(_fold(word).strip(":;,.#*!?-"))


def _first_word(text: str) -> tuple[str, str]:
    """The first word of `text`, folded, and what follows it (leading separators removed)."""
    stripped = _LEAD.sub("", text)
    match = re.match(r"[^\s:;,.#*!?\-/()]+", stripped)
    if not match:
        return "", ""
    return _fold(match.group(0)), _LEAD.sub("", stripped[match.end() :])


def parse_command(text: str) -> Command | None:
    """The command `text` is, or None for a free-text message."""
    first, rest = _first_word(text)
    if not first:
        return None
    if first in REPORT_WORDS:
        word, after = _first_word(rest)
        category = CATEGORY_WORDS.get(word)
        hyphenated = _HYPHENATED.match(rest)
        if hyphenated:  # "public-projects" is one category word, though "-" separates words elsewhere
            category, after = "public-projects", rest[hyphenated.end() :]
        if category is not None:
            return Command("report", first, category=category, rest=after.strip())
        return Command("report", first, rest=rest.strip())
    if first not in _SHORT_COMMANDS:
        return None
    words = _words(text)
    if first in OPT_OUT_WORDS and all(w in _OPT_FILLER for w in words[1:]):
        return Command("stop", first)
    if first in OPT_IN_WORDS and all(w in _OPT_FILLER for w in words[1:]):
        return Command("start", first)
    if first in STATUS_WORDS:
        tail = [w for w in words[1:] if w not in _STATUS_FILLER]
        if not tail:
            return Command("status", first)
        if len(tail) == 1 and tail[0].isdigit() and len(tail[0]) <= 12:
            return Command("status", first, reference=int(tail[0]))
    return None
