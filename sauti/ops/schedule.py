"""What `sauti worker` runs beside the task queue: the inbound SMS queue, and the periodic upkeep each app
registers in its AppConfig.ready() (`sauti.core.periodic`), so a deployment needs no cron.

Every minute: the `every="minute"` jobs (stranded inbound messages and outbox retries, silent SMS drafts,
signed chain heads …); once a day, from `DAILY_HOUR` local time, the `every="day"` jobs (commitment
reminders, identity retention …). Every job is idempotent and claims its rows, so two workers running the
same schedule do nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from sauti.core import periodic
from sauti.core.logs import timed
from sauti.messaging.actions import do_process_inbound, do_reclaim_expired, waiting_inbound

log = logging.getLogger("sauti.schedule")

EVERY = dt.timedelta(minutes=1)
DAILY_HOUR = 7


def _run_jobs(every: periodic.Every) -> None:
    """Every job of the rhythm runs even when one before it fails; the first failure is raised after."""
    failure: Exception | None = None
    for job in periodic.jobs(every):
        try:
            count = job.run()
        except Exception as exc:
            log.exception("upkeep %s failed", job.name)
            failure = failure or exc
            continue
        if count:
            log.info("upkeep %s: %d %s", job.name, count, job.counts)
    if failure is not None:
        raise failure


def minutely() -> None:
    _run_jobs("minute")


def daily() -> None:
    _run_jobs("day")


@dataclass
class Schedule:
    minutely: Callable[[], None] = minutely
    daily: Callable[[], None] = daily
    last_minutely: dt.datetime | None = None
    last_daily: dt.date | None = None
    errors: list[str] = field(default_factory=list)

    def tick(self, now: dt.datetime) -> None:
        """Run whatever is due at `now`; a failing job is logged and retried at its next turn."""
        if self.last_minutely is None or now - self.last_minutely >= EVERY:
            self.last_minutely = now
            self._run(self.minutely)
        local = timezone.localtime(now)
        if local.hour >= DAILY_HOUR and self.last_daily != local.date():
            self.last_daily = local.date()
            self._run(self.daily)

    def _run(self, job: Callable[[], None]) -> None:
        try:
            with timed(f"schedule.{getattr(job, '__name__', 'job')}"):
                job()
        except Exception as exc:
            log.exception("scheduled job %s failed", getattr(job, "__name__", job))
            self.errors.append(repr(exc))
        finally:
            close_old_connections()


def start_inbound(stop: threading.Event, pause: float = 0.2) -> threading.Thread:
    """Process inbound SMS as they are stored (with the database task backend the stored message is the
    queue entry: `messaging.do_receive_sms`), checking again every `pause` seconds when none wait."""

    reclaim_every = min(settings.SAUTI_PROCESSING_LEASE_SECONDS / 2, 30)
    last_reclaim = 0.0

    def loop() -> None:
        nonlocal last_reclaim
        while not stop.is_set():
            try:
                if time.monotonic() - last_reclaim >= reclaim_every:
                    # Claims of a worker that died go back to the queue within a lease and a half.
                    last_reclaim = time.monotonic()
                    do_reclaim_expired()
                busy = False
                for pk in waiting_inbound(100):
                    with timed("messaging.process_inbound", message_id=pk) as fields:
                        message = do_process_inbound(pk)
                        fields["status"] = message.status if message is not None else "claimed elsewhere"
                        busy = True
            except Exception:
                log.exception("inbound processing failed; retrying")
                busy = False
            finally:
                close_old_connections()
            if not busy:
                stop.wait(pause)

    thread = threading.Thread(target=loop, name="sauti-inbound", daemon=True)
    thread.start()
    return thread


def start(stop: threading.Event, schedule: Schedule | None = None, pause: float = 5.0) -> threading.Thread:
    """Run the schedule in a daemon thread until `stop` is set (the worker's process exit ends it too)."""
    plan = schedule or Schedule()

    def loop() -> None:
        while not stop.is_set():
            plan.tick(timezone.now())
            stop.wait(pause)

    thread = threading.Thread(target=loop, name="sauti-schedule", daemon=True)
    thread.start()
    return thread
