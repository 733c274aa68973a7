"""The demo library, made through the library's services: materials in Kazakh and Russian
uploaded by the editor, a teacher's lesson plan waiting for review, one returned with a
comment, ratings and downloads, a manual per heading, a journal issue with its articles, and
the published portfolios of the demo year brought in."""

from __future__ import annotations

import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import ngettext

from kaskad.accounts.models import User
from kaskad.demo.portfolio_texts import portfolio_text
from kaskad.library.models import Heading, Material
from kaskad.library.services.materials import (
    MaterialData,
    material_submit,
    material_upload,
    submission_review,
)
from kaskad.library.services.portfolios import portfolio_materials_sync_all
from kaskad.library.services.publications import (
    journal_article_publish,
    journal_issue_create,
    manual_publish,
)
from kaskad.library.services.use import download_record, rating_set
from kaskad.registry.models import Branch

# (title, description, body, subject, type, grades)
KAZAKH = [
    (
        "«Бөлшектер» бөлімі бойынша орта мерзімді жоспар",
        "5-сыныпқа арналған бөлшектерді салыстыру және қосу сабақтарының сериясы.",
        "Оқу мақсаттары: жай бөлшектерді салыстыру, ортақ бөлімге келтіру. Оқушылар жұпта "
        "жұмыс істеп, бөлшектердің мәнін сурет арқылы түсіндіреді. Бағалау критерийлері: "
        "бөлшектерді дұрыс салыстырады, шешімін негіздейді.",
        "mathematics",
        "medium_term_plan",
        [5],
    ),
    (
        "Абай өлеңдері: қысқа мерзімді сабақ жоспары",
        "Абайдың «Қыс» өлеңін талдау сабағы, 7-сынып.",
        "Сабақтың мақсаты: оқушылар өлеңдегі көркемдегіш құралдарды табады. Мұғалім "
        "топтық жұмысты ұйымдастырады, оқушылар бір-бірін дескриптор бойынша бағалайды. "
        "Мектептерімізде поэзияны оқыту тәжірибесі бөлісіледі.",
        "kazakh_literature",
        "short_term_plan",
        [7],
    ),
    (
        "Фотосинтез тақырыбына бөлім бойынша жиынтық бағалау",
        "Биология, 6-сынып: тапсырмалар, дескрипторлар және балл қою кестесі.",
        "Тапсырма 1. Фотосинтез үдерісінің сызбасын толықтырыңыз. Тапсырма 2. Жарықтың "
        "өсімдіктің өсуіне әсерін түсіндіріңіз. Дескриптор: білім алушы фотосинтездің "
        "өнімдерін атайды.",
        "biology",
        "summative_unit",
        [6],
    ),
    (
        "Мұғалімдердің кәсіби дамуына арналған әдістемелік ұсынымдар",
        "Критериалды бағалауды енгізу бойынша мұғалімдерге арналған ұсынымдар.",
        "Мұғалімдердің кәсіби қоғамдастығы сабақты бірлесіп жоспарлайды. Lesson Study "
        "тәсілі арқылы мұғалім оқушылардың оқуын бақылап, сабақты жетілдіреді.",
        "pedagogy",
        "recommendation",
        [],
    ),
    (
        "Қазақстан тарихы: Қазақ хандығының құрылуы",
        "8-сыныпқа арналған сабақ жоспары мен таныстырылым.",
        "Оқушылар Керей мен Жәнібек хандардың рөлін талдайды, тарихи картамен жұмыс "
        "істейді. Сабақ соңында «екі жұлдыз, бір тілек» әдісімен кері байланыс беріледі.",
        "history",
        "short_term_plan",
        [8],
    ),
    (
        "Тоқсандық жиынтық бағалау: физика, 9-сынып",
        "Архимед заңы мен қысым тақырыптары бойынша тоқсандық тапсырмалар.",
        "Тапсырмалар денеге әсер ететін кері итеруші күшті есептеуді талап етеді. "
        "Оқушылар тәжірибе нәтижелерін кестеге түсіреді және қорытынды жасайды.",
        "physics",
        "summative_term",
        [9],
    ),
]
RUSSIAN = [
    (
        "Методические рекомендации по формативному оцениванию",
        "Для учителей начальной школы: приёмы обратной связи на уроке.",
        "Учитель использует «светофор», лист достижений и взаимооценивание по дескрипторам. "
        "Рекомендации помогают учителям планировать критерии успеха вместе с учениками.",
        "primary",
        "recommendation",
        [1, 2, 3, 4],
    ),
    (
        "Краткосрочный план урока: десятичные дроби",
        "Математика, 5 класс: сравнение и округление десятичных дробей.",
        "Цели обучения: сравнивать десятичные дроби, округлять до заданного разряда. "
        "Ученики работают в парах по методу «Думай — в паре — делись».",
        "mathematics",
        "short_term_plan",
        [5],
    ),
    (
        "Новогодняя ёлка: сценарий классного часа",
        "Внеклассное мероприятие для 2 класса.",
        "Ученики готовят украшения для ёлки и рассказывают о традициях праздника в разных "
        "странах. Учитель подводит итоги и благодарит родителей.",
        "primary",
        "other",
        [2],
    ),
    (
        "Суммативное оценивание за раздел «Электрическая цепь»",
        "Физика, 8 класс: задания, дескрипторы, схема выставления баллов.",
        "Задание 1. Соберите электрическую цепь по схеме. Задание 2. Рассчитайте силу тока. "
        "Дескриптор: обучающийся применяет закон Ома.",
        "physics",
        "summative_unit",
        [8],
    ),
]


