"""The SMS keyword grammar of reports, in English and Kiswahili (pure, no Django).

    RIPOTI <category> <place> <text>      REPORT <category> <place> <text>
    HALI <number>                         STATUS <number>
    ACHA | SIMAMA                         STOP          (opt out: read by sauti.messaging.keywords)
    ANZA                                  START         (opt back in: likewise)

Keywords are case-insensitive and may be followed by `:`, `.`, `,`, `#` or `-` ("Ripoti: maji ...",
"status #123", "HALI YA 123"). `<category>` is a word from `CATEGORY_WORDS` (e.g. MAJI, WATER, USALAMA,
POLICE) or a taxonomy key; when the word after RIPOTI is not a category word the whole rest is the text
and the category is found from it like any free-text message. The place is found in `<place> <text>` by
the gazetteer, with the place position counting as a cue (so "RIPOTI MAJI Bondeni ..." finds Bondeni).

Status commands must be the whole message (a few filler words allowed: "hali ya ripoti 123"), because
HALI is an ordinary word that starts many reports ("Hali ni mbaya ..."). STOP and START are the
transport's: `parse_command` returns them as the messaging app reads them (`parse_opt_out`), so that
they are read in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from sauti.messaging.keywords import first_word, fold, parse_opt_out, words
from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS

__all__ = [
    "CATEGORY_WORDS",
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


def category_word(word: str) -> str | None:
    """The taxonomy key a category word names ("MAJI" -> "water"), or None."""
    return CATEGORY_WORDS.get(fold(word).strip(":;,.#*!?-"))


def parse_command(text: str) -> Command | None:
    """The command `text` is, or None for a free-text message."""
    first, rest = first_word(text)
    if not first:
        return None
    if first in REPORT_WORDS:
        word, after = first_word(rest)
        category = CATEGORY_WORDS.get(word)
        hyphenated = _HYPHENATED.match(rest)
        if hyphenated:  # "public-projects" is one category word, though "-" separates words elsewhere
            category, after = "public-projects", rest[hyphenated.end() :]
        if category is not None:
            return Command("report", first, category=category, rest=after.strip())
        return Command("report", first, rest=rest.strip())
    change = parse_opt_out(text)
    if change is not None:
        return Command(change.kind, change.keyword)
    if first in STATUS_WORDS:
        tail = [w for w in words(text)[1:] if w not in _STATUS_FILLER]
        if not tail:
            return Command("status", first)
        if len(tail) == 1 and tail[0].isdigit() and len(tail[0]) <= 12:
            return Command("status", first, reference=int(tail[0]))
    return None
