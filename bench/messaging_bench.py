"""Inbound SMS webhook throughput: Africa's Talking callbacks through gunicorn and the real Django
stack, committed durably, beside a bare WSGI app doing one INSERT per request (the limit), same run.

    .venv/bin/python bench/messaging_bench.py [--db sqlite|postgres|both] [--n 20000] [--concurrency 16]
        [--workers 4] [--rounds 5] [--pg-url postgres://postgres@127.0.0.1:5432/test_transport]

For each database: migrate a throwaway database (SQLite under a temp dir; the PostgreSQL database named
in --pg-url is created if missing and emptied first), create an organisation and an Africa's Talking channel, start gunicorn
(sync workers) serving Sauti, post N distinct callbacks in AT's exact form format from --concurrency
client threads (a new connection per request, as AT does), and report msgs/s and p50/p99 latency
(client side), beside gunicorn serving bench/minimal_wsgi.py (the limit): --rounds alternate the two, each
round a fresh share of the N messages, and the figure is the median of the rounds' ratios. Then the retry
replay: every message again plus N/2 new ones each sent 2-3 times concurrently (providers retrying
after a timeout); every answer must be 200 and each provider id stored exactly once and waiting in the
worker's queue (with the database task backend the stored message is the queue entry). Inbound
processing (the worker) is not running during the timing. Beside each rate: the server's CPU time per
message (gunicorn's processes, from /proc), which other load on the machine hardly moves.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchsetup import ensure_pg_database  # noqa: E402

PY = sys.executable
TEXTS = [
    "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji",
    "Police wamepiga vijana Kibera jana usiku",
    "Nyumba 30 zimebomolewa Mukuru kwa Njenga",
    "Hakuna dawa kwa zahanati ya Kawangware wiki hii",
    "Taka hazijazolewa Kayole mwezi mzima",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def form(i: int, prefix: str) -> bytes:
    date = "2026-11-25T06:04:45Z" if i % 2 else "2026-11-25 06:04:45"
    return urlencode(
        {
            "from": f"+2547{11000000 + i % 500000:08d}",
            "to": "21512",
            "text": TEXTS[i % len(TEXTS)],
            "date": date,
            "id": f"{prefix}-{i:08d}",
            "linkId": "03090445075804249226",
            "networkCode": "63902",
        }
    ).encode()


def post(port: int, path: str, body: bytes) -> int:
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


def load(
    port: int, path: str, bodies: list[bytes], concurrency: int
) -> tuple[float, list[float], dict[int, int]]:
    """Send every body; return wall time, per-request latencies and a count per status."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    index = iter(range(len(bodies)))

    def worker() -> None:
        mine: list[float] = []
        seen: dict[int, int] = {}
        while True:
            with lock:
                i = next(index, None)
            if i is None:
                break
            t = time.perf_counter()
            try:
                status = post(port, path, bodies[i])
            except OSError:
                status = 0
            mine.append(time.perf_counter() - t)
            seen[status] = seen.get(status, 0) + 1
        with lock:
            latencies.extend(mine)
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    # Joined, not polled: a poll every second rounded every wall time up to whole seconds (±10 % on a
    # 10-second round).
    for t in threads:
        t.join()
    return time.perf_counter() - started, latencies, statuses


