"""Writes to projects: the UI, the demo data and the tests all come here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, PermissionDeniedError, StateConflict
from kaskad.core.scope import scope_of
from kaskad.documents.extract import looks_like_markup, sniff
from kaskad.library.models import Material, MaterialType, Status, Subject
from kaskad.library.permissions import is_editor
from kaskad.library.services.materials import (
    MaterialData,
    material_take_down_on_withdrawn_consent,
    material_upload,
)
from kaskad.networks.events import EventData, event_create
from kaskad.networks.models import HubLink, OrganiserKind, SupportEvent
from kaskad.projects import permissions
from kaskad.projects.models import (
    ActionResearch,
    ArComment,
    ArEntry,
    ArStep,
    Attainment,
    CasePupil,
    CycleStatus,
    LessonStage,
    LessonStudyGroup,
    MentoringForm,
    MentoringLink,
    MentoringSession,
    ObserverNote,
    PartnerKind,
    Project,
    ProjectEvent,
    ProjectKind,
    ProjectPartner,
    ProjectSchool,
    ProjectStaff,
    PublicLesson,
    PupilInterview,
    ResearchLesson,
    StaffRole,
    StagePrediction,
    TeamMember,
    TeamRole,
)
from kaskad.registry.models import Branch, Organisation, Person

if TYPE_CHECKING:
    from kaskad.accounts.models import User

CASE_CODES = ("A", "B", "C")
MIN_GROUP, MAX_GROUP = 3, 6
# Files a team may attach: documents and tables as text (PDF, DOCX, ODT, plain text or CSV).
ATTACHMENT_KINDS = frozenset({"pdf", "docx", "odt", "txt"})
MAX_ATTACHMENT = 20 * 1024 * 1024


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDeniedError("forbidden", _("You may not change this project."))


# --- Projects -------------------------------------------------------------------------------


@dataclass
class ProjectData:
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str
    first_year: int
    last_year: int
    branch: Branch


@transaction.atomic
def project_create(*, data: ProjectData, by: User) -> Project:
    scope = scope_of(by)
    if not permissions.may_create_projects(by) or not (
        scope.national or data.branch.pk in scope.branch_ids
    ):
        raise PermissionDeniedError("forbidden", _("You may not create projects here."))
    if data.kind not in ProjectKind.values:
        raise DomainError("kind", _("Choose the kind of project."), field="kind")
    if data.last_year < data.first_year:
        raise DomainError(
            "years", _("The last year comes before the first year."), field="last_year"
        )
    if Project.objects.filter(code=data.code).exists():
        raise DomainError("code_taken", _("This code is taken."), field="code")
    project = Project.objects.create(
        code=data.code,
        name=data.name_en or data.name_kk,
        name_kk=data.name_kk,
        name_ru=data.name_ru,
        name_en=data.name_en,
        kind=data.kind,
        first_year=data.first_year,
        last_year=data.last_year,
        branch=data.branch,
        created_by=by,
    )
    audit_record(actor=by, action="create", obj=project, changes={"code": data.code})
    return project


@transaction.atomic
def partner_add(
    *,
    project: Project,
    name: str,
    kind: str,
    country: str = "KZ",
    organisation: Organisation | None = None,
    by: User,
) -> ProjectPartner:
    _refuse_unless(permissions.manages_project(by, project))
    if kind not in PartnerKind.values:
        raise DomainError("kind", _("Choose the kind of partner."), field="kind")
    code = country.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise DomainError("country", _("A country is two letters, e.g. FI."), field="country")
    if project.partners.filter(name=name.strip()).exists():
        raise DomainError("partner_twice", _("This partner is already listed."), field="name")
    partner = ProjectPartner.objects.create(
        project=project, name=name.strip(), kind=kind, country=code, organisation=organisation
    )
    audit_record(actor=by, action="create", obj=partner, changes={"name": partner.name})
    return partner


@transaction.atomic
def staff_add(*, project: Project, person: Person, role: str, by: User) -> ProjectStaff:
    _refuse_unless(permissions.manages_project(by, project))
    if role not in StaffRole.values:
        raise DomainError("role", _("Choose trainer or mentor."), field="role")
    staff, created = ProjectStaff.objects.get_or_create(project=project, person=person, role=role)
    if created:
        audit_record(actor=by, action="create", obj=staff, changes={"role": role})
    return staff


@transaction.atomic
def school_join(
    *, project: Project, organisation: Organisation, year: int, by: User
) -> ProjectSchool:
    """Add a school to one year of a project; a school twice in the same year is refused."""
    _refuse_unless(permissions.manages_project(by, project))
    if year not in project.years:
        raise DomainError(
            "year_outside",
            _("%(year)s is not a year of this project (%(first)s–%(last)s).")
            % {"year": year, "first": project.first_year, "last": project.last_year},
            field="year",
        )
    if ProjectSchool.objects.filter(project=project, year=year, organisation=organisation).exists():
        raise StateConflict(
            "school_twice",
            _("%(school)s already takes part in this project in %(year)s.")
            % {"school": organisation.name, "year": year},
            field="organisation",
        )
    try:
        with transaction.atomic():
            school = ProjectSchool.objects.create(
                project=project, year=year, organisation=organisation
            )
    except IntegrityError as exc:
        raise StateConflict(
            "school_twice",
            _("%(school)s already takes part in this project in %(year)s.")
            % {"school": organisation.name, "year": year},
            field="organisation",
        ) from exc
    audit_record(actor=by, action="create", obj=school, changes={"year": year})
    return school


@transaction.atomic
def team_member_add(*, school: ProjectSchool, person: Person, role: str, by: User) -> TeamMember:
    """Add a member to a school's team of one year; a second principal is refused."""
    _refuse_unless(permissions.manages_project(by, school.project))
    if role not in TeamRole.values:
        raise DomainError("role", _("Choose a role in the team."), field="role")
    locked = ProjectSchool.objects.select_for_update().get(pk=school.pk)
    if role == TeamRole.PRINCIPAL:
        other = locked.team.filter(role=TeamRole.PRINCIPAL).select_related("person").first()
        if other is not None:
            raise StateConflict(
                "two_principals",
                _("The team already has a principal (%(name)s): a team has one principal.")
                % {"name": other.person.full_name},
                field="role",
            )
    if locked.team.filter(person=person).exists():
        raise StateConflict(
            "member_twice",
            _("%(name)s is already in this team.") % {"name": person.full_name},
            field="person",
        )
    member = TeamMember.objects.create(school=locked, person=person, role=role)
    audit_record(actor=by, action="create", obj=member, changes={"role": role})
    return member


