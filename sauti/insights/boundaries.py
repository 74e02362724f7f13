"""County and ward outlines for the map, as GeoJSON built once per process (with gzip form and ETag)."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from sauti.places import gazetteer, geo


@dataclass(frozen=True)
class Payload:
    """A JSON document served as is, with its gzip form and an ETag, built once per process."""

    body: bytes
    gzipped: bytes
    etag: str


def _payload(document: Mapping[str, Any]) -> Payload:
    body = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return Payload(body, gzip.compress(body, 9, mtime=0), '"' + hashlib.sha256(body).hexdigest()[:20] + '"')


@cache
def county_boundaries() -> Payload:
    """All 47 county outlines (~60 KB, ~20 KB gzipped): enough for the national view."""
    from shapely.geometry import shape

    names = {c.code: c.name for c in gazetteer.counties()}
    features = [
        geo.outline_feature(b.code, names.get(b.code, b.name), shape(b.geometry), 3, 0.003)
        for b in sorted(gazetteer.boundaries("counties"), key=lambda b: b.code)
    ]
    return _payload({"type": "FeatureCollection", "features": features})


@cache
def county_codes() -> frozenset[int]:
    return frozenset(c.code for c in gazetteer.counties())


@cache
def ward_codes() -> frozenset[int]:
    return frozenset(w.code for w in gazetteer.wards())


@lru_cache(maxsize=64)
def ward_boundaries(county_code: int) -> Payload:
    """The ward outlines of one county, keyed by IEBC ward code (wards without a polygon are left out)."""
    locator = geo.locator()
    features = [
        geo.outline_feature(code, locator.wards[code].name, polygon, geo.WARD_PLACES, geo.WARD_TOLERANCE)
        for code, polygon in sorted(locator.polygons.items())
        if locator.wards[code].county_code == county_code
    ]
    return _payload({"type": "FeatureCollection", "features": features})
