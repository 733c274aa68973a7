"""Marking pages: the assessor's queue and marking page, the moderator's queue and page (both
BLIND), the downloads of the stripped files under neutral names, and the staff history of a
portfolio.

Thin on purpose: reads through `marking_selectors` (an assessor finds only their own live
tasks: anything else is 404), writes through `marking.assignment_mark`, whose refusals are
shown on the form with what was typed.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kaskad.assessment import permissions
from kaskad.assessment.marking import selectors
from kaskad.assessment.marking.services import (
    MarksInvalid,
    assignment_mark,
    assignment_save_draft,
    criterion_field,
    marks_problems,
)
from kaskad.assessment.models import AssignmentRole, PortfolioStatus, Rating
from kaskad.assessment.portfolios.downloads import file_response
from kaskad.assessment.rubrics.services import rule_text
from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.http import AuthedRequest

PAGE_SIZE = 25


def _require_assessor(request: HttpRequest) -> None:
    if not permissions.is_assessor(request.user):
        raise Http404


# --- Queues -------------------------------------------------------------------------------------


@login_required
def marking_queue(request: AuthedRequest) -> HttpResponse:
    _require_assessor(request)
    rows = selectors.assessor_queue(user=request.user)
    return render(
        request,
        "assessment/marking/queue.html",
        {
            "open_rows": [r for r in rows if r.status == "allocated"],
            "done_rows": [r for r in rows if r.status != "allocated"],
            "recent_days": selectors.RECENT_DAYS,
            "moderation": False,
        },
    )


@login_required
def moderation_queue(request: AuthedRequest) -> HttpResponse:
    if not permissions.is_moderator(request.user):
        raise Http404
    rows = selectors.moderation_queue(user=request.user)
    return render(
        request,
        "assessment/marking/queue.html",
        {
            "open_rows": [r for r in rows if r.status == "allocated"],
            "done_rows": [r for r in rows if r.status != "allocated"],
            "recent_days": selectors.RECENT_DAYS,
            "moderation": True,
        },
    )


# --- Marking ------------------------------------------------------------------------------------


def _typed(request: HttpRequest, task: selectors.BlindTask) -> dict[str, Any]:
    """What the assessor typed, to show again, keyed like the form."""
    values: dict[str, Any] = {"comment": request.POST.get("comment", "")}
    for criterion in task.criteria:
        values[f"level-{criterion.id}"] = request.POST.get(f"level-{criterion.id}", "")
        values[f"comment-{criterion.id}"] = request.POST.get(f"comment-{criterion.id}", "")
    return values


def _saved(task: selectors.BlindTask) -> dict[str, Any]:
    if task.open and task.draft:
        # The draft kept by "Save as draft": shown again until the final save.
        drafted = task.draft.get("marks", {})
        values: dict[str, Any] = {"comment": task.draft.get("comment", "")}
        for criterion in task.criteria:
            level, text = drafted.get(str(criterion.id), [None, ""])
            values[f"level-{criterion.id}"] = "" if level is None else str(level)
            values[f"comment-{criterion.id}"] = text
        return values
    values = {"comment": task.comment}
    for criterion in task.criteria:
        mark = task.marks.get(criterion.id)
        values[f"level-{criterion.id}"] = str(mark.level) if mark else ""
        values[f"comment-{criterion.id}"] = mark.comment if mark else ""
    return values


def _error_summary(task: selectors.BlindTask, errors: dict[str, Any]) -> list[dict[str, str]]:
    """Every problem, in page order, each with the anchor of the field it is about."""
    items = []
    for criterion in task.criteria:
        message = errors.get(criterion_field(criterion.id))
        if message:
            items.append({"anchor": f"criterion-{criterion.id}", "message": str(message)})
    if errors.get("comment"):
        items.append({"anchor": "overall-comment", "message": str(errors["comment"])})
    if errors.get("confirm"):
        items.append({"anchor": "confirm-final", "message": str(errors["confirm"])})
    for key, value in errors.items():
        if key in ("comment", "confirm") or key.startswith("criterion-"):
            continue
        items.append({"anchor": "marking-form", "message": str(value)})
    return items


def _criteria_rows(
    task: selectors.BlindTask, values: dict[str, Any], errors: dict[str, Any]
) -> list[dict[str, Any]]:
    rows = []
    for criterion in task.criteria:
        others = [{"label": m.label, "mark": m.marks.get(criterion.id)} for m in task.markings]
        rows.append(
            {
                "criterion": criterion,
                "level": values.get(f"level-{criterion.id}", ""),
                "comment": values.get(f"comment-{criterion.id}", ""),
                "error": errors.get(criterion_field(criterion.id)),
                "others": others,
            }
        )
    return rows


def _task_page(request: AuthedRequest, pk: int, *, role: str | None) -> HttpResponse:
    task = selectors.task_for_assessor(user=request.user, pk=pk, role=role)
    errors: dict[str, Any] = {}
    values = _saved(task)
    if request.method == "POST":
        values = _typed(request, task)
        marks = {c.id: (values[f"level-{c.id}"], values[f"comment-{c.id}"]) for c in task.criteria}
        if request.POST.get("action") == "draft":
            try:
                assignment = selectors.assignment_for_marking(user=request.user, pk=pk)
                saved = assignment_save_draft(
                    assignment=assignment, marks=marks, comment=values["comment"], by=request.user
                )
            except NotFoundError as error:
                raise Http404 from error
            except MarksInvalid as error:  # every wrong level, each naming its criterion
                messages.error(request, " ".join(str(m) for m in error.errors.values()))
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request,
                    _(
                        "Draft saved at %(time)s. Nothing is final until you save the marks; "
                        "you can come back to it later."
                    )
                    % {
                        "time": date_format(timezone.localtime(saved.draft_saved_at), "TIME_FORMAT")
                    },
                )
            return redirect(request.path)
        try:
            assignment = selectors.assignment_for_marking(user=request.user, pk=pk)
            if request.POST.get("confirm_final") != "yes":
                # Every problem at once: the marks' own and the missing confirmation.
                problems = marks_problems(
                    assignment=assignment, marks=marks, comment=values["comment"]
                )
                problems["confirm"] = _(
                    "Tick “My marks are final” to save them: they cannot be changed "
                    "after saving. To keep working on them, save as draft."
                )
                raise MarksInvalid(problems)
            assignment_mark(
                assignment=assignment, marks=marks, comment=values["comment"], by=request.user
            )
        except MarksInvalid as error:
            errors = error.errors
        except NotFoundError as error:
            raise Http404 from error
        except DomainError as error:
            errors = {"__all__": str(error.message)}
        else:
            messages.success(
                request,
                _("Your marks for %(code)s are saved.") % {"code": task.code},
            )
            name = (
                "assessment:moderation_queue"
                if task.role == AssignmentRole.MODERATION
                else "assessment:marking_queue"
            )
            return redirect(name)
    form_errors = [
        str(v)
        for k, v in errors.items()
        if not k.startswith("criterion-") and k not in ("comment", "confirm")
    ]
    labels = dict(Rating.choices)
    return render(
        request,
        "assessment/marking/task.html",
        {
            "task": task,
            "rows": _criteria_rows(task, values, errors),
            "overall_comment": values.get("comment", ""),
            "errors": errors,
            "form_errors": form_errors,
            "error_summary": _error_summary(task, errors),
            "rating_label": labels.get(task.rating, ""),
            "markings": [
                {"marking": m, "rating_label": labels.get(m.rating, m.rating)}
                for m in task.markings
            ],
            "moderation": task.role == AssignmentRole.MODERATION,
            "editable": task.open,
            "rule": rule_text(SimpleNamespace(max_level=task.max_level, good_mean=task.good_mean)),
        },
        status=400 if errors else 200,
    )


@login_required
def marking_task(request: AuthedRequest, pk: int) -> HttpResponse:
    return _task_page(request, pk, role=None)


@login_required
def moderation_task(request: AuthedRequest, pk: int) -> HttpResponse:
    return _task_page(request, pk, role=AssignmentRole.MODERATION)


@login_required
def marking_file(request: AuthedRequest, pk: int, file_pk: int) -> FileResponse:
    """The stripped copy of a file of the assessor's own task, under a neutral name."""
    download = selectors.file_for_assessor(user=request.user, pk=pk, file_pk=file_pk)
    try:
        handle = download.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    return file_response(handle, name=download.name, kind=download.kind)


# --- Staff: the history of a portfolio ----------------------------------------------------------


@login_required
def history_list(request: AuthedRequest) -> HttpResponse:
    if not permissions.may_see_history(request.user):
        raise Http404
    q = request.GET.get("q", "")[:100]
    status = request.GET.get("status", "")
    page = Paginator(
        selectors.history_list(user=request.user, q=q, status=status), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "assessment/marking/history_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": PortfolioStatus.choices,
            "querystring": params.urlencode(),
        },
    )


@login_required
def history_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    history = selectors.portfolio_history(user=request.user, pk=pk)
    return render(
        request,
        "assessment/marking/history_detail.html",
        {
            "history": history,
            "portfolio": history.portfolio,
            "ratings": dict(Rating.choices),
        },
    )
