"""Writes to the gazetteer made by people: local places (landmarks, villages) a coordinator adds."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from sauti.places.models import PlaceAlias, Settlement, Ward

MAX_LOCAL_ALIASES = 5


class PlaceError(ValueError):
    """Bad input for a place, with a message for the person who typed it."""


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
