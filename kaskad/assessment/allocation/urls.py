from django.urls import URLPattern, URLResolver, path

from kaskad.assessment.allocation import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("allocation/", views.allocation_dashboard, name="allocation_dashboard"),
    path("allocation/run/", views.allocation_run, name="allocation_run"),
    path("allocation/overdue/", views.allocation_overdue, name="allocation_overdue"),
    path("allocation/unallocated/", views.allocation_unallocated, name="allocation_unallocated"),
    path(
        "allocation/tasks/<int:pk>/reallocate/",
        views.assignment_reallocate_view,
        name="assignment_reallocate",
    ),
    path(
        "allocation/portfolios/<int:pk>/assign/",
        views.portfolio_assign_view,
        name="portfolio_assign",
    ),
    path("allocation/assessors/", views.allocation_assessors, name="allocation_assessors"),
    path(
        "allocation/assessors/new/",
        views.accreditation_create_view,
        name="accreditation_create",
    ),
    path(
        "allocation/assessors/<int:pk>/edit/",
        views.accreditation_edit_view,
        name="accreditation_edit",
    ),
    path(
        "allocation/assessors/<int:pk>/deactivate/",
        views.accreditation_deactivate_view,
        name="accreditation_deactivate",
    ),
    path("rubrics/versions/<int:version_pk>/", views.rubric_detail, name="rubric_detail"),
    path(
        "rubrics/versions/<int:version_pk>/standard/",
        views.rubric_create_standard_view,
        name="rubric_create_standard",
    ),
]
