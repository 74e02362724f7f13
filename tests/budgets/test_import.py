"""Importing: the CoB chapter, the CSV/XLSX template, idempotence, bad input (command and web)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError

from sauti.budgets.models import BudgetDocument, DepartmentBudget, Project
from sauti.budgets.template import example_csv
from sauti.monitoring.actions import do_seed_taxonomy
from tests.budgets.conftest import COB_TEXT, run
from tests.conftest import World

DATA = Path(__file__).parent / "data"


def test_the_cob_chapter_imports_with_sources_wards_and_the_duplicate_flagged(world: World) -> None:
    do_seed_taxonomy(world.umoja)
    out = run("import", str(COB_TEXT), "--org", "umoja", "--county", "1", "--json")
    assert (out["projects"], out["departments"], out["rejected"], out["reasons"]) == (10, 15, 0, [])
    dup = [f for f in out["flags"] if f["code"] == "listed_twice"]
    assert sorted(f["row"] for f in dup) == [2, 3]
    assert not [f for f in out["flags"] if f["code"] == "total_mismatch"]

    projects = run("projects", "--org", "umoja", "--json")
    assert len(projects) == 10
    with (DATA / "mombasa_fy2024-25_top_development_projects.csv").open(encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    for got, want in zip(projects, expected, strict=True):
        assert got["name"] == want["project_name"]
        assert got["location_published"] == want["project_location_as_published"]
        # Wards resolved through the gazetteer exactly where the hand check found one unambiguously.
        assert got["ward_code"] == (int(want["matched_ward_code"]) if want["matched_ward_code"] else None)
        assert got["contract_sum"] == int(want["contract_sum_kes"])
        assert got["paid"] == int(want["amount_paid_fy2024_25_kes"])
        assert got["cumulative_expenditure"] == int(want["cumulative_expenditure_30jun2025_kes"])
        assert got["pct_complete"] == int(want["implementation_status_pct"])
        assert got["source"]["page"] in (377, 378)
        assert got["source"]["row"] == int(want["row_no"])
        assert got["source"]["year"] == "2024/25"
        assert "Budget Implementation Review Report" in got["source"]["document"]
    by_row = {p["source"]["row"]: p for p in projects}
    assert by_row[1]["ward_match"] == "asked"  # "BOMU": left for a coordinator
    assert by_row[2]["ward_match"] == "matched" and by_row[2]["ward_candidates"][0]["name"] == "Tononoka"
    assert by_row[4]["ward_match"] == "county"  # "MOMBASA COUNTY"
    assert by_row[8]["ward_match"] == "asked" and 24 in [c["code"] for c in by_row[8]["ward_candidates"]]
    assert by_row[2]["flags"] == by_row[3]["flags"] == ["listed_twice"]
    assert by_row[1]["category"] == "public-projects" and by_row[5]["category"] == "education"


def test_departments_command_lists_the_table_with_the_published_total(world: World) -> None:
    run("import", str(COB_TEXT), "--org", "umoja", "--county", "1", "--json")
    rows = run("departments", "--org", "umoja", "--county", "1", "--json")
    with (DATA / "mombasa_fy2024-25_budget_by_department.csv").open(encoding="utf-8") as f:
        expected = list(csv.DictReader(f))
    assert [r["department"] for r in rows] == [e["department"] for e in expected]
    for got, want in zip(rows, expected, strict=True):
        for key in (
            "budget_rec",
            "budget_dev",
            "exchequer_rec",
            "exchequer_dev",
            "expenditure_rec",
            "expenditure_dev",
        ):
            published = want[f"{key}_kes_m"]
            assert got[key] == (float(Decimal(published)) if published else None), (got["department"], key)
        for key in ("absorption_rec_pct", "absorption_dev_pct"):
            assert got[key] == (int(want[key]) if want[key] else None)
    assert rows[-1]["department"] == "Total" and rows[-1]["budget_dev"] == 5521.91
    assert rows[1]["expenditure_dev"] is None  # "-" in the source


def test_reimport_is_idempotent(world: World) -> None:
    first = run("import", str(COB_TEXT), "--org", "umoja", "--county", "1", "--json")
    again = run("import", str(COB_TEXT), "--org", "umoja", "--county", "1", "--json")
    assert first["created"] == 25 and again["created"] == again["updated"] == 0 and again["unchanged"] == 25
    assert again["projects"] == 10 and again["departments"] == 15
    assert Project.objects.filter(organisation=world.umoja).count() == 10
    assert DepartmentBudget.objects.filter(organisation=world.umoja).count() == 15
    assert BudgetDocument.objects.filter(organisation=world.umoja).count() == 1


def test_a_total_that_does_not_add_up_is_flagged_never_fixed(world: World, tmp_path: Path) -> None:
    text = COB_TEXT.read_text(encoding="utf-8").replace(
        " Total 11,837.87 5,521.91", " Total 11,837.87 5,600.00"
    )
    bad = tmp_path / "chapter.txt"
    bad.write_text(text, encoding="utf-8")
    out = run("import", str(bad), "--org", "umoja", "--county", "1", "--json")
    mismatch = [f for f in out["flags"] if f["code"] == "total_mismatch"]
    assert [(f["column"], f["published"], f["sum"]) for f in mismatch] == [
        ("budget_dev", "5600.00", "5521.91")
    ]
    total = DepartmentBudget.objects.get(organisation=world.umoja, is_total=True)
    assert total.budget_dev == Decimal("5600.00")  # as published


@pytest.mark.parametrize(
    ("county", "message"),
    [("47", "not for Nairobi"), ("21", "has no development-projects"), ("99", "No county with IEBC code 99")],
)
def test_other_counties_are_refused_with_the_reason(world: World, county: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run("import", str(COB_TEXT), "--org", "umoja", "--county", county, "--json")


def test_other_chapters_and_non_reports_are_refused(world: World, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(
        "=== Page 1 ===\n1\nSome other report, chapter 2.\nTable 2.1: Something\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="not a chapter of the Controller of Budget"):
        run("import", str(other), "--org", "umoja", "--county", "1", "--format", "cob-text", "--json")
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="not UTF-8"):
        run("import", str(binary), "--org", "umoja", "--county", "1", "--format", "cob-text")


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


HEADER = ["project_code", "financial_year", "sector", "project_name", "location", "ward_code", "contract_sum", "paid",
          "cumulative_expenditure", "pct_complete", "expected_completion"]  # fmt: skip


def test_a_csv_project_list_with_bad_rows_lists_each_reason(world: World, tmp_path: Path) -> None:
    do_seed_taxonomy(world.umoja)
    path = tmp_path / "adp.csv"
    path.write_bytes(
        _csv(
            [
                HEADER,
                [
                    "A1",
                    "2025/26",
                    "Water",
                    "Borehole at Mikindani",
                    "MIKINDANI WARD",
                    "8",
                    "1,500,000",
                    "-",
                    "-",
                    "",
                    "",
                ],
                [
                    "A2",
                    "2025/26",
                    "Health",
                    "Dispensary",
                    "",
                    "",
                    "2,000,000",
                    "2,500,000",
                    "2,500,000",
                    "100",
                    "",
                ],
                ["A1", "2025/26", "Health", "Same code again", "", "", "1", "", "", "", ""],
                ["A3", "2025/26", "Roads", "Negative road", "", "", "-5,000", "", "", "", ""],
                ["A4", "2025/26", "Roads", "Unreadable", "", "", "12abc", "", "", "", ""],
                ["A5", "2025/26", "Roads", "Ward that does not exist", "", "9999", "100", "", "", "", ""],
                ["A6", "2025/26", "Roads", "Ward in another county", "", "1446", "100", "", "", "", ""],
                ["A7", "2025/26", "Roads", "Absurd", "", "", "900,000,000,000", "", "", "", ""],
                ["", "2025/26", "Roads", "No code", "", "", "1", "", "", "", ""],
                ["A8", "2025/26", "Roads", "Too complete", "", "", "1", "", "", "180", ""],
                ["TOTAL", "", "", "TOTAL", "", "", "3,600,000", "", "", "", ""],
            ]
        )
    )
    out = run("import", str(path), "--org", "umoja", "--county", "1", "--json")
    reasons = {r["row"]: r["reason"] for r in out["reasons"]}
    assert set(reasons) == {4, 5, 6, 10, 11}
    assert "already used on row 2" in reasons[4]
    assert "negative" in reasons[5]
    assert "12abc" in reasons[6]
    assert "code is missing" in reasons[10]
    assert "between 0 and 100" in reasons[11]
    assert out["projects"] == 5 and out["rejected"] == 5
    codes = {(f["code"], f.get("row")) for f in out["flags"]}
    assert ("unknown_ward", 7) in codes and ("unknown_ward", 8) in codes
    assert ("overpaid", 3) in codes and ("absurd_amount", 9) in codes
    # The published total does not match the rows read: flagged with both figures.
    total = next(f for f in out["flags"] if f["code"] == "total_mismatch")
    assert total["published"] == "3600000" and total["sum"] == "900003500200"
    a1 = Project.objects.get(organisation=world.umoja, code="A1")
    assert a1.ward is not None and a1.ward.code == 8 and a1.paid is None and a1.category is not None
    assert a1.category.key == "water" and a1.source_row == 2
    assert Project.objects.get(code="A5").ward is None


def test_the_template_examples_import_in_both_languages(world: World, tmp_path: Path) -> None:
    for language in ("en", "sw"):
        path = tmp_path / f"t-{language}.csv"
        path.write_text(example_csv(language), encoding="utf-8")
        out = run("import", str(path), "--org", "umoja", "--county", "1", "--json")
        assert out["rejected"] == 0 and out["projects"] == 2
        assert not [f for f in out["flags"] if f["code"] == "total_mismatch"]
    assert (
        Project.objects.filter(organisation=world.umoja).count() == 2
    )  # same codes: the second updated them


def test_xlsx_import_and_format_guessing(world: World, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(["X1", "2025/26", "Education", "ECD block", "TONONOKA WARD", None, 1200000, 0, 0, 0, None])
    path = tmp_path / "list.xlsx"
    book.save(path)
    out = run("import", str(path), "--org", "umoja", "--county", "1", "--json")
    assert out["projects"] == 1 and out["rejected"] == 0
    project = Project.objects.get(code="X1")
    assert project.ward is not None and project.ward.name == "Tononoka" and project.contract_sum == 1200000
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(CommandError, match="not an Excel workbook"):
        run("import", str(broken), "--org", "umoja", "--county", "1", "--json")


def test_web_import_and_template_downloads(world: World) -> None:
    client = world.client_for(world.wanjiku)
    upload = SimpleUploadedFile("cob.txt", COB_TEXT.read_bytes(), content_type="text/plain")
    response = client.post("/budgets/umoja/import/", {"file": upload, "county": "1"})
    assert response.status_code == 200
    assert b"10 project rows and 15 department rows read" in response.content
    bad = SimpleUploadedFile("cob.txt", COB_TEXT.read_bytes(), content_type="text/plain")
    response = client.post("/budgets/umoja/import/", {"file": bad, "county": "30"})
    assert response.status_code == 400 and "not for Baringo" in response.content.decode()
    csv_bytes = client.get("/budgets/template/sw.csv").content.decode("utf-8")
    assert csv_bytes.startswith("msimbo_wa_mradi,mwaka_wa_fedha")
    xlsx = client.get("/budgets/template/en.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet["A1"].value == "project_code"
    assert client.get("/budgets/template/fr.csv").status_code == 404
    # Swahili interface: the error is translated.
    client.cookies["django_language"] = "sw"
    again = SimpleUploadedFile("x.csv", b"a,b\n1,2\n", content_type="text/csv")
    response = client.post(
        "/budgets/umoja/import/", {"file": again, "county": "1"}, HTTP_ACCEPT_LANGUAGE="sw"
    )
    assert response.status_code == 400 and "project_code" in response.content.decode()


def test_only_coordinators_import(world: World) -> None:
    for user, status in ((world.otieno, 403), (world.kamau, 403), (world.bob, 404), (world.outsider, 404)):
        upload = SimpleUploadedFile("cob.txt", COB_TEXT.read_bytes())
        assert (
            world.client_for(user).post("/budgets/umoja/import/", {"file": upload, "county": "1"}).status_code
            == status
        )
    assert world.client_for(None).get("/budgets/umoja/import/").status_code == 302
