from django.urls import URLPattern, URLResolver, path

from kaskad.core import views

app_name = "core"
urlpatterns: list[URLPattern | URLResolver] = [
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("<int:pk>/restart/", views.job_restart_view, name="job_restart"),
]
