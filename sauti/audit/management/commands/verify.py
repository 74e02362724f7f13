"""`sauti verify [--json] [--anchor SEQ:HASH]`: exit 0 when the history chain and the current data agree.

Otherwise exit 1 and name the first broken entry (or the row changed outside the application).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sauti.audit.verify import verify

MAX_LISTED = 50


def parse_anchor(raw: str) -> tuple[int, str]:
    seq, _sep, digest = raw.partition(":")
    digest = digest.strip().lower()
    if not seq.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise CommandError(_("An anchor is written SEQ:HASH (a number, a colon, 64 hex digits), not %(raw)r.")
                           % {"raw": raw})  # fmt: skip
    return int(seq), digest


class Command(BaseCommand):
    help = "Check the tamper-evident history and compare the current data against it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--files", action="store_true", help="Also re-hash every attachment's file (slower)."
        )
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="A chain head kept outside the database (printed by `sauti evidence anchor`); repeatable.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        anchors = [parse_anchor(a) for a in options["anchor"]]
        result = verify(anchors, progress=lambda line: print(line, file=sys.stderr), files=options["files"])
        if options["json"]:
            self.stdout.write(json.dumps(result.to_json(), indent=2))
        elif result.ok:
            self.stdout.write(
                _("OK: %(entries)d entries, %(rows)d rows agree with the history. Head #%(seq)d %(hash)s")
                % {"entries": result.entries, "rows": result.rows, "seq": result.head_seq,
                   "hash": result.head_hash}
            )  # fmt: skip
        else:
            first = result.first
            assert first is not None
            self.stderr.write(_("FAILED: %(message)s") % {"message": first.message})
            for problem in result.problems[:MAX_LISTED]:
                self.stderr.write(f"  {problem.kind}: {problem.message}")
            if len(result.problems) > MAX_LISTED:
                self.stderr.write(_("  … and %(n)d more") % {"n": len(result.problems) - MAX_LISTED})
        if not result.ok:
            sys.exit(1)
