"""`sauti opinions analyze`: the Contract output and clear errors on bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from django.core.management import CommandError, call_command

from sauti.opinions.polis import NotEnoughData, PolisDataError, Votes, analyze, load_folder

from .polisdata import MATH, OPEN, polis_assignment


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("opinions", "analyze", *args, "--json", stdout=out)
    data: dict[str, Any] = json.loads(out.getvalue())
    return data


def test_contract_keys_on_an_opendata_folder() -> None:
    data = run(str(OPEN / "london.youth.policing"))
    assert data["participants"] == 26
    for key in ("in_conv", "tids", "pca", "groups", "consensus", "repness", "group_aware_consensus"):
        assert key in data
    pca = data["pca"]
    assert isinstance(pca, dict) and len(pca["comps"]) == 2
    assert all(len(c) == len(data["tids"]) for c in pca["comps"])
    groups = data["groups"]
    assert isinstance(groups, dict)
    in_conv = set(data["in_conv"])
    assert {int(p) for p, g in groups.items() if g is not None} == in_conv
    assert len({g for g in groups.values() if g is not None}) == 3  # summary.csv says 3


def test_groups_option_forces_k() -> None:
    data = run(str(OPEN / "london.youth.policing"), "--groups", "2")
    assert len({g for g in data["groups"].values() if g is not None}) == 2


def test_assign_option_uses_the_given_grouping(tmp_path: Path) -> None:
    assign = tmp_path / "assign.json"
    assign.write_text(json.dumps({str(p): g for p, g in polis_assignment("below-100-ptpts").items()}))
    data = run(str(MATH / "below-100-ptpts"), "--assign", str(assign))
    blob = json.loads((MATH / "below-100-ptpts" / "math-pca2.json").read_text())
    assert data["repness"] == {g: [r["tid"] for r in rows] for g, rows in blob["repness"].items()}


def test_human_output(tmp_path: Path) -> None:
    out = StringIO()
    call_command("opinions", "analyze", str(OPEN / "15-per-hour-seattle"), stdout=out)
    assert "339 participants" in out.getvalue()
    assert "Group 0" in out.getvalue()


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(OPEN / name, target)
    target.chmod(0o755)
    for f in target.iterdir():
        f.chmod(0o644)
    return target


def test_raw_server_export_with_minus_one_for_agree_is_detected(tmp_path: Path) -> None:
    folder = _copy("15-per-hour-seattle", tmp_path)
    lines = (folder / "votes.csv").read_text().splitlines()
    flipped = [lines[0]] + [",".join([*r.split(",")[:4], str(-int(r.split(",")[4]))]) for r in lines[1:]]
    (folder / "votes.csv").write_text("\n".join(flipped) + "\n")
    original = load_folder(OPEN / "15-per-hour-seattle")
    raw = load_folder(folder)
    assert raw.flipped and not original.flipped
    assert (raw.votes.values == original.votes.values).all()


def test_bad_vote_value(tmp_path: Path) -> None:
    folder = _copy("london.youth.policing", tmp_path)
    text = (folder / "votes.csv").read_text().splitlines()
    parts = text[1].split(",")
    text[1] = ",".join([*parts[:4], "2"])
    (folder / "votes.csv").write_text("\n".join(text) + "\n")
    with pytest.raises(CommandError, match="not one of -1, 0, 1"):
        run(str(folder))


def test_malformed_csv(tmp_path: Path) -> None:
    folder = _copy("london.youth.policing", tmp_path)
    (folder / "votes.csv").write_text("timestamp,comment-id,voter-id,vote\n1,x,2,1\n")
    with pytest.raises(CommandError, match=r"votes.csv line 2: 'x' is not a whole number"):
        run(str(folder))
    (folder / "votes.csv").write_text("when,who\n1,2\n")
    with pytest.raises(CommandError, match="missing column"):
        run(str(folder))
    (folder / "votes.csv").write_text("timestamp,comment-id,voter-id,vote\n1,2,3\n")
    with pytest.raises(CommandError, match="wrong number of fields"):
        run(str(folder))


def test_malformed_json(tmp_path: Path) -> None:
    (tmp_path / "votes.json").write_text("[{")
    with pytest.raises(CommandError, match="not valid JSON"):
        run(str(tmp_path))
    (tmp_path / "votes.json").write_text('[{"pid": 1, "tid": 2}]')
    with pytest.raises(CommandError, match="missing vote"):
        run(str(tmp_path))


def test_empty_conversation(tmp_path: Path) -> None:
    (tmp_path / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n")
    with pytest.raises(CommandError, match="not enough data yet"):
        run(str(tmp_path))


def test_one_participant(tmp_path: Path) -> None:
    rows = "".join(f"{i},x,{i},7,1\n" for i in range(10))
    (tmp_path / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n" + rows)
    with pytest.raises(CommandError, match="only one participant"):
        run(str(tmp_path))


def test_not_a_folder_and_not_a_polis_export(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="is not a folder"):
        run(str(tmp_path / "missing"))
    with pytest.raises(CommandError, match="not a Polis export"):
        run(str(tmp_path))


def test_bad_groups_and_assign(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="between 1 and 5"):
        run(str(OPEN / "london.youth.policing"), "--groups", "9")
    bad = tmp_path / "assign.json"
    bad.write_text("[1, 2]")
    with pytest.raises(CommandError, match="must hold an object"):
        run(str(OPEN / "london.youth.policing"), "--assign", str(bad))


def test_exit_status_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "votes.json").write_text('[{"pid": 1, "tid": 1, "vote": 5}]')
    done = subprocess.run(
        [sys.executable, "-m", "sauti", "opinions", "analyze", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "not one of -1, 0, 1" in done.stderr


def test_latest_vote_wins_and_results_are_deterministic() -> None:
    votes = Votes.from_events([1, 1, 2], [5, 5, 5], [1, -1, 0], [10.0, 20.0, 5.0])
    assert list(votes.values) == [-1, 0]
    folder = load_folder(OPEN / "15-per-hour-seattle")
    a = analyze(folder.votes, groups=2, seed=3)
    b = analyze(folder.votes, groups=2, seed=3)
    assert a.to_json() == b.to_json()


def test_pipeline_errors_are_typed() -> None:
    with pytest.raises(NotEnoughData):
        analyze(Votes.from_events([], [], []))
    with pytest.raises(PolisDataError):
        Votes.from_events([1], [1], [3])


def test_history_is_replayed_by_default_and_no_history_turns_it_off(tmp_path: Path) -> None:
    folder = str(MATH / "below-100-ptpts")
    replayed = run(folder)
    assert replayed["history_replayed"] is True
    # Participants 5, 10, 11 and 14 now have fewer than 7 votes: only Polis' history keeps them in.
    assert {5, 10, 11, 14} <= set(replayed["in_conv"])
    plain = run(folder, "--no-history")
    assert plain["history_replayed"] is False
    assert not {5, 10, 11, 14} & set(plain["in_conv"])
    # Without timestamps (participants-votes.csv only) there is nothing to replay.
    shutil.copytree(OPEN / "london.youth.policing", tmp_path / "lyp")
    (tmp_path / "lyp" / "votes.csv").unlink()
    assert run(str(tmp_path / "lyp"))["history_replayed"] is False
    # --assign keeps the grouping given, the history still decides who is in the conversation.
    assign = tmp_path / "assign.json"
    assign.write_text(json.dumps({str(p): g for p, g in polis_assignment("below-100-ptpts").items()}))
    given = run(folder, "--assign", str(assign))
    assert set(given["in_conv"]) == set(replayed["in_conv"])
