"""Map aggregates and their JSON endpoints: counts per county/ward, grid clusters, boundaries, bad input."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from django.test import Client
from django.utils import timezone

from sauti.insights import areas, clusters, filters
from sauti.monitoring.access import cases_for
from sauti.monitoring.actions import ReportInput, do_submit_report, do_transition
from sauti.monitoring.models import Case, Report, Status
from sauti.people.models import Office, Organisation
from sauti.places.models import Ward
from tests.conftest import World

TODAY = timezone.localdate()
MABATINI, LAINI_SABA, GITHUNGURI, PORT_REITZ = 1446, 1386, 577, 1
NAIROBI, KIAMBU, MOMBASA = 47, 22, 1


def submit(
    org: Organisation,
    text: str,
    category: str,
    *,
    ward: int | None = None,
    offset: tuple[float, float] = (0.001, 0.001),
    place_text: str = "",
    days_ago: int = 0,
    channel: str = "web",
    **extra: Any,
) -> Report:
    lat = lon = None
    if ward is not None:
        w = Ward.objects.get(code=ward)
        assert w.lat is not None and w.lon is not None
        lat, lon = round(w.lat + offset[0], 6), round(w.lon + offset[1], 6)
    received = timezone.now() - timedelta(days=days_ago)
    report = do_submit_report(
        org,
        ReportInput(
            description=text,
            channel=channel,
            occurred_on=timezone.localdate(received),
            place_text=place_text,
            lat=lat,
            lon=lon,
            category_keys=[category],
            received_at=received,
            **extra,
        ),
    )
    if ward is not None:
        assert report.ward is not None and report.ward.code == ward
    return report


@dataclass
class Data:
    water: Case  # Umoja, Mabatini (Nairobi), two reports
    housing: Case  # Umoja, Mabatini, referred to the chief's office
    police: Case  # Umoja, Laini Saba (Nairobi), by SMS
    land: Case  # Umoja, Githunguri (Kiambu), 40 days ago
    port: Case  # Umoja, Port Reitz (Mombasa), placed from the text only
    haki: Case  # Haki, Mabatini: another organisation's


def build(world: World) -> Data:
    u, h = world.umoja, world.haki
    first = submit(u, "Water disconnected at Mabatini, 300 families without water", "water", ward=MABATINI)
    second = submit(u, "Water disconnected at Mabatini, families without water", "water", ward=MABATINI)
    assert first.case_id == second.case_id
    housing = submit(u, "Houses demolished near the river", "housing", ward=MABATINI, offset=(0.0, 0.002))
    police = submit(u, "Police beat youths at night", "security", ward=LAINI_SABA, channel="sms")
    land = submit(u, "Widow evicted from her land", "land-widows", ward=GITHUNGURI, days_ago=40)
    port = submit(u, "No water for a week in Port Reitz", "water-disconnection", place_text="Port Reitz")
    haki = submit(h, "Sewage flowing into homes", "sanitation", ward=MABATINI, offset=(-0.002, 0.0))
    office = Office.objects.get(name="Chief, Mabatini")
    case = Case.objects.get(reports=housing)
    do_transition(case, Status.TRIAGED, world.wanjiku)
    do_transition(case, Status.VERIFIED, world.wanjiku, method="site_visit")
    do_transition(case, Status.REFERRED, world.wanjiku, referred_to=office)
    cases = {r.pk: Case.objects.get(reports=r) for r in (first, housing, police, land, port, haki)}
    return Data(
        cases[first.pk], cases[housing.pk], cases[police.pk], cases[land.pk], cases[port.pk], cases[haki.pk]
    )


@pytest.fixture
def data(world: World) -> Data:
    return build(world)


def as_dict(found: list[areas.AreaCount]) -> dict[int, tuple[int, int]]:
    return {a.code: (a.cases, a.reports) for a in found}


def get_json(client: Client, url: str, expect: int = 200, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == expect, response.content[:300]
    return response.json()


# Plain functions -----------------------------------------------------------------------------------


def test_counts_per_county_and_ward_cover_only_the_users_cases(world: World, data: Data) -> None:
    visible = cases_for(world.wanjiku)
    assert as_dict(areas.county_counts(visible)) == {NAIROBI: (3, 4), KIAMBU: (1, 1), MOMBASA: (1, 1)}
    assert as_dict(areas.ward_counts(visible)) == {
        MABATINI: (2, 3),
        LAINI_SABA: (1, 1),
        GITHUNGURI: (1, 1),
        PORT_REITZ: (1, 1),
    }
    assert areas.county_counts(visible)[0].name == "Nairobi"
    assert as_dict(areas.county_counts(cases_for(world.bob))) == {NAIROBI: (1, 1)}
    assert as_dict(areas.ward_counts(cases_for(world.chief))) == {MABATINI: (1, 1)}
    assert as_dict(areas.county_counts(cases_for(world.alice))) == {
        NAIROBI: (4, 5),
        KIAMBU: (1, 1),
        MOMBASA: (1, 1),
    }


def test_filters_by_status_category_and_dates(world: World, data: Data) -> None:
    orgs = Organisation.objects.filter(pk=world.umoja.pk)
    visible = cases_for(world.wanjiku)

    def counts(**params: Any) -> dict[int, tuple[int, int]]:
        from django.http import QueryDict

        query = QueryDict(mutable=True)
        for key, value in params.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        return as_dict(areas.ward_counts(filters.parse_filters(query, orgs).apply(visible)))

    # "water" takes in its sub-categories (the Port Reitz case is a water disconnection).
    assert counts(category="water") == {MABATINI: (1, 2), PORT_REITZ: (1, 1)}
    assert counts(status="referred") == {MABATINI: (1, 1)}
    assert counts(status=["referred", "new"], category="security") == {LAINI_SABA: (1, 1)}
    recent = (TODAY - timedelta(days=10)).isoformat()
    assert GITHUNGURI not in counts(**{"from": recent})
    assert counts(to=(TODAY - timedelta(days=30)).isoformat()) == {GITHUNGURI: (1, 1)}
    assert counts(org="umoja") == counts()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "lost"}, "Unknown status"),
        ({"category": "weather"}, "Unknown category"),
        ({"from": "2024-13-01"}, "YYYY-MM-DD"),
        ({"from": "yesterday"}, "YYYY-MM-DD"),
        ({"to": "1950-01-01"}, "1963"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, "after the end date"),
        ({"from": (TODAY + timedelta(days=3)).isoformat()}, "future"),
        ({"org": "haki"}, "Unknown organisation"),
    ],
)
def test_bad_filters_are_refused_with_a_reason(world: World, params: dict[str, str], message: str) -> None:
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    query.update(params)
    with pytest.raises(filters.FilterError, match=message):
        filters.parse_filters(query, Organisation.objects.filter(pk=world.umoja.pk))


def test_grid_clusters_group_points_by_zoom_and_return_points_when_zoomed_in(
    world: World, data: Data
) -> None:
    visible = cases_for(world.wanjiku)
    centres: dict[int | None, tuple[float, float]] = {
        pk: (a, b)
        for pk, a, b in Ward.objects.filter(code__in=[MABATINI, LAINI_SABA, GITHUNGURI]).values_list(
            "pk", "lat", "lon"
        )
        if a is not None and b is not None
    }
    for zoom in (6, 10):
        found = clusters.grid_clusters(visible, zoom, None)
        assert found.total == 5 and not found.points
        for lat, lon, n, row, col in found.cells:
            members = [
                (a, b, w)
                for a, b, w in clusters.in_cell(visible, zoom, row, col).values_list("lat", "lon", "ward_id")
                if a is not None and b is not None
            ]
            assert len(members) == n
            # Far out a case counts at its ward's centre; closer in, at its own point.
            far = zoom <= clusters.WARD_GRID_MAX_ZOOM
            spots = [centres.get(w, (a, b)) if far else (a, b) for a, b, w in members]
            assert lat == pytest.approx(sum(m[0] for m in spots) / n)
            assert lon == pytest.approx(sum(m[1] for m in spots) / n)
    # At zoom 6 (cells of 1.4 degrees) Nairobi and Githunguri share a cell; Mombasa has its own.
    assert sorted(c[2] for c in clusters.grid_clusters(visible, 6, None).cells) == [1, 4]
    mombasa = filters.BBox(39.4, -4.3, 39.9, -3.8)
    assert clusters.grid_clusters(visible, 6, mombasa).total == 1
    assert clusters.grid_clusters(visible, 11, mombasa).total == 1
    around_mabatini = filters.BBox(36.85, -1.27, 36.87, -1.25)
    close = clusters.grid_clusters(visible, 15, around_mabatini)
    assert not close.cells
    assert sorted(pk for _lat, _lon, pk in close.points) == sorted([data.water.pk, data.housing.pk])
    assert sum(c[2] for c in clusters.grid_clusters(visible, 15, around_mabatini, points=False).cells) == 2


def test_cases_known_only_to_their_county_are_clustered_at_its_centre(world: World, data: Data) -> None:
    report = submit(
        world.umoja, "Evictions reported somewhere in Kiambu county", "housing", place_text="Kiambu"
    )
    case = Case.objects.get(reports=report)
    assert case.ward is None and case.county is not None and case.lat is not None
    visible = cases_for(world.wanjiku)
    assert {a.code: a.cases for a in areas.county_counts(visible, reports=False)}[KIAMBU] == 2
    for zoom in (5, 7, 9):
        found = clusters.grid_clusters(visible, zoom, None)
        assert found.total == 6
        listed = {
            pk
            for c in found.cells
            for pk in clusters.in_cell(visible, zoom, c[3], c[4]).values_list("pk", flat=True)
        }
        assert case.pk in listed and len(listed) == 6


def test_grid_clusters_fall_back_to_cells_when_too_many_points(
    world: World, data: Data, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clusters, "MAX_POINTS", 1)
    result = clusters.grid_clusters(cases_for(world.wanjiku), 15, filters.BBox(36.85, -1.27, 36.87, -1.25))
    assert not result.points and sum(c[2] for c in result.cells) == 2


def test_breaks_are_increasing_and_start_at_one() -> None:
    assert areas.breaks(0) == []
    assert areas.breaks(1) == [1]
    assert areas.breaks(3) == [1, 2, 3]
    assert areas.breaks(1000) == [1, 4, 16, 64, 252]
    for top in range(1, 300):
        found = areas.breaks(top)
        assert found[0] == 1 and found == sorted(set(found)) and found[-1] <= top


# JSON endpoints ------------------------------------------------------------------------------------


def test_counts_endpoint_returns_compact_counts_per_area(world: World, data: Data) -> None:
    client = world.client_for(world.wanjiku)
    body = get_json(client, "/map/data/counts.json")
    assert body["level"] == "county" and body["counts"] == {"47": 3, "22": 1, "1": 1}
    assert body["max"] == 3 and body["breaks"] == areas.breaks(3)
    wards = get_json(client, "/map/data/counts.json", level="ward", county="47")
    assert wards["counts"] == {str(MABATINI): 2, str(LAINI_SABA): 1}
    assert get_json(client, "/map/data/counts.json", category="land")["counts"] == {"22": 1}


def test_clusters_endpoint(world: World, data: Data) -> None:
    client = world.client_for(world.wanjiku)
    body = get_json(client, "/map/data/clusters.json", zoom="6", bbox="33.9,-4.8,41.9,5.0")
    assert body["total"] == 5 and sorted(c[2] for c in body["clusters"]) == [1, 4]
    close = get_json(client, "/map/data/clusters.json", zoom="16", bbox="36.85,-1.27,36.87,-1.25")
    assert sorted(p[2] for p in close["points"]) == sorted([data.water.pk, data.housing.pk])


def test_cases_endpoint_lists_a_cell_a_ward_or_one_case_with_links(world: World, data: Data) -> None:
    client = world.client_for(world.wanjiku)
    body = get_json(client, "/map/data/clusters.json", zoom="6")
    big = max(body["clusters"], key=lambda c: c[2])
    listed = get_json(client, "/map/data/cases.json", zoom="6", cell=f"{big[3]},{big[4]}")
    assert len(listed["cases"]) == 4 and not listed["more"]
    by_ward = get_json(client, "/map/data/cases.json", ward=str(MABATINI))
    assert {c["id"] for c in by_ward["cases"]} == {data.water.pk, data.housing.pk}
    one = get_json(client, "/map/data/cases.json", case=str(data.police.pk))["cases"]
    assert one == [
        {
            "id": data.police.pk,
            "ref": data.police.reference,
            "title": data.police.title,
            "status": "new",
            "category": "Security and police conduct",
            "place": data.police.place_label,
            "url": f"/cases/{data.police.pk}/",
        }
    ]
    # Another organisation's case is not found, even by its number.
    assert get_json(client, "/map/data/cases.json", case=str(data.haki.pk))["cases"] == []


@pytest.mark.parametrize(
    ("url", "params", "message"),
    [
        ("/map/data/clusters.json", {}, "zoom"),
        ("/map/data/clusters.json", {"zoom": "abc"}, "Zoom"),
        ("/map/data/clusters.json", {"zoom": "25"}, "Zoom"),
        ("/map/data/clusters.json", {"zoom": "-1"}, "Zoom"),
        ("/map/data/clusters.json", {"zoom": "8", "bbox": "1,2,3"}, "bbox"),
        ("/map/data/clusters.json", {"zoom": "8", "bbox": "40,-4,36,1"}, "bbox"),
        ("/map/data/clusters.json", {"zoom": "8", "bbox": "36,-4,nan,1"}, "bbox"),
        ("/map/data/clusters.json", {"zoom": "8", "bbox": "36,-100,40,1"}, "bbox"),
        ("/map/data/clusters.json", {"zoom": "8", "from": "2024-02-30"}, "YYYY-MM-DD"),
        ("/map/data/counts.json", {"level": "province"}, "county or ward"),
        ("/map/data/counts.json", {"county": "48"}, "Unknown county"),
        ("/map/data/counts.json", {"status": "lost"}, "Unknown status"),
        ("/map/data/cases.json", {}, "Say which cases"),
        ("/map/data/cases.json", {"cell": "1;2", "zoom": "6"}, "cell"),
        ("/map/data/cases.json", {"cell": "1,2", "zoom": "x"}, "Zoom"),
        ("/map/data/cases.json", {"ward": "abc"}, "Unknown ward"),
        ("/map/data/cases.json", {"case": "1 OR 1=1"}, "Unknown case"),
        ("/map/data/cases.json", {"case": "9" * 30}, "Unknown case"),
        ("/map/data/cases.json", {"case": "²"}, "Unknown case"),
        ("/map/data/cases.json", {"ward": "9" * 30}, "Unknown ward"),
        ("/map/data/cases.json", {"county": "9" * 30}, "Unknown county"),
        ("/map/data/cases.json", {"cell": "1,2"}, "Zoom"),
        ("/map/data/wards.json", {}, "county"),
        ("/map/data/wards.json", {"county": "0"}, "Unknown county"),
    ],
)
def test_bad_input_to_json_endpoints_is_a_400_with_a_message(
    world: World, url: str, params: dict[str, str], message: str
) -> None:
    body = get_json(world.client_for(world.wanjiku), url, expect=400, **params)
    assert message in body["error"]


def test_county_boundaries_are_light_and_cached(world: World) -> None:
    client = Client()
    response = client.get("/map/data/counties.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "public" in response["Cache-Control"] and "max-age=86400" in response["Cache-Control"]
    body = json.loads(response.content)
    assert len(body["features"]) == 47 and len(response.content) < 100_000
    assert {f["properties"]["code"] for f in body["features"]} == set(range(1, 48))
    assert client.get("/map/data/counties.json", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    zipped = client.get("/map/data/counties.json", HTTP_ACCEPT_ENCODING="gzip, br")
    assert zipped["Content-Encoding"] == "gzip" and len(zipped.content) < 30_000
    assert json.loads(gzip.decompress(zipped.content)) == body
    assert "Accept-Encoding" in zipped["Vary"]


def test_ward_boundaries_come_per_county(world: World) -> None:
    response = Client().get("/map/data/wards.json", {"county": "47"})
    body = json.loads(response.content)
    codes = {f["properties"]["code"] for f in body["features"]}
    assert MABATINI in codes and LAINI_SABA in codes and GITHUNGURI not in codes
    assert set(Ward.objects.filter(county__code=47, code__in=codes).values_list("code", flat=True)) == codes
    assert len(response.content) < 150_000 and response["ETag"]


def test_every_outline_carries_a_label_point_inside_it(world: World) -> None:
    """The map writes each name at this point (no tiles needed to read the map); it must fall inside the
    outline, even for a county shaped like a crescent, where the centre of its box falls outside."""
    from shapely.geometry import Point, shape

    for url in ("/map/data/counties.json", "/map/data/wards.json?county=47"):
        body = json.loads(Client().get(url).content)
        for feature in body["features"]:
            lat, lon = feature["properties"]["label"]
            outline = shape(feature["geometry"]).buffer(0.002)  # simplified and rounded outlines
            assert outline.contains(Point(lon, lat)), feature["properties"]["name"]


# Access and cost -----------------------------------------------------------------------------------

DATA_URLS = [
    "/map/",
    "/map/data/counts.json",
    "/map/data/clusters.json?zoom=6",
    "/map/data/cases.json?ward=1446",
]


def test_anonymous_visitors_are_sent_to_log_in(world: World) -> None:
    for url in DATA_URLS:
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_users_without_a_role_that_sees_cases_are_refused(world: World) -> None:
    client = world.client_for(world.outsider)
    assert [client.get(url).status_code for url in DATA_URLS] == [403] * len(DATA_URLS)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", {"47": 4, "22": 1, "1": 1}),
        ("wanjiku", {"47": 3, "22": 1, "1": 1}),
        ("otieno", {"47": 3, "22": 1, "1": 1}),
        ("achieng", {"47": 3, "22": 1, "1": 1}),
        ("kamau", {"47": 3, "22": 1, "1": 1}),
        ("chief", {"47": 1}),
        ("bob", {"47": 1}),
    ],
)
def test_each_persona_counts_only_the_cases_it_may_see(
    world: World, data: Data, persona: str, expected: dict[str, int]
) -> None:
    client = world.client_for(getattr(world, persona))
    assert get_json(client, "/map/data/counts.json")["counts"] == expected
    clusters = get_json(client, "/map/data/clusters.json", zoom="5")
    assert clusters["total"] == sum(expected.values())
    listed = get_json(client, "/map/data/cases.json", ward=str(MABATINI))["cases"]
    visible = set(cases_for(getattr(world, persona)).filter(ward__code=MABATINI).values_list("pk", flat=True))
    assert {c["id"] for c in listed} == visible


def test_the_officials_map_shows_only_the_case_referred_to_the_office(world: World, data: Data) -> None:
    client = world.client_for(world.chief)
    page = client.get("/map/")
    assert page.status_code == 200
    assert page.context["overview"].totals.cases == 1
    listed = get_json(client, "/map/data/cases.json", county="47")["cases"]
    assert [c["id"] for c in listed] == [data.housing.pk]
    assert get_json(client, "/map/data/cases.json", case=str(data.water.pk))["cases"] == []


def test_the_number_of_queries_does_not_grow_with_the_data(
    world: World, data: Data, django_assert_max_num_queries: Any
) -> None:
    client = world.client_for(world.wanjiku)
    urls = [
        "/map/data/counts.json?level=ward&status=new&category=water",
        "/map/data/clusters.json?zoom=6&org=umoja",
        "/map/data/cases.json?ward=1446",
        "/map/?county=47",
    ]
    before = {}
    for url in urls:
        with django_assert_max_num_queries(
            18
        ) as captured:  # 16, + 2 for the areas the map opens on (issue 16)
            assert client.get(url).status_code == 200
        before[url] = len(captured)
    for i in range(6):
        submit(
            world.umoja,
            f"Extra report number {i} about garbage",
            "sanitation",
            ward=MABATINI,
            offset=(0.0, 0.001),
        )
    for url in urls:
        with django_assert_max_num_queries(before[url]):
            client.get(url)


def test_the_map_page_works_without_javascript(world: World, data: Data) -> None:
    client = world.client_for(world.wanjiku)
    page = client.get("/map/", {"county": "47", "category": "water"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="map-config"' in html and "<script>" not in html and "style=" not in html
    config = json.loads(html.split('id="map-config" type="application/json">')[1].split("</script>")[0])
    assert config["urls"]["clusters"] == "/map/data/clusters.json" and config["query"] == "category=water"
    assert config["tiles"] is None and config["county"] == 47
    # The tables: counties (Nairobi and Mombasa have water cases) and Nairobi's wards, with SVG bars.
    counties = page.context["overview"].counties
    assert [(b.label, b.value, b.extra) for b in counties.bars] == [("Mombasa", 1, 1), ("Nairobi", 1, 2)]
    assert [(b.label, b.value) for b in page.context["overview"].wards.bars] == [("Mabatini", 1)]
    assert 'href="?category=water&amp;county=1"' in html and '<svg class="hbar"' in html


def test_the_map_page_refuses_bad_filters_with_a_message(world: World) -> None:
    response = world.client_for(world.wanjiku).get("/map/", {"county": "99"})
    assert response.status_code == 400 and "Unknown county" in response.content.decode()


def test_a_configured_tile_server_reaches_the_page(world: World, settings: Any) -> None:
    settings.SAUTI_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.SAUTI_TILE_ATTRIBUTION = "© Example"
    page = world.client_for(world.wanjiku).get("/map/")
    assert page.context["config"]["tiles"] == {
        "url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "© Example",
    }
    assert "tiles.example.org" in page.content.decode()


def test_the_map_opens_on_the_organisations_area(world: World) -> None:
    from sauti.places.models import County

    nairobi = County.objects.get(code=47)
    for org in (world.umoja, world.haki):
        org.county = nairobi
        org.save()
    config = world.client_for(world.wanjiku).get("/map/").context["config"]
    (south, west), (north, east) = config["bounds"]
    assert -1.45 < south < -1.40 and 36.6 < west < 36.7 and -1.17 < north < -1.15 and 37.0 < east < 37.11
    # An organisation working everywhere (no area): the whole of Kenya.
    world.umoja.county = None
    world.umoja.save()
    assert world.client_for(world.wanjiku).get("/map/").context["config"]["bounds"] is None
