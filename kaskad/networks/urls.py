from django.urls import URLPattern, URLResolver, path

from kaskad.networks import views

app_name = "networks"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.network, name="network"),
    path("import/", views.network_import_page, name="import"),
    path("import/template.csv", views.network_template, name="template"),
    path("copy/", views.network_copy, name="copy"),
    path("schools/<int:pk>/", views.school, name="school"),
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/", views.event_detail, name="event_detail"),
    path("events/<int:pk>/action/", views.event_action, name="event_action"),
    path(
        "events/<int:pk>/materials/<int:material_pk>/",
        views.event_material,
        name="event_material",
    ),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/action/", views.request_action, name="request_action"),
    path(
        "requests/<int:pk>/files/<int:file_pk>/",
        views.request_attachment,
        name="request_attachment",
    ),
    path("reports/", views.reports, name="reports"),
]
