"""The audit log: every create/update/delete of a registered model becomes one hash-chained entry.

    audit.register(Report, m2m=("categories",))          # once, in an AppConfig.ready()
    with audit.acting_as(user): ...                      # who the entries name (the middleware does it)
    audit.log_rows(Report, pks, Action.UPDATE)           # after a queryset.update() or bulk_create()
    audit.note("people.contact", pk, Action.UPDATE, {...})  # a fact about an unregistered row

Snapshots are always read back from the database (one primary-key query), so what is logged is exactly
what `sauti verify` later reads and compares. Appenders serialise on a transaction-level advisory lock on
PostgreSQL (SQLite's BEGIN IMMEDIATE serialises writers anyway), held until the writer's transaction ends,
and link to the last entry (read through the unique index on seq). The `ChainHead` row, which lets verify
notice a cut tail, is updated in place by the first HEAD_IN_TRANSACTION appends of a transaction and
after that only once, after the commit: PostgreSQL walks one version of the row per earlier update in the
same transaction, so updating it on every append of an import was quadratic.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from sauti.audit.models import Action, AuditEntry, ChainHead

GENESIS = "0" * 64
_UNSAFE_ON_DELETE = ("SET_NULL", "SET_DEFAULT", "SET")


@dataclass(frozen=True)
class Spec:
    model: type[models.Model]
    label: str
    fields: tuple[str, ...]  # attnames (foreign keys as their id column)
    m2m: tuple[str, ...]


_registry: dict[type[models.Model], Spec] = {}
_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("sauti_audit_actor", default=None)


def registered() -> list[Spec]:
    return list(_registry.values())


def spec_for_label(label: str) -> Spec | None:
    return next((s for s in _registry.values() if s.label == label), None)


def register(
    model: type[models.Model],
    *,
    fields: Sequence[str] | None = None,
    m2m: Sequence[str] = (),
    label: str | None = None,
) -> Spec:
    """Audit every save and delete of `model` (all concrete fields unless `fields` names some)."""
    if model in _registry:
        return _registry[model]
    concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
    chosen = [f for f in concrete if fields is None or f.name in fields or f.attname in fields]
    spec = Spec(model, label or model._meta.label_lower, tuple(f.attname for f in chosen), tuple(m2m))
    _registry[model] = spec
    uid = f"sauti-audit-{spec.label}"
    post_save.connect(_on_save, sender=model, dispatch_uid=uid, weak=False)
    pre_delete.connect(_on_pre_delete, sender=model, dispatch_uid=uid, weak=False)
    post_delete.connect(_on_delete, sender=model, dispatch_uid=uid, weak=False)
    for name in spec.m2m:
        through = getattr(model, name).through
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"{uid}-{name}", weak=False)
    # Deleting a referenced row (a user, a contact) rewrites our foreign keys by UPDATE, without signals.
    for f in chosen:
        if f.is_relation and f.remote_field is not None:
            on_delete = getattr(f.remote_field.on_delete, "__name__", "")
            if on_delete in _UNSAFE_ON_DELETE or on_delete.startswith("set_on_delete"):
                _watch_referenced(spec, f)
    return spec


def _watch_referenced(spec: Spec, field: Any) -> None:
    target = field.related_model
    key = f"_sauti_audit_refs_{spec.label}_{field.name}"

    def before(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        pks = list(spec.model._base_manager.filter(**{field.name: instance.pk}).values_list("pk", flat=True))
        setattr(instance, key, pks)

    def after(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        pks = getattr(instance, key, [])
        if pks:
            log_rows(spec.model, pks, Action.UPDATE)

    uid = f"sauti-audit-ref-{spec.label}-{field.name}"
    pre_delete.connect(before, sender=target, dispatch_uid=uid, weak=False)
    post_delete.connect(after, sender=target, dispatch_uid=uid, weak=False)


# --- canonical form -----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_plain)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def format_at(at: dt.datetime) -> str:
    return str(_plain(at))


def entry_hash(
    prev_hash: str, seq: int, at: dt.datetime, actor: str, action: str, model: str, pk: str, data_hash: str
) -> str:
    body = canonical(
        {"seq": seq, "at": format_at(at), "actor": actor, "action": action, "model": model, "pk": pk,
         "data": data_hash}
    )  # fmt: skip
    return hashlib.sha256(prev_hash.encode() + body.encode()).hexdigest()


def snapshots(spec: Spec, pks: Iterable[Any] | None = None, chunk: int = 2000) -> Iterator[tuple[str, str]]:
    """(pk, canonical JSON of the audited fields) read from the database, in pk order."""
    if pks is not None:
        wanted = list(pks)
        if len(wanted) == 1:
            yield from _snapshot_batch(spec, _one_row(spec, wanted[0]))
            return
        rows = list(spec.model._base_manager.filter(pk__in=wanted).values_list("pk", *spec.fields))
        yield from _snapshot_batch(spec, sorted(rows, key=lambda r: r[0]))
        return
    qs = spec.model._base_manager.order_by("pk")
    batch: list[tuple[Any, ...]] = []
    for row in qs.values_list("pk", *spec.fields).iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) >= chunk:
            yield from _snapshot_batch(spec, batch)
            batch = []
    if batch:
        yield from _snapshot_batch(spec, batch)


_compiled: dict[tuple[str, str], tuple[str, Any]] = {}


def _one_row(spec: Spec, pk: Any) -> list[tuple[Any, ...]]:
    """The hot path (one row per save): the query compiled once per model, run with the row's pk, and
    the database values converted exactly as the ORM converts them for `verify`."""
    connection = transaction.get_connection()
    key = (spec.label, connection.alias)
    if key not in _compiled:
        query = spec.model._base_manager.filter(pk=0).values_list("pk", *spec.fields).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [0]:  # not the single placeholder expected: fall back to the ORM every time
            return list(spec.model._base_manager.filter(pk=pk).values_list("pk", *spec.fields))
        _compiled[key] = (sql, compiler)
    sql, compiler = _compiled[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        rows = cursor.fetchall()
    return [tuple(row) for row in compiler.results_iter(results=[rows])]


def _snapshot_batch(spec: Spec, rows: list[tuple[Any, ...]]) -> Iterator[tuple[str, str]]:
    related: dict[str, dict[Any, list[Any]]] = {}
    for name in spec.m2m:
        field = spec.model._meta.get_field(name)
        through = field.remote_field.through  # type: ignore[union-attr]
        src = field.m2m_field_name()  # type: ignore[union-attr]
        dst = field.m2m_reverse_field_name()  # type: ignore[union-attr]
        by_row: dict[Any, list[Any]] = {}
        pairs = through._base_manager.filter(**{f"{src}__in": [r[0] for r in rows]}).values_list(
            f"{src}_id", f"{dst}_id"
        )
        for left, right in pairs:
            by_row.setdefault(left, []).append(right)
        related[name] = by_row
    for row in rows:
        data: dict[str, Any] = dict(zip(spec.fields, row[1:], strict=True))
        for name in spec.m2m:
            data[name] = sorted(related[name].get(row[0], []))
        yield str(row[0]), canonical(data)


# --- who is acting ------------------------------------------------------------------------------


@contextlib.contextmanager
def acting_as(actor: Any) -> Iterator[None]:
    """Name `actor` (a user, or a short text such as "command:rotate-keys") in the entries written inside."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(actor: Any) -> contextvars.Token[Any]:
    return _actor.set(actor)


