"""Out of scope looks like nothing, for every route (ADR 0002).

The test walks the URL resolver (pages and the API's operations), and for every route with an
object id asks, as every role, for an object of the user's branch (A), one of another branch
(B) and one that does not exist. The answers are compared with ACCESS, the declared access
table: a route missing from it fails the test. Whenever a role may not see an object, its
answer must equal the answer for an id nobody has: the same status and the same body (for the
API the same error code and message).

A second test reads every body of the walk for full IINs and participants' names where the
role must not see them, and for a participant's birth date (which with sex gives a masked IIN
back), phone and e-mail wherever their IIN is masked.

One data set serves the whole module (built once, rolled back at the end); every request that
writes runs in a savepoint that is rolled back, so the walk leaves the data as it found it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.accounts.tokens import api_token_create
from kaskad.assessment.models import AssessorAccreditation, AssignmentRole, PortfolioStatus
from kaskad.assessment.publishing.services import portfolio_publish
from kaskad.assessment.tests.factories import (
    enrol,
    give_task,
    make_assessor,
    make_portfolio,
    make_rubric,
)
from kaskad.cascade.models import Accreditation
from kaskad.catalogue.models import AnnualPlan
from kaskad.certificates.services import BULK_JOB_KIND, certificate_issue
from kaskad.core.models import Job
from kaskad.delivery.services import trainer_assign
from kaskad.delivery.tests.factories import (
    accredit,
    add_session,
    make_cohort,
    make_teacher,
    make_version,
)
from kaskad.library.models import JournalIssue
from kaskad.library.models import Material as LibraryMaterial
from kaskad.monitoring.imports import KeyRow
from kaskad.monitoring.models import Pupil
from kaskad.monitoring.reports.bulk import BULK_JOB_KIND as MONITORING_BULK_KIND
from kaskad.monitoring.services import (
    IMPORT_JOB_KIND as MONITORING_IMPORT_KIND,
)
from kaskad.monitoring.services import (
    form_create,
    items_replace,
    response_save,
    study_create,
)
from kaskad.networks.events import EventData, event_create, event_material_add, participant_add
from kaskad.networks.services import hub_link_create, leading_upsert
from kaskad.networks.support_requests import request_file
from kaskad.observations.tests.factories import observe, seeded_version
from kaskad.plagiarism.models import PlagiarismCheck
from kaskad.projects.services import (
    ProjectData,
    action_research_start,
    lesson_study_start,
    mentoring_link_add,
    project_create,
    research_lesson_add,
    school_join,
    staff_add,
    team_member_add,
)
from kaskad.registry.imports.jobs import JOB_KIND_PREFIX, uploads_dir
from kaskad.registry.tests.factories import area_of, branch, make_organisation
from kaskad.registry.transfers import transfer_request_create
from kaskad.reports.models import IssuedReport
from kaskad.surveys.services import (
    SurveyFields,
    survey_create,
    survey_publish,
    survey_question_add,
)

ROLES = (
    "admin",
    "analyst",
    "coordinator",
    "leader",
    "trainer",
    "assessor",
    "teacher",
    "officer",
)
MISSING_ID = 987654321
# The participants' surnames, rare enough to search the bodies for.
SURNAMES = {"ALA": "Құпиялова", "AST": "Жасырынова"}
# Their birth dates and contacts, distinctive enough to search the bodies for: with the masked
# IIN, the birth date and sex give the full IIN back (ADR 0002), so they go with it.
IDENTITY = {
    "ALA": {
        "birth_date": date(1979, 2, 16),
        "phone": "+7 701 555 1379",
        "email": "kupiya@example.kz",
    },
    "AST": {
        "birth_date": date(1981, 11, 23),
        "phone": "+7 702 555 2481",
        "email": "zhasyr@example.kz",
    },
}


# --- The data: one object of each kind in branch A (the users') and in branch B ----------------


@dataclass
class Side:
    """The objects of one branch; `ids` maps an object kind to the value put in the URL."""

    ids: dict[str, Any] = field(default_factory=dict)
    participant: Any = None  # the teacher whose portfolio, enrolment... these are


@dataclass
class World:
    users: dict[str, User]
    a: Side
    b: Side
    tokens: dict[str, str]


def _side(code: str, *, users: dict[str, User] | None, admin: User) -> tuple[Side, dict[str, User]]:
    """Branch `code`'s objects; with `users` None, also the users of that branch (A)."""
    side = Side()
    organisation = make_organisation(area=area_of(code))
    participant = make_teacher(
        branch_code=code, organisation=organisation, surname=SURNAMES[code], **IDENTITY[code]
    )
    side.participant = participant
    version = make_version()
    programme = version.programme
    rubric = make_rubric(version=version)
    cohort = make_cohort(
        version=version,
        branch_obj=branch(code),
        status="open",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=5),
        by=admin,
    )
    session = add_session(cohort, by=admin)
    trainer = make_teacher(branch_code=code, position="trainer")
    # B's trainer is a national trainer: coordinators elsewhere see their page (IIN masked).
    accreditation = accredit(trainer, programme, level="national" if code == "AST" else "regional")
    trainer_assign(cohort=cohort, person=trainer, by=admin)
    enrolment = enrol(cohort, participant)
    portfolio = make_portfolio(
        enrolment=enrolment, rubric=rubric, status=PortfolioStatus.IN_ASSESSMENT
    )
    file = portfolio.files.get()
    # The assessor of A's tasks works in B (no conflict of interest); B's has their own.
    assessor_person, assessor_user = make_assessor(
        programme=programme, branch_code="AST" if code == "ALA" else "ALA", moderator=True
    )
    task = give_task(portfolio, assessor_person)
    moderation = give_task(portfolio, assessor_person, role=AssignmentRole.MODERATION)
    assessor_accreditation = AssessorAccreditation.objects.get(person=assessor_person)
    check = PlagiarismCheck.objects.create(
        portfolio=portfolio,
        attempt=portfolio.attempt,
        status="finished",
        similarity_percent=0,
        threshold_percent=15,
        finished_at=timezone.now(),
    )
    # A certified, published portfolio with its certificate.
    certified_person = make_teacher(branch_code=code, organisation=organisation)
    certified = make_portfolio(
        enrolment=enrol(cohort, certified_person), rubric=rubric, status=PortfolioStatus.CERTIFIED
    )
    certified.rating = "good"
    certified.plagiarism_status = "clear"
    certified.publish_consent_at = timezone.now()
    certified.save(update_fields=["rating", "plagiarism_status", "publish_consent_at"])
    portfolio_publish(portfolio=certified, by=admin)
    certificate = certificate_issue(portfolio=certified, by=admin)
    plan = AnnualPlan.objects.create(
        year=timezone.localdate().year, branch=branch(code), programme=programme, planned_cohorts=1
    )
    if users is None:
        users = {
            "admin": admin,
            "analyst": make_user(roles=[(Role.ANALYST, None)]),
            "coordinator": make_user(roles=[(Role.BRANCH_COORDINATOR, branch(code))]),
            "leader": make_user(roles=[(Role.SCHOOL_LEADER, organisation)]),
            "trainer": make_user(roles=[(Role.TRAINER, None)], person=trainer),
            "assessor": assessor_user,
            "teacher": make_user(roles=[(Role.TEACHER, None)], person=participant),
            "officer": make_user(roles=[(Role.PLAGIARISM_OFFICER, None)]),
        }
    owner = (
        users["coordinator"]
        if code == "ALA"
        else make_user(roles=[(Role.BRANCH_COORDINATOR, branch(code))])
    )
    report = uploads_dir() / f"report-{code}.csv"
    report.write_text("line,problem\n", encoding="utf-8")
    job = Job.objects.create(
        kind=JOB_KIND_PREFIX + "people",
        created_by=owner,
        title=f"Import {code}",
        status=Job.Status.SUCCEEDED,
        result={"reports": {"csv": str(report.relative_to(settings.MEDIA_ROOT))}},
    )
    archive = Path(settings.MEDIA_ROOT) / f"certificates-{code}.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    bulk = Job.objects.create(
        kind=BULK_JOB_KIND,
        created_by=owner,
        title=f"Bulk {code}",
        status=Job.Status.SUCCEEDED,
        result={"zip": archive.name},
    )
    # A monitoring study of this branch's school, with one pupil and her response, and the
    # national administrator's import and report jobs.
    monitoring_form = form_create(
        by=admin, code=f"MON-{code}", title="Maths", subject="mathematics", grade=4
    )
    items_replace(
        form=monitoring_form,
        rows=[
            KeyRow(position=n, key="A", max_score=1, strand="N", skill="K", difficulty="")
            for n in (1, 2)
        ],
        by=admin,
    )
    study = study_create(
        by=admin,
        name=f"Study {code}",
        year=2026,
        grades=[4],
        schools=[organisation],
        forms=[monitoring_form],
    )
    study_test = study.tests.get()
    pupil = Pupil.objects.create(
        study=study, school=organisation, grade=4, class_label="4A", code=f"{code}-01"
    )
    response_save(study_test=study_test, pupil=pupil, answers=["A", "B"], by=admin)
    monitoring_import = Job.objects.create(
        kind=MONITORING_IMPORT_KIND,
        created_by=admin,
        title=f"Responses {code}",
        status=Job.Status.FAILED,
        params={"study_test_id": study_test.pk},
        result={"ok": False, "errors": [], "message": "-"},
    )
    reports_zip = Path(settings.MEDIA_ROOT) / f"monitoring-{code}.zip"
    reports_zip.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    monitoring_bulk = Job.objects.create(
        kind=MONITORING_BULK_KIND,
        created_by=admin,
        title=f"Reports {code}",
        status=Job.Status.SUCCEEDED,
        result={"zip": reports_zip.name},
    )
    # Someone of a third branch asks for this branch's participant: this branch decides.
    transfer = transfer_request_create(
        by=make_user(roles=[(Role.BRANCH_COORDINATOR, branch("KAR"))]),
        iin=participant.iin,
        to_organisation_id=make_organisation(area=area_of("KAR")).pk,
        position="teacher",
        transfer_date=timezone.localdate(),
    )
    # The cohort's course feedback (run by the branch) and a public survey, both open.
    surveys = {}
    for audience in ("cohort", "public"):
        survey = survey_create(
            by=admin,
            fields=SurveyFields(
                title={"kk": f"Сауалнама {code}"},
                audience=audience,
                opens_on=timezone.localdate(),
                closes_on=timezone.localdate() + timedelta(days=5),
                cohort=cohort if audience == "cohort" else None,
            ),
        )
        survey = survey_question_add(
            survey=survey,
            by=admin,
            question={
                "type": "select_one",
                "name": "useful",
                "label": {"kk": "Пайдалы", "ru": "Полезно"},
                "required": True,
                "list": "agree",
                "choices": [{"name": str(i), "label": {"kk": str(i)}} for i in range(1, 6)],
            },
        )
        surveys[audience] = survey_publish(survey=survey, by=admin)
    course, step, post = _learning(code, users=users, admin=admin)
    # The published portfolio appears in the library (mirrored as a material).
    library_material = LibraryMaterial.objects.get(portfolio=certified)
    journal_issue = JournalIssue.objects.create(
        year=2020 if code == "ALA" else 2021, number=1, issn="2518-9670"
    )
    # Post-course support: an event of the branch the participant took part in, with a
    # material, and a request for support filed for the participant, with an attachment.
    event = event_create(
        data=EventData(
            kind="seminar",
            title=f"Seminar {code}",
            topic="content",
            organiser_kind="branch",
            branch=branch(code),
            starts_at=timezone.now(),
            duration_minutes=60,
            format="in_person",
            language="kk",
            venue="Hall",
        ),
        by=admin,
    )
    participant_add(event=event, person=participant, by=admin)
    material = event_material_add(
        event=event, upload=SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides"), by=admin
    )
    support_request = request_file(
        by=admin,
        person=participant,
        topic="planning",
        text="Help",
        attachments=[SimpleUploadedFile("plan.txt", b"A lesson plan.")],
    )
    # A project of the side's branch: the participant is in a school team and a Lesson Study
    # group, the side's trainer mentors it.
    project = project_create(
        data=ProjectData(
            code=f"project-{code.lower()}",
            name_kk="Жоба",
            name_ru="Проект",
            name_en="Project",
            kind="lesson_study",
            first_year=2024,
            last_year=2025,
            branch=branch(code),
        ),
        by=admin,
    )
    project_school = school_join(project=project, organisation=organisation, year=2024, by=admin)
    team_member_add(school=project_school, person=participant, role="teacher", by=admin)
    staff_add(project=project, person=trainer, role="mentor", by=admin)
    colleagues = [make_teacher(branch_code=code, organisation=organisation) for _ in range(2)]
    group = lesson_study_start(
        project=project,
        name="LS",
        focus="Fractions in Grade 5",
        research_question="Do strips help?",
        members=[participant, *colleagues],
        by=admin,
    )
    research_lesson_add(
        group=group,
        taught_on=timezone.localdate(),
        plan="Plan",
        success_criteria="Criteria",
        by=admin,
    )
    research = action_research_start(school=project_school, title="Feedback", by=admin)
    issued = IssuedReport(
        year=2025, scope_kind="branch", scope_code=code, scope_label=code, version=1
    )
    issued.xlsx.save(f"annual-{code}.xlsx", ContentFile(b"PK\x05\x06" + b"\x00" * 18))
    # A lesson observation of the participant (the national administrator observed it).
    observation = observe(admin, participant)
    # The participant's school leads a network: its aggregated change is the branch's.
    leading = leading_upsert(year=2025, school=organisation, by=admin)
    hub = hub_link_create(
        year=2024,
        mentor=organisation,
        mentee=make_organisation(area=area_of(code)),
        kind="city",
        by=admin,
    )
    mentoring = mentoring_link_add(project=project, hub_link=hub, by=admin)
    side.ids = {
        "leading_school": leading.pk,
        "survey": surveys["cohort"].pk,
        "survey_link": surveys["public"].link,
        "course": course.pk,
        "course_step": step.pk,
        "course_post": post.pk,
        "library_material": library_material.pk,
        "library_file": library_material.files.get().pk,
        "journal_issue": journal_issue.pk,
        "event": event.pk,
        "event_material": material.pk,
        "support_request": support_request.pk,
        "request_file": support_request.attachments.get().pk,
        "project": project.code,
        "lesson_study": group.pk,
        "rl_number": 1,
        "research": research.pk,
        "issued_report": issued.pk,
        "observation": observation.pk,
        "branch": branch(code).pk,
        "instrument_version": seeded_version().pk,
        "mentoring": mentoring.pk,
        "transfer": transfer.pk,
        "organisation": organisation.pk,
        "person": participant.pk,
        "iin": participant.iin,
        "programme": programme.code,
        "version_number": version.number,
        "version": version.pk,
        "plan_line": plan.pk,
        "cohort": cohort.pk,
        "session": session.pk,
        "trainer": trainer.pk,
        "accreditation": accreditation.pk,
        "enrolment": enrolment.pk,
        "portfolio": portfolio.pk,
        "file": file.pk,
        "task": task.pk,
        "moderation": moderation.pk,
        "assessor_accreditation": assessor_accreditation.pk,
        "check": check.pk,
        "material": certified.pk,
        "material_file": certified.files.get().pk,
        "certificate": certificate.pk,
        "token": certificate.token,
        "job": job.pk,
        "bulk_job": bulk.pk,
        "study": study.pk,
        "test_form": monitoring_form.pk,
        "study_test": study_test.pk,
        "school": organisation.pk,
        "pupil": pupil.pk,
        "monitoring_import": monitoring_import.pk,
        "monitoring_bulk": monitoring_bulk.pk,
    }
    return side, users


