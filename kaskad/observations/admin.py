"""Lesson observation in the Django admin: read-only. Instruments change through their own
pages and the XLSX import (a version in use is never changed); observations through the
services, which keep their rules and the audit trail."""

from __future__ import annotations

from django.contrib import admin

from kaskad.core.admin import ReadOnlyAdmin
from kaskad.observations.models import InstrumentVersion, Observation


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("instrument", "number", "status", "published_at")
    list_filter = ("status",)


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ("observed_on", "teacher", "school", "observer", "previous", "double_of")
    list_select_related = ("teacher", "school", "observer", "previous", "double_of")
    date_hierarchy = "observed_on"
    raw_id_fields = ("teacher", "school", "observer", "previous", "double_of")
