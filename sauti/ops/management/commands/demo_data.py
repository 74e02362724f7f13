"""`sauti demo-data`: a realistic, deterministic, clearly labelled demo dataset (idempotent)."""

from __future__ import annotations

import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from sauti.ops.demo import build_demo


class Command(BaseCommand):
    help = "Create (or complete) the demo dataset. Every demo organisation is named '(demo)'."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete the demo organisations first.")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            logins = build_demo(random.Random(2026), reset=options["reset"], log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Every name, number and figure is invented."))
        self.stdout.write(f"Demo logins (password for all: {logins.password}):")
        for username, role in logins.users:
            self.stdout.write(f"  {username:<12} {role}")
