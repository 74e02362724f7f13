"""`sauti dialogues remind` and the daily task behind it."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest

from django.core.management import CommandError, call_command
from django.utils import timezone

from sauti.dialogues import actions
from sauti.dialogues.models import Reminder
from sauti.dialogues.tasks import next_run, send_due_reminders
from tests.dialogues.conftest import Dialogue


def test_the_command_records_each_reminder_once(dia: Dialogue) -> None:
    actions.do_record_commitment(
        dia.priorities[0],
        dia.world.wanjiku,
        office=dia.office,
        official_name="Chief",
        what="Pipe",
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    out = StringIO()
    call_command("dialogues", "remind", stdout=out)
    assert "1 reminders" in out.getvalue()
    call_command("dialogues", "remind", stdout=StringIO())
    assert Reminder.objects.get().kind == "escalation"


def test_the_task_runs_the_same_action(dia: Dialogue) -> None:
    actions.do_record_commitment(
        dia.priorities[0],
        dia.world.wanjiku,
        office=dia.office,
        official_name="Chief",
        what="Pipe",
        due_on=timezone.localdate() + dt.timedelta(days=2),
    )
    assert send_due_reminders.call() == 1
    assert Reminder.objects.get().kind == "reminder"


def test_scheduling_needs_a_backend_that_can_defer(dia: Dialogue) -> None:
    with pytest.raises(CommandError, match="cannot run tasks later"):
        call_command("dialogues", "remind", "--schedule", stdout=StringIO())


def test_the_next_run_is_the_coming_morning() -> None:
    tz = timezone.get_current_timezone()
    assert next_run(dt.datetime(2027, 3, 1, 9, 30, tzinfo=tz)) == dt.datetime(2027, 3, 2, 7, 0, tzinfo=tz)
    assert next_run(dt.datetime(2027, 3, 1, 5, 0, tzinfo=tz)) == dt.datetime(2027, 3, 1, 7, 0, tzinfo=tz)
