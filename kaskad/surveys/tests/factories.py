"""Builders for the surveys' tests: XLSForm workbooks in memory and ready surveys."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.utils import timezone
from openpyxl import Workbook

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.surveys.models import Audience, Survey
from kaskad.surveys.services import SurveyFields, survey_import_xlsform, survey_publish

SURVEY_SHEET = [
    [
        "type",
        "name",
        "label::Kazakh (kk)",
        "label::Russian (ru)",
        "required",
        "relevant",
        "constraint",
        "constraint_message::Kazakh (kk)",
        "constraint_message::Russian (ru)",
    ],
    [
        "select_one yn",
        "has_child",
        "Мектепте балаңыз бар ма?",
        "Ваш ребёнок учится в школе?",
        "yes",
        "",
        "",
        "",
        "",
    ],
    ["begin_group", "school", "Мектеп туралы", "О школе", "", "${has_child} = 'yes'", "", "", ""],
    [
        "integer",
        "age",
        "Балаңыздың жасы",
        "Возраст ребёнка",
        "yes",
        "",
        ". >= 6 and . <= 18",
        "6 мен 18 аралығында",
        "От 6 до 18",
    ],
    [
        "select_one agree",
        "safe",
        "Балам мектепте қауіпсіз",
        "Ребёнок в безопасности",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "select_one agree",
        "teachers",
        "Мұғалімдер көмектеседі",
        "Учителя помогают",
        "",
        "",
        "",
        "",
        "",
    ],
    ["select_one agree", "food", "Тамақ жақсы", "Питание хорошее", "", "", "", "", ""],
    [
        "select_multiple topics",
        "topics",
        "Қандай тақырыптар маңызды?",
        "Какие темы важны?",
        "",
        "",
        "",
        "",
        "",
    ],
    ["end_group", "", "", "", "", "", "", "", ""],
    [
        "decimal",
        "hours",
        "Үй тапсырмасына сағат",
        "Часов на домашние задания",
        "",
        "",
        ". >= 0",
        "",
        "",
    ],
    ["date", "visited", "Мектепке соңғы барған күн", "Последний визит в школу", "", "", "", "", ""],
    ["text", "comment", "Пікіріңіз", "Ваш комментарий", "", "", "", "", ""],
    ["note", "thanks", "Рахмет!", "Спасибо!", "", "", "", "", ""],
]
CHOICES_SHEET = [
    ["list_name", "name", "label::Kazakh (kk)", "label::Russian (ru)"],
    ["yn", "yes", "Иә", "Да"],
    ["yn", "no", "Жоқ", "Нет"],
    ["agree", "1", "Мүлдем келіспеймін", "Совсем не согласен"],
    ["agree", "2", "Келіспеймін", "Не согласен"],
    ["agree", "3", "Бейтарап", "Нейтрально"],
    ["agree", "4", "Келісемін", "Согласен"],
    ["agree", "5", "Толық келісемін", "Полностью согласен"],
    ["topics", "maths", "Математика", "Математика"],
    ["topics", "reading", "Оқу", "Чтение"],
    ["topics", "sport", "Спорт", "Спорт"],
]
SETTINGS_SHEET = [["form_title", "default_language"], ["Ата-аналар сауалнамасы", "Kazakh (kk)"]]


def workbook(
    survey: list[list[Any]] | None = None,
    choices: list[list[Any]] | None = None,
    settings: list[list[Any]] | None = None,
    extra_sheets: dict[str, list[list[Any]]] | None = None,
) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in survey if survey is not None else SURVEY_SHEET:
        sheet.append(row)
    for name, rows in (
        ("choices", choices if choices is not None else CHOICES_SHEET),
        ("settings", settings if settings is not None else SETTINGS_SHEET),
        *(extra_sheets or {}).items(),
    ):
        if rows:
            other = book.create_sheet(name)
            for row in rows:
                other.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def officer() -> User:
    return make_user(roles=[(Role.MONITORING_OFFICER, None)])


def public_survey(*, by: User | None = None, publish: bool = True, **fields: Any) -> Survey:
    by = by or officer()
    today = timezone.localdate()
    survey = survey_import_xlsform(
        by=by,
        fields=SurveyFields(
            title=fields.pop("title", {"kk": "Ата-аналар сауалнамасы", "ru": "Опрос родителей"}),
            audience=fields.pop("audience", Audience.PUBLIC),
            opens_on=fields.pop("opens_on", today - timedelta(days=1)),
            closes_on=fields.pop("closes_on", today + timedelta(days=30)),
            **fields,
        ),
        data=workbook(),
        filename="parents.xlsx",
    )
    if publish:
        survey = survey_publish(survey=survey, by=by)
    return survey


GOOD_ANSWERS = {
    "has_child": "yes",
    "age": "10",
    "safe": "4",
    "teachers": "5",
    "food": "3",
    "topics": ["maths", "sport"],
    "hours": "1.5",
    "visited": "2026-09-01",
    "comment": "Жақсы",
}
