"""`sauti api-token <username>` prints the user's API token, making one if needed (`--new` replaces it)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sauti.api import actions
from sauti.people.models import User


class Command(BaseCommand):
    help = "Print a user's API token, making one if the user has none (--new replaces it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--new", action="store_true", help="replace the token: the old one stops working at once"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no user named {options['username']!r}")
        if not user.is_active:
            raise CommandError(f"{user.username} is inactive: a token would not work")
        token = actions.do_regenerate_token(user)[0] if options["new"] else actions.do_create_token(user)
        self.stdout.write(token.key)
