from django.urls import URLPattern, URLResolver, path

from kaskad.catalogue import views

app_name = "catalogue"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("certifications/", views.certification_watch, name="certification_watch"),
    path("plan/lines/new/", views.plan_line_create, name="plan_line_create"),
    path("plan/lines/<int:pk>/", views.plan_line_edit, name="plan_line_edit"),
    path("<str:code>/", views.programme_detail, name="programme_detail"),
    path("<str:code>/revise/", views.programme_revise, name="programme_revise"),
    path("<str:code>/retire/", views.programme_retire, name="programme_retire"),
    path("<str:code>/certifications/new/", views.certification_add, name="certification_add"),
    path("<str:code>/versions/<int:number>/", views.programme_detail, name="programme_version"),
    path("<str:code>/versions/<int:number>/edit/", views.version_edit, name="version_edit"),
    path(
        "<str:code>/versions/<int:number>/approve/", views.version_approve, name="version_approve"
    ),
]