@transaction.atomic
def team_carry_over(*, school: ProjectSchool, year: int, by: User) -> ProjectSchool:
    """The school's next year, starting from this year's team (which stays as it was)."""
    following = school_join(
        project=school.project, organisation=school.organisation, year=year, by=by
    )
    TeamMember.objects.bulk_create(
        TeamMember(school=following, person_id=m.person_id, role=m.role) for m in school.team.all()
    )
    return following


@transaction.atomic
def team_member_remove(*, member: TeamMember, by: User) -> None:
    _refuse_unless(permissions.manages_project(by, member.school.project))
    audit_record(actor=by, action="delete", obj=member, changes={"role": [member.role, None]})
    member.delete()


# --- Lesson Study ----------------------------------------------------------------------------


@transaction.atomic
def lesson_study_start(
    *,
    project: Project,
    name: str,
    focus: str,
    research_question: str,
    members: Sequence[Person],
    language: str = "kk",
    year: int | None = None,
    by: User,
) -> LessonStudyGroup:
    """Start a cycle in `year` of the project (default: the current school year, kept within
    the project's years)."""
    _refuse_unless(
        permissions.manages_project(by, project) or bool(permissions.staff_role(by, project))
    )
    unique = {p.pk: p for p in members}
    if not MIN_GROUP <= len(unique) <= MAX_GROUP:
        raise DomainError(
            "group_size",
            _("A Lesson Study group has 3 to 6 teachers; %(count)s were chosen.")
            % {"count": len(unique)},
            field="members",
        )
    for field, value in (
        ("name", name),
        ("focus", focus),
        ("research_question", research_question),
    ):
        if not value.strip():
            raise DomainError("required", _("This field is required."), field=field)
    if year is None:
        today = timezone.localdate()
        current = today.year if today.month >= 9 else today.year - 1
        year = min(max(current, project.first_year), project.last_year)
    elif year not in project.years:
        raise DomainError(
            "year_outside",
            _("%(year)s is not a year of this project (%(first)s–%(last)s).")
            % {"year": year, "first": project.first_year, "last": project.last_year},
            field="year",
        )
    group = LessonStudyGroup.objects.create(
        project=project,
        year=year,
        name=name.strip(),
        focus=focus.strip(),
        research_question=research_question.strip(),
        language=language,
    )
    group.members.set(list(unique.values()))
    audit_record(actor=by, action="create", obj=group, changes={"focus": group.focus})
    return group


