#!/usr/bin/env python
"""Fail if .env.example misses an environment variable that Sauti reads, or documents one it doesn't.

Sauti reads its environment through the typed readers in sauti/core/env.py (env_str("NAME", ...),
env_bool, env_int, env_list, env_choice, env_secret): this finds every such call in the sauti package,
plus any os.environ / os.getenv read in sauti/settings.py, and compares with the NAME=value lines of
.env.example (a commented-out `# NAME=value` line counts as documented).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "sauti"
SETTINGS = PACKAGE / "settings.py"
EXAMPLE = ROOT / ".env.example"

# Read by ./dev rather than by the app; allowed in .env.example although no env_*() reads them.
DEV_ONLY = {"PORT", "PG_URL"}

ENV_CALL = re.compile(r"""\benv_[a-z]+\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
OS_READ = re.compile(r"""\bos\.(?:environ\.get\(|getenv\(|environ\[)\s*["']([A-Za-z_][A-Za-z0-9_]*)["']""")
EXAMPLE_LINE = re.compile(r"^\s*#?\s*(?:export\s+)?([A-Z][A-Z0-9_]*)=")


def read_names() -> dict[str, str]:
    """Each variable the app reads, with the first place that reads it."""
    found: dict[str, str] = {}
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]
    for path in files:
        text = path.read_text(encoding="utf-8")
        patterns = [ENV_CALL, OS_READ] if path == SETTINGS else [ENV_CALL]
        for pattern in patterns:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.setdefault(match.group(1), f"{path.relative_to(ROOT)}:{line}")
    return found


def documented_names() -> set[str]:
    names: set[str] = set()
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = EXAMPLE_LINE.match(line)
        if match:
            names.add(match.group(1))
    return names


def main() -> int:
    if not SETTINGS.exists():
        print(f"error: {SETTINGS.relative_to(ROOT)} not found", file=sys.stderr)
        return 1
    if not EXAMPLE.exists():
        print("error: .env.example is missing", file=sys.stderr)
        return 1
    read = read_names()
    documented = documented_names()
    ok = True
    missing = sorted(set(read) - documented)
    if missing:
        ok = False
        print("error: .env.example does not document these variables that Sauti reads:", file=sys.stderr)
        for name in missing:
            print(f"  {name}  (read at {read[name]})", file=sys.stderr)
        print("add each with a comment and a safe example value", file=sys.stderr)
    stale = sorted(documented - set(read) - DEV_ONLY)
    if stale:
        ok = False
        print("error: .env.example documents variables that nothing reads any more:", file=sys.stderr)
        for name in stale:
            print(f"  {name}", file=sys.stderr)
    if ok:
        print(f".env.example documents all {len(read)} variables Sauti reads")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
