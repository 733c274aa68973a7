"""Marking API: the assessor's queue, one task (blind), and the marks.

Blind like the pages: a task is named by its portfolio's code ("P-<id>"), its files by neutral
names; nothing about the participant is ever in an answer. Someone else's task, or one
withdrawn from you, answers 404 exactly like a missing one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema

from kaskad.assessment.marking import selectors
from kaskad.assessment.marking.services import MarksInvalid, assignment_mark
from kaskad.core.api import ERRORS, MAX_ID, WRITE_ERRORS, ApiError, RecordId, api_user

router = Router(tags=["assessment"])


class TaskOut(Schema):
    id: int
    code: str
    programme_code: str
    programme_title: str
    attempt: int
    role: str
    status: str
    due_at: datetime
    marked_at: datetime | None
    overdue: bool


class FileOut(Schema):
    id: int
    name: str
    kind: str
    size: int
    words: int
    url: str
    text: str


class LevelOut(Schema):
    level: int
    descriptor: str


class CriterionOut(Schema):
    id: int
    order: int
    title: str
    levels: list[LevelOut]


class MarkOut(Schema):
    criterion_id: int
    level: int
    comment: str


class MarkingOut(Schema):
    assessor: str  # "A" or "B": anonymous
    rating: str
    comment: str
    marks: list[MarkOut]


class TaskDetailOut(TaskOut):
    rating: str
    comment: str
    max_level: int
    files: list[FileOut]
    criteria: list[CriterionOut]
    marks: list[MarkOut]
    markings: list[MarkingOut]


class MarkIn(Schema):
    criterion_id: int = Field(ge=1, le=MAX_ID)
    level: int = Field(ge=0, le=100)
    comment: str = Field(default="", max_length=10000)


class MarksIn(Schema):
    marks: list[MarkIn] = Field(max_length=200)
    comment: str = Field(default="", max_length=10000)


def _row(row: selectors.TaskRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "code": row.code,
        "programme_code": row.programme_code,
        "programme_title": row.programme_title,
        "attempt": row.attempt,
        "role": row.role,
        "status": row.status,
        "due_at": row.due_at,
        "marked_at": row.marked_at,
        "overdue": row.overdue,
    }


def _marks(marks: dict[int, selectors.MarkView]) -> list[dict[str, Any]]:
    return [
        {"criterion_id": m.criterion_id, "level": m.level, "comment": m.comment}
        for m in marks.values()
    ]


def _task(task: selectors.BlindTask) -> dict[str, Any]:
    return {
        "id": task.id,
        "code": task.code,
        "programme_code": task.programme_code,
        "programme_title": task.programme_title,
        "attempt": task.attempt,
        "role": task.role,
        "status": task.status,
        "due_at": task.due_at,
        "marked_at": task.marked_at,
        "overdue": False,
        "rating": task.rating,
        "comment": task.comment,
        "max_level": task.max_level,
        "files": [
            {
                "id": f.id,
                "name": f.download_name,
                "kind": f.kind,
                "size": f.size,
                "words": f.words,
                "url": reverse("assessment:marking_file", args=[task.id, f.id]),
                "text": f.text,
            }
            for f in task.files
        ],
        "criteria": [
            {
                "id": c.id,
                "order": c.order,
                "title": c.title,
                "levels": [{"level": lv.level, "descriptor": lv.descriptor} for lv in c.levels],
            }
            for c in task.criteria
        ],
        "marks": _marks(task.marks),
        "markings": [
            {
                "assessor": m.label,
                "rating": m.rating,
                "comment": m.comment,
                "marks": _marks(m.marks),
            }
            for m in task.markings
        ],
    }


@router.get(
    "/assessment/tasks",
    response={200: list[TaskOut], **ERRORS},
    summary="My assessment tasks: open ones, then those marked in the last 30 days",
)
def my_tasks(request: HttpRequest) -> list[dict[str, Any]]:
    """First and second markings and moderation tasks of the signed-in assessor."""
    user = api_user(request)
    rows = selectors.assessor_queue(user=user) + selectors.moderation_queue(user=user)
    return [_row(r) for r in rows]


def _find(user: Any, task_id: int) -> selectors.BlindTask:
    try:
        return selectors.task_for_assessor(user=user, pk=task_id)
    except Http404:
        return selectors.task_for_assessor(user=user, pk=task_id, role="moderation")


@router.get(
    "/assessment/tasks/{task_id}",
    response={200: TaskDetailOut, **ERRORS},
    summary="One of my tasks (blind): files, extracted text, rubric, my marks",
)
def task_detail(request: HttpRequest, task_id: RecordId) -> dict[str, Any]:
    """A moderation task also carries the two markings, as assessors “A” and “B”."""
    return _task(_find(api_user(request), task_id))


@router.post(
    "/assessment/tasks/{task_id}/marks",
    response={200: TaskDetailOut, **WRITE_ERRORS},
    summary="Mark every criterion (level and comment) with an overall comment",
)
def task_mark(request: HttpRequest, task_id: RecordId, payload: MarksIn) -> dict[str, Any]:
    """Every criterion of the rubric needs a level 1..max and a comment (400
    `marks_invalid`, one detail per criterion); a task already marked answers 409."""
    user = api_user(request)
    assignment = selectors.assignment_for_marking(user=user, pk=task_id)
    marks = {m.criterion_id: (m.level, m.comment) for m in payload.marks}
    try:
        assignment_mark(assignment=assignment, marks=marks, comment=payload.comment, by=user)
    except MarksInvalid as error:
        raise ApiError(
            error.code,
            error.message,
            status=400,
            field=error.field,
            details=[
                {"field": field, "code": "invalid", "message": str(message)}
                for field, message in error.errors.items()
            ],
        ) from error
    return _task(_find(user, task_id))
