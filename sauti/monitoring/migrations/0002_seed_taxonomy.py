from django.db import migrations

from sauti.monitoring.taxonomy import ESC_TAXONOMY  # pure data, no app code


def seed(apps, schema_editor):
    Organisation = apps.get_model("people", "Organisation")
    Category = apps.get_model("monitoring", "Category")
    for org in Organisation.objects.all():
        position = 0
        for key, en, sw, children in ESC_TAXONOMY:
            position += 10
            parent, _ = Category.objects.get_or_create(
                organisation=org, key=key, defaults={"name_en": en, "name_sw": sw, "position": position}
            )
            for offset, (child_key, child_en, child_sw) in enumerate(children, start=1):
                Category.objects.get_or_create(
                    organisation=org,
                    key=child_key,
                    defaults={"parent": parent, "name_en": child_en, "name_sw": child_sw, "position": position + offset},
                )


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
