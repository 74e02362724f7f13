"""`sauti reports import-ushahidi|export|rebuild-rollups`: bulk movement of reports from the console.

Contract (README):
- `sauti reports import-ushahidi <file.csv> --org <slug>` prints a JSON summary with at least the keys
  `imported`, `rejected` and `reasons` (a map "row N" -> what happened to that row); progress goes to stderr.
- `sauti reports export --format csv|xlsx|geojson|hxl -o <file> [--org slug] [filters]` streams an export
  (`-o -` writes to standard output). Without `--user` the export is the operator's: every organisation (or
  `--org`), exact locations, reporters by pseudonym. With `--user` it is exactly what that user may download.

It lives with the exports (insights); the import and the rollup rebuild it runs are monitoring's, one layer
below.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sauti.insights import exports
from sauti.insights.filters import FILTER_KEYS, FilterError, active_filters, filter_reports
from sauti.monitoring import rollups, ushahidi
from sauti.monitoring.models import Report
from sauti.people.access import Perm, can
from sauti.people.models import Organisation, User

PROGRESS_ROWS = 100_000


class Command(BaseCommand):
    help = "Import a Ushahidi CSV export, or export reports as CSV, XLSX, GeoJSON or HXL."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", metavar="{import-ushahidi,export,rebuild-rollups}", required=True
        )

        imp = actions.add_parser("import-ushahidi", help="Import a Ushahidi (v2) CSV export.")
        imp.add_argument("file", help="The CSV file Ushahidi exported.")
        imp.add_argument("--org", required=True, help="Short name (slug) of the organisation to import into.")
        imp.add_argument(
            "--user",
            help="Username recorded as the importer (needs triage rights); default: the system user.",
        )
        imp.add_argument("--language", choices=("en", "sw"), default="en", help="Language of the reports.")
        imp.add_argument(
            "--progress-every", type=int, default=ushahidi.PROGRESS_EVERY, help="Progress line every N rows."
        )

        exp = actions.add_parser("export", help="Export reports, streamed.")
        exp.add_argument("--format", required=True, choices=exports.FORMATS, dest="fmt")
        exp.add_argument("-o", "--output", required=True, help="File to write, or - for standard output.")
        exp.add_argument("--org", help="Only this organisation (slug).")
        exp.add_argument("--user", help="Export as this user: their organisations, rights and identity log.")
        exp.add_argument(
            "--identities",
            action="store_true",
            help="Include reporters' names and phones (needs --user with the right to see them; logged).",
        )
        for key in FILTER_KEYS:
            exp.add_argument(f"--{key.replace('_', '-')}", dest=f"filter_{key}", default="")

        rebuild = actions.add_parser(
            "rebuild-rollups", help="Recount the dashboard's daily report rollup from the reports."
        )
        rebuild.add_argument("--org", help="Only this organisation (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import-ushahidi":
            self._import(options)
        elif options["action"] == "rebuild-rollups":
            self._rebuild(options)
        else:
            self._export(options)

    def _rebuild(self, options: dict[str, Any]) -> None:
        orgs = [self._organisation(options["org"]).pk] if options["org"] else None
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"{done:,}/{total:,} report ids counted ({time.monotonic() - started:.1f} s)")

        written = rollups.rebuild(orgs, progress=progress)
        self.stderr.write(f"{written:,} rollup rows written in {time.monotonic() - started:.1f} s")

    def _organisation(self, slug: str) -> Organisation:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"No organisation with the short name {slug!r}.")
        return org

    def _user(self, username: str) -> User:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user

    def _import(self, options: dict[str, Any]) -> None:
        org = self._organisation(options["org"])
        by = self._user(options["user"]) if options["user"] else None
        if by is not None and not can(by, Perm.TRIAGE_CASES, org):
            raise CommandError(f"{by.username} may not triage {org.slug}'s cases, so cannot import into it.")
        every = options["progress_every"]
        if every < 1:
            raise CommandError("--progress-every must be at least 1.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        started = time.monotonic()

        def progress(rows: int) -> None:
            self.stderr.write(f"{rows} rows read ({time.monotonic() - started:.1f} s)")

        with path.open("rb") as source:
            try:
                summary = ushahidi.do_import_ushahidi(
                    org, source, by=by, language=options["language"], progress=progress, progress_every=every
                )
            except ushahidi.UshahidiFileError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))

    def _export(self, options: dict[str, Any]) -> None:
        params = {key: options[f"filter_{key}"] for key in FILTER_KEYS}
        user = self._user(options["user"]) if options["user"] else None
        if options["org"]:
            organisations = [self._organisation(options["org"])]
        else:
            organisations = list(Organisation.objects.order_by("slug"))
        if user is not None:
            if not options["org"]:
                organisations = [o for o in organisations if can(user, Perm.EXPORT_DATA, o)]
            denied = [o.slug for o in organisations if not can(user, Perm.EXPORT_DATA, o)]
            if denied or not organisations:
                raise CommandError(
                    f"{user.username} may not export reports of: {', '.join(denied) or 'any organisation'}."
                )
        if options["identities"]:
            if user is None:
                raise CommandError(
                    "--identities needs --user: every identity shown is logged against a person."
                )
            if not all(can(user, Perm.VIEW_IDENTITIES, o) for o in organisations):
                raise CommandError(f"{user.username} may not see reporters' identities.")
        try:
            reports = filter_reports(Report.objects.filter(organisation__in=organisations), params)
        except FilterError as exc:
            raise CommandError(f"--{exc.field.replace('_', '-')}: {exc}") from None
        context = f"command line export {options['fmt']} {json.dumps(active_filters(params))}"
        if user is not None:
            audience = exports.audience_for(
                user, organisations, identities=options["identities"], context=context
            )
        else:
            audience = exports.Audience(context=context)
        started = time.monotonic()
        rows = 0

        def progress(produced: int) -> None:
            nonlocal rows
            if produced // PROGRESS_ROWS > rows // PROGRESS_ROWS:
                self.stderr.write(f"{produced} reports ({time.monotonic() - started:.1f} s)")
            rows = produced

        stream = exports.export_stream(options["fmt"], reports, audience, progress)
        output = options["output"]
        if output == "-":
            self._write(stream, sys.stdout.buffer)
        else:
            with Path(output).open("wb") as target:
                self._write(stream, target)
        took = max(time.monotonic() - started, 1e-6)
        self.stderr.write(
            f"{rows} reports written to {output} in {took:.1f} s ({rows / took:,.0f} reports/s)"
        )

    def _write(self, stream: Iterator[bytes], target: BinaryIO) -> None:
        for block in stream:
            target.write(block)
