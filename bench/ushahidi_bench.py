"""Ushahidi import speed: the Haiti 2010 export (v2 CSV) through `do_import_ushahidi`, beside a plain
bulk insert of the same rows as reports in the same run (the machine is shared; compare, don't trust
absolute figures).

    .venv/bin/python bench/ushahidi_bench.py [--rows 3593] [--csv PATH]

Prints rows/s and queries/row of the import, rows/s of the baseline, and whether the chain verifies.
Target (issue 16): >= 300 rows/s on SQLite.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path
from typing import Any

from benchsetup import ROOT, setup_django

HAITI = ROOT.parent / "shared" / "validation" / "incident_reports" / "ushahidi_haiti_2010.csv"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=0, help="first N rows only (0: all)")
    parser.add_argument("--csv", type=Path, default=HAITI)
    args = parser.parse_args()
    setup_django(migrate=True)

    from django.db import connection, transaction
    from django.utils import timezone

    from sauti.audit.verify import verify
    from sauti.monitoring.models import Report, ReportChannel
    from sauti.monitoring.ushahidi import do_import_ushahidi
    from sauti.people.models import Organisation, User

    raw = args.csv.read_bytes()
    if args.rows:
        lines = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
        out = io.StringIO()
        csv.writer(out).writerows(lines[: args.rows + 1])
        raw = out.getvalue().encode("utf-8")
    org = Organisation.objects.create(slug="bench", name="Bench")
    baseline_org = Organisation.objects.create(slug="baseline", name="Baseline")
    user = User.objects.create(username="bench-coordinator")

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        summary = do_import_ushahidi(org, io.BytesIO(raw), by=user)
        took = time.perf_counter() - started
    rows = summary.rows
    ok = verify().ok

    # Baseline: the same number of rows as bare reports, one bulk INSERT per 500, no audit, no cases.
    texts = [r.get("DESCRIPTION", "") or "x" for r in csv.DictReader(io.StringIO(raw.decode("utf-8")))]
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        rollback = transaction.savepoint()
        Report.objects.bulk_create(
            [
                Report(
                    organisation=baseline_org,
                    description=t[:5000],
                    received_at=now,
                    channel=ReportChannel.IMPORT,
                    external_id=f"baseline:{i}",
                )
                for i, t in enumerate(texts)
            ],
            batch_size=500,
        )
        base = time.perf_counter() - started
        transaction.savepoint_rollback(rollback)  # bare rows have no audit entries; keep the chain whole
    print(f"rows: {rows}  imported: {summary.imported}  rejected: {summary.rejected}")
    print(f"import:   {rows / took:8.0f} rows/s  {took:6.2f} s  {queries / max(rows, 1):6.2f} queries/row")
    print(f"baseline: {len(texts) / base:8.0f} rows/s  {base:6.2f} s  (bulk INSERT of bare reports)")
    print(f"import is {base / took * len(texts) / max(rows, 1) * 100:.1f}% of the baseline's speed")
    print(f"sauti verify: {'ok' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
