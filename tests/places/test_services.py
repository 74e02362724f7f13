"""find_places / extract_places on the real gazetteer."""

from __future__ import annotations

import pytest

from sauti.places.models import PlaceAlias
from sauti.places.services import PlaceCandidate, extract_places, find_places, get_index

pytestmark = pytest.mark.django_db


def _first(text: str, **kwargs: object) -> PlaceCandidate:
    found = find_places(text, **kwargs)  # type: ignore[arg-type]
    assert found, text
    return found[0]


@pytest.mark.parametrize("text", ["Mathare 4A", "mathare4a", "mathare 4 a", "MATHARE 4-A", "Mathare No. 4A"])
def test_a_mathare_village_is_found_however_it_is_written(text: str) -> None:
    top = _first(text)
    assert (top.kind, top.name, top.constituency_code, top.county_code, top.score) == (
        "settlement",
        "Mathare 4A",
        290,
        47,
        1.0,
    )
    assert top.parent_name == "Mathare" and top.settlement_id is not None


def test_kibera_resolves_to_kibra_and_kibra_to_the_constituency() -> None:
    kibera = find_places("Kibera")
    assert kibera[0].constituency_code == 278 and kibera[0].score == 1.0
    assert ("constituency", 278) in {(c.kind, c.constituency_code) for c in kibera}
    assert all(c.constituency_code == 278 for c in kibera)  # the Mugumo-ini label point is not offered
    kibra = _first("Kibra")
    assert (kibra.kind, kibra.constituency_code, kibra.score) == ("constituency", 278, 1.0)
    wards = find_places("wadi ya Laini Saba")
    assert (wards[0].kind, wards[0].ward_code, wards[0].constituency_code) == ("ward", 1386, 278)


def test_kwa_reuben_is_a_ward_of_embakasi_south() -> None:
    for text in ("kwa Reuben", "Kwa Reuben ward", "wadi ya Kwa Reuben", "kwareuben"):
        top = _first(text)
        assert (top.kind, top.ward_code, top.constituency_code) == ("ward", 1408, 282), text
    assert _first("Mukuru kwa Reuben").ward_code == 1408


@pytest.mark.parametrize(
    ("text", "kind", "code"),
    [
        ("Langata", "constituency", 277),
        ("Lang'ata", "constituency", 277),
        ("Muranga", "county", 21),
        ("Murang'a", "county", 21),
        ("Taita Taveta", "county", 6),
        ("Elgeyo Marakwet", "county", 28),
        ("Tharaka Nithi", "county", 13),
        ("Homa Bay", "county", 43),
        ("Homabay", "county", 43),
        ("Trans-Nzoia", "county", 26),
        ("Nairobi City", "county", 47),
        ("Kaunti ya Nairobi", "county", 47),
        ("Nairobi county", "county", 47),
        ("Mombasa", "county", 1),
        ("eneo bunge la Kibra", "constituency", 278),
        ("Mbita", "constituency", 251),
        ("Imenti Central", "constituency", 58),
    ],
)
def test_spelling_variants_and_kiswahili_forms(text: str, kind: str, code: int) -> None:
    top = _first(text)
    got = {"county": top.county_code, "constituency": top.constituency_code, "ward": top.ward_code}[kind]
    assert (top.kind, got) == (kind, code)
    assert top.score >= 0.9


def test_a_county_candidate_has_no_ward_or_constituency() -> None:
    top = _first("Kaunti ya Nairobi")
    assert (top.kind, top.county_code, top.constituency_code, top.ward_code, top.score) == (
        "county",
        47,
        None,
        None,
        1.0,
    )


def test_typos_are_found_with_a_lower_score() -> None:
    top = _first("Korogosho")
    assert (top.name, top.ward_code) == ("Korogocho", 1405)
    assert 0.75 <= top.score < 0.9
    assert _first("Gatwikera").name == "Gatwekera"


def test_kayole_and_laini_saba() -> None:
    kayole = _first("Kayole")
    assert (kayole.kind, kayole.constituency_code, kayole.score) == ("settlement", 284, 1.0)
    assert {c.ward_code for c in find_places("Kayole")} >= {1416, 1417, 1418}
    laini = _first("Laini Saba")
    assert (laini.ward_code, laini.constituency_code) == (1386, 278)


def test_an_ambiguous_name_returns_every_place_and_a_county_hint_reranks() -> None:
    found = find_places("Kisumu Ndogo")
    places = {(c.county_code, c.parent_name) for c in found if c.name == "Kisumu Ndogo"}
    assert places >= {(47, "Kibera"), (47, "Korogocho"), (1, ""), (16, "")}
    assert all(c.score == 1.0 for c in found[:4])
    hinted = find_places("Kisumu Ndogo", county_code=1)
    assert (hinted[0].county_code, hinted[0].score) == (1, 1.0)
    assert all(c.score < 1.0 for c in hinted[1:])
    bondeni = {c.county_code for c in find_places("Bondeni")}
    assert bondeni >= {47, 16, 42}