def _learning(code: str, *, users: dict[str, User], admin: User) -> tuple[Any, Any, Any]:
    """An online course of the branch, published; A's teacher learns in A's course and has
    asked a question on its quiz step."""
    from kaskad.learning import services as learning
    from kaskad.learning.models import Post

    course = learning.course_create(
        programme_version=make_version(formats=["self_paced"]),
        branch=branch(code),
        data=learning.CourseData(code=f"MOOC-{code}", title=f"Online {code}", language="kk"),
        by=admin,
    )
    draft = learning.draft_for(course=course, by=admin)
    module = learning.module_add(version=draft, title="M", by=admin)
    lesson = learning.lesson_add(module=module, title="L", by=admin)
    step = learning.gift_import(lesson=lesson, text="Two and two? {=four ~five}", by=admin)[0]
    learning.version_publish(version=draft, by=admin)
    course.refresh_from_db()
    if code == "ALA":
        enrolment = learning.enrol(course=course, user=users["teacher"])
        post = learning.question_ask(enrolment=enrolment, step=step, body="Why four?")
    else:
        post = Post.objects.create(step=step, author=admin, body="Why four?")
    return course, step, post


def _build() -> World:
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    a, users = _side("ALA", users=None, admin=admin)
    b, _ = _side("AST", users=users, admin=admin)
    assert isinstance(Accreditation.objects.count(), int)
    tokens = {role: api_token_create(user=user)[1] for role, user in users.items()}
    return World(users=users, a=a, b=b, tokens=tokens)


