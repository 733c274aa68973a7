"""The assessment report: exact figures on a constructed data set (with repeated evaluations,
moderation, revocation, plagiarism and a year boundary), scope (404), the page, the XLSX, and
the number of queries."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import (
    Assignment,
    EventKind,
    Portfolio,
    PortfolioEvent,
)
from kaskad.assessment.tests.factories import make_portfolio
from kaskad.catalogue.models import ProgrammeVersion
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import branch
from kaskad.reports.readmodels import year_rebuild
from kaskad.reports.selectors import AssessmentRow, assessment_report, first_attempt_rating

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
YEAR = 2025
QUERY = {"year": str(YEAR)}
PAGE = reverse("reports:assessment")
EXPORT = reverse("reports:assessment_export")


def at(month: int, day: int = 15, hour: int = 12, year: int = YEAR) -> datetime:
    return datetime(year, month, day, hour, tzinfo=ALMATY)


class Data:
    """Builds portfolios at the state the assessment workflow leaves them in: the portfolio
    row, its outcome events and (for re-evaluated ones) its first attempt's marked tasks."""

    def __init__(self) -> None:
        self.cohorts: dict[tuple[int, str], Any] = {}
        self.assessors = [make_teacher(branch_code="KAR") for _ in range(3)]

    def cohort(self, version: ProgrammeVersion, branch_code: str) -> Any:
        key = (version.pk, branch_code)
        if key not in self.cohorts:
            self.cohorts[key] = make_cohort(
                version=version, branch_obj=branch(branch_code), status="open", capacity=None,
                format="self_paced",
            )  # fmt: skip
        return self.cohorts[key]

    def portfolio(
        self,
        version: ProgrammeVersion,
        *,
        branch_code: str = "ALA",
        status: str,
        rating: str,
        attempt: int = 1,
        plagiarism: str = "clear",
        outcomes: list[tuple[str, int, datetime]] = (),  # type: ignore[assignment]
        first_marks: list[tuple[str, str]] = (),  # type: ignore[assignment]
    ) -> Portfolio:
        portfolio = make_portfolio(
            cohort=self.cohort(version, branch_code),
            status=status,
            attempt=attempt,
            plagiarism_status=plagiarism,
        )
        portfolio.rating = rating
        portfolio.save()
        for kind, event_attempt, when in outcomes:
            event = PortfolioEvent.objects.create(
                portfolio=portfolio, kind=kind, attempt=event_attempt
            )
            PortfolioEvent.objects.filter(pk=event.pk).update(at=when)
        for (role, mark), assessor in zip(first_marks, self.assessors, strict=False):
            Assignment.objects.create(
                portfolio=portfolio,
                attempt=1,
                role=role,
                assessor=assessor,
                status="marked",
                allocated_at=timezone.now(),
                due_at=timezone.now() + timedelta(days=7),
                marked_at=timezone.now(),
                rating=mark,
            )
        return portfolio


C, NC = EventKind.CERTIFIED, EventKind.NOT_CERTIFIED