def reset_actor(token: contextvars.Token[Any]) -> None:
    _actor.reset(token)


def _current_actor() -> tuple[str, int | None]:
    actor = _actor.get()
    if actor is None:
        return "", None
    if isinstance(actor, str):
        return actor[:150], None
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_username())[:150], int(actor.pk)
    return "", None


# --- appending ----------------------------------------------------------------------------------


# Any fixed 64-bit number: the one advisory lock all appenders of this database take.
CHAIN_LOCK_KEY = 0x5A071_A0D17


def lock_chain() -> tuple[int, str]:
    """Inside a transaction: wait until no other transaction can append before this one ends, then return
    the last entry's (seq, hash)."""
    connection = transaction.get_connection()
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        # A separate statement, so that (READ COMMITTED) it sees what the previous holder committed.
        cursor.execute(f"SELECT seq, hash FROM {table} ORDER BY seq DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def last_entry() -> tuple[int, str]:
    """The last committed entry's (seq, hash), without waiting for appenders."""
    row = AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()
    return (row[0], row[1]) if row else (0, GENESIS)


def advance_head() -> None:
    """Move the head row forward to the last committed entry, never back (hooks of concurrent commits run
    in any order). If the row is held, skip rather than wait: by an appender (an import can hold it for
    minutes), whose commit leaves the head past ours, or by another hook. The head may lag, never lead."""
    seq, digest = last_entry()
    if not seq:
        return
    with transaction.atomic():
        if not list(ChainHead.objects.select_for_update(skip_locked=True).filter(pk=1).values_list("pk")):
            if not ChainHead.objects.filter(pk=1).exists():
                ChainHead.objects.bulk_create([ChainHead(pk=1, seq=seq, hash=digest)], ignore_conflicts=True)
            return
        ChainHead.objects.filter(pk=1, seq__lt=seq).update(seq=seq, hash=digest)


# Short transactions (a request) keep the head exact inside them; long ones (an import) stop updating it
# after this many appends and move it once after the commit.
HEAD_IN_TRANSACTION = 32


class HeadHook:
    """A transaction's appends so far, and after its commit the head's last move if they were many."""

    __slots__ = ("appends",)

    def __init__(self) -> None:
        self.appends = 0

    def __call__(self) -> None:
        if self.appends > HEAD_IN_TRANSACTION:
            advance_head()


def _head_hook(connection: Any) -> HeadHook:
    # One hook per transaction. A hook registered inside a savepoint that rolls back is dropped with it
    # (and so are the head updates made there), so the next append starts a new one.
    for _sids, func, _robust in connection.run_on_commit:
        if isinstance(func, HeadHook):
            return func
    hook = HeadHook()
    connection.on_commit(hook, robust=True)
    return hook


def _write_head(cursor: Any, table: str, seq: int, digest: str) -> None:
    cursor.execute(f"UPDATE {table} SET seq = %s, hash = %s WHERE id = 1", [seq, digest])  # noqa: S608
    if not cursor.rowcount:
        ChainHead.objects.bulk_create([ChainHead(pk=1, seq=seq, hash=digest)], ignore_conflicts=True)


_COLUMNS = (
    "seq",
    "at",
    "actor",
    "actor_id",
    "action",
    "model",
    "object_pk",
    "data",
    "data_hash",
    "prev_hash",
    "hash",
)


def append(items: Sequence[tuple[str, str, str, str]]) -> list[AuditEntry]:
    """Append (action, model label, pk, canonical data) items to the chain, in order.

    Plain SQL for the statements of the hot path (lock, read the last entry, insert, head): building
    them through the ORM cost more than running them.
    """
    if not items:
        return []
    actor, actor_id = _current_actor()
    connection = transaction.get_connection()
    ops = connection.ops
    entry_table = ops.quote_name(AuditEntry._meta.db_table)
    with transaction.atomic(savepoint=False):
        seq, prev = lock_chain()
        at = timezone.now()
        db_at = ops.adapt_datetimefield_value(at)
        entries = []
        for action, label, pk, data in items:
            seq += 1
            data_hash = sha256_hex(data)
            digest = entry_hash(prev, seq, at, actor, action, label, pk, data_hash)
            entries.append(
                AuditEntry(
                    seq=seq, at=at, actor=actor, actor_id=actor_id, action=action, model=label,
                    object_pk=pk, data=data, data_hash=data_hash, prev_hash=prev, hash=digest,
                )
            )  # fmt: skip
            prev = digest
        columns = ", ".join(ops.quote_name(c) for c in _COLUMNS)
        marks = ", ".join(["%s"] * len(_COLUMNS))
        hook = _head_hook(connection)
        hook.appends += 1
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {entry_table} ({columns}) VALUES ({marks})",  # noqa: S608
                [
                    (e.seq, db_at, e.actor, e.actor_id, e.action, e.model, e.object_pk, e.data, e.data_hash,
                     e.prev_hash, e.hash)
                    for e in entries
                ],
            )  # fmt: skip
            if hook.appends <= HEAD_IN_TRANSACTION:
                _write_head(cursor, ops.quote_name(ChainHead._meta.db_table), seq, prev)
    return entries


