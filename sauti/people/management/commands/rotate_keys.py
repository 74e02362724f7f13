"""`sauti rotate-keys`: re-encrypt every value encrypted with the identity keys (contacts, message phones,
channel credentials, authenticator secrets, organisation signing keys) under the newest key (first in
SAUTI_IDENTITY_KEYS).

Put the new key first, keep the old ones after it, run this, then drop the old keys. Safe to run again
or after an interruption: rows already under the newest key are skipped.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sauti.audit import audit
from sauti.people.subjects import do_rotate_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt everything encrypted with the identity keys under the newest key (idempotent, resumable)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(done: int, total: int, what: str) -> None:
            print(f"{done}/{total} {what}", file=sys.stderr)

        with audit.acting_as("command:rotate-keys"):
            counts = do_rotate_keys(batch=max(1, options["batch"]), progress=progress)
            audit.note("people.contact", "*", "update", {"rotated": counts})
        self.stdout.write(json.dumps(counts))
