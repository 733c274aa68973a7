"""Portfolio pages (namespace "assessment"): the participant's and the trainer's."""

from django.urls import URLPattern, URLResolver, path

from kaskad.assessment.portfolios import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("my-portfolios/", views.my_portfolios, name="my_portfolios"),
    path(
        "my-portfolios/start/<int:enrolment_pk>/",
        views.portfolio_start,
        name="portfolio_start",
    ),
    path("portfolios/<int:pk>/", views.portfolio_detail, name="portfolio_detail"),
    path("portfolios/<int:pk>/files/", views.portfolio_upload, name="portfolio_upload"),
    path(
        "portfolios/<int:pk>/files/<int:file_pk>/",
        views.portfolio_file_download,
        name="portfolio_file",
    ),
    path(
        "portfolios/<int:pk>/files/<int:file_pk>/remove/",
        views.portfolio_file_remove_view,
        name="portfolio_file_remove",
    ),
    path("portfolios/<int:pk>/submit/", views.portfolio_submit_view, name="portfolio_submit"),
    path("portfolios/<int:pk>/consent/", views.portfolio_consent_view, name="portfolio_consent"),
    path("portfolios/<int:pk>/feedback/", views.draft_feedback_view, name="portfolio_feedback"),
    path("trainer/portfolios/", views.trainer_cohorts, name="trainer_portfolios"),
    path(
        "trainer/cohorts/<int:cohort_pk>/portfolios/",
        views.cohort_portfolios,
        name="cohort_portfolios",
    ),
]