def gunicorn(app: str, port: int, env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [PY, "-m", "gunicorn", app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "--backlog", "2048"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gunicorn {app} did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


def server_cpu(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds used so far by gunicorn's master and workers (from /proc): a figure that, unlike
    throughput, hardly moves when other work shares the machine."""
    pids = [proc.pid]
    for task in Path(f"/proc/{proc.pid}/task").iterdir():
        pids += [int(p) for p in (task / "children").read_text().split()]
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def measured(
    proc: subprocess.Popen[bytes], port: int, path: str, bodies: list[bytes], concurrency: int
) -> tuple[float, list[float], dict[int, int], float]:
    before = server_cpu(proc)
    wall, latencies, statuses = load(port, path, bodies, concurrency)
    return wall, latencies, statuses, (server_cpu(proc) - before) / len(bodies)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def line(
    label: str,
    wall: float,
    latencies: list[float],
    statuses: dict[int, int],
    cpu: float,
    limit: float | None = None,
) -> float:
    rate = len(latencies) / wall
    q = statistics.quantiles(latencies, n=100)
    extra = f"  {rate / limit:6.0%} of the limit" if limit else ""
    print(f"  {label:<34} {rate:8,.0f} msg/s   p50 {q[49] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   "
          f"server CPU {cpu * 1e6:5.0f} µs/msg   statuses {dict(sorted(statuses.items()))}{extra}",
          flush=True)  # fmt: skip
    return rate


def sauti_env(var_dir: str, database_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SAUTI_VAR_DIR": var_dir,
        "SAUTI_ENV": "development",
        "DEBUG": "false",
        "SECRET_KEY": "bench-secret-key-not-for-production-0123456789-abcdefghijkl",
        "SAUTI_IDENTITY_KEYS": "bench-identity-key",
        "SAUTI_LOOKUP_KEY": "bench-lookup-key",
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "LOG_LEVEL": "WARNING",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(ROOT),
    }
    return env


SETUP = """
from sauti.messaging.models import Channel
from sauti.people.models import Organisation
org = Organisation.objects.create(name="Bench", slug="bench")
channel = Channel(organisation=org, kind="africastalking", name="AT", address="21512")
channel.credentials = {"username": "bench", "api_key": "k"}
channel.save()
print(channel.token)
"""

COUNTS = """
from django.db.models import Count
from sauti.messaging.actions import waiting_inbound
from sauti.messaging.models import InboundMessage
ids = InboundMessage.objects.values("provider_id").annotate(n=Count("id"))
dupes = sum(1 for r in ids if r["n"] > 1)
print(InboundMessage.objects.count(), len(ids), dupes, len(waiting_inbound(10**7)))
"""


def sauti_cmd(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PY, "-m", "sauti", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise SystemExit(out.stderr)
    return out.stdout.strip()


def empty_pg(url: str) -> None:
    """The database in --pg-url, created if missing (issue 13, defect 6) and emptied."""
    ensure_pg_database(url, empty=True)


def run(db: str, args: argparse.Namespace) -> None:
    var_dir = tempfile.mkdtemp(prefix="sauti-msgbench-")
    if db == "sqlite":
        sauti_url = f"sqlite:///{var_dir}/sauti.sqlite3"
        minimal_url = f"sqlite:///{var_dir}/minimal.sqlite3"
        with sqlite3.connect(minimal_url.removeprefix("sqlite:///")) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(
                "CREATE TABLE bench_minimal (id INTEGER PRIMARY KEY, provider_id TEXT UNIQUE, phone TEXT, text TEXT, date TEXT)"
            )
    else:
        empty_pg(args.pg_url)
        sauti_url = minimal_url = args.pg_url
        import psycopg

        with psycopg.connect(args.pg_url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_minimal (id bigserial PRIMARY KEY, provider_id text UNIQUE, phone text, text text, date text)"
            )
    env = sauti_env(var_dir, sauti_url)
    env["SQLITE_CONN_MAX_AGE"] = args.sqlite_conn_max_age
    print(f"\n{db}: migrating …", file=sys.stderr, flush=True)
    sauti_cmd(env, "migrate", "-v0")
    token = sauti_cmd(env, "shell", "-c", SETUP).splitlines()[-1]
    path = f"/messaging/hooks/at/{token}/incoming/"
    n, c = args.n, args.concurrency
    bodies = [form(i, "ATXid") for i in range(n)]
    print(f"{db}: {n:,} callbacks, {c} client threads, gunicorn {args.workers} sync workers, {os.cpu_count()} cores"
          f"{f', SQLITE_CONN_MAX_AGE={args.sqlite_conn_max_age}' if db == 'sqlite' else ''}", flush=True)  # fmt: skip

    minimal_port, port = free_port(), free_port()
    minimal = gunicorn("bench.minimal_wsgi:app", minimal_port, {**env, "BENCH_DB": minimal_url}, args.workers)
    server = gunicorn("sauti.wsgi:application", port, env, args.workers)
    try:
        load(minimal_port, "/", [form(i, "warm") for i in range(300)], c)
        load(port, path, [form(i, "warm") for i in range(300)], c)
        # Rounds alternate the two servers (both started, only one loaded at a time), so a slow spell of
        # the shared machine falls on both; the figure is the median of the rounds' ratios.
        ratios: list[float] = []
        totals: dict[str, list[float]] = {"limit": [0, 0], "sauti": [0, 0]}
        per_round = n // args.rounds
        for r in range(args.rounds):
            chunk = bodies[r * per_round : (r + 1) * per_round if r < args.rounds - 1 else n]
            m = measured(minimal, minimal_port, "/", chunk, c)
            s_ = measured(server, port, path, chunk, c)
            limit = line(f"round {r + 1}: limit (bare WSGI + INSERT)", *m)
            rate = line(f"round {r + 1}: Sauti AT webhook", *s_, limit=limit)
            ratios.append(rate / limit)
            for key, (wall, lat, _st, cpu) in (("limit", m), ("sauti", s_)):
                totals[key][0] += wall
                totals[key][1] += cpu * len(lat)
        print(f"  webhook / limit per round: {', '.join(f'{x:.0%}' for x in ratios)}; "
              f"median {statistics.median(ratios):.0%}; server CPU per message "
              f"{totals['sauti'][1] / n * 1e6:.0f} µs vs {totals['limit'][1] / n * 1e6:.0f} µs "
              f"({totals['sauti'][1] / totals['limit'][1]:.2f}×)", flush=True)  # fmt: skip
        # Retries: everything again, plus new messages each sent 2-3 times at once.
        fresh = [form(i, "retry") for i in range(n // 2)]
        replay = list(bodies)
        rng = random.Random(7)
        for b in fresh:
            replay.extend([b] * rng.choice((2, 3)))
        rng.shuffle(replay)
        line("replay with provider retries", *measured(server, port, path, replay, c))
    finally:
        stop(minimal)
        stop(server)
    total, distinct, dupes, waiting = (
        int(x) for x in sauti_cmd(env, "shell", "-c", COUNTS).splitlines()[-1].split()
    )
    expected = 300 + n + n // 2
    ok = total == distinct == expected == waiting and dupes == 0
    print(f"  stored {total:,} messages, {distinct:,} distinct provider ids (expected {expected:,}), "
          f"{dupes} duplicated, {waiting:,} waiting in the worker's queue: {'OK, none lost or duplicated' if ok else 'MISMATCH'}",
          flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--rounds", type=int, default=5, help="Alternated limit/Sauti rounds (N split among them)."
    )
    parser.add_argument(
        "--sqlite-conn-max-age", default="600", help="SQLITE_CONN_MAX_AGE for Sauti's workers."
    )
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test_transport")
    args = parser.parse_args()
    for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
        run(db, args)


if __name__ == "__main__":
    main()
