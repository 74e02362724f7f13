"""The hash-chained history and `sauti verify`: raw SQL edits, gaps and edited entries are named."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from sauti.audit import audit
from sauti.audit.models import AuditEntry, ChainHead
from sauti.monitoring.actions import do_transition
from sauti.monitoring.models import CaseEvent, Report
from tests.audit.helpers import run, submit, verify_json
from tests.conftest import World

Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def test_every_change_of_a_report_and_its_case_is_chained_and_names_the_actor(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with audit.acting_as(world.wanjiku), django_capture_on_commit_callbacks(execute=True):
        report = submit(world, "Water cut in Kwa Reuben for three days")
        assert report.case is not None
        do_transition(report.case, "triaged", world.wanjiku)
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    models = {(e.model, e.action) for e in entries}
    assert ("monitoring.report", "create") in models
    assert ("monitoring.case", "update") in models
    assert ("monitoring.caseevent", "create") in models
    assert {e.actor for e in entries} == {"wanjiku"}
    head = ChainHead.objects.get()
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
    # The categories set after creation are part of the report's latest entry.
    last = AuditEntry.objects.filter(model="monitoring.report", object_pk=str(report.pk)).last()
    assert last is not None and '"categories":[' in last.data and '"categories":[]' not in last.data
    code, result = verify_json()
    assert code == 0 and result["ok"] and result["entries"] == len(entries)


def test_a_raw_sql_update_of_a_report_is_named_by_verify(world: World) -> None:
    report = submit(world, "Evictions at night near the river")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE monitoring_report SET description = %s WHERE id = %s", ["nothing", report.pk])
    code, result = verify_json()
    assert code == 1 and not result["ok"]
    first = result["first_broken"]
    assert first["kind"] == "changed" and first["model"] == "monitoring.report"
    assert first["pk"] == str(report.pk)
    code, _out, err = run("verify")
    assert code == 1 and f"monitoring.report {report.pk} was changed outside the application" in err


def test_raw_sql_inserts_and_deletes_are_found(world: World) -> None:
    report = submit(world, "Clinic closed for two weeks")
    event = CaseEvent.objects.filter(case=report.case).first()
    assert event is not None
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitoring_caseevent WHERE id = %s", [event.pk])
        cursor.execute(
            "INSERT INTO monitoring_caseevent (case_id, kind, from_status, to_status, at, reason, data) "
            "VALUES (%s, 'note', '', '', %s, 'planted', '{}')",
            [report.case_id, event.at],
        )
    _code, result = verify_json()
    kinds = {(p["kind"], p["model"]) for p in result["problems"]}
    assert ("deleted", "monitoring.caseevent") in kinds and ("inserted", "monitoring.caseevent") in kinds


def test_a_deleted_entry_is_a_gap_and_an_edited_entry_breaks_the_chain(world: World) -> None:
    submit(world, "Water cut in Kwa Reuben")
    submit(world, "Police harassment at the market", category_keys=["security"], place_text="Mathare")
    third = AuditEntry.objects.get(seq=3)
    AuditEntry.objects.filter(seq=3).delete()
    code, result = verify_json()
    assert code == 1
    assert result["first_broken"]["kind"] == "gap" and result["first_broken"]["seq"] == 3
    third.pk = None
    third.save()  # put it back: the chain is whole again
    assert verify_json()[0] == 0
    AuditEntry.objects.filter(seq=4).update(actor="someone-else")
    code, result = verify_json()
    assert code == 1
    first = result["first_broken"]
    assert (first["kind"], first["seq"]) == ("edited", 4) and "entry #4" in first["message"]


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(world: World) -> None:
    submit(world, "Water cut in Kwa Reuben")
    entry = AuditEntry.objects.get(seq=2)
    entry.data = entry.data.replace("Water", "Nothing")
    entry.data_hash = audit.sha256_hex(entry.data)
    entry.hash = audit.entry_hash(
        entry.prev_hash, entry.seq, entry.at, entry.actor, entry.action, entry.model, entry.object_pk,
        entry.data_hash,
    )  # fmt: skip
    entry.save()
    _code, result = verify_json()
    assert result["first_broken"]["kind"] == "broken_link" and result["first_broken"]["seq"] == 3


def test_removing_the_last_entries_is_noticed_through_the_head_and_the_anchor(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, "Water cut in Kwa Reuben")
    code, out, _err = run("evidence", "anchor")
    assert code == 0 and "head #" in out
    head = ChainHead.objects.get()
    AuditEntry.objects.filter(seq=head.seq).delete()
    _code, result = verify_json()
    kinds = {p["kind"] for p in result["problems"]}
    assert {"truncated", "anchor"} <= kinds
    # The same with the head row rewritten too: only the anchor kept outside still tells.
    ChainHead.objects.update(seq=head.seq - 1, hash=AuditEntry.objects.get(seq=head.seq - 1).hash)
    from sauti.audit.models import Anchor

    Anchor.objects.all().delete()
    assert verify_json()[0] == 1  # the report row no longer matches a logged state
    code, _out, err = run("verify", "--anchor", f"{head.seq}:{head.hash}")
    assert code == 1 and f"anchor #{head.seq}" in err


def test_a_bad_anchor_argument_is_a_clear_error(world: World) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="SEQ:HASH"):
        run("verify", "--anchor", "12:nothex")


def test_backfill_logs_rows_from_before_the_log_and_is_idempotent(world: World) -> None:
    report = submit(world, "Water cut in Kwa Reuben")
    AuditEntry.objects.all().delete()
    ChainHead.objects.all().delete()
    assert verify_json()[0] == 1
    code, out, err = run("evidence", "backfill")
    assert code == 0 and '"monitoring.report": 1' in out and "rows logged" in err
    assert verify_json()[0] == 0
    code, out, _err = run("evidence", "backfill")
    assert '"monitoring.report": 0' in out
    assert AuditEntry.objects.filter(model="monitoring.report", object_pk=str(report.pk)).count() == 1


def test_bulk_paths_log_explicitly(world: World) -> None:
    report = submit(world, "Water cut in Kwa Reuben")
    Report.objects.filter(pk=report.pk).update(place_text="Somewhere else")
    assert verify_json()[0] == 1
    audit.log_rows(Report, [report.pk], "update")
    assert verify_json()[0] == 0


def test_deleting_a_referenced_user_logs_the_reports_it_touched(world: World) -> None:
    report = submit(world, "Water cut in Kwa Reuben", submitted_by=world.otieno)
    assert report.case is not None
    case = report.case
    do_transition(case, "triaged", world.otieno)
    world.otieno.delete()
    code, result = verify_json()
    assert code == 0, result["problems"]


def test_a_request_names_the_logged_in_user(world: World) -> None:
    report = submit(world, "Water cut in Kwa Reuben")
    client = world.client_for(world.wanjiku)
    response = client.post(f"/cases/{report.case_id}/notes/", {"text": "Called the water company"})
    assert response.status_code in (200, 302)
    last = AuditEntry.objects.order_by("-seq").first()
    assert last is not None and last.model == "monitoring.caseevent" and last.actor == "wanjiku"


def test_an_ushahidi_import_leaves_a_history_that_verifies(world: World) -> None:
    import io

    from sauti.monitoring.ushahidi import do_import_ushahidi

    data = (
        b"#,INCIDENT TITLE,INCIDENT DATE,LOCATION,DESCRIPTION,CATEGORY,LATITUDE,LONGITUDE,APPROVED,VERIFIED\n"
        b"1,Water cut,12/03/2024 10:00,Kwa Reuben,No water for days,Water,-1.3,36.85,YES,NO\n"
        b"2,Eviction abroad,12/03/2024 11:00,Kampala,Houses demolished,Evictions,0.31,32.58,YES,YES\n"
    )
    summary = do_import_ushahidi(world.umoja, io.BytesIO(data), by=None)
    assert summary.rows == 2
    assert Report.objects.filter(place_text="Kampala").exists()
    code, result = verify_json()
    assert code == 0, result["problems"]


def test_a_long_transaction_stops_updating_the_head_and_moves_it_once_after_the_commit(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    # Updating one head row per append made PostgreSQL walk every earlier version of it (quadratic).
    limit = audit.HEAD_IN_TRANSACTION
    with django_capture_on_commit_callbacks() as hooks, transaction.atomic():
        with CaptureQueriesContext(connection) as first:
            for i in range(limit):
                audit.note("test.thing", i, "create", {"i": i})
        with CaptureQueriesContext(connection) as rest:
            for i in range(limit, limit + 200):
                audit.note("test.thing", i, "create", {"i": i})
    assert ChainHead.objects.get().seq == limit
    assert len([q for q in first if "chainhead" in q["sql"].lower()]) in (
        limit,
        limit + 1,
    )  # + the first insert
    per_append = 3 if connection.vendor == "postgresql" else 2  # (advisory lock), last entry, insert
    assert len(rest) == 200 * per_append and not any("chainhead" in q["sql"].lower() for q in rest)
    [hook] = hooks
    assert isinstance(hook, audit.HeadHook) and hook.appends == limit + 200
    hook()
    head = ChainHead.objects.get()
    last = AuditEntry.objects.order_by("seq").last()
    assert last is not None and (head.seq, head.hash) == (last.seq, last.hash) and head.seq == limit + 200


def test_a_short_transaction_keeps_the_head_exact_without_a_second_commit(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks() as hooks:
        report = submit(world, "Water cut in Kwa Reuben")
    last = AuditEntry.objects.order_by("seq").last()
    head = ChainHead.objects.get()
    assert last is not None and (head.seq, head.hash) == (last.seq, last.hash)
    [hook] = [h for h in hooks if isinstance(h, audit.HeadHook)]
    with CaptureQueriesContext(connection) as queries:
        hook()
    assert len(queries) == 0 and report.pk


def test_a_rolled_back_savepoint_leaves_no_gap_and_no_broken_link(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as hooks, transaction.atomic():
        first = audit.note("test.thing", 1, "create", {"n": 1})
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.note("test.thing", 2, "create", {"n": 2})
            raise RuntimeError
        third = audit.note("test.thing", 3, "create", {"n": 3})
    assert (first.seq, third.seq, third.prev_hash) == (1, 2, first.hash)
    assert [e.object_pk for e in AuditEntry.objects.order_by("seq")] == ["1", "3"]
    assert len([h for h in hooks if isinstance(h, audit.HeadHook)]) == 1
    assert (ChainHead.objects.get().seq, verify_json()[0]) == (2, 0)


def test_the_head_hook_dropped_with_a_savepoint_is_registered_again(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as hooks, transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            audit.note("test.thing", 1, "create", {"n": 1})
            raise RuntimeError
        audit.note("test.thing", 2, "create", {"n": 2})
    assert len([h for h in hooks if isinstance(h, audit.HeadHook)]) == 1
    assert ChainHead.objects.get().seq == 1 and verify_json()[0] == 0


def test_a_head_behind_the_log_is_fine_but_one_pointing_at_another_entry_is_not(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submit(world, "Water cut in Kwa Reuben")
    end = ChainHead.objects.get().seq
    second = AuditEntry.objects.get(seq=2)
    # Between a commit and its hook the head is behind: not a problem.
    ChainHead.objects.update(seq=2, hash=second.hash)
    assert verify_json()[0] == 0
    # The head never moves back.
    audit.advance_head()
    assert ChainHead.objects.get().seq == end
    ChainHead.objects.update(seq=2, hash=second.hash)
    ChainHead.objects.update(seq=end - 1)  # an entry other than the one the head recorded
    code, result = verify_json()
    assert code == 1 and result["first_broken"]["kind"] == "truncated"
    assert result["first_broken"]["seq"] == end - 1
