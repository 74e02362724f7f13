from django.db import migrations


def reload(apps, schema_editor):
    """Existing databases: Kawangware and Eastleigh get their Wikipedia points, Majengo the ward its article
    names (settlements/settlement_points.csv, villages.csv; issue 16)."""
    from sauti.places.loader import GazetteerModels, load_gazetteer

    load_gazetteer(GazetteerModels.from_apps(apps), using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0004_two_settlements_hand_placed"),
    ]

    operations = [
        migrations.RunPython(reload, migrations.RunPython.noop, elidable=True),
    ]