@pytest.fixture
def data_set() -> dict[str, Any]:
    """Programme A (branch ALA) and programme B (branch AST) in 2025, with neighbours in
    other years and portfolios still in progress that must not count."""
    d = Data()
    a = make_version(title="Teacher leadership in school")
    b = make_version(title="Preschool education")
    # Programme A.
    d.portfolio(a, status="certified", rating="satisfactory", outcomes=[(C, 1, at(3))])  # p1
    d.portfolio(a, status="certified", rating="good", plagiarism="cleared",
                outcomes=[(C, 1, at(4))])  # fmt: skip  # p2
    # p3: not certified at attempt 1 (both markers unsatisfactory), certified at attempt 2.
    d.portfolio(a, status="certified", rating="satisfactory", attempt=2,
                outcomes=[(NC, 1, at(5)), (C, 2, at(9))],
                first_marks=[("first", "unsatisfactory"),
                             ("second", "unsatisfactory")])  # fmt: skip
    # p4: markers disagreed, the moderator said unsatisfactory; attempt 2 final: not certified.
    d.portfolio(a, status="not_certified", rating="unsatisfactory", attempt=2,
                outcomes=[(NC, 1, at(5)), (NC, 2, at(10))],
                first_marks=[("first", "satisfactory"), ("second", "unsatisfactory"),
                             ("moderation", "unsatisfactory")])  # fmt: skip
    # p5: satisfactory but plagiarism confirmed: not certified; resubmission open.
    d.portfolio(a, status="resubmission", rating="", attempt=2, plagiarism="confirmed",
                outcomes=[(NC, 1, at(6))], first_marks=[("first", "satisfactory")])  # fmt: skip
    # p6: certified a few minutes into 2026 in Almaty (still 2025 in UTC): not in 2025.
    d.portfolio(a, status="certified", rating="good",
                outcomes=[(C, 1, datetime(2026, 1, 1, 0, 30, tzinfo=ALMATY))])  # fmt: skip
    # p7: still being assessed: no outcome.
    d.portfolio(a, status="in_assessment", rating="", plagiarism="pending")
    # p8: certified in 2025, revoked since: still counts as certified in 2025.
    d.portfolio(a, status="revoked", rating="satisfactory", outcomes=[(C, 1, at(2))])
    # p9: first attempt in 2024, repeated evaluation certified in 2025; never checked.
    d.portfolio(a, status="certified", rating="good", attempt=2, plagiarism="not_checked",
                outcomes=[(NC, 1, at(11, year=2024)), (C, 2, at(1, day=20))],
                first_marks=[("first", "unsatisfactory")])  # fmt: skip
    # Programme B, branch AST.
    d.portfolio(b, branch_code="AST", status="certified", rating="satisfactory",
                outcomes=[(C, 1, at(7))])  # fmt: skip
    d.portfolio(b, branch_code="AST", status="certified", rating="good",
                outcomes=[(C, 1, at(12, day=31, hour=23))])  # fmt: skip
    for year in (2024, YEAR, 2026):
        year_rebuild(year)
    return {"a": a.programme, "b": b.programme}


def figures(row: AssessmentRow) -> dict[str, Any]:
    return {
        "evaluated": row.evaluated,
        "certified": row.certified,
        "certified_percent": row.certified_percent,
        "re_evaluated": row.re_evaluated,
        "re_certified": row.re_certified,
        "re_certified_percent": row.re_certified_percent,
        "ratings": (row.unsatisfactory, row.satisfactory, row.good, row.rated),
        "rating_percents": (
            row.unsatisfactory_percent,
            row.satisfactory_percent,
            row.good_percent,
        ),
        "plagiarism": (row.checked, row.flagged, row.confirmed, row.flagged_percent),
    }


A_FIGURES = {
    "evaluated": 6,  # p1 p2 p3 p4 p5 p8
    "certified": 3,  # p1 p2 p8
    "certified_percent": 50.0,
    "re_evaluated": 3,  # p3 p4 p9
    "re_certified": 2,  # p3 p9
    "re_certified_percent": 66.7,
    "ratings": (2, 3, 1, 6),  # unsat: p3 p4; sat: p1 p5 p8; good: p2
    "rating_percents": (33.3, 50.0, 16.7),
    "plagiarism": (6, 1, 1, 16.7),  # p9 not checked; p5 confirmed
}
B_FIGURES = {
    "evaluated": 2,
    "certified": 2,
    "certified_percent": 100.0,
    "re_evaluated": 0,
    "re_certified": 0,
    "re_certified_percent": None,
    "ratings": (0, 1, 1, 2),
    "rating_percents": (0.0, 50.0, 50.0),
    "plagiarism": (2, 0, 0, 0.0),
}
TOTAL_FIGURES = {
    "evaluated": 8,
    "certified": 5,
    "certified_percent": 62.5,
    "re_evaluated": 3,
    "re_certified": 2,
    "re_certified_percent": 66.7,
    "ratings": (2, 4, 2, 8),
    "rating_percents": (25.0, 50.0, 25.0),
    "plagiarism": (8, 1, 1, 12.5),
}


# --- The figures --------------------------------------------------------------------------------


def test_the_figures_per_programme_and_the_total_are_exact(data_set: dict[str, Any]) -> None:
    report = assessment_report(year=YEAR)
    rows = {row.programme: row for row in report.rows}
    assert set(rows) == {data_set["a"], data_set["b"]}
    assert figures(rows[data_set["a"]]) == A_FIGURES
    assert figures(rows[data_set["b"]]) == B_FIGURES
    assert figures(report.total) == TOTAL_FIGURES
    assert report.total.programme is None
    # The repeated-evaluation table lists only programmes that had one.
    assert [r.programme for r in report.repeated_rows] == [data_set["a"]]


def test_a_branch_counts_only_its_portfolios(data_set: dict[str, Any]) -> None:
    report = assessment_report(year=YEAR, branch=branch("ALA"))
    assert [r.programme for r in report.rows] == [data_set["a"]]
    assert figures(report.total) == A_FIGURES
    assert assessment_report(year=YEAR, branch=branch("KAR")).rows == []


