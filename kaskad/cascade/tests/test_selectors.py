"""Reads of the cascade: who sees which trainers, and the lineage of who trained whom."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.cascade.selectors import (
    TrainerFilters,
    accreditation_list,
    cascade_lineage,
    trainer_get,
)
from kaskad.cascade.services import accreditation_grant, accreditation_revoke
from kaskad.catalogue.tests.factories import (
    current,
    make_cohort,
    make_enrolment,
    make_programme,
    make_trainer_row,
)
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db


def grant(person, programme, level="regional", strand="", earned_through=None, **dates):
    return accreditation_grant(
        person=person,
        programme=programme,
        level=level,
        strand=strand,
        valid_from=dates.get("valid_from", date(2020, 1, 1)),
        valid_until=dates.get("valid_until", date(2030, 12, 31)),
        earned_through=earned_through,
        by=None,
    )


def people_of(qs) -> set[int]:
    return {a.person_id for a in qs}


def test_a_coordinator_sees_trainers_of_their_areas_and_national_trainers() -> None:
    programme = make_programme()
    here = make_person(organisation=make_organisation(area=area_of("ALA")))
    there = make_person(organisation=make_organisation(area=area_of("AST")))
    national = make_person(organisation=make_organisation(area=area_of("AST")))
    grant(here, programme)
    grant(there, programme)
    grant(national, programme, level="national")
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    teacher = make_user(roles=[(Role.TEACHER, None)], person=there)
    assert people_of(accreditation_list(user=coordinator)) == {here.pk, national.pk}
    assert people_of(accreditation_list(user=admin)) == {here.pk, there.pk, national.pk}
    assert people_of(accreditation_list(user=teacher)) == {there.pk}  # only oneself
    with pytest.raises(Http404):
        trainer_get(user=coordinator, pk=there.pk)
    assert trainer_get(user=coordinator, pk=national.pk) == national


def test_filters_by_programme_level_strand_and_validity() -> None:
    el, fl = make_programme(code="EL"), make_programme(code="FL")
    a, b, c = (make_person() for _ in range(3))
    grant(a, el)
    grant(b, fl, level="school", strand="research")
    expired = grant(c, el, valid_from=date(2015, 1, 1), valid_until=date(2018, 1, 1))
    revoked = grant(a, fl, level="national")
    accreditation_revoke(accreditation=revoked, reason="Mistake", by=None)
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    on = date(2025, 1, 1)

    def pks(**filters):
        return {
            x.pk for x in accreditation_list(user=admin, filters=TrainerFilters(on=on, **filters))
        }

    assert len(pks(programme=el.pk)) == 2
    assert people_of(accreditation_list(user=admin, filters=TrainerFilters(strand="research"))) == {
        b.pk
    }
    assert pks(validity="expired") == {expired.pk, revoked.pk}
    assert len(pks(validity="valid")) == 2
    assert len(pks(level="school")) == 1


def _chain():
    """national N trains R1 and R2 (regional) in cohort C1; R1 trains S (school) in C2."""
    programme = make_programme(code="EL")
    version = current(programme)
    n, r1, r2, s = (make_person() for _ in range(4))
    n_acc = grant(n, programme, level="national")
    c1 = make_cohort(version=version, branch=branch("AST"), status="closed", code="C1")
    make_trainer_row(cohort=c1, accreditation=n_acc)
    r1_acc = grant(r1, programme, earned_through=make_enrolment(cohort=c1, person=r1))
    grant(r2, programme, earned_through=make_enrolment(cohort=c1, person=r2))
    c2 = make_cohort(version=version, branch=branch("ALA"), status="closed", code="C2")
    make_trainer_row(cohort=c2, accreditation=r1_acc)
    grant(
        s,
        programme,
        level="school",
        strand="methods",
        earned_through=make_enrolment(cohort=c2, person=s),
    )
    return n, r1, r2, s


def test_lineage_upwards_goes_to_the_top() -> None:
    n, r1, _r2, s = _chain()
    lineage = cascade_lineage(person=s)
    assert [(link.person, link.cohort_code, link.depth) for link in lineage.up] == [(r1, "C2", 1)]
    assert [(link.person, link.cohort_code) for link in lineage.up[0].children] == [(n, "C1")]
    assert lineage.up[0].accreditation.level == "regional"  # type: ignore[union-attr]
    assert lineage.down == []


def test_lineage_downwards_reaches_everyone_trained_below() -> None:
    n, r1, r2, s = _chain()
    lineage = cascade_lineage(person=n)
    assert lineage.up == []
    assert sorted(link.person.pk for link in lineage.down) == sorted([r1.pk, r2.pk])
    r1_link = next(link for link in lineage.down if link.person == r1)
    assert [(link.person, link.cohort_code, link.depth) for link in r1_link.children] == [
        (s, "C2", 2)
    ]
    assert lineage.people() == {r1.pk, r2.pk, s.pk}


def test_lineage_in_the_middle_goes_both_ways() -> None:
    n, r1, _r2, s = _chain()
    lineage = cascade_lineage(person=r1)
    assert [link.person for link in lineage.up] == [n]
    assert [link.person for link in lineage.down] == [s]


def test_lineage_takes_a_few_queries_per_level_not_per_person() -> None:
    n, *_rest = _chain()
    with CaptureQueriesContext(connection) as small:
        cascade_lineage(person=n)
    programme = current(make_programme(code="EL2"))
    extra = make_cohort(version=programme, branch=branch("AST"), status="closed")
    n_acc = grant(n, programme.programme, level="national")
    make_trainer_row(cohort=extra, accreditation=n_acc)
    for _ in range(8):
        trainee = make_person()
        grant(
            trainee,
            programme.programme,
            earned_through=make_enrolment(cohort=extra, person=trainee),
        )
    with CaptureQueriesContext(connection) as big:
        lineage = cascade_lineage(person=n)
    assert len(lineage.down) == 10
    assert len(big.captured_queries) == len(small.captured_queries)
