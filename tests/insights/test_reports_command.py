"""`sauti reports import-ushahidi|export`: the console contract (JSON summary, streamed files, rights)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from django.core.management import CommandError, call_command

from sauti.monitoring.actions import ReportInput, do_submit_report
from sauti.monitoring.models import Report
from sauti.people.models import Contact, IdentityAccess
from tests.conftest import World
from tests.monitoring.test_ushahidi import ROWS, csv_bytes

NAME, PHONE = "Njeri Wambui", "+254712000001"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("reports", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "ushahidi.csv"
    path.write_bytes(csv_bytes(ROWS))
    return path


def test_import_prints_the_json_summary_and_progress(world: World, export_file: Path) -> None:
    out, err = run("import-ushahidi", str(export_file), "--org", "umoja", "--progress-every", "4")
    summary = json.loads(out)
    assert {"imported", "rejected", "reasons"} <= set(summary)
    assert summary["imported"] == 6 and summary["rejected"] == 5 and summary["rows"] == 11
    assert summary["reasons"]["row 5"] == "Not imported: No incident date."
    assert err.splitlines()[0].startswith("4 rows read") and err.splitlines()[-1].startswith("11 rows read")
    again = json.loads(run("import-ushahidi", str(export_file), "--org", "umoja")[0])
    assert again["imported"] == 0 and again["already_imported"] == 6


def test_import_as_a_named_user(world: World, export_file: Path) -> None:
    run("import-ushahidi", str(export_file), "--org", "umoja", "--user", "wanjiku")
    assert Report.objects.filter(submitted_by=world.wanjiku).count() == 6
    with pytest.raises(CommandError, match="may not triage"):
        run("import-ushahidi", str(export_file), "--org", "umoja", "--user", "kamau")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nowhere"], "No organisation"),
        (["--org", "umoja", "--user", "nobody"], "No active user"),
        (["--org", "umoja", "--progress-every", "0"], "at least 1"),
    ],
)
def test_import_refuses_bad_arguments(world: World, export_file: Path, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("import-ushahidi", str(export_file), *args)


def test_import_refuses_a_missing_or_foreign_file(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file"):
        run("import-ushahidi", str(tmp_path / "absent.csv"), "--org", "umoja")
    members = tmp_path / "members.csv"
    members.write_text("name,phone\nA,0712000000\n")
    with pytest.raises(CommandError, match="does not look like a Ushahidi export"):
        run("import-ushahidi", str(members), "--org", "umoja")
    assert Report.objects.count() == 0


@pytest.fixture
def reports(world: World) -> list[Report]:
    njeri = Contact.objects.get(organisation=world.umoja, group_memberships__group=world.mathare_group)
    return [
        do_submit_report(
            world.umoja,
            ReportInput(
                description="Water cut in Mathare",
                channel="web",
                occurred_on=date(2024, 3, 1),
                place_text="Mabatini",
                category_keys=["water"],
                reporter=njeri,
            ),
        ),
        do_submit_report(
            world.umoja,
            ReportInput(description="Police harassment", channel="sms", category_keys=["security"]),
        ),
        do_submit_report(
            world.haki,
            ReportInput(description="Evictions in Kibra", channel="web", category_keys=["housing"]),
        ),
    ]


@pytest.mark.parametrize("fmt", ["csv", "hxl", "geojson", "xlsx"])
def test_export_writes_every_format(world: World, reports: list[Report], tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"out.{fmt}"
    _, err = run("export", "--format", fmt, "-o", str(target))
    assert "3 reports written" in err
    data = target.read_bytes()
    if fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(data.decode())))) == 3
    elif fmt == "hxl":
        assert data.decode().splitlines()[1].startswith("#event+id,")
    elif fmt == "geojson":
        assert len(json.loads(data)["features"]) == 3
    else:
        assert load_workbook(io.BytesIO(data)).worksheets[0].max_row == 4
    assert NAME.encode() not in data


def test_export_filters_and_organisation(world: World, reports: list[Report], tmp_path: Path) -> None:
    target = tmp_path / "water.csv"
    run("export", "--format", "csv", "-o", str(target), "--org", "umoja", "--category", "water", "--date-from", "2024-01-01")  # fmt: skip
    rows = list(csv.DictReader(target.open()))
    assert [r["report"] for r in rows] == [reports[0].reference]
    run("export", "--format", "csv", "-o", str(target), "--org", "umoja", "--channel", "sms")
    assert [r["report"] for r in csv.DictReader(target.open())] == [reports[1].reference]
    with pytest.raises(CommandError, match=r"--date-from: .*not a date"):
        run("export", "--format", "csv", "-o", str(target), "--date-from", "yesterday")


def test_export_as_a_user_follows_their_rights_and_logs_identities(
    world: World, reports: list[Report], tmp_path: Path
) -> None:
    target = tmp_path / "out.csv"
    with pytest.raises(CommandError, match="needs --user"):
        run("export", "--format", "csv", "-o", str(target), "--identities")
    with pytest.raises(CommandError, match="may not see"):
        run("export", "--format", "csv", "-o", str(target), "--user", "kamau", "--identities")
    with pytest.raises(CommandError, match="may not export"):
        run("export", "--format", "csv", "-o", str(target), "--user", "otieno")
    with pytest.raises(CommandError, match="may not export reports of: umoja"):
        run("export", "--format", "csv", "-o", str(target), "--user", "bob", "--org", "umoja")
    run("export", "--format", "csv", "-o", str(target), "--user", "bob")
    assert [r["report"] for r in csv.DictReader(target.open())] == [reports[2].reference]
    run("export", "--format", "csv", "-o", str(target), "--user", "wanjiku", "--identities")
    text = target.read_text()
    assert NAME in text and PHONE in text
    log = IdentityAccess.objects.get()
    assert log.user == world.wanjiku and log.context.startswith("command line export csv")
