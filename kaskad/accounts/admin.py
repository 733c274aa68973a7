"""Users with their roles in the Django admin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.forms import AdminLoginForm
from kaskad.accounts.models import LoginFailure, RoleAssignment, User

# /admin/login/ is a second door to the superuser: it throttles and records failures like
# the main sign-in page.
admin.site.login_form = AdminLoginForm


class RoleAssignmentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = RoleAssignment
    extra = 0
    # The model's check constraints (a coordinator needs a branch, a school leader an
    # organisation) are validated by the admin form before saving.
    autocomplete_fields = ("branch", "organisation")


@admin.register(User)
class KaskadUserAdmin(UserAdmin):  # type: ignore[type-arg]
    inlines = (RoleAssignmentInline,)
    fieldsets = (
        *UserAdmin.fieldsets,  # type: ignore[misc]
        (_("Kaskad"), {"fields": ("person", "language")}),
    )
    autocomplete_fields = ("person",)
    list_display = ("username", "first_name", "last_name", "role_list", "is_staff", "is_active")
    list_filter = ("roles__role", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "first_name", "last_name", "email", "=person__iin")

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("roles"))
    def role_list(self, obj: User) -> str:
        return ", ".join(str(r.get_role_display()) for r in obj.roles.all())


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Failed logins; deleting a user's rows lifts a lock early."""

    list_display = ("username", "ip", "at")
    search_fields = ("username", "=ip")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