def _open_group(group: LessonStudyGroup, by: User) -> LessonStudyGroup:
    _refuse_unless(permissions.works_on_lesson_study(by, group))
    locked = LessonStudyGroup.objects.select_for_update().get(pk=group.pk)
    if locked.status == CycleStatus.FINISHED:
        raise StateConflict(
            "cycle_finished",
            _("This Lesson Study cycle is finished: nothing can be added to it."),
        )
    return locked


@transaction.atomic
def case_pupil_add(
    *,
    group: LessonStudyGroup,
    code: str,
    attainment: str,
    consent_recorded_on: date | None,
    by: User,
) -> CasePupil:
    """A case pupil by code only (A, B or C), with the date the parents' consent was recorded:
    without it the pupil is refused."""
    locked = _open_group(group, by)
    if code not in CASE_CODES:
        raise DomainError("code", _("A case pupil is A, B or C."), field="code")
    if attainment not in Attainment.values:
        raise DomainError("attainment", _("Choose the attainment."), field="attainment")
    if consent_recorded_on is None:
        raise DomainError(
            "no_consent",
            _("The parents' consent is not recorded: a pupil becomes a case pupil only with it."),
            field="consent_recorded_on",
        )
    if locked.pupils.filter(code=code).exists():
        raise StateConflict(
            "pupil_twice",
            _("Case pupil %(code)s is already chosen.") % {"code": code},
            field="code",
        )
    pupil = CasePupil.objects.create(
        group=locked, code=code, attainment=attainment, consent_recorded_on=consent_recorded_on
    )
    audit_record(actor=by, action="create", obj=pupil, changes={"attainment": attainment})
    return pupil


@transaction.atomic
def research_lesson_add(
    *,
    group: LessonStudyGroup,
    taught_on: date,
    plan: str,
    success_criteria: str,
    stages: Sequence[str] = (),
    by: User,
) -> ResearchLesson:
    """The next research lesson (RL1, RL2, RL3) with its plan and success criteria."""
    locked = _open_group(group, by)
    number = locked.lessons.count() + 1
    if number > 3:
        raise StateConflict("three_lessons", _("A cycle has three research lessons: RL1–RL3."))
    if not plan.strip():
        raise DomainError("required", _("Write the lesson plan."), field="plan")
    if not success_criteria.strip():
        raise DomainError("required", _("Write the success criteria."), field="success_criteria")
    lesson = ResearchLesson.objects.create(
        group=locked,
        number=number,
        taught_on=taught_on,
        plan=plan.strip(),
        success_criteria=success_criteria.strip(),
    )
    for order, title in enumerate((s.strip() for s in stages if s.strip()), start=1):
        LessonStage.objects.create(lesson=lesson, order=order, title=title)
    audit_record(actor=by, action="create", obj=lesson, changes={"number": number})
    return lesson


@transaction.atomic
def prediction_set(
    *, stage: LessonStage, pupil: CasePupil, predicted: str, observed: str = "", by: User
) -> StagePrediction:
    _open_group(stage.lesson.group, by)
    if pupil.group_id != stage.lesson.group_id:
        raise DomainError("pupil", _("This case pupil belongs to another group."), field="pupil")
    if not predicted.strip():
        raise DomainError("required", _("Write the prediction."), field="predicted")
    row, _created = StagePrediction.objects.update_or_create(
        stage=stage,
        pupil=pupil,
        defaults={"predicted": predicted.strip(), "observed": observed.strip()},
    )
    audit_record(actor=by, action="update", obj=row, changes={"observed": row.observed})
    return row


