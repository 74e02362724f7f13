"""Concurrent writers on PostgreSQL append to one unbroken chain (appenders take one advisory lock)."""

from __future__ import annotations

import itertools
import os
import threading

import pytest

from django.db import connection, connections, transaction

from sauti.audit import audit
from sauti.audit.actions import do_anchor
from sauti.audit.models import Anchor, AuditEntry, ChainHead
from sauti.audit.verify import verify
from sauti.people.models import Organisation

WRITERS = 6
PER_WRITER = 15
PER_TRANSACTION = 3
# Decided at collection: a transactional test flushes the database (the gazetteer too) when it ends;
# pytest-django runs such tests after all others.
pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite serialises writers itself; the advisory lock matters on PostgreSQL",
)


class Undo(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_on_postgresql_keep_one_chain() -> None:
    assert connection.vendor == "postgresql"
    errors: list[BaseException] = []
    barrier = threading.Barrier(WRITERS + 2)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(PER_WRITER):
                # Several appends per transaction, every third transaction rolled back, one in autocommit.
                if i == 0:
                    audit.note("test.thing", f"{n}-{i}-0", "create", {"writer": n, "i": i})
                    continue
                try:
                    with transaction.atomic():
                        for j in range(PER_TRANSACTION):
                            audit.note("test.thing", f"{n}-{i}-{j}", "create", {"writer": n, "i": i})
                        if i % 3 == 0:
                            raise Undo
                except Undo:
                    pass
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    long = audit.HEAD_IN_TRANSACTION + 10

    def importer() -> None:  # long transactions: the head is moved after their commit
        try:
            barrier.wait()
            for k in range(2):
                with transaction.atomic():
                    for j in range(long):
                        audit.note("test.thing", f"import-{k}-{j}", "create", {"j": j})
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def anchorer() -> None:
        try:
            barrier.wait()
            for _ in range(10):
                do_anchor("concurrent")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    audit.note("test.thing", "start", "create", {})  # autocommit: the entry is its own transaction
    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    threads += [threading.Thread(target=importer), threading.Thread(target=anchorer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    committed = [i for i in range(1, PER_WRITER) if i % 3]
    total = 1 + WRITERS * (1 + len(committed) * PER_TRANSACTION) + 2 * long
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, total + 1))
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    # A transaction's entries are consecutive: nobody appended in between.
    for n, i in itertools.product(range(WRITERS), committed):
        seqs = [e.seq for e in entries if e.object_pk.startswith(f"{n}-{i}-")]
        assert len(seqs) == PER_TRANSACTION and seqs == list(range(seqs[0], seqs[0] + PER_TRANSACTION))
    undone = {str(i) for i in range(3, PER_WRITER, 3)}
    assert not [e for e in entries if e.object_pk[0].isdigit() and e.object_pk.split("-")[1] in undone]
    for k in range(2):
        seqs = [e.seq for e in entries if e.object_pk.startswith(f"import-{k}-")]
        assert seqs == list(range(seqs[0], seqs[0] + long))
    # Each anchor names an entry that was committed with exactly that hash.
    by_seq = {e.seq: e.hash for e in entries}
    anchors = list(Anchor.objects.values_list("seq", "hash"))
    assert len(anchors) == 10 and all(by_seq[seq] == digest for seq, digest in anchors)
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (total, entries[-1].hash)
    result = verify()
    assert result.ok, result.problems
    assert Organisation.objects.count() == 0
