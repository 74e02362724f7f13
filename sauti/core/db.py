"""Database helpers for hot paths, where the ORM's per-save work shows in the figures."""

from __future__ import annotations

from typing import Any

from django.db import connections, router
from django.db.models import Field, Model

# (model, alias) -> (SQL, fields, returning, fields whose None is prepared as None); the statement depends
# only on these.
_STATEMENTS: dict[tuple[type[Model], str], tuple[str, list[Field[Any, Any]], bool, list[bool]]] = {}


def insert_new(obj: Model) -> bool:
    """INSERT `obj` (with an auto primary key) as `obj.save(force_insert=True)` would — the same columns,
    each value prepared by its field, auto_now_add applied — unless it conflicts with a unique constraint:
    then nothing is written and the answer is False. One statement built once per model and database, so
    in autocommit it is one round trip and one commit. No signals: only for models without save()
    overrides or receivers (the inbound webhook's message)."""
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
        # Most of a new row's fields are still empty; preparing None through each field costs more than
        # the INSERT on the webhook path, so it is done once here.
        none_is_null = [f.get_db_prep_save(None, connection=connection) is None for f in fields]
        _STATEMENTS[(model, alias)] = (sql, fields, returning, none_is_null)
    sql, fields, returning, none_is_null = _STATEMENTS[(model, alias)]
    params = []
    for field, null in zip(fields, none_is_null, strict=True):
        value = field.pre_save(obj, True)
        params.append(
            None if value is None and null else field.get_db_prep_save(value, connection=connection)
        )
    with connection.cursor() as cursor:
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
