"""Drills: kill processes and databases while Sauti works, and count what was acknowledged, stored,
processed, duplicated and lost (issue 13). Every drill runs real processes on throwaway databases.

    .venv/bin/python bench/drills.py worker-kill   [--db sqlite|postgres] [--n 500] [--kill-after 150]
    .venv/bin/python bench/drills.py gunicorn-kill [--db sqlite|postgres] [--n 3000] [--kills 5]
    .venv/bin/python bench/drills.py pg-restart    [--n 3000] [--down 5]
    .venv/bin/python bench/drills.py scale-out     [--n 3000] [--m 200]
    .venv/bin/python bench/drills.py all           (each of the above with its defaults)
    .venv/bin/python bench/drills.py ci            (the short form CI runs: worker-kill, gunicorn-kill and
                                                    pg-restart on one private PostgreSQL cluster, < 3 min)

PostgreSQL drills start a private cluster (initdb in a temporary folder, its own port: --pg-port, default
a free one) and never touch another server. Each prints one line of figures; `lost` and `duplicated` must be 0
(the exit status is 1 otherwise). tests/ops/test_drills.py runs the worker drill in a short form.

- worker-kill: N messages stored; a worker processes them with a short claim lease; kill -9 after
  --kill-after are processed; a new worker starts. Every message must end processed with exactly one
  reply (the conversation's answer); recovery = from the restart until all are processed.
- gunicorn-kill: N webhooks from 16 client threads (each retried on a non-200 answer, as providers do)
  while gunicorn's worker processes are killed with SIGKILL --kills times; every 200-acknowledged
  provider id must be stored exactly once.
- pg-restart: the same load while the private PostgreSQL is stopped for --down seconds and started
  again: webhooks answer 503 while it is down (counted), nothing acknowledged is lost; recovery = from
  the database's restart to the next 200.
- scale-out: webhook throughput with one gunicorn instance, then two (behind no proxy: clients alternate),
  and processing throughput with one worker, then two, on PostgreSQL.
"""

from __future__ import annotations

import argparse
import itertools
import os
import pwd
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from benchsetup import ensure_pg_database  # noqa: E402

PY = sys.executable
# Set on SIGTERM (e.g. CI's timeout): load threads and waits give up, so the servers and the private
# cluster are stopped at once instead of after every retry's deadline.
ABORT = threading.Event()
TEXTS = [
    "Maji yamekatwa Mathare 4A tangu jana, watu 200 hawana maji",
    "Police wamepiga vijana Kibera jana usiku",
    "Nyumba 30 zimebomolewa Mukuru kwa Njenga",
    "Taka hazijazolewa Kayole mwezi mzima",
]
SETUP = """
from sauti.messaging.models import Channel
from sauti.people.models import Organisation
org, _ = Organisation.objects.get_or_create(slug="drill", defaults={"name": "Drill"})
channel = Channel.objects.create(organisation=org, kind="dev", name="Drill", address="21512")
print(channel.token)
"""
STORE = """
import sys
from sauti.messaging.actions import do_receive_sms
from sauti.messaging.models import Channel
channel = Channel.objects.get(name="Drill")
texts = {texts!r}
for i in range({n}):
    do_receive_sms(channel, provider_id=f"w-{{i:06d}}", phone=f"+2547{{11000000 + i:08d}}", text=texts[i % len(texts)])
"""
COUNTS = """
from django.db.models import Count
from sauti.messaging.models import InboundMessage, OutboundMessage
statuses = dict(InboundMessage.objects.values_list("status").annotate(n=Count("id")))
replies = OutboundMessage.objects.exclude(in_reply_to=None).values("in_reply_to").annotate(n=Count("id"))
twice = sum(1 for r in replies if r["n"] > 1)
once = sum(1 for r in replies if r["n"] == 1)
ids = InboundMessage.objects.values("provider_id").annotate(n=Count("id"))
print(sum(statuses.values()), statuses.get("processed", 0), once, twice, sum(1 for r in ids if r["n"] > 1))
"""


