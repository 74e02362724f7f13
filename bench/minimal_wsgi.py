"""The limit for the inbound bench: a bare WSGI app that parses the form and does one INSERT per
request (SQLite in WAL mode with the settings Sauti uses, or PostgreSQL), committed, then answers 200.

    gunicorn bench.minimal_wsgi:app   with BENCH_DB=sqlite:///path or BENCH_DB=postgres://...
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

_conn: Any = None
_kind = ""


def _connect() -> Any:
    global _conn, _kind
    url = os.environ["BENCH_DB"]
    if url.startswith("sqlite:///"):
        _kind = "sqlite"
        _conn = sqlite3.connect(url.removeprefix("sqlite:///"), timeout=5, isolation_level=None)
        _conn.execute("PRAGMA journal_mode=WAL")
        _conn.execute("PRAGMA synchronous=NORMAL")
        _conn.execute(f"PRAGMA wal_autocheckpoint={int(os.environ.get('SQLITE_WAL_AUTOCHECKPOINT', 10000))}")
    else:
        import psycopg

        _kind = "postgres"
        _conn = psycopg.connect(url, autocommit=True)
    return _conn


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    conn = _conn or _connect()
    size = int(environ.get("CONTENT_LENGTH") or 0)
    form = parse_qs(environ["wsgi.input"].read(size).decode())
    row = (form["id"][0], form["from"][0], form["text"][0], form["date"][0])
    if _kind == "sqlite":
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT OR IGNORE INTO bench_minimal (provider_id, phone, text, date) VALUES (?, ?, ?, ?)", row
        )
        conn.execute("COMMIT")
    else:
        conn.execute(
            "INSERT INTO bench_minimal (provider_id, phone, text, date) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            row,
        )
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"OK"]
