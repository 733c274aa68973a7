"""Project pages. Thin: reads through `selectors` (out of scope is 404, like a missing page),
writes through `services` (whose refusals show on the form field they name)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kaskad.core.collation import name_order
from kaskad.core.errors import DomainError
from kaskad.core.http import AuthedRequest
from kaskad.core.pages import domain_errors_as_messages, domain_errors_on_form
from kaskad.core.scope import scope_of
from kaskad.core.uploads import refused_uploads
from kaskad.library.permissions import is_editor
from kaskad.networks.models import HubLink
from kaskad.projects import permissions, reports, selectors, services
from kaskad.projects.forms import (
    CasePupilForm,
    CommentForm,
    DiscussionForm,
    EntryForm,
    GroupForm,
    InterviewForm,
    LessonForm,
    MemberForm,
    MentoringLinkForm,
    MentoringSessionForm,
    NoteForm,
    PartnerForm,
    PredictionForm,
    ProjectEventForm,
    ProjectForm,
    PublicationForm,
    PublicLessonForm,
    ReportFilterForm,
    ResearchForm,
    SchoolForm,
    StaffForm,
)
from kaskad.projects.models import (
    ArEntry,
    LessonStage,
    MentoringLink,
    ProjectSchool,
    ResearchLesson,
    TeamMember,
)
from kaskad.projects.pdf import action_research_pdf, lesson_study_pdf
from kaskad.registry.models import Branch, Person
from kaskad.registry.selectors import organisation_list_visible_to, person_get_by_iin


def upload_limit_for(request: HttpRequest, kwargs: dict[str, Any]) -> int:
    """The largest file an Action Research entry may send (`kaskad.core.uploads`): larger ones
    are cut off while they arrive."""
    return services.MAX_ATTACHMENT


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def project_list(request: AuthedRequest) -> HttpResponse:
    projects = list(selectors.project_list_visible_to(request.user))
    return render(
        request,
        "projects/project_list.html",
        {
            "projects": projects,
            "can_create": permissions.may_create_projects(request.user),
            "can_report": reports.may_see_reports(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: AuthedRequest) -> HttpResponse:
    if not permissions.may_create_projects(request.user):
        raise Http404
    scope = scope_of(request.user)
    branches = (
        Branch.objects.all() if scope.national else Branch.objects.filter(pk__in=scope.branch_ids)
    )
    form = ProjectForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on_form(form):
            project = services.project_create(
                data=services.ProjectData(**form.cleaned_data), by=request.user
            )
            return redirect("projects:detail", code=project.code)
    return render(request, "projects/project_form.html", {"form": form})


def _person_by_iin(request: AuthedRequest, form: forms.Form) -> Person | None:
    """The person a manager names by IIN, within what they may see of the registry; an unknown
    IIN and one outside their scope get the same message on the field."""
    try:
        return person_get_by_iin(user=request.user, iin=form.cleaned_data["iin"].strip())
    except (DomainError, Http404):
        form.add_error("iin", _("No one with this IIN is in the registry."))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def project_detail(request: AuthedRequest, code: str) -> HttpResponse:
    with domain_errors_as_messages(request):
        project = selectors.project_get(user=request.user, code=code)
    manager = permissions.manages_project(request.user, project)
    staff = bool(permissions.staff_role(request.user, project))
    team = TeamMember.objects.select_related("person").order_by(*name_order("person__"), "pk")
    schools = list(
        project.schools.select_related("organisation").prefetch_related(Prefetch("team", team))
    )
    team_people = Person.objects.filter(
        pk__in=TeamMember.objects.filter(school__project=project).values("person_id")
    ).order_by(*name_order(), "pk")
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not (manager or (staff and action == "group")):
        raise Http404
    bound = request.POST if request.method == "POST" else None
    school_form = SchoolForm(bound if action == "school" else None, prefix="school")
    member_form = MemberForm(bound if action == "member" else None, prefix="member")
    staff_form = StaffForm(bound if action == "staff" else None, prefix="staff")
    partner_form = PartnerForm(bound if action == "partner" else None, prefix="partner")
    group_form = GroupForm(bound if action == "group" else None, prefix="group", people=team_people)
    research_form = ResearchForm(bound if action == "research" else None, prefix="research")
    research_form.fields["school"].choices = [(s.pk, str(s)) for s in schools]  # type: ignore[attr-defined]
    event_form = ProjectEventForm(bound if action == "event" else None, prefix="event")
    mentoring_form = MentoringLinkForm(bound if action == "mentoring" else None, prefix="mentoring")
    candidates = (
        HubLink.objects.filter(year__in=project.years, mentor__area__branch_id=project.branch_id)
        .exclude(pk__in=MentoringLink.objects.filter(project=project).values("hub_link_id"))
        .select_related("mentor", "mentee")
        .order_by("year", "mentor__name", "mentee__name")
    )
    mentoring_form.fields["hub_link"].choices = [  # type: ignore[attr-defined]
        (h.pk, f"{h.year}–{h.year + 1}: {h.mentor.name} → {h.mentee.name}") for h in candidates
    ]
    done = False
    if action == "school" and school_form.is_valid():
        value = school_form.cleaned_data["organisation"].strip()
        # Only a school the manager may see in the registry: one of another branch answers
        # like a code nobody has.
        visible = organisation_list_visible_to(request.user)
        organisation = visible.filter(code=value).first() or (visible.filter(bin=value).first())
        if organisation is None:
            school_form.add_error("organisation", _("No organisation with this code or BIN."))
        else:
            with domain_errors_on_form(school_form):
                services.school_join(
                    project=project,
                    organisation=organisation,
                    year=school_form.cleaned_data["year"],
                    by=request.user,
                )
                done = True
    elif action == "member" and member_form.is_valid():
        school = ProjectSchool.objects.filter(
            project=project, pk=request.POST.get("school_id") or 0
        ).first()
        person = _person_by_iin(request, member_form)
        if school is None:
            raise Http404
        if person is not None:
            with domain_errors_on_form(member_form):
                services.team_member_add(
                    school=school,
                    person=person,
                    role=member_form.cleaned_data["role"],
                    by=request.user,
                )
                done = True
    elif action == "staff" and staff_form.is_valid():
        person = _person_by_iin(request, staff_form)
        if person is not None:
            with domain_errors_on_form(staff_form):
                services.staff_add(
                    project=project,
                    person=person,
                    role=staff_form.cleaned_data["role"],
                    by=request.user,
                )
                done = True
    elif action == "partner" and partner_form.is_valid():
        with domain_errors_on_form(partner_form):
            services.partner_add(project=project, by=request.user, **partner_form.cleaned_data)
            done = True
    elif action == "group" and group_form.is_valid():
        with domain_errors_on_form(group_form):
            group = services.lesson_study_start(
                project=project, by=request.user, **group_form.cleaned_data
            )
            return redirect("projects:lesson_study", pk=group.pk)
    elif action == "research" and research_form.is_valid():
        school = ProjectSchool.objects.get(pk=research_form.cleaned_data["school"])
        with domain_errors_on_form(research_form):
            research = services.action_research_start(
                school=school,
                title=research_form.cleaned_data["title"],
                language=research_form.cleaned_data["language"],
                by=request.user,
            )
            return redirect("projects:action_research", pk=research.pk)
    elif action == "event" and event_form.is_valid():
        with domain_errors_on_form(event_form):
            services.project_event_plan(
                project=project,
                data=services.project_event_data(event_form.cleaned_data, project=project),
                by=request.user,
            )
            done = True
    elif action == "mentoring" and mentoring_form.is_valid():
        hub_link = HubLink.objects.get(pk=mentoring_form.cleaned_data["hub_link"])
        with domain_errors_on_form(mentoring_form):
            services.mentoring_link_add(project=project, hub_link=hub_link, by=request.user)
            done = True
    if done:
        messages.success(request, _("Saved."))
        return redirect("projects:detail", code=project.code)
    years = [(year, [s for s in schools if s.year == year]) for year in project.years]
    context: dict[str, Any] = {
        "project": project,
        "manager": manager,
        "staff": staff,
        "years": years,
        "partners": list(project.partners.all()),
        "project_staff": list(
            project.staff.select_related("person").order_by("role", *name_order("person__"))
        ),
        "groups": list(project.lesson_studies.all()),
        "researches": [r for s in schools for r in s.action_research.all()],
        "school_form": school_form,
        "member_form": member_form,
        "staff_form": staff_form,
        "partner_form": partner_form,
        "group_form": group_form,
        "research_form": research_form,
        "mentoring_form": mentoring_form,
        "event_form": event_form,
        "plan": list(project.plan.select_related("event")),
        "mentoring": list(
            project.mentoring.select_related("hub_link__mentor", "hub_link__mentee")
            .annotate(n=Count("sessions"))
            .order_by("hub_link__year", "hub_link__mentor__name", "hub_link__mentee__name")
        ),
        "action": action,
    }
    return render(request, "projects/project_detail.html", context, status=400 if action else 200)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_study(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        group = selectors.lesson_study_get(user=request.user, pk=pk)
    works = permissions.works_on_lesson_study(request.user, group)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not works:
        raise Http404
    bound = request.POST if request.method == "POST" else None
    pupil_form = CasePupilForm(bound if action == "pupil" else None, prefix="pupil")
    lesson_form = LessonForm(bound if action == "lesson" else None, prefix="lesson")
    public_form = PublicLessonForm(bound if action == "public" else None, prefix="public")
    done = False
    if action == "pupil" and pupil_form.is_valid():
        with domain_errors_on_form(pupil_form):
            services.case_pupil_add(group=group, by=request.user, **pupil_form.cleaned_data)
            done = True
    elif action == "lesson" and lesson_form.is_valid():
        data = dict(lesson_form.cleaned_data)
        stages = [s for s in data.pop("stages").splitlines() if s.strip()]
        with domain_errors_on_form(lesson_form):
            lesson = services.research_lesson_add(
                group=group, stages=stages, by=request.user, **data
            )
            return redirect("projects:research_lesson", pk=group.pk, number=lesson.number)
    elif action == "public" and public_form.is_valid():
        with domain_errors_on_form(public_form):
            services.public_lesson_add(group=group, by=request.user, **public_form.cleaned_data)
            done = True
    elif action == "finish":
        with domain_errors_as_messages(request):
            services.lesson_study_finish(group=group, by=request.user)
            messages.success(request, _("The cycle is finished."))
        return redirect("projects:lesson_study", pk=group.pk)
    if done:
        messages.success(request, _("Saved."))
        return redirect("projects:lesson_study", pk=group.pk)
    return render(
        request,
        "projects/lesson_study.html",
        {
            "group": group,
            "project": group.project,
            "works": works,
            "open": group.status == "open",
            "members": list(group.members.order_by(*name_order(), "pk")),
            "pupils": list(group.pupils.all()),
            "lessons": list(group.lessons.all()),
            "public_lessons": list(group.public_lessons.all()),
            "pupil_form": pupil_form,
            "lesson_form": lesson_form,
            "public_form": public_form,
        },
        status=400 if action else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def research_lesson(request: AuthedRequest, pk: int, number: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        group = selectors.lesson_study_get(user=request.user, pk=pk)
    lesson = ResearchLesson.objects.filter(group=group, number=number).first()
    if lesson is None:
        raise Http404
    works = permissions.works_on_lesson_study(request.user, group)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not works:
        raise Http404
    pupils = {p.code: p for p in group.pupils.all()}
    choices = [(code, code) for code in pupils]
    bound = request.POST if request.method == "POST" else None
    prediction_form = PredictionForm(bound if action == "prediction" else None, prefix="prediction")
    note_form = NoteForm(bound if action == "note" else None, prefix="note")
    interview_form = InterviewForm(bound if action == "interview" else None, prefix="interview")
    for form in (prediction_form, note_form, interview_form):
        form.fields["pupil"].choices = choices  # type: ignore[attr-defined]
    discussion_form = DiscussionForm(
        bound if action == "discussion" else None,
        prefix="discussion",
        codes=list(pupils),
        initial={
            "discussion": lesson.discussion,
            "changes_next": lesson.changes_next,
            **{f"pupil_{c}": t for c, t in (lesson.discussion_pupils or {}).items()},
        },
    )
    done = False
    if action == "prediction" and prediction_form.is_valid():
        stage = LessonStage.objects.filter(
            lesson=lesson, pk=prediction_form.cleaned_data["stage"]
        ).first()
        if stage is None:
            raise Http404
        with domain_errors_on_form(prediction_form):
            services.prediction_set(
                stage=stage,
                pupil=pupils[prediction_form.cleaned_data["pupil"]],
                predicted=prediction_form.cleaned_data["predicted"],
                observed=prediction_form.cleaned_data["observed"],
                by=request.user,
            )
            done = True
    elif action == "note" and note_form.is_valid():
        observer_id = scope_of(request.user).person_id
        if observer_id is None:
            note_form.add_error(None, _("Your account has no registry record."))
        else:
            with domain_errors_on_form(note_form):
                services.observer_note_add(
                    lesson=lesson,
                    pupil=pupils[note_form.cleaned_data["pupil"]],
                    observer=Person.objects.get(pk=observer_id),
                    minute=note_form.cleaned_data["minute"],
                    note=note_form.cleaned_data["note"],
                    by=request.user,
                )
                done = True
    elif action == "interview" and interview_form.is_valid():
        with domain_errors_on_form(interview_form):
            services.interview_add(
                lesson=lesson,
                pupil=pupils[interview_form.cleaned_data["pupil"]],
                summary=interview_form.cleaned_data["summary"],
                by=request.user,
            )
            done = True
    elif action == "discussion" and discussion_form.is_valid():
        data = discussion_form.cleaned_data
        with domain_errors_on_form(discussion_form):
            services.discussion_record(
                lesson=lesson,
                about_pupils={c: data.get(f"pupil_{c}", "") for c in pupils},
                discussion=data["discussion"],
                changes_next=data["changes_next"],
                by=request.user,
            )
            done = True
    if done:
        messages.success(request, _("Saved."))
        return redirect("projects:research_lesson", pk=group.pk, number=lesson.number)
    return render(
        request,
        "projects/research_lesson.html",
        {
            "group": group,
            "project": group.project,
            "lesson": lesson,
            "works": works and group.status == "open",
            "stages": list(lesson.stages.prefetch_related("predictions__pupil")),
            "notes": list(lesson.notes.select_related("pupil", "observer")),
            "interviews": list(lesson.interviews.select_related("pupil")),
            "pupil_discussion": [
                (code, (lesson.discussion_pupils or {}).get(code, "")) for code in pupils
            ],
            "prediction_form": prediction_form,
            "note_form": note_form,
            "interview_form": interview_form,
            "discussion_form": discussion_form,
        },
        status=400 if action else 200,
    )


@login_required
def lesson_study_report(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        group = selectors.lesson_study_get(user=request.user, pk=pk)
    return _pdf(lesson_study_pdf(group), f"lesson-study-{group.pk}.pdf")


@login_required
@require_http_methods(["GET", "POST"])
def action_research(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        research = selectors.action_research_get(user=request.user, pk=pk)
    member = permissions.team_member_of(request.user, research)
    commenter = permissions.comments_on(request.user, research)
    manager = permissions.manages_project(request.user, research.school.project)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not (member or commenter):
        raise Http404
    bound = request.POST if request.method == "POST" else None
    entry_form = EntryForm(
        bound if action == "entry" else None,
        request.FILES if action == "entry" else None,
        prefix="entry",
    )
    comment_form = CommentForm(bound if action == "comment" else None, prefix="comment")
    publication_form = PublicationForm(
        bound if action == "publication" else None,
        prefix="publication",
        initial={
            "authors_consent": research.authors_consent,
            "ready_to_publish": research.ready_to_publish,
        },
    )
    done = False
    for skipped in refused_uploads(request) if action == "entry" else []:
        entry_form.add_error(
            "attachment", _("%(name)s is larger than 20 MB.") % {"name": skipped.name}
        )
    if action == "entry" and entry_form.is_valid():
        with domain_errors_on_form(entry_form):
            services.ar_entry_add(research=research, by=request.user, **entry_form.cleaned_data)
            done = True
    elif action == "comment" and comment_form.is_valid():
        entry = ArEntry.objects.filter(
            research=research, pk=comment_form.cleaned_data["entry"]
        ).first()
        if entry is None:
            raise Http404
        with domain_errors_on_form(comment_form):
            services.ar_comment_add(
                entry=entry, text=comment_form.cleaned_data["text"], by=request.user
            )
            done = True
    elif action == "publication" and publication_form.is_valid():
        with domain_errors_on_form(publication_form):
            services.ar_publication_set(
                research=research,
                consent=publication_form.cleaned_data["authors_consent"],
                ready=publication_form.cleaned_data["ready_to_publish"],
                by=request.user,
            )
            done = True
    elif action == "finish":
        with domain_errors_as_messages(request):
            services.action_research_finish(research=research, by=request.user)
            messages.success(request, _("The cycle is finished."))
        return redirect("projects:action_research", pk=research.pk)
    elif action == "publish":
        with domain_errors_as_messages(request):
            services.ar_publish(research=research, by=request.user)
            messages.success(request, _("The report is published in the collection."))
        return redirect("projects:action_research", pk=research.pk)
    if done:
        messages.success(request, _("Saved."))
        return redirect("projects:action_research", pk=research.pk)
    entries = list(research.entries.select_related("author").prefetch_related("comments__author"))
    return render(
        request,
        "projects/action_research.html",
        {
            "research": research,
            "project": research.school.project,
            "entries": entries,
            "member": member,
            "commenter": commenter,
            "manager": manager,
            "entry_form": entry_form,
            "comment_form": comment_form,
            "publication_form": publication_form,
            "can_publish": is_editor(request.user)
            and research.status == "finished"
            and research.ready_to_publish
            and not (
                research.library_material is not None
                and research.library_material.status == "published"
            ),
        },
        status=400 if action else 200,
    )


@login_required
def action_research_report(request: AuthedRequest, pk: int) -> HttpResponse:
    with domain_errors_as_messages(request):
        research = selectors.action_research_get(user=request.user, pk=pk)
    return _pdf(action_research_pdf(research), f"action-research-{research.pk}.pdf")


@login_required
def report(request: AuthedRequest) -> HttpResponse:
    if not reports.may_see_reports(request.user):
        raise Http404
    form = ReportFilterForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    rows = reports.project_rows(user=request.user, year=year)
    mentoring_rows = reports.mentoring_rows(user=request.user, year=year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            reports.project_rows_xlsx(rows, mentoring_rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="projects.xlsx"'
        return response
    return render(
        request,
        "projects/report.html",
        {
            "form": form,
            "rows": rows,
            "totals": reports.totals(rows),
            "year": year,
            "mentoring_rows": mentoring_rows,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentoring(request: AuthedRequest, pk: int) -> HttpResponse:
    """A mentoring link's log: seen like the project, written by the mentor school's people."""
    with domain_errors_as_messages(request):
        link = selectors.mentoring_link_get(user=request.user, pk=pk)
    logs = permissions.logs_mentoring(request.user, link)
    action = request.POST.get("action") if request.method == "POST" else None
    if action and not logs:
        raise Http404
    form = MentoringSessionForm(request.POST if action == "session" else None, prefix="session")
    if action == "session" and form.is_valid():
        with domain_errors_on_form(form):
            services.mentoring_session_add(link=link, by=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("projects:mentoring", pk=link.pk)
    return render(
        request,
        "projects/mentoring.html",
        {
            "link": link,
            "project": link.project,
            "sessions": list(link.sessions.select_related("mentor")),
            "logs": logs,
            "form": form,
        },
        status=400 if action else 200,
    )
