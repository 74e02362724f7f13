"""Who chose a report's categories. SQLite rebuilds monitoring_report to add the column, and a rebuilt
table loses its triggers: the text index is recreated afterwards, as in 0011."""

from importlib import import_module

from django.db import migrations, models

# 0011's function: drop and recreate the index and its triggers (SQLite only).
recreate = import_module("sauti.monitoring.migrations.0011_report_text_index_after_rebuild").recreate


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0012_reporters_hear_back")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="category_source",
            field=models.CharField(
                blank=True,
                choices=[("reporter", "chosen by the reporter"), ("reading", "guessed from the message")],
                max_length=10,
                verbose_name="category source",
            ),
        ),
        migrations.RunPython(recreate, migrations.RunPython.noop),
    ]
