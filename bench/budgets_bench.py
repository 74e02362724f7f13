"""Budgets: importing a 20,000-project list, and the ward scorecard / department view under load.

    .venv/bin/python bench/budgets_bench.py [--projects 20000] [--observations 100000] [--requests 40]

Uses a throwaway SQLite database (or DATABASE_URL) with the gazetteer loaded.

1. Import: a 20,000-row CSV in the documented template (Mombasa wards by code, thousands separators, "-"
   blanks, some duplicates) through `do_import` (parse, check, resolve, insert, flag), beside, in the same run,
   plain SQL inserts of the same rows into the same table (one prepared INSERT, executemany, one
   transaction): the floor any import could reach. Target: the import at >= 25% of the plain-SQL rate.
2. Pages: 100,000 observations bulk-loaded on those projects (and each project's latest status), then the
   public ward scorecard (all wards, and one ward with its project list) and the department view, fetched
   through Django's test client; p50/p95/max in ms. Target: p95 <= 200 ms.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import statistics
import time
from decimal import Decimal

from benchsetup import setup_django


def _pct(values: list[float], p: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["project_code", "financial_year", "sector", "project_name", "location", "ward_code", "contract_sum",
         "paid", "cumulative_expenditure", "pct_complete", "expected_completion"]
    )  # fmt: skip
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    setup_django(migrate=True)

    from django.db import connection, transaction
    from django.test import Client
    from django.utils import timezone

    from sauti.budgets.actions import do_import
    from sauti.budgets.models import BudgetDocument, Observation, Project
    from sauti.people.models import Organisation
    from sauti.places.models import County, Ward

    rng = random.Random(args.seed)
    mombasa = County.objects.get(code=1)
    wards = list(Ward.objects.filter(county=mombasa).values_list("code", flat=True))
    sectors = ["Education", "Health", "Water, Natural Resources", "Transport, Infrastructure & Public Works",
               "Lands, Urban Renewal And Housing", "Youth, Gender & Sports"]  # fmt: skip
    kinds = [
        "Construction of ECD centre",
        "Borehole",
        "Dispensary upgrade",
        "Road grading",
        "Market shed",
        "Stadium stand",
    ]
    rows = []
    for i in range(args.projects):
        contract = rng.randint(500_000, 90_000_000)
        paid = rng.randint(0, contract) if rng.random() > 0.1 else 0
        name = f"{rng.choice(kinds)} no. {i // 2 if i % 50 == 0 else i}"
        rows.append(
            [f"B{i:06d}", "2025/26", rng.choice(sectors), name, "", str(rng.choice(wards)), f"{contract:,}",
             f"{paid:,}" if paid else "-", f"{paid:,}" if paid else "-", str(round(100 * paid / contract)), ""]
        )  # fmt: skip
    data = _csv(rows)
    print(f"{args.projects} projects, CSV {len(data) / 1e6:.1f} MB", flush=True)

    # Baseline: plain SQL inserts of the same rows (already parsed) into the same table.
    base_org = Organisation.objects.create(name="Bench SQL (demo)", slug="bench-sql", county=mombasa)
    doc = BudgetDocument.objects.create(
        organisation=base_org,
        county=mombasa,
        kind="adp",
        title="bench",
        filename="b.csv",
        file_format="csv",
        sha256="0",
    )
    ward_pk = dict(Ward.objects.filter(county=mombasa).values_list("code", "pk"))
    now = timezone.now()
    table = Project._meta.db_table
    cols = ["organisation_id", "county_id", "number", "code", "financial_year", "name", "sector_published",
            "location_published", "ward_id", "ward_match", "ward_candidates", "contract_sum", "paid",
            "cumulative_expenditure", "pct_complete", "expected_completion", "document_id", "source_row", "flags",
            "flagged", "observed_status", "observations_count", "created_at", "updated_at"]  # fmt: skip

    def money(text: str) -> Decimal | None:
        return None if text == "-" else Decimal(text.replace(",", ""))

    started = time.perf_counter()
    params = [
        (base_org.pk, mombasa.pk, n, r[0], r[1], r[3], r[2], r[4], ward_pk[int(r[5])], "confirmed", "[]",
         money(r[6]), money(r[7]), money(r[8]), Decimal(r[9]), r[10], doc.pk, n + 1, "[]", False, "", 0, now, now)
        for n, r in enumerate(rows, start=1)
    ]  # fmt: skip
    placeholders = ", ".join(["%s"] * len(cols))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({placeholders})", params)
    sql_seconds = time.perf_counter() - started

    org = Organisation.objects.create(name="Bench import (demo)", slug="bench-import", county=mombasa)
    started = time.perf_counter()
    result = do_import(org, mombasa, "bench.csv", data, progress=None)
    import_seconds = time.perf_counter() - started
    assert result.projects == args.projects and result.rejected == 0, result.as_json()["reasons"][:3]
    sql_rate, import_rate = args.projects / sql_seconds, args.projects / import_seconds
    print(f"{'plain SQL inserts':<28}{sql_seconds:>8.2f} s {sql_rate:>10,.0f} rows/s")
    print(f"{'do_import (CSV, checks)':<28}{import_seconds:>8.2f} s {import_rate:>10,.0f} rows/s")
    print(f"import / plain SQL: {100 * import_rate / sql_rate:.0f}% (target >= 25%)")
    started = time.perf_counter()
    again = do_import(org, mombasa, "bench.csv", data)
    print(
        f"{'re-import (no change)':<28}{time.perf_counter() - started:>8.2f} s  unchanged={again.unchanged}"
    )

    # 100,000 observations on those projects, then the latest status on each project.
    statuses = ["exists", "not_started", "stalled", "complete", "poor_quality"]
    pks = list(Project.objects.filter(organisation=org).values_list("pk", flat=True))
    today = timezone.localdate()
    print(f"loading {args.observations} observations…", flush=True)
    batch = []
    latest: dict[int, str] = {}
    for _ in range(args.observations):
        pk = rng.choice(pks)
        status = rng.choice(statuses)
        latest[pk] = status
        batch.append(
            Observation(organisation=org, project_id=pk, status=status, observed_on=today, source="web")
        )
        if len(batch) == 5000:
            Observation.objects.bulk_create(batch)
            batch = []
    Observation.objects.bulk_create(batch)
    with transaction.atomic():
        for status in statuses:
            Project.objects.filter(pk__in=[pk for pk, s in latest.items() if s == status]).update(
                observed_status=status, observations_count=1
            )
    from sauti.budgets.actions import refresh_flags

    refresh_flags(org, mombasa, ["2025/26"])
    cob = (
        __import__("pathlib").Path(__file__).resolve().parent.parent
        / "sauti/budgets/data/cob_cbirr_fy2024-25_mombasa.txt"
    )
    do_import(org, mombasa, cob.name, cob.read_bytes())

    client = Client()
    busiest = max(wards, key=lambda c: Project.objects.filter(organisation=org, ward__code=c).count())
    pages = {
        "scorecard (all wards)": "/budgets/bench-import/scorecard/",
        "scorecard (one ward)": f"/budgets/bench-import/scorecard/?ward={busiest}",
        "department view": "/budgets/bench-import/departments/1/",
    }
    print(f"{'page':<28}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for name, url in pages.items():
        assert client.get(url).status_code == 200
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(f"{name:<28}{len(times):>5}{_pct(times, 50):>10.1f}{_pct(times, 95):>10.1f}{max(times):>10.1f}")


if __name__ == "__main__":
    main()
