#!/usr/bin/env python
"""Check (or with --update, refresh) Sauti's translation catalogs in sauti/locale.

For every language in settings.LANGUAGES other than LANGUAGE_CODE (now: sw), it fails when
1. django.po is stale: `sauti makemessages -l sw --no-obsolete` would change it (the POT-Creation-Date
   header line aside). It runs makemessages on a temporary copy, so the working tree is never touched;
2. an entry is untranslated (empty msgstr) or fuzzy, the header included;
3. django.mo is missing or differs from what compiling django.po now gives (msgfmt --check-format,
   as `sauti compilemessages` runs it).
The djangojs domain is checked the same way once a djangojs.po exists or JavaScript under sauti/
calls gettext().

    python scripts/check_catalogs.py            # check (./dev check runs this)
    python scripts/check_catalogs.py --update   # makemessages + compile the .mo files (./dev messages)

Needs GNU gettext (xgettext, msgmerge, msgattrib, msgfmt).
"""

from __future__ import annotations

import argparse
import difflib
import gettext
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sauti"
UPDATE_HINT = (
    "run ./dev messages, translate what is new or fuzzy, run ./dev messages again, "
    "and commit the .po and .mo files"
)

# Directories makemessages must not scan for strings (besides dot-directories such as .venv, which
# it skips by itself). The catalogs hold the app's strings only.
IGNORE_PATTERNS = [
    "var",
    "artifacts",
    "build",
    "dist",
    "node_modules",
    "venv",
    "*.egg-info",
    "tests",
    "bench",
    "docs",
    "scripts",
]
JS_GETTEXT = re.compile(r"\b(?:n?gettext|pgettext|npgettext|gettext_noop|interpolate)\s*\(")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
    # Settings generate development secrets into SAUTI_VAR_DIR: keep them out of the working tree.
    os.environ.setdefault("SAUTI_VAR_DIR", tempfile.mkdtemp(prefix="sauti-catalogs-var-"))
    import django

    django.setup()


def locale_dir() -> Path:
    from django.conf import settings

    paths = [Path(p) for p in settings.LOCALE_PATHS]
    if not paths:
        raise SystemExit("error: settings.LOCALE_PATHS is empty, so there is nowhere to keep catalogs")
    return paths[0]


def languages() -> list[str]:
    from django.conf import settings

    default = settings.LANGUAGE_CODE.split("-")[0]
    return [code for code, _name in settings.LANGUAGES if code.split("-")[0] != default]


def domains(locale: Path, langs: list[str]) -> list[str]:
    result = ["django"]
    has_js_po = any((locale / lang / "LC_MESSAGES" / "djangojs.po").exists() for lang in langs)
    has_js_strings = any(
        JS_GETTEXT.search(path.read_text(encoding="utf-8", errors="replace"))
        for path in PACKAGE.rglob("*.js")
        if not any(part in {"node_modules", "vendor"} for part in path.parts)
    )
    if has_js_po or has_js_strings:
        result.append("djangojs")
    return result