@dataclass
class Figures:
    drill: str
    acknowledged: int = 0
    stored: int = 0
    processed: int = 0
    duplicated: int = 0
    lost: int = 0
    recovery_seconds: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def ok(self) -> bool:
        return self.duplicated == 0 and self.lost == 0 and not self.problems

    def line(self) -> str:
        recovery = "-" if self.recovery_seconds is None else f"{self.recovery_seconds:.1f} s"
        extra = "  ".join(f"{k} {v}" for k, v in self.extra.items())
        return (
            f"{self.drill:<14} acknowledged {self.acknowledged:>6}  stored {self.stored:>6}  processed "
            f"{self.processed:>6}  duplicated {self.duplicated}  lost {self.lost}  recovery {recovery}"
            f"  {extra}  {'OK' if self.ok() else 'FAILED ' + '; '.join(self.problems)}"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(var_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAUTI_") and k != "DATABASE_URL"}
    env.update(
        SAUTI_VAR_DIR=str(var_dir),
        SAUTI_ENV="development",
        DEBUG="false",
        SECRET_KEY="drill-secret-key-not-for-production-0123456789-abcdefghijkl",
        SAUTI_IDENTITY_KEYS="drill-identity-key",
        SAUTI_LOOKUP_KEY="drill-lookup-key",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        DATABASE_URL=database_url,
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def sauti(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PY, "-m", "sauti", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise SystemExit(f"sauti {' '.join(args[:2])} failed: {out.stderr[-2000:]}")
    return out.stdout.strip()


def counts(env: dict[str, str]) -> tuple[int, int, int, int, int]:
    """(stored, processed, messages with one reply, messages with more than one, duplicated provider ids)"""
    a, b, c, d, e = (int(x) for x in sauti(env, "shell", "-c", COUNTS).splitlines()[-1].split())
    return a, b, c, d, e


def processed_now(env: dict[str, str], status: str = "processed") -> int:
    url = env["DATABASE_URL"]
    sql = f"SELECT count(*) FROM messaging_inboundmessage WHERE status = '{status}'"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as db:
            return int(db.execute(sql).fetchone()[0])
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


def wait_for(env: dict[str, str], target: int, *, stall: float = 120, poll: float = 0.2) -> int:
    """Wait until `target` messages are processed, or nothing more has been for `stall` seconds."""
    done, last_change = processed_now(env), time.monotonic()
    while done < target and time.monotonic() - last_change < stall and not ABORT.is_set():
        time.sleep(poll)
        now = processed_now(env)
        if now != done:
            done, last_change = now, time.monotonic()
    return done


def worker(env: dict[str, str], *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PY, "-m", "sauti", "worker", "--no-startup-delay", "--interval", "0.2", *extra],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def gunicorn(
    env: dict[str, str], port: int, workers: int = 4, *, preload: bool = False
) -> subprocess.Popen[bytes]:
    """gunicorn serving Sauti, returned once its port accepts. Without `preload` each worker imports Django
    after that (seconds on a loaded machine), so the first requests wait for it; with it the master imports
    the application before it opens the port and forks ready workers."""
    proc = subprocess.Popen(
        [PY, "-m", "gunicorn", "sauti.wsgi:application", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "error", "--backlog", "2048", "--graceful-timeout", "5", "--no-control-socket",
         *(["--preload"] if preload else [])],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 240  # a loaded machine: gunicorn can take over a minute to import Django
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("gunicorn did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@contextmanager
def deployment(
    db: str,
    pg_url: str | None = None,
    migrated: Path | None = None,
    pg_template: str | None = None,
    **extra: str,
) -> Iterator[dict[str, str]]:
    """A throwaway deployment with the drill's organisation and channel. `migrated`: an SQLite file with
    the schema already in place (the test suite passes a copy of its own); `pg_template`: a migrated
    PostgreSQL database on the same server to copy (CREATE DATABASE … TEMPLATE): both save the
    migrations' time."""
    var_dir = Path(tempfile.mkdtemp(prefix="sauti-drill-"))
    try:
        if db == "sqlite":
            url = f"sqlite:///{var_dir / 'sauti.sqlite3'}"
            if migrated is not None:
                shutil.copyfile(migrated, var_dir / "sauti.sqlite3")
        else:
            assert pg_url is not None
            if pg_template is not None:
                copy_pg_database(pg_template, pg_url)
            else:
                ensure_pg_database(pg_url, empty=True)
            url = pg_url
        env = environment(var_dir, url, **extra)
        if migrated is None and pg_template is None:
            print(f"  migrating a fresh {db} database …", file=sys.stderr, flush=True)
            sauti(env, "migrate", "-v0")
        env["DRILL_TOKEN"] = sauti(env, "shell", "-c", SETUP).splitlines()[-1]
        yield env
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def copy_pg_database(template_url: str, url: str) -> None:
    """`url`'s database dropped if it exists and created as a copy of `template_url`'s (same server)."""
    import psycopg
    from psycopg import sql

    base, _slash, name = url.rpartition("/")
    template = template_url.rpartition("/")[2]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
        )


# --- a private PostgreSQL cluster -------------------------------------------------------------------


def pg_binary(name: str) -> str:
    """A PostgreSQL server program by absolute path: from PATH, else Debian's /usr/lib/postgresql/<v>/bin
    (where initdb and pg_ctl live when only the server package is installed)."""
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (version / name).exists():
            return str(version / name)
    raise SystemExit(f"{name} not found: install the PostgreSQL server programs (e.g. postgresql-15)")


def cluster_owner() -> str | None:
    """The account the private cluster runs as: None (the caller) unless the caller is root, which
    initdb and postgres refuse; then `postgres` if it exists, else `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise SystemExit("running as root and neither a postgres nor a nobody account exists to run PostgreSQL")


def _as_postgres(command: list[str], owner: str | None = None) -> list[str]:
    """`command` as the cluster's owner: unchanged for a normal user; through `su` for root."""
    command = [pg_binary(command[0]), *command[1:]]
    if owner is None:
        return command
    return ["su", owner, "-s", "/bin/sh", "-c", shlex.join(command)]


class PrivateCluster:
    """initdb in a temporary folder, served on its own port; stop() and start() for the drills."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.owner = cluster_owner()
        self.dir = Path(tempfile.mkdtemp(prefix="sauti-pg-"))
        self.data = self.dir / "data"
        if self.owner is not None:
            shutil.chown(self.dir, self.owner)
        self._run(["initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync"])
        self.url = f"postgres://postgres@127.0.0.1:{port}/drill"

    def _run(self, command: list[str], *, check: bool = True) -> None:
        # cwd: the owner (postgres) may not be allowed into the caller's working directory.
        out = subprocess.run(
            _as_postgres(command, self.owner), cwd=self.dir, capture_output=True, text=True, check=False
        )
        if check and out.returncode:
            log = self.dir / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise SystemExit(f"{command[0]} failed ({out.returncode}): {out.stderr[-2000:]}{tail}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run(["pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "log"), "-w", "start"])

    def stop(self) -> None:
        self._run(["pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop"], check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def private_cluster(port: int) -> Iterator[PrivateCluster]:
    cluster = PrivateCluster(port)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


# --- webhook load -------------------------------------------------------------------------------------


def form(i: int, prefix: str) -> bytes:
    return urlencode({
        "from": f"+2547{12000000 + i:08d}", "to": "21512", "text": TEXTS[i % len(TEXTS)],
        "date": "2026-11-25 06:04:45", "id": f"{prefix}-{i:06d}",
    }).encode()  # fmt: skip


def post(port: int, path: str, body: bytes) -> int:
    request = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            s.sendall(request)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return int(data.split(b" ", 2)[1])
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class Load:
    acknowledged: set[str] = field(default_factory=set)
    answers: dict[int, int] = field(default_factory=dict)
    acknowledged_at: list[float] = field(default_factory=list)
    first_200_after: dict[float, float] = field(default_factory=dict)
    wall: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, status: int) -> None:
        with self.lock:
            self.answers[status] = self.answers.get(status, 0) + 1

    def longest_silence(self) -> float | None:
        """The longest time between two acknowledgements: how long the service was lost to providers."""
        times = sorted(self.acknowledged_at)
        return max((b - a for a, b in itertools.pairwise(times)), default=None)


def send_all(
    ports: list[int],
    token: str,
    n: int,
    prefix: str,
    concurrency: int = 16,
    retry_pause: float = 0.5,
    until: threading.Event | None = None,
) -> Load:
    """Post n callbacks (more while `until` is not set: the load outlasts what the drill does to the
    servers however fast the machine); each is retried until it gets 200 (as a provider retries), up to
    60 s."""
    path = f"/messaging/hooks/dev/{token}/incoming/"
    result = Load()
    sent = [0]

    def client(k: int) -> None:
        while True:
            with result.lock:
                i = sent[0]
                if ABORT.is_set() or (i >= n and (until is None or until.is_set())):
                    return
                sent[0] += 1
            body = form(i, prefix)
            deadline = time.monotonic() + 60
            attempt = 0
            while time.monotonic() < deadline and not ABORT.is_set():
                status = post(ports[(i + attempt) % len(ports)], path, body)
                result.note(status)
                if status == 200:
                    with result.lock:
                        result.acknowledged.add(f"{prefix}-{i:06d}")
                        result.acknowledged_at.append(time.monotonic())
                    break
                attempt += 1
                time.sleep(retry_pause)

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result.wall = time.perf_counter() - started
    return result


def stored_ids(env: dict[str, str]) -> tuple[int, set[str], int]:
    """(rows, distinct provider ids, provider ids stored more than once)"""
    out = sauti(env, "shell", "-c", (
        "from django.db.models import Count\nfrom sauti.messaging.models import InboundMessage\n"
        "rows = list(InboundMessage.objects.values('provider_id').annotate(n=Count('id')))\n"
        "print(sum(r['n'] for r in rows)); print(sum(1 for r in rows if r['n'] > 1))\n"
        "print(' '.join(r['provider_id'] for r in rows))"
    )).splitlines()  # fmt: skip
    return int(out[-3]), set(out[-1].split()), int(out[-2])


# --- the drills ---------------------------------------------------------------------------------------


def drill_worker_kill(env: dict[str, str], n: int, kill_after: int, lease: int = 10) -> Figures:
    """Kill -9 the worker mid-batch, restart it: every message processed exactly once."""
    env = {**env, "SAUTI_PROCESSING_LEASE_SECONDS": str(lease)}
    sauti(env, "shell", "-c", STORE.format(texts=TEXTS, n=n))
    first = worker(env, "--no-schedule")
    try:
        wait_for(env, kill_after, poll=0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    at_kill = processed_now(env)
    claimed = processed_now(env, "processing")
    restarted = time.monotonic()
    second = worker(env)
    try:
        wait_for(env, n, stall=120 + lease)
        recovery = time.monotonic() - restarted
    finally:
        stop(second)
    stored, processed, once, twice, dupes = counts(env)
    return Figures(
        "worker-kill",
        acknowledged=n,
        stored=stored,
        processed=processed,
        duplicated=twice + dupes,
        lost=n - once,
        recovery_seconds=recovery,
        extra={"processed before the kill": at_kill, "left claimed": claimed, "lease": f"{lease} s"},
    )


def drill_gunicorn_kill(env: dict[str, str], n: int, kills: int, workers: int = 4) -> Figures:
    port = free_port()
    server = gunicorn(env, port, workers)
    stop_killing = threading.Event()
    killed: list[int] = []

    killed_all = threading.Event()

    def killer() -> None:
        while not stop_killing.is_set() and len(killed) < kills:
            stop_killing.wait(1.0)
            victims = children(server.pid)
            if victims:
                victim = victims[len(killed) % len(victims)]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
        stop_killing.wait(1.0)  # and a second of load after the last kill
        killed_all.set()

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    try:
        load = send_all([port], env["DRILL_TOKEN"], n, "g", until=killed_all)
    finally:
        stop_killing.set()
        thread.join()
        stop(server)
    rows, ids, dupes = stored_ids(env)
    sent = sum(load.answers.values())
    figures = Figures(
        "gunicorn-kill",
        acknowledged=len(load.acknowledged),
        stored=rows,
        duplicated=dupes,
        lost=len(load.acknowledged - ids),
        recovery_seconds=load.longest_silence(),
        extra={"workers killed": len(killed), "answers": dict(sorted(load.answers.items())),
               "posts": sent},
    )  # fmt: skip
    if len(killed) < kills:
        figures.problems.append(f"only {len(killed)} of {kills} gunicorn workers killed")
    if not load.acknowledged:
        figures.problems.append("nothing acknowledged")
    return figures


def drill_pg_restart(
    cluster: PrivateCluster, env: dict[str, str], n: int, down: float, workers: int = 4
) -> Figures:
    port = free_port()
    server = gunicorn(env, port, workers)
    marks: dict[str, float] = {}
    answers_while_down: dict[int, int] = {}
    path = f"/messaging/hooks/dev/{env['DRILL_TOKEN']}/incoming/"
    back = threading.Event()

    def outage() -> None:
        try:
            time.sleep(3)
            cluster.stop()
            marks["down"] = time.monotonic()
            for i in range(3):  # what a provider sees while the database is down
                status = post(port, path, form(900000 + i, "probe"))
                answers_while_down[status] = answers_while_down.get(status, 0) + 1
            time.sleep(max(0.0, down - (time.monotonic() - marks["down"])))
            cluster.start()
            marks["up"] = time.monotonic()
            deadline = time.monotonic() + 120
            while post(port, path, form(950000, "probe-up")) != 200:
                if time.monotonic() > deadline or ABORT.is_set():
                    return
                time.sleep(0.05)
            marks["first 200"] = time.monotonic()
            time.sleep(1.0)  # and a second of load after the recovery
        finally:
            back.set()

    thread = threading.Thread(target=outage, daemon=True)
    thread.start()
    try:
        load = send_all([port], env["DRILL_TOKEN"], n, "p", retry_pause=0.25, until=back)
    finally:
        thread.join()
        stop(server)
    rows, ids, dupes = stored_ids(env)
    acknowledged = set(load.acknowledged)
    figures = Figures(
        "pg-restart",
        acknowledged=len(acknowledged),
        stored=rows,
        duplicated=dupes,
        lost=len(acknowledged - ids),
        recovery_seconds=marks["first 200"] - marks["up"] if "first 200" in marks else None,
        extra={"answers while down": answers_while_down, "all answers": dict(sorted(load.answers.items())),
               "down for": f"{marks.get('up', 0) - marks.get('down', 0):.1f} s"},
    )  # fmt: skip
    if "first 200" not in marks:
        figures.problems.append("no 200 within 120 s of the database's restart")
    if 503 not in answers_while_down:
        figures.problems.append(f"no 503 while the database was down: {answers_while_down}")
    if load.answers.get(500):
        figures.problems.append(f"{load.answers[500]} answers 500")
    return figures


def drill_scale_out(env: dict[str, str], n: int, m: int) -> Figures:
    """Processing of m stored messages by one worker, then of m more by two; then n webhooks through one
    gunicorn instance, then n through two (clients alternate: no proxy; no worker runs meanwhile).
    Processing is timed from the first message processed, webhooks once every instance is up and warm,
    so the processes' start-up is not counted."""
    figures = Figures("scale-out")
    rates: dict[str, str] = {}
    for workers_n in (1, 2):
        sauti(env, "shell", "-c", STORE.format(texts=TEXTS, n=m).replace("w-", f"x{workers_n}-"))
        before = processed_now(env)
        procs = [worker(env, *([] if k == 0 else ["--no-schedule"])) for k in range(workers_n)]
        try:
            wait_for(env, before + 1, poll=0.05)
            started, first = time.monotonic(), processed_now(env)
            done = wait_for(env, before + m)
            took = time.monotonic() - started
        finally:
            for proc in procs:
                stop(proc)
        rates[f"processing x{workers_n}"] = f"{(done - first) / took:,.2f}/s"
    figures.acknowledged = 2 * m
    _stored, processed, once, twice, dupes = counts(env)
    figures.processed, figures.duplicated = processed, twice + dupes
    figures.lost = 2 * m - once
    for instances in (1, 2):
        ports = [free_port() for _ in range(instances)]
        # Ready before the clock starts: the application imported before the workers fork (--preload), and
        # every worker's connection, caches and lazy imports warmed by callbacks that are not timed. Timing
        # from the port opening counted the workers' start-up, twice as much with two instances on the
        # same 2 cores (webhooks x1 315/s, x2 137/s; docs/decisions.md, issue 13, session 6).
        servers = [gunicorn(env, p, workers=2, preload=True) for p in ports]
        try:
            warm = send_all(ports, env["DRILL_TOKEN"], 100 * instances, f"w{instances}")
            load = send_all(ports, env["DRILL_TOKEN"], n, f"s{instances}")
        finally:
            for server in servers:
                stop(server)
        rates[f"webhooks x{instances}"] = f"{len(load.acknowledged) / load.wall:,.0f}/s"
        acknowledged = load.acknowledged | warm.acknowledged
        figures.acknowledged += len(acknowledged)
        rows, ids, dupes = stored_ids(env)
        figures.lost += len(acknowledged - ids)
        figures.duplicated += dupes
    figures.stored = rows
    figures.extra = rates
    return figures


def run_ci(pg_port: int) -> list[Figures]:
    """The short form CI runs: each drill on a copy of one migrated database of one private cluster."""
    results = []
    with private_cluster(pg_port) as pg:
        base = pg.url.rpartition("/")[0]
        template = f"{base}/drill_template"
        ensure_pg_database(template, empty=True)
        import psycopg

        with psycopg.connect(template, autocommit=True) as conn:
            # Only the migrations' many small commits: the copies the drills run on do not inherit it.
            conn.execute("ALTER DATABASE drill_template SET synchronous_commit = off")
        var_dir = Path(tempfile.mkdtemp(prefix="sauti-drill-"))
        try:
            started = time.monotonic()
            sauti(environment(var_dir, template), "migrate", "-v0")
            print(f"private PostgreSQL cluster on port {pg_port}, migrated in {time.monotonic() - started:.0f} s",
                  flush=True)  # fmt: skip
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
        short: list[tuple[str, Any]] = [
            ("worker-kill", lambda env: drill_worker_kill(env, n=24, kill_after=6, lease=2)),
            ("gunicorn-kill", lambda env: drill_gunicorn_kill(env, n=300, kills=3, workers=2)),
            ("pg-restart", lambda env: drill_pg_restart(pg, env, n=300, down=3.0, workers=2)),
        ]
        for name, drill in short:
            print(f"  {name} …", file=sys.stderr, flush=True)
            started = time.monotonic()
            with deployment(
                "postgres", f"{base}/drill_{name.replace('-', '_')}", pg_template=template
            ) as env:
                figures = drill(env)
            figures.drill = f"{name} (pg)"
            print(f"{figures.line()}  [{time.monotonic() - started:.0f} s]", flush=True)
            results.append(figures)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "drill", choices=["worker-kill", "gunicorn-kill", "pg-restart", "scale-out", "all", "ci"]
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=0, help="messages (default: per drill)")
    parser.add_argument("--kill-after", type=int, default=150)
    parser.add_argument("--m", type=int, default=200, help="scale-out: messages processed per configuration")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--down", type=float, default=5.0)
    parser.add_argument(
        "--pg-port", type=int, default=0, help="the private cluster's port (default: a free one)"
    )
    args = parser.parse_args()
    args.pg_port = args.pg_port or free_port()
    # A SIGTERM (e.g. from `timeout`) unwinds like an exception, so the finally blocks stop the servers,
    # the workers and the private PostgreSQL cluster.
    signal.signal(signal.SIGTERM, _terminated)
    if args.drill == "ci":
        started = time.monotonic()
        results = run_ci(args.pg_port)
        failed = [f.drill for f in results if not f.ok()]
        print(f"drills: {len(results)} in {time.monotonic() - started:.0f} s, "
              f"{'all OK' if not failed else 'FAILED: ' + ', '.join(failed)}", flush=True)  # fmt: skip
        return 1 if failed else 0
    drills = (
        ["worker-kill", "gunicorn-kill", "pg-restart", "scale-out"] if args.drill == "all" else [args.drill]
    )
    results = []
    for name in drills:
        needs_pg = name in ("pg-restart", "scale-out") or args.db == "postgres"
        cluster = private_cluster(args.pg_port) if needs_pg else None
        with cluster if cluster is not None else _nothing() as pg:
            url = pg.url if pg is not None else None
            with deployment("postgres" if needs_pg else "sqlite", url) as env:
                print(f"{name} on {'PostgreSQL (private cluster)' if needs_pg else 'SQLite'} …", flush=True)
                if name == "worker-kill":
                    figures = drill_worker_kill(env, args.n or 500, args.kill_after)
                elif name == "gunicorn-kill":
                    figures = drill_gunicorn_kill(env, args.n or 3000, args.kills)
                elif name == "pg-restart":
                    assert pg is not None
                    figures = drill_pg_restart(pg, env, args.n or 3000, args.down)
                else:
                    figures = drill_scale_out(env, args.n or 3000, args.m)
        print(figures.line(), flush=True)
        results.append(figures)
    return 0 if all(f.ok() for f in results) else 1


def _terminated(*_args: object) -> None:
    ABORT.set()
    sys.exit(1)


@contextmanager
def _nothing() -> Iterator[None]:
    yield None


if __name__ == "__main__":
    sys.exit(main())
