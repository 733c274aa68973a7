"""Pages of the online courses: the learner's (phone first) and the course team's."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.http import AuthedRequest, client_ip
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.learning import exports, forms, quiz, selectors, services
from kaskad.learning.media import ranged_response
from kaskad.learning.models import Enrolment, Lesson, Module, Post, Step, StepProgress
from kaskad.learning.permissions import may_enrol

T = TypeVar("T")


def _found(fn: Callable[..., T], **kwargs: Any) -> T:
    try:
        return fn(**kwargs)
    except NotFoundError as error:
        raise Http404 from error


# --- Learners ---------------------------------------------------------------------------------


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    mine = selectors.my_enrolments(request.user)
    enrolled = {e.course_id for e in mine}
    open_ = [c for c in selectors.courses_open_to(request.user) if c.pk not in enrolled]
    team = list(selectors.course_list_visible_to(request.user)[:50])
    return render(
        request, "learning/home.html", {"mine": mine, "open_courses": open_, "team": team}
    )


def register(request: HttpRequest) -> HttpResponse:
    """A learner without an IIN registers with an e-mail address (public courses only). The
    answer is the same for a new address and for one with a login: "check your inbox"."""
    if request.user.is_authenticated:
        return redirect("learning:home")
    form = forms.RegisterForm(request.POST or None)
    if request.method == "POST" and not services.register_attempt(ip=client_ip(request)):
        form.is_valid()
        form.add_error(None, _("Too many registrations from your network: try again later."))
        return render(request, "learning/register.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            services.learner_register(
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                language=(request.LANGUAGE_CODE or "")[:2],
            )
            return render(
                request,
                "learning/register_sent.html",
                {
                    "email": form.cleaned_data["email"].strip().lower(),
                    "hours": services.registration_lifetime_hours(),
                },
            )
    return render(request, "learning/register.html", {"form": form})


@require_GET
def register_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the confirmation e-mail: activates the login, signs the learner in and
    opens their online courses. A link that cannot be used says why, in the user's language."""
    try:
        user = services.learner_confirm(token=token)
    except services.RegistrationLinkError as error:
        return render(
            request,
            "learning/register_link.html",
            {"message": error.message, "code": error.code},
            status=400,
        )
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("Your address is confirmed: welcome!"))
    return redirect("learning:home")


