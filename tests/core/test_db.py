from __future__ import annotations

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
    datetime(2026, 11, 25, 6, 4, 45),
]


def outcome(prepare: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", prepare(value)
    except Exception as e:  # noqa: BLE001 — the same failure either way is what is compared
        return "error", type(e)


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
def test_the_shortcut_prepares_every_field_of_every_model_as_the_field_itself_does() -> None:
    fields = [f for model in apps.get_models() for f in model._meta.concrete_fields]
    assert len(fields) > 300
    for field in fields:
        fast = preparer(field, connection)
        for value in VALUES:
            expected = outcome(lambda v: field.get_db_prep_save(v, connection=connection), value)
            got = outcome(fast, value)
            assert got == expected, (field, value)
            assert type(got[1]) is type(expected[1]), (field, value)
