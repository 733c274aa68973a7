from django.urls import URLPattern, URLResolver, path

from kaskad.delivery import views

app_name = "delivery"
urlpatterns: list[URLPattern | URLResolver] = [
    path("cohorts/", views.cohort_list, name="cohort_list"),
    path("cohorts/new/", views.cohort_create_view, name="cohort_create"),
    path("cohorts/export.<str:fmt>", views.cohort_list_export, name="cohort_list_export"),
    path(
        "cohorts/<int:pk>/export/<str:kind>.<str:fmt>",
        views.cohort_export,
        name="cohort_export",
    ),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/status/", views.cohort_status, name="cohort_status"),
    path("cohorts/<int:pk>/capacity/", views.cohort_capacity, name="cohort_capacity"),
    path("cohorts/<int:pk>/sessions/", views.session_add_view, name="session_add"),
    path("cohorts/<int:pk>/sessions/series/", views.session_series_view, name="session_series"),
    path(
        "cohorts/<int:pk>/sessions/<int:session_pk>/remove/",
        views.session_remove_view,
        name="session_remove",
    ),
    path("cohorts/<int:pk>/trainers/search/", views.trainer_search, name="trainer_search"),
    path("cohorts/<int:pk>/trainers/", views.trainer_assign_view, name="trainer_assign"),
    path(
        "cohorts/<int:pk>/trainers/<int:person_pk>/remove/",
        views.trainer_remove_view,
        name="trainer_remove",
    ),
    path("cohorts/<int:pk>/enrol/", views.enrol_list, name="enrol_list"),
    path(
        "cohorts/<int:pk>/enrolments/<int:enrolment_pk>/remove/",
        views.enrolment_remove_view,
        name="enrolment_remove",
    ),
    path(
        "cohorts/<int:pk>/enrolments/<int:enrolment_pk>/assessment/",
        views.enrolment_assessment_view,
        name="enrolment_assessment",
    ),
    path("sessions/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("courses/", views.open_courses, name="open_courses"),
    path("courses/<int:pk>/enrol/", views.self_enrol, name="self_enrol"),
    path("my-courses/", views.my_courses, name="my_courses"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw_view, name="withdraw"),
]
