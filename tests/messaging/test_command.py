"""The `sauti messaging` console contract: `parse --json` and `segments`, clear errors for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from typing import Any

import pytest

from django.core.management import CommandError, call_command

CONTRACT_KEYS = {"language", "category", "place", "people_affected"}
PLACE_KEYS = {"kind", "name", "ward_code", "county_code"}


def run(*args: str) -> str:
    out = StringIO()
    call_command("messaging", *args, stdout=out)
    return out.getvalue()


def run_json(*args: str) -> Any:
    return json.loads(run(*args, "--json"))


@pytest.mark.django_db
def test_parse_prints_the_contract_as_json() -> None:
    result = run_json("parse", "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji")
    assert result.keys() >= CONTRACT_KEYS
    assert result["place"].keys() >= PLACE_KEYS
    assert (result["language"], result["category"], result["people_affected"]) == ("sw", "water", 200)
    assert {k: result["place"][k] for k in PLACE_KEYS} == {
        "kind": "settlement",
        "name": "Mathare 4A",
        "ward_code": 1445,  # settlements are placed in a ward now (issue 16)
        "county_code": 47,
    }


@pytest.mark.django_db
def test_parse_json_with_no_place_and_no_count() -> None:
    result = run_json("parse", "Please call me back")
    assert (result["language"], result["category"], result["place"], result["people_affected"]) == (
        "en",
        "other",
        None,
        None,
    )


@pytest.mark.django_db
def test_parse_keyword_and_county_hint() -> None:
    result = run_json("parse", "RIPOTI USALAMA Huruma vijana wanapigwa na polisi", "--county", "47")
    assert (result["command"], result["category"], result["language"]) == ("report", "security", "sw")
    assert (result["place"]["name"], result["place"]["ward_code"], result["place"]["county_code"]) == (
        "Huruma",
        1447,
        47,
    )
    assert run_json("parse", "HALI 123")["reference"] == 123


@pytest.mark.django_db
def test_parse_summary_is_readable() -> None:
    out = run("parse", "Water cut in Kawangware, 300 families affected")
    assert "language  en" in out and "category  water" in out
    assert "Kawangware (settlement; ward 1372" in out and "people    300 (households)" in out


def test_segments_summary_and_json() -> None:
    out = run("segments", "Asante “sana”")
    assert "encoding  GSM-7" in out and "segments  1" in out and 'sent as   Asante "sana"' in out
    raw = run_json("segments", "a" * 161)
    assert (raw["encoding"], raw["units"], raw["segments"], raw["per_segment"], raw["remaining"]) == (
        "GSM-7",
        161,
        2,
        153,
        145,
    )
    assert run_json("segments", "Asante “sana”", "--raw")["encoding"] == "UCS-2"
    assert run_json("segments", "\U0001f4a7" * 36)["segments"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("parse", ""), "Give the message text"),
        (("parse", "   "), "Give the message text"),
        (("segments", ""), "Give the message text"),
        (("parse", "maji", "--county", "48"), "--county"),
        (("parse", "maji " * 500), "too long"),
    ],
)
def test_bad_input_is_a_command_error(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("messaging", *args, stdout=StringIO())


def test_an_empty_text_exits_non_zero_without_a_traceback() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sauti.settings"}
    proc = subprocess.run(
        [sys.executable, "-m", "sauti", "messaging", "parse", ""],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "Give the message text" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
