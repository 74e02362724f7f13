"""`sauti worker` never runs under the autoreloader unless asked (issue 13, defect 3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from unittest import mock

from sauti.ops.management.commands.worker import Command
from tests.conftest import copy_database


def test_reload_is_off_by_default_even_with_debug_on(settings: Any) -> None:
    settings.DEBUG = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    parser = Command().create_parser("sauti", "worker")
    assert parser.parse_args([]).reload is False
    assert parser.parse_args(["--reload"]).reload is True


def test_under_reload_only_the_child_runs_the_inbound_and_schedule_threads(settings: Any) -> None:
    started: list[str] = []
    with (
        mock.patch(
            "sauti.ops.management.commands.worker.schedule.start_inbound", lambda stop: started.append("in")
        ),
        mock.patch(
            "sauti.ops.management.commands.worker.schedule.start", lambda stop: started.append("sched")
        ),
        mock.patch(
            "sauti.ops.management.commands.worker.heartbeat.start", lambda stop: started.append("beat")
        ),
        mock.patch("sauti.ops.management.commands.worker.heartbeat.forget"),
        mock.patch("django_tasks_db.management.commands.db_worker.Command.handle"),
    ):
        command = Command()
        options = {"no_schedule": False, "reload": True, "batch": False}
        with mock.patch.dict(os.environ, {"RUN_MAIN": ""}):
            command.handle(**dict(options))
        assert started == []  # the reloader's parent only watches files
        with mock.patch.dict(os.environ, {"RUN_MAIN": "true"}):
            command.handle(**dict(options))
        assert started == ["beat", "in", "sched"]


def test_kill_9_of_the_worker_in_development_leaves_no_process_behind(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    env = {
        **os.environ,
        "SAUTI_VAR_DIR": str(tmp_path),
        "SAUTI_ENV": "development",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    copy_database(migrated_sqlite, tmp_path / "db.sqlite3")
    worker = subprocess.Popen(
        [sys.executable, "-m", "sauti", "worker", "--no-startup-delay"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
        if children.exists():
            assert children.read_text().split() == []
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