# --- The routes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # "namespace:name" for pages, "METHOD /api/path" for the API
    pattern: str  # with {param} placeholders
    params: tuple[str, ...]
    api: bool


PARAM = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            params = tuple(m.group("name") for m in PARAM.finditer(route))
            if not params or route.startswith("admin/") or route.startswith("api/"):
                continue
            pattern = PARAM.sub(lambda m: "{" + m.group("name") + "}", route)
            yield Route(f"{namespace}:{entry.name}", "/" + pattern, params, api=False)


def _api_routes() -> Iterator[Route]:
    from config.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        params = tuple(re.findall(r"{(\w+)}", path))
        if not params:
            continue
        for method in operations:
            yield Route(f"{method.upper()} {path}", path, params, api=True)


def all_routes() -> list[Route]:
    return [*_walk(get_resolver().url_patterns), *_api_routes()]


# What each URL parameter names: by route (pages), else by parameter name (the API).
PARAM_KINDS: dict[str, str] = {
    "transfer_id": "transfer",
    "organisation_id": "organisation",
    "person_id": "person",
    "iin": "iin",
    "code": "programme",
    "cohort_id": "cohort",
    "enrolment_id": "enrolment",
    "session_id": "session",
    "portfolio_id": "portfolio",
    "task_id": "task",
    "check_id": "check",
    "file_id": "material_file",
    "token": "token",
    "number": "version_number",
    "version_pk": "version",
    "cohort_pk": "cohort",
    "enrolment_pk": "enrolment",
    "session_pk": "session",
    "person_pk": "trainer",
}
ROUTE_KINDS: dict[str, dict[str, str]] = {
    "projects:detail": {"code": "project"},
    "projects:lesson_study": {"pk": "lesson_study"},
    "projects:research_lesson": {"pk": "lesson_study", "number": "rl_number"},
    "projects:lesson_study_pdf": {"pk": "lesson_study"},
    "projects:action_research": {"pk": "research"},
    "projects:action_research_pdf": {"pk": "research"},
    "projects:mentoring": {"pk": "mentoring"},
    "registry:person_detail": {"pk": "person"},
    "registry:organisation_detail": {"pk": "organisation"},
    "registry_imports:result": {"pk": "job"},
    "registry_imports:result_panel": {"pk": "job"},
    "registry_imports:report": {"pk": "job", "fmt": "csv"},
    "registry_imports:template": {"kind": "people", "fmt": "csv"},
    "registry:transfer_detail": {"pk": "transfer"},
    "registry:transfer_decide": {"pk": "transfer", "action": "approve"},
    "catalogue:plan_line_edit": {"pk": "plan_line"},
    "reports:issued_file": {"pk": "issued_report", "kind": "xlsx"},
    "cascade:trainer_detail": {"pk": "trainer"},
    "cascade:accreditation_grant": {"pk": "person"},
    "cascade:accreditation_revoke": {"pk": "accreditation"},
    "delivery:attendance": {"pk": "session"},
    "delivery:cohort_export": {"pk": "cohort", "kind": "roster", "fmt": "xlsx"},
    "delivery:cohort_list_export": {"fmt": "xlsx"},
    "delivery:session_series": {"pk": "cohort"},
    "delivery:withdraw": {"pk": "enrolment"},
    "assessment:portfolio_file": {"pk": "portfolio", "file_pk": "file"},
    "assessment:portfolio_file_remove": {"pk": "portfolio", "file_pk": "file"},
    "assessment:assignment_reallocate": {"pk": "task"},
    "assessment:accreditation_edit": {"pk": "assessor_accreditation"},
    "assessment:accreditation_deactivate": {"pk": "assessor_accreditation"},
    "assessment:marking_task": {"pk": "task"},
    "assessment:marking_file": {"pk": "task", "file_pk": "file"},
    "assessment:moderation_task": {"pk": "moderation"},
    "assessment:material_detail": {"pk": "material"},
    "assessment:material_file": {"pk": "material", "file_pk": "material_file"},
    "assessment:publishing_publish": {"pk": "material"},
    "assessment:publishing_unpublish": {"pk": "material"},
    "certificates:detail": {"pk": "certificate"},
    "certificates:pdf": {"pk": "certificate"},
    "certificates:revoke": {"pk": "certificate"},
    "certificates:reissue": {"pk": "certificate"},
    "certificates:cohort": {"pk": "cohort"},
    "certificates:bulk_download": {"pk": "bulk_job"},
    "surveys:public": {"link": "survey_link"},
    "surveys:export": {"pk": "survey", "fmt": "csv"},
    "plagiarism:report": {"pk": "check"},
    "plagiarism:decision": {"pk": "check"},
    "plagiarism:rerun": {"pk": "check"},
    "plagiarism:portfolio_report": {"pk": "portfolio"},
    "library:issue": {"pk": "journal_issue"},
    "library:material_detail": {"pk": "library_material"},
    "library:download": {"pk": "library_material", "file_pk": "library_file"},
    "library:favourite": {"pk": "library_material"},
    "library:rate": {"pk": "library_material"},
    "library:review": {"pk": "library_material"},
    "library:new_version": {"pk": "library_material"},
    "networks:school": {"pk": "organisation"},
    "networks:event_detail": {"pk": "event"},
    "networks:event_action": {"pk": "event"},
    "networks:event_material": {"pk": "event", "material_pk": "event_material"},
    "networks:request_detail": {"pk": "support_request"},
    "networks:request_action": {"pk": "support_request"},
    "networks:request_attachment": {"pk": "support_request", "file_pk": "request_file"},
    "observations:form": {"teacher_id": "person"},
    "observations:teacher_change": {"teacher_id": "person"},
    "observations:detail": {"pk": "observation"},
    "observations:acknowledge": {"pk": "observation"},
    "observations:school_change": {"pk": "organisation"},
    "observations:branch_change": {"pk": "branch"},
    "observations:network_change": {"pk": "leading_school"},
    "observations:instrument_detail": {"pk": "instrument_version"},
    "observations:instrument_export": {"pk": "instrument_version"},
    "observations:instrument_publish": {"pk": "instrument_version"},
    "observations:instrument_copy": {"pk": "instrument_version"},
    "core:job_detail": {"pk": "job"},
    "monitoring:study_detail": {"pk": "study"},
    "monitoring:study_bands": {"pk": "study"},
    "monitoring:form_detail": {"pk": "test_form"},
    "monitoring:test_detail": {"pk": "study_test"},
    "monitoring:import_responses": {"pk": "study_test"},
    "monitoring:entry": {"pk": "study_test"},
    "monitoring:resolve": {"pk": "study_test", "pupil_pk": "pupil"},
    "monitoring:analysis": {"pk": "study_test"},
    "monitoring:analysis_xlsx": {"pk": "study_test"},
    "monitoring:comparison": {"pk": "study_test"},
    "monitoring:comparison_pdf": {"pk": "study_test"},
    "monitoring:school_report": {"pk": "study_test", "school_pk": "school"},
    "monitoring:school_report_pdf": {"pk": "study_test", "school_pk": "school"},
    "monitoring:results_xlsx": {"pk": "study_test"},
    "monitoring:pupil_report": {"pk": "study_test", "pupil_pk": "pupil"},
    "monitoring:pupil_pdf": {"pk": "study_test", "pupil_pk": "pupil"},
    "monitoring:bulk_start": {"pk": "study_test"},
    "monitoring:import_result": {"pk": "monitoring_import"},
    "monitoring:bulk_download": {"pk": "monitoring_bulk"},
    "learning:step": {"pk": "course_step"},
    "learning:step_media": {"pk": "course_step"},
    "learning:ask": {"pk": "course_step"},
    "learning:answer": {"pk": "course_post"},
    "learning:hide": {"pk": "course_post"},
    "core:job_progress": {"pk": "job"},
    "core:job_restart": {"pk": "job"},
    "GET /api/assessment/materials/{portfolio_id}": {"portfolio_id": "material"},
    "GET /api/assessment/materials/{portfolio_id}/files/{file_id}": {"portfolio_id": "material"},
    "POST /api/assessment/publishing/{portfolio_id}/publish": {"portfolio_id": "material"},
    "POST /api/assessment/publishing/{portfolio_id}/unpublish": {"portfolio_id": "material"},
}
# Everything else whose only parameter is `pk` names the first word of its route.
PK_BY_PREFIX = {
    "delivery": "cohort",
    "assessment:portfolio": "portfolio",
    "assessment:history": "portfolio",
    "assessment:rubric": "version",
    "delivery:self_enrol": "cohort",
    "surveys": "survey",
    "learning": "course",
}
LITERAL_KINDS = {
    "csv",
    "people",
    "approve",
    "roster",
    "xlsx",
}  # plain values, the same for A, B and the missing one


