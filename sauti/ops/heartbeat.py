"""The worker's heartbeat: a row per running worker, touched every EVERY seconds (read by /healthz)."""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from sauti.ops.models import WorkerHeartbeat

log = logging.getLogger("sauti.worker")
EVERY = 10.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:120]


def beat(name: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker=name).update(seen_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"started_at": now, "seen_at": now})


def forget(name: str) -> None:
    try:
        WorkerHeartbeat.objects.filter(worker=name).delete()
    except DatabaseError:
        log.warning("could not remove the heartbeat of %s", name)


def start(stop: threading.Event, every: float = EVERY) -> threading.Thread:
    name = worker_name()

    def loop() -> None:
        while not stop.is_set():
            try:
                beat(name)
            except DatabaseError:
                log.warning("heartbeat not recorded (database unavailable); retrying")
            finally:
                close_old_connections()
            stop.wait(every)

    thread = threading.Thread(target=loop, name="sauti-heartbeat", daemon=True)
    thread.start()
    return thread
