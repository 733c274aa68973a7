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
