"""The Kiswahili of this app's strings, read from the real catalog (sauti/locale), so the tests that measure
SMS and USSD screens measure what phones will show."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "sauti" / "conversations"
GETTEXT_NAMES = {"_", "gettext", "gettext_noop", "gettext_lazy", "pgettext"}


def msgids_in_source() -> set[str]:
    """Every literal passed to a gettext function in the app's Python code."""
    found: set[str] = set()
    for path in SOURCES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


@pytest.fixture
def kiswahili() -> Iterator[dict[str, str]]:
    """msgid -> Kiswahili for every string of the app that the catalog translates."""
    from django.utils import translation

    with translation.override("sw"):
        pairs = {m: translation.gettext(m) for m in msgids_in_source()}
    yield {m: sw for m, sw in pairs.items() if sw != m}