def kinds_of(route: Route) -> dict[str, str]:
    explicit = ROUTE_KINDS.get(route.key, {})
    kinds: dict[str, str] = {}
    for param in route.params:
        if param in explicit:
            kinds[param] = explicit[param]
        elif param in PARAM_KINDS:
            kinds[param] = PARAM_KINDS[param]
        elif param == "pk":
            prefix = max((p for p in PK_BY_PREFIX if route.key.startswith(p)), key=len, default="")
            if not prefix:
                raise AssertionError(f"{route.key}: say what its `pk` names in ROUTE_KINDS")
            kinds[param] = PK_BY_PREFIX[prefix]
        else:
            raise AssertionError(f"{route.key}: say what `{param}` names in ROUTE_KINDS")
    return kinds


def missing_value(kind: str) -> Any:
    if kind == "iin":
        return MISSING_IIN
    if kind == "programme":
        return "NO-SUCH-PROGRAMME"
    if kind == "token":
        return "no-such-token-0000000000000000"
    return MISSING_ID


MISSING_IIN = "871008401427"  # valid, and nobody in the data set has it (checked below)


def url_for(route: Route, side: Side | None) -> str:
    kinds = kinds_of(route)
    values: dict[str, Any] = {}
    for param, kind in kinds.items():
        if kind in LITERAL_KINDS:
            values[param] = kind
        elif side is None:
            values[param] = missing_value(kind)
        else:
            values[param] = side.ids[kind]
    return route.pattern.format(**values)


