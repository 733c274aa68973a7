"""The assessment pages, one module per part of the workflow."""

from django.urls import include, path

app_name = "assessment"

urlpatterns = [
    path("", include("kaskad.assessment.urls_portfolios")),
    path("", include("kaskad.assessment.urls_allocation")),
    path("", include("kaskad.assessment.urls_marking")),
    path("", include("kaskad.assessment.urls_publishing")),
]
