"""Builders for lesson observation tests: the seeded instrument, observers and records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.observations.models import Element, InstrumentVersion, Observation
from kaskad.observations.services import ObservationData, ScoreInput, observation_record
from kaskad.registry.models import Organisation, Person
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person


def seeded_version() -> InstrumentVersion:
    return InstrumentVersion.objects.get(instrument__code="KLO", number=1)


def elements(version: InstrumentVersion | None = None) -> list[Element]:
    version = version or seeded_version()
    return list(version.elements.order_by("domain__order", "order"))


def school_in(code: str = "ALA", **extra: Any) -> Organisation:
    return make_organisation(area=area_of(code), **extra)


def teacher_in(school: Organisation, **extra: Any) -> Person:
    return make_person(organisation=school, **extra)


def coordinator(code: str = "ALA") -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch(code))])


def trainer(code: str = "ALA") -> User:
    person = make_person(organisation=school_in(code), position="trainer")
    return make_user(roles=[(Role.TRAINER, None)], person=person)


def leader(school: Organisation) -> User:
    return make_user(roles=[(Role.SCHOOL_LEADER, school)])


def teacher_user(person: Person) -> User:
    return make_user(roles=[(Role.TEACHER, None)], person=person)


def data_for(
    teacher: Person,
    *,
    score: int | dict[str, int | None] = 3,
    version: InstrumentVersion | None = None,
    observed_on: date = date(2026, 3, 2),
    evidence: str = "Pupils explained their answers to a partner.",
    priorities: tuple[str, ...] = ("AFL1",),
    **extra: Any,
) -> ObservationData:
    version = version or seeded_version()
    items = elements(version)
    by_code = {e.code: e for e in items}

    def value(element: Element) -> int | None:
        if isinstance(score, dict):
            return score.get(element.code, 3)
        return score

    return ObservationData(
        client_id=extra.pop("client_id", None) or uuid.uuid4(),
        version_id=version.pk,
        teacher_id=teacher.pk,
        subject=extra.pop("subject", "mathematics"),
        grade=extra.pop("grade", 7),
        observed_on=observed_on,
        focus=extra.pop("focus", "Fractions: comparing with unlike denominators"),
        strengths=extra.pop("strengths", "Clear objective; pupils worked in pairs."),
        next_steps=extra.pop("next_steps", "Plan hinge questions for the middle of the lesson."),
        priority_element_ids=[by_code[c].pk for c in priorities],
        scores=[ScoreInput(e.pk, value(e), evidence) for e in items],
        **extra,
    )


def observe(by: User, teacher: Person, **kwargs: Any) -> Observation:
    observation, _created = observation_record(by=by, data=data_for(teacher, **kwargs))
    return observation
