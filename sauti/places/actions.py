"""Writes to the gazetteer made by people: local places (landmarks, villages) a coordinator adds."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sauti.places import geo
from sauti.places.matching import label
from sauti.places.models import PlaceAlias, Settlement, Ward

MAX_LOCAL_ALIASES = 5


class PlaceError(ValueError):
    """Bad input for a place, with a message for the person who typed it and the field it is about."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


def check_point_in_ward(lat: float, lon: float, ward: Ward) -> None:
    """A local place's point must lie in its ward, or its reports carry one ward and a pin far from it.
    A ward without a boundary cannot be checked: any point is taken."""
    if geo.near_ward(lat, lon, ward.code) is not False:
        return
    found = geo.ward_at(lat, lon)
    where = label(found) if found is not None else _("outside Kenya")
    raise PlaceError(
        _("This point is not in %(ward)s ward: it is in %(found)s. Check the coordinates or the ward.")
        % {"ward": ward.name, "found": where},
        "lat",
    )


@transaction.atomic
def do_add_local_place(
    owner: str,
    name: str,
    ward: Ward,
    *,
    lat: float | None = None,
    lon: float | None = None,
    aliases: Sequence[str] = (),
) -> Settlement:
    """A landmark or village named the way residents name it, in a ward; matched in reports from then on
    (the place index is rebuilt on save). `owner` (an organisation's slug) keeps names unique per owner."""
    name = " ".join(name.split())[:120]
    if len(name) < 3:
        raise PlaceError(_("Give the place's name (at least 3 letters)."))
    if lat is not None and lon is not None:
        check_point_in_ward(lat, lon, ward)
    ref = f"{owner}/{slugify(name) or 'place'}"[:80]
    if Settlement.objects.filter(source="local", source_ref=ref).exists():
        raise PlaceError(_("“%(name)s” is already one of your places.") % {"name": name})
    place = Settlement.objects.create(
        name=name,
        ward=ward,
        constituency=ward.constituency,
        county=ward.county,
        lat=lat,
        lon=lon,
        source="local",
        source_ref=ref,
        placement="curated",
    )
    for alias in list(dict.fromkeys(" ".join(a.split()) for a in aliases if a.strip()))[:MAX_LOCAL_ALIASES]:
        PlaceAlias.objects.create(kind="settlement", code=str(place.pk), alias=alias[:120], source="staff")
    return place
