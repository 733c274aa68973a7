"""Admin bases every app uses (read-only records; audited reference data), and the audit trail
and background jobs in the Django admin: read-only, for looking up."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from modeltranslation.admin import TranslationAdmin

from kaskad.core.audit import audit_record
from kaskad.core.http import staff_user
from kaskad.core.models import AuditEntry, Job


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records written only by the system: the admin may look, never touch."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _jsonable(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class AuditedAdmin(TranslationAdmin):  # type: ignore[type-arg]
    """Record who changed reference data from the admin, and what."""

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        changes = {
            name: [_jsonable(form.initial.get(name)), _jsonable(form.cleaned_data.get(name))]
            if change
            else _jsonable(form.cleaned_data.get(name))
            for name in form.changed_data
        }
        audit_record(
            actor=staff_user(request),
            action="update" if change else "create",
            obj=obj,
            changes=changes,
            source="admin",
        )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "object_repr", "source")
    list_filter = ("action", "object_type")
    search_fields = ("=object_id", "object_repr", "actor__username", "source")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    # The trail grows to millions of rows: skip the full COUNT(*) on every page.
    show_full_result_count = False


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "kind",
        "title",
        "status",
        "stage",
        "done",
        "total",
        "created_by",
        "created_at",
        "finished_at",
    )
    list_filter = ("status", "kind")
    search_fields = ("title", "kind", "created_by__username")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
