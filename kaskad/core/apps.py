from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kaskad.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Infrastructure, not business logic: every SQLite connection gets the collation of
        # names (kaskad/core/collation.py); PostgreSQL has it from a migration.
        from django.db.backends.signals import connection_created

        from kaskad.core.collation import register

        connection_created.connect(register, dispatch_uid="kaskad_names_collation")

        # The shared cache lives in a table of the database (settings CACHES): made after
        # every migrate, so `manage.py serve`, CI and the test databases all have it.
        from django.db.models.signals import post_migrate

        from kaskad.core.cache import cache_table_create

        post_migrate.connect(cache_table_create, sender=self, dispatch_uid="kaskad_cache_table")
