"""The catalogue in the Django admin.

Programme areas are reference data and are edited here (new areas are added this way).
Programmes, versions, certifications and plan lines are shown read-only: their rules
(frozen approved versions, module hours, the audit trail) live in the services, which the
catalogue pages use.
"""

from __future__ import annotations

from django.contrib import admin

from kaskad.catalogue.models import (
    AnnualPlan,
    Programme,
    ProgrammeArea,
    ProgrammeVersion,
    QualityCertification,
)
from kaskad.core.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(ProgrammeArea)
class ProgrammeAreaAdmin(AuditedAdmin):
    list_display = ("code", "name", "sort_order")
    search_fields = ("code", "name")
    ordering = ("sort_order", "code")


@admin.register(Programme)
class ProgrammeAdmin(ReadOnlyAdmin):
    list_display = ("code", "area", "created_at")
    list_filter = ("area",)
    search_fields = ("code",)


@admin.register(ProgrammeVersion)
class ProgrammeVersionAdmin(ReadOnlyAdmin):
    list_display = ("programme", "number", "status", "title", "hours", "approved_at")
    list_filter = ("status", "programme__area")
    search_fields = ("programme__code", "title_kk", "title_ru", "title_en")
    list_select_related = ("programme",)


@admin.register(QualityCertification)
class QualityCertificationAdmin(ReadOnlyAdmin):
    list_display = ("programme", "body", "certified_on", "valid_until")
    list_select_related = ("programme",)


@admin.register(AnnualPlan)
class AnnualPlanAdmin(ReadOnlyAdmin):
    list_display = ("year", "branch", "programme", "planned_cohorts", "planned_participants")
    list_filter = ("year", "branch")
    list_select_related = ("branch", "programme")
