"""Writes of mapping exercises: an exercise, a hotspot (placed in a ward from its point or its name), an actor,
a tie."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sauti.dialogues.models import Meeting
from sauti.mapping import naming
from sauti.mapping.models import Actor, Hotspot, HotspotKind, MappingExercise, Tie, TieKind
from sauti.people.models import User
from sauti.places.models import Ward
from sauti.places.services import find_places, ward_at


class MappingError(ValueError):
    """Input refused; str(e) is the reason in the user's language."""


def do_start_exercise(meeting: Meeting, by: User, *, title: str, notes: str = "") -> MappingExercise:
    if not title.strip():
        raise MappingError(_("Give the exercise a title."))
    if meeting.status == Meeting.Status.CANCELLED:
        raise MappingError(_("This meeting was cancelled."))
    return MappingExercise.objects.create(meeting=meeting, title=title.strip(), notes=notes.strip())


def _ward(meeting: Meeting, label: str, lat: float | None, lon: float | None) -> Ward | None:
    if lat is not None and lon is not None:
        try:
            found = ward_at(lat, lon)
        except ValueError:
            raise MappingError(_("That point is not a valid latitude and longitude.")) from None
        if found is None:
            raise MappingError(_("That point is outside Kenya's wards."))
    else:
        county = meeting.programme.county.code if meeting.programme.county else None
        candidates = [c for c in find_places(label, limit=3, county_code=county) if c.ward_code]
        found = candidates[0] if candidates and candidates[0].score >= 0.9 else None
    if found is None or found.ward_code is None:
        return None
    return Ward.objects.filter(code=found.ward_code).first()


def do_mark_hotspot(
    exercise: MappingExercise,
    by: User,
    *,
    label: str,
    kind: str,
    reason: str = "",
    segment: str = "",
    lat: float | None = None,
    lon: float | None = None,
) -> Hotspot:
    if kind not in HotspotKind.values:
        raise MappingError(_("Unknown kind of place."))
    if not label.strip():
        raise MappingError(_("Name the place."))
    if (lat is None) != (lon is None):
        raise MappingError(_("Give both the latitude and the longitude, or neither."))
    segments = set(exercise.meeting.programme.segments.values_list("key", flat=True))
    if segment and segment not in segments:
        raise MappingError(_("Unknown segment."))
    return Hotspot.objects.create(
        exercise=exercise,
        label=" ".join(label.split()),
        kind=kind,
        reason=reason.strip(),
        segment=segment,
        lat=lat,
        lon=lon,
        ward=_ward(exercise.meeting, label, lat, lon),
    )


def do_add_actor(exercise: MappingExercise, by: User, *, name: str, kind: str) -> Actor:
    name = " ".join(name.split())
    if not name:
        raise MappingError(_("Name the actor (an institution, a group or a category)."))
    refusal = naming.names_a_person(exercise.meeting.programme.organisation_id, name, kind)
    if refusal == naming.GANG_NAME:
        raise MappingError(
            _(
                "Gangs go on the map as a category only, never by a name: describe them, e.g. “Gangs” or "
                "“Youth gangs near the dumpsite”."
            )
        )
    if refusal is not None:
        raise MappingError(
            _(
                "An actor map names no people and no phone numbers: name the role or group instead, e.g. "
                "“Chief of Korogocho location” or “Youth group”."
            )
        )
    try:
        with transaction.atomic():
            return Actor.objects.create(exercise=exercise, name=name, kind=kind)
    except IntegrityError:
        raise MappingError(_("This actor is already on the map.")) from None


def do_add_tie(
    exercise: MappingExercise, by: User, *, source: Actor, target: Actor, kind: str, strength: int
) -> Tie:
    if source.exercise_id != exercise.pk or target.exercise_id != exercise.pk:
        raise MappingError(_("Both actors must be on this map."))
    if source.pk == target.pk:
        raise MappingError(_("A tie joins two different actors."))
    if kind not in TieKind.values or not 1 <= strength <= 3:
        raise MappingError(_("Choose the kind of tie and a strength from 1 to 3."))
    try:
        with transaction.atomic():
            return Tie.objects.create(
                exercise=exercise, source=source, target=target, kind=kind, strength=strength
            )
    except IntegrityError:
        raise MappingError(_("This tie is already on the map.")) from None
