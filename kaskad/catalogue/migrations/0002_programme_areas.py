from django.db import migrations

from kaskad.catalogue.reference import sync_programme_areas


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    sync_programme_areas(apps.get_model("catalogue", "ProgrammeArea"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
