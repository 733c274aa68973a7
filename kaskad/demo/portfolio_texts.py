"""Portfolio texts for the demo: a lesson-series plan and a reflection in Russian, built on the
programme's mandated template (headings and prompts every participant shares) with content of
each participant's own, so that only a deliberate copy looks like plagiarism."""

from __future__ import annotations

import random

TEMPLATE_RU = """Портфолио слушателя курсов
Раздел 1. Среднесрочное планирование серии последовательных уроков
Цели обучения, которые достигаются на этих уроках (ссылка на учебную программу)
Раздел 2. Краткосрочный план урока
Ожидаемые результаты. Критерии оценивания. Языковые цели. Привитие ценностей.
Раздел 3. Рефлексия по итогам проведения серии уроков
Что прошло хорошо? Что можно было бы улучшить? Что я узнал(а) о своих учениках?"""

SUBJECTS = [
    ("математике", "дроби", "десятичные дроби", "проценты", "уравнения", "площади фигур"),
    ("русскому языку", "причастный оборот", "сложные предложения", "орфограммы корня"),
    ("истории Казахстана", "Великий шёлковый путь", "Казахское ханство", "саки и гунны"),
    ("биологии", "фотосинтез", "строение клетки", "пищеварение", "экосистемы степи"),
    ("физике", "силу трения", "закон Архимеда", "электрическую цепь", "плотность"),
    ("географии", "рельеф Казахстана", "водные ресурсы", "климатические пояса"),
    ("английскому языку", "Present Perfect", "описание города", "модальные глаголы"),
    ("химии", "скорость реакции", "кислоты и основания", "периодическую систему"),
    ("информатике", "алгоритмы с ветвлением", "электронные таблицы", "циклы в Python"),
    ("литературе", "поэзию Абая", "рассказы Чехова", "образ степи в прозе Ауэзова"),
]
# Short fragments (under five words), so that two participants' texts share a run of five
# words only by deliberate copying; each sentence mixes them with details of the lesson.
METHODS = [
    "«Джигсо»",
    "«Думай — в паре — делись»",
    "взаимооценивание по дескрипторам",
    "групповое исследование",
    "«светофор»",
    "открытые вопросы",
    "таблицу «ЗХУ»",
    "лист достижений",
    "кластер",
    "«две звезды и пожелание»",
    "квест по станциям",
    "задания трёх уровней",
]
PUPILS = "АБВГДЕЖЗИКЛМНОПРСТУФХШЭЮЯ"
OBSERVATIONS = [
    "охотно объяснял решение",
    "не справился без подсказки",
    "составил собственный вопрос",
    "точно оценил партнёра",
    "переоценил свой результат",
    "предложил новый критерий",
    "задал уточняющий вопрос",
    "проверил ответ иначе",
    "помог соседу по парте",
    "впервые выступил у доски",
]
CHANGES = [
    "больше времени на размышление",
    "опорные вопросы для поддержки",
    "образцы работ заранее",
    "короткие записи наблюдений",
    "критерии вместе с учениками",
    "пять минут на рефлексию",
    "видеозапись своего урока",
    "группы по интересам",
]


def _pupil(rng: random.Random) -> str:
    return f"{rng.choice(PUPILS)}. {rng.choice(PUPILS)}."


READING = ["читают медленно", "плохо понимают задание", "недавно перешли к нам", "пишут с ошибками"]
SERIES = ["Тема серии —", "Серия посвящена теме", "Работали над темой", "Выбранная тема:"]
THEN = ["затем", "после этого", "а в конце", "потом"]
RESULT = ["Цели достигли", "Справились", "Успешно выполнили задание", "Критерии успеха выполнили"]
SUPPORT = [
    "помощь понадобилась",
    "подсказку получили",
    "поддержка нужна была",
    "отдельно занимались",
]
PLAN = ["Изменю:", "В следующий раз —", "Попробую", "Добавлю"]


def portfolio_text(rng: random.Random, *, grade: int | None = None) -> str:
    """One participant's portfolio: the template plus content of their own. Every run of five
    words outside the template passes through a random choice, so two participants share one
    only by chance, never a whole passage."""
    subject, *topics = rng.choice(SUBJECTS)
    grade = grade or rng.randint(5, 11)
    chosen_topics = rng.sample(topics, k=min(3, len(topics)))
    lines = [TEMPLATE_RU, ""]
    lines.append(
        f"Уроки по {subject}, {grade} класс: {rng.randint(18, 31)} учеников, "
        f"{rng.randint(2, 6)} {rng.choice(READING)}. {rng.choice(SERIES)} «{chosen_topics[0]}»."
    )
    for number, topic in enumerate(chosen_topics, start=1):
        first, second = rng.sample(METHODS, k=2)
        seen = rng.sample(OBSERVATIONS, k=2)
        lines.append(
            f"Урок {number}, «{topic}»: {first} ({rng.randint(5, 15)} мин), "
            f"{rng.choice(THEN)} {second}. {_pupil(rng)} {seen[0]}; {_pupil(rng)} {seen[1]}. "
            f"{rng.choice(RESULT)} {rng.randint(55, 95)} из 100, "
            f"{rng.choice(SUPPORT)} {rng.randint(1, 5)}."
        )
    lines.append("")
    for change in rng.sample(CHANGES, k=3):
        lines.append(f"{rng.choice(PLAN)} {change} ({_pupil(rng)}).")
    return "\n".join(lines)


def copied_text(rng: random.Random, source: str) -> str:
    """A portfolio that takes the source's middle paragraphs word for word."""
    own = portfolio_text(rng).split("\n")
    theirs = [line for line in source.split("\n") if line.startswith("Урок ")]
    return "\n".join(own[:9] + theirs + own[-3:])
