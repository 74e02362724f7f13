"""The worker's periodic upkeep: what runs when, failures contained, and the real jobs doing their work."""

from __future__ import annotations

import datetime as dt

import pytest

from django.utils import timezone

from sauti.conversations.actions import do_handle_sms
from sauti.conversations.models import SmsConversation
from sauti.monitoring.models import Report
from sauti.ops import schedule
from tests.conftest import World

EAT = dt.timezone(dt.timedelta(hours=3))


def test_minutely_jobs_run_each_minute_and_daily_jobs_once_a_day_after_seven(db: None) -> None:
    calls: list[str] = []
    plan = schedule.Schedule(minutely=lambda: calls.append("m"), daily=lambda: calls.append("d"))
    start = dt.datetime(2026, 11, 25, 6, 59, tzinfo=EAT)
    for seconds in (0, 5, 30, 60, 65, 120):
        plan.tick(start + dt.timedelta(seconds=seconds))
    assert calls == ["m", "m", "d", "m"]  # 06:59, 07:00 (+ the day's run), 07:01
    plan.tick(start + dt.timedelta(hours=5))
    assert calls.count("d") == 1
    plan.tick(start + dt.timedelta(days=1, hours=1))
    assert calls.count("d") == 2


def test_a_failing_job_is_logged_and_the_schedule_goes_on(db: None) -> None:
    def broken() -> None:
        raise RuntimeError("provider down")

    calls: list[str] = []
    plan = schedule.Schedule(minutely=broken, daily=lambda: calls.append("d"))
    plan.tick(dt.datetime(2026, 11, 25, 8, 0, tzinfo=EAT))
    assert plan.errors == ["RuntimeError('provider down')"] and calls == ["d"]


def test_the_real_upkeep_submits_a_silent_sms_draft(world: World) -> None:
    do_handle_sms(
        organisation=world.umoja,
        phone="+254799000321",
        text="Polisi wamewapiga vijana jana usiku",
        received_at=timezone.now(),
        inbound_id=1,
    )
    conv = SmsConversation.objects.get()
    assert conv.status == SmsConversation.State.OPEN and not Report.objects.exists()
    SmsConversation.objects.filter(pk=conv.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    schedule.minutely()
    conv.refresh_from_db()
    assert conv.status == SmsConversation.State.CLOSED and Report.objects.count() == 1
    schedule.daily()  # nothing due: runs cleanly


def test_each_app_registers_its_upkeep_with_the_worker() -> None:
    from sauti.core import periodic

    assert {job.name for job in periodic.jobs("minute")} == {
        "audit.sign_heads",
        "messaging.sweep",
        "conversations.expire",
    }
    assert {job.name for job in periodic.jobs("day")} == {
        "dialogues.reminders",
        "monitoring.fixed",
        "people.retention",
    }


def test_one_failing_job_does_not_keep_the_others_from_running(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sauti.core import periodic

    ran: list[str] = []

    def broken() -> int:
        raise RuntimeError("provider down")

    monkeypatch.setattr(periodic, "_JOBS", {})
    periodic.register("a.broken", broken, every="minute", counts="")

    def fine() -> int:
        ran.append("b")
        return 1

    periodic.register("b.fine", fine, every="minute", counts="done")
    plan = schedule.Schedule()
    plan.tick(dt.datetime(2026, 11, 25, 6, 0, tzinfo=EAT))
    assert ran == ["b"] and plan.errors == ["RuntimeError('provider down')"]
