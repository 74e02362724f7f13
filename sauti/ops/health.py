"""/healthz: is this deployment able to take and process messages? JSON for monitors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from sauti.messaging import status as messaging_status
from sauti.ops.models import WorkerHeartbeat

_migrated = False  # once true in a process it stays true (new migrations come with new code)


def unapplied_migrations() -> int:
    global _migrated
    if _migrated:
        return 0
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    _migrated = not plan
    return len(plan)


def check() -> dict[str, Any]:
    """`{"ok": bool, "problems": [...], "database": bool, "migrations_unapplied": n, "worker_heartbeat_seconds":
    n|null, "inbound_backlog": n, "outbox_backlog": n, "oldest_unprocessed_seconds": n|null,
    "inbound": {...}, "outbound": {...}}`. Unhealthy: the database unreachable, migrations not applied,
    no worker heartbeat within SAUTI_HEALTH_WORKER_SECONDS, or a message unprocessed for longer than
    SAUTI_HEALTH_BACKLOG_SECONDS."""
    report: dict[str, Any] = {"ok": False, "problems": [], "database": False}
    problems: list[str] = report["problems"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        report["database"] = True
        report["migrations_unapplied"] = unapplied_migrations()
        if report["migrations_unapplied"]:
            problems.append("migrations not applied")
            return report
        seen = WorkerHeartbeat.objects.aggregate(seen=Max("seen_at"))["seen"]
        queues = messaging_status.counts()
    except DatabaseError as e:
        problems.append(f"database unreachable: {type(e).__name__}")
        return report
    finally:
        if not report["database"]:
            connection.close_if_unusable_or_obsolete()
    age = None if seen is None else max(0, int((timezone.now() - seen).total_seconds()))
    report["worker_heartbeat_seconds"] = age
    if age is None or age > settings.SAUTI_HEALTH_WORKER_SECONDS:
        problems.append("no worker heartbeat" if age is None else f"worker silent for {age} s")
    inbound, outbound = queues["inbound"], queues["outbound"]
    report["inbound_backlog"] = sum(inbound[s] for s in messaging_status.UNPROCESSED)
    report["outbox_backlog"] = sum(outbound[s] for s in messaging_status.OUTBOX_BACKLOG)
    oldest = queues["oldest_unprocessed_seconds"]
    report["oldest_unprocessed_seconds"] = oldest
    if oldest is not None and oldest > settings.SAUTI_HEALTH_BACKLOG_SECONDS:
        problems.append(f"a message has waited {oldest} s to be processed")
    report["inbound"], report["outbound"] = inbound, outbound
    report["ok"] = not problems
    return report
