from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CascadeConfig(AppConfig):
    name = "kaskad.cascade"
    label = "cascade"
    verbose_name = _("Trainer cascade")