def log_rows(model: type[models.Model], pks: Iterable[Any], action: str) -> list[AuditEntry]:
    """Log rows as they are now in the database (bulk paths: after `update()` or `bulk_create()`)."""
    spec = _registry[model]
    return append([(action, spec.label, pk, data) for pk, data in snapshots(spec, pks)])


def note(label: str, pk: Any, action: str, data: dict[str, Any]) -> AuditEntry:
    """Log a fact about a row that is not registered (an erased identity, a sent petition …)."""
    return append([(action, label, str(pk), canonical(data))])[0]


def redaction_declarations(action: str, model: str, data: str) -> dict[int, str]:
    """The entries an erase entry declares redacted ({seq: SHA-256 of the redacted snapshot}); see
    people.erasure. `sauti verify` accepts a snapshot that differs from its hash only if so declared."""
    if action != Action.ERASE or model != "people.contact" or '"redacted"' not in data:
        return {}
    try:
        declared = json.loads(data).get("redacted") or {}
        return {int(seq): str(digest) for seq, digest in declared.items()}
    except (ValueError, AttributeError, TypeError):
        return {}


def history(label: str, pks: Iterable[Any]) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(model=label, object_pk__in=[str(p) for p in pks]).order_by("seq"))


# --- signal handlers ----------------------------------------------------------------------------


