"""`sauti people export-subject|erase-subject`: data subject requests (Kenya Data Protection Act 2019).

- `sauti people export-subject --phone 0712… --org <slug> [--user NAME] [-o file.json]` prints (or writes)
  everything stored about the person as JSON; logged in the audit chain (and the identity log with --user).
- `sauti people erase-subject --phone 0712… --org <slug> [--user NAME] [--reason TEXT]` erases the identity
  and keeps the reports under the pseudonym; logged in the audit chain. Unknown person: exit 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sauti.people.models import User
from sauti.people.subjects import SubjectError, do_erase_subject, do_export_subject, find_subject


class Command(BaseCommand):
    help = "Data subject requests: export everything about a person, or erase their identity."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", metavar="{export-subject,erase-subject}", required=True)
        for name in ("export-subject", "erase-subject"):
            p = sub.add_parser(name)
            p.add_argument("--phone", required=True)
            p.add_argument("--org", required=True, help="Short name (slug) of the organisation.")
            p.add_argument("--user", help="Username of the person handling the request (logged).")
            if name == "export-subject":
                p.add_argument("-o", "--output", default="-")
            else:
                p.add_argument("--reason", default="", help="Why (e.g. the request's reference).")

    def handle(self, *args: Any, **options: Any) -> None:
        by: User | str = "command:people"
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(_("No active user %(name)r.") % {"name": options["user"]})
            by = user
        try:
            contact = find_subject(options["org"], options["phone"])
        except SubjectError as exc:
            raise CommandError(str(exc)) from None
        if options["action"] == "export-subject":
            text = json.dumps(do_export_subject(contact, by), indent=2, ensure_ascii=False)
            if options["output"] == "-":
                self.stdout.write(text)
            else:
                Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            do_erase_subject(contact, by, options["reason"])
            self.stdout.write(_("Erased the identity of %(pseudonym)s; their reports remain under that pseudonym.")
                              % {"pseudonym": contact.pseudonym})  # fmt: skip
