"""The words the transport itself answers, in English and Kiswahili (pure, no Django):

    ACHA | SIMAMA | STOP       opt out of every message
    ANZA | START               opt back in

This is the one place STOP and START are read: the inbound pipeline (messaging.actions) acts on them
before any conversation sees the message, and everything else that must recognise them (the SMS keyword
grammar in sauti.conversations.keywords, the conversation engine, opinion votes) asks `parse_opt_out`.

Keywords are case-insensitive and may be followed by `:`, `.`, `,`, `#` or `-`. An opt-out or opt-in
must be the whole message (a few filler words allowed: "STOP please", "acha kutuma sms"), because ACHA
and SIMAMA are ordinary words that start many reports ("Acha nikwambie, polisi ...").

`fold`, `first_word` and `words` are how every SMS keyword is read (accents, apostrophes and case
ignored); the conversations app's keyword grammar uses them too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "OPT_IN_WORDS",
    "OPT_OUT_WORDS",
    "OptChange",
    "first_word",
    "fold",
    "parse_opt_out",
    "words",
]

OPT_OUT_WORDS: Final = frozenset({"stop", "acha", "simama", "stopall", "unsubscribe"})
OPT_IN_WORDS: Final = frozenset({"start", "anza", "unstop"})
SWAHILI_WORDS: Final = frozenset({"acha", "simama", "anza"})

# Words that may follow an opt-out or opt-in word without making the message anything else.
_OPT_FILLER: Final = frozenset(
    {
        "all", "please", "pls", "plz", "sms", "smses", "messages", "msgs", "texts", "now", "tafadhali",
        "tafadhal", "ujumbe", "jumbe", "kutuma", "kunitumia", "kabisa", "sasa", "me", "again", "tena",
    }
)  # fmt: skip

_SEPARATORS = re.compile(r"[\s:;,.#*!?\-_/()]+")
_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)
_LEAD = re.compile(r"^[\s:;,.#*!?\-_/()\"]+")


@dataclass(frozen=True, slots=True)
class OptChange:
    """An opt-out (`stop`) or opt-in (`start`) and the word it was made with."""

    kind: Literal["stop", "start"]
    keyword: str

    @property
    def language(self) -> Literal["en", "sw"]:
        """The language the sender chose by the word (for the confirmation when we know nothing else)."""
        return "sw" if self.keyword in SWAHILI_WORDS else "en"


def fold(word: str) -> str:
    """Case, accents and apostrophes removed: how keywords are compared."""
    if word.isascii():
        return word.casefold().translate(_APOSTROPHES)
    decomposed = unicodedata.normalize("NFKD", word)
    return (
        "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().translate(_APOSTROPHES)
    )


def words(text: str) -> list[str]:
    """The folded words of `text`."""
    return [w for w in _SEPARATORS.split(fold(text)) if w]


def first_word(text: str) -> tuple[str, str]:
    """The first word of `text`, folded, and what follows it (leading separators removed)."""
    stripped = _LEAD.sub("", text)
    match = re.match(r"[^\s:;,.#*!?\-/()]+", stripped)
    if not match:
        return "", ""
    return fold(match.group(0)), _LEAD.sub("", stripped[match.end() :])


def parse_opt_out(text: str) -> OptChange | None:
    """The opt-out or opt-in `text` is, or None for any other message."""
    first, _rest = first_word(text)
    if first not in OPT_OUT_WORDS and first not in OPT_IN_WORDS:
        return None
    if not all(w in _OPT_FILLER for w in words(text)[1:]):
        return None
    return OptChange("stop" if first in OPT_OUT_WORDS else "start", first)
