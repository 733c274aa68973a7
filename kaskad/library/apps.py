from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    name = "kaskad.library"
    label = "library"
    verbose_name = _("Library")

    def ready(self) -> None:
        # A portfolio published, taken down or whose consent is withdrawn is mirrored at once.
        from kaskad.library import signals  # noqa: F401
