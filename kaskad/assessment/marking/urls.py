from django.urls import URLPattern, URLResolver, path

from kaskad.assessment.marking import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("tasks/", views.marking_queue, name="marking_queue"),
    path("tasks/<int:pk>/", views.marking_task, name="marking_task"),
    path("tasks/<int:pk>/files/<int:file_pk>/", views.marking_file, name="marking_file"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("moderation/<int:pk>/", views.moderation_task, name="moderation_task"),
    path("history/", views.history_list, name="history_list"),
    path("history/<int:pk>/", views.history_detail, name="history_detail"),
]
