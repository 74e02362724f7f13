"""Database helpers for hot paths, where the ORM's per-save work shows in the figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Field, Model

# (model, alias, auto pk) -> (SQL, fields, returning); the statement depends only on these.
_STATEMENTS: dict[tuple[type[Model], str, bool], tuple[str, list[Field[Any, Any]], bool]] = {}


@dataclass
class PreparedInsert:
    obj: Model
    alias: str
    sql: str
    fields: list[Field[Any, Any]]
    params: list[Any]
    returning: bool
    auto_pk: bool

    def execute(self, **late: Any) -> None:
        """Run the INSERT; `late` sets fields known only now (e.g. the key of a row inserted just before),
        so the rest of the work stays outside the transaction."""
        connection = connections[self.alias]
        params = self.params
        if late:
            params = list(params)
            for i, field in enumerate(self.fields):
                if field.attname in late:
                    setattr(self.obj, field.attname, late[field.attname])
                    params[i] = field.get_db_prep_save(late[field.attname], connection=connection)
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            if self.auto_pk:
                self.obj.pk = cursor.fetchone()[0] if self.returning else cursor.lastrowid
        self.obj._state.adding = False
        self.obj._state.db = self.alias


def prepare_insert(obj: Model) -> PreparedInsert:
    """The INSERT `obj.save(force_insert=True)` would run (the same columns, each value prepared by its
    field, auto_now_add applied), with the SQL built once per model and database. No signals: only for
    models without save() overrides or receivers (the inbound webhook's message and task rows)."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    auto_pk = obj.pk is None
    key = (model, alias, auto_pk)
    if key not in _STATEMENTS:
        pk = model._meta.pk
        assert pk is not None
        fields = [f for f in model._meta.local_concrete_fields if not (auto_pk and f.primary_key)]
        qn = connection.ops.quote_name
        returning = auto_pk and connection.features.can_return_columns_from_insert
        # Only quoted model metadata goes into the statement; values are parameters.
        sql = "INSERT INTO {} ({}) VALUES ({}){}".format(  # noqa: S608
            qn(model._meta.db_table),
            ", ".join(qn(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            f" RETURNING {qn(pk.column)}" if returning else "",
        )
        _STATEMENTS[key] = (sql, fields, returning)
    sql, fields, returning = _STATEMENTS[key]
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
    return PreparedInsert(obj, alias, sql, fields, params, returning, auto_pk)
