"""Cost of the tamper-evident log per write: case updates per second with and without it, same run.

    .venv/bin/python bench/audit_bench.py [--writes 2000] [--one-transaction 20000]
        (SQLite; DATABASE_URL=postgres://... for PostgreSQL)

Each write is one `Case.save()` inside `transaction.atomic()`, as the actions make it (and, second figure,
bare in autocommit, where the entry is a second transaction). "without" runs the same loop with the audit
signal handlers disconnected. Then `verify()` walks the chain and compares rows. `--one-transaction N` also
times N case creations inside ONE transaction, each in its savepoint (an import's shape), per fifth, so
growth per write shows (new rows, so that only the log's own statements can grow with N).
"""

from __future__ import annotations

import argparse
import time

from benchsetup import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--one-transaction", type=int, default=0, metavar="N")
    args = parser.parse_args()
    setup_django(migrate=True)

    from django.db import transaction
    from django.db.models.signals import post_save

    from sauti.audit import audit
    from sauti.audit.models import AuditEntry
    from sauti.audit.verify import verify
    from sauti.monitoring.models import Case
    from sauti.people.models import Organisation

    org, _created = Organisation.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    case = Case.objects.create(organisation=org, title="bench")

    def loop(label: str, atomic: bool = True) -> float:
        start = time.perf_counter()
        for i in range(args.writes):
            case.title = f"{label} {i}"
            if atomic:
                with transaction.atomic():
                    case.save()
            else:
                case.save()
        return args.writes / (time.perf_counter() - start)

    uid = "sauti-audit-monitoring.case"
    post_save.disconnect(sender=Case, dispatch_uid=uid)
    without = loop("plain")
    without_bare = loop("plain", atomic=False)
    post_save.connect(audit._on_save, sender=Case, dispatch_uid=uid, weak=False)
    with_log = loop("audited")
    with_bare = loop("audited", atomic=False)
    audit.log_rows(Case, [case.pk], "update")  # the baseline's writes were not logged
    entries = AuditEntry.objects.count()
    start = time.perf_counter()
    result = verify()
    took = time.perf_counter() - start
    print(f"case writes/s without the log: {without:8.0f}")
    print(f"case writes/s with the log:    {with_log:8.0f}  ({100 * (1 - with_log / without):.0f}% slower, "
          f"{1000 * (1 / with_log - 1 / without):.2f} ms per write)")  # fmt: skip
    print(f"autocommit (no atomic): {without_bare:8.0f} -> {with_bare:8.0f} writes/s "
          f"({1000 * (1 / with_bare - 1 / without_bare):.2f} ms per write: the entry is a second commit)")  # fmt: skip
    print(
        f"verify: {entries} entries + rows in {took:.2f} s ({entries / took:.0f} entries/s), ok={result.ok}"
    )
    if args.one_transaction:
        fifth = max(1, args.one_transaction // 5)
        laps = []
        start = time.perf_counter()
        with transaction.atomic():
            lap = start
            for i in range(args.one_transaction):
                with transaction.atomic():  # a savepoint per row, as the actions nest inside an import
                    Case.objects.create(organisation=org, title=f"long {i}")
                if (i + 1) % fifth == 0:
                    now = time.perf_counter()
                    laps.append(now - lap)
                    lap = now
        took = time.perf_counter() - start
        per = ", ".join(f"{1000 * t / fifth:.2f}" for t in laps)
        print(
            f"{args.one_transaction} audited creations in one transaction: {took:.1f} s (ms per write by fifth: {per})"
        )
        print(f"verify after it: ok={verify().ok}")


if __name__ == "__main__":
    main()
