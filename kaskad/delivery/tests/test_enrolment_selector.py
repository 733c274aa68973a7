"""`cohort_get_for_enrolment` (the enrol endpoint's look-up, with a shortcut for open cohorts)
sees exactly what `cohort_get` sees, for every kind of user and cohort."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.delivery.models import Cohort
from kaskad.delivery.selectors import cohort_get, cohort_get_for_enrolment
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_trainer,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


def visible(getter: Any, user: Any, cohort: Cohort) -> bool:
    try:
        found = getter(user=user, pk=cohort.pk)
    except Http404:
        return False
    assert found.pk == cohort.pk
    return True


def test_it_agrees_with_cohort_get_for_every_user_and_cohort() -> None:
    version = make_version()
    admin = national_admin()
    cohorts = {
        f"{status}-{code}-{fmt}": make_cohort(
            version=version, branch_obj=branch(code), status=status, format=fmt, by=admin
        )
        for status in ("planned", "open", "running", "closed")
        for code in ("ALA", "AST")
        for fmt in ("classroom", "online")
    }
    enrolled = make_teacher()
    enrolment_request(cohort=cohorts["open-ALA-classroom"], person=enrolled, by=admin)
    trainer_person, trainer = make_trainer(programme=version.programme)
    from kaskad.delivery.models import CohortTrainer

    accreditation = trainer_person.accreditations.get()
    CohortTrainer.objects.create(
        cohort=cohorts["running-AST-classroom"], person=trainer_person, accreditation=accreditation
    )
    users = {
        "national admin": admin,
        "analyst": make_user(roles=[(Role.ANALYST, None)]),
        "coordinator ALA": coordinator_of("ALA"),
        "trainer": trainer,
        "teacher": teacher_user(make_teacher()),
        "enrolled teacher": teacher_user(enrolled),
        "no role, no person": make_user(),
    }
    for user_name, user in users.items():
        for cohort_name, cohort in cohorts.items():
            expected = visible(cohort_get, user, cohort)
            assert visible(cohort_get_for_enrolment, user, cohort) == expected, (
                user_name,
                cohort_name,
            )
    assert visible(cohort_get_for_enrolment, users["teacher"], cohorts["open-AST-online"])
    assert not visible(cohort_get_for_enrolment, users["teacher"], cohorts["planned-ALA-online"])
    assert visible(cohort_get_for_enrolment, users["trainer"], cohorts["running-AST-classroom"])


def test_an_open_cohort_costs_a_teacher_two_queries() -> None:
    """The roles (the user's scope) and the cohort with its version: no scope subqueries."""
    cohort = make_cohort(status="open")
    user = teacher_user(make_teacher())
    user = type(user).objects.get(pk=user.pk)  # no scope cached on the object yet
    with CaptureQueriesContext(connection) as queries:
        found = cohort_get_for_enrolment(user=user, pk=cohort.pk)
        assert found.version.programme_id == cohort.version.programme_id
    assert len(queries) == 2
    assert "delivery_enrolment" not in queries[-1]["sql"]
