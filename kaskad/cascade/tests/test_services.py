"""Granting and revoking accreditations, and who holds a valid one on a given day."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.cascade.models import Accreditation
from kaskad.cascade.selectors import valid_accreditation
from kaskad.cascade.services import accreditation_grant, accreditation_revoke
from kaskad.catalogue.services import programme_retire
from kaskad.catalogue.tests.factories import current, make_cohort, make_enrolment, make_programme
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError
from kaskad.core.models import AuditEntry
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db

START, END = date(2025, 1, 1), date(2027, 12, 31)


@pytest.fixture(autouse=True)
def _english() -> None:
    translation.activate("en")


@pytest.fixture
def admin():
    return make_user(roles=[(Role.NATIONAL_ADMIN, None)])


@pytest.fixture
def programme():
    return make_programme(code="EL")


@pytest.fixture
def person():
    return make_person(organisation=make_organisation(area=area_of("ALA")))


def grant(**values):
    defaults = {"level": "regional", "strand": "", "valid_from": START, "valid_until": END}
    return accreditation_grant(**{**defaults, **values})


def test_a_grant_is_stored_and_audited(admin, programme, person) -> None:
    accreditation = grant(person=person, programme=programme, by=admin)
    assert accreditation.granted_by == admin
    entry = AuditEntry.objects.get(object_type="cascade.accreditation", action="create")
    assert entry.changes["level"] == "regional"
    assert entry.changes["valid_until"] == END.isoformat()


def test_school_trainers_need_a_strand_others_may_not_have_one(admin, programme, person) -> None:
    with pytest.raises(DomainError) as missing:
        grant(person=person, programme=programme, level="school", by=admin)
    assert (missing.value.code, missing.value.field) == ("strand_required", "strand")
    with pytest.raises(DomainError) as forbidden:
        grant(person=person, programme=programme, level="national", strand="methods", by=admin)
    assert (forbidden.value.code, forbidden.value.field) == ("strand_not_allowed", "strand")
    with pytest.raises(DomainError) as unknown:
        grant(person=person, programme=programme, level="school", strand="chess", by=admin)
    assert unknown.value.field == "strand"
    school = grant(person=person, programme=programme, level="school", strand="research", by=admin)
    assert school.strand == "research"


def test_an_unknown_level_is_refused(admin, programme, person) -> None:
    with pytest.raises(DomainError) as error:
        grant(person=person, programme=programme, level="galactic", by=admin)
    assert error.value.field == "level"


def test_reversed_dates_are_refused(admin, programme, person) -> None:
    with pytest.raises(DomainError) as error:
        grant(
            person=person,
            programme=programme,
            valid_from=date(2026, 1, 1),
            valid_until=date(2025, 1, 1),
            by=admin,
        )
    assert (error.value.code, error.value.field) == ("dates_reversed", "valid_until")
    assert not Accreditation.objects.exists()


def test_overlapping_periods_of_the_same_accreditation_are_refused(
    admin, programme, person
) -> None:
    grant(person=person, programme=programme, by=admin)
    with pytest.raises(DomainError) as error:
        grant(
            person=person,
            programme=programme,
            valid_from=date(2027, 6, 1),
            valid_until=date(2030, 6, 1),
            by=admin,
        )
    assert error.value.code == "accreditation_overlaps"
    # The next term may start the day after; another level is another accreditation.
    grant(
        person=person,
        programme=programme,
        valid_from=date(2028, 1, 1),
        valid_until=date(2030, 12, 31),
        by=admin,
    )
    grant(person=person, programme=programme, level="national", by=admin)


def test_a_retired_programme_gets_no_new_trainers(admin, programme, person) -> None:
    programme_retire(programme=programme, by=admin)
    with pytest.raises(DomainError) as error:
        grant(person=person, programme=programme, by=admin)
    assert error.value.code == "programme_retired"


# --- earned through an enrolment --------------------------------------------------------------


def test_earned_through_a_completed_course_of_the_same_person_and_programme(
    admin, programme, person
) -> None:
    cohort = make_cohort(version=current(programme), branch=branch("ALA"), status="closed")
    enrolment = make_enrolment(cohort=cohort, person=person, status="completed")
    accreditation = grant(person=person, programme=programme, earned_through=enrolment, by=admin)
    assert accreditation.earned_through == enrolment


def test_earned_through_another_person_enrolment_is_refused(admin, programme, person) -> None:
    cohort = make_cohort(version=current(programme), branch=branch("ALA"), status="closed")
    someone_else = make_enrolment(cohort=cohort, person=make_person(), status="completed")
    with pytest.raises(DomainError) as error:
        grant(person=person, programme=programme, earned_through=someone_else, by=admin)
    assert (error.value.code, error.value.field) == (
        "enrolment_of_another_person",
        "earned_through",
    )


def test_earned_through_an_unfinished_or_other_programme_course_is_refused(
    admin, programme, person
) -> None:
    cohort = make_cohort(version=current(programme), branch=branch("ALA"))
    unfinished = make_enrolment(cohort=cohort, person=person, status="not_completed")
    with pytest.raises(DomainError) as not_done:
        grant(person=person, programme=programme, earned_through=unfinished, by=admin)
    assert not_done.value.code == "enrolment_not_completed"
    other = make_programme(code="OTHER")
    other_cohort = make_cohort(version=current(other), branch=branch("ALA"), status="closed")
    elsewhere = make_enrolment(cohort=other_cohort, person=person, status="completed")
    with pytest.raises(DomainError) as wrong:
        grant(person=person, programme=programme, earned_through=elsewhere, by=admin)
    assert wrong.value.code == "enrolment_other_programme"


# --- who may grant ---------------------------------------------------------------------------


def test_a_coordinator_grants_regional_and_school_levels_in_their_areas(programme, person) -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    grant(person=person, programme=programme, by=coordinator)
    grant(person=person, programme=programme, level="school", strand="methods", by=coordinator)
    with pytest.raises(PermissionDeniedError) as level:
        grant(person=person, programme=programme, level="national", by=coordinator)
    assert level.value.code == "level_not_allowed"
    outsider = make_person(organisation=make_organisation(area=area_of("AST")))
    with pytest.raises(NotFoundError):
        grant(person=outsider, programme=programme, by=coordinator)


def test_others_may_not_grant(programme, person) -> None:
    for role in (Role.TEACHER, Role.ANALYST, Role.TRAINER):
        user = make_user(roles=[(role, None)])
        with pytest.raises(NotFoundError):
            grant(person=person, programme=programme, by=user)


# --- revocation and validity -----------------------------------------------------------------


def test_revocation_needs_a_reason_and_happens_once(admin, programme, person) -> None:
    accreditation = grant(person=person, programme=programme, by=admin)
    with pytest.raises(DomainError) as no_reason:
        accreditation_revoke(accreditation=accreditation, reason="  ", by=admin)
    assert no_reason.value.field == "reason"
    accreditation_revoke(accreditation=accreditation, reason="Left the profession", by=admin)
    accreditation.refresh_from_db()
    assert accreditation.revoked_at is not None
    assert accreditation.revoked_reason == "Left the profession"
    with pytest.raises(DomainError) as twice:
        accreditation_revoke(accreditation=accreditation, reason="Again", by=admin)
    assert twice.value.code == "already_revoked"
    assert AuditEntry.objects.filter(object_type="cascade.accreditation").count() == 2


def test_a_coordinator_cannot_revoke_a_national_accreditation(admin, programme, person) -> None:
    national = grant(person=person, programme=programme, level="national", by=admin)
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    with pytest.raises(NotFoundError):
        accreditation_revoke(accreditation=national, reason="No", by=coordinator)


def test_valid_accreditation_on_a_day(admin, programme, person) -> None:
    regional = grant(person=person, programme=programme, by=admin)
    assert valid_accreditation(person=person, programme=programme, on=START) == regional
    assert valid_accreditation(person=person, programme=programme, on=END) == regional
    assert valid_accreditation(person=person, programme=programme, on=date(2024, 12, 31)) is None
    assert valid_accreditation(person=person, programme=programme, on=date(2028, 1, 1)) is None
    other = make_programme(code="OTHER")
    assert valid_accreditation(person=person, programme=other, on=START) is None
    # The highest level wins when several are valid.
    national = grant(person=person, programme=programme, level="national", by=admin)
    assert valid_accreditation(person=person, programme=programme, on=START) == national
    accreditation_revoke(accreditation=national, reason="Mistake", by=admin)
    assert valid_accreditation(person=person, programme=programme, on=START) == regional
