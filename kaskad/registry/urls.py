from django.urls import URLPattern, URLResolver, path

from kaskad.registry import views, views_transfers

app_name = "registry"
urlpatterns: list[URLPattern | URLResolver] = [
    path("people/", views.person_list, name="person_list"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/abroad/new/", views.person_abroad_new, name="person_abroad_new"),
    path("organisations/", views.organisation_list_view, name="organisation_list"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation_detail"),
    path("transfers/", views_transfers.transfer_list, name="transfer_list"),
    path("transfers/new/", views_transfers.transfer_new, name="transfer_new"),
    path("transfers/<int:pk>/", views_transfers.transfer_detail, name="transfer_detail"),
    path(
        "transfers/<int:pk>/<slug:action>/",
        views_transfers.transfer_decide,
        name="transfer_decide",
    ),
]
