from django.urls import URLPattern, URLResolver, path

from kaskad.registry.imports import views

app_name = "registry_imports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.result, name="result"),
    path("<int:pk>/status/", views.result_panel, name="result_panel"),
    path("<int:pk>/report.<slug:fmt>", views.report, name="report"),
    path("templates/<slug:kind>.<slug:fmt>", views.template, name="template"),
]