@transaction.atomic
def observer_note_add(
    *, lesson: ResearchLesson, pupil: CasePupil, observer: Person, minute: int, note: str, by: User
) -> ObserverNote:
    _open_group(lesson.group, by)
    if pupil.group_id != lesson.group_id:
        raise DomainError("pupil", _("This case pupil belongs to another group."), field="pupil")
    if not 0 <= minute <= 120:
        raise DomainError("minute", _("The minute of the lesson is 0–120."), field="minute")
    row = ObserverNote.objects.create(
        lesson=lesson, pupil=pupil, observer=observer, minute=minute, note=note.strip()
    )
    audit_record(actor=by, action="create", obj=row, changes={"minute": minute})
    return row


@transaction.atomic
def interview_add(
    *, lesson: ResearchLesson, pupil: CasePupil, summary: str, by: User
) -> PupilInterview:
    _open_group(lesson.group, by)
    if pupil.group_id != lesson.group_id:
        raise DomainError("pupil", _("This case pupil belongs to another group."), field="pupil")
    row = PupilInterview.objects.create(lesson=lesson, pupil=pupil, summary=summary.strip())
    audit_record(actor=by, action="create", obj=row)
    return row


@transaction.atomic
def discussion_record(
    *,
    lesson: ResearchLesson,
    about_pupils: Mapping[str, str],
    discussion: str,
    changes_next: str,
    by: User,
) -> ResearchLesson:
    """The post-lesson discussion starts from the case pupils: what was seen of each one is
    required before the rest of the discussion and the changes for the next lesson."""
    group = _open_group(lesson.group, by)
    codes = list(group.pupils.values_list("code", flat=True))
    if not codes:
        raise StateConflict(
            "no_pupils", _("Choose the case pupils first: the discussion starts from them.")
        )
    missing = [c for c in codes if not (about_pupils.get(c) or "").strip()]
    if missing:
        raise DomainError(
            "pupils_first",
            _("The discussion starts from the case pupils: write what was seen of %(codes)s.")
            % {"codes": ", ".join(missing)},
            field=f"pupil_{missing[0]}",
        )
    old = {"discussion": lesson.discussion, "changes_next": lesson.changes_next}
    lesson.discussion_pupils = {c: about_pupils[c].strip() for c in codes}
    lesson.discussion = discussion.strip()
    lesson.changes_next = changes_next.strip()
    lesson.save(update_fields=["discussion_pupils", "discussion", "changes_next"])
    audit_record(
        actor=by,
        action="update",
        obj=lesson,
        changes={
            "discussion": [old["discussion"], lesson.discussion],
            "changes_next": [old["changes_next"], lesson.changes_next],
        },
    )
    return lesson


@transaction.atomic
def lesson_study_finish(*, group: LessonStudyGroup, by: User) -> LessonStudyGroup:
    locked = _open_group(group, by)
    if locked.lessons.count() < 3:
        raise StateConflict(
            "lessons_missing", _("A cycle finishes after its third research lesson (RL3).")
        )
    locked.status = CycleStatus.FINISHED
    locked.finished_on = timezone.localdate()
    locked.save(update_fields=["status", "finished_on", "updated_at"])
    audit_record(actor=by, action="update", obj=locked, changes={"status": ["open", "finished"]})
    return locked


@transaction.atomic
def public_lesson_add(
    *, group: LessonStudyGroup, held_on: date, place: str, guests: int, by: User
) -> PublicLesson:
    _refuse_unless(permissions.works_on_lesson_study(by, group))
    if not place.strip():
        raise DomainError("required", _("Where is the public lesson held?"), field="place")
    row = PublicLesson.objects.create(
        group=group, held_on=held_on, place=place.strip(), guests=max(guests, 0)
    )
    audit_record(actor=by, action="create", obj=row, changes={"held_on": held_on})
    return row