def test_other_years_hold_their_own_outcomes(data_set: dict[str, Any]) -> None:
    last_year = assessment_report(year=2024)
    assert figures(last_year.total)["evaluated"] == 1  # p9's first attempt
    assert last_year.total.unsatisfactory == 1  # read from its first attempt's marks
    next_year = assessment_report(year=2026)
    assert (next_year.total.evaluated, next_year.total.certified, next_year.total.good) == (1, 1, 1)


def test_the_report_takes_a_fixed_number_of_queries(
    data_set: dict[str, Any], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(5):
        assessment_report(year=YEAR)
    with django_assert_num_queries(3):  # nothing to name: no programme queries
        assessment_report(year=1999)


@pytest.mark.parametrize(
    ("marks", "expected"),
    [
        ([("first", "good")], "good"),
        ([("first", "good"), ("second", "good")], "good"),
        ([("first", "good"), ("second", "satisfactory"), ("moderation", "satisfactory")],
         "satisfactory"),
        ([("moderation", "unsatisfactory"), ("first", "satisfactory")], "unsatisfactory"),
        ([], ""),
    ],
)  # fmt: skip
def test_the_first_attempts_rating_is_the_moderators_else_the_first_markers(
    marks: list[tuple[str, str]], expected: str
) -> None:
    assert first_attempt_rating(marks) == expected


# --- Scope --------------------------------------------------------------------------------------


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_national_roles_see_the_country_and_pick_a_branch(data_set: dict[str, Any]) -> None:
    for user in (national_admin(), make_user(roles=[(Role.ANALYST, None)])):
        client = login(user)
        page = client.get(PAGE, QUERY)
        assert page.status_code == 200
        assert page.context["branch"] is None
        assert page.context["report"].total.evaluated == 8
        picked = client.get(PAGE, {"year": str(YEAR), "branch": "ast"})
        assert picked.context["branch"] == branch("AST")
        assert picked.context["report"].total.evaluated == 2


def test_a_coordinator_sees_only_their_branch(data_set: dict[str, Any]) -> None:
    client = login(coordinator_of("AST"))
    page = client.get(PAGE, QUERY)
    assert page.context["branch"] == branch("AST")
    assert figures(page.context["report"].total) == B_FIGURES
    assert client.get(PAGE, {"year": str(YEAR), "branch": "ALA"}).status_code == 404
    assert client.get(EXPORT, {"year": str(YEAR), "branch": "ALA"}).status_code == 404


@pytest.mark.parametrize(
    "make",
    [
        lambda: teacher_user(make_teacher()),
        lambda: make_user(roles=[(Role.TRAINER, None)]),
        lambda: make_user(roles=[(Role.ASSESSOR, None)]),
        lambda: make_user(roles=[(Role.PLAGIARISM_OFFICER, None)]),
        lambda: make_user(roles=[]),
    ],
    ids=["teacher", "trainer", "assessor", "officer", "no-role"],
)
def test_anyone_else_gets_404(make: Any) -> None:
    client = login(make())
    assert client.get(reverse("reports:index")).status_code == 404
    assert client.get(PAGE).status_code == 404
    assert client.get(EXPORT).status_code == 404


def test_a_visitor_is_sent_to_sign_in() -> None:
    assert Client().get(PAGE).status_code == 302


@pytest.mark.parametrize("year", ["abc", "1800", "20255", "-1"])
def test_a_bad_year_is_404(year: str) -> None:
    assert login(national_admin()).get(PAGE, {"year": year}).status_code == 404


def test_an_unknown_branch_is_404() -> None:
    assert login(national_admin()).get(PAGE, {"branch": "XXX"}).status_code == 404


def test_the_index_leads_to_the_annual_report() -> None:
    response = login(national_admin()).get(reverse("reports:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:annual")


# --- The page -----------------------------------------------------------------------------------


def test_the_page_shows_the_tables_with_a_total_row(data_set: dict[str, Any]) -> None:
    body = login(national_admin()).get(PAGE, QUERY).content.decode()
    for heading in (
        "Number of teachers by course programme",
        "Teachers who took part in the repeated evaluation, by programme",
        "Results of the evaluation of teachers",
        "Materials checked for plagiarism",
    ):
        assert heading in body
    assert "Teacher leadership in school" in body
    assert body.count("<tfoot>") == 4
    assert "62.5%" in body and "66.7%" in body


def test_percentages_follow_the_locale(data_set: dict[str, Any]) -> None:
    user = national_admin()
    user.language = "ru"
    user.save()
    body = login(user).get(PAGE, QUERY).content.decode()
    assert "62,5%" in body
    assert "66,7%" in body


def test_the_page_says_when_there_is_nothing() -> None:
    body = login(national_admin()).get(PAGE, {"year": 2001}).content.decode()
    assert "No portfolio outcome was decided in this year." in body


def test_the_page_takes_the_same_queries_for_more_data(data_set: dict[str, Any]) -> None:
    client = login(national_admin())
    client.get(PAGE, QUERY)
    with CaptureQueriesContext(connection) as before:
        client.get(PAGE, QUERY)
    d = Data()
    version = make_version()
    for _ in range(3):
        d.portfolio(version, status="certified", rating="good", outcomes=[(C, 1, at(8))])
    year_rebuild(YEAR)
    with CaptureQueriesContext(connection) as after:
        page = client.get(PAGE, QUERY)
    assert page.context["report"].total.evaluated == 11
    assert len(after.captured_queries) == len(before.captured_queries)


# --- The XLSX -----------------------------------------------------------------------------------


def test_the_xlsx_has_the_same_tables(data_set: dict[str, Any]) -> None:
    response = login(national_admin()).get(EXPORT, QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="assessment-2025-KZ.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Evaluation", "Repeated evaluation", "Ratings", "Plagiarism"]

    sheet = book["Evaluation"]
    assert sheet["B2"].value is None and sheet["A2"].value == "Whole country"
    header = [c.value for c in sheet[4]]
    assert header == ["Code", "Programme", "Evaluated", "Certified", "Certified, percent"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=5)]
    code_a, code_b = data_set["a"].code, data_set["b"].code
    assert rows[0][:4] == [code_a, "Teacher leadership in school", 6, 3]
    assert rows[0][4] == pytest.approx(0.5)
    assert rows[1][:4] == [code_b, "Preschool education", 2, 2]
    assert rows[2][:4] == ["Total", None, 8, 5]
    assert rows[2][4] == pytest.approx(5 / 8)
    total_row = next(sheet.iter_rows(min_row=7, max_row=7))
    assert all(cell.font.bold for cell in total_row)
    assert total_row[4].number_format == "0.0%"
    assert not next(sheet.iter_rows(min_row=5, max_row=5))[2].font.bold

    repeated = [[c.value for c in r] for r in book["Repeated evaluation"].iter_rows(min_row=5)]
    assert repeated[0][:4] == [code_a, "Teacher leadership in school", 3, 2]
    assert repeated[0][4] == pytest.approx(2 / 3)
    assert repeated[1][:4] == ["Total", None, 3, 2]
    assert len(repeated) == 2  # programme B had no repeated evaluation

    ratings = book["Ratings"]
    assert [c.value for c in ratings[4]] == [
        "Code", "Programme", "Total", "Unsatisfactory", "Unsatisfactory, percent",
        "Satisfactory", "Satisfactory, percent", "Good", "Good, percent",
    ]  # fmt: skip
    total = [c.value for c in next(ratings.iter_rows(min_row=7, max_row=7))]
    assert total[:4] == ["Total", None, 8, 2]
    assert total[4:] == [pytest.approx(0.25), 4, pytest.approx(0.5), 2, pytest.approx(0.25)]

    plagiarism = [[c.value for c in r] for r in book["Plagiarism"].iter_rows(min_row=5)]
    assert plagiarism[-1][:4] == ["Total", None, 8, 1]
    assert plagiarism[-1][4] == pytest.approx(1 / 8)
    assert plagiarism[-1][5] == 1


def test_the_xlsx_of_a_coordinator_is_their_branch(data_set: dict[str, Any]) -> None:
    response = login(coordinator_of("ALA")).get(EXPORT, QUERY)
    assert 'filename="assessment-2025-ALA.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in r] for r in book["Evaluation"].iter_rows(min_row=5)]
    assert [r[0] for r in rows] == [data_set["a"].code, "Total"]
    assert rows[-1][2:4] == [6, 3]


def test_an_empty_xlsx_still_has_headers_and_a_zero_total() -> None:
    response = login(national_admin()).get(EXPORT, {"year": 2001})
    book = load_workbook(io.BytesIO(response.content))
    rows = [[c.value for c in r] for r in book["Evaluation"].iter_rows(min_row=4)]
    assert rows[0][0] == "Code"
    assert rows[1][:4] == ["Total", None, 0, 0]
    assert rows[1][4] is None
