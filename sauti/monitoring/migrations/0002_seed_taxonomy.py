from django.db import migrations

from sauti.monitoring.taxonomy import seed as seed_taxonomy  # pure: takes the model class


def seed(apps, schema_editor):
    Organisation = apps.get_model("people", "Organisation")
    Category = apps.get_model("monitoring", "Category")
    for org in Organisation.objects.all():
        seed_taxonomy(Category, org)


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
