""" "Due for training" reads each teacher's last completed course from the read model
(`LastCourse`); the list and the counts equal a recount from the live enrolments, after the
first sweep (a full build) and after later ones (only the people whose enrolments changed)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from kaskad.delivery.models import Enrolment, EnrolmentStatus
from kaskad.delivery.tests.factories import make_cohort, make_version
from kaskad.registry.models import Employment, Person
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person
from kaskad.reports.analytics import (
    CATEGORY_MONTHS,
    DUE_YEARS,
    due_counts,
    due_rows,
    teachers_in,
)
from kaskad.reports.models import LastCourse
from kaskad.reports.readmodels import changes_sweep, last_courses_rebuild, nightly_rebuild

pytestmark = pytest.mark.django_db


def live_recount(people: list[Person]) -> dict[int, tuple[date | None, bool, bool]]:
    """Who is due, straight from the records: (last course, training due, category due)."""
    today = timezone.localdate()
    cutoff = today - timedelta(days=365 * DUE_YEARS + 1)
    category_by = today + timedelta(days=30 * CATEGORY_MONTHS + 5)
    out: dict[int, tuple[date | None, bool, bool]] = {}
    for person in people:
        ends = [
            timezone.localdate(e.ended_at)
            for e in Enrolment.objects.filter(person=person, status=EnrolmentStatus.COMPLETED)
            if e.ended_at is not None
        ]
        last = max(ends) if ends else None
        employment = Employment.objects.get(person=person, ended_on__isnull=True, is_primary=True)
        training = last is None or last < cutoff
        category = employment.category_due_on is not None and employment.category_due_on <= (
            category_by
        )
        if training or category:
            out[person.pk] = (last, training, category)
    return out


def from_read_model() -> dict[int, tuple[date | None, bool, bool]]:
    rows = due_rows(teachers_in(scope=None), limit=None)
    return {r.person.pk: (r.last_completed, r.training_due, r.category_due) for r in rows}


def test_due_for_training_equals_the_live_recount() -> None:
    school = make_organisation(area=area_of("ALA"))
    version = make_version(title="Effective learning")
    now = timezone.now()
    cohort = make_cohort(version=version, branch_obj=branch("ALA"), status="open")
    people = [make_person(organisation=school) for _ in range(6)]
    never, old, recent, both, undone, category = people
    Employment.objects.filter(person=category).update(category_due_on=timezone.localdate())

    def completed(person: Person, days_ago: int) -> Enrolment:
        return Enrolment.objects.create(
            cohort=cohort,
            person=person,
            programme=version.programme,
            organisation=school,
            status=EnrolmentStatus.COMPLETED,
            requested_at=now - timedelta(days=days_ago + 30),
            ended_at=now - timedelta(days=days_ago),
        )

    completed(old, 4 * 365)
    completed(recent, 200)
    completed(both, 5 * 365)
    completed(both, 30)
    gone = completed(undone, 10)
    completed(category, 100)
    changes_sweep(now=now)  # the first sweep builds the read model whole
    expected = live_recount(people)
    assert set(expected) == {never.pk, old.pk, category.pk}
    assert from_read_model() == expected

    # Later changes: a completion undone, a new one; the sweep refreshes those people only.
    Enrolment.objects.filter(pk=gone.pk).update(
        status=EnrolmentStatus.NOT_COMPLETED, updated_at=timezone.now()
    )
    completed(old, 1)
    changes_sweep(now=timezone.now() + timedelta(seconds=5))
    expected = live_recount(people)
    assert set(expected) == {never.pk, undone.pk, category.pk}
    assert from_read_model() == expected
    assert not LastCourse.objects.filter(person=undone).exists()

    counts: dict[str, Any] = due_counts(teachers_in(scope=None), group="organisation_id")[0]
    assert counts["teachers"] == 6
    assert counts["due_any"] == 3
    assert counts["training_due"] == 2  # never trained; the undone completion
    assert counts["category_due"] == 1

    # The nightly rebuild gives the same rows as the sweep kept.
    kept = set(LastCourse.objects.values_list("person_id", "completed_at"))
    nightly_rebuild()
    assert set(LastCourse.objects.values_list("person_id", "completed_at")) == kept
    assert last_courses_rebuild() == len(kept)
