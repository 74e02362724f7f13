"""`sauti forms import <file.xlsx> --org <slug> --json` and `sauti forms results <form_id> --org <slug> --json`
(contracts in the README)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sauti.people.models import Organisation
from sauti.questionnaires.actions import do_import_form
from sauti.questionnaires.models import Questionnaire
from sauti.questionnaires.results import contract_counts
from sauti.questionnaires.xlsform import MAX_UPLOAD_BYTES, FormError, parse_upload


class Command(BaseCommand):
    help = "Import an XLSForm as an organisation's questionnaire; print a questionnaire's result counts."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="{import,results}", required=True)
        i = actions.add_parser("import", help="Import (or add a version of) an XLSForm (.xlsx).")
        i.add_argument("file")
        i.add_argument("--org", required=True, help="The organisation's slug.")
        i.add_argument("--json", action="store_true")
        r = actions.add_parser("results", help="Counts per choice of every select question.")
        r.add_argument("form_id")
        r.add_argument("--org", required=True, help="The organisation's slug.")
        r.add_argument("--json", action="store_true")

    def _org(self, slug: str) -> Organisation:
        org = Organisation.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(_("No organisation with the slug %(slug)s.") % {"slug": slug})
        return org

    def handle(self, *args: Any, **options: Any) -> None:
        org = self._org(options["org"])
        if options["action"] == "import":
            path = Path(options["file"])
            try:
                if path.stat().st_size > MAX_UPLOAD_BYTES:
                    raise CommandError(_("The file is larger than 5 MB; an XLSForm is much smaller."))
                data = path.read_bytes()
            except (FileNotFoundError, IsADirectoryError, PermissionError):
                raise CommandError(_("Cannot read %(file)s") % {"file": options["file"]}) from None
            try:
                parsed = parse_upload(data, path.name)
                form, version = do_import_form(org, parsed, None)
            except FormError as exc:
                raise CommandError(str(exc)) from None
            out = {"form_id": form.form_id, "version": version.version, "questions": len(version.questions)}
            if options["json"]:
                self.stdout.write(json.dumps(out, ensure_ascii=False))
            else:
                self.stdout.write(
                    _("Imported %(form)s version %(version)s (%(n)d questions).")
                    % {"form": form.form_id, "version": version.version, "n": out["questions"]}
                )
            return
        found = Questionnaire.objects.filter(organisation=org, form_id=options["form_id"]).first()
        if found is None:
            raise CommandError(
                _("No form %(form)s in %(org)s.") % {"form": options["form_id"], "org": org.slug}
            )
        result = contract_counts(found)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(_("%(n)d submissions") % {"n": result["submissions"]})
        for name, values in result["questions"].items():
            self.stdout.write(f"{name}: " + ", ".join(f"{k}={v}" for k, v in values.items()))
