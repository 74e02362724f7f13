"""SQLite rebuilds monitoring_report to add a column (0010), and a rebuilt table loses its triggers: the
text index stopped following new and changed descriptions. Recreate the index and its triggers (SQLite only;
PostgreSQL's index is on the table and survives)."""

from importlib import import_module

from django.db import migrations

index = import_module("sauti.monitoring.migrations.0005_report_text_index")


def recreate(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in [*index.SQLITE_DROP, *index.SQLITE]:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0010_report_redacted_description")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
