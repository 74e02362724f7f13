"""Sync the gazetteer tables from the shipped files (used by migration 0002 and `sauti places load`).

Takes the model classes as arguments so the data migration can pass its historical models; typed `Any`
for that reason. Idempotent: rows are matched on natural keys (IEBC codes, settlement source + reference),
changed rows updated, shipped settlements and aliases that left the files deleted. Aliases added by staff
are never touched, and administrative units are never deleted (other tables protect them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sauti.places import gazetteer, geo
from sauti.places.matching import name_variants, normalize

SHIPPED_ALIAS_SOURCES = ("sauti", "shapefile")
MIN_POINT_SCORE = 0.6  # below this ward_at only guesses from the nearest polygon: keep the county only


@dataclass(frozen=True)
class GazetteerModels:
    county: Any
    constituency: Any
    sub_county: Any
    ward: Any
    settlement: Any
    alias: Any

    @classmethod
    def from_apps(cls, apps: Any) -> GazetteerModels:
        def get(name: str) -> Any:
            return apps.get_model("places", name)

        return cls(
            get("County"),
            get("Constituency"),
            get("SubCounty"),
            get("Ward"),
            get("Settlement"),
            get("PlaceAlias"),
        )


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    total: int = 0
    existing: set[Any] = field(default_factory=set, repr=False)
    updated_keys: set[Any] = field(default_factory=set, repr=False)

    def __str__(self) -> str:
        return f"{self.total} ({self.created} created, {self.updated} updated, {self.deleted} deleted)"


def _sync(
    model: Any,
    using: str,
    key: Callable[[Any], Any],
    desired: dict[Any, dict[str, Any]],
    *,
    delete_stale: Callable[[Any], bool] | None = None,
) -> tuple[dict[Any, Any], Tally]:
    """Upsert `desired` (natural key -> field values) into `model`; returns key -> saved object."""
    tally = Tally(total=len(desired))
    existing = {key(obj): obj for obj in model.objects.using(using).all()}
    tally.existing = set(existing)
    creates: list[Any] = []
    updates: list[Any] = []
    fields: set[str] = set()
    for k, values in desired.items():
        obj = existing.get(k)
        if obj is None:
            creates.append(model(**values))
            continue
        changed = [f for f, v in values.items() if getattr(obj, f) != v]
        if changed:
            for f in changed:
                setattr(obj, f, values[f])
            fields.update(changed)
            updates.append(obj)
    if delete_stale is not None:
        stale = [obj.pk for k, obj in existing.items() if k not in desired and delete_stale(obj)]
        if stale:
            model.objects.using(using).filter(pk__in=stale).delete()
            tally.deleted = len(stale)
    model.objects.using(using).bulk_create(creates, batch_size=500)
    if updates:
        model.objects.using(using).bulk_update(updates, sorted(fields), batch_size=500)
    tally.updated_keys = {key(obj) for obj in updates}
    tally.created, tally.updated = len(creates), len(updates)
    saved = {key(obj): obj for obj in model.objects.using(using).all()}
    return saved, tally


def load_gazetteer(
    models: GazetteerModels, *, using: str = "default", log: Callable[[str], None] | None = None
) -> dict[str, Tally]:
    say = log or (lambda message: None)
    locator = geo.locator()
    tallies: dict[str, Tally] = {}

    county_points = geo.boundary_label_points("counties")
    counties, tallies["counties"] = _sync(
        models.county,
        using,
        lambda o: o.code,
        {
            c.code: {
                "code": c.code,
                "name": c.name,
                "iso_3166_2": c.iso_3166_2,
                "capital": c.capital,
                "lat": county_points.get(c.code, (None, None))[0],
                "lon": county_points.get(c.code, (None, None))[1],
                "population_2019": c.population_2019,
            }
            for c in gazetteer.counties()
        },
    )
    say(f"counties: {tallies['counties']}")

    const_points = geo.boundary_label_points("constituencies")
    constituencies, tallies["constituencies"] = _sync(
        models.constituency,
        using,
        lambda o: o.code,
        {
            c.code: {
                "code": c.code,
                "name": c.name,
                "county_id": counties[c.county_code].pk,
                "lat": const_points.get(c.code, (None, None))[0],
                "lon": const_points.get(c.code, (None, None))[1],
            }
            for c in gazetteer.constituencies()
        },
    )
    say(f"constituencies: {tallies['constituencies']}")

    sub_rows = gazetteer.sub_counties()
    sub_counties, tallies["sub_counties"] = _sync(
        models.sub_county,
        using,
        lambda o: o.code,
        {s.code: {"code": s.code, "name": s.name, "county_id": counties[s.county_code].pk} for s in sub_rows},
    )
    sub_by_name = {(s.county_code, s.name.casefold()): sub_counties[s.code].pk for s in sub_rows}
    say(f"sub-counties: {tallies['sub_counties']}")

    polygon_of = {m.ward_code: m for m in locator.matches.values()}
    desired_wards: dict[Any, dict[str, Any]] = {}
    for w in gazetteer.wards():
        match = polygon_of.get(w.code)
        lat, lon = locator.label_points.get(w.code, (None, None))
        desired_wards[w.code] = {
            "code": w.code,
            "name": w.name,
            "constituency_id": constituencies[w.constituency_code].pk,
            "county_id": counties[w.county_code].pk,
            "sub_county_id": sub_by_name.get((w.county_code, w.sub_county.casefold())),
            "shapefile_code": match.shapefile_code if match else None,
            "shapefile_name": match.shapefile_name if match else "",
            "code_agreement": w.code_agreement,
            "lat": lat,
            "lon": lon,
            "has_boundary": match is not None,
        }
    wards, tallies["wards"] = _sync(models.ward, using, lambda o: o.code, desired_wards)
    say(f"wards: {tallies['wards']} ({len(polygon_of)} with a boundary)")

    settlements, tallies["settlements"], curated = _load_settlements(
        models, using, locator, counties, constituencies, wards
    )
    say(f"settlements: {tallies['settlements']}")

    tallies["aliases"] = _load_aliases(models, using, settlements, curated, locator)
    say(f"aliases: {tallies['aliases']}")
    return tallies


def _load_settlements(
    models: GazetteerModels,
    using: str,
    locator: geo.WardLocator,
    counties: dict[Any, Any],
    constituencies: dict[Any, Any],
    wards: dict[Any, Any],
) -> tuple[dict[Any, Any], Tally, list[gazetteer.CuratedRow]]:
    sources = {row.key: row for row in gazetteer.settlements()}
    curated = gazetteer.curated_settlements()
    by_key = {c.key: c for c in curated}
    desired: dict[Any, dict[str, Any]] = {}
    for cur in curated:
        if cur.key.startswith("sauti:"):
            sources[cur.key] = gazetteer.SettlementRow(
                "sauti", cur.key.removeprefix("sauti:"), cur.name, cur.county_code, None, None, None
            )
        elif cur.key not in sources:
            raise ValueError(f"villages.csv: {cur.key} is neither a new sauti: row nor a shipped settlement")
    # Points from other open sources (Wikipedia) for settlements no map gives one; see settlement_points.csv.
    constituency_only: set[str] = set()
    for point in gazetteer.settlement_points():
        if not point.accepted:
            continue
        unplaced = sources.get(point.key)
        if unplaced is None or unplaced.lat is not None:
            raise ValueError(f"settlement_points.csv: {point.key} is not a settlement without a point")
        _check_point(point, unplaced, by_key.get(point.key), locator)
        sources[point.key] = replace(unplaced, lat=point.lat, lon=point.lon)
        if not point.ward_from_point:
            constituency_only.add(point.key)  # spans wards (Eastleigh): drawn, but placed in its constituency
    for key, row in sources.items():
        values: dict[str, Any] = {
            "name": row.name,
            "source": row.source,
            "source_ref": row.source_ref,
            "county_id": counties[row.county_code].pk,
            "lat": row.lat,
            "lon": row.lon,
            "population": row.population,
            "ward_id": None,
            "constituency_id": None,
            "placement": "county",
        }
        placed = by_key.get(key)
        if placed is not None and placed.name:
            values["name"] = placed.name
        if placed is not None and placed.placement == "curated":
            _check_curated(placed, locator)
            values["placement"] = "curated"
            values["county_id"] = counties[placed.county_code].pk
            if placed.constituency_code:
                values["constituency_id"] = constituencies[placed.constituency_code].pk
            if placed.ward_code:
                values["ward_id"] = wards[placed.ward_code].pk
        elif row.lat is not None and row.lon is not None:
            found = locator.ward_at(row.lat, row.lon)
            if found is not None and found.score >= MIN_POINT_SCORE and found.county_code == row.county_code:
                assert found.ward_code is not None and found.constituency_code is not None
                values["placement"] = "point"
                values["ward_id"] = wards[found.ward_code].pk
                values["constituency_id"] = constituencies[found.constituency_code].pk
        elif placed is not None and placed.placement == "point":
            raise ValueError(f"villages.csv: {key} has no point to place it by")
        spans_wards = key in constituency_only
        if values["ward_id"] is None and row.lat is not None and row.lon is not None and not spans_wards:
            # A mapped point, and the constituency known from our curation (or none): the ward of that
            # constituency at or nearest to the point (Kibera's point lies 90 m outside Kibra).
            const_code = placed.constituency_code if placed is not None else None
            found = (
                locator.ward_in_constituency(row.lat, row.lon, const_code)
                if const_code is not None
                else locator.ward_at(row.lat, row.lon)
            )
            sure = const_code is not None or (found is not None and found.score >= MIN_POINT_SCORE)
            if found is not None and found.county_code == row.county_code and sure:
                assert found.ward_code is not None and found.constituency_code is not None
                values["ward_id"] = wards[found.ward_code].pk
                values["constituency_id"] = constituencies[found.constituency_code].pk
        desired[(row.source, row.source_ref)] = values
    villages = {tuple(c.key.split(":", 1)) for c in curated if c.parent}
    _place_by_name(desired, villages, locator, counties, constituencies, wards)
    # A settlement still without a ward whose mapped villages all lie in one ward takes it (Lunga Lunga).
    children: dict[tuple[str, ...], set[tuple[Any, Any]]] = {}
    for cur in curated:
        child = desired.get(tuple(cur.key.split(":", 1)))
        if cur.parent and child is not None and child["ward_id"] is not None:
            spots = children.setdefault(tuple(cur.parent.split(":", 1)), set())
            spots.add((child["ward_id"], child["constituency_id"]))
    for settlement_key, spots in children.items():
        whole_values = desired.get(settlement_key)
        if whole_values is not None and whole_values["ward_id"] is None and len(spots) == 1:
            ward_id, const_id = next(iter(spots))
            whole_values.update(ward_id=ward_id, constituency_id=const_id, placement="name")
    # A village still without a ward takes the ward of the settlement it is part of, when that settlement
    # sits in one constituency (ours, or its mapped point's) and the village is in the same one: Mathare 4A
    # -> Mathare's ward. Approximate, but on the right map. Not for Mukuru, which spans constituencies.
    for cur in curated:
        village = desired.get(tuple(cur.key.split(":", 1)))
        parent = desired.get(tuple(cur.parent.split(":", 1))) if cur.parent else None
        if village is None or parent is None or village["ward_id"] is not None or parent["ward_id"] is None:
            continue
        parent_row = by_key.get(cur.parent)
        whole = parent["placement"] == "point" or (parent_row is not None and parent_row.constituency_code)
        if whole and village["constituency_id"] in (None, parent["constituency_id"]):
            village.update(
                ward_id=parent["ward_id"], constituency_id=parent["constituency_id"], placement="parent"
            )
    saved, tally = _sync(
        models.settlement,
        using,
        lambda o: (o.source, o.source_ref),
        desired,
        delete_stale=lambda o: o.source in gazetteer.SETTLEMENT_SOURCES,
    )
    parents: list[Any] = []
    for (source, ref), obj in saved.items():
        curated_row = by_key.get(f"{source}:{ref}")
        parent_key = curated_row.parent if curated_row is not None else ""
        parent_id = None
        if parent_key:
            parent_source, _, parent_ref = parent_key.partition(":")
            parent = saved.get((parent_source, parent_ref))
            if parent is None:
                raise ValueError(f"villages.csv: unknown parent {parent_key} of {source}:{ref}")
            parent_id = parent.pk
        if obj.parent_id != parent_id:
            obj.parent_id = parent_id
            parents.append(obj)
    if parents:
        models.settlement.objects.using(using).bulk_update(parents, ["parent"], batch_size=500)
        tally.updated_keys |= {(p.source, p.source_ref) for p in parents} & tally.existing
        tally.updated = len(tally.updated_keys)
    return saved, tally, curated


def _place_by_name(
    desired: dict[Any, dict[str, Any]],
    villages: set[tuple[str, ...]],
    locator: geo.WardLocator,
    counties: dict[Any, Any],
    constituencies: dict[Any, Any],
    wards: dict[Any, Any],
) -> None:
    """Settlements still without a ward (KISIP's list, villages we know only by constituency) take one
    from a namesake, in this order and only when exactly one fits:
    1. a mapped settlement of the same name in the same county (KYC, Atlas): its point and ward;
    2. a ward of the same county (and constituency, when known) named after it: "Likoni", "Chaani",
       "Kaloleni" in Shaurimoyo Kaloleni, "Kawangware".
    Placement becomes "name"; the rest keep what they had (see docs/places.md for the count)."""
    county_code_of = {pk_obj.pk: code for code, pk_obj in counties.items()}
    const_code_of = {obj.pk: code for code, obj in constituencies.items()}
    mapped: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for values in desired.values():
        if values["ward_id"] is not None and values["lat"] is not None:
            key = (county_code_of[values["county_id"]], normalize(values["name"]))
            mapped.setdefault(key, []).append(values)
    ward_words: dict[int, list[tuple[int, list[str]]]] = {}
    for code, info in locator.wards.items():
        for variant in {info.name, *name_variants(info.name)}:
            ward_words.setdefault(info.county_code, []).append((code, normalize(variant).split()))
    for key, values in desired.items():
        if values["ward_id"] is not None or key in villages:
            continue  # a village of a named settlement is placed through it (below), not by namesakes elsewhere
        county = county_code_of[values["county_id"]]
        name = normalize(values["name"])
        const = const_code_of.get(values["constituency_id"]) if values["constituency_id"] else None
        twins = [
            t
            for t in mapped.get((county, name), [])
            if const is None or const_code_of.get(t["constituency_id"]) == const
        ]
        if len(twins) == 1:
            twin = twins[0]
            values.update(
                ward_id=twin["ward_id"],
                constituency_id=twin["constituency_id"],
                placement="name",
            )
            if values["lat"] is None:
                values["lat"], values["lon"] = twin["lat"], twin["lon"]
            continue
        compact = name.replace(" ", "")
        # The ward's words, or a run of them, spell the name, spaces aside: "Shaurimoyo Kaloleni" holds
        # both Kaloleni and Shauri Moyo.
        fits = {
            code
            for code, ward in ward_words.get(county, [])
            if compact
            and any(
                "".join(ward[i:j]) == compact for i in range(len(ward)) for j in range(i + 1, len(ward) + 1)
            )
            and (const is None or locator.wards[code].constituency_code == const)
        }
        if len(fits) == 1:
            code = fits.pop()
            values["ward_id"] = wards[code].pk
            values["constituency_id"] = constituencies[locator.wards[code].constituency_code].pk
            values["placement"] = "name"


def _check_point(
    point: gazetteer.PointRow,
    row: gazetteer.SettlementRow,
    placed: gazetteer.CuratedRow | None,
    locator: geo.WardLocator,
) -> None:
    """An accepted point lies inside its settlement's county, the constituency we know it in, and the ward
    we know it in when the point may choose a ward: otherwise the row should say "rejected" and why."""
    found = locator.ward_at(point.lat, point.lon)
    inside = found is not None and found.score >= geo.INSIDE
    wrong = (
        not inside
        or found is None
        or found.county_code != row.county_code
        or point.county_code != row.county_code
        or (placed is not None and placed.constituency_code not in (None, found.constituency_code))
        or (point.ward_from_point and placed is not None and placed.ward_code not in (None, found.ward_code))
    )
    if wrong:
        raise ValueError(f"settlement_points.csv: {point.key} lies outside its county, constituency or ward")


def _check_curated(row: gazetteer.CuratedRow, locator: geo.WardLocator) -> None:
    if row.ward_code is None:
        return
    ward = locator.wards.get(row.ward_code)
    if ward is None or ward.constituency_code != row.constituency_code or ward.county_code != row.county_code:
        raise ValueError(f"villages.csv: {row.key} ward {row.ward_code} is not in its constituency/county")


def _load_aliases(
    models: GazetteerModels,
    using: str,
    settlements: dict[Any, Any],
    curated: Iterable[gazetteer.CuratedRow],
    locator: geo.WardLocator,
) -> Tally:
    desired: dict[tuple[str, str, str], dict[str, Any]] = {}

    def want(kind: str, code: str, alias: str, source: str, official: Iterable[str]) -> None:
        if normalize(alias) in {normalize(n) for n in official}:
            return  # the matcher already finds it: no row needed
        desired.setdefault(
            (kind, code, alias), {"kind": kind, "code": code, "alias": alias, "source": source}
        )

    county_names = {c.code: c.name for c in gazetteer.counties()}
    const_names = {c.code: c.name for c in gazetteer.constituencies()}
    official = {
        "county": {str(k): [v] for k, v in county_names.items()},
        "constituency": {str(k): [v, *name_variants(v)] for k, v in const_names.items()},
        "ward": {str(k): [w.name, *name_variants(w.name)] for k, w in locator.wards.items()},
    }
    for county in gazetteer.counties():
        want("county", str(county.code), county.gaithoben_name.title(), "shapefile", [county.name])
    for boundary in gazetteer.boundaries("constituencies"):
        want(
            "constituency",
            str(boundary.code),
            boundary.name,
            "shapefile",
            official["constituency"][str(boundary.code)],
        )
    for match in locator.matches.values():
        want(
            "ward",
            str(match.ward_code),
            match.shapefile_name,
            "shapefile",
            official["ward"][str(match.ward_code)],
        )
    for row in gazetteer.aliases():
        if row.kind == "settlement":
            source, _, ref = row.code.partition(":")
            obj = settlements.get((source, ref))
            if obj is None:
                raise ValueError(f"aliases.csv: unknown settlement {row.code}")
            want("settlement", str(obj.pk), row.alias, "sauti", [obj.name])
        elif row.code in official.get(row.kind, {}):
            want(row.kind, row.code, row.alias, "sauti", official[row.kind][row.code])
        else:
            raise ValueError(f"aliases.csv: unknown {row.kind} {row.code}")
    for cur in curated:
        source, _, ref = cur.key.partition(":")
        obj = settlements[(source, ref)]
        for alias in cur.aliases:
            want("settlement", str(obj.pk), alias, "sauti", [obj.name])
    _, tally = _sync(
        models.alias,
        using,
        lambda o: (o.kind, o.code, o.alias),
        desired,
        delete_stale=lambda o: o.source in SHIPPED_ALIAS_SOURCES,
    )
    return tally
