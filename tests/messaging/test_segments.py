"""GSM-7 / UCS-2 detection, normalisation and segment counting, with exact counts at the boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sauti.messaging.segments import (
    GSM7,
    GSM7_BASIC,
    GSM7_EXTENSION,
    NORMALISATION,
    UCS2,
    cost_estimate,
    encoding_of,
    is_gsm7,
    measure,
    normalise,
    segment_count,
    split,
)

EMOJI = "\U0001f4a7"  # 💧 droplet: outside the BMP, a surrogate pair in UTF-16


def units(part: str, encoding: str) -> int:
    if encoding == GSM7:
        return sum(2 if ch in GSM7_EXTENSION else 1 for ch in part)
    return len(part.encode("utf-16-le")) // 2


def test_the_alphabet_has_128_basic_characters_less_escape_and_ten_extension_characters() -> None:
    assert len(GSM7_BASIC) == 127  # 128 code points, escape (0x1B) is not a typeable character
    assert "\x1b" not in GSM7_BASIC
    assert frozenset("\f^{}\\[~]|€") == GSM7_EXTENSION
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize(
    ("text", "gsm"),
    [
        ("Maji yamekatwa Mathare 4A, watu 200!", True),
        ("Bei: £5 / €4 {juu} [sana] ~ ^ | \\", True),
        ("èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüà¿¡§¤¥ΔΦΓΛΩΠΨΣΘΞ@_$", True),
        ("line one\nline two\r\n", True),
        ("Ng’ombe", False),  # curly apostrophe
        ("naïve", False),
        ("ç", False),  # only capital Ç is in the set
        (f"maji {EMOJI}", False),
        ("tab\there", False),
        ("\x1b", False),
    ],
)
def test_gsm7_detection(text: str, gsm: bool) -> None:
    assert is_gsm7(text) is gsm


def test_normalisation_maps_typographic_characters_to_gsm_equivalents() -> None:
    assert normalise("Ng’ombe “wamekufa” – jana… sasa\u00a0hivi") == 'Ng\'ombe "wamekufa" - jana... sasa hivi'
    assert normalise("a\u200bb\ufeffc\u00add") == "abcd"
    assert normalise("tab\there") == "tab here"
    assert normalise("plain ascii stays") == "plain ascii stays"
    for source, target in NORMALISATION.items():
        assert is_gsm7(target), source
        assert not is_gsm7(source), source


def test_a_zero_width_joiner_inside_an_emoji_sequence_is_kept() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert normalise(f"sisi {family}") == f"sisi {family}"
    assert normalise("a\u200db") == "ab"


def test_one_curly_apostrophe_no_longer_forces_ucs2_when_normalised() -> None:
    text = "Ng’ombe " + "a" * 150  # 158 characters
    assert encoding_of(text) == GSM7 and segment_count(text) == 1
    assert encoding_of(text, normalise=False) == UCS2 and segment_count(text, normalise=False) == 3


@pytest.mark.parametrize(
    ("text", "encoding", "segments", "units_"),
    [
        ("", GSM7, 0, 0),
        ("a", GSM7, 1, 1),
        ("a" * 160, GSM7, 1, 160),
        ("a" * 161, GSM7, 2, 161),
        ("a" * 306, GSM7, 2, 306),
        ("a" * 307, GSM7, 3, 307),
        ("a" * 459, GSM7, 3, 459),
        ("a" * 460, GSM7, 4, 460),
        ("[" * 80, GSM7, 1, 160),
        ("[" * 81, GSM7, 2, 162),
        ("a" * 159 + "€", GSM7, 2, 161),
        ("a" * 158 + "€", GSM7, 1, 160),
        ("ж" * 70, UCS2, 1, 70),
        ("ж" * 71, UCS2, 2, 71),
        ("ж" * 134, UCS2, 2, 134),
        ("ж" * 135, UCS2, 3, 135),
        (EMOJI * 35, UCS2, 1, 70),
        (EMOJI * 36, UCS2, 2, 72),
        ("a" * 68 + EMOJI, UCS2, 1, 70),
        ("a" * 69 + EMOJI, UCS2, 2, 71),
    ],
)
def test_segment_counts_at_the_boundaries(text: str, encoding: str, segments: int, units_: int) -> None:
    m = measure(text)
    assert (m.encoding, m.segments, m.units) == (encoding, segments, units_)
    assert segment_count(text) == segments == len(split(text))


def test_161_gsm_characters_are_sent_as_153_plus_8() -> None:
    parts = split("a" * 161)
    assert [len(p) for p in parts] == [153, 8]
    m = measure("a" * 161)
    assert (m.per_segment, m.remaining) == (153, 145)


def test_71_ucs2_characters_are_sent_as_67_plus_4() -> None:
    assert [len(p) for p in split("ж" * 71)] == [67, 4]


def test_an_escape_pair_at_a_part_boundary_moves_whole_to_the_next_part() -> None:
    # 152 septets, then "[" (2 septets) would straddle 153: it starts part two.
    text = "a" * 152 + "[" + "b" * 10
    parts = split(text)
    assert parts == ["a" * 152, "[" + "b" * 10]
    assert [units(p, GSM7) for p in parts] == [152, 12]


def test_an_escape_pair_at_the_boundary_can_add_a_part_that_division_would_miss() -> None:
    # 306 septets = 2 x 153, but the "€" would straddle the first boundary: three parts.
    text = "a" * 152 + "€" + "a" * 152
    assert measure(text).units == 306
    assert [units(p, GSM7) for p in split(text)] == [152, 153, 1]
    assert segment_count(text) == 3


def test_a_surrogate_pair_is_never_split() -> None:
    text = "a" * 66 + EMOJI + "b" * 10  # the emoji would take units 67 and 68
    parts = split(text)
    assert parts == ["a" * 66, EMOJI + "b" * 10]
    assert [units(p, UCS2) for p in parts] == [66, 12]
    for part in split(EMOJI * 36):
        part.encode("utf-16-le")  # a lone surrogate would not encode
        assert units(part, UCS2) <= 67


@pytest.mark.parametrize("n", [1, 70, 71, 153, 154, 200, 400, 1000])
def test_split_parts_join_back_and_fit(n: int) -> None:
    for text in ("x" * n, ("ab[" * n)[:n], ("ж" * n), (EMOJI + "a") * (n // 2 + 1)):
        parts = split(text)
        assert "".join(parts) == normalise(text)
        encoding = encoding_of(text)
        limit = (160 if encoding == GSM7 else 70) if len(parts) == 1 else (153 if encoding == GSM7 else 67)
        assert all(units(p, encoding) <= limit for p in parts)


def test_split_applies_normalisation_unless_told_not_to() -> None:
    assert split("Asante “sana”") == ['Asante "sana"']
    assert split("Asante “sana”", normalise=False) == ["Asante “sana”"]


def test_cost_estimate_counts_parts_per_message() -> None:
    texts = ["a" * 160, "a" * 161, "ж" * 71, "", "Ng’ombe"]
    estimate = cost_estimate(texts, Decimal("0.80"))
    assert (estimate.messages, estimate.segments, estimate.max_segments) == (4, 1 + 2 + 2 + 1, 2)
    assert (estimate.gsm7_messages, estimate.ucs2_messages) == (3, 1)
    assert estimate.cost == Decimal("4.80")
    assert estimate.to_json()["cost"] == "4.80"
    raw = cost_estimate(texts, "0.80", normalise=False)
    assert (raw.ucs2_messages, raw.cost) == (2, Decimal("4.80"))
    assert cost_estimate([], 1).cost == 0


@pytest.mark.parametrize("price", ["-1", "NaN", "Infinity"])
def test_cost_estimate_rejects_impossible_prices(price: str) -> None:
    with pytest.raises(ValueError, match="price_per_segment"):
        cost_estimate(["a"], price)


def test_non_strings_are_rejected() -> None:
    with pytest.raises(TypeError):
        measure(b"bytes")  # type: ignore[arg-type]
