"""Whether an actor's name names a person (issue 18: actors are roles, groups and categories, never people).

Stricter than the redaction of report texts (sauti.people.redaction), which lets "Chief Mwangi" through to
keep the office readable: here a title or honorific followed by a capitalised word that is neither a role
word nor a place ("Chief Joseph Kariuki", "OCS Peter Mutua", "Sgt. Achieng", "Mr Omondi") is a person, while
"Chief", "OCS Kasarani", "Chief's camp", "Chief of Korogocho location" are roles. Phones and the names the
redaction finds (the organisation's contacts, common Kenyan names: "John Kamau", "Kamau") are refused too.
The "gangs" kind takes only a category description: no name at all, no capitalised word but the first.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sauti.people.nameparts import GENERIC, normalised
from sauti.people.redaction import KENYAN_NAMES, NOT_NAMES, PHONE, Redactor, find_phones
from sauti.places import gazetteer

PERSON, PHONE_NUMBER, GANG_NAME = "person", "phone", "gang"

_TITLES = (
    r"mr|mrs|ms|miss|mx|dr|doctor|prof|professor|sgt|sergeant|cpl|corporal|insp|inspector|ip|cip|sp|ssp|pc|"
    r"constable|ocs|ocpd|dcio|dcc|acc|chief|chifu|pastor|rev|reverend|bishop|askofu|father|fr|padre|sheikh|"
    r"imam|ustadh|hon|mheshimiwa|mhe|mca|mp|senator|seneta|governor|gavana|mama|baba|mzee|bw|bwana|bi|"
    r"mwalimu|teacher|mchungaji|askari|afande|officer|sister|brother|dada|kaka|madam|judge|jaji|councillor|"
    r"diwani|chairman|chairlady|chairperson|mwenyekiti"
)
_TITLED = re.compile(
    rf"(?<![^\W\d_])(?:{_TITLES})\.?\s+(?=([^\W\d_][^\W\d_'’\-]*))", re.IGNORECASE
)  # the lookahead: "Chief Inspector Mwangi" checks "Inspector" and then "Mwangi"
_SAINT = re.compile(r"(?<![^\W\d_])(?:st|saint|mt|mtakatifu)\.?\s+[^\W\d_]+", re.IGNORECASE)  # St. John's
_WORD = re.compile(r"[^\W\d_][^\W\d_'’\-]*")
_DIGITS = re.compile(r"\d(?:[\s.\-/]?\d){6,}")
# Capitalised words after a title that are roles, groups or places' kinds, not names.
_ROLE_TEXT = """of wa ya la cha za kwa the and na in at for inspector sergeant officer chief commander station post
    camp office ofisi kituo location lokesheni sub-location sublocation ward county kaunti police polisi
    administration utawala mboga ntilie group groups kikundi vikundi association committee council
    assistant msaidizi deputy naibu area eneo village kijiji estate division youth vijana women wanawake
    elders wazee traders wafanyabiashara residents wakazi riders church kanisa mosque msikiti"""
ROLE_WORDS = frozenset(_ROLE_TEXT.split())


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Every word of a county, constituency, sub-county, ward or curated village name ("Kasarani")."""
    names: list[str] = [c.name for c in gazetteer.counties()]
    names += [c.name for c in gazetteer.constituencies()]
    names += [s.name for s in gazetteer.sub_counties()]
    names += [w.name for w in gazetteer.wards()]
    names += [v.name for v in gazetteer.curated_settlements()]
    return frozenset(normalised(w) for n in names for w in _WORD.findall(n)) - KENYAN_NAMES


def _not_a_name(word: str) -> bool:
    plain = normalised(re.sub(r"['’]s$", "", word))
    return plain in ROLE_WORDS or plain in NOT_NAMES or plain in GENERIC or plain in _place_words()


def names_a_person(organisation_id: int | None, name: str, kind: str) -> str | None:
    """PHONE_NUMBER, PERSON or GANG_NAME when `name` identifies someone (or names a gang), else None."""
    if find_phones(name) or _DIGITS.search(name):
        return PHONE_NUMBER
    for m in _TITLED.finditer(name):
        word = m.group(1)
        if word[:1].isupper() and not _not_a_name(word):
            return PERSON
    text = _SAINT.sub(lambda m: " " * len(m.group()), name)  # a church's saint is not a person on the map
    found = Redactor.for_texts([(organisation_id, text)]).find(organisation_id, text)
    if any(f.kind == PHONE for f in found):
        return PHONE_NUMBER
    if found:
        return PERSON
    if kind == "gangs":
        words = _WORD.findall(text)
        if any(normalised(w) in KENYAN_NAMES for w in words):
            return GANG_NAME
        if any(w[:1].isupper() and not _not_a_name(w) for w in words[1:]):
            return GANG_NAME
    return None
