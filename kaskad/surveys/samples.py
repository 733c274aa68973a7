"""An example XLSForm (a parents' survey in Kazakh and Russian): offered for download on the
"New survey" page, and imported by the demo."""

from __future__ import annotations

import io

from openpyxl import Workbook

from kaskad.surveys.feedback import AGREE

PARENTS_SURVEY = [
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
        "Балаңыз осы мектепте оқи ма?",
        "Ваш ребёнок учится в этой школе?",
        "yes",
        "",
        "",
        "",
        "",
    ],
    ["begin_group", "school", "Мектеп туралы", "О школе", "", "${has_child} = 'yes'", "", "", ""],
    [
        "integer",
        "grade",
        "Балаңыз нешінші сыныпта?",
        "В каком классе ваш ребёнок?",
        "yes",
        "",
        ". >= 0 and . <= 11",
        "0-ден 11-ге дейінгі сан",
        "Число от 0 до 11",
    ],
    [
        "select_one agree",
        "safe",
        "Балам мектепте өзін қауіпсіз сезінеді",
        "Ребёнок чувствует себя в школе в безопасности",
        "yes",
        "",
        "",
        "",
        "",
    ],
    [
        "select_one agree",
        "teachers",
        "Мұғалімдер балама көмектеседі",
        "Учителя помогают моему ребёнку",
        "yes",
        "",
        "",
        "",
        "",
    ],
    [
        "select_one agree",
        "informed",
        "Мектеп маған баламның жетістіктері туралы хабарлайды",
        "Школа сообщает мне об успехах ребёнка",
        "yes",
        "",
        "",
        "",
        "",
    ],
    [
        "select_multiple topics",
        "topics",
        "Қандай тақырыптарды талқылағыңыз келеді?",
        "Какие темы вы хотели бы обсудить?",
        "",
        "",
        "",
        "",
        "",
    ],
    ["end_group", "", "", "", "", "", "", "", ""],
    ["text", "comment", "Ұсыныстарыңыз", "Ваши предложения", "", "", "", "", ""],
    ["note", "thanks", "Жауаптарыңызға рахмет!", "Спасибо за ваши ответы!", "", "", "", "", ""],
]
PARENTS_CHOICES = [
    ["list_name", "name", "label::Kazakh (kk)", "label::Russian (ru)"],
    ["yn", "yes", "Иә", "Да"],
    ["yn", "no", "Жоқ", "Нет"],
    *[["agree", code, kk, ru] for code, kk, ru, _en in AGREE],
    ["topics", "homework", "Үй тапсырмасы", "Домашние задания"],
    ["topics", "food", "Тамақтану", "Питание"],
    ["topics", "safety", "Қауіпсіздік", "Безопасность"],
    ["topics", "career", "Кәсіптік бағдар", "Профориентация"],
]


def parents_xlsform() -> bytes:
    """The parents' survey as an XLSForm workbook (the example on the "New survey" page)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    for row in PARENTS_SURVEY:
        sheet.append(row)
    choices = book.create_sheet("choices")
    for row in PARENTS_CHOICES:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "default_language"])
    settings.append(["Ата-аналар сауалнамасы", "Kazakh (kk)"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
