"""`sauti budgets import|projects|departments|scorecard` (contract: README, "Contract: budgets").

- `sauti budgets import <file> --org <slug> --county <IEBC code> [--format cob-text|csv|xlsx] --json` prints
  `{"projects", "departments", "rejected", "reasons", "flags", ...}`; the format is guessed when not given.
- `sauti budgets projects --org <slug> [--ward <code>] --json`: the project register.
- `sauti budgets departments --org <slug> --county <code> --json`: the budget by department, with `Total`.
- `sauti budgets scorecard --org <slug> [--ward <code>] --json`: the ward scorecard.
Bad input is a command error (exit 1) with the reason.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from sauti.audit import audit
from sauti.budgets import queries
from sauti.budgets.actions import FORMATS, BudgetError, do_import
from sauti.budgets.models import BudgetDocument
from sauti.people.models import Organisation, User
from sauti.places.models import County, Ward


class Command(BaseCommand):
    help = (
        "Import county budgets and development projects; print the project register, departments, scorecard."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", metavar="{import,projects,departments,scorecard}", required=True
        )
        imp = actions.add_parser("import", help="Import a CoB chapter (text), or a project list (CSV/XLSX).")
        imp.add_argument("file")
        imp.add_argument("--org", required=True)
        imp.add_argument(
            "--county", required=True, type=int, help="IEBC county code (1 = Mombasa … 47 = Nairobi)."
        )
        imp.add_argument("--format", choices=FORMATS, dest="fmt")
        imp.add_argument("--kind", choices=BudgetDocument.Kind.values, default="", help="For CSV/XLSX lists.")
        imp.add_argument("--user", help="Username recorded as the importer.")
        imp.add_argument("--json", action="store_true")
        proj = actions.add_parser("projects", help="The project register.")
        proj.add_argument("--org", required=True)
        proj.add_argument("--ward", type=int)
        proj.add_argument("--json", action="store_true")
        dept = actions.add_parser("departments", help="Budget by department, with the published Total.")
        dept.add_argument("--org", required=True)
        dept.add_argument("--county", required=True, type=int)
        dept.add_argument("--year", help="Financial year, e.g. 2024/25 (default: the latest imported).")
        dept.add_argument("--json", action="store_true")
        score = actions.add_parser("scorecard", help="The ward scorecard.")
        score.add_argument("--org", required=True)
        score.add_argument("--ward", type=int)
        score.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **opts: Any) -> None:
        translation.activate("en")
        org = Organisation.objects.filter(slug=opts["org"]).first()
        if org is None:
            raise CommandError(f"No organisation with the short name “{opts['org']}”.")
        action = opts["action"]
        if action == "import":
            out: Any = self._import(org, opts)
        elif action == "projects":
            ward = self._ward(opts.get("ward"))
            qs = queries.projects_for(org, ward).prefetch_related("corrections")
            out = [queries.project_json(p, list(p.corrections.all())) for p in qs]
        elif action == "departments":
            county = self._county(opts["county"])
            out = [queries.department_json(d) for d in queries.departments(org, county, opts.get("year"))]
        else:
            ward = self._ward(opts.get("ward"))
            scores = queries.scorecard(org, ward)
            out = {
                "wards": [s.as_json() for s in scores],
                "total": queries.total(scores).as_json(),
            }
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=None if opts.get("json") else 2))

    def _county(self, code: int) -> County:
        county = County.objects.filter(code=code).first()
        if county is None:
            raise CommandError(f"No county with IEBC code {code} (1–47).")
        return county

    def _ward(self, code: int | None) -> Ward | None:
        if code is None:
            return None
        ward = Ward.objects.filter(code=code).first()
        if ward is None:
            raise CommandError(f"No ward with IEBC code {code}.")
        return ward

    def _import(self, org: Organisation, opts: dict[str, Any]) -> dict[str, Any]:
        county = self._county(opts["county"])
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        user = None
        if opts.get("user"):
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"No user “{opts['user']}”.")

        def progress(n: int) -> None:
            sys.stderr.write(f"{n} rows\n")

        with audit.acting_as(user or "command:budgets-import"):
            try:
                result = do_import(
                    org, county, path.name, data, file_format=opts.get("fmt"), kind=opts.get("kind", ""),
                    by=user, progress=progress,
                )  # fmt: skip
            except BudgetError as exc:
                raise CommandError(str(exc)) from None
        return result.as_json()
