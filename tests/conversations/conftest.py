"""Kiswahili for this branch's strings, installed from docs/sw-convo.txt until the lead merges them into
sauti/locale (then drop `kiswahili` and the file). Kept here, in one place, on purpose."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SW_FILE = ROOT / "docs" / "sw-convo.txt"
SOURCES = ROOT / "sauti" / "conversations"
GETTEXT_NAMES = {"_", "gettext", "gettext_noop", "gettext_lazy", "pgettext"}


def proposed_kiswahili() -> dict[str, str]:
    pairs: dict[str, str] = {}
    for line in SW_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            msgid, sw = line.split("\t")
            pairs[msgid] = sw
    return pairs


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


@pytest.fixture(autouse=True)
def kiswahili(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    from django.utils.translation import trans_real

    pairs = proposed_kiswahili()
    top = trans_real.translation("sw")._catalog._catalogs[0]  # type: ignore[attr-defined]
    for msgid, sw in pairs.items():
        monkeypatch.setitem(top, msgid, sw)
    yield pairs