# --- Action Research ------------------------------------------------------------------------


@transaction.atomic
def action_research_start(
    *, school: ProjectSchool, title: str, language: str = "kk", by: User
) -> ActionResearch:
    _refuse_unless(permissions.manages_project(by, school.project))
    if not title.strip():
        raise DomainError("required", _("Give the research a title."), field="title")
    research = ActionResearch.objects.create(school=school, title=title.strip(), language=language)
    audit_record(actor=by, action="create", obj=research, changes={"title": research.title})
    return research


def check_attachment(upload: UploadedFile[bytes] | None) -> None:
    """Documents and tables only (PDF, DOCX, ODT, plain text or CSV), judged from the content
    as the portfolios do; anything else is refused with its name."""
    if upload is None:
        return
    if (upload.size or 0) > MAX_ATTACHMENT:
        raise DomainError(
            "file_too_large",
            _("%(name)s is larger than 20 MB.") % {"name": upload.name},
            field="attachment",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = sniff(data)
    if kind not in ATTACHMENT_KINDS or looks_like_markup(data):
        raise DomainError(
            "not_a_document",
            _("%(name)s is not a document: attach a PDF, DOCX, ODT, text or CSV file.")
            % {"name": upload.name},
            field="attachment",
        )


def _author(by: User) -> Person:
    person_id = scope_of(by).person_id
    if person_id is None:
        raise PermissionDeniedError("forbidden", _("Your account has no registry record."))
    return Person.objects.get(pk=person_id)


@transaction.atomic
def ar_entry_add(
    *,
    research: ActionResearch,
    step: str,
    dated: date,
    text: str,
    cycle: int = 1,
    attachment: UploadedFile[bytes] | None = None,
    by: User,
) -> ArEntry:
    """A dated entry by a member of the team; mentors comment instead."""
    if not permissions.team_member_of(by, research):
        raise PermissionDeniedError(
            "mentors_comment",
            _("Only the school's team writes its entries: mentors and trainers comment."),
        )
    if research.status == CycleStatus.FINISHED:
        raise StateConflict("research_finished", _("This Action Research is finished."))
    if step not in ArStep.values:
        raise DomainError("step", _("Choose the step of the cycle."), field="step")
    if not text.strip():
        raise DomainError("required", _("Write the entry."), field="text")
    if cycle < 1:
        raise DomainError("cycle", _("Cycles are numbered from 1."), field="cycle")
    check_attachment(attachment)
    entry = ArEntry(
        research=research,
        cycle=cycle,
        step=step,
        dated=dated,
        author=_author(by),
        text=text.strip(),
    )
    if attachment is not None:
        entry.attachment.save(attachment.name or "file", attachment, save=False)
    entry.save()
    audit_record(actor=by, action="create", obj=entry, changes={"step": step, "cycle": cycle})
    return entry


@transaction.atomic
def ar_entry_update(*, entry: ArEntry, text: str, by: User) -> ArEntry:
    """Members of the team correct their entries; a mentor's change is refused."""
    if not permissions.team_member_of(by, entry.research):
        raise PermissionDeniedError(
            "mentors_comment",
            _("Only the school's team edits its entries: mentors and trainers comment."),
        )
    if not text.strip():
        raise DomainError("required", _("Write the entry."), field="text")
    old = entry.text
    entry.text = text.strip()
    entry.save(update_fields=["text", "updated_at"])
    audit_record(actor=by, action="update", obj=entry, changes={"text": [old, entry.text]})
    return entry


@transaction.atomic
def ar_comment_add(*, entry: ArEntry, text: str, by: User) -> ArComment:
    if not (
        permissions.comments_on(by, entry.research)
        or permissions.team_member_of(by, entry.research)
    ):
        raise PermissionDeniedError("forbidden", _("You may not comment here."))
    if not text.strip():
        raise DomainError("required", _("Write the comment."), field="text")
    comment = ArComment.objects.create(entry=entry, author=_author(by), text=text.strip())
    audit_record(actor=by, action="create", obj=comment)
    return comment


@transaction.atomic
def ar_publication_set(
    *, research: ActionResearch, consent: bool, ready: bool, by: User
) -> ActionResearch:
    """Record the authors' consent and mark the final report ready to publish to the
    collection of materials (published from there; without consent it is refused)."""
    if not (
        permissions.team_member_of(by, research)
        or permissions.manages_project(by, research.school.project)
    ):
        raise PermissionDeniedError("forbidden", _("You may not change this project."))
    if ready and not consent:
        raise DomainError(
            "no_consent",
            _("The report is published only with the authors' consent."),
            field="ready_to_publish",
        )
    old = [research.authors_consent, research.ready_to_publish]
    research.authors_consent = consent
    research.ready_to_publish = ready
    research.save(update_fields=["authors_consent", "ready_to_publish", "updated_at"])
    if not consent and research.library_material is not None:
        # Consent withdrawn: the report leaves the collection.
        material_take_down_on_withdrawn_consent(material=research.library_material, by=by)
    audit_record(
        actor=by, action="update", obj=research, changes={"publication": [old, [consent, ready]]}
    )
    return research


@transaction.atomic
def action_research_finish(*, research: ActionResearch, by: User) -> ActionResearch:
    if not (
        permissions.team_member_of(by, research)
        or permissions.manages_project(by, research.school.project)
    ):
        raise PermissionDeniedError("forbidden", _("You may not change this project."))
    research.status = CycleStatus.FINISHED
    research.save(update_fields=["status", "updated_at"])
    audit_record(actor=by, action="update", obj=research, changes={"status": ["open", "finished"]})
    return research


# --- Mentoring -----------------------------------------------------------------------------------


@transaction.atomic
def mentoring_link_add(*, project: Project, hub_link: HubLink, by: User) -> MentoringLink:
    """The project covers a hub-school link of the school network."""
    _refuse_unless(permissions.manages_project(by, project))
    if hub_link.year not in project.years:
        raise DomainError(
            "link_year",
            _("The link is for %(year)s, outside the project's years %(first)s–%(last)s.")
            % {"year": hub_link.year, "first": project.first_year, "last": project.last_year},
            field="hub_link",
        )
    if MentoringLink.objects.filter(project=project, hub_link=hub_link).exists():
        raise DomainError(
            "link_twice", _("The project covers this link already."), field="hub_link"
        )
    link = MentoringLink.objects.create(project=project, hub_link=hub_link)
    audit_record(actor=by, action="create", obj=link, changes={"hub_link": hub_link.pk})
    return link


def _academic_year_bounds(year: int) -> tuple[date, date]:
    return date(year, 8, 1), date(year + 1, 7, 31)


@transaction.atomic
def mentoring_session_add(
    *,
    link: MentoringLink,
    held_on: date,
    form: str,
    topic: str,
    notes: str = "",
    next_steps: str = "",
    by: User,
) -> MentoringSession:
    """A session in the mentoring log, written by the mentor school's people."""
    if not permissions.logs_mentoring(by, link):
        raise PermissionDeniedError(
            "forbidden", _("Only the mentor school's people keep this log.")
        )
    if form not in MentoringForm.values:
        raise DomainError("form", _("Choose a visit, online or phone."), field="form")
    if not topic.strip():
        raise DomainError("required", _("Write the topic."), field="topic")
    first, last = _academic_year_bounds(link.hub_link.year)
    if not first <= held_on <= last:
        raise DomainError(
            "session_date",
            _("%(date)s is outside the link's school year (%(first)s to %(last)s).")
            % {"date": held_on.isoformat(), "first": first.isoformat(), "last": last.isoformat()},
            field="held_on",
        )
    if held_on > timezone.localdate():
        raise DomainError(
            "session_future", _("A session is logged after it took place."), field="held_on"
        )
    person_id = scope_of(by).person_id
    session = MentoringSession.objects.create(
        link=link,
        held_on=held_on,
        form=form,
        topic=topic.strip(),
        notes=notes.strip(),
        next_steps=next_steps.strip(),
        mentor_id=person_id,
        created_by=by,
    )
    audit_record(actor=by, action="create", obj=session, changes={"held_on": held_on.isoformat()})
    return session


# --- Plan of events ------------------------------------------------------------------------------


@transaction.atomic
def project_event_plan(*, project: Project, data: EventData, by: User) -> ProjectEvent:
    """Put an event in the project's plan: a support event of the project's branch, created
    through the network's services (their rules apply), linked to the project."""
    _refuse_unless(permissions.manages_project(by, project))
    if data.branch.pk != project.branch_id:
        raise DomainError(
            "other_branch", _("The project's events are its branch's events."), field="branch"
        )
    years = project.years
    if data.starts_at.year < project.first_year or data.starts_at.year > project.last_year + 1:
        raise DomainError(
            "event_year",
            _("The event falls outside the project's years %(first)s–%(last)s.")
            % {"first": years[0], "last": years[-1] + 1},
            field="starts_at",
        )
    event = event_create(data=data, by=by)
    planned = ProjectEvent.objects.create(project=project, event=event)
    audit_record(actor=by, action="create", obj=planned, changes={"event": event.pk})
    return planned


@transaction.atomic
def project_event_link(*, project: Project, event: SupportEvent, by: User) -> ProjectEvent:
    """List an existing support event of the project's branch in the plan."""
    _refuse_unless(permissions.manages_project(by, project))
    if event.branch_id != project.branch_id:
        raise DomainError(
            "other_branch", _("The project's events are its branch's events."), field="event"
        )
    planned, created = ProjectEvent.objects.get_or_create(project=project, event=event)
    if created:
        audit_record(actor=by, action="create", obj=planned, changes={"event": event.pk})
    return planned


def project_event_data(cleaned: Mapping[str, object], *, project: Project) -> EventData:
    """The form's fields as the network's event data: organised by the project's branch."""
    return EventData(
        kind=str(cleaned["kind"]),
        title=str(cleaned["title"]),
        topic=str(cleaned["topic"]),
        organiser_kind=OrganiserKind.BRANCH,
        branch=project.branch,
        starts_at=cleaned["starts_at"],  # type: ignore[arg-type]
        duration_minutes=int(cleaned["duration_minutes"]),  # type: ignore[call-overload]
        format=str(cleaned["format"]),
        language=str(cleaned["language"]),
        venue=str(cleaned.get("venue") or ""),
        link=str(cleaned.get("link") or ""),
    )


# --- Publication of an Action Research report ----------------------------------------------------


@transaction.atomic
def ar_publish(*, research: ActionResearch, by: User) -> Material:
    """Publish a finished team's final report (PDF) to the library's collection, with the
    authors' consent, through the library's services: a methodological recommendation whose
    project is this one and whose authors are the team."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kaskad.projects.pdf import action_research_pdf

    if not is_editor(by):
        raise PermissionDeniedError(
            "forbidden", _("Library editors publish reports to the collection.")
        )
    if research.status != CycleStatus.FINISHED:
        raise StateConflict("not_finished", _("Only a finished team's report is published."))
    if not (research.authors_consent and research.ready_to_publish):
        raise DomainError(
            "no_consent",
            _("The report is published only with the authors' consent."),
            field="ready_to_publish",
        )
    current = research.library_material
    if current is not None and current.status == Status.PUBLISHED:
        raise StateConflict("published", _("The report is in the collection already."))
    project = research.school.project
    authors = [
        m.person for m in TeamMember.objects.filter(school=research.school).select_related("person")
    ]
    pdf = action_research_pdf(research)
    material = material_upload(
        data=MaterialData(
            titles={research.language: research.title},
            descriptions={
                research.language: f"{project.name} · {research.school.organisation.name}"
            },
            language=research.language,
            subject=Subject.PEDAGOGY,
            type=MaterialType.RECOMMENDATION,
            project=str(project.name),
            authors=authors,
        ),
        upload=SimpleUploadedFile(
            f"action-research-{research.pk}.pdf", pdf, content_type="application/pdf"
        ),
        by=by,
    )
    research.library_material = material
    research.save(update_fields=["library_material", "updated_at"])
    audit_record(
        actor=by, action="update", obj=research, changes={"library_material": [None, material.pk]}
    )
    return material
