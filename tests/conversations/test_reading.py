"""`reading.analyse` without a database: the place step is injected."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from sauti.conversations.reading import (
    MAX_TEXT_LENGTH,
    Analysis,
    analyse,
    best_place,
    detect_language,
    people_affected,
    score_categories,
    tokenize,
)
from sauti.monitoring.taxonomy import TOP_LEVEL_KEYS
from sauti.places.matching import PlaceCandidate

MATHARE = PlaceCandidate("settlement", "Mathare", None, 290, 47, 1.0, matched="mathare")
MATHARE_4A = PlaceCandidate(
    "settlement", "Mathare 4A", None, 290, 47, 1.0, parent_name="Mathare", matched="mathare 4 a"
)
BONDENI_MATHARE = PlaceCandidate(
    "settlement", "Bondeni", None, 290, 47, 0.8, parent_name="Mathare", matched="bondeni"
)
BONDENI_KISUMU = PlaceCandidate("settlement", "Bondeni", None, None, 42, 0.8, matched="bondeni")
NAIROBI = PlaceCandidate("county", "Nairobi", None, None, 47, 1.0, matched="nairobi")
MOMBASA = PlaceCandidate("county", "Mombasa", None, None, 1, 1.0, matched="mombasa")
MAJENGO = PlaceCandidate("ward", "Majengo", 30, 6, 1, 0.8, matched="majengo")
LIKONI_WARD = PlaceCandidate("ward", "Likoni", 24, 5, 1, 1.0, matched="likoni")
LIKONI_CONSTITUENCY = PlaceCandidate("constituency", "Likoni", None, 5, 1, 1.0, matched="likoni")
HURUMA_UG = PlaceCandidate("ward", "Huruma", 713, 142, 27, 1.0, matched="huruma")
HURUMA_NBI = PlaceCandidate("ward", "Huruma", 1447, 290, 47, 1.0, matched="huruma")


class FakeFinder:
    """Records what the analysis asks the gazetteer and answers with fixed candidates."""

    def __init__(self, *found: PlaceCandidate) -> None:
        self.found = list(found)
        self.calls: list[tuple[str, int | None]] = []

    def __call__(self, text: str, *, county_code: int | None = None) -> Sequence[PlaceCandidate]:
        self.calls.append((text, county_code))
        return self.found


def no_places(text: str, *, county_code: int | None = None) -> Sequence[PlaceCandidate]:
    return []


# Tokens ----------------------------------------------------------------------------------------------


def test_tokenize_normalises_sms_writing() -> None:
    assert tokenize("Maji HAKNA sanaaaa!! Ng’ombe 1,000 watu, Mathare4A xaxa ppl") == [
        "maji", "hakuna", "sana", "ngombe", "1000", "watu", "mathare", "4", "a", "sasa", "people",
    ]  # fmt: skip
    assert tokenize("kwnz tnaomba msaada plz") == ["kwanza", "tunaomba", "msaada", "please"]
    assert tokenize("") == []


# Language --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Maji yamekatwa tangu jana, hatuna maji ya kunywa", "sw"),
        ("Polisi wamewapiga vijana bila sababu", "sw"),
        ("manze wasee wa kanjo wamebomoa keja xaxa", "sw"),  # Sheng counts as Kiswahili
        ("Water has been cut for three days and nobody has come", "en"),
        ("The children were sent home because of exam fees", "en"),
        ("Water imekatwa tena, we have been told itarudi next week", "mixed"),
        ("Tumekaa bila maji for two weeks, the county haijatuambia kitu", "mixed"),
        ("Landlord ametufungia nyumba yetu, hatuna pa kulala", "sw"),  # one loanword is not mixing
        ("", "sw"),
        ("12345", "sw"),
    ],
)
def test_language(text: str, language: str) -> None:
    assert detect_language(tokenize(text)) == language


def test_place_names_are_no_evidence_of_language() -> None:
    tokens = tokenize("Githurai Kahawa West Roysambu")
    assert detect_language(tokens, ignore=frozenset(range(len(tokens)))) == "sw"  # the default


# Category --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Maji yamekatwa Mathare 4A tangu jana", "water"),
        ("mabomba yamepasuka hakuna maji", "water"),
        ("Maji taka yanafurika kwa nyumba", "sanitation"),  # "maji taka" is sewage, not water
        ("Takataka hazijazolewa wiki tatu", "sanitation"),
        ("Tumefurushwa na tingatinga zimebomoa nyumba", "housing"),
        ("Moshi wa kiwanda unatuua", "environment"),
        ("Polisi wamempiga kijana risasi", "security"),
        ("Karao wanaitisha hongo kila siku", "security"),  # police bribes: security-extortion
        ("Chifu anaitisha hongo ili atoe barua", "corruption"),  # an official's bribe: corruption
        ("Mume wake anampiga kila siku", "gbv"),
        ("Msichana amebakwa jana usiku", "gbv"),
        ("Shamba la mjane limenyakuliwa na mashemeji", "land"),
        ("Zahanati haina dawa, wagonjwa wanarudishwa", "health"),
        ("Watoto wamefukuzwa shule kwa sababu ya ada", "education"),
        ("Mradi wa barabara umekwama, mkandarasi ametoweka", "public-projects"),
        ("Ufisadi mkubwa kwa ofisi ya ardhi", "corruption"),
        ("Stima imekatika wiki nzima", "other"),
        # bribes reported without the word: a sum an official asks for, a payment to get a service
        ("Mwenyekiti wa soko anataka elfu mbili kabla ya kukupa kibanda", "corruption"),
        ("The ward officer asked for 3000 to sign the form", "corruption"),
        ("Tulilazimishwa kulipa pesa ndio tupate barua", "corruption"),
        ("Askari wa kaunti wanataka elfu moja kila siku", "security"),  # county askari: extortion
        ("Tunanunua mtungi shilingi 50, maji hakuna", "water"),  # a price is not a bribe
        ("Habari, asante sana", "other"),
        ("", "other"),
    ],
)
def test_category(text: str, category: str) -> None:
    assert analyse(text, place_finder=no_places).category == category


def test_every_category_has_a_score() -> None:
    scores = score_categories(tokenize("maji taka na takataka"))
    assert list(scores) == TOP_LEVEL_KEYS
    assert scores["sanitation"] > scores["water"]
    assert all(v == 0 for k, v in scores.items() if k not in {"water", "sanitation"})


def test_a_rule_counts_once_however_often_it_matches() -> None:
    once = score_categories(tokenize("maji"))
    assert score_categories(tokenize("maji maji maji maji")) == once


# People affected -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count", "unit"),
    [
        ("watu 200 hawana maji", 200, "people"),
        ("200 people have no water", 200, "people"),
        ("familia 30 zimefurushwa", 30, "households"),
        ("families 30 evicted", 30, "households"),
        ("nyumba 50 zimebomolewa", 50, "households"),
        ("over 150 families evicted", 150, "households"),
        ("watu mia mbili wameathirika", 200, "people"),
        ("familia hamsini hazina maji", 50, "households"),
        ("watu elfu moja wako nje", 1000, "people"),
        ("watu elfu moja mia tano", 1500, "people"),
        ("watu mia mbili na hamsini", 250, "people"),
        ("wakazi kumi na tano", 15, "people"),
        ("vijana watatu wamekamatwa", 3, "people"),
        ("over two hundred people", 200, "people"),
        ("two hundred and fifty residents", 250, "people"),
        ("about fifty families", 50, "households"),
        ("a thousand people", 1000, "people"),
        ("watu kama 500", 500, "people"),
        ("zaidi ya watu 100", 100, "people"),
        ("watu zaidi ya 100", 100, "people"),
        ("zaidi ya 100 watu", 100, "people"),
        ("Over 1,000 residents signed", 1000, "people"),
        ("familia 30, watu 200", 200, "people"),  # people before households
        ("watu 200, watoto 50 kati yao", 200, "people"),  # the largest
        ("nyumba tano zimevamiwa", 5, "households"),
    ],
)
def test_people_affected(text: str, count: int, unit: str) -> None:
    assert people_affected(tokenize(text)) == (count, unit)


@pytest.mark.parametrize(
    "text",
    [
        "Maji hakuna, mtungi ni KSh 500",
        "tunalipa shilingi 500 kwa mtungi",
        "tangu tarehe 3 hakuna maji",
        "since 12/03/2024 no water",
        "call 0712345678 for details",
        "watu 0712345678",
        "msichana wa miaka 12 amebakwa",
        "a 16 year old girl",
        "girl of 14",
        "wiki 2 bila maji, siku 3",
        "saa 4 asubuhi polisi walikuja",
        "nyumba ya tatu imeanguka",
        "hundreds of people",
        "Mathare 4A hakuna maji",
        "HALI 123",
        "watu 200 km",
        "",
    ],
)
def test_not_a_count_of_people(text: str) -> None:
    assert people_affected(tokenize(text)) == (None, None)


def test_numbers_in_place_names_are_not_counts() -> None:
    tokens = tokenize("Mathare 10 watu hawana maji")
    assert people_affected(tokens) == (10, "people")
    assert people_affected(tokens, blocked=frozenset({0, 1})) == (None, None)
    analysis = analyse(
        "Mathare 10 watu hawana maji",
        place_finder=FakeFinder(
            PlaceCandidate("settlement", "Mathare 10", None, 290, 47, 1.0, matched="mathare 10")
        ),
    )
    assert analysis.people_affected is None


# Places ----------------------------------------------------------------------------------------------


def test_best_place_prefers_the_most_specific_of_equally_likely_places() -> None:
    assert best_place([NAIROBI, MATHARE_4A]) is MATHARE_4A
    assert best_place([MOMBASA, LIKONI_CONSTITUENCY, LIKONI_WARD]) is LIKONI_WARD
    assert best_place([]) is None


def test_best_place_takes_a_place_inside_a_named_one_even_when_scored_lower() -> None:
    assert best_place([MATHARE, BONDENI_MATHARE, BONDENI_KISUMU]) is BONDENI_MATHARE
    assert best_place([MOMBASA, MAJENGO]) is MAJENGO


def test_best_place_keeps_the_finders_order_between_unrelated_equals() -> None:
    assert best_place([HURUMA_UG, HURUMA_NBI]) is HURUMA_UG
    assert best_place([HURUMA_NBI, HURUMA_UG]) is HURUMA_NBI


def test_best_place_ignores_a_lower_unrelated_candidate() -> None:
    assert best_place([MATHARE_4A, BONDENI_KISUMU]) is MATHARE_4A


# The whole analysis ----------------------------------------------------------------------------------


def test_free_text_report() -> None:
    finder = FakeFinder(MATHARE_4A)
    a = analyse("Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji", 47, place_finder=finder)
    assert (a.language, a.category, a.place, a.people_affected, a.people_unit) == (
        "sw",
        "water",
        MATHARE_4A,
        200,
        "people",
    )
    assert a.command is None and a.reference is None
    assert finder.calls == [("Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji", 47)]
    assert a.to_json() == {
        "language": "sw",
        "category": "water",
        "category_scores": {**dict.fromkeys(TOP_LEVEL_KEYS, 0.0), "water": 3.0},
        "category_choices": [],
        "category_said": False,
        "place": {
            "kind": "settlement",
            "name": "Mathare 4A",
            "ward_code": None,
            "constituency_code": 290,
            "county_code": 47,
            "score": 1.0,
        },
        "people_affected": 200,
        "people_unit": "people",
        "command": None,
        "reference": None,
    }


def test_keyword_report_takes_the_category_and_marks_the_place_slot() -> None:
    finder = FakeFinder(BONDENI_MATHARE)
    a = analyse("RIPOTI ELIMU Bondeni maji yamekatwa", place_finder=finder)
    assert (a.command, a.category, a.body, a.place) == (
        "report",
        "education",  # the sender's category word wins over the text's
        "Bondeni maji yamekatwa",
        BONDENI_MATHARE,
    )
    assert a.category_scores["water"] > 0
    assert finder.calls == [("eneo la Bondeni maji yamekatwa", None)]
    assert a.language == "sw"
    assert analyse("REPORT WATER Kware no water", place_finder=no_places).language == "en"


def test_keyword_report_without_category_word_is_classified_from_the_text() -> None:
    a = analyse("Ripoti: polisi wamewapiga vijana Kibera", place_finder=no_places)
    assert (a.command, a.category) == ("report", "security")


@pytest.mark.parametrize(
    ("text", "command", "reference", "language"),
    [
        ("HALI 123", "status", 123, "sw"),
        ("status #45", "status", 45, "en"),
        ("STATUS", "status", None, "en"),
        ("STOP", "stop", None, "en"),
        ("Acha", "stop", None, "sw"),
        ("SIMAMA", "stop", None, "sw"),
        ("anza", "start", None, "sw"),
    ],
)
def test_commands_skip_the_report_analysis(
    text: str, command: str, reference: int | None, language: str
) -> None:
    finder = FakeFinder(MATHARE)
    a = analyse(text, place_finder=finder)
    assert (a.command, a.reference, a.language, a.category, a.place, a.people_affected) == (
        command,
        reference,
        language,
        "other",
        None,
        None,
    )
    assert finder.calls == []


def test_empty_and_oversized_texts() -> None:
    finder = FakeFinder(MATHARE)
    empty = analyse("   ", place_finder=finder)
    assert (empty.category, empty.place, empty.people_affected, finder.calls) == ("other", None, None, [])
    long = analyse("maji " * 1000, place_finder=finder)
    assert len(long.text) == MAX_TEXT_LENGTH and long.category == "water"
    assert len(finder.calls[0][0]) <= MAX_TEXT_LENGTH


def test_text_must_be_a_string() -> None:
    with pytest.raises(TypeError):
        analyse(None, place_finder=no_places)  # type: ignore[arg-type]


def test_analysis_is_frozen() -> None:
    a = analyse("maji", place_finder=no_places)
    assert isinstance(a, Analysis)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.category = "land"  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.category_scores["water"] = 0  # type: ignore[index]
