"""`sauti worker` runs inbound processing and the outbox from the database queue and stops cleanly on
SIGTERM. Real processes on a throwaway SQLite database."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import copy_database

SETUP = """
from django.test import Client
from sauti.messaging.models import Channel
from sauti.monitoring.actions import do_seed_taxonomy
from sauti.people.models import Organisation
org = Organisation.objects.create(name="Umoja", slug="umoja")
do_seed_taxonomy(org)
channel = Channel.objects.create(organisation=org, kind="dev", name="Dev", address="SIM")
for i in range(3):
    r = Client().post(f"/messaging/hooks/dev/{channel.token}/incoming/", {
        "from": "+254711000001", "to": "SIM", "text": f"Maji yamekatwa Mathare 4A siku {i}",
        "date": "2026-11-25 08:00:00", "id": f"m{i}"})
    assert r.status_code == 200, r.content
"""


def sauti(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sauti", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_the_worker_processes_inbound_and_outbox_tasks_and_stops_on_sigterm(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    env = {
        **os.environ,
        "SAUTI_VAR_DIR": str(tmp_path),
        "SAUTI_ENV": "test",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    db = tmp_path / "db.sqlite3"
    copy_database(migrated_sqlite, db)
    setup = sauti(env, "shell", "-c", SETUP)
    assert setup.returncode == 0, setup.stderr
    assert count(db, "SELECT count(*) FROM messaging_inboundmessage WHERE status='received'") == 3
    worker = subprocess.Popen(
        [sys.executable, "-m", "sauti", "worker", "--interval", "0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if count(db, "SELECT count(*) FROM messaging_outboundmessage WHERE status='delivered'") == 3:
                break
            time.sleep(0.2)
        assert count(db, "SELECT count(*) FROM messaging_inboundmessage WHERE status='processed'") == 3
        assert count(db, "SELECT count(*) FROM messaging_outboundmessage WHERE status='delivered'") == 3
        assert count(db, "SELECT count(*) FROM monitoring_report") == 3
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "shutting down gracefully" in output
