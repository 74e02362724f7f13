from django.db import migrations


def reload(apps, schema_editor):
    """Existing databases: GeoNames points (settlements/settlement_points.csv; issue 16) for ten KISIP
    settlements of Nyeri, which take the wards they lie in, and four Kibera villages (Olympic, Soweto West
    and Raila move from Kibera's ward, Lindi, to Sarangombe, where their points lie)."""
    from sauti.places.loader import GazetteerModels, load_gazetteer

    load_gazetteer(GazetteerModels.from_apps(apps), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0005_settlement_points"),
    ]

    operations = [
        migrations.RunPython(reload, migrations.RunPython.noop, elidable=True),
    ]
