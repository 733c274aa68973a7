"""The admin for national administrators: thresholds and templates per programme are edited
here; checks and decisions are shown for support (they change through the services, which
keep the portfolio's plagiarism status and history right)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kaskad.core.admin import ReadOnlyAdmin
from kaskad.documents.extract import ExtractionError, extract, sniff
from kaskad.plagiarism.models import (
    PlagiarismCheck,
    PlagiarismDecision,
    ProgrammeTemplate,
    ProgrammeThreshold,
)


@admin.register(ProgrammeThreshold)
class ProgrammeThresholdAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("programme", "threshold_percent", "updated_at")
    search_fields = ("programme__code",)
    autocomplete_fields = ("programme",)


class ProgrammeTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ProgrammeTemplate
        fields = ("programme", "title", "file", "text", "active")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        # A file without typed text: its extracted text is what the check uses.
        if upload and hasattr(upload, "read") and not (data.get("text") or "").strip():
            upload.seek(0)
            content = upload.read()
            upload.seek(0)
            kind = sniff(content)
            if kind is None:
                raise forms.ValidationError(
                    {"file": _("Upload a PDF, DOCX, ODT or TXT file, or type the text.")}
                )
            try:
                data["text"] = extract(content, kind).text
            except ExtractionError as exc:
                raise forms.ValidationError(
                    {"file": _("The file could not be read; type the text instead.")}
                ) from exc
        if not (data.get("text") or "").strip() and not self.errors:
            raise forms.ValidationError({"text": _("Give the template's text or a file.")})
        return data


@admin.register(ProgrammeTemplate)
class ProgrammeTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = ProgrammeTemplateForm
    list_display = ("title", "programme", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("title", "programme__code")
    autocomplete_fields = ("programme",)


class DecisionInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PlagiarismDecision
    extra = 0
    can_delete = False
    readonly_fields = ("decision", "comment", "by", "at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PlagiarismCheck)
class PlagiarismCheckAdmin(ReadOnlyAdmin):
    list_display = ("portfolio", "attempt", "status", "similarity_percent", "finished_at")
    list_filter = ("status", "cross_language")
    search_fields = ("portfolio__id",)
    exclude = ("report",)
    inlines = [DecisionInline]
