from __future__ import annotations

import uuid
from datetime import date

import pytest
from django.utils import translation

from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.core.models import AuditEntry
from kaskad.observations.instruments import seed_instrument
from kaskad.observations.models import Observation, Score
from kaskad.observations.selectors import observation_list_visible_to, version_data
from kaskad.observations.services import (
    ScoreInput,
    element_update,
    instrument_version_copy,
    instrument_version_save,
    observation_acknowledge,
    observation_record,
)
from kaskad.observations.tests.factories import (
    coordinator,
    data_for,
    elements,
    leader,
    observe,
    school_in,
    seeded_version,
    teacher_in,
    teacher_user,
    trainer,
)

pytestmark = pytest.mark.django_db


def test_the_seeded_instrument_covers_the_centres_focus_in_three_languages() -> None:
    version = seeded_version()
    assert version.status == "published"
    domains = list(version.domains.order_by("order"))
    assert [d.code for d in domains] == ["PLAN", "AFL", "QUES", "DIFF", "CULT", "ENG"]
    for element in elements(version):
        assert all(getattr(element, f"name_{lang}") for lang in ("kk", "ru", "en"))
        assert [b.level for b in element.behaviours.all()] == [1, 3, 5]
        for behaviour in element.behaviours.all():
            assert all(getattr(behaviour, f"text_{lang}") for lang in ("kk", "ru", "en"))
    with translation.override("ru"):
        assert domains[1].__class__.objects.get(pk=domains[1].pk).name == "Оценивание для обучения"
    assert version_data(version) == seed_instrument()


def test_an_observation_is_recorded_with_its_scores_and_audited() -> None:
    school = school_in("ALA")
    teacher = teacher_in(school)
    observer = coordinator("ALA")
    observation = observe(observer, teacher, score={"AFL1": 2, "DIFF2": None})
    assert observation.school == school
    assert observation.branch.code == "ALA"
    assert Score.objects.filter(observation=observation).count() == 12
    assert Score.objects.get(observation=observation, element__code="DIFF2").value is None
    assert [p.code for p in observation.priorities.all()] == ["AFL1"]
    assert (
        AuditEntry.objects.filter(action="create", object_type="observations.observation").count()
        == 1
    )


def test_the_same_submission_twice_saves_one_observation() -> None:
    teacher = teacher_in(school_in("ALA"))
    observer = trainer("ALA")
    data = data_for(teacher, client_id=uuid.uuid4())
    first, created = observation_record(by=observer, data=data)
    again, created_again = observation_record(by=observer, data=data)
    assert created and not created_again and first.pk == again.pk
    assert Observation.objects.count() == 1
    # Someone else replaying the id learns nothing about it.
    with pytest.raises(NotFoundError):
        observation_record(by=coordinator("ALA"), data=data)


@pytest.mark.parametrize(
    ("change", "code", "field_prefix"),
    [
        ({"score": {"PLAN1": 6}}, "score_out_of_scale", "score_"),
        ({"score": {"PLAN1": 0}}, "score_out_of_scale", "score_"),
        ({"score": {"PLAN1": None}}, "score_na_not_allowed", "score_"),
        ({"evidence": "  "}, "evidence_missing", "evidence_"),
        ({"priorities": ()}, "priorities_count", "priorities"),
        ({"priorities": ("PLAN1", "AFL1", "ENG2")}, "priorities_count", "priorities"),
        ({"focus": ""}, "focus_missing", "focus"),
        ({"strengths": ""}, "strengths_missing", "strengths"),
        ({"next_steps": " "}, "next_steps_missing", "next_steps"),
        ({"grade": 13}, "grade_range", "grade"),
        ({"observed_on": date(2999, 1, 1)}, "date_in_future", "observed_on"),
    ],
)
def test_bad_observations_are_refused_and_nothing_is_written(
    change: dict, code: str, field_prefix: str
) -> None:
    teacher = teacher_in(school_in("ALA"))
    with pytest.raises(DomainError) as caught:
        observe(coordinator("ALA"), teacher, **change)
    assert caught.value.code == code
    assert (caught.value.field or "").startswith(field_prefix)
    assert Observation.objects.count() == 0 and Score.objects.count() == 0


def test_a_missing_score_is_refused() -> None:
    teacher = teacher_in(school_in("ALA"))
    data = data_for(teacher)
    data.scores = data.scores[:-1]
    with pytest.raises(DomainError) as caught:
        observation_record(by=coordinator("ALA"), data=data)
    assert caught.value.code == "score_missing"
    data = data_for(teacher)
    data.scores.append(ScoreInput(data.scores[0].element_id, 3, "again"))
    with pytest.raises(DomainError) as caught:
        observation_record(by=coordinator("ALA"), data=data)
    assert caught.value.code == "score_twice"