def _upload(text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/plain")


def _data(row: tuple[str, str, str, str, str, list[int]], language: str) -> MaterialData:
    title, description, _body, subject, kind, grades = row
    return MaterialData(
        titles={language: title},
        descriptions={language: description},
        language=language,
        subject=subject,
        type=kind,
        grades=grades,
    )


def seed_library(*, seed: int = 17) -> list[str]:
    """The demo library; returns what was made as short phrases (empty if it exists)."""
    if Material.objects.exclude(origin="portfolio").exists():
        return []
    editor = (
        User.objects.filter(username="editor").first()
        or User.objects.filter(username="admin").first()
    )
    teacher = User.objects.filter(username="teacher").first()
    if editor is None:
        return []
    rng = random.Random(seed)
    made: list[Material] = []
    with transaction.atomic():
        for number, row in enumerate(KAZAKH):
            made.append(
                material_upload(
                    data=_data(row, "kk"), upload=_upload(row[2], f"kk-{number}.txt"), by=editor
                )
            )
        for number, row in enumerate(RUSSIAN):
            made.append(
                material_upload(
                    data=_data(row, "ru"), upload=_upload(row[2], f"ru-{number}.txt"), by=editor
                )
            )
        for grade in (3, 6, 9):
            made.append(
                material_upload(
                    data=MaterialData(
                        titles={"ru": f"Серия уроков: опыт учителя, {grade} класс"},
                        language="ru",
                        subject="pedagogy",
                        type="medium_term_plan",
                        grades=[grade],
                    ),
                    upload=_upload(portfolio_text(rng, grade=grade), f"series-{grade}.txt"),
                    by=editor,
                )
            )
        branch = Branch.objects.order_by("code").first()
        for number, heading in enumerate((Heading.TEACHER_AID, Heading.RESEARCH)):
            manual_publish(
                data=MaterialData(
                    titles={
                        "kk": (
                            "Мұғалімге көмек: сабақты зерттеу",
                            "Lesson Study: мектептегі зерттеу",
                        )[number]
                    },
                    language="kk",
                    subject="pedagogy",
                    type="manual",
                ),
                upload=_upload(
                    "Әдістемелік құрал мұғалімдерге сабақты бірлесіп зерттеуге көмектеседі. "
                    + ("Бірінші бөлім." if number == 0 else "Action Research кезеңдері."),
                    f"manual-{number}.txt",
                ),
                by=editor,
                heading=heading,
                year=2025,
                branch=branch,
                isbn="978-601-317-" + ("000-8" if number == 0 else "001-5"),
            )
        issue = journal_issue_create(by=editor, year=2025, number=4, issn="2518-9670")
        journal_article_publish(
            issue=issue,
            data=MaterialData(
                titles={"ru": "Диалог на уроке: исследование практики"},
                language="ru",
                subject="pedagogy",
                type="journal_article",
            ),
            upload=_upload(
                "Статья описывает исследование диалогического обучения в школах Казахстана.",
                "article.txt",
            ),
            by=editor,
            heading=Heading.RESEARCH,
            authors=[
                {"name": "Айгүл Серікова", "country": "Қазақстан", "degree": "PhD"},
                {
                    "name": "John Smith",
                    "country": "United Kingdom",
                    "degree": "Doctor of Education",
                },
            ],
            pages="12–19",
        )
        if teacher is not None:
            pending = material_submit(
                data=MaterialData(
                    titles={"kk": "Менің мектебім: қысқа мерзімді жоспар"},
                    descriptions={"kk": "3-сыныпқа арналған сөйлеуді дамыту сабағы."},
                    language="kk",
                    subject="kazakh_language",
                    type="short_term_plan",
                    grades=[3],
                ),
                upload=_upload(
                    "Оқушылар өз мектебі туралы әңгіме құрастырады, мұғалімдердің "
                    "жұмысын сипаттайды.",
                    "my-school.txt",
                ),
                by=teacher,
            )
            returned = material_submit(
                data=MaterialData(
                    titles={"ru": "Проценты в жизни: план урока"},
                    language="ru",
                    subject="mathematics",
                    type="short_term_plan",
                    grades=[6],
                ),
                upload=_upload("Ученики решают задачи на проценты из жизни.", "percent.txt"),
                by=teacher,
            )
            submission_review(
                material=returned,
                by=editor,
                publish=False,
                comment="Добавьте критерии оценивания и дескрипторы.",
            )
            for item in made[:4]:
                rating_set(
                    material=item, by=teacher, stars=rng.choice((4, 5)), review="Пайдалы материал."
                )
            assert pending.pk
        for item in made:
            for _ in range(rng.randint(0, 5)):
                download_record(material=item)
        brought = portfolio_materials_sync_all()
    n = Material.objects.count()
    phrases = [ngettext("%(n)s library material", "%(n)s library materials", n) % {"n": n}]
    if brought:
        phrases.append(
            ngettext("%(n)s portfolio in the library", "%(n)s portfolios in the library", brought)
            % {"n": brought}
        )
    return phrases
