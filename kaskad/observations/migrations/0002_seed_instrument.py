"""The centre's own lesson observation instrument (kaskad/observations/data/), published."""

from typing import Any

from django.db import migrations
from django.utils import timezone

from kaskad.observations.instruments import seed_instrument, texts, write_tree


def load(apps: Any, schema_editor: Any) -> None:
    instrument_model = apps.get_model("observations", "Instrument")
    version_model = apps.get_model("observations", "InstrumentVersion")
    data = seed_instrument()
    if version_model.objects.filter(instrument__code=data.code, number=data.number).exists():
        return
    instrument, _ = instrument_model.objects.get_or_create(
        code=data.code, defaults=texts("name", data.name)
    )
    version = version_model.objects.create(
        instrument=instrument,
        number=data.number,
        status="published",
        published_at=timezone.now(),
        **texts("description", data.description),
    )
    write_tree(
        version,
        data,
        domain_model=apps.get_model("observations", "Domain"),
        element_model=apps.get_model("observations", "Element"),
        behaviour_model=apps.get_model("observations", "Behaviour"),
    )


class Migration(migrations.Migration):
    dependencies = [("observations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
