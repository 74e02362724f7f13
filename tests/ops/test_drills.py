"""The worker drill in a short form (the long ones: bench/drills.py): kill -9 the worker mid-batch,
restart it; every message is processed exactly once (issue 13)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest

from django.db import connection

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import drills  # type: ignore[import-not-found]


@pytest.fixture(scope="module")
def migrated(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Path:
    """A copy of the suite's migrated database, taken outside any test's transaction: the drill's
    processes start from it instead of running the migrations again."""
    path: Path = tmp_path_factory.mktemp("drill") / "migrated.sqlite3"
    with django_db_blocker.unblock():
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
    return path


@pytest.mark.django_db
@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL drills: bench/drills.py (private cluster)"
)
def test_kill_9_of_the_worker_mid_batch_loses_and_duplicates_nothing(migrated: Path) -> None:
    with drills.deployment("sqlite", migrated=migrated) as env:
        figures = drills.drill_worker_kill(env, n=30, kill_after=8, lease=3)
    print(figures.line())
    assert figures.stored == figures.processed == 30
    assert figures.duplicated == 0 and figures.lost == 0, figures.line()
    assert figures.extra["processed before the kill"] < 30  # it was killed mid-batch


def test_the_private_cluster_runs_as_the_caller_or_under_su_when_root(monkeypatch: Any) -> None:
    """CI runs as root, which initdb and postgres refuse: the cluster's programs then run through su as
    postgres (or nobody where there is no postgres account), with every argument quoted whole."""
    import shlex

    monkeypatch.setattr(drills, "pg_binary", lambda name: f"/usr/lib/postgresql/15/bin/{name}")
    monkeypatch.setattr(drills.os, "geteuid", lambda: 1000)
    assert drills.cluster_owner() is None
    assert drills._as_postgres(["initdb", "-D", "/tmp/d"]) == [
        "/usr/lib/postgresql/15/bin/initdb",
        "-D",
        "/tmp/d",
    ]

    monkeypatch.setattr(drills.os, "geteuid", lambda: 0)
    monkeypatch.setattr(drills.pwd, "getpwnam", lambda name: object())
    assert drills.cluster_owner() == "postgres"
    options = "-p 55130 -k /tmp/it's here -c listen_addresses=127.0.0.1"
    command = drills._as_postgres(["pg_ctl", "-D", "/tmp/d", "-o", options, "start"], "postgres")
    assert command[:4] == ["su", "postgres", "-s", "/bin/sh"] and command[4] == "-c"
    assert shlex.split(command[5]) == [
        "/usr/lib/postgresql/15/bin/pg_ctl", "-D", "/tmp/d", "-o", options, "start"
    ]  # fmt: skip

    def only_nobody(name: str) -> object:
        if name != "nobody":
            raise KeyError(name)
        return object()

    monkeypatch.setattr(drills.pwd, "getpwnam", only_nobody)
    assert drills.cluster_owner() == "nobody"
