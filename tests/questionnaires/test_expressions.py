"""The server-side evaluator of the XLSForm expressions simple forms use (the web form has no JavaScript)."""

from __future__ import annotations

import pytest

from sauti.questionnaires.expressions import Unsupported, evaluate, holds


@pytest.mark.parametrize(
    ("expr", "values", "dot", "expected"),
    [
        ("${notice} = 'written'", {"notice": "written"}, None, True),
        ("${notice} = 'written'", {"notice": "none"}, None, False),
        ("${notice} != 'written'", {}, None, True),
        (". >= 0 and . <= 365", {}, 400, False),
        (". >= 0 and . <= 365", {}, 7, True),
        ("selected(${actors}, 'police')", {"actors": ["police", "county"]}, None, True),
        ("not(selected(${actors}, 'police'))", {"actors": "county"}, None, True),
        ("count-selected(${actors}) >= 2 or ${n} > 3", {"actors": ["a"], "n": 4}, None, True),
        ("string-length(.) <= 3", {}, "abcd", False),
        (". <= today()", {}, "2000-01-01", True),
        (". <= today()", {}, "2999-01-01", False),
        ("${a} + ${b} * 2 = 7", {"a": 1, "b": 3}, None, True),
        ("${a} div 2 = 2 and ${a} mod 2 = 0", {"a": 4}, None, True),
        ("(${a} > 1)", {"a": 2}, None, True),
    ],
)
def test_evaluates_the_subset(expr: str, values: dict[str, object], dot: object, expected: bool) -> None:
    assert evaluate(expr, values, dot) is expected


@pytest.mark.parametrize(
    "expr", ["pulldata('x', 'y')", "${a} > ", "${a} div 0 = 1", "jr:choice-name(${a}, 'a')"]
)
def test_outside_the_subset_is_left_to_odk(expr: str) -> None:
    with pytest.raises(Unsupported):
        evaluate(expr, {"a": 1})
    assert holds(expr, {"a": 1}) is True
