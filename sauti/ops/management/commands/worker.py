"""`sauti worker`: runs background tasks (django-tasks' database worker, same options), processes inbound
SMS as they are stored, records a heartbeat (/healthz reads it), and runs the periodic upkeep of
`sauti.ops.schedule` (turn that off with --no-schedule, e.g. on all but one of several workers).

It never runs under Django's autoreloader unless asked with --reload (the database worker's default
follows DEBUG, which in development left a reloader parent and its child both running the inbound and
schedule threads, and a kill -9 of the parent left the child working)."""

from __future__ import annotations

import os
import threading
from argparse import ArgumentParser
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV

from sauti.messaging.actions import do_process_waiting
from sauti.ops import heartbeat, schedule


class Command(DatabaseWorkerCommand):
    help = "Run Sauti's background worker: sends messages, processes reports, recomputes analyses."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--no-schedule",
            action="store_true",
            help="Do not run the periodic upkeep (outbox sweep, SMS draft timeouts, daily reminders, retention).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        no_schedule = options.pop("no_schedule")
        # Under --reload the first process only watches files and restarts its child: the child works.
        supervisor = options.get("reload") and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        name = heartbeat.worker_name()
        if options.get("batch"):
            while do_process_waiting():  # the inbound queue too, before the tasks
                pass
        elif not supervisor:
            heartbeat.start(stop)
            schedule.start_inbound(stop)
            if not no_schedule:
                schedule.start(stop)
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            if not supervisor and not options.get("batch"):
                heartbeat.forget(name)
