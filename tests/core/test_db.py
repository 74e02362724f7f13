from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import pytest

from django.apps import apps
from django.db import connection

from sauti.core.db import preparer

# What new rows hold: empty, text, numbers, flags, aware and naive times, and a few that need the field's
# own conversion (a str for a number or a time, a bool for a number, an int for text).
VALUES: list[Any] = [
    None,
    "",
    "Maji yamekatwa",
    "42",
    "2026-11-25 06:04:45",
    0,
    7,
    True,
    False,
    datetime(2026, 11, 25, 6, 4, 45, 123456, tzinfo=UTC),
    datetime(2026, 11, 25, 6, 4, 45),  # noqa: DTZ001 — a naive time is one of the cases
]


def outcome(prepare: Any, value: Any) -> tuple[str, Any]:
    try:
        prepared = prepare(value)
    except Exception as e:  # the same failure either way is what is compared
        return "error", type(e)
    # psycopg's wrappers (Jsonb, Binary) have no equality of their own: compare what they wrap.
    if type(prepared).__module__.startswith("psycopg") and hasattr(prepared, "obj"):
        return type(prepared).__name__, (prepared.obj, getattr(prepared, "dumps", None))
    return "value", prepared


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_the_shortcut_prepares_every_field_of_every_model_as_the_field_itself_does() -> None:
    fields = [f for model in apps.get_models() for f in model._meta.concrete_fields]
    assert len(fields) > 300
    for field in fields:
        fast = preparer(field, connection)
        slow = functools.partial(field.get_db_prep_save, connection=connection)
        for value in VALUES:
            expected = outcome(slow, value)
            got = outcome(fast, value)
            assert got == expected, (field, value)
            assert type(got[1]) is type(expected[1]), (field, value)
