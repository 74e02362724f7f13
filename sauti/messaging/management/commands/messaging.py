"""`sauti messaging parse|segments|status`: the SMS analysis, the segment counter and the queues' state.

`parse` runs the analysis the conversations app registered (sauti.messaging.readers), as an SMS
conversation starts from it.

`parse --json` is a contract other tools rely on: an object with `language` (en/sw/mixed), `category` (a
taxonomy key), `place` (`kind`, `name`, `ward_code`, `constituency_code`, `county_code`, `score`, or null)
and `people_affected` (int or null); extra keys may be added. `segments --json` gives `encoding`,
`characters`, `units`, `segments`, `per_segment`, `remaining` and `normalised_text`. `status --json` (a
contract too) prints `{"inbound": {<state>: count, ...}, "outbound": {<state>: count, ...},
"oldest_unprocessed_seconds": n|null}` with every state listed.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sauti.messaging.readers import Reading, reader
from sauti.messaging.segments import measure
from sauti.messaging.status import counts


class Command(BaseCommand):
    help = "SMS tools: analyse a message as the inbound pipeline does, or count its segments."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{parse,segments,status}", required=True)

        parse = actions.add_parser(
            "parse", help="Language, category, place and people affected of a message."
        )
        parse.add_argument(
            "text", help='The message, e.g. "Maji yamekatwa Mathare 4A, watu 200 hawana maji".'
        )
        parse.add_argument("--county", type=int, help="IEBC county code (1-47) whose places come first.")
        parse.add_argument("--json", action="store_true", help="Print JSON.")

        segments = actions.add_parser("segments", help="Encoding, length and segment count of a message.")
        segments.add_argument("text", help="The message as it would be sent.")
        segments.add_argument(
            "--raw",
            action="store_true",
            help="Count the text as given, without normalising quotes and dashes.",
        )
        segments.add_argument("--json", action="store_true", help="Print JSON.")

        status = actions.add_parser(
            "status", help="Inbound and outbox messages per state, and the oldest unprocessed one's age."
        )
        status.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            self._status(as_json=options["json"])
            return
        text: str = options["text"]
        if not text.strip():
            raise CommandError('Give the message text, e.g. messaging parse "Maji yamekatwa Mathare 4A".')
        if options["action"] == "segments":
            self._segments(text, raw=options["raw"], as_json=options["json"])
            return
        found = reader()
        if found is None:
            raise CommandError("No SMS reader is installed (the conversations app registers it).")
        if len(text) > found.max_length:
            raise CommandError(f"The text is too long: at most {found.max_length} characters.")
        county = options.get("county")
        if county is not None and not 1 <= county <= 47:
            raise CommandError("--county must be an IEBC county code between 1 and 47.")
        result = found.read(text, county)
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))
        else:
            self._summary(result)

    def _summary(self, result: Reading) -> None:
        place = result.place
        if place is None:
            where = "none found"
        else:
            codes = [
                f"ward {place.ward_code}" if place.ward_code else "",
                f"constituency {place.constituency_code}" if place.constituency_code else "",
                f"county {place.county_code}" if place.county_code else "",
            ]
            where = (
                f"{place.name} ({place.kind}; {', '.join(c for c in codes if c)}; score {place.score:.2f})"
            )
        scores = sorted(result.category_scores.items(), key=lambda kv: -kv[1])
        runner_up = ", ".join(f"{k} {v:g}" for k, v in scores if v > 0 and k != result.category)[:80]
        if result.people_affected is None:
            people = "not stated"
        else:
            people = f"{result.people_affected} ({result.people_unit})"
        lines = [
            (
                "command",
                f"{result.command}" + (f" {result.reference}" if result.reference is not None else ""),
            ),
            ("language", result.language),
            ("category", result.category + (f"  (also: {runner_up})" if runner_up else "")),
            ("place", where),
            ("people", people),
        ]
        for label, value in lines:
            if label == "command" and result.command is None:
                continue
            self.stdout.write(f"{label:<9} {value}")

    def _segments(self, text: str, *, raw: bool, as_json: bool) -> None:
        m = measure(text, normalise=not raw)
        if as_json:
            self.stdout.write(json.dumps(m.to_json(), ensure_ascii=False))
            return
        self.stdout.write(f"encoding  {m.encoding}")
        unit = "septets" if m.encoding == "GSM-7" else "UTF-16 units"
        self.stdout.write(f"length    {m.characters} characters, {m.units} {unit}")
        self.stdout.write(
            f"segments  {m.segments} (up to {m.per_segment} {unit} each; {m.remaining} left in the last)"
        )
        if not raw and m.text != text:
            self.stdout.write(f"sent as   {m.text}")

    def _status(self, *, as_json: bool) -> None:
        state = counts()
        if as_json:
            self.stdout.write(json.dumps(state))
            return
        for direction in ("inbound", "outbound"):
            line = ", ".join(f"{k} {v}" for k, v in state[direction].items())
            self.stdout.write(f"{direction:<9} {line}")
        age = state["oldest_unprocessed_seconds"]
        self.stdout.write(f"oldest    {'none waiting' if age is None else f'{age} s unprocessed'}")
