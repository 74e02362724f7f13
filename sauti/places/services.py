"""Places for the rest of Sauti: text -> place (`find_places`, `extract_places`) and point -> ward (`ward_at`).

The text index is built from the database once per process and rebuilt when places or aliases change:
at once in this process (signals), within `RECHECK_SECONDS` in the others (a cheap fingerprint query),
and every `REBUILD_SECONDS` in any case.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.db.models import Count, Max

from sauti.places import gazetteer, geo
from sauti.places.matching import (
    ALIAS,
    DERIVED,
    EXACT,
    Area,
    PlaceCandidate,
    PlaceEntry,
    PlaceIndex,
    Resolution,
    candidate_key,
    label,
    name_variants,
    resolve,
)
from sauti.places.models import Constituency, County, PlaceAlias, Settlement, Ward

__all__ = [
    "MAX_QUERY_LENGTH",
    "Area",
    "PlaceCandidate",
    "Resolution",
    "area_of",
    "candidate_key",
    "clear_cache",
    "extract_places",
    "find_places",
    "get_index",
    "label",
    "places_named",
    "register_area_lookup",
    "resolve",
    "resolve_place",
    "ward_at",
]

MAX_QUERY_LENGTH = 1000
RECHECK_SECONDS = 60.0  # other processes notice added or deleted rows this fast
REBUILD_SECONDS = 600.0  # ... and renamed ones this fast (`places load` updates names in place)
ALIAS_WEIGHTS = {"sauti": ALIAS, "staff": ALIAS, "shapefile": DERIVED}
SETTLEMENT_RANKS = {"sauti": 1, "kyc": 2, "aoi": 3, "kisip": 4}

_lock = threading.Lock()
_state: dict[str, Any] = {
    "index": None,
    "entries": [],
    "owned": {},  # organisation slug -> its index (gazetteer + its local places), built when first asked
    "fingerprint": None,
    "checked": 0.0,
    "built": 0.0,
    "provisional": False,
    "owners": set(),
}


def _fingerprint() -> tuple[Any, ...]:
    parts: list[Any] = []
    for model in (County, Ward, Settlement, PlaceAlias):
        agg = model.objects.aggregate(n=Count("pk"), top=Max("pk"))
        parts.extend((agg["n"], agg["top"]))
    return tuple(parts)


def _names(primary: str, aliases: list[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    return ((primary, EXACT), *((v, DERIVED) for v in name_variants(primary)), *aliases)


def build_entries() -> list[PlaceEntry]:
    aliases: dict[tuple[str, str], list[tuple[str, float]]] = {}
    for kind, code, alias, source in PlaceAlias.objects.values_list("kind", "code", "alias", "source"):
        aliases.setdefault((kind, code), []).append((alias, ALIAS_WEIGHTS.get(source, ALIAS)))
    entries: list[PlaceEntry] = []
    for county in County.objects.all():
        place = PlaceCandidate(
            "county", county.name, None, None, county.code, 0.0, county_name=county.name,
            lat=county.lat, lon=county.lon, source="iebc",
        )  # fmt: skip
        entries.append(PlaceEntry(place, _names(county.name, aliases.get(("county", str(county.code)), []))))
    for const in Constituency.objects.select_related("county"):
        place = PlaceCandidate(
            "constituency", const.name, None, const.code, const.county.code, 0.0, county_name=const.county.name,
            constituency_name=const.name, lat=const.lat, lon=const.lon, source="iebc",
        )  # fmt: skip
        entries.append(
            PlaceEntry(place, _names(const.name, aliases.get(("constituency", str(const.code)), [])))
        )
    for ward in Ward.objects.select_related("constituency", "county"):
        place = PlaceCandidate(
            "ward", ward.name, ward.code, ward.constituency.code, ward.county.code, 0.0,
            county_name=ward.county.name, constituency_name=ward.constituency.name, ward_name=ward.name,
            lat=ward.lat, lon=ward.lon, source="iebc",
        )  # fmt: skip
        entries.append(PlaceEntry(place, _names(ward.name, aliases.get(("ward", str(ward.code)), []))))
    settlements = Settlement.objects.select_related(
        "county", "constituency", "ward", "ward__constituency", "parent"
    )
    for s in settlements:
        constituency = s.constituency or (s.ward.constituency if s.ward else None)
        place = PlaceCandidate(
            "settlement", s.name, s.ward.code if s.ward else None, constituency.code if constituency else None,
            s.county.code, 0.0, county_name=s.county.name, constituency_name=constituency.name if constituency else "",
            ward_name=s.ward.name if s.ward else "", settlement_id=s.pk, lat=s.lat, lon=s.lon, source=s.source,
            parent_name=s.parent.name if s.parent else "",
        )  # fmt: skip
        rank = 1 if s.placement == "curated" else SETTLEMENT_RANKS.get(s.source, 5)
        owner = s.source_ref.partition("/")[0] if s.source == "local" else ""
        entries.append(
            PlaceEntry(place, _names(s.name, aliases.get(("settlement", str(s.pk)), [])), rank, owner)
        )
    return entries


def get_index(owner: str = "") -> PlaceIndex:
    """The gazetteer's index; with `owner` (an organisation's slug), the one that also holds that
    organisation's local places. A local place is never in another organisation's index nor in the shared
    one: its name may say where members meet ("Kwa Mama Njeri")."""
    index = _shared_index()
    with _lock:
        if not owner or owner not in _state["owners"]:
            return index
        owned: dict[str, PlaceIndex] = _state["owned"]
        if owner not in owned:
            entries = [e for e in _state["entries"] if e.owner in ("", owner)]
            owned[owner] = PlaceIndex(entries, common_words=gazetteer.common_words())
        return owned[owner]


def _shared_index() -> PlaceIndex:
    now = time.monotonic()
    with _lock:
        index: PlaceIndex | None = _state["index"]
        fresh = index is not None and now - _state["built"] < REBUILD_SECONDS
        if (
            index is not None
            and fresh
            and not _state["provisional"]
            and now - _state["checked"] < RECHECK_SECONDS
        ):
            return index
        fingerprint = _fingerprint()
        if index is None or not fresh or fingerprint != _state["fingerprint"]:
            entries = build_entries()
            index = PlaceIndex([e for e in entries if not e.owner], common_words=gazetteer.common_words())
            owners = {e.owner for e in entries if e.owner}
            _state.update(
                index=index, entries=entries, owners=owners, owned={}, fingerprint=fingerprint, built=now
            )
            # Built inside a transaction, it may hold rows that get rolled back: verify on every use.
            _state["provisional"] = connection.in_atomic_block
        _state["checked"] = now
        return index


def clear_cache(**_: object) -> None:
    with _lock:
        _state.update(index=None, entries=[], owners=set(), owned={})


def _clean(text: str) -> str:
    if not isinstance(text, str):
        raise TypeError("text must be a string")
    return text.strip()[:MAX_QUERY_LENGTH]


def find_places(
    text: str, *, limit: int = 10, county_code: int | None = None, area: Area | None = None
) -> list[PlaceCandidate]:
    """Places the text names ("Mathare 4A", "kaunti ya Nairobi", "Korogosho"), best first; those inside
    the `area` (an organisation's area of operation) first."""
    text = _clean(text)
    if not text:
        return []
    return get_index(area.owner if area is not None else "").search(
        text, limit=limit, county_code=county_code, area=area
    )


def extract_places(
    text: str, *, county_code: int | None = None, area: Area | None = None
) -> list[PlaceCandidate]:
    """Places mentioned inside free text, e.g. an SMS report, best first."""
    text = _clean(text)
    if not text:
        return []
    return get_index(area.owner if area is not None else "").extract(text, county_code=county_code, area=area)


def places_named(name: str, area: Area) -> list[PlaceCandidate]:
    """The places of the area a name already means (its official name or an alias, not a near spelling):
    a local place given that name would make every report naming it ask which one is meant."""
    return [c for c in find_places(name, limit=10, area=area) if c.score >= ALIAS and area.contains(c)]


def resolve_place(text: str, area: Area | None = None, *, county_code: int | None = None) -> Resolution:
    """The place a typed name means for an organisation working in `area`, or the places to ask about."""
    return resolve(find_places(text, limit=10, county_code=county_code, area=area), area)


# The area of an organisation. Organisations live in a higher layer (people), which registers how to read
# one's area at start-up, so `places` never imports it.
_area_lookup: list[Callable[[str], Area | None]] = []


def register_area_lookup(lookup: Callable[[str], Area | None]) -> None:
    """`lookup(slug)` -> the organisation's Area, or None when there is no such organisation."""
    _area_lookup[:] = [lookup]


def area_of(slug: str) -> Area | None:
    """The area of operation of the organisation with this slug; None when unknown."""
    if not _area_lookup:
        return None
    return _area_lookup[0](slug)


def ward_at(lat: float, lon: float) -> PlaceCandidate | None:
    """The ward containing a point (see `geo.ward_at`); ValueError on an impossible latitude/longitude."""
    return geo.ward_at(lat, lon)
