"""The admin shows delivery records for support; changes go through the pages and the API,
because the services keep the seat counters, the waitlist and the audit trail right."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kaskad.core.admin import ReadOnlyAdmin
from kaskad.delivery.models import (
    Attendance,
    AttendanceChange,
    Cohort,
    CohortTrainer,
    Enrolment,
    Session,
)


class SessionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Session
    extra = 0
    can_delete = False
    readonly_fields = ("date", "starts_at", "ends_at", "hours", "place", "online_link")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TrainerInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CohortTrainer
    extra = 0
    can_delete = False
    readonly_fields = ("person", "accreditation", "is_lead")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Cohort)
class CohortAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "version",
        "branch",
        "format",
        "status",
        "starts_on",
        "capacity",
        "enrolled_count",
        "waitlist_count",
    )
    list_filter = ("status", "format", "branch")
    search_fields = ("code",)
    list_select_related = ("version", "version__programme", "branch")
    inlines = [SessionInline, TrainerInline]


@admin.register(Enrolment)
class EnrolmentAdmin(ReadOnlyAdmin):
    list_display = (
        "person",
        "cohort",
        "status",
        "requested_at",
        "hours_attended",
        "outcome_reason",
    )
    list_filter = ("status",)
    search_fields = ("person__iin", "person__surname", "cohort__code")
    list_select_related = ("person", "cohort")
    raw_id_fields = ("person", "cohort")


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = (
        "enrolment",
        "session",
        "status",
        "first_marked_by",
        "first_marked_at",
        "marked_by",
        "marked_at",
    )
    list_filter = ("status",)
    list_select_related = (
        "enrolment__person",
        "enrolment__cohort",
        "session__cohort",
        "first_marked_by",
        "marked_by",
    )


@admin.register(AttendanceChange)
class AttendanceChangeAdmin(ReadOnlyAdmin):
    list_display = ("person", "session", "old_status", "new_status", "changed_by", "changed_at")
    list_filter = ("new_status",)
    list_select_related = ("person", "session__cohort", "changed_by")
    date_hierarchy = "changed_at"
