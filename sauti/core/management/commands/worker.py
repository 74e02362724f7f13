"""`sauti worker`: runs background tasks (django-tasks' database worker, same options) and the periodic
upkeep of `sauti.core.schedule` (turn it off with --no-schedule, e.g. on all but one of several workers)."""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from sauti.core import schedule


class Command(DatabaseWorkerCommand):
    help = "Run Sauti's background worker: sends messages, processes reports, recomputes analyses."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Do not run the periodic upkeep (outbox sweep, SMS draft timeouts, daily reminders, retention).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options.pop("no_schedule") and not options.get("batch"):
            schedule.start(stop)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
