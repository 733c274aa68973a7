from django.urls import URLPattern, URLResolver, path

from kaskad.plagiarism import views

app_name = "plagiarism"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.queue, name="queue"),
    path("checks/<int:pk>/", views.report, name="report"),
    path("checks/<int:pk>/decision/", views.decision, name="decision"),
    path("checks/<int:pk>/rerun/", views.rerun, name="rerun"),
    path("portfolios/<int:pk>/", views.portfolio_report, name="portfolio_report"),
    path("recheck/", views.recheck, name="recheck"),
]
