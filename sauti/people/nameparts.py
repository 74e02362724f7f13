"""Name parts as redaction sees them: split, normalised, and hashed with the lookup key (NameToken)."""

from __future__ import annotations

import functools
import re
import unicodedata

from django.conf import settings

from sauti.core.crypto import lookup_hash

TOKEN = re.compile(r"[^\W\d_]+")
# Name parts too common to mean anyone: never indexed, never matched.
GENERIC = frozenset(
    [
        "mama",
        "baba",
        "mzee",
        "bibi",
        "babu",
        "dada",
        "kaka",
        "binti",
        "bin",
        "ole",
        "arap",
        "wa",
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "the",
        "and",
        "mwalimu",
        "mkubwa",
        "mdogo",
        "junior",
        "senior",
        "jnr",
        "snr",
    ]
)


def normalised(token: str) -> str:
    if token.isascii():
        return token.lower()
    plain = unicodedata.normalize("NFKD", token.casefold())
    return "".join(c for c in plain if not unicodedata.combining(c))


def name_parts(name: str) -> list[str]:
    """The parts of a contact's name worth finding in text (three letters or more, not generic)."""
    parts = {normalised(t) for t in TOKEN.findall(unicodedata.normalize("NFKC", name))}
    return sorted(p for p in parts if len(p) >= 3 and p not in GENERIC)


def token_digest(part: str) -> str:
    """The keyed hash under which a name part is indexed (NameToken.digest); not reversible without the key."""
    return _digest(settings.SAUTI_LOOKUP_KEY, part)


@functools.lru_cache(maxsize=65536)
def _digest(key: str, part: str) -> str:  # the key is part of the cache key: a new key is new digests
    return lookup_hash("name-part:" + part)
