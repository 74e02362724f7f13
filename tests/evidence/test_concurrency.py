"""Concurrent writers on PostgreSQL append to one unbroken chain (the head row is locked)."""

from __future__ import annotations

import os
import threading

import pytest

from django.db import connection, connections

from sauti.evidence import audit
from sauti.evidence.models import AuditEntry
from sauti.evidence.verify import verify
from sauti.people.models import Organisation

WRITERS = 6
PER_WRITER = 15
# Decided at collection: a transactional test flushes the database (the gazetteer too) when it ends;
# pytest-django runs such tests after all others.
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite serialises writers itself; the row lock matters on PostgreSQL",
)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_keep_one_chain() -> None:
    assert connection.vendor == "postgresql"
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_WRITER):
                audit.note("test.thing", f"{n}-{i}", "create", {"writer": n, "i": i})
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * PER_WRITER + 1))
    result = verify()
    assert result.ok, result.problems
    assert Organisation.objects.count() == 0