def _on_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    log_rows(sender, [instance.pk], Action.CREATE if created else Action.UPDATE)


def _on_pre_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    found = list(snapshots(_registry[sender], [instance.pk]))
    instance._sauti_audit_snapshot = found[0][1] if found else canonical({})  # type: ignore[attr-defined]


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    data = getattr(instance, "_sauti_audit_snapshot", canonical({}))
    append([(Action.DELETE, _registry[sender].label, str(instance.pk), data)])


def _on_m2m(sender: Any, instance: models.Model, action: str, reverse: bool, **kwargs: Any) -> None:
    model = kwargs["model"]
    if not reverse:
        if action in ("post_add", "post_remove", "post_clear") and type(instance) in _registry:
            log_rows(type(instance), [instance.pk], Action.UPDATE)
        return
    # Reverse side (category.reports.add(...)): the audited rows are in pk_set.
    if action == "pre_clear":
        accessor = _reverse_accessor(sender, model)
        instance._sauti_audit_m2m = list(accessor(instance).values_list("pk", flat=True))  # type: ignore[attr-defined]
    elif action in ("post_add", "post_remove"):
        log_rows(model, kwargs["pk_set"] or [], Action.UPDATE)
    elif action == "post_clear":
        log_rows(model, getattr(instance, "_sauti_audit_m2m", []), Action.UPDATE)


def _reverse_accessor(through: Any, model: type[models.Model]) -> Callable[[models.Model], Any]:
    spec = _registry[model]
    for name in spec.m2m:
        field = model._meta.get_field(name)
        if field.remote_field.through is through:  # type: ignore[union-attr]
            related_name = str(field.remote_field.get_accessor_name())  # type: ignore[union-attr]
            return lambda obj: getattr(obj, related_name)
    raise LookupError(through)
