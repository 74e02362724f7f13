"""SMS encoding and segment counting (GSM 03.38 / 3GPP 23.040): pure, no Django.

One SMS carries 140 bytes: 160 GSM-7 septets or 70 UCS-2 (UTF-16) code units. A message longer than that
is sent in parts that each lose 6 bytes to the concatenation header: 153 septets or 67 code units per part.

- GSM-7: the basic set costs 1 septet; the extension table (`^ { } \\ [ ~ ] | €` and form feed) costs 2,
  an escape septet then the character, and a part never ends between the two.
- UCS-2: one non-GSM character switches the whole message. Characters outside the Basic Multilingual Plane
  (most emoji) are surrogate pairs: 2 code units, never split across parts.
- Smartphones insert typographic quotes, dashes, ellipses and non-breaking spaces that are not GSM-7; one
  curly apostrophe would double the cost of a message. `normalise()` maps them to GSM-7 equivalents
  (`NORMALISATION` below) and the counting functions apply it first unless told `normalise=False`.

Counts come from the same greedy walk that `split()` uses, so `segment_count(t) == len(split(t))` always
(an escape or surrogate pair at a boundary can add a part that a plain division would miss).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, Literal

__all__ = [
    "GSM7",
    "GSM7_BASIC",
    "GSM7_EXTENSION",
    "NORMALISATION",
    "UCS2",
    "CostEstimate",
    "Encoding",
    "Measure",
    "cost_estimate",
    "encoding_of",
    "is_gsm7",
    "measure",
    "normalise",
    "segment_count",
    "split",
]

Encoding = Literal["GSM-7", "UCS-2"]
GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"

# GSM 03.38 default alphabet, in code order; 0x1B (escape) is left out: it cannot be typed, only encoded.
GSM7_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION: Final = frozenset("\f^{}\\[~]|€")

SINGLE = {GSM7: 160, UCS2: 70}
PER_PART = {GSM7: 153, UCS2: 67}

# Typographic characters phones insert -> their GSM-7 equivalent ("" = dropped).
NORMALISATION: Final[dict[str, str]] = {
    "\u2018": "'",  # ‘ left single quote
    "\u2019": "'",  # ’ right single quote / curly apostrophe
    "\u201a": "'",  # ‚ low single quote
    "\u201b": "'",  # ‛ reversed single quote
    "\u2032": "'",  # ′ prime
    "\u00b4": "'",  # ´ acute accent typed as an apostrophe
    "\u02bc": "'",  # ʼ modifier apostrophe
    "\u201c": '"',  # “ left double quote
    "\u201d": '"',  # ” right double quote
    "\u201e": '"',  # „ low double quote
    "\u201f": '"',  # ‟ reversed double quote
    "\u2033": '"',  # ″ double prime
    "\u00ab": '"',  # « guillemet
    "\u00bb": '"',  # » guillemet
    "\u2010": "-",  # ‐ hyphen
    "\u2011": "-",  # ‑ non-breaking hyphen
    "\u2012": "-",  # ‒ figure dash
    "\u2013": "-",  # – en dash
    "\u2014": "-",  # — em dash
    "\u2015": "-",  # ― horizontal bar
    "\u2212": "-",  # − minus sign
    "\u2026": "...",  # … ellipsis
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",  # figure space
    "\u2009": " ",  # thin space
    "\u200a": " ",  # hair space
    "\u2002": " ",  # en space
    "\u2003": " ",  # em space
    "\u3000": " ",  # ideographic space
    "\t": " ",  # tab (not in GSM-7)
    "\u2028": "\n",  # line separator
    "\u2029": "\n",  # paragraph separator
    "\u200b": "",  # zero-width space
    "\u200c": "",  # zero-width non-joiner
    "\u200d": "",  # zero-width joiner (only between GSM characters; see normalise())
    "\u2060": "",  # word joiner
    "\ufeff": "",  # byte-order mark
    "\u00ad": "",  # soft hyphen
    "\u2022": "-",  # • bullet
}
_TABLE = str.maketrans(NORMALISATION)


def normalise(text: str) -> str:
    """`text` with typographic quotes, dashes, ellipses and special spaces replaced by GSM-7 equivalents.

    A zero-width joiner inside an emoji sequence is kept: dropping it would change what is shown, and the
    emoji forces UCS-2 anyway.
    """
    if text.isascii():
        return text.replace("\t", " ")
    if "\u200d" in text and not all(_is_gsm_char(ch) or ch in NORMALISATION for ch in text):
        return text.translate({k: v for k, v in _TABLE.items() if k != ord("\u200d")})
    return text.translate(_TABLE)


def _is_gsm_char(ch: str) -> bool:
    return ch in GSM7_BASIC or ch in GSM7_EXTENSION


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` (as given, not normalised) is in the GSM-7 alphabet."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def encoding_of(text: str, *, normalise: bool = True) -> Encoding:
    return GSM7 if is_gsm7(_prepare(text, normalise)) else UCS2


def _prepare(text: str, apply: bool) -> str:
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    return normalise(text) if apply else text


def _units(ch: str, enc: Encoding) -> int:
    if enc == GSM7:
        return 2 if ch in GSM7_EXTENSION else 1
    return 2 if ord(ch) > 0xFFFF else 1


def _parts(text: str, enc: Encoding) -> list[str]:
    total = sum(_units(ch, enc) for ch in text)
    if total <= SINGLE[enc]:
        return [text] if text else []
    limit = PER_PART[enc]
    parts: list[str] = []
    start = used = 0
    for i, ch in enumerate(text):
        cost = _units(ch, enc)
        if used + cost > limit:  # the whole escape or surrogate pair moves to the next part
            parts.append(text[start:i])
            start, used = i, 0
        used += cost
    parts.append(text[start:])
    return parts


@dataclass(frozen=True, slots=True)
class Measure:
    """How a text goes out: `text` as sent (normalised if asked), its `encoding`, `units` (septets for
    GSM-7, UTF-16 code units for UCS-2), `segments`, the units each part holds, and what is left in the
    last part before another one is needed."""

    text: str
    encoding: Encoding
    characters: int
    units: int
    segments: int
    per_segment: int
    remaining: int

    def to_json(self) -> dict[str, object]:
        return {
            "encoding": self.encoding,
            "characters": self.characters,
            "units": self.units,
            "segments": self.segments,
            "per_segment": self.per_segment,
            "remaining": self.remaining,
            "normalised_text": self.text,
        }


def measure(text: str, *, normalise: bool = True) -> Measure:
    """Encoding, length and segment count of one message. An empty text is 0 segments (nothing to send)."""
    prepared = _prepare(text, normalise)
    enc: Encoding = GSM7 if is_gsm7(prepared) else UCS2
    parts = _parts(prepared, enc)
    units = sum(_units(ch, enc) for ch in prepared)
    per_segment = SINGLE[enc] if len(parts) <= 1 else PER_PART[enc]
    last = sum(_units(ch, enc) for ch in parts[-1]) if parts else 0
    return Measure(
        text=prepared,
        encoding=enc,
        characters=len(prepared),
        units=units,
        segments=len(parts),
        per_segment=per_segment,
        remaining=per_segment - last,
    )


def segment_count(text: str, *, normalise: bool = True) -> int:
    return measure(text, normalise=normalise).segments


def split(text: str, *, normalise: bool = True) -> list[str]:
    """The parts a text is sent in, in order; `"".join(split(t)) == normalise(t)`. Never splits an escape
    pair (GSM-7 extension character) or a surrogate pair (UCS-2)."""
    prepared = _prepare(text, normalise)
    return _parts(prepared, GSM7 if is_gsm7(prepared) else UCS2)


@dataclass(frozen=True, slots=True)
class CostEstimate:
    messages: int
    segments: int
    price_per_segment: Decimal
    cost: Decimal
    gsm7_messages: int
    ucs2_messages: int
    max_segments: int

    def to_json(self) -> dict[str, object]:
        return {
            "messages": self.messages,
            "segments": self.segments,
            "price_per_segment": str(self.price_per_segment),
            "cost": str(self.cost),
            "gsm7_messages": self.gsm7_messages,
            "ucs2_messages": self.ucs2_messages,
            "max_segments": self.max_segments,
        }


def cost_estimate(
    texts: Iterable[str], price_per_segment: Decimal | int | str, *, normalise: bool = True
) -> CostEstimate:
    """What sending each text once costs: providers bill per part ("Message parts: N"). Personalised
    broadcasts pass one text per recipient. Empty texts are not sent and cost nothing."""
    price = Decimal(price_per_segment)
    if not price.is_finite() or price < 0:
        raise ValueError("price_per_segment must be a finite, non-negative amount")
    messages = segments = gsm = ucs = longest = 0
    for text in texts:
        m = measure(text, normalise=normalise)
        if not m.segments:
            continue
        messages += 1
        segments += m.segments
        longest = max(longest, m.segments)
        if m.encoding == GSM7:
            gsm += 1
        else:
            ucs += 1
    return CostEstimate(
        messages=messages,
        segments=segments,
        price_per_segment=price,
        cost=price * segments,
        gsm7_messages=gsm,
        ucs2_messages=ucs,
        max_segments=longest,
    )
