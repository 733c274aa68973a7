"""The `kaskad_names` collation on PostgreSQL (see kaskad/core/collation.py): ICU Kazakh, or
the libc Kazakh locale, or at worst the database default so that queries still run."""

import sys

from django.db import migrations, transaction

ATTEMPTS = (
    "CREATE COLLATION IF NOT EXISTS kaskad_names (provider = icu, locale = 'kk')",
    "CREATE COLLATION IF NOT EXISTS kaskad_names (provider = libc, locale = 'kk_KZ.utf8')",
    'CREATE COLLATION IF NOT EXISTS kaskad_names FROM "default"',
)


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for number, sql in enumerate(ATTEMPTS):
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                schema_editor.execute(sql)
        except Exception:  # noqa: BLE001 - try the next, weaker collation
            continue
        if number:
            sys.stderr.write(
                "WARNING: PostgreSQL without ICU: names sort by the "
                + ("libc Kazakh locale.\n" if number == 1 else "default collation.\n")
            )
        return


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP COLLATION IF EXISTS kaskad_names")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_job_worker_task_and_heartbeat")]
    operations = [migrations.RunPython(create, drop)]
