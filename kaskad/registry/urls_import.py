from django.urls import URLPattern, URLResolver, path

from kaskad.registry import views_import

app_name = "registry_imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views_import.upload, name="upload"),
    path("<int:pk>/", views_import.result, name="result"),
    path("<int:pk>/status/", views_import.result_panel, name="result_panel"),
    path("<int:pk>/report.<slug:fmt>", views_import.report, name="report"),
    path("templates/<slug:kind>.<slug:fmt>", views_import.template, name="template"),
]
