"""Monitoring at scale: 1,000,000 generated reports, timed through the real views, beside plain SQL.

    .venv/bin/python bench/monitoring_bench.py --db sqlite   [--reports 1000000] [--keep]
    .venv/bin/python bench/monitoring_bench.py --db postgres [--pg-url postgres://postgres@127.0.0.1:5432/sauti_bench]

Generates one organisation's reports and cases (bulk inserts, progress on stderr) into a throwaway
database (SQLite under a temp dir, or the named PostgreSQL database, dropped and recreated), then
measures, with Django's test client (server time: request in, last byte out):
- the triage inbox (first page, and filtered by status and county) and the dashboard;
- the map aggregate for the whole country (county counts) and the ward choropleth for Nairobi;
- the CSV export of every report, in a separate process: rows/s and peak RSS;
each beside a plain SQL query answering the same question on the same data. Targets (issue 3): inbox
and dashboard p95 <= 200 ms on PostgreSQL / 400 ms on SQLite, map <= 150 ms, export >= 50,000 rows/s
within 250 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNS = 15


def setup(db: str, pg_url: str, var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["SAUTI_VAR_DIR"] = var_dir
    os.environ["SAUTI_ENV"] = "development"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production-0123456789-abcdefghijkl")
    os.environ.setdefault("SAUTI_IDENTITY_KEYS", "bench-identity-key")
    os.environ.setdefault("SAUTI_LOOKUP_KEY", "bench-lookup-key")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["LOG_LEVEL"] = "ERROR"
    if db == "postgres":
        os.environ["DATABASE_URL"] = pg_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sauti.settings"
    import django

    django.setup()


def recreate_pg(pg_url: str) -> None:
    import psycopg

    name = pg_url.rsplit("/", 1)[1]
    admin = pg_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def progress(label: str, done: int, total: int, started: float) -> None:
    rate = done / max(time.perf_counter() - started, 1e-9)
    print(f"\r  {label}: {done:,}/{total:,} ({rate:,.0f}/s)", end="", file=sys.stderr, flush=True)
    if done >= total:
        print(file=sys.stderr)


def generate(n_reports: int, seed: int = 7) -> dict[str, Any]:
    from django.core.management import call_command
    from django.utils import timezone

    from sauti.monitoring.models import Case, Category, Report
    from sauti.people.models import Membership, Organisation, Role, User
    from sauti.places.models import Ward

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    org = Organisation.objects.create(name="Bench organisation", slug="bench", is_demo=True)
    user = User.objects.create_user("bench", password="bench-password-1")
    Membership.objects.create(user=user, organisation=org, role=Role.COORDINATOR)
    categories = list(Category.objects.filter(organisation=org, parent__isnull=False))
    wards = list(Ward.objects.select_related("county").exclude(lat=None))
    nairobi = [w for w in wards if w.county.code == 47]
    now = timezone.now()
    statuses = (
        ["new"] * 3 + ["triaged"] * 2 + ["verified"] * 2 + ["rejected", "referred", "resolved", "unresolved"]
    )
    n_cases = max(n_reports // 4, 1)
    started = time.perf_counter()
    batch: list[Any] = []
    case_meta: list[tuple[Any, Any, float, float, Any]] = []
    for i in range(n_cases):
        ward = rng.choice(nairobi) if rng.random() < 0.4 else rng.choice(wards)
        cat = rng.choice(categories)
        lat, lon = ward.lat + rng.uniform(-0.01, 0.01), ward.lon + rng.uniform(-0.01, 0.01)
        when = now - timedelta(days=rng.randint(0, 720), minutes=rng.randint(0, 1440))
        batch.append(
            Case(
                organisation=org,
                title=f"Bench case {i}",
                category=cat.parent,
                status=rng.choice(statuses),
                county=ward.county,
                constituency_id=ward.constituency_id,
                ward=ward,
                lat=lat,
                lon=lon,
                precision="point",
                occurred_from=when.date(),
                occurred_to=when.date(),
                report_count=4,
                is_public=rng.random() < 0.5,
                created_at=when,
                updated_at=when,
            )
        )
        case_meta.append((ward, cat, lat, lon, when))
        if len(batch) == 5000 or i == n_cases - 1:
            Case.objects.bulk_create(batch)
            batch = []
            progress("cases", i + 1, n_cases, started)
    case_ids = list(Case.objects.filter(organisation=org).order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    through = Report.categories.through
    words = [
        "maji",
        "yamekatwa",
        "water",
        "cut",
        "sewage",
        "eviction",
        "police",
        "nyumba",
        "watu",
        "families",
    ]
    done = 0
    while done < n_reports:
        size = min(5000, n_reports - done)
        reports = []
        cats = []
        for j in range(done, done + size):
            k = j % len(case_ids)
            ward, cat, lat, lon, when = case_meta[k]
            reports.append(
                Report(
                    organisation=org,
                    case_id=case_ids[k],
                    grouping_confirmed=True,
                    description=" ".join(rng.choices(words, k=12)),
                    occurred_on=when.date(),
                    received_at=when + timedelta(minutes=j % 997),
                    place_text=ward.name,
                    channel=rng.choice(["sms", "web", "odk", "ussd"]),
                    language="sw",
                    county=ward.county,
                    constituency_id=ward.constituency_id,
                    ward=ward,
                    lat=lat,
                    lon=lon,
                    precision="point",
                    people_affected=rng.randint(1, 300),
                )
            )
            cats.append(cat.pk)
        created = Report.objects.bulk_create(reports)
        through.objects.bulk_create(
            [through(report_id=r.pk, category_id=c) for r, c in zip(created, cats, strict=True)]
        )
        done += size
        progress("reports", done, n_reports, started)
    return {"org": org, "user": user, "n_cases": n_cases}


def timed(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    fn()  # warm caches, as a running server would be
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]


def sql(query: str, params: list[Any]) -> Callable[[], object]:
    from django.db import connection

    def run() -> object:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()

    return run


def get(client: Any, url: str) -> Callable[[], object]:
    def run() -> object:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if getattr(response, "streaming", False):
            for _ in response.streaming_content:
                pass
        return response

    return run


def export_rate(db: str, n_reports: int) -> tuple[float, float, float]:
    out = Path(tempfile.mkdtemp()) / "reports.csv"
    env = dict(os.environ)
    code = (
        "import sys, resource, time; from sauti.__main__ import main; t=time.perf_counter();"
        f"main(['sauti', 'reports', 'export', '--format', 'csv', '--org', 'bench', '-o', {str(out)!r}]);"
        "print(time.perf_counter()-t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    seconds, rss_kb = result.stderr.strip().splitlines()[-1].split()
    rows = sum(1 for _ in out.open()) - 1
    return rows / float(seconds), int(rss_kb) / 1024, float(seconds)


def baseline_export_rate() -> float:
    import csv
    import io

    from django.db import connection

    t = time.perf_counter()
    rows = 0
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id, r.received_at, r.occurred_on, r.channel, r.ward_id, r.lat, r.lon, r.description "
            "FROM monitoring_report r ORDER BY r.id"
        )
        while chunk := cursor.fetchmany(5000):
            writer.writerows(chunk)
            rows += len(chunk)
            buffer.seek(0)
            buffer.truncate()
    return rows / (time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/sauti_bench")
    parser.add_argument("--var-dir", default="", help="reuse a SQLite bench directory (with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="measure an existing bench database")
    args = parser.parse_args()
    var_dir = args.var_dir or tempfile.mkdtemp(prefix="sauti-bench-")
    if args.db == "postgres" and not args.reuse:
        recreate_pg(args.pg_url)
    setup(args.db, args.pg_url, var_dir)
    from django.db import connection
    from django.test import Client

    from sauti.people import security
    from sauti.people.models import Organisation, User

    print(
        f"Sauti monitoring bench: {args.reports:,} reports on {args.db} ({connection.vendor}); var dir {var_dir}"
    )
    if args.reuse:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)  # indexes or tables added since the data was generated
    else:
        t = time.perf_counter()
        generate(args.reports)
        print(f"generated in {time.perf_counter() - t:,.0f} s", file=sys.stderr)
    from sauti.monitoring import rollups
    from sauti.monitoring.models import ReportRollup

    if not args.reuse or not ReportRollup.objects.exists():
        # The generator bulk-inserts, past the actions that keep the rollup; count it as a deployment would.
        t = time.perf_counter()
        written = rollups.rebuild(progress=lambda done, total: progress("rollup", done, total, t))
        print(f"rollup: {written:,} rows rebuilt in {time.perf_counter() - t:,.1f} s")
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM ANALYZE" if connection.vendor == "postgresql" and not args.reuse else "ANALYZE"
        )
    org = Organisation.objects.get(slug="bench")
    client = Client()
    client.force_login(User.objects.get(username="bench"))
    # A coordinator must pass two-factor first: this session has (as it would after /accounts/2fa/).
    session = client.session
    session[security.SESSION_KEY] = True
    session.save()
    target = 200 if connection.vendor == "postgresql" else 400
    rows: list[tuple[str, tuple[float, float], tuple[float, float], float]] = []
    o = org.pk
    checks: list[tuple[str, str, str, list[Any], float]] = [
        ("inbox, first page", "/cases/", "SELECT id, title, status, updated_at FROM monitoring_case WHERE organisation_id = %s ORDER BY updated_at DESC, id DESC LIMIT 50", [o], target),
        ("inbox, status=new, county=47", "/cases/?status=new&county=47", "SELECT id, title, status, updated_at FROM monitoring_case WHERE organisation_id = %s AND status = 'new' AND county_id = (SELECT id FROM places_county WHERE code = 47) ORDER BY updated_at DESC, id DESC LIMIT 50", [o], target),
        ("dashboard", "/dashboard/", "SELECT category_id, status, COUNT(*) FROM monitoring_case WHERE organisation_id = %s GROUP BY category_id, status", [o], target),
        ("map: county counts, whole country", "/map/data/counts.json?level=county", "SELECT county_id, COUNT(*) FROM monitoring_case WHERE organisation_id = %s GROUP BY county_id", [o], 150),
        ("map: clusters, whole country", "/map/data/clusters.json?zoom=6", "SELECT ROUND(lat / 0.25), ROUND(lon / 0.25), COUNT(*) FROM monitoring_case WHERE organisation_id = %s GROUP BY 1, 2", [o], 150),
        ("map: ward choropleth, Nairobi", "/map/data/counts.json?level=ward&county=47", "SELECT ward_id, COUNT(*) FROM monitoring_case WHERE organisation_id = %s AND county_id = (SELECT id FROM places_county WHERE code = 47) GROUP BY ward_id", [o], 150),
    ]  # fmt: skip
    # What the triage list also has to answer: a date range a year back (the newest-first walk passes
    # a year of cases first) and free text, found among the newest cases or found nowhere (every report read).
    from django.utils import timezone

    today = timezone.localdate()
    since, until = today - timedelta(days=400), today - timedelta(days=370)
    like = "LIKE" if connection.vendor == "sqlite" else "ILIKE"
    text_sql = (
        "SELECT id, title, status, updated_at FROM monitoring_case WHERE organisation_id = %s AND "
        f"(title {like} %s OR summary {like} %s OR id IN (SELECT case_id FROM monitoring_report "
        f"WHERE description {like} %s)) ORDER BY updated_at DESC, id DESC LIMIT 50"
    )
    checks += [
        ("inbox, happened within a month", f"/cases/?date_from={since}&date_to={until}", "SELECT id, title, status, updated_at FROM monitoring_case WHERE organisation_id = %s AND occurred_to >= %s AND occurred_from <= %s ORDER BY updated_at DESC, id DESC LIMIT 50", [o, since, until], target),
        ("inbox, text found in new cases", "/cases/?q=eviction", text_sql, [o, *["%eviction%"] * 3], target),
        ("inbox, text found nowhere", "/cases/?q=mafuriko", text_sql, [o, *["%mafuriko%"] * 3], target),
    ]  # fmt: skip
    for label, url, query, params, limit in checks:
        rows.append((label, timed(get(client, url)), timed(sql(query, params)), limit))
    print(
        f"\n{'question':<34} {'view p50':>9} {'view p95':>9} {'target':>7} {'SQL p50':>9} {'SQL p95':>9}  verdict"
    )
    for label, (p50, p95), (s50, s95), limit in rows:
        verdict = "ok" if p95 <= limit else "SLOW"
        print(f"{label:<34} {p50:8.1f}ms {p95:8.1f}ms {limit:6d}ms {s50:8.1f}ms {s95:8.1f}ms  {verdict}")
    rate, rss, seconds = export_rate(args.db, args.reports)
    base = baseline_export_rate()
    verdict = "ok" if rate >= 50_000 and rss <= 250 else "SLOW/BIG"
    print(
        f"{'CSV export, all reports':<34} {rate:10,.0f} rows/s in {seconds:.1f} s, peak RSS {rss:.0f} MB (target >= 50,000 rows/s, <= 250 MB)  {verdict}"
    )
    print(f"{'  baseline: plain SQL to csv':<34} {base:10,.0f} rows/s")
    print(
        f"(self: peak RSS of the bench process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
