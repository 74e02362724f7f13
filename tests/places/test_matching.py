"""The pure text-matching core, on a small hand-made index (no database)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from sauti.places.matching import (
    PlaceCandidate,
    PlaceEntry,
    PlaceIndex,
    Token,
    _Mention,
    name_variants,
    normalize,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lang'ata", "langata"),
        ("Murang’a", "muranga"),
        ("Kibéra", "kibera"),
        ("Mathare4A", "mathare 4 a"),
        ("MATHARE 4 A", "mathare 4 a"),
        ("mathare-4a", "mathare 4 a"),
        ("Taita-Taveta", "taita taveta"),
        ("Mji wa Kale/Makadara", "mji wa kale makadara"),
        ("Umoja II", "umoja 2"),
        ("Umoja I", "umoja 1"),
        ("Dandora Area Iv", "dandora area 4"),
        ("Mathare No. 10", "mathare 10"),
        ("where I live", "where i live"),
        ("  ", ""),
    ],
)
def test_it_normalises_spelling_variants_to_one_form(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_it_marks_capitalised_words_only_mid_sentence() -> None:
    flags = [(t.text, t.capitalised) for t in tokenize("Maji yamekatwa Bondeni. Leo ni siku")]
    assert flags == [
        ("maji", False),
        ("yamekatwa", False),
        ("bondeni", True),
        ("leo", False),
        ("ni", False),
        ("siku", False),
    ]


def test_it_ignores_capitals_in_a_shouted_message() -> None:
    assert not any(t.capitalised for t in tokenize("MAJI YAMEKATWA BONDENI LEO"))


def test_it_splits_slash_and_bracket_names_into_parts() -> None:
    assert name_variants("Woodley/Kenyatta Golf Course") == ["Woodley", "Kenyatta Golf Course"]
    assert name_variants("Kajaunyuolo (Kaloleni)") == ["Kajaunyuolo", "Kaloleni"]
    assert name_variants("Kibra") == []


def _place(
    kind: str, name: str, county: int, constituency: int | None = None, ward: int | None = None
) -> PlaceCandidate:
    return PlaceCandidate(kind, name, ward, constituency, county, 0.0)


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    entries = [
        PlaceEntry(_place("county", "Nairobi", 47), (("Nairobi", 1.0), ("Nairobi City", 0.95))),
        PlaceEntry(_place("county", "Kisumu", 42), (("Kisumu", 1.0),)),
        PlaceEntry(_place("constituency", "Kibra", 47, 278), (("Kibra", 1.0), ("Kibera", 0.95))),
        PlaceEntry(_place("ward", "Kwa Reuben", 47, 282, 1408), (("Kwa Reuben", 1.0),)),
        PlaceEntry(_place("ward", "Korogocho", 47, 281, 1405), (("Korogocho", 1.0),)),
        PlaceEntry(_place("ward", "Kwa", 44, 255, 1272), (("Kwa", 1.0),)),
        PlaceEntry(_place("ward", "Hospital", 47, 290, 1445), (("Hospital", 1.0),)),
        PlaceEntry(_place("settlement", "Mathare 4A", 47, 290), (("Mathare 4A", 1.0),), 1),
        PlaceEntry(_place("settlement", "Bondeni", 47, 290), (("Bondeni", 1.0),), 1),
        PlaceEntry(_place("settlement", "Bondeni", 42), (("Bondeni", 1.0),), 4),
    ]
    return PlaceIndex(entries, common_words=["!kwa", "bondeni", "hospital", "maji", "watu", "leo"])


def _top(found: list[PlaceCandidate]) -> tuple[str, str, float]:
    return found[0].kind, found[0].name, round(found[0].score, 2)


def test_it_scores_exact_compact_reordered_alias_and_typo_matches_on_one_scale(index: PlaceIndex) -> None:
    assert _top(index.search("kwa reuben")) == ("ward", "Kwa Reuben", 1.0)
    assert _top(index.search("Kwareuben")) == ("ward", "Kwa Reuben", 0.98)
    assert _top(index.search("Reuben Kwa")) == ("ward", "Kwa Reuben", 0.97)
    assert _top(index.search("Kibera")) == ("constituency", "Kibra", 0.95)
    kind, name, score = _top(index.search("Korogosho"))
    assert (kind, name) == ("ward", "Korogocho") and 0.75 < score < 0.9


def test_it_reads_kind_words_in_kiswahili_and_english(index: PlaceIndex) -> None:
    assert _top(index.search("Kaunti ya Nairobi")) == ("county", "Nairobi", 1.0)
    assert _top(index.search("Nairobi County")) == ("county", "Nairobi", 1.0)
    assert _top(index.search("wadi ya Kwa Reuben")) == ("ward", "Kwa Reuben", 1.0)
    assert _top(index.search("eneo bunge la Kibra")) == ("constituency", "Kibra", 1.0)
    assert _top(index.search("kijiji cha Bondeni"))[:2] == ("settlement", "Bondeni")
    # The kind named lowers the other kinds: a constituency asked for as a county.
    assert _top(index.search("Kaunti ya Kibra")) == ("constituency", "Kibra", 0.9)


def test_it_returns_every_place_of_an_ambiguous_name_and_a_county_hint_reranks(index: PlaceIndex) -> None:
    found = index.search("Bondeni")
    assert [(c.county_code, c.score) for c in found] == [(47, 1.0), (42, 1.0)]
    hinted = index.search("Bondeni", county_code=42)
    assert [(c.county_code, c.score) for c in hinted] == [(42, 1.0), (47, 0.85)]


def test_it_finds_places_named_inside_a_longer_query(index: PlaceIndex) -> None:
    found = index.search("Bondeni, Kisumu")
    assert {(c.kind, c.county_code, c.score) for c in found[:2]} == {
        ("settlement", 42, 0.95),
        ("county", 42, 0.95),
    }
    assert all(c.county_code == 42 for c in found[:2])


def test_it_returns_nothing_for_blank_text(index: PlaceIndex) -> None:
    assert index.search("  ") == []
    assert index.extract("") == []


def test_extract_finds_a_village_inside_an_sms(index: PlaceIndex) -> None:
    found = index.extract("Maji yamekatwa Mathare4A tangu jana, watu 200 hawana maji")
    assert [(c.name, c.score) for c in found] == [("Mathare 4A", 1.0)]


def test_extract_takes_a_common_word_as_a_place_only_with_a_cue_or_a_capital(index: PlaceIndex) -> None:
    assert index.extract("maji yamejaa bondeni") == []
    assert index.extract("tulienda hospital leo") == []
    cued = index.extract("maji yamejaa kijiji cha bondeni")
    assert {c.county_code for c in cued} == {42, 47} and all(c.score == 1.0 for c in cued)
    capitalised = index.extract("maji yamejaa Bondeni leo")
    assert capitalised and all(c.score == pytest.approx(0.8) for c in capitalised)


def test_extract_never_takes_kwa_alone_but_does_after_a_kind_word(index: PlaceIndex) -> None:
    assert index.extract("Tunaomba msaada kwa Chifu") == []
    assert index.extract("Tunaomba msaada Kwa wazee") == []
    assert [c.ward_code for c in index.extract("tuko wadi ya Kwa, Migori")] == [1272]
    assert [c.ward_code for c in index.extract("hakuna maji kwa Reuben")] == [1408]


def test_extract_corrects_typos_only_where_a_name_is_marked(index: PlaceIndex) -> None:
    assert index.extract("sisi wa korogosho tumechoka") == []
    assert [c.ward_code for c in index.extract("sisi wa Korogosho tumechoka")] == [1405]
    assert [c.ward_code for c in index.extract("tuko huko korogosho")] == [1405]


def test_extract_prefers_the_place_that_fits_the_rest_of_the_message(index: PlaceIndex) -> None:
    found = index.extract("Tunaomba msaada kijiji cha Bondeni Kisumu")
    assert [(c.kind, c.county_code) for c in found] == [("settlement", 42), ("county", 42)]


def test_candidates_serialise_with_the_contract_keys() -> None:
    data = PlaceCandidate("ward", "Kwa Reuben", 1408, 282, 47, 0.98765).to_json()
    assert {"kind", "name", "ward_code", "constituency_code", "county_code", "score"} <= data.keys()
    assert data["score"] == 0.988


class _RecordingIndex(PlaceIndex):
    """Records the windows `_mentions` looked up that named something."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.named: set[tuple[int, int, float, int]] = set()

    def _window(
        self, tokens: Sequence[Token], words: Sequence[str], start: int, end: int, *, query: bool
    ) -> _Mention | None:
        mention = super()._window(tokens, words, start, end, query=query)
        if mention is not None:
            self.named.add((mention.start, mention.end, mention.best, mention.top))
        return mention


