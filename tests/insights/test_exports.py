"""Report exports: formats, filters, pseudonyms by default, logged identities, access, constant memory."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import load_workbook

from django.utils import timezone

from sauti.insights.exports import CHUNK, COLUMNS, Audience, export_stream
from sauti.monitoring.actions import ReportInput, do_edit_case, do_submit_report, do_transition
from sauti.monitoring.models import Category, Report
from sauti.people.models import Contact, IdentityAccess
from sauti.places.models import Ward
from tests.conftest import World

NAME, PHONE = "Njeri Wambui", "+254712000001"
HOSPITAL_WARD = (-1.259669, 36.848308)  # centroid of ward 1445 (Hospital, Mathare)


@dataclass
class Data:
    water: Report  # Umoja, exact point, sensitive case, triaged, reporter Njeri
    police: Report  # Umoja, by SMS, placed from text, description that looks like a formula
    kibra: Report  # Haki


@pytest.fixture
def data(world: World) -> Data:
    njeri = Contact.objects.get(organisation=world.umoja, group_memberships__group=world.mathare_group)
    water = do_submit_report(
        world.umoja,
        ReportInput(
            description="Water cut for 200 families in Mathare",
            channel="web",
            occurred_on=date(2024, 3, 1),
            lat=-1.2621,
            lon=36.8577,
            place_text="behind the chief's camp",
            category_keys=["water-disconnection"],
            people_affected=200,
            reporter=njeri,
        ),
    )
    assert water.case is not None
    do_edit_case(water.case, world.wanjiku, is_sensitive=True)
    do_transition(water.case, "triaged", world.wanjiku)
    police = do_submit_report(
        world.umoja,
        ReportInput(
            description='=HYPERLINK("http://evil.example")  police beat youths',
            channel="sms",
            occurred_on=date(2024, 5, 2),
            place_text="Kwa Reuben",
            category_keys=["security"],
        ),
    )
    kibra = do_submit_report(
        world.haki,
        ReportInput(
            description="Eviction notices in Kibra",
            channel="web",
            occurred_on=date(2024, 4, 1),
            category_keys=["housing"],
        ),
    )
    return Data(water=water, police=police, kibra=kibra)


def download(world: World, persona: str, url: str) -> tuple[int, bytes]:
    response = world.client_for(getattr(world, persona)).get(url)
    if response.streaming:
        return response.status_code, b"".join(response.streaming_content)  # type: ignore[attr-defined]
    return response.status_code, response.content


def table(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"))))


def test_a_coordinator_downloads_csv_with_pseudonyms_and_exact_places(world: World, data: Data) -> None:
    response = world.client_for(world.wanjiku).get("/exports/reports.csv?org=umoja")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="sauti-reports-umoja-')
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    rows = {r["report"]: r for r in table(body)}
    assert list(table(body)[0]) == [c.key for c in COLUMNS]
    assert set(rows) == {data.water.reference, data.police.reference}
    water = rows[data.water.reference]
    assert water["case"] == f"C{data.water.case_id}" and water["status"] == "triaged"
    assert water["category"] == "water" and water["subcategories"] == "water-disconnection"
    assert (water["county"], water["county_code"], water["constituency_code"]) == ("Nairobi", "47", "290")
    assert (water["ward"], water["ward_code"]) == ("Hospital", "1445")
    assert (float(water["lat"]), float(water["lon"])) == (-1.2621, 36.8577) and water["coarsened"] == "no"
    assert water["place_text"] == "behind the chief's camp" and water["people_affected"] == "200"
    assert water["occurred_on"] == "2024-03-01" and water["received_at"].endswith("+03:00")
    assert water["reporter"] == data.water.reporter.pseudonym  # type: ignore[union-attr]
    assert NAME.encode() not in body and PHONE.encode() not in body
    police = rows[data.police.reference]
    assert police["ward"] == "Kwa Reuben" and police["channel"] == "sms" and police["reporter"] == ""
    assert police["description"].startswith("'=HYPERLINK")  # a spreadsheet will not run it
    assert IdentityAccess.objects.count() == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=triaged", {"water"}),
        ("status=new,triaged", {"water", "police"}),
        ("category=water", {"water"}),
        ("category=water-disconnection", {"water"}),
        ("category=security,housing", {"police"}),
        ("county=47", {"water", "police"}),
        ("county=Mombasa", set()),
        ("ward=1408", {"police"}),
        ("ward=hospital", {"water"}),
        ("date_from=2024-04-01", {"police"}),
        ("date_to=2024-04-01", {"water"}),
        ("date_from=2024-02-01&date_to=2024-06-01", {"water", "police"}),
        ("channel=sms", {"police"}),
        ("q=POLICE", {"police"}),
        ("q=chief's camp", {"water"}),
    ],
)
def test_filters_narrow_the_export_like_the_inbox(
    world: World, data: Data, query: str, expected: set[str]
) -> None:
    status, body = download(world, "wanjiku", f"/exports/reports.csv?org=umoja&{query}")
    assert status == 200
    names = {data.water.reference: "water", data.police.reference: "police"}
    assert {names[r["report"]] for r in table(body)} == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=lost", "Unknown status: lost."),
        ("category=aliens", "Unknown category: aliens."),
        ("channel=pigeon", "Unknown channel: pigeon."),
        ("date_from=01/02/2024", "is not a date"),
        ("date_from=2024-05-01&date_to=2024-01-01", "start date is after the end date"),
    ],
)
def test_a_bad_filter_is_a_400_with_the_reason(world: World, data: Data, query: str, message: str) -> None:
    status, body = download(world, "wanjiku", f"/exports/reports.csv?{query}")
    assert status == 400 and message in body.decode()


def test_identities_need_the_right_and_every_one_shown_is_logged(world: World, data: Data) -> None:
    status, body = download(world, "wanjiku", "/exports/reports.csv?org=umoja&identities=1")
    assert status == 200
    water = next(r for r in table(body) if r["report"] == data.water.reference)
    assert (water["reporter_name"], water["reporter_phone"]) == (NAME, PHONE)
    log = IdentityAccess.objects.get()
    assert log.user == world.wanjiku and log.contact == data.water.reporter
    assert log.context.startswith("export reports.csv")
    for persona in ("kamau", "alice"):
        allowed = persona == "alice"
        status, body = download(world, persona, "/exports/reports.hxl?identities=1")
        assert status == (200 if allowed else 403)
        assert (NAME.encode() in body) is allowed
    assert IdentityAccess.objects.count() == 2


def test_geojson_coarsens_sensitive_cases_for_people_who_cannot_triage(world: World, data: Data) -> None:
    status, body = download(world, "kamau", "/exports/reports.geojson")
    assert status == 200
    collection = json.loads(body)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 2
    features = {f["properties"]["report"]: f for f in collection["features"]}
    water = features[data.water.reference]
    assert water["geometry"] == {"type": "Point", "coordinates": [HOSPITAL_WARD[1], HOSPITAL_WARD[0]]}
    assert water["properties"]["coarsened"] == "yes" and water["properties"]["precision"] == "ward"
    assert water["properties"]["place_text"] == "" and "chief's camp" not in body.decode()
    ward = Ward.objects.get(code=1408)
    assert features[data.police.reference]["geometry"]["coordinates"] == [ward.lon, ward.lat]
    _, exact = download(world, "wanjiku", "/exports/reports.geojson")
    exact_water = next(
        f for f in json.loads(exact)["features"] if f["properties"]["report"] == data.water.reference
    )
    assert exact_water["geometry"]["coordinates"] == [36.8577, -1.2621]
    # The CSV says the same to the analyst.
    _, analyst_csv = download(world, "kamau", "/exports/reports.csv")
    row = next(r for r in table(analyst_csv) if r["report"] == data.water.reference)
    assert (float(row["lat"]), float(row["lon"])) == HOSPITAL_WARD and row["coarsened"] == "yes"


def test_hxl_has_a_hashtag_row_under_the_headers(world: World, data: Data) -> None:
    status, body = download(world, "kamau", "/exports/reports.hxl?category=water")
    assert status == 200
    lines = list(csv.reader(io.StringIO(body.decode())))
    labels, tags, rows = lines[0], lines[1], lines[2:]
    assert labels[0] == "Report" and len(rows) == 1
    for tag in ("#event+id", "#date+occurred", "#adm1+name", "#adm1+code", "#adm2+name", "#adm3+name", "#adm3+code",
                "#loc+name", "#geo+lat", "#geo+lon", "#sector", "#affected", "#status", "#meta+channel"):  # fmt: skip
        assert tag in tags
    row = dict(zip(tags, rows[0], strict=True))
    assert row["#sector"] == "water" and row["#adm3+code"] == "1445" and row["#affected"] == "200"


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text(world: World, data: Data) -> None:
    response = world.client_for(world.wanjiku).get("/exports/reports.xlsx?org=umoja")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[0] == "Report" and "What happened" in header
    column = header.index("What happened") + 1
    cells = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=column)
        for r in range(2, sheet.max_row + 1)
    }
    formula_like = cells[data.police.reference]
    assert formula_like.data_type == "s" and str(formula_like.value).startswith("=HYPERLINK")
    assert sheet.max_row == 3


MATRIX = {
    "alice": 200,
    "wanjiku": 200,
    "kamau": 200,
    "otieno": 403,
    "achieng": 403,
    "chief": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "hxl"])
@pytest.mark.parametrize(("persona", "expected"), sorted(MATRIX.items()))
def test_only_roles_with_export_rights_can_download(
    world: World, data: Data, fmt: str, persona: str, expected: int
) -> None:
    status, _ = download(world, persona, f"/exports/reports.{fmt}")
    assert status == expected
    status, _ = download(world, persona, f"/exports/reports.{fmt}?org=umoja")
    assert status == expected


def test_another_organisations_coordinator_sees_only_their_own(world: World, data: Data) -> None:
    assert download(world, "bob", "/exports/reports.csv?org=umoja")[0] == 404
    status, body = download(world, "bob", "/exports/reports.csv")
    assert status == 200 and [r["report"] for r in table(body)] == [data.kibra.reference]
    anonymous = world.client_for(None).get("/exports/reports.csv")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_export_page_counts_and_links(world: World, data: Data) -> None:
    client = world.client_for(world.kamau)
    page = client.get("/exports/?category=water&org=umoja")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 report matches." in text and "/exports/reports.hxl?category=water&amp;org=umoja" in text
    assert "identities=1" not in text  # an analyst cannot download identities
    assert "/odk/umoja" in text
    bad = client.get("/exports/?status=lost")
    assert bad.status_code == 400 and "Unknown status: lost." in bad.content.decode()
    assert world.client_for(world.otieno).get("/exports/").status_code == 403
    assert world.client_for(world.outsider).get("/exports/").status_code == 404
    assert "identities=1" in world.client_for(world.wanjiku).get("/exports/").content.decode()


def _bulk(world: World, n: int) -> None:
    ward = Ward.objects.select_related("county").get(code=1445)
    water = Category.objects.get(organisation=world.umoja, key="water")
    now = timezone.now()
    made = Report.objects.bulk_create(
        [
            Report(
                organisation=world.umoja,
                description=f"Water cut number {i}, families carry water from far " * 2,
                channel="sms",
                received_at=now,
                ward=ward,
                county=ward.county,
                lat=-1.26,
                lon=36.85,
                precision="point",
                place_text="Mabatini",
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    through = Report.categories.through
    through.objects.bulk_create(
        [through(report_id=r.pk, category_id=water.pk) for r in made], batch_size=5000
    )


def _peak(fmt: str) -> tuple[int, int]:
    tracemalloc.start()
    try:
        size = sum(len(block) for block in export_stream(fmt, Report.objects.all(), Audience()))
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_exports_stream_in_constant_memory(world: World) -> None:
    _bulk(world, CHUNK)  # one chunk
    small = {fmt: _peak(fmt) for fmt in ("csv", "geojson")}
    _bulk(world, 4 * CHUNK)
    for fmt in ("csv", "geojson"):
        size, peak = _peak(fmt)
        assert size > 4.5 * small[fmt][0]  # five times the rows ...
        assert peak < 1.5 * small[fmt][1]  # ... about the same memory
        assert peak < 12 * 1024 * 1024
