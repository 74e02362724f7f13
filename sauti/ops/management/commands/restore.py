"""`sauti restore FILE`: a `sauti backup` archive into an empty database and MEDIA_ROOT."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sauti.ops.backup import BackupError, do_restore


class Command(BaseCommand):
    help = (
        "Restore a `sauti backup` archive into the configured database, which must be empty (create it; "
        "do not migrate it first), checking every SHA-256 first and the row counts after. Then run "
        "`sauti verify`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="the file `sauti backup -o` wrote")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"{archive}: no such file")
        try:
            result = do_restore(archive, progress=lambda m: self.stderr.write(m))
        except (BackupError, OSError) as e:
            raise CommandError(str(e)) from None
        if result["mismatches"]:
            raise CommandError(f"restored, but row counts differ from the manifest: {result['mismatches']}")
        self.stdout.write(
            json.dumps(
                {"restored": str(archive), "rows": sum(result["counts"].values()), "files": result["files"]}
            )
        )
