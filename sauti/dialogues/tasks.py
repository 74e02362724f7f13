"""Daily follow-up: reminders before commitments fall due, escalation once overdue.

`sauti dialogues remind --schedule` starts the chain; each run enqueues the next one for the following
morning when the backend can defer tasks (the database backend can). Runs are idempotent (one Reminder row
per commitment, kind and due date), so an extra run or two overlapping chains send nothing twice.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import default_task_backend, task

from django.db import transaction
from django.utils import timezone

from sauti.dialogues.actions import do_send_due_reminders, do_send_follow_up_reminders

RUN_AT_HOUR = 7


def next_run(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    at = local.replace(hour=RUN_AT_HOUR, minute=0, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


@task()
def send_due_reminders(reschedule: bool = False) -> int:
    sent = do_send_due_reminders()
    do_send_follow_up_reminders()  # SMS to the owners of follow-up actions (issue 15)
    if reschedule and default_task_backend.supports_defer:
        transaction.on_commit(
            lambda: send_due_reminders.using(run_after=next_run(timezone.now())).enqueue(reschedule=True)
        )
    return sent
