from django.urls import URLPattern, URLResolver, path

from kaskad.reports import views, views_analytics

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("annual/", views.annual, name="annual"),
    path("annual/export.xlsx", views.annual_export, name="annual_export"),
    path("annual/report.pdf", views.annual_pdf, name="annual_pdf"),
    path("annual/issue/", views.annual_issue, name="annual_issue"),
    path("issued/<int:pk>/<str:kind>/", views.issued_file, name="issued_file"),
    path("figure/", views.figure, name="figure"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/export.xlsx", views.assessment_export, name="assessment_export"),
    path("cascade/", views_analytics.cascade, name="cascade"),
    path("coverage/", views_analytics.coverage, name="coverage"),
    path("due/", views_analytics.due, name="due"),
    path("dashboard/", views_analytics.dashboard, name="dashboard"),
    path("dashboard/data.json", views_analytics.dashboard_data, name="dashboard_data"),
]
