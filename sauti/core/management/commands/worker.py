"""`sauti worker`: runs background tasks (django-tasks' database worker, same options)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand


class Command(DatabaseWorkerCommand):
    help = "Run Sauti's background worker: sends messages, processes reports, recomputes analyses."
