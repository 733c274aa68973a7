"""The demo's online courses, made through the learning services: "Learning to teach online"
in Kazakh and in Russian (text, video with a transcript, a GIFT quiz per module), with the
demo teacher part-way through the Kazakh one (a quiz failed once, then passed), and "Happy
parent – successful child" open to the public: people without an IIN register by e-mail at
/learning/register/ and confirm the address by the link e-mailed to them (on a developer's
machine the e-mail is printed on the console of `make run`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kaskad.accounts.demo import COORDINATOR_BRANCH
from kaskad.accounts.models import User
from kaskad.catalogue.models import ProgrammeVersion
from kaskad.learning import services, steps
from kaskad.learning.models import Course, Step
from kaskad.registry.models import Branch

VIDEO_URL = "https://video.kaskad.example/mooc-online/intro.mp4"

# Per language: course title, modules (title, lessons (title, text), quiz in GIFT).
CONTENT: dict[str, dict[str, Any]] = {
    "kk": {
        "title": "Онлайн оқытуды үйренеміз",
        "description": "Қашықтан сабақ жоспарлау, онлайн құралдар және оқушылардың кері байланысы.",
        "transcript": "Сәлеметсіз бе! Бұл курста біз онлайн сабақты қалай жоспарлауды, "
        "оқушылардың назарын қалай ұстауды және кері байланысты қалай беруді үйренеміз.",
        "video_title": "Курсқа кіріспе",
        "modules": [
            (
                "Қашықтан оқытуды жоспарлау",
                [
                    (
                        "Онлайн сабақтың құрылымы",
                        "<h2>Онлайн сабақтың құрылымы</h2><p>Жақсы онлайн сабақ үш бөліктен "
                        "тұрады:</p><ol><li>мақсатты айту;</li><li>қысқа түсіндіру және "
                        "тапсырма;</li><li>рефлексия және кері байланыс.</li></ol>",
                    ),
                ],
                "::Мақсат::Онлайн сабақты неден бастаған дұрыс? "
                "{=Сабақтың мақсатын айтудан ~Үй тапсырмасын тексеруден ~Бағалаудан}\n\n"
                "::Ұзақтық::Бір бейнетүсіндірудің ұсынылатын ұзақтығы қанша минут? {#7:3}\n\n"
                "::Кері байланыс::Онлайн сабақта кері байланыс қажет емес. {F}\n",
            ),
            (
                "Онлайн құралдар",
                [
                    (
                        "Құралды таңдау",
                        "<h2>Құралды таңдау</h2><table><tr><th>Мақсат</th><th>Құрал</th></tr>"
                        "<tr><td>Сауалнама</td><td>Форма</td></tr><tr><td>Бірлескен жұмыс"
                        "</td><td>Ортақ құжат</td></tr></table>",
                    ),
                ],
                "::Құралдар::Бірлескен жұмысқа қай құрал ыңғайлы? "
                "{=Ортақ құжат ~Электрондық пошта ~Басып шығарылған парақ}\n",
            ),
            (
                "Бағалау және кері байланыс",
                [
                    (
                        "Қалыптастырушы бағалау",
                        "<h2>Қалыптастырушы бағалау</h2><p>Қысқа тесттер оқушының "
                        "түсінігін сабақ барысында тексеруге көмектеседі.</p>",
                    ),
                ],
                "::Бағалау::Қалыптастырушы бағалаудың мақсаты — оқуды жақсарту. {T}\n",
            ),
        ],
    },
    "ru": {
        "title": "Учимся преподавать онлайн",
        "description": "Планирование дистанционных уроков, онлайн-инструменты и обратная связь.",
        "transcript": "Здравствуйте! В этом курсе мы научимся планировать онлайн-урок, "
        "удерживать внимание учеников и давать обратную связь.",
        "video_title": "Введение в курс",
        "modules": [
            (
                "Планирование дистанционного обучения",
                [
                    (
                        "Структура онлайн-урока",
                        "<h2>Структура онлайн-урока</h2><p>Хороший онлайн-урок состоит из "
                        "трёх частей:</p><ol><li>постановка цели;</li><li>короткое объяснение "
                        "и задание;</li><li>рефлексия и обратная связь.</li></ol>",
                    ),
                ],
                "::Цель::С чего лучше начинать онлайн-урок? "
                "{=С постановки цели ~С проверки домашнего задания ~С оценивания}\n\n"
                "::Длительность::Какова рекомендуемая длительность одного видеообъяснения "
                "в минутах? {#7:3}\n\n"
                "::Обратная связь::На онлайн-уроке обратная связь не нужна. {F}\n",
            ),
            (
                "Онлайн-инструменты",
                [
                    (
                        "Выбор инструмента",
                        "<h2>Выбор инструмента</h2><table><tr><th>Цель</th><th>Инструмент</th>"
                        "</tr><tr><td>Опрос</td><td>Форма</td></tr><tr><td>Совместная работа"
                        "</td><td>Общий документ</td></tr></table>",
                    ),
                ],
                "::Инструменты::Какой инструмент удобен для совместной работы? "
                "{=Общий документ ~Электронная почта ~Распечатанный лист}\n",
            ),
            (
                "Оценивание и обратная связь",
                [
                    (
                        "Формативное оценивание",
                        "<h2>Формативное оценивание</h2><p>Короткие тесты помогают проверить "
                        "понимание ученика во время урока.</p>",
                    ),
                ],
                "::Оценивание::Цель формативного оценивания — улучшить обучение. {T}\n",
            ),
        ],
    },
}

PARENT_COURSE = {
    "title": "Счастливый родитель – успешный ребёнок",
    "text": "<h2>Распорядок дня</h2><p>Постоянный распорядок дня помогает ребёнку "
    "чувствовать себя спокойно и учиться с интересом.</p>",
    "quiz": "::Режим::Постоянный распорядок дня помогает ребёнку учиться. {T}\n",
}


def _version(code: str) -> ProgrammeVersion | None:
    return (
        ProgrammeVersion.objects.filter(programme__code=code)
        .order_by("-status", "-number")  # approved before draft
        .first()
    )


def _build(course: Course, content: dict[str, Any], by: User) -> None:
    draft = services.draft_for(course=course, by=by)
    for index, (module_title, lessons, quiz) in enumerate(content["modules"]):
        module = services.module_add(version=draft, title=module_title, by=by)
        for lesson_title, html in lessons:
            lesson = services.lesson_add(module=module, title=lesson_title, by=by)
            if index == 0:
                services.step_add(
                    lesson=lesson,
                    definition={
                        "kind": "video",
                        "url": VIDEO_URL,
                        "transcript": content["transcript"],
                    },
                    title=content["video_title"],
                    by=by,
                )
            services.step_add(
                lesson=lesson,
                definition={"kind": "text", "body": html, "format": "html"},
                title=lesson_title,
                by=by,
            )
            services.gift_import(lesson=lesson, text=quiz, by=by, max_attempts=3)
    services.version_publish(version=draft, by=by)


def _part_way(course: Course, teacher: User) -> None:
    """The teacher works through the first module: fails its first quiz once, then passes."""
    enrolment = services.enrol(course=course, user=teacher)
    if enrolment.steps_done:
        return
    first_module = (
        course.current_version.modules.order_by("order").first() if course.current_version else None
    )
    for n, step in enumerate(
        Step.objects.filter(version=enrolment.version, module=first_module).order_by("position")
    ):
        progress = services.step_open(enrolment=enrolment, step=step)
        if not step.is_quiz:
            continue
        right = steps.correct_reply(step.definition, progress.variant or {})
        if n == 2 and "choice" in right:  # the first quiz question: a wrong answer first
            wrong = {"choice": (right["choice"] + 1) % len(step.definition["options"])}
            services.reply_submit(
                enrolment=enrolment, step=step, reply=wrong, idempotency_key=f"demo-{step.pk}-1"
            )
        services.reply_submit(
            enrolment=enrolment, step=step, reply=right, idempotency_key=f"demo-{step.pk}-2"
        )


def seed_learning() -> list[str]:
    """The demo's online courses; nothing when they are there already or the catalogue or the
    demo users are missing."""
    admin = User.objects.filter(username="admin").first()
    version = _version("MOOC-ONLINE")
    branch = Branch.objects.filter(code=COORDINATOR_BRANCH).first()
    if admin is None or version is None or branch is None:
        return []
    made: list[str] = []
    with transaction.atomic():
        for language in ("kk", "ru"):
            code = f"MOOC-ONLINE-{language.upper()}"
            if Course.objects.filter(code=code).exists():
                continue
            content = CONTENT[language]
            course = services.course_create(
                programme_version=version,
                branch=branch,
                data=services.CourseData(
                    code=code,
                    title=content["title"],
                    description=content["description"],
                    language=language,
                    pass_percent=70,
                    distinction_percent=95,
                ),
                by=admin,
            )
            _build(course, content, admin)
            course.refresh_from_db()
            made.append(code)
            teacher = User.objects.filter(username="teacher").first()
            if language == "kk" and teacher is not None and teacher.person_id:
                _part_way(course, teacher)
        parent_version = _version("MOOC-PARENT")
        if parent_version is not None and not Course.objects.filter(code="MOOC-PARENT-RU").exists():
            course = services.course_create(
                programme_version=parent_version,
                branch=branch,
                data=services.CourseData(
                    code="MOOC-PARENT-RU",
                    title=PARENT_COURSE["title"],
                    language="ru",
                    is_public=True,
                ),
                by=admin,
            )
            _build(
                course,
                {
                    "modules": [
                        (
                            PARENT_COURSE["title"],
                            [("1", PARENT_COURSE["text"])],
                            PARENT_COURSE["quiz"],
                        )
                    ],
                    "transcript": "",
                    "video_title": "",
                },
                admin,
            )
            made.append("MOOC-PARENT-RU")
    return made
