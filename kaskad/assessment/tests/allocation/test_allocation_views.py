"""Allocation pages and API: national administrators act; branch coordinators read their own
branch only; teachers, assessors and other branches get 404."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.allocation.services import allocate_submitted
from kaskad.assessment.allocation.tasks import run_allocation_job
from kaskad.assessment.models import (
    AssessorAccreditation,
    Assignment,
    AssignmentStatus,
    Portfolio,
    PortfolioStatus,
    Rubric,
)
from kaskad.assessment.tests.factories import make_assessor, make_portfolio, make_rubric
from kaskad.core.models import Job
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> dict:
    version = make_version()
    rubric = make_rubric(version=version)
    ala = make_cohort(version=version, status="open", capacity=50, branch_obj=branch("ALA"))
    ast = make_cohort(version=version, status="open", capacity=50, branch_obj=branch("AST"))
    assessor, assessor_user = make_assessor(
        programme=version.programme, branch_code="KAR", capacity=10
    )
    return {
        "version": version,
        "rubric": rubric,
        "ala": make_portfolio(cohort=ala, status=PortfolioStatus.SUBMITTED),
        "ast": make_portfolio(cohort=ast, status=PortfolioStatus.SUBMITTED),
        "assessor": assessor,
        "assessor_user": assessor_user,
    }


PAGES = [
    "assessment:allocation_dashboard",
    "assessment:allocation_overdue",
    "assessment:allocation_unallocated",
    "assessment:allocation_assessors",
]


@pytest.mark.parametrize("name", PAGES)
def test_national_admin_sees_every_page_with_actions(world: dict, name: str) -> None:
    response = _client(national_admin()).get(reverse(name))
    assert response.status_code == 200


def test_dashboard_counts_and_the_unallocated_queue(world: dict) -> None:
    client = _client(national_admin())
    page = client.get(reverse("assessment:allocation_dashboard")).content.decode()
    assert "Allocate now" in page and world["version"].programme.code in page
    queue = client.get(reverse("assessment:allocation_unallocated")).content.decode()
    assert str(world["ala"]) in queue and str(world["ast"]) in queue
    assert "Find an assessor" in queue


def test_coordinator_reads_own_branch_only_and_cannot_act(world: dict) -> None:
    client = _client(coordinator_of("ALA"))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200
    queue = client.get(reverse("assessment:allocation_unallocated")).content.decode()
    assert str(world["ala"]) in queue and str(world["ast"]) not in queue
    assert "Find an assessor" not in queue
    dashboard = client.get(reverse("assessment:allocation_dashboard")).content.decode()
    assert "Allocate now" not in dashboard
    # Writes are not there for a coordinator.
    assert client.post(reverse("assessment:allocation_run")).status_code == 404
    assert (
        client.post(
            reverse("assessment:portfolio_assign", args=[world["ala"].pk]), {"role": "first"}
        ).status_code
        == 404
    )
    accreditation = AssessorAccreditation.objects.get()
    response = client.post(
        reverse("assessment:accreditation_deactivate", args=[accreditation.pk]), {"reason": "x"}
    )
    assert response.status_code == 404
    assert client.get(reverse("assessment:accreditation_create")).status_code == 404
    assert not Assignment.objects.exists() and AssessorAccreditation.objects.get().active


@pytest.mark.parametrize("name", PAGES)
def test_teachers_and_assessors_get_404(world: dict, name: str) -> None:
    teacher = teacher_user(make_teacher())
    assert _client(teacher).get(reverse(name)).status_code == 404
    assert _client(world["assessor_user"]).get(reverse(name)).status_code == 404


def test_allocate_now_runs_as_a_job_with_progress(world: dict) -> None:
    admin = national_admin()
    client = _client(admin)
    response = client.post(reverse("assessment:allocation_run"), {"programme": ""})
    assert response.status_code == 302
    job = Job.objects.get(kind="allocation")
    assert job.status == Job.Status.QUEUED and job.created_by == admin
    # The worker's part (what db_worker runs), then the page shows the finished bar.
    run_allocation_job(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result["allocated"] == 2 and job.result["message"] == "2 portfolios allocated."
    assert (job.done, job.total) == (2, 2)
    page = client.get(reverse("assessment:allocation_dashboard")).content.decode()
    assert 'id="job-progress"' in page and "2 portfolios allocated." in page
    assert not Portfolio.objects.filter(status=PortfolioStatus.SUBMITTED).exists()


def test_reallocate_an_overdue_task_needs_a_reason(world: dict) -> None:
    admin = national_admin()
    allocate_submitted(by=admin)
    task = Assignment.objects.get(portfolio=world["ala"])
    Assignment.objects.filter(pk=task.pk).update(due_at=timezone.now() - timedelta(days=3))
    other, _u = make_assessor(programme=world["version"].programme, branch_code="KAR")
    client = _client(admin)
    overdue = client.get(reverse("assessment:allocation_overdue")).content.decode()
    assert "3 days late" in overdue and str(world["ala"]) in overdue
    url = reverse("assessment:assignment_reallocate", args=[task.pk])

    response = client.post(url, {"reason": ""}, follow=True)
    assert "Give a reason." in response.content.decode()
    assert Assignment.objects.get(pk=task.pk).status == AssignmentStatus.ALLOCATED

    response = client.post(url, {"reason": "Ill for two weeks"}, follow=True)
    assert "was given to another assessor" in response.content.decode()
    assert Assignment.objects.get(pk=task.pk).status == AssignmentStatus.WITHDRAWN
    assert Assignment.objects.get(portfolio=world["ala"], status="allocated").assessor == other


def test_deactivate_from_the_assessor_list(world: dict) -> None:
    admin = national_admin()
    allocate_submitted(by=admin)
    accreditation = AssessorAccreditation.objects.get(person=world["assessor"])
    client = _client(admin)
    page = client.get(reverse("assessment:allocation_assessors")).content.decode()
    assert "2 / 10" in page and "Deactivate (dropped out)" in page
    response = client.post(
        reverse("assessment:accreditation_deactivate", args=[accreditation.pk]),
        {"reason": "Dropped out"},
        follow=True,
    )
    text = response.content.decode()
    assert "The assessor is deactivated." in text and "back in the unallocated queue" in text
    assert Portfolio.objects.filter(status=PortfolioStatus.SUBMITTED).count() == 2


def test_accreditation_form_by_iin(world: dict) -> None:
    client = _client(national_admin())
    person = make_teacher(branch_code="AST")
    url = reverse("assessment:accreditation_create")
    programme = world["version"].programme
    until = (timezone.localdate() + timedelta(days=200)).isoformat()

    bad = client.post(
        url, {"iin": "123", "programme": programme.pk, "capacity": 10, "valid_until": until}
    )
    assert bad.status_code == 200 and AssessorAccreditation.objects.count() == 1
    zero = client.post(
        url, {"iin": person.iin, "programme": programme.pk, "capacity": 0, "valid_until": until}
    )
    assert zero.status_code == 200 and AssessorAccreditation.objects.count() == 1

    response = client.post(
        url,
        {
            "iin": person.iin,
            "programme": programme.pk,
            "capacity": 40,
            "valid_until": until,
            "is_moderator": "on",
        },
    )
    assert response.status_code == 302
    accreditation = AssessorAccreditation.objects.get(person=person)
    assert accreditation.capacity == 40 and accreditation.is_moderator

    edit = reverse("assessment:accreditation_edit", args=[accreditation.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"capacity": 60, "valid_until": until})
    assert response.status_code == 302
    accreditation.refresh_from_db()
    assert accreditation.capacity == 60 and not accreditation.is_moderator


def test_rubric_page_in_the_viewers_language_and_policy_for_admins(world: dict) -> None:
    url = reverse("assessment:rubric_detail", args=[world["version"].pk])
    teacher = teacher_user(make_teacher())
    page = _client(teacher).get(url).content.decode()
    assert "Unsatisfactory: any criterion is at level 1." in page
    assert "Planning of the lesson series" in page and "Save the policy" not in page
    assert _client(teacher).post(url, {"marking_days": 1}).status_code == 302
    assert Rubric.objects.get().marking_days == 7

    ru_teacher = make_user(roles=[(Role.TEACHER, None)], language="ru")
    client = _client(ru_teacher)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Планирование серии уроков" in page

    admin = _client(national_admin())
    form = {
        "second_marking_percent": 20,
        "submission_days": 14,
        "marking_days": 5,
        "resubmission_days": 14,
        "max_file_mb": 20,
        "max_files": 10,
        "good_mean": "2.5",
        "same_branch_is_conflict": "on",
    }
    assert admin.post(url, form).status_code == 302
    rubric = Rubric.objects.get()
    assert (rubric.marking_days, rubric.same_branch_is_conflict) == (5, True)
    bad = admin.post(url, {**form, "marking_days": 0})
    assert bad.status_code == 200 and "Days to mark must be a whole number" in bad.content.decode()
    assert Rubric.objects.get().marking_days == 5


def test_standard_rubric_button(world: dict) -> None:
    version = make_version()
    admin = _client(national_admin())
    url = reverse("assessment:rubric_detail", args=[version.pk])
    assert "Create the standard rubric" in admin.get(url).content.decode()
    admin.post(reverse("assessment:rubric_create_standard", args=[version.pk]))
    assert Rubric.objects.get(version=version).criteria.count() == 4
    coordinator = _client(coordinator_of("ALA"))
    assert (
        coordinator.post(
            reverse("assessment:rubric_create_standard", args=[version.pk])
        ).status_code
        == 404
    )


# --- API ----------------------------------------------------------------------------------------


def test_api_queues_and_loads_are_scoped(world: dict) -> None:
    admin = _client(national_admin())
    body = admin.get("/api/assessment/allocation/queues?kind=unallocated").json()
    assert body["count"] == 2 and {i["role"] for i in body["items"]} == {"first"}
    coordinator = _client(coordinator_of("ALA"))
    body = coordinator.get("/api/assessment/allocation/queues").json()
    assert [i["portfolio_id"] for i in body["items"]] == [world["ala"].pk]
    loads = admin.get("/api/assessment/allocation/loads").json()
    assert loads["items"][0]["capacity"] == 10 and loads["items"][0]["open"] == 0
    teacher = _client(teacher_user(make_teacher()))
    assert teacher.get("/api/assessment/allocation/queues").status_code == 404
    assert teacher.get("/api/assessment/allocation/loads").status_code == 404


def test_api_allocate_is_for_national_admins_only(world: dict) -> None:
    coordinator = _client(coordinator_of("ALA"))
    response = coordinator.post(
        "/api/assessment/allocation/run", data="{}", content_type="application/json"
    )
    assert response.status_code == 404 and not Job.objects.exists()
    admin = _client(national_admin())
    response = admin.post(
        "/api/assessment/allocation/run",
        data=json.dumps({"programme": world["version"].programme.pk}),
        content_type="application/json",
    )
    assert response.status_code == 202
    job = Job.objects.get()
    assert response.json()["job_id"] == job.pk and job.params["programme"]
    bad = admin.post(
        "/api/assessment/allocation/run",
        data=json.dumps({"programme": 10**9}),
        content_type="application/json",
    )
    assert bad.status_code == 404 and bad.json()["error"]["code"] == "unknown_programme"
    assert DBTaskResult.objects.count() <= 1  # on_commit does not fire inside the test