def every_named_window(index: PlaceIndex, text: str, *, query: bool) -> set[tuple[int, int, float, int]]:
    """Every window of up to `max_words` words that names something, none skipped."""
    tokens = tokenize(text)
    words = [t.text for t in tokens]
    found = set()
    for start in range(len(words)):
        for end in range(start + 1, min(len(words), start + index.max_words) + 1):
            m = PlaceIndex._window(index, tokens, words, start, end, query=query)
            if m is not None:
                found.add((m.start, m.end, m.best, m.top))
    return found


def assert_no_named_window_is_skipped(index: _RecordingIndex, texts: Sequence[str]) -> int:
    named = 0
    for text in texts:
        for query in (False, True):
            index.named.clear()
            index._mentions(tokenize(text), query=query)
            expected = every_named_window(index, text, query=query)
            assert index.named == expected, (text, query)
            named += len(expected)
    return named


def test_extraction_skips_only_windows_that_cannot_name_a_place() -> None:
    entries = [
        PlaceEntry(_place("ward", "Kwa Reuben", 47, 282, 1408), (("Kwa Reuben", 1.0),)),
        PlaceEntry(_place("ward", "Kwareuben Heights", 47, 282, 1409), (("Kwareuben Heights", 1.0),)),
        PlaceEntry(
            _place("settlement", "Manyatta Lower Kanyakwar Unit", 42),
            (("Manyatta Lower Kanyakwar Unit", 1.0),),
        ),
        PlaceEntry(
            _place("settlement", "Soweto East", 47, 278), (("Soweto East", 1.0), ("Soweto Mashariki", 0.95))
        ),
        PlaceEntry(_place("settlement", "Mathare 4A", 47, 290), (("Mathare 4A", 1.0),), 1),
        PlaceEntry(_place("settlement", "Mathare", 47, 290), (("Mathare", 1.0),), 1),
        PlaceEntry(_place("ward", "Korogocho", 47, 281, 1405), (("Korogocho", 1.0),)),
        PlaceEntry(_place("settlement", "Bondeni", 47, 290), (("Bondeni", 1.0),), 1),
        PlaceEntry(_place("settlement", "Kisumu Ndogo", 47, 278), (("Kisumu Ndogo", 1.0),)),
    ]
    index = _RecordingIndex(entries, common_words=["!kwa", "bondeni", "maji", "watu", "leo", "ndogo"])
    texts = [
        "Maji yamekatwa Kwa Reuben leo",
        "maji yamekatwa kwareuben heights",  # compact across words, then a longer name
        "kwa reuben heights na Kwareubeen Heigts",  # typos in a two-word name
        "Watu wa Manyatta Lower Kanyakwar Unit hawana maji",
        "Manyata Lower Kanyakwar Unit",
        "East Soweto na Mashariki Soweto",  # reordered
        "Mathareni hakuna maji, Mathare 4 A pia",  # locative
        "huko Korogochoo watu 200",  # a typo after a cue
        "Tuko KOROGOCHOO sasa, wao Mathaare",  # a capital
        "kijiji cha Bondeni na Bondeni",
        "Kisumu Ndogo Kisumundogo ndogo kisumu",
        "",
        "a b c d e f 12 34",
    ]
    assert assert_no_named_window_is_skipped(index, texts) > 15
