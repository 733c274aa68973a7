"""Truth for the figures of the school networks, support events, teachers' requests, the library
and the online courses: small data sets built by hand where every figure is known, with one edge
case per source (a partner school that leads the next year, an event known only by its count of
participants, a withdrawn material, a completion withdrawn), and every count opening to as many
records as it says."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from kaskad.accounts.tests.factories import make_user
from kaskad.delivery.tests.factories import make_teacher
from kaskad.learning.models import Enrolment as LearningEnrolment
from kaskad.learning.tests.factories import published_course
from kaskad.library.models import Manual, Material, Status
from kaskad.library.services.publications import manual_publish
from kaskad.library.tests.factories import data, editor, material, txt
from kaskad.networks.models import Partnership, SupportEvent, SupportRequest
from kaskad.networks.services import leading_upsert
from kaskad.networks.tests.factories import make_centre, make_network
from kaskad.registry.tests.factories import area_of, branch, make_organisation
from kaskad.reports.figures import METRICS, drill_queryset, load_sources
from kaskad.reports.readmodels import year_rebuild
from kaskad.reports.tables import ReportScope, annual_report

pytestmark = pytest.mark.django_db
ALMATY = ZoneInfo("Asia/Almaty")
YEAR = 2025


def at(year: int, month: int, day: int = 15) -> datetime:
    return datetime(year, month, day, 12, tzinfo=ALMATY)


def table(tables: list[Any], code: str) -> Any:
    return next(t for t in tables if t.code == code)


def values(row: Any) -> list[Any]:
    return [c.value for c in row.cells]


def row(t: Any, label: str) -> Any:
    return next(r for r in t.rows if r.label == label)


def event(**extra: Any) -> SupportEvent:
    values: dict[str, Any] = {
        "year": YEAR,
        "kind": "seminar",
        "title": "Seminar",
        "topic": "teaching",
        "organiser_kind": "centre",
        "branch": branch("ALA"),
        "starts_at": at(YEAR, 10),
        "duration_minutes": 90,
        "format": "in_person",
        "language": "kk",
    }
    values.update(extra)
    return SupportEvent.objects.create(**values)


@pytest.fixture
def networks() -> dict[str, Any]:
    ala, ast = area_of("ALA"), area_of("AST")
    # 2024: one leading school in ALA with two partners; one of them leads in 2025.
    _leading, partners_2024 = make_network(branch_code="ALA", year=YEAR - 1, partners=2)
    promoted = partners_2024[0]
    leading_upsert(year=YEAR, school=promoted, centre=None, decision_number="7", by=None)
    make_network(branch_code="ALA", year=YEAR, partners=3)
    make_network(branch_code="AST", year=YEAR, partners=1)
    make_centre(branch_code="AST")
    school_ala = make_organisation(area=ala)
    # Events: two by centres, one by a leading school; a mass webinar counted only.
    event(participant_count=20, school=school_ala)
    event(kind="webinar", format="online", participant_count=500, organiser_kind="centre")
    event(kind="observation", organiser_kind="leading", participant_count=3, school=school_ala)
    event(branch=branch("AST"), organiser_kind="branch", participant_count=10)
    event(year=YEAR - 1, participant_count=7)  # another year
    # Requests: 3 about planning, 1 about assessment (a declined one still counts as filed).
    for topic, status in (
        ("planning", "new"),
        ("planning", "answered"),
        ("planning", "declined"),
        ("assessment", "closed"),
    ):
        teacher = make_teacher(branch_code="ALA")
        SupportRequest.objects.create(
            year=YEAR,
            person=teacher,
            school=school_ala,
            topic=topic,
            text="Help",
            branch=branch("ALA"),
            status=status,
            due_on=date(YEAR, 11, 1),
        )
    return {"ala": ala, "ast": ast, "promoted": promoted}


def test_networks_tables_equal_the_hand_count(networks: dict[str, Any]) -> None:
    year_rebuild(YEAR - 1)
    year_rebuild(YEAR)
    tables = annual_report(year=YEAR, scope=ReportScope())
    leading = table(tables, "leading_schools")
    ala = str(networks["ala"])
    # ALA: 1 leading school in 2024; 2 in 2025 (the promoted partner and a new one), whose
    # 3 partners are this year's; the promoted school is no longer a partner.
    assert values(row(leading, ala)) == [1, 2, 3]
    assert values(row(leading, str(networks["ast"]))) == [0, 1, 1]
    assert values(row(leading, "Total")) == [1, 3, 4]
    assert not Partnership.objects.filter(year=YEAR, school=networks["promoted"]).exists()

    events = table(tables, "support_events")
    assert values(row(events, "seminar")) == [2, 30]
    assert values(row(events, "webinar")) == [1, 500]  # the count-only audience
    assert values(row(events, "Total")) == [4, 533]
    assert "methodological centre: 2 events" in events.note
    # "Methodological centres held N events": one filter on the organiser.
    load_sources()
    qs = drill_queryset(
        METRICS["support_events_organiser"],
        year=YEAR,
        branch_id=None,
        area_id=None,
        programme_id=None,
        key="centre",
    )
    assert qs.count() == 2
    by_branch = table(tables, "support_events_branch")
    assert [values(r) for r in by_branch.rows] == [[3, 523], [1, 10], [4, 533]]

    requests = table(tables, "support_requests")
    assert values(row(requests, "lesson planning")) == [3, 75.0]
    assert values(row(requests, "assessment")) == [1, 25.0]
    assert values(row(requests, "Total")) == [4, 100.0]

    # A branch's report: only its own events and schools.
    ast_tables = annual_report(year=YEAR, scope=ReportScope(branch=branch("AST")))
    assert values(row(table(ast_tables, "support_events"), "Total")) == [1, 10]
    assert values(row(table(ast_tables, "leading_schools"), "Total")) == [0, 1, 1]


def _drill_count(drill: dict[str, Any]) -> int:
    from kaskad.registry.models import Area, Branch

    area = Area.objects.get(code=drill["area"]).pk if "area" in drill else None
    branch_id = Branch.objects.get(code=drill["branch"]).pk if "branch" in drill else None
    return drill_queryset(
        METRICS[drill["metric"]],
        year=drill["year"],
        branch_id=branch_id,
        area_id=area,
        programme_id=drill.get("programme"),
        key=drill.get("key"),
    ).count()


NEW_TABLES = (
    "online_courses",
    "leading_schools",
    "support_events",
    "support_events_branch",
    "support_requests",
    "materials",
    "manuals",
)


def _assert_drills(tables: list[Any]) -> int:
    load_sources()
    checked = 0
    for t in tables:
        if t.code not in NEW_TABLES:
            continue
        for r in t.rows:
            for cell in r.cells:
                if cell.drill is None or METRICS[cell.drill["metric"]].sums:
                    continue
                assert _drill_count(cell.drill) == cell.value, (t.code, r.label, cell.drill)
                checked += 1
    return checked


def test_every_new_count_opens_to_as_many_records(networks: dict[str, Any]) -> None:
    year_rebuild(YEAR - 1)
    year_rebuild(YEAR)
    tables = annual_report(year=YEAR, scope=ReportScope())
    assert _assert_drills(tables) >= 15


@pytest.fixture
def library() -> dict[str, Any]:
    by = editor()
    kept = material("Plan A", "text one", by=by)
    withdrawn = material("Plan B", "text two", by=by)
    video = material("Advice", "text three", by=by, type="recommendation")
    material("Waiting", "text four", by=by)  # submitted, never published
    Material.objects.filter(pk__in=[kept.pk, withdrawn.pk, video.pk]).update(
        status=Status.PUBLISHED, published_at=at(YEAR, 3)
    )
    Material.objects.filter(status=Status.SUBMITTED).exclude(
        pk__in=[kept.pk, withdrawn.pk, video.pk]
    ).update(status=Status.SUBMITTED, published_at=None)
    Material.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN)
    for title, heading, code in (
        ("Manual 1", "assessment", "ALA"),
        ("Manual 2", "assessment", "ALA"),
        ("Manual 3", "research", "AST"),
        ("Manual 4", "leadership", None),
    ):
        manual_publish(
            data=data(title, type="manual"),
            upload=txt("m.txt", title),
            by=by,
            heading=heading,
            year=YEAR,
            branch=branch(code) if code else None,
        )
    # A manual withdrawn is no longer among the publications.
    gone = manual_publish(
        data=data("Manual 5", type="manual"),
        upload=txt("m.txt", "five"),
        by=by,
        heading="research",
        year=YEAR,
        branch=branch("AST"),
    )
    Material.objects.filter(pk=gone.material_id).update(status=Status.WITHDRAWN)
    Material.objects.filter(manual__isnull=False).exclude(status=Status.WITHDRAWN).update(
        status=Status.PUBLISHED, published_at=at(YEAR, 5)
    )
    return {}


def test_library_tables_equal_the_hand_count(library: dict[str, Any]) -> None:
    year_rebuild(YEAR)
    tables = annual_report(year=YEAR, scope=ReportScope())
    materials = table(tables, "materials")
    assert values(row(materials, "short-term plan")) == [1, 16.7]
    assert values(row(materials, "methodological recommendation")) == [1, 16.7]
    # Four manuals published; the fifth withdrawn, like the plan "Plan B".
    assert values(row(materials, "manual")) == [4, 66.7]
    assert values(row(materials, "Total")) == [6, 100.0]
    assert Manual.objects.count() == 5

    manuals = table(tables, "manuals")
    # Columns: total, then the headings in order (teacher aid, research, leadership,
    # assessment, inclusion, other).
    by_label = {r.label: values(r) for r in manuals.rows}
    assert by_label[str(branch("ALA"))] == [2, None, None, None, 2, None, None]
    assert by_label[str(branch("AST"))] == [1, None, 1, None, None, None, None]
    assert by_label["The centre"] == [1, None, None, 1, None, None, None]
    assert by_label["Total"] == [4, 0, 1, 1, 2, 0, 0]
    assert _assert_drills(tables) >= 5

    # The library is national: a branch's report shows the same publications.
    ala = annual_report(year=YEAR, scope=ReportScope(branch=branch("ALA")))
    assert values(row(table(ala, "materials"), "Total")) == [6, 100.0]
    assert values(row(table(ala, "manuals"), "Total")) == [2, 0, 0, 0, 2, 0, 0]


def test_online_completers_equal_the_hand_count() -> None:
    course, _admin = published_course()
    version = course.current_version
    assert version is not None

    def enrol(status: str, completed: datetime | None) -> LearningEnrolment:
        person = make_teacher(branch_code="ALA")
        return LearningEnrolment.objects.create(
            course=course,
            version=version,
            user=make_user(person=person),
            person=person,
            status=status,
            enrolled_at=at(YEAR, 1),
            last_activity_at=at(YEAR, 2),
            completed_at=completed,
            result="passed" if completed else "",
        )

    enrol("completed", at(YEAR, 3))
    enrol("completed", at(YEAR, 4))
    enrol("completed", at(YEAR - 1, 12))  # the year before
    enrol("active", None)
    revoked = enrol("completed", at(YEAR, 5))
    # A completion withdrawn (the enrolment reset) no longer counts.
    LearningEnrolment.objects.filter(pk=revoked.pk).update(status="withdrawn")
    year_rebuild(YEAR)
    tables = annual_report(year=YEAR, scope=ReportScope())
    online = table(tables, "online_courses")
    assert values(row(online, "open enrolment (MOOC)")) == [2, 100.0]
    assert values(row(online, "Total")) == [2, 100.0]
    assert _assert_drills(tables) == 2
    # The course is run by ALA: AST's report has no completers.
    ast = annual_report(year=YEAR, scope=ReportScope(branch=branch("AST")))
    assert values(row(table(ast, "online_courses"), "Total")) == [0, None]
