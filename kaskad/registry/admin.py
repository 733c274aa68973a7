"""Reference data and the registry in the Django admin.

Areas, districts, branches and organisations may be edited here (every save is recorded in
the audit trail, and a BIN is checked like everywhere else). People are read-mostly: only
names and contacts change here, through the same service imports use; identities (IIN) and
employment come from imports and the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from kaskad.core.admin import AuditedAdmin
from kaskad.core.errors import DomainError
from kaskad.core.http import staff_user
from kaskad.registry.models import Area, Branch, District, Employment, Organisation, Person
from kaskad.registry.services import clean_bin, clean_name, person_change


@admin.register(Branch)
class BranchAdmin(AuditedAdmin):
    list_display = ("code", "name", "city")
    search_fields = ("code", "name", "city")


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "centre", "branch")
    list_filter = ("kind", "branch")
    search_fields = ("code", "name")
    list_select_related = ("branch",)


@admin.register(District)
class DistrictAdmin(AuditedAdmin):
    list_display = ("code", "name", "area")
    list_filter = ("area",)
    search_fields = ("code", "name")
    autocomplete_fields = ("area",)
    list_select_related = ("area",)


class OrganisationAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Organisation
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["bin"] = clean_bin(data.get("bin") or "", kind=data.get("kind") or "")
        except DomainError as exc:
            self.add_error("bin", str(exc.message))
        return data


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "code", "bin", "kind", "area", "locality", "is_open")
    list_filter = ("kind", "locality", "is_open", "is_ungraded", "area")
    search_fields = ("name_kk", "name_ru", "name_en", "=code", "=bin")
    autocomplete_fields = ("area", "district")
    list_select_related = ("area",)
    show_full_result_count = False


class EmploymentInline(admin.TabularInline):  # type: ignore[type-arg]
    """The employment history, read-only: it changes through imports and the API."""

    model = Employment
    extra = 0
    can_delete = False
    fields = (
        "organisation",
        "position",
        "level",
        "subjects",
        "category",
        "category_awarded_on",
        "category_due_on",
        "experience_years",
        "started_on",
        "ended_on",
        "is_primary",
    )
    readonly_fields = fields
    ordering = ("-started_on",)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Employment]:
        return super().get_queryset(request).select_related("organisation")


class PersonAdminForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Person
        fields = ("surname", "given_name", "patronymic", "email", "phone")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("surname", "given_name", "patronymic"):
            try:
                data[name] = clean_name(
                    data.get(name) or "", field=name, required=name != "patronymic"
                )
            except DomainError as exc:
                self.add_error(name, ValidationError(str(exc.message), code=exc.code))
        return data


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PersonAdminForm
    list_display = ("full_name", "iin", "birth_date", "sex", "current_organisation")
    search_fields = ("=iin", "^surname", "^given_name")
    list_select_related = ("current_organisation",)
    readonly_fields = (
        "iin",
        "document_type",
        "document_number",
        "document_country",
        "birth_date",
        "sex",
        "current_organisation",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("iin", "birth_date", "sex")}),
        (None, {"fields": ("document_type", "document_number", "document_country")}),
        (None, {"fields": ("surname", "given_name", "patronymic")}),
        (None, {"fields": ("email", "phone")}),
        (None, {"fields": ("current_organisation", "created_at", "updated_at")}),
    )
    inlines = (EmploymentInline,)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # people come from imports and the API, which check the IIN

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        # Through the service: the search key is rebuilt and the change is audited.
        person_change(
            person=obj,
            surname=obj.surname,
            given_name=obj.given_name,
            patronymic=obj.patronymic,
            email=obj.email,
            phone=obj.phone,
            by=staff_user(request),
            source="admin",
        )
