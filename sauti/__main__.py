"""The `sauti` console command: a thin wrapper over Django's management commands.

Hyphenated names (`sauti demo-data`) map to the underscore module (`demo_data`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sauti.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "sauti"
    if len(args) > 1 and args[1] in ("verify-bundle", "verify_bundle"):
        # Checked offline: no settings, secrets or database needed.
        from sauti.evidence.bundlecheck import main as verify_bundle

        sys.exit(verify_bundle(args[2:]))
    if len(args) > 1 and "-" in args[1] and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