@login_required
def course(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_of(user=request.user, course_id=pk)
    if enrolment is None:
        found = _found(selectors.course_public, user=request.user, pk=pk)
        return render(
            request,
            "learning/course_offer.html",
            {"course": found, "may_enrol": may_enrol(request.user, found)},
        )
    page = selectors.course_page(enrolment=enrolment)
    return render(request, "learning/course.html", {"page": page, "e": enrolment})


@login_required
@require_POST
def enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _found(selectors.course_public, user=request.user, pk=pk)
    with domain_errors_as_messages(request):
        services.enrol(course=found, user=request.user)
    return redirect("learning:course", pk=pk)


@login_required
def continue_(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = selectors.enrolment_of(user=request.user, course_id=pk)
    if enrolment is None:
        raise Http404
    page = selectors.course_page(enrolment=enrolment)
    if page.next_step_id is None:
        return redirect("learning:course", pk=pk)
    return redirect("learning:step", pk=page.next_step_id)


def _step_context(
    request: AuthedRequest,
    step: Step,
    enrolment: Enrolment,
    outcome: Any = None,
    progress: StepProgress | None = None,
) -> dict[str, Any]:
    if progress is None:
        progress = selectors.progress_of(enrolment=enrolment, step=step)
    last = selectors.last_attempt(progress) if outcome is None else None
    previous, following = selectors.neighbours(enrolment, step)
    attempts_left = None
    if step.max_attempts is not None and progress is not None:
        attempts_left = max(0, step.max_attempts - progress.attempts)
    return {
        "step": step,
        "e": enrolment,
        "progress": progress,
        "question": quiz.present(step.definition, progress.variant if progress else None)
        if step.is_quiz and progress is not None
        else None,
        "feedback": outcome.result if outcome is not None else (last.feedback if last else None),
        "attempts_left": attempts_left,
        "previous_id": previous,
        "next_id": following,
        "submit_key": uuid.uuid4().hex,
        "questions": selectors.questions_on(step, team=False),
        "ask_form": forms.PostForm(),
        "other_version": step.version_id != enrolment.version_id,
    }


@login_required
def step(request: AuthedRequest, pk: int) -> HttpResponse:
    found, enrolment = _found(selectors.step_for_learner, user=request.user, pk=pk)
    outcome = None
    progress = None
    status = 200
    if request.method == "POST":
        reply = quiz.reply_from_post(found.definition, request.POST)
        try:
            outcome = services.reply_submit(
                enrolment=enrolment,
                step=found,
                reply=reply,
                idempotency_key=request.POST.get("submit_key", ""),
            )
        except DomainError as error:
            messages.error(request, str(error.message))
            status = error.status if error.status != 404 else 409
        else:
            progress = outcome.progress
            if outcome.completed:
                messages.success(request, _("Congratulations: you have completed the course!"))
    elif found.version_id == enrolment.version_id:
        with domain_errors_as_messages(request):
            progress = services.step_open(enrolment=enrolment, step=found)
    context = _step_context(request, found, enrolment, outcome, progress)
    return render(request, "learning/step.html", context, status=status)


@login_required
def step_media(request: AuthedRequest, pk: int) -> HttpResponseBase:
    found, _enrolment = _found(selectors.step_for_learner, user=request.user, pk=pk)
    name = found.media.name
    if not name:
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
        size = default_storage.size(name)
    except OSError as error:
        raise Http404 from error
    # Only a video, whose type was read from its first bytes on upload, plays in the page; any
    # other upload is a download of bytes the browser must not render (an HTML or SVG file
    # sent as a step would otherwise run in the site's origin), whatever type it came with.
    video = found.kind == "video" and found.media_type.startswith("video/")
    return ranged_response(
        handle,
        size=size,
        content_type=found.media_type if video else "application/octet-stream",
        range_header=request.headers.get("Range", ""),
        filename="" if video else name.rsplit("/", 1)[-1],
        attachment=not video,
    )


@login_required
@require_POST
def ask(request: AuthedRequest, pk: int) -> HttpResponse:
    found, enrolment = _found(selectors.step_for_learner, user=request.user, pk=pk)
    form = forms.PostForm(request.POST)
    with domain_errors_as_messages(request):
        if not form.is_valid():
            raise DomainError("post_empty", _("Write the text."))
        services.question_ask(enrolment=enrolment, step=found, body=form.cleaned_data["body"])
        messages.success(request, _("Your question is sent to the course team."))
    return redirect(reverse("learning:step", args=[pk]) + "#questions")


@login_required
def certificate(request: AuthedRequest, pk: int) -> HttpResponseBase:
    enrolment = selectors.enrolment_of(user=request.user, course_id=pk)
    if enrolment is None:
        raise Http404
    with domain_errors_as_messages(request):
        issued = services.certificate_pdf_for(enrolment=enrolment)
        response = ranged_response(
            issued.pdf.open("rb"),
            size=issued.pdf.size,
            content_type="application/pdf",
            range_header="",
            filename=f"{issued.number}.pdf",
            attachment=True,
        )
        return response
    return redirect("learning:course", pk=pk)


# --- The course team --------------------------------------------------------------------------


def _team_course(request: AuthedRequest, pk: int) -> Any:
    return _found(selectors.course_for_team, user=request.user, pk=pk)


@login_required
def team_course(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    draft = selectors.draft_of(found)
    version = draft or found.current_version
    context = {
        "course": found,
        "draft": draft,
        "version": version,
        "outline": selectors.outline(version) if version else [],
        "versions": selectors.versions_of(found),
        "report": selectors.completion_report(course=found),
        "gift_form": forms.GiftForm(),
        "step_form": forms.StepForm(),
    }
    return render(request, "learning/team_course.html", context)


@login_required
@require_POST
def new_draft(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    with domain_errors_as_messages(request):
        services.draft_for(course=found, by=request.user)
    return redirect("learning:team_course", pk=pk)


@login_required
@require_POST
def module_add(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    form = forms.ModuleForm(request.POST)
    with domain_errors_as_messages(request):
        if not form.is_valid():
            raise DomainError("title_required", _("Give the title."))
        draft = services.draft_for(course=found, by=request.user)
        services.module_add(version=draft, by=request.user, **form.cleaned_data)
    return redirect("learning:team_course", pk=pk)


def _draft_module(found: Any, module_id: str | None) -> Module:
    module = Module.objects.filter(
        pk=module_id or 0, version__course=found, version__status="draft"
    ).first()
    if module is None:
        raise DomainError("module_missing", _("Choose a module of the draft."))
    return module


def _draft_lesson(found: Any, lesson_id: str | None) -> Lesson:
    lesson = (
        Lesson.objects.select_related("module__version")
        .filter(pk=lesson_id or 0, module__version__course=found, module__version__status="draft")
        .first()
    )
    if lesson is None:
        raise DomainError("lesson_missing", _("Choose a lesson of the draft."))
    return lesson


@login_required
@require_POST
def lesson_add(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    with domain_errors_as_messages(request):
        module = _draft_module(found, request.POST.get("module"))
        title = (request.POST.get("title") or "").strip()
        if not title:
            raise DomainError("title_required", _("Give the title."))
        services.lesson_add(module=module, title=title, by=request.user)
    return redirect("learning:team_course", pk=pk)


@login_required
@require_POST
def step_add(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    form = forms.StepForm(request.POST, request.FILES)
    with domain_errors_as_messages(request):
        lesson = _draft_lesson(found, request.POST.get("lesson"))
        if not form.is_valid():
            raise DomainError("step_invalid", forms.first_error(form))
        services.step_add(lesson=lesson, by=request.user, **form.step_arguments())
        messages.success(request, _("The step is added."))
    return redirect("learning:team_course", pk=pk)


@login_required
@require_POST
def gift_import(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    form = forms.GiftForm(request.POST, request.FILES)
    with domain_errors_as_messages(request):
        lesson = _draft_lesson(found, request.POST.get("lesson"))
        if not form.is_valid():
            raise DomainError("gift_invalid", forms.first_error(form))
        created = services.gift_import(
            lesson=lesson,
            text=form.gift_text(),
            by=request.user,
            max_attempts=form.cleaned_data.get("max_attempts"),
        )
        messages.success(request, _("%(count)s questions imported.") % {"count": len(created)})
    return redirect("learning:team_course", pk=pk)


@login_required
def gift_export(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    version = selectors.draft_of(found) or found.current_version
    if version is None:
        raise Http404
    response = HttpResponse(
        services.gift_export(version=version), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{found.code}-v{version.number}.gift"'
    return response


@login_required
@require_POST
def publish(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    with domain_errors_as_messages(request):
        draft = selectors.draft_of(found)
        if draft is None:
            raise DomainError("no_draft", _("There is no draft to publish."))
        version = services.version_publish(version=draft, by=request.user)
        messages.success(
            request, _("Version %(number)s is published.") % {"number": version.number}
        )
    return redirect("learning:team_course", pk=pk)


@login_required
@require_POST
def cohort_enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    with domain_errors_as_messages(request):
        count = services.cohort_enrol(course=found, by=request.user)
        messages.success(
            request, _("%(count)s participants of the cohort enrolled.") % {"count": count}
        )
    return redirect("learning:learners", pk=pk)


@login_required
def learners(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    stuck_raw = request.GET.get("stuck", "")
    stuck = int(stuck_raw) if stuck_raw.isdigit() else None
    rows = selectors.learners(course=found, stuck_days=stuck)
    return render(
        request,
        "learning/learners.html",
        {"course": found, "rows": rows, "stuck": stuck, "report": None},
    )


@login_required
def stats(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    version = found.current_version
    rows = selectors.step_stats(version=version) if version else []
    questions = []
    if version is not None:
        questions = list(
            Post.objects.filter(step__version__course=found, parent__isnull=True)
            .select_related("step", "author")
            .order_by("-created_at")[:50]
        )
    return render(
        request,
        "learning/stats.html",
        {"course": found, "rows": rows, "questions": questions, "answer_form": forms.PostForm()},
    )


@login_required
def export(request: AuthedRequest, pk: int) -> HttpResponse:
    found = _team_course(request, pk)
    data = exports.progress_workbook(course=found)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{found.code}-progress.xlsx"'
    return response


@login_required
@require_POST
def answer(request: AuthedRequest, pk: int) -> HttpResponse:
    post = _found(selectors.post_for_team, user=request.user, pk=pk)
    form = forms.PostForm(request.POST)
    with domain_errors_as_messages(request):
        if not form.is_valid():
            raise DomainError("post_empty", _("Write the text."))
        services.answer_post(question=post, body=form.cleaned_data["body"], by=request.user)
        messages.success(request, _("The answer is published."))
    return redirect("learning:stats", pk=post.step.version.course_id)


@login_required
@require_POST
def hide(request: AuthedRequest, pk: int) -> HttpResponse:
    post = _found(selectors.post_for_team, user=request.user, pk=pk)
    with domain_errors_as_messages(request):
        services.post_hide(post=post, by=request.user)
    return redirect("learning:stats", pk=post.step.version.course_id)
