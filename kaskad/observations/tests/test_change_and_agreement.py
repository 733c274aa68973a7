from __future__ import annotations

import math
from datetime import date

import pytest

from kaskad.accounts.models import User
from kaskad.core.errors import NotFoundError
from kaskad.networks.agreement import icc, weighted_kappa
from kaskad.networks.services import leading_upsert, partner_set
from kaskad.observations.models import Observation
from kaskad.observations.selectors import (
    agreement_report,
    change_for_branch,
    change_for_schools,
    network_for_report,
    report_networks,
    teacher_change,
)
from kaskad.observations.tests.factories import (
    coordinator,
    observe,
    school_in,
    teacher_in,
    teacher_user,
    trainer,
)
from kaskad.registry.models import Person
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


def _chain(
    observer: User, teacher: Person, scores: list[dict[str, int | None]]
) -> list[Observation]:
    previous: Observation | None = None
    made: list[Observation] = []
    for month, score in enumerate(scores, start=1):
        previous = observe(
            observer,
            teacher,
            score=score,
            observed_on=date(2026, month, 10),
            previous_id=previous.pk if previous else None,
            priorities=("AFL1", "QUES1"),
        )
        made.append(previous)
    return made


def test_teacher_change_shows_scores_over_time_and_whether_priorities_improved() -> None:
    teacher = teacher_in(school_in("ALA"))
    observer = coordinator("ALA")
    _chain(observer, teacher, [{"AFL1": 2, "QUES1": 3}, {"AFL1": 4, "QUES1": 3}])
    person, timelines = teacher_change(user=observer, teacher_id=teacher.pk)
    assert person == teacher
    (timeline,) = timelines
    rows = {e.code: values for e, values in timeline.rows}
    assert rows["AFL1"] == [2, 4] and rows["QUES1"] == [3, 3]
    outcome = {(p.element.code, p.observed_on.month): p.improved for p in timeline.priorities}
    assert outcome[("AFL1", 1)] is True
    assert outcome[("QUES1", 1)] is False
    assert outcome[("AFL1", 2)] is None  # no repeat of the repeat yet
    # The teacher sees their own; a coordinator elsewhere sees nothing, as if none existed.
    assert teacher_change(user=teacher_user(teacher), teacher_id=teacher.pk)[0] == teacher
    with pytest.raises(NotFoundError):
        teacher_change(user=coordinator("AST"), teacher_id=teacher.pk)


def test_change_for_schools_is_the_mean_change_from_first_to_latest_repeat() -> None:
    school_a, school_b = school_in("ALA"), school_in("ALA")
    observer = coordinator("ALA")
    # Teacher 1: PLAN1 2 → 3 → 4 (first to latest: +2). Teacher 2: PLAN1 3 → 4 (+1).
    _chain(observer, teacher_in(school_a), [{"PLAN1": 2}, {"PLAN1": 3}, {"PLAN1": 4}])
    _chain(observer, teacher_in(school_b), [{"PLAN1": 3, "DIFF2": None}, {"PLAN1": 4, "DIFF2": 4}])
    # Observed once only: no change to count.
    observe(observer, teacher_in(school_b), score=1)
    (change,) = change_for_schools(school_ids=[school_a.pk, school_b.pk])
    assert change.teachers == 2
    plan = next(e for e in change.elements if e.code == "PLAN1")
    assert plan.n == 2
    assert plan.mean_first == pytest.approx(2.5) and plan.mean_repeat == pytest.approx(4.0)
    assert plan.mean_change == pytest.approx(1.5)
    diff2 = next(e for e in change.elements if e.code == "DIFF2")
    assert diff2.n == 1  # not applicable at the first observation of teacher 2
    (only_a,) = change_for_schools(school_ids=[school_a.pk])
    assert next(e for e in only_a.elements if e.code == "PLAN1").mean_change == pytest.approx(2)
    (by_branch,) = change_for_branch(branch_id=branch("ALA").pk)
    assert by_branch.teachers == 2
    assert change_for_branch(branch_id=branch("AST").pk) == []


def test_agreement_report_per_observer_pair_and_element() -> None:
    school = school_in("ALA")
    first, second = coordinator("ALA"), trainer("ALA")
    plan_a = [1, 2, 3, 4, 5, 3]
    plan_b = [1, 3, 3, 4, 4, 3]
    for day, (a, b) in enumerate(zip(plan_a, plan_b, strict=True), start=1):
        teacher = teacher_in(school)
        original = observe(first, teacher, score={"PLAN1": a}, observed_on=date(2026, 2, day))
        observe(
            second,
            teacher,
            score={"PLAN1": b},
            observed_on=date(2026, 2, day),
            double_of_id=original.pk,
            priorities=(),
        )
    (pair,) = agreement_report(user=coordinator("ALA"), version_id=original.version_id)
    assert pair.lessons == 6
    assert {pair.observer_a.pk, pair.observer_b.pk} == {first.pk, second.pk}
    row = next(r for r in pair.elements if r.element.code == "PLAN1")
    assert row.n == 6
    assert row.exact == pytest.approx(4 / 6) and row.adjacent == pytest.approx(1.0)
    col_a, col_b = (plan_a, plan_b) if pair.observer_a == first else (plan_b, plan_a)
    assert row.kappa == pytest.approx(weighted_kappa(col_a, col_b, [1, 2, 3, 4, 5]).kappa)
    expected = icc([[x, y] for x, y in zip(col_a, col_b, strict=True)])
    assert row.icc2_1 == pytest.approx(expected.icc2_1.value)
    assert row.icc3_1 == pytest.approx(expected.icc3_1.value)
    # Every lesson scored 3 by both on the other elements: kappa undefined, not a crash.
    constant = next(r for r in pair.elements if r.element.code == "AFL2")
    assert constant.exact == 1.0 and constant.kappa is None
    assert constant.icc2_1 is None or math.isnan(constant.icc2_1) is False
    # Out of scope: another branch's coordinator gets an empty report.
    assert agreement_report(user=coordinator("AST"), version_id=original.version_id) == []


def test_a_network_aggregates_its_leading_and_partner_schools_of_that_year() -> None:
    lead, partner, outsider = school_in("ALA"), school_in("ALA"), school_in("ALA")
    observer = coordinator("ALA")
    _chain(observer, teacher_in(lead), [{"PLAN1": 2}, {"PLAN1": 4}])
    _chain(observer, teacher_in(partner), [{"PLAN1": 3}, {"PLAN1": 4}])
    _chain(observer, teacher_in(outsider), [{"PLAN1": 1}, {"PLAN1": 1}])
    leading = leading_upsert(year=2025, school=lead, by=None)
    partner_set(leading=leading, school=partner, by=None)

    found, school_ids = network_for_report(user=observer, pk=leading.pk)
    assert found == leading and set(school_ids) == {lead.pk, partner.pk}
    (change,) = change_for_schools(school_ids=school_ids)
    plan = next(e for e in change.elements if e.code == "PLAN1")
    assert (change.teachers, plan.n) == (2, 2)
    assert plan.mean_change == pytest.approx(1.5)  # (+2 and +1); the outsider's 0 is not in
    assert report_networks(user=observer) == [leading]
    # Another branch's coordinator: the network does not exist for them.
    with pytest.raises(NotFoundError):
        network_for_report(user=coordinator("AST"), pk=leading.pk)
    assert report_networks(user=coordinator("AST")) == []
