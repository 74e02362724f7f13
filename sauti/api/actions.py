"""Writes the API makes beyond the monitoring actions: idempotent report intake and API tokens."""

from __future__ import annotations

from typing import Any

from rest_framework.authtoken.models import Token

from django.db import IntegrityError, transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sauti.monitoring.actions import ReportError, ReportInput, do_submit_report, place_resolution
from sauti.monitoring.models import Report, ReportChannel
from sauti.people.access import role_in
from sauti.people.models import Contact, Organisation, Role, User
from sauti.places.services import PlaceCandidate, candidate_key, find_places, label


def submit_channel(user: User, org: Organisation) -> str:
    return ReportChannel.MONITOR if role_in(user, org) == Role.MONITOR else ReportChannel.WEB


def _stored(org: Organisation, channel: str, external_id: str) -> Report | None:
    if not external_id:
        return None
    return Report.objects.filter(organisation=org, channel=channel, external_id=external_id).first()


def do_submit_api_report(org: Organisation, user: User, data: dict[str, Any]) -> tuple[Report, bool]:
    """Store a report sent through the API; (report, created). A known external_id returns the stored report."""
    channel = submit_channel(user, org)
    external_id = data.get("external_id", "").strip()
    existing = _stored(org, channel, external_id)
    if existing is not None:
        return existing, False
    check_place(org, data)
    reporter = None
    if data.get("reporter"):
        reporter = Contact.objects.filter(organisation=org, pseudonym=data["reporter"]).first()
        if reporter is None:
            raise ReportError(_("No contact of this organisation has this pseudonym."), "reporter")
    inp = ReportInput(
        description=data["description"],
        channel=channel,
        occurred_on=data.get("occurred_on"),
        place_text=data.get("place_text", ""),
        lat=data.get("lat"),
        lon=data.get("lon"),
        category_keys=data.get("categories", []),
        people_affected=data.get("people_affected"),
        language=data.get("language") or (get_language() or "sw")[:2],
        reporter=reporter,
        external_id=external_id,
        submitted_by=user,
        county_hint=data.get("county"),
        place_key=data.get("place_key", ""),
    )
    try:
        with transaction.atomic():
            return do_submit_report(org, inp), True
    except IntegrityError:
        # A retry raced the first attempt past the lookup above; the unique constraint kept one copy.
        existing = _stored(org, channel, external_id)
        if existing is None:
            raise
        return existing, False


class PlaceChoiceNeeded(Exception):
    """The place text names several places for this organisation: the client must choose (nothing stored)."""

    def __init__(self, choices: list[dict[str, Any]]) -> None:
        super().__init__("ambiguous place")
        self.choices = choices


def _choice_json(c: PlaceCandidate) -> dict[str, Any]:
    return {
        "key": candidate_key(c),
        "label": label(c),
        "kind": c.kind,
        "ward_code": c.ward_code,
        "county_code": c.county_code,
    }


def check_place(org: Organisation, data: dict[str, Any]) -> None:
    """Before anything is stored: a `place_key` must be one of the places `place_text` names; an ambiguous
    `place_text` without one raises PlaceChoiceNeeded. Coordinates place the report by themselves."""
    if data.get("lat") is not None or data.get("lon") is not None:
        return
    text = data.get("place_text", "").strip()
    key = data.get("place_key", "")
    if key and not text:
        raise ReportError(_("Send place_key together with the place_text it was chosen for."), "place_key")
    if not text:
        return
    area = org.operating_area()
    resolution = place_resolution(text, area, data.get("county"))
    if key:
        named = [*resolution.choices, *find_places(text, limit=20, area=area)]
        if not any(candidate_key(c) == key for c in named):
            raise ReportError(
                _("This place_key is not one of the places named “%(text)s”.") % {"text": text[:60]},
                "place_key",
            )
        return
    if resolution.ambiguous:
        raise PlaceChoiceNeeded([_choice_json(c) for c in resolution.choices])


def place_choices(report: Report, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The places to choose from when the report's place_text was ambiguous for its organisation."""
    if report.ward_id or report.settlement_id or data.get("lat") is not None or not report.place_text:
        return []
    resolution = place_resolution(report.place_text, report.organisation.operating_area(), data.get("county"))
    if not resolution.ambiguous:
        return []
    return [_choice_json(c) for c in resolution.choices]


def do_create_token(user: User) -> Token:
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def do_regenerate_token(user: User) -> tuple[Token, bool]:
    """A new key, and whether it replaced one; the old key stops working at once."""
    replaced, _deleted = Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user), replaced > 0
