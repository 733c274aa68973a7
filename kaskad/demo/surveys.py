"""Demo surveys, made through the surveys' services: the course feedback of the finished cohort
(with answers from its participants' paper forms) and a public parents' survey in Kazakh and
Russian, imported from the example XLSForm (kaskad/surveys/samples.py), with answers from
parents of three schools."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import ngettext

from kaskad.accounts.models import Role, User
from kaskad.delivery.models import Cohort, Enrolment
from kaskad.registry.models import Organisation
from kaskad.surveys.feedback import ITEMS as FEEDBACK_ITEMS
from kaskad.surveys.feedback import course_feedback_create
from kaskad.surveys.models import Survey
from kaskad.surveys.samples import parents_xlsform
from kaskad.surveys.services import (
    SurveyFields,
    response_enter_paper,
    response_submit_public,
    survey_dates_set,
    survey_import_xlsform,
    survey_publish,
)


def _officer() -> User | None:
    return (
        User.objects.filter(roles__role=Role.MONITORING_OFFICER).order_by("pk").first()
        or User.objects.filter(roles__role=Role.NATIONAL_ADMIN).order_by("pk").first()
    )


def _feedback(cohort: Cohort, by: User, rng: random.Random) -> int:
    survey = course_feedback_create(cohort=cohort, by=by)
    # The demo's cohort finished a while ago: keep its feedback open today.
    today = timezone.localdate()
    survey = survey_dates_set(
        survey=survey,
        by=by,
        opens_on=today - timedelta(days=3),
        closes_on=today + timedelta(days=14),
    )
    enrolments = list(Enrolment.objects.filter(cohort=cohort).values("organisation_id")[:40])
    for enrolment in enrolments:
        base = rng.choice([3, 4, 4, 5, 5])
        answers = {
            name: str(max(1, min(5, base + rng.choice([-1, 0, 0, 1]))))
            for name, _kk, _ru, _en in FEEDBACK_ITEMS
        }
        response_enter_paper(
            survey=survey,
            by=by,
            raw=answers,
            group="participant",
            organisation_id=enrolment["organisation_id"],
        )
    return len(enrolments)


def _parents(by: User, rng: random.Random) -> int:
    today = timezone.localdate()
    schools = list(Organisation.objects.filter(kind="school").order_by("pk")[:3])
    survey = survey_import_xlsform(
        by=by,
        fields=SurveyFields(
            title={
                "kk": "Ата-аналар сауалнамасы",
                "ru": "Опрос родителей",
                "en": "Parents' survey",
            },
            audience="public",
            opens_on=today - timedelta(days=7),
            closes_on=today + timedelta(days=30),
            organisations=tuple(schools),
        ),
        data=parents_xlsform(),
        filename="parents-survey.xlsx",
    )
    survey.organisations.set(schools)
    survey = survey_publish(survey=survey, by=by)
    made = 0
    # Many answers from the first school, a few from the second (suppressed), none from the third.
    for school, count in zip(schools, (24, 3, 0), strict=False):
        for index in range(count):
            mood = rng.choice([2, 3, 4, 4, 5])
            answers: dict[str, object] = {
                "has_child": "yes" if index % 8 else "no",
                "grade": str(rng.randint(1, 11)),
                "safe": str(mood),
                "teachers": str(max(1, min(5, mood + rng.choice([-1, 0, 1])))),
                "informed": str(max(1, min(5, mood + rng.choice([-1, 0, 0])))),
                "topics": rng.sample(["homework", "food", "safety", "career"], rng.randint(0, 2)),
            }
            response_submit_public(
                survey=survey,
                raw=answers,
                token=f"demo-{school.pk}-{index}",
                group="parent" if index % 5 else "pupil",
                organisation_id=school.pk,
            )
            made += 1
    return made


def seed_surveys(*, cohorts: object = None) -> list[str]:
    """The demo surveys (nothing if they are there already); what was made, in words."""
    by = _officer()
    if by is None or Survey.objects.exists():
        return []
    rng = random.Random(15)
    made: list[str] = []
    finished = (
        getattr(cohorts, "finished", None) or Cohort.objects.filter(status="finished").first()
    )
    responses = 0
    surveys = 0
    if finished is not None:
        responses += _feedback(finished, by, rng)
        surveys += 1
    responses += _parents(by, rng)
    surveys += 1
    made.append(ngettext("%(n)s survey", "%(n)s surveys", surveys) % {"n": surveys})
    made.append(
        ngettext("%(n)s survey response", "%(n)s survey responses", responses) % {"n": responses}
    )
    return made
