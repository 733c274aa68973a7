"""Truth: the figures of the read model equal a straightforward recount of the records, on a
small data set built by hand where every figure is known: a person trained twice in a year, a
move between branches mid-year (counted where the training happened), a repeated evaluation,
a revoked certificate, an area renamed in 2022. And every count can be opened to exactly as
many records as it says."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kaskad.assessment.models import EventKind, PortfolioEvent
from kaskad.assessment.tests.factories import enrol, make_portfolio
from kaskad.cascade.tests.factories import accredit
from kaskad.certificates.models import Certificate
from kaskad.delivery.models import CohortTrainer, Enrolment
from kaskad.delivery.tests.factories import make_cohort, make_version
from kaskad.registry.models import Employment
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person
from kaskad.reports.figures import METRICS, drill_queryset, load_sources
from kaskad.reports.models import CascadeLink, Fact
from kaskad.reports.readmodels import year_freeze, year_rebuild
from kaskad.reports.selectors import assessment_report
from kaskad.reports.tables import ReportScope, annual_report
from kaskad.reports.tests.test_assessment_report import YEAR, data_set  # noqa: F401

pytestmark = pytest.mark.django_db
ALMATY = ZoneInfo("Asia/Almaty")


def at(year: int, month: int, day: int = 15) -> datetime:
    return datetime(year, month, day, 12, tzinfo=ALMATY)


def table(tables: list[Any], code: str) -> Any:
    return next(t for t in tables if t.code == code)


def values(row: Any) -> list[Any]:
    return [c.value for c in row.cells]


def complete(enrolment: Enrolment, when: datetime) -> None:
    Enrolment.objects.filter(pk=enrolment.pk).update(status="completed", ended_at=when)


@pytest.fixture
def world() -> dict[str, Any]:
    a = make_version(title="Effective learning")
    b = make_version(title="Preschool leadership")
    ala_school = make_organisation(area=area_of("ALA"))
    ast_school = make_organisation(area=area_of("AST"))
    p1 = make_person(organisation=ala_school)  # trained twice in the year
    p2 = make_person(organisation=ala_school)  # moves ALA → AST in July
    p3 = make_person(organisation=ala_school)  # trained the year before
    c_ala_a = make_cohort(version=a, branch_obj=branch("ALA"), status="open",
                          starts_on=date(2025, 2, 3))  # fmt: skip
    c_ala_b = make_cohort(version=b, branch_obj=branch("ALA"), status="open", format="online",
                          starts_on=date(2025, 9, 1))  # fmt: skip
    c_ast_b = make_cohort(version=b, branch_obj=branch("AST"), status="open",
                          starts_on=date(2025, 10, 6))  # fmt: skip
    c_old = make_cohort(version=a, branch_obj=branch("ALA"), status="open",
                        starts_on=date(2024, 3, 4))  # fmt: skip
    e1a = enrol(c_ala_a, p1)
    complete(e1a, at(2025, 2, 20))
    e1b = enrol(c_ala_b, p1)
    complete(e1b, at(2025, 9, 30))
    e2a = enrol(c_ala_a, p2)
    complete(e2a, at(2025, 2, 20))
    # The move: the ALA job ends, an AST job starts; the next course is in AST.
    Employment.objects.filter(person=p2).update(ended_on=date(2025, 6, 30), is_primary=False)
    Employment.objects.create(person=p2, organisation=ast_school, position="teacher",
                              started_on=date(2025, 7, 1))  # fmt: skip
    p2.current_organisation = ast_school
    p2.save()
    e2b = enrol(c_ast_b, p2)
    complete(e2b, at(2025, 10, 30))
    e3 = enrol(c_old, p3)
    complete(e3, at(2024, 3, 20))

    # Assessment: p1's first course certified; p2's first course not certified, then
    # certified at the repeated evaluation; p2's second course certified and then revoked.
    port1 = make_portfolio(enrolment=e1a, status="certified")
    port1.rating = "good"
    port1.save()
    port2 = make_portfolio(enrolment=e2a, status="certified", attempt=2)
    port2.rating = "satisfactory"
    port2.save()
    port3 = make_portfolio(enrolment=e2b, status="revoked", plagiarism_status="confirmed")
    port3.rating = "satisfactory"
    port3.save()
    for portfolio, kind, attempt, when in (
        (port1, EventKind.CERTIFIED, 1, at(2025, 3)),
        (port2, EventKind.NOT_CERTIFIED, 1, at(2025, 3)),
        (port2, EventKind.CERTIFIED, 2, at(2025, 5)),
        (port3, EventKind.CERTIFIED, 1, at(2025, 11)),
    ):
        event = PortfolioEvent.objects.create(portfolio=portfolio, kind=kind, attempt=attempt)
        PortfolioEvent.objects.filter(pk=event.pk).update(at=when)
    for number, (portfolio, status) in enumerate(((port1, "valid"), (port3, "revoked"))):
        enrolment = portfolio.enrolment
        Certificate.objects.create(
            number=f"T-{number}", portfolio=portfolio, person=enrolment.person,
            branch=enrolment.cohort.branch, year=2025, sequence=number + 1, token=f"tok{number}",
            language="kk", full_name=str(enrolment.person), programme_title="x", hours=72,
            starts_on=date(2025, 2, 3), ends_on=date(2025, 2, 14), result="good",
            issued_on=date(2025, 12, 1), status=status,
            revoked_at=timezone.now() if status == "revoked" else None,
        )  # fmt: skip

    # The cascade: a national trainer N (centre's own, NIS) trained regional trainer R through
    # an ALA cohort of programme A in 2025; R trained p1 and p2 in the ALA cohort.
    nis = make_organisation(area=area_of("ALA"), kind="nis")
    n = make_person(organisation=nis)
    r = make_person(organisation=ala_school)
    s = make_person(organisation=ala_school)
    acc_n = accredit(n, a.programme, level="national", valid_from=date(2023, 1, 1))
    c_trainers = make_cohort(version=a, branch_obj=branch("ALA"), status="open",
                             starts_on=date(2025, 1, 13))  # fmt: skip
    e_r = enrol(c_trainers, r)
    complete(e_r, at(2025, 1, 25))
    CohortTrainer.objects.create(cohort=c_trainers, person=n, accreditation=acc_n)
    acc_r = accredit(r, a.programme, level="regional", valid_from=date(2025, 2, 1))
    acc_r.earned_through = e_r
    acc_r.save()
    CohortTrainer.objects.create(cohort=c_ala_a, person=r, accreditation=acc_r)
    accredit(s, a.programme, level="school", valid_from=date(2025, 4, 1),
             valid_until=date(2028, 3, 31)).__class__.objects.filter(person=s).update(
        strand="research")  # fmt: skip
    return {
        "a": a.programme, "b": b.programme, "p1": p1, "p2": p2, "n": n, "r": r,
        "e_r": e_r,
    }  # fmt: skip


def test_the_annual_report_of_the_hand_built_year(world: dict[str, Any]) -> None:
    year_rebuild(2025)
    year_rebuild(2024)
    a, b = world["a"].pk, world["b"].pk
    country = annual_report(year=2025, scope=ReportScope())
    teachers = table(country, "teachers")
    by_code = {row.code: values(row) for row in teachers.rows}
    # p1 twice (A classroom, B online), p2 twice (A in ALA, B in AST), r once (A): 5 courses.
    assert by_code[world["a"].code] == [3, 3, 0, 0, 0]
    assert by_code[world["b"].code] == [2, 1, 1, 0, 0]
    assert values(teachers.rows[-1]) == [5, 4, 1, 0, 0]
    # The move: each course counted in the branch where it happened.
    ala = table(annual_report(year=2025, scope=ReportScope(branch=branch("ALA"))), "teachers")
    ast = table(annual_report(year=2025, scope=ReportScope(branch=branch("AST"))), "teachers")
    assert values(ala.rows[-1]) == [4, 3, 1, 0, 0]
    assert values(ast.rows[-1]) == [1, 1, 0, 0, 0]
    # Last year's course stays in last year.
    last = table(annual_report(year=2024, scope=ReportScope()), "teachers")
    assert values(last.rows[-1]) == [1, 1, 0, 0, 0]

    evaluation = table(country, "evaluation")
    assert values(evaluation.rows[-1]) == [3, 2, 66.7]  # port1, port2 (attempt 1), port3
    repeated = table(country, "repeated")
    assert values(repeated.rows[-1]) == [1, 1, 100.0]
    plagiarism = table(country, "plagiarism")
    assert values(plagiarism.rows[-1]) == [1, 1, 100.0, 1]
    certificates = table(country, "certificates")
    assert values(certificates.rows[-1]) == [2, 1, 50.0]  # the revoked one still issued

    trainers = table(country, "trainers")
    assert values(trainers.rows[-1]) == [1, 0, 1]  # r: regional, general-education school
    three = table(country, "trainers_three_years")
    assert values(three.rows[0]) == [1, 0, 0, 1]
    school = table(country, "school_trainers")
    assert school.rows[0].cells[0].value == 1  # s, research
    assert values(school.rows[0])[1:] == [0, 0, 1, 0]

    # The cascade: p1 and p2 are r's direct participants (depth 1) and n's at depth 2.
    direct = set(
        CascadeLink.objects.filter(year=2025, trainer=world["r"], depth=1).values_list(
            "participant_id", flat=True
        )
    )
    assert direct == {world["p1"].pk, world["p2"].pk}
    assert set(
        CascadeLink.objects.filter(year=2025, trainer=world["n"]).values_list(
            "depth", "participant_id"
        )
    ) == {(1, world["r"].pk), (2, world["p1"].pk), (2, world["p2"].pk)}
    assert a != b


def test_an_area_renamed_keeps_its_figures(world: dict[str, Any]) -> None:
    area = area_of("ALA")
    year_rebuild(2021)
    year_rebuild(2025)
    before = values(
        table(annual_report(year=2025, scope=ReportScope(area=area)), "teachers").rows[-1]
    )
    area.name = "Zhetisu region (renamed)"
    area.save()
    year_rebuild(2025)
    after = values(
        table(annual_report(year=2025, scope=ReportScope(area=area)), "teachers").rows[-1]
    )
    assert before == after == [4, 3, 1, 0, 0]  # by the area's identity, not its name


def test_every_count_opens_to_as_many_records(world: dict[str, Any]) -> None:
    year_rebuild(2025)
    load_sources()
    assert Fact.objects.filter(year=2025).exists()
    for fact in Fact.objects.filter(year=2025):
        metric = METRICS[fact.metric]
        if metric.sums:
            continue
        qs = drill_queryset(
            metric, year=2025, branch_id=fact.branch_id, area_id=fact.area_id,
            programme_id=fact.programme_id, key=fact.key if metric.key else None,
        )  # fmt: skip
        if metric.branch and fact.branch_id is None:
            qs = qs.filter(**{f"{metric.branch}__isnull": True})
        if metric.area and fact.area_id is None:
            qs = qs.filter(**{f"{metric.area}__isnull": True})
        counted = qs.values(metric.counts).distinct().count()
        assert counted == fact.value, fact


def test_a_rebuild_is_idempotent_and_a_frozen_year_stays(world: dict[str, Any]) -> None:
    year_rebuild(2025)
    first = sorted(Fact.objects.filter(year=2025).values_list("metric", "key", "value"))
    year_rebuild(2025)
    assert sorted(Fact.objects.filter(year=2025).values_list("metric", "key", "value")) == first
    year_freeze(2025)
    Enrolment.objects.update(status="withdrawn")
    assert year_rebuild(2025).skipped
    assert sorted(Fact.objects.filter(year=2025).values_list("metric", "key", "value")) == first


def test_assessment_tables_equal_the_recount(data_set: dict[str, Any]) -> None:  # noqa: F811
    """The assessment figures of the read model equal the direct count over the events."""
    for year in (2024, YEAR, 2026):
        year_rebuild(year)
        for scope in (ReportScope(), ReportScope(branch=branch("ALA"))):
            recount = assessment_report(year=year, branch=scope.branch)
            only = ("evaluation", "repeated", "ratings", "plagiarism")
            tables = annual_report(year=year, scope=scope, only=only)
            t = {x.code: x for x in tables}
            total = recount.total
            assert values(t["evaluation"].rows[-1]) == [
                total.evaluated, total.certified, total.certified_percent,
            ]  # fmt: skip
            assert values(t["repeated"].rows[-1]) == [
                total.re_evaluated, total.re_certified, total.re_certified_percent,
            ]  # fmt: skip
            assert values(t["ratings"].rows[-1]) == [
                total.rated, total.unsatisfactory, total.unsatisfactory_percent,
                total.satisfactory, total.satisfactory_percent, total.good, total.good_percent,
            ]  # fmt: skip
            assert values(t["plagiarism"].rows[-1]) == [
                total.checked, total.flagged, total.flagged_percent, total.confirmed,
            ]  # fmt: skip
            by_code = {r.code: values(r) for r in t["evaluation"].rows if r.code}
            for row in recount.evaluation_rows:
                assert by_code[row.code] == [row.evaluated, row.certified, row.certified_percent]
