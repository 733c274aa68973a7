from django.urls import path

from kaskad.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("reports/", views.report, name="report"),
    path("lesson-study/<int:pk>/", views.lesson_study, name="lesson_study"),
    path("lesson-study/<int:pk>/rl<int:number>/", views.research_lesson, name="research_lesson"),
    path("lesson-study/<int:pk>/report.pdf", views.lesson_study_report, name="lesson_study_pdf"),
    path("action-research/<int:pk>/", views.action_research, name="action_research"),
    path(
        "action-research/<int:pk>/report.pdf",
        views.action_research_report,
        name="action_research_pdf",
    ),
    path("mentoring/<int:pk>/", views.mentoring, name="mentoring"),
    path("<slug:code>/", views.project_detail, name="detail"),
]
