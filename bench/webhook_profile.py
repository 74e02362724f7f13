"""The inbound SMS webhook's CPU per callback in one process, beside the bare WSGI limit in the same
process: both WSGI apps are called directly with prepared environs (no sockets, no gunicorn), so the
figure hardly moves with other load on the machine. Optionally a cProfile of the webhook.

    PYTHONPATH=$PWD .venv/bin/python bench/webhook_profile.py [--db sqlite|postgres] [--n 3000]
        [--rounds 3] [--profile 40] [--path fast|django] [--pg-url postgres://…/sauti_x]

`--path django` sends the callback through Django's full stack (the view), `fast` (default) through the
WSGI application as deployed (sauti.wsgi: request log, fast lane, Django). Each round times N fresh
callbacks; the best round of each is reported (µs of process CPU per callback, and the ratio).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from benchsetup import ensure_pg_database  # noqa: E402
from messaging_bench import form  # noqa: E402

App = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def environ(path: str, body: bytes) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def call(app: App, env: dict[str, Any]) -> str:
    status: list[str] = []
    result = app(env, lambda code, headers, *a: status.append(code))
    for _ in result:
        pass
    if hasattr(result, "close"):
        result.close()
    return status[0]


def timed(app: App, envs: list[dict[str, Any]]) -> float:
    """µs of process CPU per call; every answer must be 200."""
    started = time.process_time()
    for env in envs:
        status = call(app, env)
        if not status.startswith("200"):
            raise SystemExit(f"answer {status}")
    return (time.process_time() - started) / len(envs) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions of a cProfile run")
    parser.add_argument("--path", choices=["fast", "django"], default="fast")
    parser.add_argument(
        "--structured-logs", action="store_true", help="SAUTI_STRUCTURED_LOGS on (production)"
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test_transport")
    parser.add_argument(
        "--keep-db", action="store_true", help="PostgreSQL: reuse the database as a previous run left it"
    )
    parser.add_argument(
        "--template",
        help="SQLite: a migrated database file to copy instead of migrating (made there when missing)",
    )
    args = parser.parse_args()

    var_dir = tempfile.mkdtemp(prefix="sauti-webhookprof-")
    if args.db == "sqlite":
        url, minimal_url = f"sqlite:///{var_dir}/sauti.sqlite3", f"sqlite:///{var_dir}/minimal.sqlite3"
        with sqlite3.connect(minimal_url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE bench_minimal (id INTEGER PRIMARY KEY, provider_id TEXT UNIQUE, phone TEXT, text TEXT, date TEXT)"
            )
    else:
        ensure_pg_database(args.pg_url, empty=not args.keep_db)
        url = minimal_url = args.pg_url
        import psycopg

        with psycopg.connect(url, autocommit=True) as pg:
            pg.execute(
                "CREATE TABLE IF NOT EXISTS bench_minimal (id bigserial PRIMARY KEY, provider_id text UNIQUE, phone text, text text, date text)"
            )
    # The same environment as bench/messaging_bench.py's gunicorn.
    os.environ.update(
        SAUTI_VAR_DIR=var_dir,
        SAUTI_ENV="development",
        DEBUG="false",
        SECRET_KEY="bench-secret-key-not-for-production-0123456789-abcdefghijkl",
        SAUTI_IDENTITY_KEYS="bench-identity-key",
        SAUTI_LOOKUP_KEY="bench-lookup-key",
        ALLOWED_HOSTS="127.0.0.1,testserver",
        LOG_LEVEL="WARNING",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        DATABASE_URL=url,
        BENCH_DB=minimal_url,
        DJANGO_SETTINGS_MODULE="sauti.settings",
        SAUTI_STRUCTURED_LOGS="true" if args.structured_logs else "false",
    )
    print(f"{args.db}: migrating …", file=sys.stderr, flush=True)
    import django

    django.setup()
    from django.core.management import call_command

    if args.db == "sqlite" and args.template and Path(args.template).exists():
        shutil.copyfile(args.template, url.removeprefix("sqlite:///"))
    call_command("migrate", verbosity=0)
    if args.db == "sqlite" and args.template and not Path(args.template).exists():
        shutil.copyfile(url.removeprefix("sqlite:///"), args.template)

    import minimal_wsgi

    from sauti import wsgi
    from sauti.messaging.models import Channel, InboundMessage
    from sauti.people.models import Organisation

    before = InboundMessage.objects.count()
    org, _new = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    channel = Channel.objects.filter(organisation=org, name="AT").first()
    if channel is None:
        channel = Channel(organisation=org, kind="africastalking", name="AT", address="21512")
        channel.credentials = {"username": "bench", "api_key": "k"}
        channel.save()
    path = f"/messaging/hooks/at/{channel.token}/incoming/"
    sauti_app: App = wsgi.application if args.path == "fast" else wsgi.django_application
    minimal_app: App = minimal_wsgi.app

    serial = iter(range(int(time.time() * 1000), 10**15))  # provider ids new also in a reused database

    def batch(n: int, target: str) -> list[dict[str, Any]]:
        return [environ(path if target == "sauti" else "/", form(next(serial), target)) for _ in range(n)]

    timed(sauti_app, batch(200, "sauti"))  # warm: caches, connections, imports
    timed(minimal_app, batch(200, "minimal"))
    sauti_us: list[float] = []
    minimal_us: list[float] = []
    for _ in range(args.rounds):
        minimal_us.append(timed(minimal_app, batch(args.n, "minimal")))
        sauti_us.append(timed(sauti_app, batch(args.n, "sauti")))
    stored = InboundMessage.objects.count() - before
    expected = 200 + args.n * args.rounds
    s, m = min(sauti_us), min(minimal_us)
    print(
        f"{args.db} ({args.path}): webhook {s:6.0f} µs CPU/callback (rounds {', '.join(f'{x:.0f}' for x in sauti_us)}), "
        f"limit {m:5.0f} µs ({', '.join(f'{x:.0f}' for x in minimal_us)}): {s / m:.2f}× the limit; "
        f"stored {stored:,} of {expected:,}; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    if stored < expected:
        raise SystemExit("messages missing")
    if args.profile:
        # CPU, as the figures: waiting on the database is not the webhook's cost.
        profiler = cProfile.Profile(time.process_time)
        envs = batch(args.n, "sauti")
        profiler.enable()
        timed(sauti_app, envs)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(args.profile)
        stats.sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())


if __name__ == "__main__":
    main()
