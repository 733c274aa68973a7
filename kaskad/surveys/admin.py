"""Surveys in the admin: read only (they change through the services, which audit). Responses
and "answered" marks are not listed at all: the results page shows them in aggregate only."""

from django.contrib import admin

from kaskad.core.admin import ReadOnlyAdmin
from kaskad.surveys.models import Survey


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("title", "audience", "opens_on", "closes_on", "published", "branch")
    list_filter = ("audience", "published")
    search_fields = ("title",)
