"""Fill msgstr entries of the Kiswahili catalog from a Python file of dicts (SW, PLURALS).

Usage: python scripts/apply_translations.py TRANSLATIONS.py  (only empty or fuzzy entries are filled)
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[1] / "sauti" / "locale" / "sw" / "LC_MESSAGES" / "django.po"


def main(source: str) -> int:
    data = runpy.run_path(source)
    singular: dict[str, str] = data.get("SW", {})
    plural: dict[str, tuple[str, str]] = data.get("PLURALS", {})
    po = polib.pofile(str(PO))
    po.metadata.update(
        {"Language": "sw", "Language-Team": "Kiswahili", "Plural-Forms": "nplurals=2; plural=(n != 1);"}
    )
    missing = []
    for entry in po:
        if entry.msgid_plural:
            if entry.msgid in plural:
                one, many = plural[entry.msgid]
                entry.msgstr_plural = {0: one, 1: many}
        elif entry.msgid in singular:
            entry.msgstr = singular[entry.msgid]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        if not (entry.msgstr or (entry.msgstr_plural and all(entry.msgstr_plural.values()))):
            missing.append(entry.msgid)
    po.header = "Kiswahili translation of Sauti."
    po.metadata_is_fuzzy = False
    po.save(str(PO))
    print(f"{len(missing)} untranslated")
    for m in missing:
        print("  ", repr(m))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
