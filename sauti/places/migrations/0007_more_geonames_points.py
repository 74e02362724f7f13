from django.db import migrations


def reload(apps, schema_editor):
    """Existing databases: more GeoNames points (settlements/settlement_points.csv; issue 16): KISIP's
    Ihwagi, Ithenguri, Kanjora and Muruguru of Nyeri, which take the wards they lie in, and Nairobi's
    Kariobangi."""
    from sauti.places.loader import GazetteerModels, load_gazetteer

    load_gazetteer(GazetteerModels.from_apps(apps), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0006_geonames_points"),
    ]

    operations = [
        migrations.RunPython(reload, migrations.RunPython.noop, elidable=True),
    ]
