"""`sauti places find|extract|at|load`: the gazetteer from the console.

The `--json` output is a contract other tools rely on: a list of candidates best first (or, for `at`, one
candidate or null), each with kind, name, ward_code, constituency_code, county_code (IEBC numbering, null
where not applicable) and score in [0, 1]; extra keys may be added.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sauti.places.matching import PlaceCandidate
from sauti.places.services import (
    MAX_QUERY_LENGTH,
    area_of,
    clear_cache,
    extract_places,
    find_places,
    ward_at,
)


def _number(label: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise CommandError(f"{label} must be a number in decimal degrees, not {text!r}.") from None


class Command(BaseCommand):
    help = "Kenya's gazetteer: find places named in text, find the ward at a point, reload the shipped data."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{find,extract,at,load}", required=True)

        find = actions.add_parser("find", help="Places a name or phrase refers to, best first.")
        find.add_argument("text", help='A place name, e.g. "Mathare 4A" or "kaunti ya Nairobi".')
        find.add_argument("--limit", type=int, default=10, help="At most this many candidates (default 10).")
        find.add_argument("--county", type=int, help="IEBC county code (1-47) to prefer.")
        find.add_argument(
            "--org",
            help="Short name (slug) of an organisation: rank places inside its area of operation first.",
        )
        find.add_argument("--json", action="store_true", help="Print JSON.")

        extract = actions.add_parser("extract", help="Places mentioned inside a message.")
        extract.add_argument("text", help="Free text, e.g. an SMS.")
        extract.add_argument("--county", type=int, help="IEBC county code (1-47) to prefer.")
        extract.add_argument(
            "--org",
            help="Short name (slug) of an organisation: rank places inside its area of operation first.",
        )
        extract.add_argument("--json", action="store_true", help="Print JSON.")

        at = actions.add_parser("at", help="The ward containing a point.")
        at.add_argument("lat", help="Latitude in decimal degrees, e.g. -1.2621.")
        at.add_argument("lon", help="Longitude in decimal degrees, e.g. 36.8577.")
        at.add_argument("--json", action="store_true", help="Print JSON.")

        actions.add_parser("load", help="Re-sync the places tables from the files shipped with Sauti.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            self._load()
        elif action == "at":
            self._at(options["lat"], options["lon"], as_json=options["json"])
        else:
            self._text(action, options["text"], options)

    def _text(self, action: str, text: str, options: dict[str, Any]) -> None:
        text = text.strip()
        if not text:
            raise CommandError('Give the text to look up, e.g. places find "Mathare 4A".')
        if len(text) > MAX_QUERY_LENGTH:
            raise CommandError(f"The text is too long: at most {MAX_QUERY_LENGTH} characters.")
        county = options.get("county")
        if county is not None and not 1 <= county <= 47:
            raise CommandError("--county must be an IEBC county code between 1 and 47.")
        area = None
        if options.get("org"):
            area = area_of(options["org"])
            if area is None:
                raise CommandError(f"No organisation with the short name {options['org']!r}.")
        if action == "find":
            limit = options["limit"]
            if limit < 1:
                raise CommandError("--limit must be at least 1.")
            found = find_places(text, limit=limit, county_code=county, area=area)
        else:
            found = extract_places(text, county_code=county, area=area)
        if options["json"]:
            self.stdout.write(json.dumps([c.to_json() for c in found], ensure_ascii=False))
        elif not found:
            self.stdout.write("No place found.")
        else:
            self._table(found)

    def _at(self, lat_text: str, lon_text: str, *, as_json: bool) -> None:
        lat, lon = _number("Latitude", lat_text), _number("Longitude", lon_text)
        try:
            found = ward_at(lat, lon)
        except ValueError as exc:
            message = str(exc)
            raise CommandError(f"{message[:1].upper()}{message[1:]}.") from None
        if as_json:
            self.stdout.write(json.dumps(found.to_json() if found else None, ensure_ascii=False))
        elif found is None:
            self.stdout.write("No ward: the point is outside Kenya's wards.")
        else:
            self._table([found])

    def _table(self, found: list[PlaceCandidate]) -> None:
        header = ("score", "kind", "name", "ward", "constituency", "county")
        rows = [
            (
                f"{c.score:.2f}",
                c.kind,
                f"{c.name} ({c.parent_name})" if c.parent_name else c.name,
                f"{c.ward_code} {c.ward_name}" if c.ward_code else "",
                f"{c.constituency_code} {c.constituency_name}" if c.constituency_code else "",
                f"{c.county_code} {c.county_name}" if c.county_code else "",
            )
            for c in found
        ]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
        for row in (header, *rows):
            self.stdout.write(
                "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )

    def _load(self) -> None:
        from django.apps import apps

        from sauti.places.loader import GazetteerModels, load_gazetteer

        with transaction.atomic():
            load_gazetteer(GazetteerModels.from_apps(apps), log=self.stdout.write)
        clear_cache()
        self.stdout.write(self.style.SUCCESS("Places are in sync with the shipped files."))
