"""`sauti dialogues tally <ballots.csv> --method borda|schulze --json` (README contract)."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest

from django.core.management import CommandError, call_command

CSV = "voter,group,weight,Water,Security,School\nv1,youth,2,1,2,\nv2,women,,2,1,3\nv3,women,2,,1,\n"


def run(tmp_path: Path, text: str, *args: str) -> dict[str, object]:
    f = tmp_path / "ballots.csv"
    f.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("dialogues", "tally", str(f), *args, "--json", stdout=out)
    result: dict[str, object] = json.loads(out.getvalue())
    return result


def test_it_prints_the_contract_json_for_borda(tmp_path: Path) -> None:
    r = run(tmp_path, CSV, "--method", "borda")
    # v1 (weight 2): 4, 2, 0; v2: 1, 2, 0; v3 (weight 2, School and Water unranked): 1, 4, 1
    assert r["scores"] == {"Water": 6, "Security": 8, "School": 1}
    assert r["ranking"] == [["Security"], ["Water"], ["School"]]
    assert r["condorcet_winner"] == "Security"
    groups = r["groups"]
    assert isinstance(groups, dict)
    assert set(groups) == {"youth", "women"}
    assert groups["youth"]["ranking"] == [["Water"], ["Security"], ["School"]]


def test_it_prints_strongest_paths_for_schulze(tmp_path: Path) -> None:
    r = run(tmp_path, CSV, "--method", "schulze")
    assert r["ranking"] == [["Security"], ["Water"], ["School"]]
    assert r["scores"] == {
        "Water": {"Security": 0, "School": 3},
        "Security": {"Water": 1, "School": 5},
        "School": {"Water": 0, "Security": 0},
    }


def test_the_console_script_speaks_the_contract(tmp_path: Path) -> None:
    f = tmp_path / "b.csv"
    f.write_text(CSV, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sauti", "dialogues", "tally", str(f), "--method", "schulze", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["condorcet_winner"] == "Security"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("voter,group,A,B\n", "no ballots"),
        ("name,group,A\nv1,g,1\n", "first columns"),
        ("voter,group,weight\nv1,g,1\n", "no priority columns"),
        ("voter,group,A,,B\nv1,g,1,,2\n", "no name"),
        ("voter,group,A,A\nv1,g,1,2\n", "twice"),
        ("voter,group,A,weight\nv1,g,1,2\n", "out of place"),
        ("voter,group,A,B\nv1,g,1\n", "columns"),
        ("voter,group,A,B\nv1,g,1,x\n", "positive whole number"),
        ("voter,group,A,B\nv1,g,0,1\n", "positive whole number"),
        ("voter,group,A,B\nv1,g,1.5,1\n", "positive whole number"),
        ("voter,group,A,B\nv1,g,1,1\n", "both"),
        ("voter,group,A,B\nv1,g,,\n", "ranks no priority"),
        ("voter,group,A,B\nv1,g,1,2\nv1,g,2,1\n", "already voted"),
        ("voter,group,weight,A,B\nv1,g,-1,1,2\n", "weight"),
        ("voter,group,weight,A,B\nv1,g,lots,1,2\n", "weight"),
        ("voter,group,A,B\n,g,1,2\n", "voter is missing"),
    ],
)
def test_it_rejects_malformed_files_with_a_reason(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(tmp_path, text)


def test_it_rejects_a_missing_file_and_non_utf8(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        call_command("dialogues", "tally", str(tmp_path / "nope.csv"))
    bad = tmp_path / "latin.csv"
    bad.write_bytes("voter,group,Maji\u00e9\nv1,g,1\n".encode("latin-1"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("dialogues", "tally", str(bad))


def test_the_console_script_exits_1_on_bad_input(tmp_path: Path) -> None:
    f = tmp_path / "b.csv"
    f.write_text("voter,group,A,B\nv1,g,1,1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "sauti", "dialogues", "tally", str(f), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "rank 1 given to both" in done.stderr
