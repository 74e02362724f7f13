"""A text index for searching report descriptions (see sauti/monitoring/search.py): FTS5 on SQLite,
pg_trgm on PostgreSQL (skipped, with a warning, where the extension cannot be installed)."""

import sys

from django.db import migrations, transaction

SQLITE = [
    "CREATE VIRTUAL TABLE monitoring_report_fts USING fts5("
    "description, content='monitoring_report', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER monitoring_report_fts_ai AFTER INSERT ON monitoring_report BEGIN "
    "INSERT INTO monitoring_report_fts(rowid, description) VALUES (new.id, new.description); END",
    "CREATE TRIGGER monitoring_report_fts_ad AFTER DELETE ON monitoring_report BEGIN "
    "INSERT INTO monitoring_report_fts(monitoring_report_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); END",
    "CREATE TRIGGER monitoring_report_fts_au AFTER UPDATE OF description ON monitoring_report BEGIN "
    "INSERT INTO monitoring_report_fts(monitoring_report_fts, rowid, description) "
    "VALUES ('delete', old.id, old.description); "
    "INSERT INTO monitoring_report_fts(rowid, description) VALUES (new.id, new.description); END",
    "INSERT INTO monitoring_report_fts(monitoring_report_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS monitoring_report_fts_au",
    "DROP TRIGGER IF EXISTS monitoring_report_fts_ad",
    "DROP TRIGGER IF EXISTS monitoring_report_fts_ai",
    "DROP TABLE IF EXISTS monitoring_report_fts",
]
POSTGRES_INDEX = (
    "CREATE INDEX IF NOT EXISTS report_description_trgm ON monitoring_report "
    "USING gin (UPPER(description) gin_trgm_ops)"
)


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            for statement in SQLITE:
                cursor.execute(statement)
        elif vendor == "postgresql":
            try:
                with transaction.atomic(using=schema_editor.connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except Exception as exc:  # noqa: BLE001 - a missing privilege only costs speed
                print(f"\nwarning: pg_trgm not available ({exc}); text search runs without an index", file=sys.stderr)
                return
            cursor.execute(POSTGRES_INDEX)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        if vendor == "sqlite":
            for statement in SQLITE_DROP:
                cursor.execute(statement)
        elif vendor == "postgresql":
            cursor.execute("DROP INDEX IF EXISTS report_description_trgm")


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0004_case_org_recent")]

    operations = [migrations.RunPython(create, drop)]
