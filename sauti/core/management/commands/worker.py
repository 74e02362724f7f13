"""`sauti worker`: runs background tasks (django-tasks' database worker, same options), processes inbound
SMS as they are stored, and runs the periodic upkeep of `sauti.core.schedule` (turn that off with
--no-schedule, e.g. on all but one of several workers)."""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from sauti.core import schedule
from sauti.messaging.actions import do_process_waiting


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
        no_schedule = options.pop("no_schedule")
        if options.get("batch"):
            while do_process_waiting():  # the inbound queue too, before the tasks
                pass
        else:
            schedule.start_inbound(stop)
            if not no_schedule:
                schedule.start(stop)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
