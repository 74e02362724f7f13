"""`sauti setup`: the first organisation and its administrator, without the demo (idempotent)."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sauti.audit import audit
from sauti.ops.setup import SetupError, do_setup, find_county

PROMPTS = {
    "org_name": "Organisation name: ",
    "org_slug": "Organisation short name (letters, digits, hyphens): ",
    "county": "County (IEBC code or name): ",
    "admin": "Administrator's username: ",
    "email": "Administrator's email: ",
}


class Command(BaseCommand):
    help = (
        "Create the first organisation and its administrator. Prints JSON "
        '{"organisation": slug, "admin": username, "created": true|false}; running it again changes nothing.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org-name", help="the organisation's name")
        parser.add_argument("--org-slug", help="its short name, used in addresses (e.g. umoja)")
        parser.add_argument("--county", help="its county: IEBC code (1-47) or name")
        parser.add_argument("--admin", help="the administrator's username")
        parser.add_argument("--email", help="the administrator's email address")
        parser.add_argument(
            "--password-file", help="file whose first line is the new administrator's password"
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never prompt: missing options are an error",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = options["interactive"] and sys.stdin.isatty()
        values: dict[str, str] = {}
        missing = []
        for key, prompt in PROMPTS.items():
            value = options.get(key) or ""
            if not value and interactive:
                value = input(prompt).strip()
            if not value:
                missing.append("--" + key.replace("_", "-"))
            values[key] = value
        if missing:
            raise CommandError("missing " + ", ".join(missing))
        password = self._password(options.get("password_file"), interactive)
        try:
            county = find_county(values["county"])
            with audit.acting_as("command:setup"):
                result = do_setup(
                    org_name=values["org_name"],
                    org_slug=values["org_slug"],
                    county=county,
                    admin=values["admin"],
                    email=values["email"],
                    password=password,
                )
        except SetupError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(
            json.dumps(
                {
                    "organisation": result.organisation.slug,
                    "admin": result.admin.username,
                    "created": result.created,
                }
            )
        )

    def _password(self, path: str | None, interactive: bool) -> str | None:
        if path:
            try:
                lines = Path(path).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError) as e:
                raise CommandError(f"cannot read the password file {path}: {e}") from None
            if not lines or not lines[0].strip():
                raise CommandError(f"the password file {path} is empty")
            return lines[0].strip()
        if not interactive:
            return None  # enough when the administrator exists already; do_setup says so otherwise
        first = getpass.getpass("Administrator's password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return first or None
