from django.db import migrations

from kaskad.registry.reference import sync_reference_data


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    sync_reference_data(apps.get_model("registry", "Branch"), apps.get_model("registry", "Area"))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