def test_limit_is_respected_and_blank_text_finds_nothing() -> None:
    assert len(find_places("Township", limit=3)) == 3
    assert find_places("   ") == []


def test_an_alias_added_by_staff_is_found_at_once() -> None:
    assert find_places("Zzyzx Corner") == []
    PlaceAlias.objects.create(kind="ward", code="1445", alias="Zzyzx Corner", source="staff")
    top = _first("Zzyzx Corner")
    assert (top.ward_code, top.score) == (1445, 0.95)


SMS = [
    ("Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji", [("settlement", "Mathare 4A")]),
    (
        "Leo kuna mkutano wa chifu pale Kianda, Kibera saa nne",
        [("settlement", "Kianda"), ("settlement", "Kibera")],
    ),
    ("Sisi wa Korogosho tumechoka na takataka barabarani", [("ward", "Korogocho")]),
    ("Maze, pale Kayole kuna ma-cops wanasumbua vijana kila usiku", [("settlement", "Kayole")]),
    ("Stima imepotea Laini Saba tangu juzi", [("ward", "Laini Saba")]),
    ("Hakuna maji kwa Reuben wiki mbili sasa", [("ward", "Kwa Reuben")]),
    ("Nyumba zimebomolewa Mukuru kwa Njenga leo asubuhi", [("settlement", "Mukuru kwa Njenga")]),
    (
        "Flooding in Bondeni, Mathare. Families displaced",
        [("settlement", "Bondeni"), ("settlement", "Mathare")],
    ),
    (
        "Evictions reported in Mugumo-ini ward, Lang'ata",
        [("ward", "Mugumo-Ini"), ("constituency", "Langata")],
    ),
    ("Mtaa wa Gatwekera uchafu umejaa, hakuna choo", [("settlement", "Gatwekera")]),
    ("Tuko Mashimoni, Mathare. Hakuna stima", [("settlement", "Mashimoni"), ("settlement", "Mathare")]),
]


@pytest.mark.parametrize(("sms", "expected"), SMS, ids=[s[:24] for s, _ in SMS])
def test_extract_places_from_realistic_messages(sms: str, expected: list[tuple[str, str]]) -> None:
    found = extract_places(sms)
    got = [(c.kind, c.name) for c in found]
    for item in expected:
        assert item in got, (sms, got)
    assert all(c.score >= 0.6 for c in found)


def test_extract_uses_the_rest_of_the_message_to_pick_among_namesakes() -> None:
    mathare = extract_places("Tuko Mashimoni, Mathare. Hakuna stima")
    assert [c.parent_name for c in mathare if c.name == "Mashimoni"] == ["Mathare"]
    kibera = extract_places("Kisumu Ndogo, Kibera: hakuna vyoo")
    assert [c.parent_name for c in kibera if c.name == "Kisumu Ndogo"] == ["Kibera"]
    kisumu = extract_places("Tunaomba msaada kijiji cha Bondeni Kisumu")
    assert [c.county_code for c in kisumu if c.name == "Bondeni"] == [42]


@pytest.mark.parametrize(
    "sms",
    [
        "maji",
        "watu",
        "tangu",
        "jana",
        "leo",
        "kwa",
        "maji leo watu kwa jana tangu",
        "Nimeenda hospitali jana na sokoni leo",
        "Umoja wa wanawake umekutana leo kwa amani",
        "Raila amesema serikali itajenga barabara",
        "Kwanza, tunashukuru kwa msaada wa mara ya kwanza",
        "Habari, asante sana kwa biashara yako",
    ],
)
def test_common_words_are_not_places(sms: str) -> None:
    assert extract_places(sms) == []


def test_extract_returns_nothing_for_blank_text() -> None:
    assert extract_places("") == []


def test_extraction_skips_no_window_that_names_a_place_in_the_labelled_messages() -> None:
    import csv
    from pathlib import Path

    from sauti.places.gazetteer import common_words
    from tests.places.test_matching import _RecordingIndex, assert_no_named_window_is_skipped

    real = get_index()
    index = _RecordingIndex(real.entries, common_words=common_words())
    labelled = Path(__file__).parents[1] / "conversations" / "labelled_sms.csv"
    with labelled.open(encoding="utf-8") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    assert assert_no_named_window_is_skipped(index, texts) > 300
