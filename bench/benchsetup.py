"""Django set-up shared by the benchmarks: a throwaway var dir and fixed, non-production keys."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(*, migrate: bool = False) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["SAUTI_VAR_DIR"] = tempfile.mkdtemp(prefix="sauti-bench-")
    os.environ.setdefault("SAUTI_ENV", "test")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789-abcdefghijkl")
    os.environ.setdefault("SAUTI_IDENTITY_KEYS", "bench-identity-key")
    os.environ.setdefault("SAUTI_LOOKUP_KEY", "bench-lookup-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def ensure_pg_database(url: str, *, empty: bool = True) -> None:
    """Create the PostgreSQL database named in `url` if it does not exist (a fresh machine has none), and
    with `empty` drop everything in it. Connects to the server's `postgres` database to create it."""
    import psycopg
    from psycopg import sql

    base, _slash, name = url.rpartition("/")
    name = name.split("?", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    if empty:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
