"""The catalogue pages: who may open and change what, and what a person sees."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.catalogue.models import AnnualPlan, Programme, ProgrammeVersion
from kaskad.catalogue.services import certification_add, plan_line_create
from kaskad.catalogue.tests.factories import current, make_cohort, make_enrolment, make_programme
from kaskad.registry.tests.factories import branch, make_person

pytestmark = pytest.mark.django_db

LIST = reverse("catalogue:programme_list")
CREATE = reverse("catalogue:programme_create")
PLAN = reverse("catalogue:plan")
EXPORT = reverse("catalogue:plan_export")


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin() -> User:
    return make_user(roles=[(Role.NATIONAL_ADMIN, None)])


@pytest.fixture
def coordinator() -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def version_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title_kk": "Тиімді оқыту",
        "title_ru": "Эффективное обучение",
        "title_en": "Effective Learning",
        "hours": "80",
        "formats": ["classroom"],
        "languages": ["kk", "ru"],
        "assessment_scheme": "portfolio_presentation",
        "min_attendance_percent": "80",
        "modules-TOTAL_FORMS": "3",
        "modules-INITIAL_FORMS": "0",
        "modules-MIN_NUM_FORMS": "0",
        "modules-MAX_NUM_FORMS": "40",
        "modules-0-title_en": "Module one",
        "modules-0-title_kk": "Бірінші модуль",
        "modules-0-hours": "50",
        "modules-1-title_en": "Module two",
        "modules-1-hours": "30",
    }
    data.update(overrides)
    return data


# --- list and page ---------------------------------------------------------------------------


def test_everyone_signed_in_sees_the_catalogue_in_their_language(client: Client) -> None:
    make_programme(code="EL")
    make_programme(code="DRAFT", approve=False)
    signed_in(client, make_user(roles=[(Role.TEACHER, None)], language="ru"))
    html = client.get(LIST).content.decode()
    assert "Эффективное обучение" in html
    assert "DRAFT" not in html
    assert client.get(reverse("catalogue:programme_detail", args=["DRAFT"])).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_programme_page_shows_modules_and_certification(client: Client) -> None:
    programme = make_programme(code="EL")
    certification_add(programme=programme, body="ACQUIN", certified_on=date(2018, 6, 30), by=None)
    signed_in(client, make_user())
    response = client.get(reverse("catalogue:programme_detail", args=["el"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Module 1" in html and "Module 2" in html
    assert "ACQUIN" in html and "expired" in html
    assert "Start a revision" not in html  # only for national administrators


def test_filters_narrow_the_list(client: Client) -> None:
    make_programme(code="ONLINE", formats=["online"])
    make_programme(code="CLASS", formats=["classroom"])
    signed_in(client, make_user())
    response = client.get(LIST, {"format": "online"})
    assert [p.code for p in response.context["page"].object_list] == ["ONLINE"]
    assert client.get(LIST, {"format": "nonsense", "area": "x"}).status_code == 200


# --- managing the catalogue --------------------------------------------------------------------


def test_non_admins_cannot_open_the_editing_pages(client: Client, coordinator: User) -> None:
    make_programme(code="EL")
    draft = make_programme(code="DR", approve=False)
    signed_in(client, coordinator)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, version_post(code="NEW", area="1")).status_code == 403
    assert client.post(reverse("catalogue:programme_revise", args=["EL"])).status_code == 403
    assert client.post(reverse("catalogue:programme_retire", args=["EL"])).status_code == 403
    assert client.get(reverse("catalogue:certification_add", args=["EL"])).status_code == 403
    assert client.get(reverse("catalogue:version_edit", args=["DR", 1])).status_code == 403
    assert client.post(reverse("catalogue:version_approve", args=["DR", 1])).status_code == 403
    assert draft.versions.get().status == "draft"
    assert not Programme.objects.filter(code="NEW").exists()


def test_an_admin_creates_edits_and_approves(client: Client, admin: User) -> None:
    from kaskad.catalogue.models import ProgrammeArea

    signed_in(client, admin)
    area = ProgrammeArea.objects.get(code="methods")
    response = client.post(CREATE, version_post(code="new-1", area=str(area.pk)))
    assert response.status_code == 302
    programme = Programme.objects.get(code="NEW-1")
    version = programme.versions.get()
    assert [(m.title_en, m.hours) for m in version.modules.all()] == [  # type: ignore[attr-defined]
        ("Module one", 50),
        ("Module two", 30),
    ]
    edit = reverse("catalogue:version_edit", args=["NEW-1", 1])
    page = client.get(edit)
    assert page.status_code == 200
    assert page.context["formset"].forms[0].initial["title_en"] == "Module one"
    saved = client.post(edit, version_post(title_en="Effective Learning, revised"))
    assert saved["Location"] == reverse("catalogue:programme_version", args=["NEW-1", 1])
    version.refresh_from_db()
    assert version.title_en == "Effective Learning, revised"  # type: ignore[attr-defined]
    refused = client.post(reverse("catalogue:version_approve", args=["NEW-1", 1]), follow=True)
    assert "tick the box to confirm" in refused.content.decode()
    version.refresh_from_db()
    assert version.status == "draft"
    client.post(reverse("catalogue:version_approve", args=["NEW-1", 1]), {"confirm": "yes"})
    version.refresh_from_db()
    assert version.status == "approved"


def test_module_hours_that_do_not_add_up_are_shown_on_the_form(client: Client, admin: User) -> None:
    from kaskad.catalogue.models import ProgrammeArea

    signed_in(client, admin)
    area = ProgrammeArea.objects.get(code="methods")
    response = client.post(CREATE, version_post(code="X", area=str(area.pk), hours="72"))
    assert response.status_code == 200
    assert "The modules add up to 80 hours but the programme has 72" in response.content.decode()
    assert not Programme.objects.filter(code="X").exists()


def test_editing_an_approved_version_is_refused(client: Client, admin: User) -> None:
    make_programme(code="EL")
    signed_in(client, admin)
    edit = reverse("catalogue:version_edit", args=["EL", 1])
    response = client.post(edit, version_post(title_en="Changed"), follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert ProgrammeVersion.objects.get(programme__code="EL").title_en == "Effective Learning"  # type: ignore[attr-defined]


def test_approving_an_incomplete_draft_says_what_is_missing(client: Client, admin: User) -> None:
    from kaskad.catalogue.models import ProgrammeArea

    signed_in(client, admin)
    area = ProgrammeArea.objects.get(code="methods")
    client.post(
        CREATE,
        version_post(
            code="INC",
            area=str(area.pk),
            title_ru="",
            formats=[],
            **{
                "modules-0-hours": "80",
                "modules-1-title_en": "",
                "modules-1-hours": "",
            },
        ),
    )
    page = client.get(reverse("catalogue:programme_detail", args=["INC"])).content.decode()
    assert "cannot be approved until these are filled in" in page
    response = client.post(
        reverse("catalogue:version_approve", args=["INC", 1]), {"confirm": "yes"}, follow=True
    )
    html = response.content.decode()
    assert "Title (Russian)" in html and "Allowed formats" in html
    assert ProgrammeVersion.objects.get(programme__code="INC").status == "draft"


def test_revise_then_retire(client: Client, admin: User) -> None:
    make_programme(code="EL")
    signed_in(client, admin)
    response = client.post(reverse("catalogue:programme_revise", args=["EL"]))
    assert response["Location"] == reverse("catalogue:version_edit", args=["EL", 2])
    again = client.post(reverse("catalogue:programme_revise", args=["EL"]), follow=True)
    assert "already has a draft" in again.content.decode()
    client.post(reverse("catalogue:programme_retire", args=["EL"]))
    assert set(ProgrammeVersion.objects.values_list("status", flat=True)) == {"retired"}
    assert client.get(reverse("catalogue:programme_detail", args=["EL"])).status_code == 200


def test_certification_form_defaults_to_three_years(client: Client, admin: User) -> None:
    make_programme(code="EL")
    signed_in(client, admin)
    url = reverse("catalogue:certification_add", args=["EL"])
    client.post(url, {"body": "ACQUIN", "certified_on": "2019-06-30"})
    certification = Programme.objects.get(code="EL").certifications.get()
    assert certification.valid_until == date(2022, 6, 30)
    bad = client.post(
        url, {"body": "ACQUIN", "certified_on": "2020-06-30", "valid_until": "2019-01-01"}
    )
    assert "must be later than the certification date" in bad.content.decode()


def test_certification_watch_is_for_admins_analysts_and_coordinators(
    client: Client, coordinator: User
) -> None:
    programme = make_programme(code="EL")
    certification_add(programme=programme, body="ACQUIN", certified_on=date(2018, 6, 30), by=None)
    url = reverse("catalogue:certification_watch")
    signed_in(client, make_user(roles=[(Role.TEACHER, None)]))
    assert client.get(url).status_code == 403
    for user in (coordinator, make_user(roles=[(Role.ANALYST, None)])):
        signed_in(client, user)
        response = client.get(url)
        assert response.status_code == 200
        assert [row.programme.code for row in response.context["rows"]] == ["EL"]
        assert "expired" in response.content.decode()


# --- annual plan -------------------------------------------------------------------------------


def _plan_with_delivery() -> Programme:
    programme = make_programme(code="EL")
    plan_line_create(
        year=2025,
        branch=branch("ALA"),
        programme=programme,
        planned_cohorts=2,
        planned_participants=40,
        by=None,
    )
    plan_line_create(
        year=2025,
        branch=branch("AST"),
        programme=programme,
        planned_cohorts=3,
        planned_participants=60,
        by=None,
    )
    cohort = make_cohort(version=current(programme), branch=branch("ALA"), status="running")
    for _ in range(3):
        make_enrolment(cohort=cohort, person=make_person(), status="enrolled")
    return programme


def test_a_coordinator_sees_their_branch_plan_only(client: Client, coordinator: User) -> None:
    _plan_with_delivery()
    signed_in(client, coordinator)
    response = client.get(PLAN, {"year": "2025"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.branch == branch("ALA")
    assert (report.total.planned_participants, report.total.actual_participants) == (40, 3)
    assert client.get(PLAN, {"year": "2025", "branch": "AST"}).status_code == 404
    assert client.get(PLAN, {"year": "20x5"}).status_code == 404


def test_the_country_plan_adds_the_branches(client: Client) -> None:
    _plan_with_delivery()
    signed_in(client, make_user(roles=[(Role.ANALYST, None)]))
    response = client.get(PLAN, {"year": "2025"})
    total = response.context["report"].total
    assert (total.planned_cohorts, total.actual_cohorts) == (5, 1)
    html = response.content.decode()
    assert "20.0%" in html  # 1 of 5 cohorts


def test_teachers_have_no_plan_page(client: Client) -> None:
    signed_in(client, make_user(roles=[(Role.TEACHER, None)]))
    assert client.get(PLAN).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_the_export_is_a_real_workbook_with_the_same_figures(client: Client) -> None:
    _plan_with_delivery()
    signed_in(client, make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    response = client.get(EXPORT, {"year": "2025"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="plan-2025-KZ.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    rows = [tuple(r) for r in book.active.iter_rows(values_only=True)]
    header = rows[3]
    assert header[:4] == ("Code", "Programme", "Planned cohorts", "Actual cohorts")
    assert rows[4][0] == "EL" and rows[4][1] == "Effective Learning"
    assert rows[4][2:8] == (5, 1, 20.0, 100, 3, 3.0)
    assert rows[5][0] == "Total of the plan" and rows[5][2:4] == (5, 1)


def test_a_coordinator_adds_and_changes_their_branch_lines(
    client: Client, coordinator: User
) -> None:
    programme = make_programme(code="EL")
    signed_in(client, coordinator)
    create = reverse("catalogue:plan_line_create")
    form = client.get(create, {"year": "2026", "branch": "ALA"}).context["form"]
    assert [b.code for b in form.fields["branch"].queryset] == ["ALA"]
    values = {
        "year": "2026",
        "branch": str(branch("ALA").pk),
        "programme": str(programme.pk),
        "planned_cohorts": "3",
        "planned_participants": "75",
    }
    assert client.post(create, values).status_code == 302
    duplicate = client.post(create, values)
    assert "already has a line" in duplicate.content.decode()
    other_branch = client.post(create, {**values, "branch": str(branch("AST").pk)})
    assert other_branch.status_code == 200
    assert AnnualPlan.objects.count() == 1
    line = AnnualPlan.objects.get()
    edit = reverse("catalogue:plan_line_edit", args=[line.pk])
    client.post(edit, {"planned_cohorts": "4", "planned_participants": "80"})
    line.refresh_from_db()
    assert (line.planned_cohorts, line.planned_participants) == (4, 80)


def test_a_coordinator_editing_another_branch_plan_gets_404(
    client: Client, coordinator: User
) -> None:
    programme = make_programme(code="EL")
    line = plan_line_create(
        year=2025,
        branch=branch("AST"),
        programme=programme,
        planned_cohorts=1,
        planned_participants=10,
        by=None,
    )
    signed_in(client, coordinator)
    edit = reverse("catalogue:plan_line_edit", args=[line.pk])
    assert client.get(edit).status_code == 404
    assert (
        client.post(edit, {"planned_cohorts": "9", "planned_participants": "9"}).status_code == 404
    )
    assert client.post(edit, {"delete": "1"}).status_code == 404
    line.refresh_from_db()
    assert line.planned_cohorts == 1


def test_an_analyst_sees_plan_lines_but_cannot_change_them(client: Client) -> None:
    programme = make_programme(code="EL")
    line = plan_line_create(
        year=2025,
        branch=branch("AST"),
        programme=programme,
        planned_cohorts=1,
        planned_participants=10,
        by=None,
    )
    signed_in(client, make_user(roles=[(Role.ANALYST, None)]))
    assert client.get(reverse("catalogue:plan_line_edit", args=[line.pk])).status_code == 403
    assert client.get(reverse("catalogue:plan_line_create")).status_code == 403


def test_navigation_shows_programmes_to_everyone_and_trainers_to_managers(
    client: Client, coordinator: User
) -> None:
    signed_in(client, make_user(roles=[(Role.TEACHER, None)]))
    labels = [str(i.label) for i in client.get(LIST).context["nav_items"]]
    assert "Programmes" in labels and "Trainers" not in labels
    signed_in(client, coordinator)
    labels = [str(i.label) for i in client.get(LIST).context["nav_items"]]
    assert "Programmes" in labels and "Trainers" in labels


def test_after_saving_a_revision_the_admin_sees_the_new_draft(client: Client, admin: User) -> None:
    make_programme(code="EL")
    signed_in(client, admin)
    client.post(reverse("catalogue:programme_revise", args=["EL"]))
    edit = reverse("catalogue:version_edit", args=["EL", 2])
    page = client.post(
        edit, version_post(title_en="Effective Learning, second edition"), follow=True
    )
    html = page.content.decode()
    assert page.context["version"].number == 2
    assert "Effective Learning, second edition" in html
    assert 'name="confirm"' in html and "Approval cannot be undone" in html


def test_the_programme_page_points_to_a_draft_in_preparation(client: Client, admin: User) -> None:
    make_programme(code="EL")
    signed_in(client, admin)
    client.post(reverse("catalogue:programme_revise", args=["EL"]))
    html = client.get(reverse("catalogue:programme_detail", args=["EL"])).content.decode()
    assert "This page shows version 1. Draft version 2 is being prepared" in html
    assert reverse("catalogue:programme_version", args=["EL", 2]) in html


def test_the_programme_list_costs_the_same_queries_for_two_programmes_or_twelve(
    client: Client, admin: User
) -> None:
    for number in range(2):
        make_programme(code=f"QC{number}")
    signed_in(client, admin)
    client.get(reverse("catalogue:programme_list"))  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("catalogue:programme_list")).status_code == 200
    for number in range(2, 12):
        make_programme(code=f"QC{number}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("catalogue:programme_list"))
    assert len(response.context["page"].object_list) == 12
    assert len(many.captured_queries) == len(few.captured_queries)
