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
    from django.db.utils import OperationalError, ProgrammingError

    try:
        execute_from_command_line(args)
    except (OperationalError, ProgrammingError):
        if len(args) < 2 or args[1] in _SCHEMA_COMMANDS:
            raise
        missing = _unapplied_migrations()
        if not missing:
            raise
        # A command run against a database that was never migrated (another folder's ./var, a wrong
        # DATABASE_URL) fails on its first query: say so instead of a traceback about a missing table.
        from django.conf import settings

        name = settings.DATABASES["default"]["NAME"]
        sys.stderr.write(
            f"error: the database {name} is missing {missing} of Sauti's migrations: run `sauti migrate` "
            "first, or point DATABASE_URL (or SAUTI_VAR_DIR) at Sauti's database\n"
        )
        sys.exit(1)


# Commands that make or read the schema themselves (restore wants an empty database): their errors are theirs.
_SCHEMA_COMMANDS = {
    "migrate",
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "squashmigrations",
    "restore",
    "flush",
}


def _unapplied_migrations() -> int:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    connection.close()  # the failed statement may have left the connection unusable (PostgreSQL)
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


if __name__ == "__main__":
    main()