def makemessages(langs: list[str], domain: str, locale_path: Path) -> None:
    """`sauti makemessages -l LANG --no-obsolete` from the repository root, writing into locale_path."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    # makemessages also writes into every directory named "locale" that it walks past: skip the real
    # catalogs, so that only locale_path is written (it holds no source files anyway).
    ignore = IGNORE_PATTERNS + [os.path.relpath(path, ROOT) for path in locale_dirs_in_tree()]
    with override_settings(LOCALE_PATHS=[str(locale_path)]):
        call_command(
            "makemessages",
            locale=langs,
            domain=domain,
            no_obsolete=True,
            # File names without line numbers: a line moved elsewhere in a file leaves the catalog as it is.
            add_location="file",
            ignore_patterns=ignore,
            verbosity=0,
        )


def locale_dirs_in_tree() -> list[Path]:
    from django.conf import settings

    found = [Path(p).resolve() for p in settings.LOCALE_PATHS]
    found += [p.resolve() for p in PACKAGE.rglob("locale") if p.is_dir()]
    return sorted({p for p in found if p.is_relative_to(ROOT)})


def snapshot(locale: Path) -> dict[Path, bytes]:
    if not locale.is_dir():
        return {}
    return {p: p.read_bytes() for p in sorted(locale.rglob("*")) if p.is_file()}


def msgfmt(po: Path, mo: Path) -> subprocess.CompletedProcess[str]:
    """Compile po into mo as `sauti compilemessages` does."""
    program = shutil.which("msgfmt") or "msgfmt"
    command = [program, "--check-format", "-o", str(mo), str(po)]
    return subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603


# --- reading .po files -------------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    def label(self) -> str:
        text = self.msgid if len(self.msgid) <= 70 else self.msgid[:67] + "..."
        context = f" (context {self.msgctxt!r})" if self.msgctxt is not None else ""
        return f"line {self.line}: {text!r}{context}"


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def finish() -> None:
        nonlocal current, target
        if current is not None and (current.msgid or current.msgstr or current.msgctxt is not None):
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # obsolete entry
            continue
        if current is None:
            current = Entry(line=number)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            current.msgctxt, target = _unquote(line[8:]), ("msgctxt", 0)
        elif line.startswith("msgid_plural "):
            current.msgid_plural, target = _unquote(line[13:]), ("msgid_plural", 0)
        elif line.startswith("msgid "):
            if current.msgstr:  # a new entry without a blank line before it
                finish()
                current = Entry(line=number)
            current.line = number
            current.msgid, target = _unquote(line[6:]), ("msgid", 0)
        elif line.startswith("msgstr["):
            index = int(line[7 : line.index("]")])
            current.msgstr[index] = _unquote(line[line.index("]") + 1 :])
            target = ("msgstr", index)
        elif line.startswith("msgstr "):
            current.msgstr[0], target = _unquote(line[7:]), ("msgstr", 0)
        elif line.startswith('"') and target is not None:
            kind, index = target
            more = _unquote(line)
            if kind == "msgstr":
                current.msgstr[index] += more
            elif kind == "msgid":
                current.msgid += more
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + more
            else:
                current.msgctxt = (current.msgctxt or "") + more
    finish()
    return entries


def mo_catalog(path: Path) -> tuple[dict[Any, Any], str | None]:
    with path.open("rb") as fp:
        translations = gettext.GNUTranslations(fp)
    catalog: dict[Any, Any] = translations._catalog  # type: ignore[attr-defined]
    return dict(catalog), translations.info().get("plural-forms")


# --- the checks ----------------------------------------------------------------------------------------


def without_creation_date(text: str) -> list[str]:
    return [line for line in text.splitlines(keepends=True) if not line.startswith('"POT-Creation-Date:')]


def check(locale: Path, langs: list[str]) -> list[str]:
    problems: list[str] = []
    rel_locale = locale.relative_to(ROOT) if locale.is_relative_to(ROOT) else locale
    if not locale.is_dir():
        return [
            f"{rel_locale}/ does not exist yet, so there are no translation catalogs for {', '.join(langs)}: "
            "run ./dev messages to create them (sauti makemessages -l sw --no-obsolete), translate "
            f"{rel_locale}/sw/LC_MESSAGES/django.po, run ./dev messages again to compile it, "
            "and commit both files"
        ]
    doms = domains(locale, langs)
    with tempfile.TemporaryDirectory(prefix="sauti-catalogs-") as tmp:
        scratch = Path(tmp) / "locale"
        shutil.copytree(locale, scratch)
        for domain in doms:
            makemessages(langs, domain, scratch)
        for lang in langs:
            for domain in doms:
                po = locale / lang / "LC_MESSAGES" / f"{domain}.po"
                mo = po.with_suffix(".mo")
                fresh = scratch / lang / "LC_MESSAGES" / f"{domain}.po"
                rel_po = po.relative_to(ROOT) if po.is_relative_to(ROOT) else po
                if not po.exists():
                    problems.append(f"{rel_po} is missing: {UPDATE_HINT}")
                    continue
                # 1. stale
                old = without_creation_date(po.read_text(encoding="utf-8"))
                new = without_creation_date(fresh.read_text(encoding="utf-8")) if fresh.exists() else []
                if old != new:
                    diff = list(
                        difflib.unified_diff(old, new, f"{rel_po} (committed)", f"{rel_po} (from the code)")
                    )
                    shown = "".join(diff[:80]) + (
                        f"... ({len(diff) - 80} more diff lines)\n" if len(diff) > 80 else ""
                    )
                    problems.append(
                        f"{rel_po} is out of date with the strings in the code "
                        f"(makemessages -l {lang} --no-obsolete would change it): {UPDATE_HINT}\n{shown}"
                    )
                # 2. untranslated / fuzzy
                entries = parse_po(po)
                header_fuzzy = [e for e in entries if e.is_header and "fuzzy" in e.flags]
                if header_fuzzy:
                    problems.append(
                        f"{rel_po}: the header is marked fuzzy, so msgfmt drops it (and its Plural-Forms): "
                        "fill it in and delete its '#, fuzzy' line"
                    )
                fuzzy = [e for e in entries if not e.is_header and "fuzzy" in e.flags]
                untranslated = [
                    e
                    for e in entries
                    if not e.is_header and (not e.msgstr or any(not text for text in e.msgstr.values()))
                ]
                for kind, found in (
                    ("untranslated", untranslated),
                    ("fuzzy (check, then delete '#, fuzzy')", fuzzy),
                ):
                    if found:
                        listed = "\n".join(f"  {e.label()}" for e in found[:30])
                        more = f"\n  ... and {len(found) - 30} more" if len(found) > 30 else ""
                        problems.append(f"{rel_po}: {len(found)} {kind} entries:\n{listed}{more}")
                # 3. compiled
                compiled = Path(tmp) / f"{lang}-{domain}.mo"
                result = msgfmt(po, compiled)
                if result.returncode != 0:
                    problems.append(
                        f"{rel_po} does not compile (msgfmt --check-format):\n{result.stderr.strip()}"
                    )
                elif not mo.exists():
                    problems.append(f"{mo.relative_to(ROOT)} is missing: {UPDATE_HINT}")
                elif mo_catalog(mo) != mo_catalog(compiled):
                    problems.append(
                        f"{mo.relative_to(ROOT)} is not compiled from the current {po.name}: {UPDATE_HINT}"
                    )
    return problems


def update(locale: Path, langs: list[str]) -> int:
    doms = domains(locale, langs) if locale.is_dir() else ["django"]
    for domain in doms:
        print(f"==> makemessages -l {' -l '.join(langs)} -d {domain} --no-obsolete")
        makemessages(langs, domain, locale)
    status = 0
    for lang in langs:
        for domain in doms:
            po = locale / lang / "LC_MESSAGES" / f"{domain}.po"
            if not po.exists():
                continue
            result = msgfmt(po, po.with_suffix(".mo"))
            print(f"==> compiled {po.with_suffix('.mo').relative_to(ROOT)}")
            if result.returncode != 0:
                print(result.stderr, file=sys.stderr)
                status = 1
    entries_left = check(locale, langs) if status == 0 else []
    if entries_left:
        print("\nStill to do before ./dev check passes:", file=sys.stderr)
        for problem in entries_left:
            print(f"- {problem}", file=sys.stderr)
    return status


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--update", action="store_true", help="run makemessages and compile the .mo files")
    args = parser.parse_args()
    missing = [tool for tool in ("xgettext", "msgmerge", "msgattrib", "msgfmt") if shutil.which(tool) is None]
    if missing:
        print(
            f"error: GNU gettext is missing ({', '.join(missing)}): sudo apt install gettext", file=sys.stderr
        )
        return 1
    os.chdir(ROOT)  # makemessages scans the current directory; its paths in the .po are relative to it
    setup_django()
    locale = locale_dir()
    langs = languages()
    if not langs:
        print("no languages besides LANGUAGE_CODE in settings.LANGUAGES: nothing to check")
        return 0
    if args.update:
        return update(locale, langs)
    before = snapshot(locale)
    problems = check(locale, langs)
    if snapshot(locale) != before:
        print(f"error: checking changed {locale}: a bug in {Path(__file__).name}", file=sys.stderr)
        return 1
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    print(f"translation catalogs up to date, complete and compiled ({', '.join(langs)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