def test_who_may_observe_whom() -> None:
    school = school_in("ALA")
    teacher = teacher_in(school)
    other_branch_teacher = teacher_in(school_in("AST"))
    assert observe(leader(school), teacher).pk
    assert observe(trainer("ALA"), teacher, client_id=uuid.uuid4()).pk
    for observer, person in (
        (coordinator("AST"), teacher),
        (trainer("AST"), teacher),
        (leader(school_in("ALA")), teacher),
        (leader(school), other_branch_teacher),
        (teacher_user(teacher_in(school)), teacher),
    ):
        with pytest.raises(NotFoundError):
            observe(observer, person)


def test_who_sees_which_observation() -> None:
    school = school_in("ALA")
    teacher = teacher_in(school)
    observation = observe(coordinator("ALA"), teacher)
    seeing = [
        coordinator("ALA"),
        trainer("ALA"),
        leader(school),
        teacher_user(teacher),
    ]
    blind = [
        coordinator("AST"),
        trainer("AST"),
        leader(school_in("ALA")),
        teacher_user(teacher_in(school)),
    ]
    for user in seeing:
        assert observation_list_visible_to(user).filter(pk=observation.pk).exists()
    for user in blind:
        assert not observation_list_visible_to(user).filter(pk=observation.pk).exists()


def test_a_repeat_follows_an_earlier_observation_of_the_same_teacher_and_version() -> None:
    school = school_in("ALA")
    teacher = teacher_in(school)
    observer = coordinator("ALA")
    first = observe(observer, teacher, observed_on=date(2026, 1, 20))
    repeat = observe(observer, teacher, observed_on=date(2026, 3, 20), previous_id=first.pk)
    assert repeat.previous == first
    with pytest.raises(DomainError) as caught:
        observe(observer, teacher, observed_on=date(2026, 1, 10), previous_id=first.pk)
    assert caught.value.code == "repeat_not_later"
    with pytest.raises(DomainError) as caught:
        observe(observer, teacher_in(school), observed_on=date(2026, 3, 1), previous_id=first.pk)
    assert caught.value.code == "repeat_mismatch"
    hidden = observe(coordinator("AST"), teacher_in(school_in("AST")))
    with pytest.raises(NotFoundError):
        observe(observer, teacher, previous_id=hidden.pk)


def test_a_version_with_observations_is_refused_and_a_new_version_is_made() -> None:
    version = seeded_version()
    element = elements(version)[0]
    admin = coordinator("ALA")
    # No observations yet: it may still be corrected.
    element_update(element=element, by=admin, scale=4)
    element_update(element=element, by=admin, scale=5)
    observe(admin, teacher_in(school_in("ALA")))
    with pytest.raises(StateConflict) as caught:
        element_update(element=element, by=admin, scale=7)
    assert caught.value.code == "version_in_use"
    assert "create a new version" in str(caught.value.message)
    with pytest.raises(StateConflict):
        instrument_version_save(data=seed_instrument(), by=admin)
    element.refresh_from_db()
    assert element.scale_max == 5
    copy = instrument_version_copy(version=version, by=admin)
    assert copy.number == 2 and copy.status == "draft"
    assert copy.elements.count() == 12
    element_update(element=copy.elements.get(code="PLAN1"), by=admin, scale=7)


def test_the_teacher_acknowledges_with_a_reflection_once() -> None:
    teacher = teacher_in(school_in("ALA"))
    observation = observe(coordinator("ALA"), teacher)
    with pytest.raises(NotFoundError):
        observation_acknowledge(observation=observation, by=coordinator("ALA"), reflection="x")
    me = teacher_user(teacher)
    with pytest.raises(DomainError) as caught:
        observation_acknowledge(observation=observation, by=me, reflection=" ")
    assert caught.value.code == "reflection_missing"
    done = observation_acknowledge(
        observation=observation, by=me, reflection="I will plan hinge questions."
    )
    assert done.acknowledged_at is not None
    with pytest.raises(StateConflict):
        observation_acknowledge(observation=done, by=me, reflection="again")


def test_a_second_coding_is_by_another_observer_of_the_same_lesson() -> None:
    teacher = teacher_in(school_in("ALA"))
    first_observer = coordinator("ALA")
    original = observe(first_observer, teacher)
    with pytest.raises(DomainError) as caught:
        observe(first_observer, teacher, double_of_id=original.pk)
    assert caught.value.code == "second_same_observer"
    second_observer = trainer("ALA")
    with pytest.raises(DomainError) as caught:
        observe(second_observer, teacher, double_of_id=original.pk, observed_on=date(2026, 3, 3))
    assert caught.value.code == "second_mismatch"
    second = observe(second_observer, teacher, double_of_id=original.pk, priorities=())
    assert second.double_of == original
    with pytest.raises(StateConflict):
        observe(second_observer, teacher, double_of_id=original.pk)
