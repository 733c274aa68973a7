from django.contrib import admin

from kaskad.certificates.models import Certificate, VerificationCount


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "full_name", "programme_title", "status", "issued_on")
    list_filter = ("status", "year", "branch")
    search_fields = ("=number", "full_name")
    # Certificates change only through the services (revoke, re-issue): read-only here.
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(VerificationCount)
class VerificationCountAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("ip", "window_start", "count")
    search_fields = ("=ip",)
