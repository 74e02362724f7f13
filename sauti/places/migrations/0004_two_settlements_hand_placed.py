from django.db import migrations


def reload(apps, schema_editor):
    """Existing databases: Kariobangi and Kahawa Soweto get the wards of villages.csv (issue 16)."""
    from sauti.places.loader import GazetteerModels, load_gazetteer

    load_gazetteer(GazetteerModels.from_apps(apps), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0003_settlements_located"),
    ]

    operations = [
        migrations.RunPython(reload, migrations.RunPython.noop, elidable=True),
    ]
