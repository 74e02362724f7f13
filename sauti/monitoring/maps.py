"""The small map of one place (a case on its page, a report on its reporter's status page).

What smallmap.js draws, computed here: the ward and the wards around it (labelled outlines that read
without tiles), the point when it is a real position, else the settlement's mapped point. Nothing when
the place is no finer than a constituency: a county outline says nothing a word does not.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _

from sauti.monitoring.models import Located, Precision
from sauti.people.models import Organisation
from sauti.places.geo import area_bounds, ward_surroundings

# Beyond this many organisations a form's map opens on all Kenya rather than on their areas.
PIN_AREA_ORGS = 3


def _tiles() -> dict[str, str] | None:
    url = settings.SAUTI_TILE_URL
    return {"url": url, "attribution": settings.SAUTI_TILE_ATTRIBUTION} if url else None


def pin_config(organisations: list[Organisation]) -> dict[str, Any]:
    """The report forms' "Mark on a map" (locate.js): where the map opens (the organisations' area),
    the assets it fetches only when opened, and its words."""
    bounds = None
    if 0 < len(organisations) <= PIN_AREA_ORGS:
        areas = [o.operating_area() for o in organisations]
        bounds = area_bounds({c for a in areas for c in a.counties}, {w for a in areas for w in a.wards})
    return {
        "bounds": bounds,
        "tiles": _tiles(),
        "assets": {
            "leaflet": static("vendor/leaflet/leaflet.js"),
            "leafletCss": static("vendor/leaflet/leaflet.css"),
            "kit": static("sauti/mapkit.js"),
            "kitCss": static("sauti/mapkit.css"),
        },
        "labels": {
            "loading": _("Loading the map…"),
            "tap": _("Tap the map where it happened."),
            "failed": _("The map could not be loaded; type the place instead."),
        },
    }


def place_map(place: Located, *, withhold_point: bool = False) -> dict[str, Any] | None:
    """The small map's settings for smallmap.js (None: no map, and no Leaflet on the page).
    `withhold_point`: a sensitive case read by an office shows its ward only."""
    outlines = ward_surroundings(place.ward.code) if place.ward is not None else ()
    point = None
    located = place.lat is not None and place.lon is not None and place.precision == Precision.POINT
    if not withhold_point and located:
        point = [round(place.lat, 5), round(place.lon, 5)]  # type: ignore[arg-type]
    settlement = None
    s = place.settlement
    if not withhold_point and point is None and s is not None and s.lat is not None and s.lon is not None:
        settlement = [round(s.lat, 5), round(s.lon, 5), s.name]
    if not outlines and point is None and settlement is None:
        return None
    return {
        "outlines": {"type": "FeatureCollection", "features": list(outlines)},
        "point": point,
        "settlement": settlement,
        "tiles": _tiles(),
        "labels": {"point": _("Where it was reported")},
    }
