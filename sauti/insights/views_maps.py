"""The case map, the dashboard and the public map; their JSON is computed in the database by
`areas`, `clusters`, `public` and `rolled`; their pages by `overviews`."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, Value
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sauti.insights import overviews
from sauti.insights.areas import HOTSPOT_DAYS, breaks, county_counts, ward_counts
from sauti.insights.boundaries import Payload, county_boundaries, county_codes, ward_boundaries, ward_codes
from sauti.insights.clusters import WARD_GRID_MAX_ZOOM, grid_clusters, in_cell
from sauti.insights.figures import UNCATEGORISED
from sauti.insights.filters import (
    MAX_ZOOM,
    FilterError,
    Filters,
    category_choices,
    parse_bbox,
    parse_cell,
    parse_code,
    parse_filters,
    parse_zoom,
)
from sauti.insights.public import CASE_LIST_LIMIT, public_cases, public_fingerprint, public_rows
from sauti.insights.rolled import case_rollup_of, rolled_places
from sauti.monitoring.access import cases_for, whole_organisations_for
from sauti.monitoring.models import Case, CaseRollup, Status
from sauti.people.access import Perm, can_anywhere, organisations_for
from sauti.people.models import Organisation
from sauti.places.geo import area_bounds
from sauti.places.models import County, Settlement

PUBLIC_MAX_AGE = 300
BOUNDARY_MAX_AGE = 86400


def _visible_cases(request: HttpRequest) -> QuerySet[Case]:
    """The cases this user may see on the map; 403 for a user who may see none (no role that allows it)."""
    user = request.user
    if not (can_anywhere(user, Perm.VIEW_CASES) or can_anywhere(user, Perm.VIEW_REFERRED_CASES)):
        raise PermissionDenied
    return cases_for(user)


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _private(response: HttpResponseBase) -> HttpResponseBase:
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _labels(categories: list[tuple[str, str]]) -> dict[str, Any]:
    """Words map.js shows, translated here so the script holds no language."""
    months = [date_format(date(2001, m, 1), "F") for m in range(1, 13)]
    return {
        "cases": _("cases"),
        "noCases": _("No cases here."),
        "loading": _("Loading…"),
        "failed": _("Could not load the map data. Check the connection and try again."),
        "legend": _("Cases"),
        "zero": _("none"),
        "more": _("More cases here than can be listed; zoom in to see them."),
        "zoomIn": _("Zoom in"),
        "open": _("Open case"),
        "wardsOf": _("Wards"),
        "status": {k: str(v) for k, v in Status.choices},
        "category": dict(categories) | {UNCATEGORISED: _("Uncategorised")},
        "months": months,
    }


def _area_bounds(organisations: Iterable[Organisation]) -> list[list[float]] | None:
    """Where the map opens: around the organisations' areas of operation (None: all Kenya). Two queries
    however many organisations (`Organisation.operating_area` reads the same rows one by one)."""
    orgs = {o.pk: o for o in organisations}
    area_counties = Organisation.area_counties.through.objects.filter(organisation_id__in=orgs)
    area_wards = Organisation.area_wards.through.objects.filter(organisation_id__in=orgs)
    rows = [
        *area_counties.values_list("organisation_id", "county__code").annotate(kind=Value("c")),
        *area_wards.values_list("organisation_id", "ward__code").annotate(kind=Value("w")),
    ]
    counties = {code for _org, code, kind in rows if kind == "c"}
    wards = {code for _org, code, kind in rows if kind == "w"}
    homes = {o.county_id for pk, o in orgs.items() if not any(r[0] == pk for r in rows)}
    if None in homes:
        return None  # one of them works everywhere
    if homes:
        counties |= set(County.objects.filter(pk__in=homes).values_list("code", flat=True))
    return area_bounds(counties, wards)


def _map_config(
    public: bool,
    filters: Filters,
    county: int | None,
    categories: list[tuple[str, str]],
    organisations: Iterable[Organisation] = (),
) -> dict[str, Any]:
    prefix = "public_map_" if public else "map_"
    tile_url = settings.SAUTI_TILE_URL
    shown = [filters.organisation] if filters.organisation is not None else list(organisations)
    return {
        "public": public,
        "query": filters.query_string(),
        "county": county,
        "bounds": _area_bounds(shown) if shown else None,
        "tiles": {"url": tile_url, "attribution": settings.SAUTI_TILE_ATTRIBUTION} if tile_url else None,
        "urls": {
            "counties": reverse("map_counties"),
            "wards": reverse("map_wards"),
            "counts": reverse(prefix + "counts"),
            "clusters": reverse(prefix + "clusters"),
            "cases": reverse(prefix + "cases"),
            "settlements": reverse("map_settlements"),
            "case": "/cases/",
            "leafletImages": static("vendor/leaflet/images/"),
        },
        "labels": _labels(categories),
    }


def _filter_context(
    request: HttpRequest, organisations: QuerySet[Organisation], keep: tuple[str, ...] = ()
) -> dict[str, Any]:
    return {
        "keep": [(name, request.GET.get(name, "")) for name in keep],
        "organisations": list(organisations.order_by("name")),
        "categories": category_choices(organisations),
        "statuses": Status.choices,
        "params": request.GET,
        "selected_statuses": request.GET.getlist("status"),
    }


# Pages ---------------------------------------------------------------------------------------------


@login_required
@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    cases = _visible_cases(request)
    organisations = organisations_for(request.user)
    context = _filter_context(request, organisations, ("county",))
    try:
        filters = parse_filters(request.GET, organisations)
        county = parse_code(request.GET.get("county"), _("county"), county_codes())
    except FilterError as exc:
        context["error"] = str(exc)
        return render(request, "insights/map.html", context, status=400)
    context["overview"] = overviews.map_overview(cases, filters, county)
    context["config"] = _map_config(False, filters, county, context["categories"], context["organisations"])
    return render(request, "insights/map.html", context)


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    cases = _visible_cases(request)
    organisations = organisations_for(request.user)
    context = _filter_context(request, organisations, ("interval",))
    interval = request.GET.get("interval", "month") or "month"
    context["interval"] = interval
    try:
        filters = parse_filters(request.GET, organisations)
        context["board"] = overviews.dashboard(
            cases,
            filters,
            interval,
            timezone.localdate(),
            whole_organisations=whole_organisations_for(request.user),
        )
    except FilterError as exc:
        context["error"] = str(exc)
        return render(request, "insights/dashboard.html", context, status=400)
    context["week_query"] = urlencode([*filters.params(), ("interval", "week")])
    context["month_query"] = urlencode([*filters.params(), ("interval", "month")])
    context["hotspot_days"] = HOTSPOT_DAYS
    return render(request, "insights/dashboard.html", context)


@require_safe
def public_map(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.filter(
        pk__in=Case.objects.filter(is_public=True).values("organisation")
    )
    context = _filter_context(request, organisations)
    try:
        filters = parse_filters(request.GET, Organisation.objects.all())
    except FilterError as exc:
        context["error"] = str(exc)
        return render(request, "insights/public_map.html", context, status=400)
    context["overview"] = overviews.public_overview(filters)
    context["config"] = _map_config(True, filters, None, context["categories"], context["organisations"])
    return render(request, "insights/public_map.html", context)


# Boundaries (gazetteer data: public, the same for everyone, cached hard) ---------------------------


def _payload_response(request: HttpRequest, payload: Payload) -> HttpResponse:
    if payload.etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponse(status=304)
    elif "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(payload.gzipped, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(payload.body, content_type="application/json")
    response["ETag"] = payload.etag
    patch_vary_headers(response, ["Accept-Encoding"])
    patch_cache_control(response, public=True, max_age=BOUNDARY_MAX_AGE)
    return response


@require_safe
def map_counties(request: HttpRequest) -> HttpResponse:
    return _payload_response(request, county_boundaries())


@require_safe
def map_wards(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("county")
    if not raw:
        return _bad(_("Say which county: ?county=1 to 47."))
    try:
        county = parse_code(raw, _("county"), county_codes())
    except FilterError as exc:
        return _bad(str(exc))
    assert county is not None
    return _payload_response(request, ward_boundaries(county))


@require_safe
def map_settlements(request: HttpRequest) -> HttpResponse:
    """Settlements with a mapped point in one county, [[lat, lon, name], …]: the map's labelled dots at
    street zoom (a few KB: Nairobi has the most, 75). Gazetteer data, public like the outlines."""
    try:
        county = parse_code(request.GET.get("county"), _("county"), county_codes())
    except FilterError as exc:
        return _bad(str(exc))
    if county is None:
        return _bad(_("Say which county: ?county=1 to 47."))
    rows = (
        Settlement.objects.filter(county__code=county, lat__isnull=False, lon__isnull=False)
        .order_by("name", "pk")
        .values_list("lat", "lon", "name")
    )
    response = JsonResponse(
        {"settlements": [[round(la or 0, 5), round(lo or 0, 5), name] for la, lo, name in rows]}
    )
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


# Internal data -------------------------------------------------------------------------------------


def _counts_json(
    cases: QuerySet[Case], params: Any, rolled: QuerySet[CaseRollup] | None = None
) -> dict[str, Any]:
    """`rolled`: the case rollup rows of exactly `cases`, when there are such rows (see case_rollup_of)."""
    level = params.get("level", "county") or "county"
    if level not in ("county", "ward"):
        raise FilterError(_("The level must be county or ward."))
    county = parse_code(params.get("county"), _("county"), county_codes())
    if county is not None:
        cases = cases.filter(county__code=county)
        if rolled is not None:
            rolled = rolled.filter(county__in=County.objects.filter(code=county).values("pk"))
    per_ward, loose = rolled_places(rolled) if rolled is not None else (None, None)
    # Cases only: counted from an index (or the rollup), so the whole country answers fast; the page's
    # tables add reports.
    areas = (
        county_counts(cases, reports=False, per_ward=per_ward, loose=loose)
        if level == "county"
        else ward_counts(cases, reports=False, per_ward=per_ward)
    )
    top = max((a.cases for a in areas), default=0)
    return {
        "level": level,
        "counts": {str(a.code): a.cases for a in areas},
        "max": top,
        "breaks": breaks(top),
    }


def _clusters(
    cases: QuerySet[Case], params: Any, *, public: bool, rolled: QuerySet[CaseRollup] | None = None
) -> dict[str, Any]:
    if "zoom" not in params:
        raise FilterError(_("Say the zoom level: ?zoom=0 to %(max)d.") % {"max": MAX_ZOOM})
    zoom = parse_zoom(params.get("zoom"))
    bbox = parse_bbox(params.get("bbox"))
    if public:
        return grid_clusters(cases, zoom, bbox, lat="plat", lon="plon", points=False).to_json()
    per_ward = rolled_places(rolled)[0] if rolled is not None and zoom <= WARD_GRID_MAX_ZOOM else None
    return grid_clusters(cases, zoom, bbox, per_ward=per_ward).to_json()


def _picked(cases: QuerySet[Case], params: Any, *, public: bool) -> QuerySet[Case]:
    """The cases of one grid cell (zoom + cell), one ward or one county (or one case, on the inside)."""
    cell = parse_cell(params.get("cell"))
    if cell is not None:
        zoom = parse_zoom(params.get("zoom"))
        if public:
            return in_cell(cases, zoom, cell[0], cell[1], lat="plat", lon="plon")
        return in_cell(cases, zoom, cell[0], cell[1])
    ward = parse_code(params.get("ward"), _("ward"), ward_codes())
    if ward is not None:
        return cases.filter(ward__code=ward)
    county = parse_code(params.get("county"), _("county"), county_codes())
    if county is not None:
        return cases.filter(county__code=county)
    case = params.get("case", "")
    if case and not public:
        if not (case.isascii() and case.isdigit() and len(case) <= 18):
            raise FilterError(_("Unknown case."))
        return cases.filter(pk=int(case))
    raise FilterError(_("Say which cases: a cell with its zoom, a ward or a county."))


def _internal(request: HttpRequest) -> tuple[QuerySet[Case], Any, QuerySet[CaseRollup] | None]:
    """The visible cases under the filters, the parameters, and the case rollup rows of the same cases
    (None when the rollup cannot answer)."""
    cases = _visible_cases(request)
    filters = parse_filters(request.GET, organisations_for(request.user))
    rolled = case_rollup_of(whole_organisations_for(request.user), filters)
    return filters.apply(cases), request.GET, rolled


@login_required
@require_safe
def map_counts(request: HttpRequest) -> HttpResponseBase:
    try:
        cases, params, rolled = _internal(request)
        return _private(JsonResponse(_counts_json(cases, params, rolled)))
    except FilterError as exc:
        return _bad(str(exc))


@login_required
@require_safe
def map_clusters(request: HttpRequest) -> HttpResponseBase:
    try:
        cases, params, rolled = _internal(request)
        return _private(JsonResponse(_clusters(cases, params, public=False, rolled=rolled)))
    except FilterError as exc:
        return _bad(str(exc))


@login_required
@require_safe
def map_cases(request: HttpRequest) -> HttpResponseBase:
    try:
        cases, params, _rolled = _internal(request)
        picked = _picked(cases, params, public=False)
    except FilterError as exc:
        return _bad(str(exc))
    rows = list(
        picked.select_related("category", "ward", "county").order_by("-updated_at", "-pk")[
            : CASE_LIST_LIMIT + 1
        ]
    )
    more = len(rows) > CASE_LIST_LIMIT
    body = {
        "more": more,
        "cases": [
            {
                "id": c.pk,
                "ref": c.reference,
                "title": c.title,
                "status": c.status,
                "category": c.category.label if c.category else "",
                "place": c.place_label,
                "url": f"/cases/{c.pk}/",
            }
            for c in rows[:CASE_LIST_LIMIT]
        ],
    }
    return _private(JsonResponse(body))


# Public data: keys only (labels come with the page), so one cached copy serves every language -------


def _public(request: HttpRequest, build: Any) -> HttpResponseBase:
    etag = (
        '"'
        + public_fingerprint()
        + "-"
        + hashlib.sha256(request.get_full_path().encode()).hexdigest()[:12]
        + '"'
    )
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        try:
            filters = parse_filters(request.GET, Organisation.objects.all())
            response = JsonResponse(build(filters.apply(public_cases()), request.GET))
        except FilterError as exc:
            return _bad(str(exc))
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


@require_safe
def public_map_counts(request: HttpRequest) -> HttpResponseBase:
    return _public(request, _counts_json)


@require_safe
def public_map_clusters(request: HttpRequest) -> HttpResponseBase:
    return _public(request, lambda cases, params: _clusters(cases, params, public=True))


@require_safe
def public_map_cases(request: HttpRequest) -> HttpResponseBase:
    def build(cases: QuerySet[Case], params: Any) -> dict[str, Any]:
        rows = public_rows(_picked(cases, params, public=True), CASE_LIST_LIMIT + 1, labels=False)
        return {"more": len(rows) > CASE_LIST_LIMIT, "cases": rows[:CASE_LIST_LIMIT]}

    return _public(request, build)
