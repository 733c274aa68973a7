"""Truth for the online completions in an area's report: a small data set built by hand through
the services, where every figure is known. An open completion by a teacher of area A; a
cohort completion counted in area B, where the teacher worked when enrolling in the cohort,
though their school is in A by the time they complete; a teacher of A who completes and moves
to a school in B the next day (stays in A); a parent registered by e-mail (no registry person:
in the country's and the branch's figures only, and said so under an area's table). Every
scope's table equals a recount of the records, and an area's figure opens to exactly its
people. The data migration that fills older completions gives the same areas."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.delivery.services import enrolment_request
from kaskad.delivery.tests.factories import make_cohort, make_teacher, national_admin
from kaskad.learning import services, steps
from kaskad.learning.models import Course, Enrolment, EnrolmentStatus, Step
from kaskad.learning.tests.factories import course_admin, outline_with_quiz, published_course
from kaskad.registry.models import Area, Branch, Employment, Person
from kaskad.registry.tests.factories import area_of, branch, employ, make_organisation
from kaskad.reports.figures import METRICS, drill_queryset, load_sources, year_bounds
from kaskad.reports.readmodels import year_rebuild
from kaskad.reports.sources._common import full_name
from kaskad.reports.tables import ReportScope, annual_report

pytestmark = pytest.mark.django_db


def table(tables: list[Any], code: str) -> Any:
    return next(t for t in tables if t.code == code)


def figures(t: Any) -> dict[str, int]:
    """The count column of a table by row label ("Total" included)."""
    return {r.label: r.cells[0].value for r in t.rows}


def finish(enrolment: Enrolment) -> Enrolment:
    """Complete the course through the services: every quiz step answered right."""
    for step in Step.objects.filter(version=enrolment.version).order_by("position"):
        if not step.is_quiz:
            continue
        progress = services.step_open(enrolment=enrolment, step=step)
        services.reply_submit(
            enrolment=enrolment,
            step=step,
            reply=steps.correct_reply(step.definition, progress.variant or {}),
            idempotency_key=f"k{step.pk}",
        )
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    return enrolment


def teacher_login(person: Person) -> Any:
    return make_user(roles=[(Role.TEACHER, None)], person=person)


@pytest.fixture
def online() -> dict[str, Any]:
    area_a, area_b = area_of("ALA"), area_of("AST")
    school_a = make_organisation(area=area_a)
    school_b = make_organisation(area=area_b)
    today = timezone.localdate()

    # An open course run by ALA, public: teachers and people registered by e-mail may enrol.
    mooc, _admin = published_course(is_public=True)
    opener = make_teacher(organisation=school_a, surname="Abenova")
    finish(services.enrol(course=mooc, user=teacher_login(opener)))
    mover = make_teacher(organisation=school_a, surname="Bekova")
    finish(services.enrol(course=mooc, user=teacher_login(mover)))
    # The move, registered after the completion: the A job ends today, the B job starts
    # tomorrow. The completion stays in A.
    employ(person=mover, organisation=school_b, started_on=today + timedelta(days=1))
    parent = services.learner_create(
        email="parent@example.kz", password="Parent-pass-2025!", first_name="Aigerim",
        last_name="Parent",
    )  # fmt: skip
    finish(services.enrol(course=mooc, user=parent))

    # A cohort of AST delivered online: the teacher enrolled while working in B, then moved to
    # a school in A before completing. Counted in B, like the cohort's own figures.
    admin = course_admin()
    version = mooc.programme_version
    cohort = make_cohort(
        version=version, branch_obj=branch("AST"), format="self_paced", status="open", by=admin
    )
    cohort_teacher = make_teacher(organisation=school_b, surname="Serikova")
    cohort_user = teacher_login(cohort_teacher)
    delivery = enrolment_request(cohort=cohort, person=cohort_teacher, by=admin)
    assert delivery.area_id == area_b.pk
    employ(person=cohort_teacher, organisation=school_a, started_on=today)
    cohort_course = services.course_create(
        programme_version=version,
        branch=branch("AST"),
        data=services.CourseData(
            code="C-AST", title="Cohort course", language="ru", pacing="cohort", cohort=cohort
        ),
        by=admin,
    )
    draft, _, _ = outline_with_quiz(cohort_course, by=admin)
    services.version_publish(version=draft, by=admin)
    cohort_course.refresh_from_db()
    assert services.cohort_enrol(course=cohort_course, by=admin) == 1
    finish(Enrolment.objects.get(course=cohort_course, user=cohort_user))
    delivery.refresh_from_db()
    assert delivery.status == "completed"

    year = timezone.localdate(Enrolment.objects.get(user=parent).completed_at).year
    year_rebuild(year)
    return {
        "year": year, "a": area_a, "b": area_b, "mooc": mooc, "cohort_course": cohort_course,
        "opener": opener, "mover": mover, "parent": parent, "cohort_teacher": cohort_teacher,
    }  # fmt: skip


def test_each_completion_is_fixed_in_the_area_of_its_rule(online: dict[str, Any]) -> None:
    area = dict(Enrolment.objects.values_list("user__username", "area_id"))
    by_person = dict(
        Enrolment.objects.filter(person__isnull=False).values_list("person_id", "area_id")
    )
    assert by_person[online["opener"].pk] == online["a"].pk
    assert by_person[online["mover"].pk] == online["a"].pk  # moved after completing
    assert by_person[online["cohort_teacher"].pk] == online["b"].pk  # the cohort enrolment's
    assert area["parent@example.kz"] is None
    # The mover's current job is in B, yet a rebuild keeps the completion in A.
    assert Employment.objects.filter(
        person=online["mover"], organisation__area=online["b"], ended_on__isnull=True
    ).exists()
    year_rebuild(online["year"])
    a = annual_report(year=online["year"], scope=ReportScope(area=online["a"]))
    assert figures(table(a, "online_courses"))["Total"] == 2


def recount(year: int, *, area: Area | None = None, branch_obj: Branch | None = None) -> dict:
    """The online completers of the year straight from the records, by route."""
    start, end = year_bounds(year)
    qs = Enrolment.objects.filter(
        status=EnrolmentStatus.COMPLETED, completed_at__gte=start, completed_at__lt=end
    )
    if area is not None:
        qs = qs.filter(area=area)
    if branch_obj is not None:
        qs = qs.filter(course__branch=branch_obj)
    cohort = qs.filter(delivery_enrolment__isnull=False).count()
    return {"cohort": cohort, "open": qs.count() - cohort, "total": qs.count()}


def shown(tables: list[Any]) -> dict[str, int]:
    values = figures(table(tables, "online_courses"))
    return {
        "cohort": values.get("through a cohort", 0),
        "open": values.get("open enrolment (MOOC)", 0),
        "total": values["Total"],
    }


def test_every_scope_equals_the_recount_and_the_hand_count(online: dict[str, Any]) -> None:
    year, a, b = online["year"], online["a"], online["b"]
    country = annual_report(year=year, scope=ReportScope())
    in_a = annual_report(year=year, scope=ReportScope(area=a))
    in_b = annual_report(year=year, scope=ReportScope(area=b))
    # By hand: the opener, the mover and the parent (open, ALA's course); the cohort teacher.
    assert shown(country) == {"cohort": 1, "open": 3, "total": 4}
    assert shown(in_a) == {"cohort": 0, "open": 2, "total": 2}
    assert shown(in_b) == {"cohort": 1, "open": 0, "total": 1}
    assert shown(annual_report(year=year, scope=ReportScope(branch=branch("ALA")))) == {
        "cohort": 0, "open": 3, "total": 3,
    }  # fmt: skip
    assert shown(annual_report(year=year, scope=ReportScope(branch=branch("AST")))) == {
        "cohort": 1, "open": 0, "total": 1,
    }  # fmt: skip
    # And by a recount of the records, in every area and branch.
    assert shown(country) == recount(year)
    area_totals = 0
    for area in Area.objects.all():
        tables = annual_report(year=year, scope=ReportScope(area=area), only=("online_courses",))
        assert shown(tables) == recount(year, area=area), area.code
        area_totals += shown(tables)["total"]
    for branch_obj in Branch.objects.all():
        scope = ReportScope(branch=branch_obj)
        tables = annual_report(year=year, scope=scope, only=("online_courses",))
        assert shown(tables) == recount(year, branch_obj=branch_obj), branch_obj.code
    # Nothing vanishes: the areas plus the completers with no area make the country.
    assert area_totals + 1 == shown(country)["total"]
    # A's report (ALA runs the course the parent completed) says so; B's has nothing to say.
    note_a = table(in_a, "online_courses").note
    assert "not in an area's: 1 in courses of" in note_a
    assert "not in an area's" not in table(in_b, "online_courses").note
    # The cohort completion counts in B on both tables: teachers trained and online courses.
    teachers_b = table(in_b, "teachers")
    assert teachers_b.rows[-1].cells[0].value == 1
    teachers_a = table(in_a, "teachers")
    assert teachers_a.rows[-1].cells[0].value == 0


def test_an_area_figure_opens_to_exactly_its_people(online: dict[str, Any]) -> None:
    year, a, b = online["year"], online["a"], online["b"]
    client = Client()
    client.force_login(national_admin())
    url = reverse("reports:figure")
    page = client.get(url, {"metric": "online_completed", "year": year, "area": a.code})
    assert page.status_code == 200
    assert page.context["total"] == 2
    names = {r.name for r in page.context["records"]}
    assert names == {full_name(online["opener"]), full_name(online["mover"])}
    # The cell's own link, from the area's table.
    tables = annual_report(year=year, scope=ReportScope(area=b))
    total = table(tables, "online_courses").rows[-1].cells[0]
    assert total.drill == {"metric": "online_completed", "year": year}
    page = client.get(url, {**total.drill, "area": b.code, "key": "cohort"})
    assert {r.name for r in page.context["records"]} == {full_name(online["cohort_teacher"])}
    # The country's list holds the parent too, by the login's name.
    page = client.get(url, {"metric": "online_completed", "year": year})
    assert page.context["total"] == 4
    assert str(online["parent"]) in {r.name for r in page.context["records"]}
    # And every fact of the metric opens to as many records as it counts.
    load_sources()
    metric = METRICS["online_completed"]
    for scope_area in (a, b):
        qs = drill_queryset(
            metric, year=year, branch_id=None, area_id=scope_area.pk, programme_id=None,
            key=None,
        )  # fmt: skip
        assert qs.count() == recount(year, area=scope_area)["total"]


def test_the_data_migration_gives_the_same_areas(online: dict[str, Any]) -> None:
    before = dict(Enrolment.objects.values_list("pk", "area_id"))
    Enrolment.objects.update(area=None)
    migration = importlib.import_module("kaskad.learning.migrations.0003_area_backfill")
    migration.backfill(apps, None)
    assert dict(Enrolment.objects.values_list("pk", "area_id")) == before
    # A completion of last year by a teacher who has moved since: the job of that day counts.
    teacher = make_teacher(
        organisation=make_organisation(area=online["a"]), started_on=date(2020, 9, 1)
    )
    employ(person=teacher, organisation=make_organisation(area=online["b"]),
           started_on=date(online["year"] - 1, 9, 1))  # fmt: skip
    course: Course = online["mooc"]
    assert course.current_version is not None
    old = Enrolment.objects.create(
        course=course, version=course.current_version, user=teacher_login(teacher),
        person=teacher, status=EnrolmentStatus.COMPLETED, enrolled_at=timezone.now(),
        last_activity_at=timezone.now(), result="passed",
        completed_at=datetime(online["year"] - 1, 3, 10, 12, tzinfo=ZoneInfo("Asia/Almaty")),
    )  # fmt: skip
    migration.backfill(apps, None)
    old.refresh_from_db()
    assert old.area_id == online["a"].pk
