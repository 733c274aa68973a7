from django.urls import URLPattern, URLResolver, path

from kaskad.registry import views

app_name = "registry"
urlpatterns: list[URLPattern | URLResolver] = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("organisations/", views.organisation_list_view, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
