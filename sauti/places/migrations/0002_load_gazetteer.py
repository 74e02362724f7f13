"""Load the shipped gazetteer (counties, constituencies, sub-counties, wards, settlements, aliases).

Every fresh database, test databases included, gets the same reference data. `sauti places load` re-syncs
an existing database after the shipped files change.
"""

from django.db import migrations

MODELS = ("PlaceAlias", "Settlement", "Ward", "SubCounty", "Constituency", "County")


def load(apps, schema_editor):
    # The loader is pure (model classes passed in), so historical models work here.
    from sauti.places.loader import GazetteerModels, load_gazetteer

    load_gazetteer(GazetteerModels.from_apps(apps), using=schema_editor.connection.alias)


def unload(apps, schema_editor):
    for name in MODELS:
        apps.get_model("places", name).objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(load, unload, elidable=False)]