# Bodies that pass the API's schema, so the request reaches the scope check.
API_BODIES: dict[str, Any] = {
    "PUT /api/sessions/{session_id}/attendance": {"marks": []},
    "POST /api/assessment/tasks/{task_id}/marks": {"marks": [], "comment": ""},
    "POST /api/assessment/publishing/{portfolio_id}/unpublish": {"reason": "A check."},
    "POST /api/plagiarism/checks/{check_id}/decision": {"decision": "cleared", "comment": "-"},
    "POST /api/transfers/{transfer_id}/decline": {"reason": "A check."},
}

API_UPLOADS = {"POST /api/assessment/portfolios/{portfolio_id}/files"}


# --- Asking ----------------------------------------------------------------------------------


NORMALISE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'"X-CSRFToken": "[^"]*"'), '"X-CSRFToken": ""'),
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),
]


def normalised(body: bytes, url: str) -> str:
    text = body.decode("utf-8", "replace").replace(url, "{url}")
    for pattern, replacement in NORMALISE:
        text = pattern.sub(replacement, text)
    return text


@dataclass
class Answer:
    status: int
    body: str  # normalised
    raw: str


def ask(client: Client, method: str, url: str, *, api: bool, key: str = "") -> Answer:
    # A message left by the previous request (kept in a cookie) would show on this page.
    client.cookies.pop("messages", None)
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "POST" and not api:
            response = client.post(url, {})
        elif key in API_UPLOADS:
            upload = SimpleUploadedFile("lesson.txt", b"A lesson plan on fractions.")
            response = client.post(url, {"file": upload})
        elif api:
            body = json.dumps(API_BODIES.get(key, {}))
            response = client.generic(method, url, body, content_type="application/json")
        else:
            response = client.generic(method, url, "")
        transaction.set_rollback(True)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    raw = content.decode("utf-8", "replace")
    return Answer(response.status_code, normalised(content, url), raw)


def clients_for(world: World) -> tuple[dict[str, Client], dict[str, Client]]:
    pages: dict[str, Client] = {}
    apis: dict[str, Client] = {}
    for role, user in world.users.items():
        pages[role] = Client()
        pages[role].force_login(user)
        apis[role] = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    return pages, apis


Key = tuple[str, str, str, str]  # route key, method, role, target ("A", "B", "missing")


