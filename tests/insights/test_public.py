"""The public map: published cases only, no identities or report texts, sensitive cases at their ward's centre."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from django.test import Client

from sauti.insights.public import public_cases, public_rows
from sauti.monitoring.actions import do_edit_case, do_transition
from sauti.monitoring.models import Case, Report, Status
from sauti.people.models import Contact
from sauti.places.models import Ward
from tests.conftest import World
from tests.insights.test_maps import MABATINI, Data, build, submit

REPORTER = "Njeri Wambui"


@dataclass
class Public:
    data: Data
    sensitive: Case
    sensitive_report: Report
    reporter: Contact


@pytest.fixture
def public(world: World) -> Public:
    data = build(world)
    reporter = world.mathare_group.memberships.get().contact
    report = submit(
        world.umoja,
        "My neighbour Achieng was beaten by her husband behind the blue kiosk",
        "gbv",
        ward=MABATINI,
        offset=(-0.0017, -0.0023),
        reporter=reporter,
    )
    sensitive = Case.objects.get(reports=report)
    do_edit_case(sensitive, world.wanjiku, is_public=True, is_sensitive=True)
    do_edit_case(data.water, world.wanjiku, is_public=True)
    do_edit_case(data.haki, world.bob, is_public=True)
    do_edit_case(data.port, world.wanjiku, is_public=True)
    do_transition(data.port, Status.REJECTED, world.wanjiku, reason="Duplicate of another case")
    return Public(data, Case.objects.get(pk=sensitive.pk), report, reporter)


def every_public_response(client: Client, p: Public) -> list[str]:
    """The page and every kind of public JSON, at every zoom, including each cluster's list of cases."""
    out = []
    for params in ({}, {"org": "umoja"}, {"category": "gbv"}):
        out.append(client.get("/public/map/", params).content.decode())
    for level in ("county", "ward"):
        out.append(client.get("/public/map/data/counts.json", {"level": level}).content.decode())
    lat, lon = p.sensitive.lat, p.sensitive.lon
    assert lat is not None and lon is not None
    for zoom in (5, 6, 8, 9, 10, 12, 13, 15, 18):
        for bbox in ("33.9,-4.8,41.9,5.0", f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"):
            response = client.get("/public/map/data/clusters.json", {"zoom": str(zoom), "bbox": bbox})
            assert response.status_code == 200
            out.append(response.content.decode())
            for cell in response.json()["clusters"]:
                listed = client.get(
                    "/public/map/data/cases.json", {"zoom": str(zoom), "cell": f"{cell[3]},{cell[4]}"}
                )
                out.append(listed.content.decode())
    for params in ({"ward": str(MABATINI)}, {"county": "47"}):
        out.append(client.get("/public/map/data/cases.json", params).content.decode())
    return out


def test_the_exact_point_of_a_sensitive_case_never_leaves_the_server(world: World, public: Public) -> None:
    lat, lon = public.sensitive.lat, public.sensitive.lon
    assert lat is not None and lon is not None
    ward = Ward.objects.get(code=MABATINI)
    assert ward.lat is not None and ward.lon is not None
    assert abs(lat - ward.lat) > 0.001 and abs(lon - ward.lon) > 0.001
    forms = {f"{v:.{d}f}" for v in (lat, lon) for d in (4, 5, 6)} | {repr(lat), repr(lon)}
    forms |= {f"{v:.5f}"[:-1] for v in (lat, lon)}  # the first four decimals, however it was rounded
    responses = every_public_response(Client(), public)
    leaks = [form for form in forms for text in responses if form in text]
    assert leaks == []


def test_a_sensitive_case_is_shown_at_its_wards_centre(world: World, public: Public) -> None:
    ward = Ward.objects.get(code=MABATINI)
    assert ward.lat is not None and ward.lon is not None
    client = Client()
    box = f"{ward.lon - 0.0005},{ward.lat - 0.0005},{ward.lon + 0.0005},{ward.lat + 0.0005}"
    body = client.get("/public/map/data/clusters.json", {"zoom": "18", "bbox": box}).json()
    assert body["points"] == [] and [c[:3] for c in body["clusters"]] == [
        [round(ward.lat, 5), round(ward.lon, 5), 1]
    ]
    # Probing a small box around the true point finds nothing.
    lat, lon = public.sensitive.lat, public.sensitive.lon
    assert lat is not None and lon is not None
    probe = f"{lon - 0.0003},{lat - 0.0003},{lon + 0.0003},{lat + 0.0003}"
    assert client.get("/public/map/data/clusters.json", {"zoom": "18", "bbox": probe}).json()["total"] == 0
    # A case that is not sensitive keeps its point.
    water = public.data.water
    assert water.lat is not None and water.lon is not None
    around = f"{water.lon - 0.0003},{water.lat - 0.0003},{water.lon + 0.0003},{water.lat + 0.0003}"
    cells = client.get("/public/map/data/clusters.json", {"zoom": "18", "bbox": around}).json()["clusters"]
    assert [c[:3] for c in cells] == [[round(water.lat, 5), round(water.lon, 5), 1]]


def test_no_identity_title_or_report_text_is_published(world: World, public: Public) -> None:
    texts = every_public_response(Client(), public)
    secrets = [
        REPORTER,
        public.reporter.pseudonym,
        "blue kiosk",
        public.sensitive.title,
        public.data.water.title,
    ]
    secrets += [r.description for r in Report.objects.filter(case__is_public=True)]
    assert [s for s in secrets for t in texts if s in t] == []


def test_only_published_cases_are_shown(world: World, public: Public) -> None:
    client = Client()
    counts = client.get("/public/map/data/counts.json").json()["counts"]
    # Umoja's water and sensitive cases and Haki's case; not the rejected one, nor unpublished ones.
    assert counts == {"47": 3}
    assert client.get("/public/map/data/counts.json", {"org": "umoja"}).json()["counts"] == {"47": 2}
    assert client.get("/public/map/data/counts.json", {"org": "haki"}).json()["counts"] == {"47": 1}
    rows = client.get("/public/map/data/cases.json", {"ward": str(MABATINI)}).json()["cases"]
    assert sorted(r["category"] for r in rows) == ["gbv", "sanitation", "water"]
    assert set(rows[0]) == {"category", "status", "month", "ward", "county"}
    assert {(r["ward"], r["county"]) for r in rows} == {("Mabatini", "Nairobi")}
    assert client.get("/public/map/data/clusters.json", {"zoom": "5"}).json()["total"] == 3


def test_the_public_page_works_without_javascript_and_without_logging_in(
    world: World, public: Public
) -> None:
    response = Client().get("/public/map/", {"org": "umoja"})
    html = response.content.decode()
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.total == 2 and [(b.label, b.value) for b in overview.counties.bars] == [("Nairobi", 2)]
    assert {r["category_label"] for r in overview.recent} == {"Water", "Gender-based violence"}
    assert "Mabatini, Nairobi" in html and "Gender-based violence" in html
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    assert config["public"] is True and config["urls"]["clusters"] == "/public/map/data/clusters.json"
    assert config["labels"]["category"]["gbv"] == "Gender-based violence"
    assert "<script>" not in html and "style=" not in html


def test_public_data_is_cacheable_and_revalidates(world: World, public: Public) -> None:
    client = Client()
    first = client.get("/public/map/data/counts.json")
    assert "public" in first["Cache-Control"] and "max-age=300" in first["Cache-Control"]
    assert not first.cookies
    again = client.get("/public/map/data/counts.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    other = client.get("/public/map/data/counts.json", {"level": "ward"})
    assert other["ETag"] != first["ETag"]
    do_edit_case(public.data.police, world.wanjiku, is_public=True)
    changed = client.get("/public/map/data/counts.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert changed.json()["counts"] == {"47": 4}


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        ("/public/map/data/counts.json", {"org": "nobody"}, "Unknown organisation"),
        ("/public/map/data/clusters.json", {}, "zoom"),
        ("/public/map/data/clusters.json", {"zoom": "7", "bbox": "a,b,c,d"}, "bbox"),
        ("/public/map/data/cases.json", {"case": "1"}, "Say which cases"),
        ("/public/map/data/cases.json", {"zoom": "99", "cell": "1,2"}, "Zoom"),
    ],
)
def test_bad_public_input_is_a_400_with_a_message(
    world: World, url: str, params: dict[str, str], message: str
) -> None:
    response = Client().get(url, params)
    assert response.status_code == 400 and message in response.json()["error"]


def test_an_unknown_organisation_on_the_public_page_is_a_400(world: World) -> None:
    response = Client().get("/public/map/", {"org": "nobody"})
    assert response.status_code == 400 and "Unknown organisation" in response.content.decode()


def test_public_rows_hold_only_what_may_be_published(world: World, public: Public) -> None:
    rows = public_rows(public_cases(world.umoja), labels=False)
    assert len(rows) == 2 and all(set(r) == {"category", "status", "month", "ward", "county"} for r in rows)
