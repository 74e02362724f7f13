"""docs/sw-dialogues.txt (SMS and letter texts with proposed Kiswahili for the lead's catalog) stays in sync."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["actions.py", "sms.py", "letters.py"]


def pairs() -> list[tuple[str, str]]:
    lines = (ROOT / "docs" / "sw-dialogues.txt").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def test_every_listed_text_is_used_in_the_code_with_the_same_placeholders() -> None:
    code = "".join((ROOT / "sauti" / "dialogues" / name).read_text(encoding="utf-8") for name in SOURCES)
    flat = re.sub(r'"\s*\n\s*"', "", code)  # implicit concatenation across lines
    listed = pairs()
    assert len(listed) >= 20
    for msgid, sw in listed:
        assert msgid in flat, msgid
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgid)) == sorted(re.findall(r"%\(\w+\)[sd]", sw)), msgid
        assert sw != msgid


def test_every_sms_text_in_the_code_is_listed() -> None:
    code = (ROOT / "sauti" / "dialogues" / "sms.py").read_text(encoding="utf-8")
    used = re.findall(r'_\(\s*"([^"]+)"', code)
    listed = {msgid for msgid, _sw in pairs()}
    assert used and set(used) <= listed
