from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlagiarismConfig(AppConfig):
    name = "kaskad.plagiarism"
    label = "plagiarism"
    verbose_name = _("Plagiarism checks")
