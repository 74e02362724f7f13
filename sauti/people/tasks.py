"""Background work: the retention job, for `sauti worker` (enqueue it daily, or run the command from cron)."""

from __future__ import annotations

from django_tasks import task

from sauti.audit import audit
from sauti.people.subjects import do_retention


@task()
def run_retention() -> int:
    with audit.acting_as("task:retention"):
        return do_retention()
