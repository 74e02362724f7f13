"""`sauti redact "<text>" [--org <slug>] [--json]`: the redaction the pages use, on one text.

With --json it prints {"text": "<redacted>", "found": [{"kind": "phone"|"name", "start": i, "end": j}]}
(offsets into the text given, in characters); without, the redacted text. --org also finds the names of
that organisation's contacts (through their keyed hashes: nobody is decrypted). Unknown organisation: exit 1.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sauti.people.models import Organisation
from sauti.people.redaction import redact_text


class Command(BaseCommand):
    help = "Redact phone numbers and names from a text, as Sauti's pages do for those who may not see identities."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text")
        parser.add_argument(
            "--org", help="Short name (slug) of the organisation whose contacts' names to find."
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the redacted text and the spans found as JSON."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org_id = None
        if options["org"]:
            org = Organisation.objects.filter(slug=options["org"]).first()
            if org is None:
                raise CommandError(f"No organisation with the short name {options['org']!r}.")
            org_id = org.pk
        result = redact_text(org_id, options["text"])
        if options["json"]:
            found = [f.as_json() for f in result.found]
            self.stdout.write(json.dumps({"text": result.text, "found": found}, ensure_ascii=False))
        else:
            self.stdout.write(result.text)
