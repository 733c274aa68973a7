from django.urls import URLPattern, URLResolver, path

from kaskad.delivery.views import (
    attendance,
    cohorts,
    courses,
    enrolment,
    sessions,
    trainers,
)

app_name = "delivery"
urlpatterns: list[URLPattern | URLResolver] = [
    path("cohorts/", cohorts.cohort_list, name="cohort_list"),
    path("cohorts/new/", cohorts.cohort_create_view, name="cohort_create"),
    path("cohorts/export.<str:fmt>", cohorts.cohort_list_export, name="cohort_list_export"),
    path(
        "cohorts/<int:pk>/export/<str:kind>.<str:fmt>",
        cohorts.cohort_export,
        name="cohort_export",
    ),
    path("cohorts/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("cohorts/<int:pk>/status/", cohorts.cohort_status, name="cohort_status"),
    path("cohorts/<int:pk>/capacity/", cohorts.cohort_capacity, name="cohort_capacity"),
    path("cohorts/<int:pk>/sessions/", sessions.session_add_view, name="session_add"),
    path("cohorts/<int:pk>/sessions/series/", sessions.session_series_view, name="session_series"),
    path(
        "cohorts/<int:pk>/sessions/<int:session_pk>/remove/",
        sessions.session_remove_view,
        name="session_remove",
    ),
    path("cohorts/<int:pk>/trainers/search/", trainers.trainer_search, name="trainer_search"),
    path("cohorts/<int:pk>/trainers/", trainers.trainer_assign_view, name="trainer_assign"),
    path(
        "cohorts/<int:pk>/trainers/<int:person_pk>/remove/",
        trainers.trainer_remove_view,
        name="trainer_remove",
    ),
    path("cohorts/<int:pk>/enrol/", enrolment.enrol_list, name="enrol_list"),
    path(
        "cohorts/<int:pk>/enrolments/<int:enrolment_pk>/remove/",
        enrolment.enrolment_remove_view,
        name="enrolment_remove",
    ),
    path(
        "cohorts/<int:pk>/enrolments/<int:enrolment_pk>/assessment/",
        enrolment.enrolment_assessment_view,
        name="enrolment_assessment",
    ),
    path("sessions/<int:pk>/attendance/", attendance.attendance, name="attendance"),
    path("courses/", courses.open_courses, name="open_courses"),
    path("courses/<int:pk>/enrol/", courses.self_enrol, name="self_enrol"),
    path("my-courses/", courses.my_courses, name="my_courses"),
    path("enrolments/<int:pk>/withdraw/", courses.enrolment_withdraw_view, name="withdraw"),
]
