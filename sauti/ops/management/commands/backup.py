"""`sauti backup -o FILE`: the database and the uploaded files, with a manifest of SHA-256 sums."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sauti.ops.backup import BackupError, do_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup API, or pg_dump) and the uploaded files into one "
        "archive with a manifest of SHA-256 sums. The keys are not included: keep them apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, help="the archive to write (e.g. sauti.tar.gz)")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if output.is_dir():
            raise CommandError(f"{output} is a folder: give a file name")
        try:
            manifest = do_backup(output, progress=lambda m: self.stderr.write(m))
        except (BackupError, OSError) as e:
            raise CommandError(str(e)) from None
        rows = sum(manifest["counts"].values())
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            json.dumps({"file": str(output), "engine": manifest["engine"], "rows": rows, "files": media})
        )
