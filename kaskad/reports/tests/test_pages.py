"""The report pages: scope (out of scope answers like nonexistent), drill-down to names and its
workbook, the annual report's XLSX and PDF, issuing versions, the dashboards per role, the
cascade and coverage pages, and "due for training" for a school leader and a coordinator."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import Job
from kaskad.delivery.tests.factories import coordinator_of, national_admin
from kaskad.registry.models import Employment
from kaskad.registry.tests.factories import area_of, make_organisation, make_person
from kaskad.reports.models import IssuedReport, YearState
from kaskad.reports.readmodels import changes_sweep, year_rebuild
from kaskad.reports.services import ISSUE_JOB_KIND, run_issue_job
from kaskad.reports.tables import TABLES
from kaskad.reports.tests.test_truth import world  # noqa: F401

pytestmark = pytest.mark.django_db
Q2025 = {"year": "2025"}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def built(world: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    year_rebuild(2025)
    return world


def test_the_annual_report_page_shows_every_table_and_its_freshness(built: Any) -> None:
    page = login(national_admin()).get(reverse("reports:annual"), Q2025)
    assert page.status_code == 200
    body = page.content.decode()
    codes = ("programmes_developed", "certification", "plan", "trainers", "school_trainers",
             "teachers", "audience", "evaluation", "repeated", "ratings", "plagiarism")  # fmt: skip
    for code in codes:
        assert f'id="{code}"' in body
    assert "Figures as of" in body
    assert "figure-link" in body  # counts open to their records


def test_a_coordinator_drills_a_figure_to_names_and_exports_them(built: Any) -> None:
    client = login(coordinator_of("ALA"))
    page = client.get(reverse("reports:annual"), Q2025)
    teachers = next(t for t in page.context["tables"] if t.code == "teachers")
    total = teachers.rows[-1].cells[0]
    assert total.value == 4
    figure = client.get(total.url)
    assert figure.status_code == 200
    assert figure.context["total"] == 4
    names = {r.name for r in figure.context["records"]}
    assert built["p1"].surname in " ".join(names)
    export = client.get(total.url + "&format=xlsx")
    book = load_workbook(io.BytesIO(export.content))
    rows = [[c.value for c in r] for r in book.active.iter_rows(min_row=5)]
    assert len(rows) == 4


def test_out_of_scope_is_like_nonexistent(built: Any) -> None:
    client = login(coordinator_of("AST"))
    for params in ({"branch": "ALA"}, {"branch": "ZZZ"}, {"area": area_of("ALA").code},
                   {"area": "999999999"}):  # fmt: skip
        assert client.get(reverse("reports:annual"), {**Q2025, **params}).status_code == 404
        figure = {"metric": "completed", **Q2025, **params}
        assert client.get(reverse("reports:figure"), figure).status_code == 404
    # An analyst sees the figures but not the names behind them.
    analyst = login(make_user(roles=[(Role.ANALYST, None)]))
    assert analyst.get(reverse("reports:annual"), Q2025).status_code == 200
    assert (
        analyst.get(reverse("reports:figure"), {"metric": "completed", **Q2025}).status_code == 404
    )
    for bad in ({"metric": "nope"}, {"metric": "completed", "programme": "x"}):
        assert (
            login(national_admin()).get(reverse("reports:figure"), {**Q2025, **bad}).status_code
            == 404
        )


def test_the_annual_workbook_has_a_sheet_per_table(built: Any) -> None:
    response = login(national_admin()).get(reverse("reports:annual_export"), Q2025)
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == len(TABLES)
    teachers = book[next(n for n in book.sheetnames if n.startswith("7 "))]
    rows = [[c.value for c in r] for r in teachers.iter_rows(min_row=5)]
    assert rows[-3][:3] == ["Total", 5, 4]


@pytest.mark.slow
def test_the_pdf_and_issuing_a_version_that_freezes_the_year(built: Any) -> None:
    client = login(national_admin())
    pdf = client.get(reverse("reports:annual_pdf"), {**Q2025, "lang": "kk"})
    assert pdf.content.startswith(b"%PDF")
    assert client.get(reverse("reports:annual_pdf"), {**Q2025, "lang": "xx"}).status_code == 404
    for _ in range(2):
        response = client.post(reverse("reports:annual_issue") + "?year=2025")
        job = Job.objects.filter(kind=ISSUE_JOB_KIND).order_by("-pk").first()
        assert job is not None
        assert response["Location"] == reverse("core:job_detail", args=[job.pk])
        run_issue_job(job.pk)  # what the worker does
        assert run_issue_job(job.pk) == {"skipped": True}  # a second run does nothing
        job.refresh_from_db()
        assert job.status == Job.Status.SUCCEEDED
    issued = list(IssuedReport.objects.order_by("version"))
    assert [r.version for r in issued] == [1, 2]
    assert issued[0].figures["tables"][0]["code"] == "programmes_developed"
    assert YearState.objects.get(year=2025).frozen
    download = client.get(reverse("reports:issued_file", args=[issued[0].pk, "pdf_ru"]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    # A coordinator may not issue, nor open the country's issued files.
    coordinator = login(coordinator_of("ALA"))
    assert coordinator.post(reverse("reports:annual_issue") + "?year=2025").status_code == 404
    assert (
        coordinator.get(reverse("reports:issued_file", args=[issued[0].pk, "xlsx"])).status_code
        == 404
    )


def test_the_sweep_finds_the_years_of_changed_records(built: Any) -> None:
    from kaskad.delivery.models import Enrolment
    from kaskad.reports.models import SweepMark

    this_year = timezone.localdate().year
    later = timezone.now() + timedelta(minutes=1)
    first = changes_sweep(now=later)
    assert {this_year, this_year - 1} <= first  # the first sweep of a day: the nightly run
    year_rebuild(this_year)
    assert changes_sweep(now=later + timedelta(minutes=1)) == set()  # nothing changed since
    mark = SweepMark.objects.get().mark
    enrolment = Enrolment.objects.filter(ended_at__year=2025).first()
    assert enrolment is not None
    Enrolment.objects.filter(pk=enrolment.pk).update(updated_at=mark + timedelta(seconds=5))
    assert 2025 in changes_sweep(now=mark + timedelta(seconds=10))


def test_dashboards_per_role(built: Any) -> None:
    national = login(national_admin()).get(reverse("reports:dashboard_data")).json()
    assert national["kind"] == "national"
    assert {c["code"] for c in national["charts"]} == {"by_branch", "by_year"}
    branch = login(coordinator_of("ALA")).get(reverse("reports:dashboard"))
    assert branch.context["kind"] == "branch"
    assert branch.context["tables"][0].code == "plan"
    assert login(make_user(roles=[])).get(reverse("reports:dashboard")).status_code == 404


def test_cascade_and_coverage_pages(built: Any) -> None:
    client = login(national_admin())
    cascade = client.get(reverse("reports:cascade"), Q2025)
    assert cascade.status_code == 200
    assert any(r.trainer == built["n"] and r.total == 3 for r in cascade.context["reach"])
    coverage = client.get(reverse("reports:coverage"), {"branch": "ALA"})
    assert coverage.status_code == 200
    assert coverage.context["by"] == "district"


def test_a_school_leader_sees_who_is_due_in_their_school_only(world: Any) -> None:  # noqa: F811
    school = make_organisation(area=area_of("ALA"))
    other = make_organisation(area=area_of("ALA"))
    due = make_person(organisation=school, surname="Әлиева")
    make_person(organisation=other, surname="Бекова")
    Employment.objects.filter(person=due).update(category_due_on=timezone.localdate())
    leader = login(make_user(roles=[(Role.SCHOOL_LEADER, school)]))
    page = leader.get(reverse("reports:due"))
    assert page.status_code == 200
    names = [r.person.surname for r in page.context["rows"]]
    assert names == ["Әлиева"]
    assert page.context["rows"][0].category_due
    assert page.context["totals"]["training_due"] == 1
    assert leader.get(reverse("reports:due"), {"school": str(other.pk)}).status_code == 404
    export = leader.get(reverse("reports:due"), {"format": "xlsx"})
    assert export.status_code == 200
    coordinator = login(coordinator_of("ALA")).get(reverse("reports:due"), {"branch": "ALA"})
    assert coordinator.context["totals"]["teachers"] >= 2
    assert (
        login(make_user(roles=[(Role.ANALYST, None)])).get(reverse("reports:due")).status_code
        == 404
    )


@pytest.mark.django_db
def test_coverage_rows_follow_the_alphabet_not_the_code_points() -> None:
    from django.utils import translation

    from kaskad.core.collation import name_key
    from kaskad.registry.models import Area
    from kaskad.reports import analytics
    from kaskad.reports.tables import ReportScope

    for area in Area.objects.all():
        make_organisation(area=area)
    with translation.override("ru"):
        rows, _total = analytics.coverage(scope=ReportScope(), by="area")
        labels = [r.label for r in rows]
    assert labels == sorted(labels, key=name_key)
    # «город Астана» among the Г, not after every capitalised name.
    assert labels.index("город Астана") < labels.index("Костанайская область")
