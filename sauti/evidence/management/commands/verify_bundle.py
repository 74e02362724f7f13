"""`sauti verify-bundle bundle.zip [--key KEY] [--json]` (the console command runs it without Django)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sauti.evidence.bundlecheck import main


class Command(BaseCommand):
    help = "Check an evidence bundle offline: exit 0 only for an intact bundle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bundle")
        parser.add_argument("--key")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = [options["bundle"], *(["--key", options["key"]] if options["key"] else [])]
        code = main(argv + (["--json"] if options["json"] else []))
        if code:
            sys.exit(code)
