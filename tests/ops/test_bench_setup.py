"""Benches create the PostgreSQL database they need (issue 13, defect 6: `database "test_transport" does
not exist` on a fresh machine)."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from benchsetup import ensure_pg_database  # type: ignore[import-not-found]


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs the PostgreSQL server (pg-test)",
)
def test_a_missing_bench_database_is_created_then_emptied() -> None:
    import psycopg

    base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    name = f"sauti_bench_{uuid.uuid4().hex[:8]}"
    try:
        ensure_pg_database(f"{base}/{name}")
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            conn.execute("CREATE TABLE leftover (x int)")
        ensure_pg_database(f"{base}/{name}")
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            assert conn.execute("SELECT to_regclass('public.leftover')").fetchone() == (None,)
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
