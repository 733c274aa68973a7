from django.urls import URLPattern, URLResolver, path

from kaskad.cascade import views

app_name = "cascade"
urlpatterns: list[URLPattern | URLResolver] = [
    path("trainers/", views.trainer_list, name="trainer_list"),
    path("trainers/<int:pk>/", views.trainer_detail, name="trainer_detail"),
    path("grant/", views.grant_start, name="grant_start"),
    path("people/<int:pk>/grant/", views.accreditation_grant, name="accreditation_grant"),
    path(
        "accreditations/<int:pk>/revoke/",
        views.accreditation_revoke,
        name="accreditation_revoke",
    ),
]
