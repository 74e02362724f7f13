"""Public place search: a page that works without JavaScript (htmx adds live results) and JSON for pickers."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from sauti.places.forms import PlaceSearchForm, PointForm
from sauti.places.matching import PlaceCandidate
from sauti.places.models import County
from sauti.places.services import find_places, ward_at

KIND_LABELS = {
    "county": gettext_lazy("County"),
    "constituency": gettext_lazy("Constituency"),
    "ward": gettext_lazy("Ward"),
    "settlement": gettext_lazy("Settlement"),
}
PAGE_LIMIT = 20


def _first_error(form: PlaceSearchForm | PointForm) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}: {errors[0]}" if label else str(errors[0])
    return _("Invalid request.")


def _rows(found: list[PlaceCandidate]) -> list[dict[str, Any]]:
    return [{"place": c, "kind_label": KIND_LABELS.get(c.kind, c.kind)} for c in found]


def _search(request: HttpRequest) -> tuple[dict[str, Any], int]:
    context: dict[str, Any] = {"query": "", "results": None, "error": ""}
    if not request.GET.get("q", "").strip():
        context["form"] = PlaceSearchForm(initial={"q": ""})
        return context, 200
    form = PlaceSearchForm(request.GET)
    context["form"] = form
    context["query"] = request.GET.get("q", "")
    if not form.is_valid():
        context["error"] = _first_error(form)
        return context, 400
    found = find_places(form.cleaned_data["q"], limit=PAGE_LIMIT, county_code=form.cleaned_data["county"])
    context["results"] = _rows(found)
    return context, 200


def _point(request: HttpRequest) -> tuple[dict[str, Any], int]:
    if "lat" not in request.GET and "lon" not in request.GET:
        return {"point_form": PointForm(), "point": None, "point_error": ""}, 200
    form = PointForm(request.GET)
    if not form.is_valid():
        return {
            "point_form": form,
            "point": None,
            "point_error": _first_error(form),
            "point_asked": True,
        }, 400
    found = ward_at(form.cleaned_data["lat"], form.cleaned_data["lon"])
    return {"point_form": form, "point": found, "point_error": "", "point_asked": True}, 200


@require_GET
def place_search(request: HttpRequest) -> HttpResponse:
    context, status = _search(request)
    point_context, point_status = _point(request)
    context.update(point_context)
    context["counties"] = County.objects.order_by("name").values_list("code", "name")
    context["county"] = request.GET.get("county", "")
    return render(request, "places/search.html", context, status=max(status, point_status))


@require_GET
def place_search_results(request: HttpRequest) -> HttpResponse:
    """The results fragment htmx swaps in as the user types."""
    context, status = _search(request)
    return render(request, "places/_results.html", context, status=status)


@require_GET
def place_search_json(request: HttpRequest) -> JsonResponse:
    form = PlaceSearchForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": _first_error(form)}, status=400)
    found = find_places(
        form.cleaned_data["q"],
        limit=form.cleaned_data["limit"] or 10,
        county_code=form.cleaned_data["county"],
    )
    return JsonResponse({"results": [c.to_json() for c in found]})


@require_GET
def place_at_json(request: HttpRequest) -> JsonResponse:
    form = PointForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"error": _first_error(form)}, status=400)
    found = ward_at(form.cleaned_data["lat"], form.cleaned_data["lon"])
    return JsonResponse({"result": found.to_json() if found else None})
