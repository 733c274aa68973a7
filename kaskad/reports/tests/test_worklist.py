"""Each role's home page lists the work waiting for it, each item a link to where it is done;
the API gives the same list."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.tests.factories import give_task, marking_world
from kaskad.delivery.models import Enrolment
from kaskad.delivery.services import (
    attendance_save,
    cohort_set_status,
    enrolment_request,
    trainer_assign,
)
from kaskad.delivery.tests.factories import (
    add_session,
    coordinator_of,
    make_cohort,
    make_teacher,
    make_trainer,
    national_admin,
)
from kaskad.registry.tests.factories import area_of, make_organisation

pytestmark = pytest.mark.django_db


def _home(user: Any) -> tuple[str, Any]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("home"))
    return response.content.decode(), client


def _running_cohort_with_a_trainer() -> tuple[Any, Any, Any]:
    admin = national_admin()
    today = timezone.localdate()
    cohort = make_cohort(starts_on=today - timedelta(days=3), status="open", by=admin)
    past = add_session(cohort, day=0, by=admin)
    add_session(cohort, day=10, by=admin)  # in the future: not yet to mark
    person, user = make_trainer(programme=cohort.version.programme)
    trainer_assign(cohort=cohort, person=person, by=admin)
    enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    return cohort, past, user


def test_a_trainer_sees_the_sessions_to_mark_until_they_are_marked() -> None:
    cohort, past, user = _running_cohort_with_a_trainer()
    page, client = _home(user)
    attendance = reverse("delivery:attendance", args=[past.pk])
    assert "Attendance to mark" in page and f'href="{attendance}"' in page
    assert page.count("/attendance/") == 1  # the future session is not listed
    sections = client.get("/api/me/worklist").json()
    assert [s["kind"] for s in sections if s["total"]] == ["attendance_to_mark"]
    enrolment = Enrolment.objects.get(cohort=cohort)
    attendance_save(session=past, marks={enrolment.pk: "present"}, by=national_admin())
    page, _client = _home(user)
    assert f'href="{attendance}"' not in page


def test_a_coordinator_sees_cohorts_starting_soon_and_overdue_attendance() -> None:
    admin = national_admin()
    today = timezone.localdate()
    soon = make_cohort(starts_on=today + timedelta(days=10), status="open", by=admin)
    far = make_cohort(starts_on=today + timedelta(days=90), status="open", by=admin)
    _cohort, past, _trainer = _running_cohort_with_a_trainer()
    page, client = _home(coordinator_of("ALA"))
    assert reverse("delivery:cohort_detail", args=[soon.pk]) in page
    assert reverse("delivery:cohort_detail", args=[far.pk]) not in page
    assert "no trainer" in page and "25 of 25 seats free" in page
    assert "Attendance overdue" in page
    assert reverse("delivery:attendance", args=[past.pk]) in page
    kinds = {s["kind"]: s for s in client.get("/api/me/worklist").json()}
    assert kinds["cohorts_starting_soon"]["total"] == 1
    assert kinds["cohorts_starting_soon"]["items"][0]["due"] == str(soon.starts_on)
    assert kinds["attendance_overdue"]["total"] == 1
    assert "portfolios_unallocated" in kinds
    # Another branch's coordinator sees none of it.
    other, _client = _home(coordinator_of("AST"))
    assert reverse("delivery:cohort_detail", args=[soon.pk]) not in other


def test_an_assessor_sees_their_tasks_by_due_date() -> None:
    world = marking_world(percent=0)
    task = give_task(world.portfolio, world.assessors[0])
    page, _client = _home(world.assessors[0][1])
    assert "Portfolios to assess" in page
    assert reverse("assessment:marking_task", args=[task.pk]) in page
    assert "due " in page


def test_a_school_leader_sees_their_teachers_training() -> None:
    admin = national_admin()
    school = make_organisation(area=area_of("ALA"))
    cohort = make_cohort(status="open", by=admin)
    for _ in range(2):
        enrolment_request(cohort=cohort, person=make_teacher(organisation=school), by=admin)
    leader = make_user(roles=[(Role.SCHOOL_LEADER, school)])
    page, _client = _home(leader)
    assert "Your teachers&#x27; training" in page or "Your teachers' training" in page
    assert "In training now" in page


def test_an_analyst_has_the_cohorts_in_the_menu_read_only() -> None:
    analyst = make_user(roles=[(Role.ANALYST, None)])
    cohort = make_cohort()
    page, client = _home(analyst)
    assert reverse("delivery:cohort_list") in page
    detail = client.get(reverse("delivery:cohort_detail", args=[cohort.pk])).content.decode()
    assert reverse("delivery:cohort_status", args=[cohort.pk]) not in detail
