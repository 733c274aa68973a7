"""Accreditations in the Django admin, read-only: granting and revoking go through the
services (scope, strand and enrolment checks, the audit trail) from the trainer pages."""

from __future__ import annotations

from django.contrib import admin

from kaskad.cascade.models import Accreditation
from kaskad.core.admin import ReadOnlyAdmin


@admin.register(Accreditation)
class AccreditationAdmin(ReadOnlyAdmin):
    list_display = ("person", "programme", "level", "strand", "valid_from", "valid_until")
    list_filter = ("level", "strand", "programme")
    search_fields = ("person__surname", "person__iin", "programme__code")
    list_select_related = ("person", "programme")
    raw_id_fields = ("person", "earned_through")
