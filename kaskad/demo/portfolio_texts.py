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


def portfolio_text(rng: random.Random, *, grade: int | None = None) -> str:
    """One participant's portfolio: the template plus content of their own."""
    subject, *topics = rng.choice(SUBJECTS)
    grade = grade or rng.randint(5, 11)
    chosen_topics = rng.sample(topics, k=min(3, len(topics)))
    pupils, weak = rng.randint(18, 31), rng.randint(2, 6)
    lines = [TEMPLATE_RU, ""]
    lines.append(
        f"Уроки по {subject}, {grade} класс, {pupils} учеников ({weak} читают медленно). "
        f"Тема серии: «{chosen_topics[0]}»."
    )
    for number, topic in enumerate(chosen_topics, start=1):
        first, second = rng.sample(METHODS, k=2)
        seen = rng.sample(OBSERVATIONS, k=2)
        reached = rng.randint(55, 95)
        lines.append(
            f"Урок {number}, «{topic}»: {first} ({rng.randint(5, 15)} мин), затем {second}. "
            f"Ученик {_pupil(rng)} {seen[0]}; {_pupil(rng)} {seen[1]}. "
            f"Цель достигли {reached} процентов класса, поддержка — {rng.randint(1, 5)} ученикам."
        )
    lines.append("")
    for change in rng.sample(CHANGES, k=3):
        lines.append(f"Изменю: {change} (урок {rng.randint(1, 3)}, {grade} класс).")
    return "\n".join(lines)


def copied_text(rng: random.Random, source: str) -> str:
    """A portfolio that takes the source's middle paragraphs word for word."""
    own = portfolio_text(rng).split("\n")
    theirs = [line for line in source.split("\n") if line.startswith("Урок ")]
    return "\n".join(own[:9] + theirs + own[-3:])
