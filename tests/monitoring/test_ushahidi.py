"""Importing Ushahidi CSV exports: mapping, row-level reasons, idempotency, the real Haiti file, the web page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sauti.audit.verify import verify
from sauti.monitoring import ushahidi
from sauti.monitoring.actions import TransitionError
from sauti.monitoring.models import Case, CaseEvent, CaseRollup, Category, Report, ReportRollup, Status
from sauti.monitoring.rollups import rebuild
from sauti.monitoring.ushahidi import (
    ImportSummary,
    UshahidiFileError,
    do_import_ushahidi,
    map_categories,
    system_user,
)
from tests.conftest import World

HEADER = ["#", "INCIDENT TITLE", "INCIDENT DATE", "LOCATION", "DESCRIPTION", "CATEGORY", "LATITUDE", "LONGITUDE", "APPROVED", "VERIFIED"]  # fmt: skip
FUTURE = (timezone.localdate() + timedelta(days=30)).strftime("%d/%m/%Y 10:00")
ROWS = [
    # row 2: inside Kenya (Mathare), approved and verified, French + English labels
    ["101", "Water cut in Mathare", "03/02/2024 08:15", "Mabatini, Mathare", "No water for 3 days, 200 families", "2b. Penurie d'eau | Water shortage, 1. Urgences | Emergency, ", "-1.2621", "36.8577", "YES", "YES"],
    # row 3: no coordinates, placed from the text; approved only
    ["102", "Demolitions", "04/02/2024 09:00", "Kwa Reuben", "Bulldozers came at night.\nMany homes destroyed.", "5a. Structure effondres | Collapsed structure, ", "", "", "YES", "NO"],
    # row 4: outside Kenya (Port-au-Prince)
    ["103", "Need tents", "05/02/2024 10:00", "Port-au-Prince", "Shelter needed for 50 people", "2d. Refuge | Shelter needed, ", "18.54", "-72.34", "NO", "NO"],
    # row 5: broken: no date
    ["104", "Undated", "", "Mathare", "Something happened", "8. Autre | Other, ", "", "", "NO", "NO"],
    # row 6: broken: impossible date
    ["105", "Bad date", "31/02/2024 10:00", "Mathare", "x", "", "", "", "NO", "NO"],
    # row 7: broken: in the future
    ["106", "Future", FUTURE, "Mathare", "x", "", "", "", "NO", "NO"],
    # row 8: broken: no text at all
    ["107", "", "06/02/2024 10:00", "Mathare", "", "3. Public Health, ", "", "", "NO", "NO"],
    # row 9: an unknown label only, and 0,0 meaning "no coordinates"
    ["108", "Strange", "07/02/2024 10:00", "", "Aliens landed", "9z. Ovnis | UFO sighting, ", "0", "0", "NO", "NO"],
    # row 10: the same incident id twice
    ["101", "Water cut again", "03/02/2024 08:15", "", "dup", "", "", "", "NO", "NO"],
    # row 11: coordinates that are not numbers; no category at all; Kenya 2008 label on the next row
    ["109", "Riots", "08/02/2024 10:00", "Kibera", "Police and youths clash", "", "near the river", "", "NO", "NO"],
    ["110", "Assault", "09/02/2024 10:00", "", "Woman attacked", "SEXUAL ASSAULT, Medical Emergencies, ", "", "", "YES", "NO"],
]  # fmt: skip


def csv_bytes(rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def run(world: World, data: bytes, **kwargs: object) -> ImportSummary:
    return do_import_ushahidi(world.umoja, io.BytesIO(data), by=kwargs.pop("by", None), **kwargs)  # type: ignore[arg-type]


def report(external: str) -> Report:
    return Report.objects.select_related("case", "ward").get(external_id=f"ushahidi:{external}")


def test_rows_import_with_places_categories_and_flags_and_broken_rows_are_listed(world: World) -> None:
    summary = run(world, csv_bytes(ROWS))
    out = summary.as_json()
    assert out["rows"] == 11 and out["imported"] == 6 and out["rejected"] == 5
    assert out["imported"] + out["rejected"] == out["rows"]
    reasons = out["reasons"]
    assert reasons["row 5"] == "Not imported: No incident date."
    assert "not understood" in reasons["row 6"] and "in the future" in reasons["row 7"]
    assert "No title and no description" in reasons["row 8"]
    assert "appears twice" in reasons["row 10"]
    assert "outside Kenya" in reasons["row 4"] and "UFO sighting" in reasons["row 9"]
    assert "not valid" in reasons["row 11"] and "No category" in reasons["row 11"]
    assert "row 2" not in reasons and "row 3" not in reasons
    assert out["reason_counts"]["outside_kenya"] == 1 and out["reason_counts"]["rejected_duplicate_id"] == 1
    assert out["unmapped_categories"] == {"9z. Ovnis | UFO sighting": 1}
    assert Report.objects.filter(organisation=world.umoja, channel="import").count() == 6

    water = report("101")
    assert water.ward is not None and water.ward.code == 1445 and water.precision == "point"
    assert set(water.categories.values_list("key", flat=True)) == {
        "water"
    }  # the generic "Emergency" gives way
    assert water.occurred_on is not None and water.occurred_on.isoformat() == "2024-02-03"
    assert water.description.startswith("Water cut in Mathare\n\nNo water")
    assert water.case is not None and water.case.status == Status.VERIFIED
    assert water.case.verification_method == "second_source"
    steps = list(
        CaseEvent.objects.filter(case=water.case, kind="status").values_list(
            "to_status", "reason", "actor__username"
        )
    )
    assert steps == [
        ("triaged", "approved in Ushahidi", "sauti-system"),
        ("verified", "imported as verified from Ushahidi", "sauti-system"),
    ]

    demolition = report("102")
    assert demolition.ward is not None and demolition.ward.code == 1408 and demolition.precision == "ward"
    assert set(demolition.categories.values_list("key", flat=True)) == {"housing"}
    assert demolition.case is not None and demolition.case.status == Status.TRIAGED

    haiti = report("103")
    assert haiti.ward is None and haiti.lat is None and haiti.precision == "unknown"
    assert haiti.place_text == "Port-au-Prince"
    assert haiti.case is not None and haiti.case.status == Status.NEW
    note = CaseEvent.objects.get(case=haiti.case, kind="note")
    assert "18.54000, -72.34000" in note.reason and "outside Kenya" in note.reason

    assert set(report("108").categories.values_list("key", flat=True)) == {"other"}
    assert report("108").lat is None
    assert set(report("110").categories.values_list("key", flat=True)) == {"gbv", "health"}
    assert summary.triaged == 3 and summary.verified == 1


def test_importing_again_adds_nothing_and_a_fixed_row_then_imports(world: World) -> None:
    first = run(world, csv_bytes(ROWS))
    cases = Case.objects.count()
    again = run(world, csv_bytes(ROWS)).as_json()
    assert again["imported"] == 0 and again["already_imported"] == first.imported
    assert Case.objects.count() == cases
    fixed = [r[:] for r in ROWS if r[0] == "104"]
    fixed[0][2] = "10/02/2024 12:00"
    assert run(world, csv_bytes(fixed)).imported == 1


def test_a_row_is_all_or_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise TransitionError("the verification step failed")

    monkeypatch.setattr(ushahidi, "do_transition", refuse)
    summary = run(world, csv_bytes(ROWS[:1]))
    assert summary.rejected == 1 and summary.imported == 0
    assert summary.as_json()["reasons"]["row 2"] == "Not imported: the verification step failed"
    assert Report.objects.count() == 0 and Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_an_inactive_category_is_not_used(world: World) -> None:
    Category.objects.filter(organisation=world.umoja, key="other").update(is_active=False)
    summary = run(
        world,
        csv_bytes([["201", "t", "01/02/2024 10:00", "", "text", "8. Autre | Other", "", "", "NO", "NO"]]),
    )
    assert summary.rejected == 1 and "Unknown category: other" in summary.as_json()["reasons"]["row 2"]
    assert Report.objects.count() == 0


def test_the_importing_user_signs_the_steps(world: World) -> None:
    run(world, csv_bytes(ROWS[:1]), by=world.wanjiku)
    water = report("101")
    assert water.submitted_by == world.wanjiku
    assert set(CaseEvent.objects.filter(kind="status").values_list("actor__username", flat=True)) == {
        "wanjiku"
    }


def test_the_system_user_cannot_log_in(db: None) -> None:
    user = system_user()
    assert not user.is_active and not user.has_usable_password() and system_user().pk == user.pk


def test_a_windows_1252_file_is_read_with_a_notice(world: World) -> None:
    data = csv_bytes([["301", "Café closed", "01/02/2024 10:00", "", "Maji hakuna – água", "Water shortage", "", "", "NO", "NO"]], encoding="cp1252")  # fmt: skip
    summary = run(world, data)
    assert summary.imported == 1 and "Windows-1252" in summary.encoding_notice
    assert report("301").description.startswith("Café closed")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"name,phone\nNjeri,0712000000\n", "does not look like a Ushahidi export"),
    ],
)
def test_a_file_that_is_not_a_ushahidi_export_is_refused_whole(
    world: World, data: bytes, expected: str
) -> None:
    with pytest.raises(UshahidiFileError, match=expected):
        run(world, data)


def test_categories_map_by_either_language_and_specific_labels_win() -> None:
    own = {"maji": "water"}
    assert map_categories("1. Urgences | Emergency, 1b. Urgence medicale | Medical Emergency, ", own) == (
        ["health"],
        [],
    )
    assert map_categories("1. Urgences | Emergency, ", own) == (["other"], [])
    assert map_categories("Maji, 4a. Pillage | Looting", own) == (["water", "security-crime"], [])
    assert map_categories("Eau contaminée", own) == (["water-quality"], [])
    assert map_categories("7z. Unknown | Nothing, 2b. Water shortage", own) == (
        ["water"],
        ["7z. Unknown | Nothing"],
    )
    assert map_categories("", own) == (["other"], [])


SHARED = Path(__file__).resolve().parents[2].parent / "shared"
HAITI = SHARED / "validation" / "incident_reports" / "ushahidi_haiti_2010.csv"


@pytest.mark.skipif(
    not HAITI.is_file(), reason=f"the shared validation data is not at {SHARED} (../shared beside the repo)"
)
def test_the_real_haiti_export_imports_and_every_row_is_accounted_for(world: World) -> None:
    with HAITI.open(newline="", encoding="utf-8") as f:
        rows_in_file = sum(1 for _ in csv.DictReader(f))
    with HAITI.open("rb") as f:
        out = do_import_ushahidi(world.umoja, f, by=world.wanjiku).as_json()
    assert out["rows"] == rows_in_file == 3593
    assert out["imported"] + out["rejected"] == rows_in_file
    assert out["imported"] == Report.objects.filter(organisation=world.umoja, channel="import").count()
    # Haiti is outside Kenya: every imported row says so, none is placed.
    assert out["reason_counts"]["outside_kenya"] == out["imported"]
    assert not Report.objects.filter(channel="import").exclude(ward=None).exists()
    assert out["verified"] == Case.objects.filter(status=Status.VERIFIED).count() == 216
    assert out["unmapped_categories"] == {}
    water = Report.objects.filter(channel="import", categories__key="water").count()
    assert water > 1000  # "2b. Penurie d'eau | Water shortage" is on 1,333 reports
    # Tens of thousands of audited writes in this one transaction, one unbroken chain.
    assert verify().ok


def test_the_upload_page_imports_and_shows_the_summary(world: World) -> None:
    client = world.client_for(world.wanjiku)
    assert client.get("/exports/import/ushahidi/").status_code == 200
    upload = SimpleUploadedFile("export.csv", csv_bytes(ROWS), content_type="text/csv")
    response = client.post("/exports/import/ushahidi/", {"org": "umoja", "file": upload, "language": "en"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "6 reports imported into Umoja Women" in page and "5 rows not imported." in page
    assert "Not imported: No incident date." in page
    assert Report.objects.filter(submitted_by=world.wanjiku).count() == 6


def test_the_upload_page_refuses_a_file_that_is_not_an_export(world: World) -> None:
    client = world.client_for(world.wanjiku)
    upload = SimpleUploadedFile("members.csv", b"name,phone\nA,1\n", content_type="text/csv")
    response = client.post("/exports/import/ushahidi/", {"org": "umoja", "file": upload, "language": "en"})
    assert response.status_code == 400 and "does not look like a Ushahidi export" in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.parametrize(("persona", "status"), [("alice", 200), ("wanjiku", 200), ("otieno", 403), ("kamau", 403), ("chief", 403), ("outsider", 404)])  # fmt: skip
def test_only_coordinators_and_admins_may_import(world: World, persona: str, status: int) -> None:
    client = world.client_for(getattr(world, persona))
    assert client.get("/exports/import/ushahidi/").status_code == status
    upload = SimpleUploadedFile("export.csv", csv_bytes(ROWS[:1]), content_type="text/csv")
    posted = client.post("/exports/import/ushahidi/", {"org": "umoja", "file": upload, "language": "en"})
    assert posted.status_code == status
    assert Report.objects.count() == (1 if status == 200 else 0)


def test_a_coordinator_of_another_organisation_cannot_import_into_this_one(world: World) -> None:
    client = world.client_for(world.bob)
    upload = SimpleUploadedFile("export.csv", csv_bytes(ROWS[:1]), content_type="text/csv")
    response = client.post("/exports/import/ushahidi/", {"org": "umoja", "file": upload, "language": "en"})
    assert response.status_code == 400  # umoja is not among bob's choices
    assert Report.objects.count() == 0


PLATFORM = Path(__file__).parent / "data" / "ushahidi_platform_export.csv"


def test_a_platform_export_is_recognised_by_its_header_and_imports(world: World) -> None:
    """The Platform's (v3 and later) CSV: native columns, the survey's fields by label, a location field as
    <label>.lat/<label>.lon, categories in one column, a row of HXL hashtags; dates in UTC."""
    with PLATFORM.open("rb") as f:
        out = do_import_ushahidi(world.umoja, f, by=world.wanjiku).as_json()
    assert out["format"] == "platform"
    assert out["rows"] == 4 and out["imported"] == 3 and out["rejected"] == 1
    assert "No title and no description" in out["reasons"]["row 6"]  # row 2 is the hashtags
    water = report("post-501")
    assert water.ward is not None and water.ward.code == 1445 and water.precision == "point"
    assert set(water.categories.values_list("key", flat=True)) == {"water"}
    # The survey and the fields Sauti has no column for are kept in the text, nothing lost.
    assert water.description.startswith("Water cut in Mathare\n\nNo water for 3 days")
    assert "Survey: Community reports" in water.description
    assert "Nearest landmark: Mabatini kiosk" in water.description
    assert "How many households?: 40" in water.description
    # 05:00 UTC is 08:00 in Nairobi.
    assert timezone.localtime(water.received_at).hour == 8
    assert water.case is not None and water.case.status == Status.TRIAGED  # published
    demolition = report("post-502")
    assert set(demolition.categories.values_list("key", flat=True)) == {"housing", "security"}
    assert demolition.case is not None and demolition.case.status == Status.NEW  # a draft
    tents = report("post-503")
    assert tents.ward is None and out["reason_counts"]["outside_kenya"] == 1
    # No "Post Date": the created date is used.
    assert tents.occurred_on is not None and tents.occurred_on.isoformat() == "2024-03-03"
    assert verify().ok


def test_a_platform_export_without_a_post_date_column_uses_created(world: World) -> None:
    header = ["Post ID", "Survey", "Post Status", "Created (UTC)", "Title", "Description"]
    summary = run(world, csv_bytes([["7", "S", "published", "2024-01-05 10:00:00", "t", "d"]], header=header))
    assert summary.format == "platform" and summary.imported == 1
    assert report("post-7").occurred_on is not None


def test_bulk_and_one_by_one_rows_keep_the_rollups_and_the_chain_right(world: World) -> None:
    run(world, csv_bytes(ROWS))
    before = (
        sorted(ReportRollup.objects.values_list("day", "category", "status", "channel", "reports")),
        sorted(CaseRollup.objects.values_list("category", "status", "county", "ward", "cases", "reports")),
    )
    rebuild()
    after = (
        sorted(ReportRollup.objects.values_list("day", "category", "status", "channel", "reports")),
        sorted(CaseRollup.objects.values_list("category", "status", "county", "ward", "cases", "reports")),
    )
    assert before == after and before[0]
    assert verify().ok


@pytest.mark.parametrize("language", ["en", "sw"])
def test_platform_case_titles_come_from_the_post_not_the_survey(world: World, language: str) -> None:
    """Review of issue 16: titles read "… Survey: Community reports"; the survey stays in the text only."""
    client = world.client_for(world.wanjiku)
    upload = SimpleUploadedFile("platform.csv", PLATFORM.read_bytes(), content_type="text/csv")
    response = client.post(
        "/exports/import/ushahidi/",
        {"org": "umoja", "file": upload, "language": language},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code in (200, 302), response.content[:500]
    cases = list(Case.objects.filter(organisation=world.umoja))
    assert len(cases) == 3
    for case in cases:
        assert "Survey" not in case.title and "Utafiti" not in case.title, case.title
        assert "Community reports" not in case.title and "households" not in case.title, case.title
    assert report("post-501").case.title.startswith("Water cut in Mathare")  # type: ignore[union-attr]
    assert "Survey: Community reports" in report("post-501").description or (
        language == "sw" and "Community reports" in report("post-501").description
    )
