from django.urls import URLPattern, URLResolver, path

from kaskad.monitoring import views

app_name = "monitoring"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.index, name="index"),
    path("studies/new/", views.study_new, name="study_new"),
    path("studies/<int:pk>/", views.study_detail, name="study_detail"),
    path("studies/<int:pk>/bands/", views.study_bands, name="study_bands"),
    path("tests/", views.form_list, name="form_list"),
    path("tests/new/", views.form_new, name="form_new"),
    path("tests/<int:pk>/", views.form_detail, name="form_detail"),
    path("given/<int:pk>/", views.test_detail, name="test_detail"),
    path("given/<int:pk>/import/", views.import_responses, name="import_responses"),
    path("given/<int:pk>/entry/", views.entry, name="entry"),
    path("given/<int:pk>/entry/<int:pupil_pk>/resolve/", views.resolve, name="resolve"),
    path("given/<int:pk>/items/", views.analysis, name="analysis"),
    path("given/<int:pk>/items.xlsx", views.analysis_xlsx, name="analysis_xlsx"),
    path("given/<int:pk>/schools/", views.comparison, name="comparison"),
    path("given/<int:pk>/schools.pdf", views.comparison_pdf, name="comparison_pdf"),
    path("given/<int:pk>/schools/<int:school_pk>/", views.school_report, name="school_report"),
    path(
        "given/<int:pk>/schools/<int:school_pk>/pdf/",
        views.school_report_pdf,
        name="school_report_pdf",
    ),
    path("given/<int:pk>/results.xlsx", views.results_workbook, name="results_xlsx"),
    path("given/<int:pk>/pupils/<int:pupil_pk>/", views.pupil_report, name="pupil_report"),
    path("given/<int:pk>/pupils/<int:pupil_pk>/pdf/", views.pupil_pdf, name="pupil_pdf"),
    path("given/<int:pk>/reports/", views.bulk_start, name="bulk_start"),
    path("imports/<int:pk>/", views.import_result, name="import_result"),
    path("reports/<int:pk>/download/", views.bulk_download, name="bulk_download"),
]
