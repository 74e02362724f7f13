"""The `sauti places` console contract: JSON other tools parse, clear errors for bad input."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest

from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {"kind", "name", "ward_code", "constituency_code", "county_code", "score"}


def run(*args: str) -> str:
    out = StringIO()
    call_command("places", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json"))


def test_find_prints_candidates_best_first_as_json() -> None:
    found = run_json("find", "Mathare 4A")
    assert isinstance(found, list) and found
    for candidate in found:
        assert candidate.keys() >= CONTRACT_KEYS
        assert 0.0 <= candidate["score"] <= 1.0
    scores = [c["score"] for c in found]
    assert scores == sorted(scores, reverse=True)
    assert {k: found[0][k] for k in CONTRACT_KEYS} == {
        "kind": "settlement",
        "name": "Mathare 4A",
        "ward_code": 1445,  # Mathare's ward (the village takes it, issue 16)
        "constituency_code": 290,
        "county_code": 47,
        "score": 1.0,
    }


def test_find_uses_iebc_numbering_and_nulls_for_levels_that_do_not_apply() -> None:
    county = run_json("find", "Kaunti ya Nairobi")[0]
    assert (county["kind"], county["county_code"], county["constituency_code"], county["ward_code"]) == (
        "county",
        47,
        None,
        None,
    )
    assert run_json("find", "Mombasa")[0]["county_code"] == 1
    ward = run_json("find", "wadi ya Kwa Reuben")[0]
    assert (ward["kind"], ward["ward_code"], ward["constituency_code"], ward["county_code"]) == (
        "ward",
        1408,
        282,
        47,
    )


def test_find_takes_a_limit_and_a_county_hint() -> None:
    assert len(run_json("find", "Township", "--limit", "2")) == 2
    assert run_json("find", "Kisumu Ndogo", "--county", "1")[0]["county_code"] == 1


def test_find_prints_nothing_found_as_an_empty_list() -> None:
    assert run_json("find", "Zzyzx") == []


def test_at_prints_the_ward_or_null() -> None:
    ward = run_json("at", "-1.293957", "36.852375")
    assert {k: ward[k] for k in CONTRACT_KEYS} == {
        "kind": "ward",
        "name": "Makongeni",
        "ward_code": 1430,
        "constituency_code": 287,
        "county_code": 47,
        "score": 1.0,
    }
    assert run("at", "-4.5", "40.5", "--json").strip() == "null"


def test_extract_prints_places_in_a_message() -> None:
    found = run_json("extract", "Maji yamekatwa Mathare 4A tangu jana")
    assert [c["name"] for c in found] == ["Mathare 4A"]


def test_without_json_it_prints_a_table() -> None:
    text = run("find", "Kisumu Ndogo")
    assert text.splitlines()[0].split() == ["score", "kind", "name", "ward", "constituency", "county"]
    assert "Kisumu Ndogo (Kibera)" in text
    assert "1430 Makongeni" in run("at", "-1.293957", "36.852375")
    assert "outside" in run("at", "-4.5", "40.5")
    assert run("find", "Zzyzx").strip() == "No place found."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("find", ""), "Give the text"),
        (("find", "   "), "Give the text"),
        (("find", "Kibera", "--limit", "0"), "--limit"),
        (("find", "Kibera", "--county", "48"), "--county"),
        (("extract", ""), "Give the text"),
        (("at", "abc", "36.8"), "Latitude must be a number"),
        (("at", "-1.3", "east"), "Longitude must be a number"),
        (("at", "95", "36.8"), "Latitude must be between"),
        (("at", "nan", "36.8"), "Latitude must be between"),
        (("find", "Kibera", "--limit", "many"), "invalid int value"),
        ((), "required"),
    ],
)
def test_bad_input_is_a_command_error(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_load_resyncs_and_reports_progress() -> None:
    text = run("load")
    assert "counties: 47 (0 created, 0 updated, 0 deleted)" in text
    assert "wards: 1450" in text
    assert "in sync" in text
