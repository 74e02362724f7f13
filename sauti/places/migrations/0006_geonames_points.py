from django.db import migrations


def reload(apps, schema_editor):
    """Existing databases: five KISIP settlements of Nyeri get GeoNames points and the wards they lie in
    (settlements/settlement_points.csv; issue 16)."""
    from sauti.places.loader import GazetteerModels, load_gazetteer

    load_gazetteer(GazetteerModels.from_apps(apps), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0005_settlement_points"),
    ]

    operations = [
        migrations.RunPython(reload, migrations.RunPython.noop, elidable=True),
    ]
