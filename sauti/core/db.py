"""Database helpers for hot paths, where the ORM's per-save work shows in the figures."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.db.models.fields import AutoFieldMixin

Prepare = Callable[[Any], Any]
# (model, alias) -> (SQL, fields, returning, how each field's value is prepared); the statement depends
# only on these.
_STATEMENTS: dict[tuple[type[Model], str], tuple[str, list[Field[Any, Any]], bool, list[Prepare]]] = {}


def _inherits(cls: type, base: type, *names: str) -> bool:
    return all(getattr(cls, name) is getattr(base, name) for name in names)


def preparer(field: Field[Any, Any], connection: BaseDatabaseWrapper) -> Prepare:
    """`field.get_db_prep_save(value, connection)` as a function of the value, with what it works out to
    for the values a new row mostly holds — None, a str, int or bool, an aware datetime — done directly when
    the field's class prepares them as Django's own fields do; anything else goes through the field.
    Preparing the inbound webhook's 17 columns the long way cost a fifth of its CPU (docs/decisions.md)."""
    slow = functools.partial(field.get_db_prep_save, connection=connection)
    chosen = _shortcut(field, connection, slow) or slow
    if slow(None) is None:  # most of a new row's fields are still empty

        def prepare(value: Any) -> Any:
            return None if value is None else chosen(value)

        return prepare
    return chosen


def _shortcut(field: Field[Any, Any], connection: BaseDatabaseWrapper, slow: Prepare) -> Prepare | None:
    cls: type = type(field)
    if isinstance(field, ForeignKey) and _inherits(cls, ForeignKey, "get_db_prep_save"):
        # A ForeignKey hands anything but None and "" to its target field.
        target = preparer(field.target_field, connection)
        return lambda value: target(value) if type(value) is int else slow(value)
    if not _inherits(cls, Field, "get_db_prep_save"):
        return None
    text_base = CharField if isinstance(field, CharField) else TextField
    if isinstance(field, CharField | TextField) and _inherits(
        cls, text_base, "get_db_prep_value", "get_prep_value", "to_python"
    ):
        return lambda value: value if type(value) is str else slow(value)
    if isinstance(field, BooleanField) and _inherits(
        cls, BooleanField, "get_db_prep_value", "get_prep_value", "to_python"
    ):
        return lambda value: value if type(value) is bool else slow(value)
    if isinstance(field, DateTimeField) and _inherits(
        cls, DateTimeField, "get_db_prep_value", "get_prep_value", "to_python"
    ):
        adapt_datetime = connection.ops.adapt_datetimefield_value

        # An aware datetime is its own prepared value; only the backend adapts it.
        def datetime_value(value: Any) -> Any:
            if type(value) is datetime and value.utcoffset() is not None:
                return adapt_datetime(value)
            return slow(value)

        return datetime_value
    if (
        issubclass(cls, AutoFieldMixin)
        and _inherits(cls, AutoFieldMixin, "get_db_prep_value")
        and _inherits(cls, IntegerField, "get_prep_value")
    ):
        validate = connection.ops.validate_autopk_value
        return lambda value: validate(value) if type(value) is int else slow(value)
    if isinstance(field, IntegerField) and _inherits(
        cls, IntegerField, "get_db_prep_value", "get_prep_value"
    ):
        adapt_integer, internal_type = connection.ops.adapt_integerfield_value, field.get_internal_type()
        return lambda value: adapt_integer(value, internal_type) if type(value) is int else slow(value)
    return None


def insert_new(obj: Model) -> bool:
    """INSERT `obj` (with an auto primary key) as `obj.save(force_insert=True)` would — the same columns,
    each value prepared as its field prepares it (`preparer`), auto_now_add applied — unless it conflicts
    with a unique constraint: then nothing is written and the answer is False. One statement built once
    per model and database, so in autocommit it is one round trip and one commit. No signals: only for
    models without save() overrides or receivers (the inbound webhook's message). On PostgreSQL the
    statement is prepared once per connection (`_cursor`)."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    if (model, alias) not in _STATEMENTS:
        pk = model._meta.pk
        assert pk is not None
        fields = [f for f in model._meta.local_concrete_fields if not f.primary_key]
        qn = connection.ops.quote_name
        returning = connection.features.can_return_columns_from_insert
        # Only quoted model metadata goes into the statement; values are parameters.
        sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT DO NOTHING{}".format(  # noqa: S608
            qn(model._meta.db_table),
            ", ".join(qn(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            f" RETURNING {qn(pk.column)}" if returning else "",
        )
        _STATEMENTS[(model, alias)] = (sql, fields, returning, [preparer(f, connection) for f in fields])
    sql, fields, returning, prepares = _STATEMENTS[(model, alias)]
    params = [prepare(field.pre_save(obj, True)) for field, prepare in zip(fields, prepares, strict=True)]
    with _cursor(connection) as cursor:
        cursor.execute(sql, params)
        if returning:
            row = cursor.fetchone()
            if row is None:
                return False
            obj.pk = row[0]
        else:
            if cursor.rowcount != 1:
                return False
            obj.pk = cursor.lastrowid
    obj._state.adding = False
    obj._state.db = alias
    return True


def _cursor(connection: BaseDatabaseWrapper) -> Any:
    """`connection.cursor()`, except on PostgreSQL (psycopg 3): a cursor that binds parameters on the server
    and prepares its statements, wrapped as Django wraps its own (errors translated, execute wrappers run),
    and kept for the connection's life (a new cursor looked up every value's adapter again).
    Django's default cursor quotes every value into the SQL text and the server parses and plans it each
    time: the webhook's 17-value INSERT cost ~13% more client CPU and ~20% more server CPU that way, and
    a new cursor per call another ~16% (docs/decisions.md). Only this module's statements use it: the ORM
    keeps client-side binding. Behind a connection pooler that cannot keep prepared statements per server
    connection, set POSTGRES_PREPARED_STATEMENTS=false (settings): the statement is then bound on the server
    but not prepared."""
    cursor_class = _prepared_cursor_class() if connection.vendor == "postgresql" else None
    # Logging queries (DEBUG, tests) needs the SQL text, which psycopg does not keep for a prepared one.
    if cursor_class is None or connection.queries_logged:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    kept = connection.__dict__.get("_sauti_prepared_cursor")
    if kept is None or kept[0] is not connection.connection:
        with connection.wrap_database_errors:
            cursor = cursor_class(connection.connection)
        kept = connection.__dict__["_sauti_prepared_cursor"] = (
            connection.connection,
            connection.make_cursor(cursor),
        )
    return contextlib.nullcontext(kept[1])


@functools.cache
def _prepared_cursor_class() -> type | None:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3  # type: ignore[import-untyped]

    if not is_psycopg3:
        return None
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    class PreparedCursor(ServerBindingCursor):  # type: ignore[misc]
        def execute(
            self, query: Any, params: Any = None, *, prepare: bool | None = True, **kwargs: Any
        ) -> Any:
            return super().execute(query, params, prepare=prepare, **kwargs)

    return PreparedCursor