def walk(world: World, plan: dict[str, tuple[str, ...]]) -> dict[Key, Answer]:
    """Ask every route of `plan` (route key → methods) as every role, for A, B and missing."""
    routes = {route.key: route for route in all_routes()}
    pages, apis = clients_for(world)
    answers: dict[Key, Answer] = {}
    for key, methods in plan.items():
        route = routes[key]
        for method in methods:
            for role in ROLES:
                client = apis[role] if route.api else pages[role]
                for target, side in (("A", world.a), ("B", world.b), ("missing", None)):
                    url = url_for(route, side)
                    answers[(key, method, role, target)] = ask(
                        client, method, url, api=route.api, key=key
                    )
    return answers


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[World]:
    from django.utils import translation

    media = tmp_path_factory.mktemp("route-access-media")
    with (
        override_settings(MEDIA_ROOT=str(media), LANGUAGE_CODE="en"),
        translation.override("en"),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        built = _build()
        yield built
        transaction.set_rollback(True)


# --- The declared access table ------------------------------------------------------------------
#
# For every route with an object id: per method, the status each role gets for an object of
# branch A (the users' branch: the coordinator's branch, the leader's school, the trainer's
# cohort, the assessor's task, the teacher's own records) and one of branch B, written
# "A/B" in the order of ROLES:
#
#     admin  analyst  coordinator  leader  trainer  assessor  teacher  officer
#
# A 404 (or a 403 that a missing id gets too) must be the very answer an id nobody has gets.
# Notes on what the table allows and why:
# * analysts read the registry, cohorts and trainers of the whole country (read only, IINs
#   masked, no birth date or contacts) but no individual portfolio, file, mark, assessment
#   outcome, report or certificate (the public verification aside);
# * open cohorts are visible to everyone linked to a registry person (to enrol themselves),
#   hence 200/200 on `GET /api/cohorts/{id}` for trainers, assessors and teachers, and the
#   self-enrolment answers (201 enrolled, 409 already enrolled) with an empty body;
# * published materials (certified, "good", consented) and programmes, versions and rubrics
#   are national reference: everyone signed in sees them in both branches;
# * 403 answers a role that sees the record but may not act on it (an analyst and a plan line,
#   a school leader and their teacher's accreditation); 403 for every id, missing ones
#   included, answers a role that may not use the route at all;
# * `certificates:verify_token` is the public verification page: 200 whatever the token;
# * national trainers are seen by every coordinator (they work across branches): B's trainer
#   is one, so a coordinator opens their page (with the IIN masked) but may not revoke;
# * `delivery:trainer_assign` answers 404 to an empty form (no person chosen) for everyone.
ACCESS: dict[str, dict[str, str]] = {
    # Post-course support. The event is the branch's, the participant (the teacher, staff of
    # the leader's school) took part; only its organisers (the branch) act on it. The request
    # is the teacher's: the teacher, their school's leader and the branch see it.
    "networks:school": {"GET": "200/200 200/200 200/404 200/404 404/404 404/404 404/404 404/404"},
    "networks:event_detail": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    "networks:event_action": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "networks:event_material": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    "networks:request_detail": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    "networks:request_action": {
        "POST": "302/302 302/302 302/404 302/404 404/404 404/404 302/404 404/404"
    },
    "networks:request_attachment": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    # A project is seen by its members (the teacher is in A's team and group), its mentors
    # (A's trainer) and the staff of its branch; a form posted empty shows the page again.
    "projects:detail": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
    },
    "projects:lesson_study": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
    },
    "projects:research_lesson": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
    },
    "projects:lesson_study_pdf": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404"
    },
    "projects:action_research": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
    },
    "projects:action_research_pdf": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404"
    },
    # A mentoring log is seen like its project.
    "projects:mentoring": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 200/404 404/404 200/404 404/404",
    },
    # A transfer request asks a third branch's coordinator for a participant of the side:
    # the side's coordinator decides; other roles may not use transfers at all (403 always).
    "registry:transfer_detail": {
        "GET": "200/200 403/403 200/404 403/403 403/403 403/403 403/403 403/403"
    },
    "registry:transfer_decide": {
        "POST": "302/302 403/403 302/404 403/403 403/403 403/403 403/403 403/403"
    },
    "GET /api/transfers/{transfer_id}": {
        "GET": "200/200 403/403 200/404 403/403 403/403 403/403 403/403 403/403"
    },
    "POST /api/transfers/{transfer_id}/approve": {
        "POST": "200/200 403/403 200/404 403/403 403/403 403/403 403/403 403/403"
    },
    "POST /api/transfers/{transfer_id}/decline": {
        "POST": "200/200 403/403 200/404 403/403 403/403 403/403 403/403 403/403"
    },
    "registry:person_detail": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    "registry:organisation_detail": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 404/404 404/404"
    },
    "registry_imports:result": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "registry_imports:result_panel": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "registry_imports:report": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "registry_imports:template": {
        "GET": "200/200 404/404 200/200 404/404 404/404 404/404 404/404 404/404"
    },
    # An issued annual report of a branch: national roles and that branch's coordinator.
    "reports:issued_file": {
        "GET": "200/200 200/200 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "catalogue:plan_line_edit": {
        "GET": "200/200 403/403 200/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 403/403 200/404 404/404 404/404 404/404 404/404 404/404",
    },
    "catalogue:programme_detail": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "catalogue:programme_revise": {
        "POST": "302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403"
    },
    "catalogue:programme_retire": {
        "POST": "302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403"
    },
    "catalogue:certification_add": {
        "GET": "200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
        "POST": "200/200 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    },
    "catalogue:programme_version": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "catalogue:version_edit": {
        "GET": "302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
        "POST": "302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403",
    },
    "catalogue:version_approve": {
        "POST": "302/302 403/403 403/403 403/403 403/403 403/403 403/403 403/403"
    },
    "cascade:trainer_detail": {
        "GET": "200/200 200/200 200/200 404/404 200/404 404/404 404/404 404/404"
    },
    "cascade:accreditation_grant": {
        "GET": "200/200 403/403 200/404 403/404 404/404 404/404 403/404 404/404",
        "POST": "200/200 403/403 200/404 403/404 404/404 404/404 403/404 404/404",
    },
    "cascade:accreditation_revoke": {
        "POST": "302/302 403/403 302/403 404/404 403/404 404/404 404/404 404/404"
    },
    "delivery:cohort_detail": {
        "GET": "200/200 200/200 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "delivery:cohort_status": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:cohort_capacity": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:cohort_export": {
        "GET": "200/200 200/200 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "delivery:cohort_list_export": {
        "GET": "200/200 200/200 200/200 404/404 200/200 404/404 404/404 404/404"
    },
    "delivery:session_series": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:session_add": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:session_remove": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:trainer_search": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:trainer_assign": {
        "POST": "404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:trainer_remove": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:enrol_list": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404",
    },
    "delivery:enrolment_remove": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:enrolment_assessment": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "delivery:attendance": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 404/404 404/404",
        "POST": "302/302 404/404 302/404 404/404 302/404 404/404 404/404 404/404",
    },
    "delivery:self_enrol": {
        "POST": "404/404 404/404 404/404 404/404 302/302 302/302 302/302 404/404"
    },
    "delivery:withdraw": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 302/404 404/404"
    },
    "assessment:portfolio_start": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 302/404 404/404"
    },
    "assessment:portfolio_detail": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 200/404 404/404"
    },
    "assessment:portfolio_upload": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 302/404 404/404"
    },
    "assessment:portfolio_file": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 200/404 404/404"
    },
    "assessment:portfolio_file_remove": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 302/404 404/404"
    },
    "assessment:portfolio_submit": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 302/404 404/404"
    },
    "assessment:portfolio_consent": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 302/404 404/404"
    },
    "assessment:portfolio_feedback": {
        "POST": "302/302 404/404 302/404 404/404 302/404 404/404 404/404 404/404"
    },
    "assessment:cohort_portfolios": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "assessment:assignment_reallocate": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "assessment:portfolio_assign": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "assessment:accreditation_edit": {
        "GET": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    },
    "assessment:accreditation_deactivate": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "assessment:rubric_detail": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200",
        "POST": "200/200 302/302 302/302 302/302 302/302 302/302 302/302 302/302",
    },
    "assessment:rubric_create_standard": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "assessment:marking_task": {
        "GET": "404/404 404/404 404/404 404/404 404/404 200/404 404/404 404/404",
        "POST": "404/404 404/404 404/404 404/404 404/404 400/404 404/404 404/404",
    },
    "assessment:marking_file": {
        "GET": "404/404 404/404 404/404 404/404 404/404 200/404 404/404 404/404"
    },
    "assessment:moderation_task": {
        "GET": "404/404 404/404 404/404 404/404 404/404 200/404 404/404 404/404",
        "POST": "404/404 404/404 404/404 404/404 404/404 400/404 404/404 404/404",
    },
    "assessment:history_detail": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "assessment:material_detail": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "assessment:material_file": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "assessment:publishing_publish": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    "assessment:publishing_unpublish": {
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
    },
    # The library: published materials and the journal are national reference (everyone with a
    # role, both branches); reviewing and new versions are for library editors and national
    # administrators (an empty form is refused with a message: 302).
    "library:issue": {"GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"},
    "library:material_detail": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "library:download": {"GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"},
    "library:favourite": {
        "POST": "302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302"
    },
    "library:rate": {"POST": "302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302"},
    "library:review": {"POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"},
    "library:new_version": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "certificates:verify_token": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200",
        "POST": "405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405",
    },
    "certificates:detail": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "certificates:pdf": {"GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"},
    "certificates:revoke": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404",
    },
    "certificates:reissue": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404",
    },
    "certificates:cohort": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404",
    },
    "certificates:bulk_download": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    # Monitoring studies: the national administrator runs them (so does the monitoring
    # officer, not among these roles); analysts read aggregates but no pupil's report; a
    # school leader sees the studies of their school and that school's reports only.
    "monitoring:study_detail": {
        "GET": "200/200 200/200 404/404 200/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    },
    "monitoring:study_bands": {
        "GET": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    },
    "monitoring:form_detail": {
        "GET": "200/200 200/200 404/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    },
    "monitoring:test_detail": {
        "GET": "200/200 200/200 404/404 200/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:import_responses": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:entry": {
        "GET": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404",
    },
    "monitoring:resolve": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:analysis": {
        "GET": "200/200 200/200 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:analysis_xlsx": {
        "GET": "200/200 200/200 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:comparison": {
        "GET": "200/200 200/200 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:comparison_pdf": {
        "GET": "200/200 200/200 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:school_report": {
        "GET": "200/200 200/200 404/404 200/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:school_report_pdf": {
        "GET": "200/200 200/200 404/404 200/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:results_xlsx": {
        "GET": "200/200 200/200 404/404 200/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:pupil_report": {
        "GET": "200/200 404/404 404/404 200/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:pupil_pdf": {
        "GET": "200/200 404/404 404/404 200/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:bulk_start": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:import_result": {
        "GET": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "monitoring:bulk_download": {
        "GET": "200/200 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    # Surveys: national roles run all, a coordinator their branch's course feedback; the
    # cohort's participant (the teacher) answers it; the public link answers anyone (a form
    # without its one-time token is refused: 400).
    "surveys:detail": {"GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"},
    "surveys:results": {"GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"},
    "surveys:export": {"GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"},
    "surveys:question_add": {
        "POST": "400/400 404/404 400/404 404/404 404/404 404/404 404/404 404/404"
    },
    "surveys:publish": {"POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"},
    "surveys:dates": {"POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"},
    "surveys:answer": {
        "GET": "404/404 404/404 404/404 404/404 404/404 404/404 200/404 404/404",
        "POST": "404/404 404/404 404/404 404/404 404/404 404/404 400/404 404/404",
    },
    "surveys:public": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200",
        "POST": "400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400",
    },
    "plagiarism:report": {"GET": "200/200 404/404 404/404 404/404 404/404 200/404 404/404 200/200"},
    "plagiarism:decision": {
        "POST": "400/400 404/404 404/404 404/404 404/404 404/404 404/404 400/400"
    },
    "plagiarism:rerun": {"POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 302/302"},
    "plagiarism:portfolio_report": {
        "GET": "302/302 404/404 404/404 404/404 404/404 302/404 404/404 302/302"
    },
    # Online courses: a published course's page is open to everyone signed in (its offer, or
    # the learner's progress); the learner's own pages answer A's teacher, enrolled in A's
    # course; the course team's pages answer the national administrator and the coordinators
    # of the course's branch.
    # The link of the registration e-mail: a token that is not one of its signed tokens (here a
    # certificate's, or none) is "not a valid link" for everyone, signed in or not.
    "learning:register_confirm": {
        "GET": "400/400 400/400 400/400 400/400 400/400 400/400 400/400 400/400",
        "POST": "405/405 405/405 405/405 405/405 405/405 405/405 405/405 405/405",
    },
    "learning:course": {"GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"},
    "learning:enrol": {"POST": "302/302 302/302 302/302 302/302 302/302 302/302 302/302 302/302"},
    "learning:continue": {"GET": "404/404 404/404 404/404 404/404 404/404 404/404 302/404 404/404"},
    "learning:certificate": {
        "GET": "404/404 404/404 404/404 404/404 404/404 404/404 302/404 404/404"
    },
    "learning:step": {
        "GET": "404/404 404/404 404/404 404/404 404/404 404/404 200/404 404/404",
        "POST": "404/404 404/404 404/404 404/404 404/404 404/404 400/404 404/404",
    },
    "learning:step_media": {
        "GET": "404/404 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "learning:ask": {"POST": "404/404 404/404 404/404 404/404 404/404 404/404 302/404 404/404"},
    **{
        f"learning:{name}": {
            "GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
        }
        for name in ("team_course", "gift_export", "learners", "stats", "export")
    },
    **{
        f"learning:{name}": {
            "POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"
        }
        for name in (
            "new_draft",
            "module_add",
            "lesson_add",
            "step_add",
            "gift_import",
            "publish",
            "cohort_enrol",
            "answer",
            "hide",
        )
    },
    "core:job_detail": {"GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"},
    "core:job_progress": {"GET": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"},
    "core:job_restart": {"POST": "302/302 404/404 302/404 404/404 404/404 404/404 404/404 404/404"},
    "GET /api/organisations/{organisation_id}": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 404/404 404/404"
    },
    "GET /api/organisations/{organisation_id}/staff": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 404/404 404/404"
    },
    "GET /api/people/by-iin/{iin}": {
        "GET": "200/200 404/404 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    "GET /api/people/{person_id}": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    "PATCH /api/people/{person_id}": {
        "PATCH": "200/200 403/403 200/404 403/404 404/404 404/404 403/404 404/404"
    },
    "GET /api/people/{person_id}/employments": {
        "GET": "200/200 200/200 200/404 200/404 404/404 404/404 200/404 404/404"
    },
    "GET /api/programmes/{code}": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "GET /api/cohorts/{cohort_id}": {
        "GET": "200/200 200/200 200/404 404/404 200/200 200/200 200/200 404/404"
    },
    "POST /api/cohorts/{cohort_id}/enrol": {
        "POST": "400/400 400/400 400/404 404/404 201/409 409/201 409/409 404/404"
    },
    "POST /api/enrolments/{enrolment_id}/withdraw": {
        "POST": "200/200 404/404 200/404 404/404 404/404 404/404 200/404 404/404"
    },
    "GET /api/cohorts/{cohort_id}/roster": {
        "GET": "200/200 200/200 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "GET /api/sessions/{session_id}/attendance": {
        "GET": "200/200 404/404 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "PUT /api/sessions/{session_id}/attendance": {
        "PUT": "200/200 404/404 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "POST /api/assessment/enrolments/{enrolment_id}/portfolio": {
        "POST": "200/200 404/404 200/404 404/404 404/404 404/404 200/404 404/404"
    },
    "GET /api/assessment/portfolios/{portfolio_id}": {
        "GET": "200/200 404/404 200/404 404/404 404/404 404/404 200/404 404/404"
    },
    "POST /api/assessment/portfolios/{portfolio_id}/files": {
        "POST": "409/409 404/404 409/404 404/404 404/404 404/404 409/404 404/404"
    },
    "POST /api/assessment/portfolios/{portfolio_id}/submit": {
        "POST": "409/409 404/404 409/404 404/404 404/404 404/404 409/404 404/404"
    },
    "GET /api/assessment/tasks/{task_id}": {
        "GET": "404/404 404/404 404/404 404/404 404/404 200/404 404/404 404/404"
    },
    "POST /api/assessment/tasks/{task_id}/marks": {
        "POST": "404/404 404/404 404/404 404/404 404/404 400/404 404/404 404/404"
    },
    "GET /api/assessment/materials/{portfolio_id}": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "GET /api/assessment/materials/{portfolio_id}/files/{file_id}": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "POST /api/assessment/publishing/{portfolio_id}/publish": {
        "POST": "400/400 404/404 400/404 404/404 404/404 404/404 404/404 404/404"
    },
    "POST /api/assessment/publishing/{portfolio_id}/unpublish": {
        "POST": "200/200 404/404 200/404 404/404 404/404 404/404 404/404 404/404"
    },
    "GET /api/plagiarism/checks/{check_id}": {
        "GET": "200/200 404/404 404/404 404/404 404/404 200/404 404/404 200/200"
    },
    "GET /api/plagiarism/portfolios/{portfolio_id}/report": {
        "GET": "200/200 404/404 404/404 404/404 404/404 200/404 404/404 200/200"
    },
    "POST /api/plagiarism/checks/{check_id}/decision": {
        "POST": "409/409 404/404 404/404 404/404 404/404 404/404 404/404 409/409"
    },
    # Lesson observation: the participant was observed. Who may observe sees the form (an
    # empty one re-rendered on POST); the record is seen by the branch's coordinator and
    # trainers, the school's leader and the teacher observed; analysts read aggregates only;
    # only the teacher acknowledges (an empty reflection: back to the page). Instruments are
    # national reference (one version serves A and B); only administrators publish or copy.
    "observations:form": {
        "GET": "200/200 404/404 200/404 200/404 200/404 404/404 404/404 404/404",
        "POST": "200/200 404/404 200/404 200/404 200/404 404/404 404/404 404/404",
    },
    "observations:detail": {
        "GET": "200/200 404/404 200/404 200/404 200/404 404/404 200/404 404/404"
    },
    "observations:acknowledge": {
        "POST": "404/404 404/404 404/404 404/404 404/404 404/404 302/404 404/404"
    },
    "observations:teacher_change": {
        "GET": "200/200 404/404 200/404 200/404 200/404 404/404 200/404 404/404"
    },
    "observations:school_change": {
        "GET": "200/200 200/200 200/404 200/404 200/404 404/404 404/404 404/404"
    },
    "observations:branch_change": {
        "GET": "200/200 200/200 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "observations:network_change": {
        "GET": "200/200 200/200 200/404 404/404 200/404 404/404 404/404 404/404"
    },
    "observations:instrument_detail": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "observations:instrument_export": {
        "GET": "200/200 200/200 200/200 200/200 200/200 200/200 200/200 200/200"
    },
    "observations:instrument_publish": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
    "observations:instrument_copy": {
        "POST": "302/302 404/404 404/404 404/404 404/404 404/404 404/404 404/404"
    },
}


# --- The tests ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def answers(world: World) -> dict[Key, Answer]:
    """The one walk both tests read: every declared route, method, role and target."""
    declared = {route.key for route in all_routes()} & set(ACCESS)
    return walk(world, {key: tuple(ACCESS[key]) for key in sorted(declared)})


def test_every_route_with_an_object_id_is_in_the_access_table() -> None:
    routes = {route.key for route in all_routes()}
    missing = sorted(routes - set(ACCESS))
    assert not missing, (
        "Routes with an object id missing from ACCESS in tests/test_route_access.py: add each "
        "with the status every role gets for an object of its own branch and of another: "
        + ", ".join(missing)
    )
    stale = sorted(set(ACCESS) - routes)
    assert not stale, f"ACCESS names routes that no longer exist: {', '.join(stale)}"


@pytest.mark.slow  # builds a world for every role and walks every route: the slowest test
@pytest.mark.django_db
def test_every_role_gets_the_declared_answer_and_out_of_scope_looks_like_nothing(
    world: World, answers: dict[Key, Answer]
) -> None:
    assert not world.users["admin"].__class__.objects.none().exists()
    wrong: list[str] = []
    for key, methods in ACCESS.items():
        for method, declared in methods.items():
            expected = dict(zip(ROLES, declared.split(), strict=True))
            for role in ROLES:
                a = answers.get((key, method, role, "A"))
                b = answers.get((key, method, role, "B"))
                missing = answers.get((key, method, role, "missing"))
                if a is None or b is None or missing is None:
                    continue  # a stale entry: reported by the test above
                got = f"{a.status}/{b.status}"
                if got != expected[role]:
                    wrong.append(f"{method} {key} as {role}: {got}, declared {expected[role]}")
                    continue
                for target, answer in (("A", a), ("B", b)):
                    hidden = answer.status == 404 or (
                        answer.status == 403 and missing.status == 403
                    )
                    if hidden and (answer.status, answer.body) != (missing.status, missing.body):
                        wrong.append(
                            f"{method} {key} as {role}: the {answer.status} for {target}'s "
                            f"object differs from the answer for an id nobody has"
                        )
    assert not wrong, "\n".join(wrong)


TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _identity_strings(identity: dict[str, Any]) -> list[str]:
    """The birth date in every form the pages use (ISO, short, long in each language), contacts."""
    from django.utils import formats, translation

    born: date = identity["birth_date"]
    strings = {born.isoformat(), born.strftime("%d.%m.%Y"), identity["phone"], identity["email"]}
    for language in ("en", "kk", "ru"):
        with translation.override(language):
            strings.add(str(formats.date_format(born, "DATE_FORMAT")))
    return sorted(strings)


@pytest.mark.slow  # builds a world for every role and walks every route: the slowest test
@pytest.mark.django_db
def test_no_answer_shows_an_iin_or_a_participant_the_role_must_not_see(
    world: World, answers: dict[Key, Answer]
) -> None:
    from kaskad.registry.models import Person

    people = list(
        Person.objects.values_list(
            "iin", "current_organisation_id", "current_organisation__area__branch__code"
        )
    )
    own = {role: getattr(user.person, "iin", None) for role, user in world.users.items()}
    leader_school = world.users["leader"].roles.get().organisation_id
    # The IINs each role may see in full (ADR 0002): IIN roles within their scope, everyone
    # their own.
    may_see: dict[str, set[str]] = {role: {own[role]} - {None} for role in ROLES}  # type: ignore[misc]
    may_see["admin"] |= {iin for iin, _org, _branch in people}
    may_see["coordinator"] |= {iin for iin, _org, code in people if code == "ALA"}
    may_see["leader"] |= {iin for iin, org, _branch in people if org == leader_school}
    registered = {iin for iin, _org, _branch in people}
    participants = set(SURNAMES.values())
    # What gives a participant's IIN back (or reaches them) besides the IIN itself: the birth
    # date as the pages and exports write it, the phone and the e-mail.
    identities = {
        world.a.participant.iin: _identity_strings(IDENTITY["ALA"]),
        world.b.participant.iin: _identity_strings(IDENTITY["AST"]),
    }
    wrong: list[str] = []
    for (key, method, role, target), answer in answers.items():
        for iin in set(TWELVE_DIGITS.findall(answer.raw)) & registered - may_see[role]:
            wrong.append(f"{method} {key} as {role} ({target}) shows the full IIN {iin}")
        for iin, strings in identities.items():
            if iin in may_see[role]:
                continue
            for text in strings:
                if text in answer.raw:
                    wrong.append(f"{method} {key} as {role} ({target}) shows {text!r} of {iin}")
        if role == "assessor":  # marking is blind: never a participant's name
            for surname in participants:
                if surname in answer.raw:
                    wrong.append(f"{method} {key} as assessor ({target}) names {surname}")
    assert not wrong, "\n".join(sorted(set(wrong)))
