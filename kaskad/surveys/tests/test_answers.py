"""Answering: the server checks every answer (skip logic, constraints, types) whatever the
browser sent; a public form posted twice is kept once; and a response cannot be joined back
to who gave it from anything in the database."""

from __future__ import annotations

import json
import random
import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from kaskad.assessment.tests.factories import enrol
from kaskad.core.errors import StateConflict
from kaskad.delivery.tests.factories import coordinator_of, make_cohort, make_teacher, teacher_user
from kaskad.registry.tests.factories import branch
from kaskad.surveys.models import Audience, Response, Submission
from kaskad.surveys.services import (
    AnswersInvalid,
    SurveyFields,
    response_submit,
    response_submit_public,
    survey_create,
    survey_publish,
    survey_question_add,
)
from kaskad.surveys.tests.factories import GOOD_ANSWERS, public_survey

pytestmark = pytest.mark.django_db


def test_a_public_answer_is_stored_with_the_day_only() -> None:
    survey = public_survey()
    assert response_submit_public(survey=survey, raw=GOOD_ANSWERS, token="t1", group="parent")
    response = Response.objects.get()
    assert response.submitted_on == timezone.localdate()
    assert response.answers["topics"] == ["maths", "sport"]
    assert response.answers["age"] == 10.0


def test_the_same_public_form_posted_twice_is_kept_once() -> None:
    survey = public_survey()
    assert response_submit_public(survey=survey, raw=GOOD_ANSWERS, token="same", group="parent")
    assert not response_submit_public(survey=survey, raw=GOOD_ANSWERS, token="same", group="parent")
    assert Response.objects.count() == 1
    assert response_submit_public(survey=survey, raw=GOOD_ANSWERS, token="other", group="pupil")
    assert Response.objects.count() == 2


def test_the_server_applies_skip_logic_and_constraints() -> None:
    survey = public_survey()
    # Not relevant (no child at school): the group's answers are dropped, not stored.
    response_submit_public(
        survey=survey,
        raw={**GOOD_ANSWERS, "has_child": "no", "age": "99"},
        token="a",
        group="parent",
    )
    assert "age" not in Response.objects.get().answers
    # Relevant: the constraint and required hold on the server.
    with pytest.raises(AnswersInvalid) as caught:
        response_submit_public(
            survey=survey, raw={**GOOD_ANSWERS, "age": "40"}, token="b", group="parent"
        )
    assert set(caught.value.errors) == {"age"}
    with pytest.raises(AnswersInvalid) as caught:
        response_submit_public(
            survey=survey,
            raw={**GOOD_ANSWERS, "age": "", "safe": "9", "hours": "x", "visited": "1.9.2026"},
            token="c",
            group="parent",
        )
    assert set(caught.value.errors) == {"age", "safe", "hours", "visited"}
    with pytest.raises(AnswersInvalid):
        response_submit_public(survey=survey, raw=GOOD_ANSWERS, token="d", group="teacher")
    assert Response.objects.count() == 1 and Submission.objects.count() == 1


def test_a_closed_survey_takes_no_answers() -> None:
    today = timezone.localdate()
    survey = public_survey(opens_on=today - timedelta(days=10), closes_on=today - timedelta(days=1))
    with pytest.raises(StateConflict):
        response_submit_public(survey=survey, raw=GOOD_ANSWERS, token="t", group="parent")


def _feedback_survey(n_participants: int) -> tuple[Any, list[Any]]:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(branch_obj=branch("ALA"), status="open")
    users = []
    for _ in range(n_participants):
        person = make_teacher(branch_code="ALA")
        enrol(cohort, person)
        users.append(teacher_user(person))
    today = timezone.localdate()
    survey = survey_create(
        by=coordinator,
        fields=SurveyFields(
            title={"kk": "Курс туралы пікір", "ru": "Отзыв о курсе"},
            audience=Audience.COHORT,
            opens_on=today,
            closes_on=today + timedelta(days=7),
            cohort=cohort,
        ),
    )
    for name in ("useful", "clear"):
        survey = survey_question_add(
            survey=survey,
            by=coordinator,
            question={
                "type": "select_one",
                "name": name,
                "label": {"kk": name, "ru": name},
                "required": True,
                "list": "agree",
                "choices": [{"name": str(i), "label": {"kk": str(i)}} for i in range(1, 6)],
            },
        )
    survey = survey_publish(survey=survey, by=coordinator)
    return survey, users


def test_a_participant_answers_once() -> None:
    survey, (user,) = _feedback_survey(1)
    response_submit(survey=survey, user=user, raw={"useful": "5", "clear": "4"})
    with pytest.raises(StateConflict):
        response_submit(survey=survey, user=user, raw={"useful": "1", "clear": "1"})
    assert Response.objects.count() == 1


def test_a_response_cannot_be_joined_back_to_its_respondent() -> None:
    survey, users = _feedback_survey(12)
    order = list(users)
    random.Random(4).shuffle(order)
    for index, user in enumerate(order):
        response_submit(survey=survey, user=user, raw={"useful": str(index % 5 + 1), "clear": "3"})
    identities = set()
    for user in users:
        identities |= {str(user.pk), user.username, str(user.person_id), str(user.person.iin)}
    # No column of a response holds anything of a respondent, and no time finer than the day.
    columns = {f.column for f in Response._meta.concrete_fields}
    assert columns == {
        "id",
        "survey_id",
        "submitted_on",
        "organisation_id",
        "area_id",
        "group",
        "answers",
        "vector",
    }
    with connection.cursor() as cursor:
        # survey, school and area ids are the registry's, shared by every respondent there.
        table = Response._meta.db_table
        cursor.execute(f'SELECT id, "group", answers FROM {table}')
        for row in cursor.fetchall():
            for value in row:
                # Whole words, not substrings: a random key's digits may contain a login's
                # id by chance, which joins nothing.
                words = set(re.findall(r"\w+", str(value)))
                assert not {w for w in words if len(w) > 3} & identities
                assert str(value) not in identities
    assert all(isinstance(r.submitted_on, date) for r in Response.objects.all())
    # Keys are random: neither table's key order is the order of answering, and the marks'
    # keys are UUIDs that share no value or sequence with the responses'.
    marks = list(Submission.objects.filter(survey=survey))
    assert all(isinstance(m.id, uuid.UUID) for m in marks)
    assert {str(m.id) for m in marks}.isdisjoint({str(r.pk) for r in Response.objects.all()})
    by_key = [r.answers["useful"] for r in Response.objects.order_by("pk")]
    in_order = [str(i % 5 + 1) for i in range(12)]
    assert sorted(by_key) == sorted(in_order)
    keys = list(Response.objects.values_list("pk", flat=True))
    assert max(keys) - min(keys) > 1000  # not a sequence
    if connection.vendor == "sqlite":
        # The storage order (rowid) is a random permutation of the order of answering, while
        # the marks' rowids follow it: lining the two up by rank gives the wrong answers.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT answers FROM {Response._meta.db_table} ORDER BY rowid")
            stored = [json.loads(row[0])["useful"] for row in cursor.fetchall()]
        assert sorted(stored) == sorted(in_order)
        assert stored != in_order  # a 1 in 12!/(3!·3!·2!·2!·2!) chance of failing


def test_a_teacher_outside_the_cohort_is_not_asked() -> None:
    survey, _users = _feedback_survey(1)
    outsider = teacher_user(make_teacher(branch_code="ALA"))
    from kaskad.core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        response_submit(survey=survey, user=outsider, raw={"useful": "5", "clear": "4"})
