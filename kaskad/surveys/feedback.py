"""The standard course-feedback form: four statements on a five-point agreement scale and an
open question, in Kazakh, Russian and English. `course_feedback_create` gives a cohort its
survey, open from the cohort's last day for two weeks."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from kaskad.surveys.models import Audience, Survey

if TYPE_CHECKING:
    from kaskad.accounts.models import User
    from kaskad.delivery.models import Cohort

AGREE = [
    ("1", "Мүлдем келіспеймін", "Совсем не согласен", "Strongly disagree"),
    ("2", "Келіспеймін", "Не согласен", "Disagree"),
    ("3", "Бейтарап", "Нейтрально", "Neutral"),
    ("4", "Келісемін", "Согласен", "Agree"),
    ("5", "Толық келісемін", "Полностью согласен", "Strongly agree"),
]
ITEMS = [
    (
        "relevant",
        "Курс мазмұны жұмысыма қатысты",
        "Содержание курса связано с моей работой",
        "The course content is relevant to my work",
    ),
    (
        "clear",
        "Тренер түсінікті түсіндірді",
        "Тренер объяснял понятно",
        "The trainer explained clearly",
    ),
    (
        "practice",
        "Тәжірибелік тапсырмалар пайдалы болды",
        "Практические задания были полезны",
        "The practical tasks were useful",
    ),
    (
        "apply",
        "Үйренгенімді сабақта қолданамын",
        "Я применю изученное на уроках",
        "I will use what I learnt in my lessons",
    ),
]
OPEN_DAYS = 14


def feedback_definition() -> dict[str, Any]:
    choices = [{"name": c, "label": {"kk": k, "ru": r, "en": e}} for c, k, r, e in AGREE]
    elements: list[dict[str, Any]] = [
        {
            "type": "select_one",
            "name": name,
            "label": {"kk": kk, "ru": ru, "en": en},
            "hint": {},
            "required": True,
            "relevant": "",
            "constraint": "",
            "constraint_message": {},
            "list": "agree",
            "choices": [dict(c) for c in choices],
        }
        for name, kk, ru, en in ITEMS
    ]
    elements.append(
        {
            "type": "text",
            "name": "improve",
            "label": {
                "kk": "Курсты қалай жақсартуға болады?",
                "ru": "Как улучшить курс?",
                "en": "How could the course be improved?",
            },
            "hint": {},
            "required": False,
            "relevant": "",
            "constraint": "",
            "constraint_message": {},
        }
    )
    return {"languages": ["kk", "ru", "en"], "default_language": "kk", "elements": elements}


def course_feedback_create(*, cohort: Cohort, by: User) -> Survey:
    """The cohort's course feedback, published, open from its last day for two weeks."""
    from kaskad.surveys.services import SurveyFields, survey_create, survey_publish

    survey = survey_create(
        by=by,
        fields=SurveyFields(
            title={
                "kk": f"Курс туралы пікір: {cohort.code}",
                "ru": f"Отзыв о курсе: {cohort.code}",
                "en": f"Course feedback: {cohort.code}",
            },
            audience=Audience.COHORT,
            opens_on=cohort.ends_on,
            closes_on=cohort.ends_on + timedelta(days=OPEN_DAYS),
            cohort=cohort,
        ),
        definition=feedback_definition(),
        source_name="",
    )
    return survey_publish(survey=survey, by=by)
