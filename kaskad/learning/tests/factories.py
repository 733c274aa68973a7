"""Test data for the online courses, made through the services."""

from __future__ import annotations

from itertools import count
from typing import Any

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.catalogue.tests.factories import make_version
from kaskad.learning import services
from kaskad.learning.models import Course, CourseVersion, Lesson, Module
from kaskad.registry.tests.factories import branch

_codes = count(1)

GIFT_QUIZ = """// A short quiz
::Capital::What is the capital of Kazakhstan? {=Astana ~Almaty ~Shymkent}

::Online::Online learning can be self-paced. {T}

::Count::How many letters has the Kazakh Cyrillic alphabet? {#42:0}
"""


def course_admin() -> User:
    return make_user(roles=[(Role.NATIONAL_ADMIN, None)])


def make_course(
    *,
    by: User | None = None,
    language: str = "kk",
    is_public: bool = False,
    pass_percent: int = 60,
    distinction_percent: int | None = None,
    **extra: Any,
) -> Course:
    by = by or course_admin()
    version = make_version(hours=24, formats=["self_paced", "online"])
    return services.course_create(
        programme_version=version,
        branch=branch("ALA"),
        data=services.CourseData(
            code=f"MOOC-{next(_codes)}",
            title="Learning to teach online",
            language=language,
            is_public=is_public,
            pass_percent=pass_percent,
            distinction_percent=distinction_percent,
            **extra,
        ),
        by=by,
    )


def outline_with_quiz(
    course: Course, *, by: User, max_attempts: int | None = None, **module: Any
) -> tuple[CourseVersion, Module, Lesson]:
    """A draft with one module, one lesson: a text step and the three GIFT questions."""
    draft = services.draft_for(course=course, by=by)
    mod = services.module_add(version=draft, title="Module 1", by=by, **module)
    lesson = services.lesson_add(module=mod, title="Lesson 1", by=by)
    services.step_add(
        lesson=lesson,
        definition={"kind": "text", "body": "<h2>Welcome</h2><p>Read me</p>", "format": "html"},
        by=by,
    )
    services.gift_import(lesson=lesson, text=GIFT_QUIZ, by=by, max_attempts=max_attempts)
    return draft, mod, lesson


def published_course(**kwargs: Any) -> tuple[Course, User]:
    by = course_admin()
    max_attempts = kwargs.pop("max_attempts", None)
    module = kwargs.pop("module", {})
    course = make_course(by=by, **kwargs)
    draft, _, _ = outline_with_quiz(course, by=by, max_attempts=max_attempts, **module)
    services.version_publish(version=draft, by=by)
    course.refresh_from_db()
    return course, by
