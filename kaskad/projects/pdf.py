"""The reports of a cycle as PDF (WeasyPrint, as the certificates), in the cycle's language.

Pupils appear only by their code and attainment: the cycle holds nothing else about them."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from kaskad.certificates.pdf import html_to_pdf
from kaskad.core.collation import name_key
from kaskad.projects.models import ActionResearch, ArStep, LessonStudyGroup


def lesson_study_context(group: LessonStudyGroup) -> dict[str, Any]:
    lessons = list(
        group.lessons.prefetch_related(
            "stages__predictions__pupil", "notes__pupil", "notes__observer", "interviews__pupil"
        )
    )
    pupils = list(group.pupils.all())
    for lesson in lessons:
        lesson.pupil_discussion = [  # type: ignore[attr-defined]
            (p, (lesson.discussion_pupils or {}).get(p.code, "")) for p in pupils
        ]
    members = sorted(group.members.all(), key=lambda p: name_key(p.full_name))
    return {
        "group": group,
        "project": group.project,
        "members": members,
        "pupils": pupils,
        "lessons": lessons,
        "public_lessons": list(group.public_lessons.all()),
        "language": group.language,
    }


def lesson_study_pdf(group: LessonStudyGroup) -> bytes:
    with translation.override(group.language):
        html = render_to_string("projects/lesson_study_pdf.html", lesson_study_context(group))
    return html_to_pdf(html)


def action_research_context(research: ActionResearch) -> dict[str, Any]:
    entries = list(research.entries.select_related("author").prefetch_related("comments__author"))
    cycles: dict[int, list[tuple[str, list[Any]]]] = {}
    for number in sorted({e.cycle for e in entries}):
        cycles[number] = [
            (str(label), [e for e in entries if e.cycle == number and e.step == value])
            for value, label in ArStep.choices
        ]
    team = sorted(
        research.school.team.select_related("person"),
        key=lambda m: name_key(m.person.full_name),
    )
    return {
        "research": research,
        "school": research.school,
        "project": research.school.project,
        "team": team,
        "cycles": cycles,
        "language": research.language,
    }


def action_research_pdf(research: ActionResearch) -> bytes:
    with translation.override(research.language):
        html = render_to_string(
            "projects/action_research_pdf.html", action_research_context(research)
        )
    return html_to_pdf(html)
