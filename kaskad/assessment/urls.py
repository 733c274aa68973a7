"""The assessment pages, one module per part of the workflow."""

from django.urls import include, path

app_name = "assessment"

urlpatterns = [
    path("", include("kaskad.assessment.portfolios.urls")),
    path("", include("kaskad.assessment.allocation.urls")),
    path("", include("kaskad.assessment.marking.urls")),
    path("", include("kaskad.assessment.publishing.urls")),
]
