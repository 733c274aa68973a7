"""Programmes and versions, certification and the annual plan: the rules of the services."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.catalogue.models import AnnualPlan, ProgrammeVersion, QualityCertification
from kaskad.catalogue.services import (
    IncompleteVersionError,
    ModuleData,
    VersionData,
    certification_add,
    plan_line_create,
    plan_line_delete,
    plan_line_update,
    programme_create,
    programme_retire,
    programme_revise,
    version_approve,
    version_update,
)
from kaskad.catalogue.tests.factories import (
    area,
    current,
    make_cohort,
    make_programme,
    version_data,
)
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError
from kaskad.core.models import AuditEntry
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> None:
    translation.activate("en")


@pytest.fixture
def admin():
    return make_user(roles=[(Role.NATIONAL_ADMIN, None)])


# --- creating and editing ------------------------------------------------------------------


def test_create_makes_draft_version_one_with_modules_and_audit(admin) -> None:
    programme = programme_create(code=" fl-math ", area=area(), data=version_data(), by=admin)
    assert programme.code == "FL-MATH"
    version = programme.versions.get()
    assert (version.number, version.status) == (1, "draft")
    assert version.title_kk == "Тиімді оқыту"  # type: ignore[attr-defined]
    assert [m.hours for m in version.modules.all()] == [40, 40]
    assert AuditEntry.objects.filter(
        object_type="catalogue.programmeversion", object_id=str(version.pk), action="create"
    ).exists()


def test_codes_are_unique_and_well_formed(admin) -> None:
    make_programme(code="EL")
    with pytest.raises(DomainError) as taken:
        programme_create(code="el", area=area(), data=version_data(), by=admin)
    assert (taken.value.code, taken.value.field) == ("programme_code_taken", "code")
    with pytest.raises(DomainError) as bad:
        programme_create(code="Тиімді", area=area(), data=version_data(), by=admin)
    assert bad.value.code == "programme_code"


def test_module_hours_must_add_up_to_the_programme_hours(admin) -> None:
    data = version_data(hours=72)  # modules give 80
    with pytest.raises(DomainError) as error:
        programme_create(code="X1", area=area(), data=data, by=admin)
    assert error.value.code == "module_hours_sum"
    assert error.value.field == "modules"
    assert "80" in str(error.value.message) and "72" in str(error.value.message)


def test_without_modules_any_hours_do(admin) -> None:
    programme = programme_create(
        code="X2", area=area(), data=version_data(hours=36, modules=[]), by=admin
    )
    assert programme.versions.get().hours == 36


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"formats": ["radio"]}, "formats"),
        ({"languages": ["xx"]}, "languages"),
        ({"audience_positions": ["astronaut"]}, "audience_positions"),
        ({"audience_levels": ["kindergarten"]}, "audience_levels"),
        ({"assessment_scheme": "exam"}, "assessment_scheme"),
        ({"min_attendance_percent": 120}, "min_attendance_percent"),
        ({"hours": -1, "modules": []}, "hours"),
        ({"title_en": "x" * 301}, "title_en"),
        (
            {"modules": [ModuleData(title_en="", hours=80)]},
            "modules",
        ),
        (
            {
                "modules": [
                    ModuleData(title_en="One", hours=0),
                    ModuleData(title_en="Two", hours=80),
                ]
            },
            "modules",
        ),
    ],
)
def test_bad_values_are_refused_with_the_field_named(admin, change, field) -> None:
    with pytest.raises(DomainError) as error:
        programme_create(code="BAD", area=area(), data=version_data(**change), by=admin)
    assert error.value.field == field


def test_a_draft_may_be_incomplete_and_is_edited(admin) -> None:
    programme = programme_create(
        code="D1", area=area(), data=VersionData(title_en="Working title"), by=admin
    )
    version = programme.versions.get()
    updated = version_update(version=version, data=version_data(title_en="Final title"), by=admin)
    assert updated.title_en == "Final title"  # type: ignore[attr-defined]
    entry = AuditEntry.objects.filter(object_id=str(version.pk), action="update").get()
    assert entry.changes["title_en"] == ["Working title", "Final title"]
    assert "modules" in entry.changes


def test_modules_left_out_of_an_update_stay_and_must_still_add_up(admin) -> None:
    version = make_programme(approve=False).versions.get()
    with pytest.raises(DomainError) as error:
        version_update(version=version, data=version_data(hours=90, modules=None), by=admin)
    assert error.value.code == "module_hours_sum"
    version_update(version=version, data=version_data(title_en="New", modules=None), by=admin)
    assert version.modules.count() == 2


def test_an_approved_version_is_frozen(admin) -> None:
    version = current(make_programme())
    with pytest.raises(DomainError) as error:
        version_update(version=version, data=version_data(title_en="Changed"), by=admin)
    assert error.value.code == "version_frozen"
    version.refresh_from_db()
    assert version.title_en == "Effective Learning"  # type: ignore[attr-defined]


def test_only_national_admins_change_the_catalogue() -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    analyst = make_user(roles=[(Role.ANALYST, None)])
    draft = make_programme(approve=False).versions.get()
    for user in (coordinator, analyst):
        with pytest.raises(PermissionDeniedError):
            programme_create(code="NO", area=area(), data=version_data(), by=user)
        with pytest.raises(PermissionDeniedError):
            version_update(version=draft, data=version_data(), by=user)
        with pytest.raises(PermissionDeniedError):
            version_approve(version=draft, by=user)


# --- approving, revising, retiring --------------------------------------------------------------


def test_approving_an_incomplete_draft_names_what_is_missing(admin) -> None:
    programme = programme_create(
        code="D2",
        area=area(),
        data=VersionData(title_kk="Атауы", hours=0, formats=[], languages=["kk"]),
        by=admin,
    )
    with pytest.raises(IncompleteVersionError) as error:
        version_approve(version=programme.versions.get(), by=admin)
    assert error.value.missing == ["title_ru", "title_en", "hours", "formats"]
    message = str(error.value.message)
    for label in ("Title (Russian)", "Title (English)", "Hours", "Allowed formats"):
        assert label in message
    assert programme.versions.get().status == "draft"


def test_approval_retires_the_previous_version_and_is_audited(admin) -> None:
    programme = make_programme()
    first = current(programme)
    draft = programme_revise(programme=programme, by=admin)
    version_approve(version=draft, by=admin)
    first.refresh_from_db()
    draft.refresh_from_db()
    assert (first.status, draft.status) == ("retired", "approved")
    assert draft.approved_by == admin and draft.approved_at is not None
    assert AuditEntry.objects.filter(
        object_id=str(draft.pk), changes__status=["draft", "approved"]
    ).exists()


def test_a_revision_copies_the_approved_version_with_its_modules(admin) -> None:
    programme = make_programme(audience_positions=["teacher"], languages=["kk", "ru", "en"])
    draft = programme_revise(programme=programme, by=admin)
    approved = current(programme)
    assert (draft.number, draft.status) == (2, "draft")
    for name in ("title_kk", "title_ru", "title_en", "hours", "formats", "languages"):
        assert getattr(draft, name) == getattr(approved, name)
    assert draft.audience_positions == ["teacher"]
    assert [(m.order, m.title_en, m.hours) for m in draft.modules.all()] == [  # type: ignore[attr-defined]
        (m.order, m.title_en, m.hours)  # type: ignore[attr-defined]
        for m in approved.modules.all()
    ]
    assert approved.modules.count() == 2  # the copy does not move the original's modules


def test_a_revision_is_refused_while_a_draft_exists(admin) -> None:
    programme = make_programme()
    programme_revise(programme=programme, by=admin)
    with pytest.raises(DomainError) as error:
        programme_revise(programme=programme, by=admin)
    assert error.value.code == "draft_exists"
    assert ProgrammeVersion.objects.filter(programme=programme).count() == 2


def test_a_cohort_keeps_its_version_after_a_revision_is_approved(admin) -> None:
    programme = make_programme()
    first = current(programme)
    cohort = make_cohort(version=first, branch=branch("ALA"))
    draft = programme_revise(programme=programme, by=admin)
    version_update(version=draft, data=version_data(title_en="Effective Learning 2"), by=admin)
    version_approve(version=draft, by=admin)
    cohort.refresh_from_db()
    assert cohort.version_id == first.pk
    first.refresh_from_db()
    assert first.title_en == "Effective Learning"  # type: ignore[attr-defined]
    assert [m.hours for m in first.modules.all()] == [40, 40]


def test_retiring_retires_the_approved_version_and_the_draft(admin) -> None:
    programme = make_programme()
    programme_revise(programme=programme, by=admin)
    programme_retire(programme=programme, by=admin)
    assert set(programme.versions.values_list("status", flat=True)) == {"retired"}
    with pytest.raises(DomainError) as error:
        programme_retire(programme=programme, by=admin)
    assert error.value.code == "already_retired"
    # A revision brings a retired programme back as a new draft of its latest version.
    draft = programme_revise(programme=programme, by=admin)
    assert (draft.number, draft.status) == (3, "draft")


def test_only_a_draft_is_approved(admin) -> None:
    version = current(make_programme())
    with pytest.raises(DomainError) as error:
        version_approve(version=version, by=admin)
    assert error.value.code == "version_not_draft"


# --- certification -----------------------------------------------------------------------------


def test_a_certification_lasts_three_years_by_default(admin) -> None:
    programme = make_programme()
    certification = certification_add(
        programme=programme, body="ACQUIN", certified_on=date(2020, 2, 29), by=admin
    )
    assert certification.valid_until == date(2023, 2, 28)
    explicit = certification_add(
        programme=programme,
        body="ACQUIN",
        certified_on=date(2023, 5, 1),
        valid_until=date(2025, 5, 1),
        by=admin,
    )
    assert explicit.valid_until == date(2025, 5, 1)


def test_certification_dates_reversed_or_twice_are_refused(admin) -> None:
    programme = make_programme()
    with pytest.raises(DomainError) as reversed_dates:
        certification_add(
            programme=programme,
            body="ACQUIN",
            certified_on=date(2020, 6, 30),
            valid_until=date(2020, 6, 1),
            by=admin,
        )
    assert (reversed_dates.value.code, reversed_dates.value.field) == (
        "dates_reversed",
        "valid_until",
    )
    with pytest.raises(DomainError) as empty:
        certification_add(programme=programme, body=" ", certified_on=date(2020, 6, 30), by=admin)
    assert empty.value.field == "body"
    certification_add(programme=programme, body="ACQUIN", certified_on=date(2020, 6, 30), by=admin)
    with pytest.raises(DomainError) as twice:
        certification_add(
            programme=programme, body="acquin", certified_on=date(2020, 6, 30), by=admin
        )
    assert twice.value.code == "certification_exists"
    assert QualityCertification.objects.count() == 1


# --- annual plan -------------------------------------------------------------------------------


def test_a_coordinator_plans_for_their_branch(admin) -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    programme = make_programme()
    line = plan_line_create(
        year=2025,
        branch=branch("ALA"),
        programme=programme,
        planned_cohorts=4,
        planned_participants=100,
        by=coordinator,
    )
    plan_line_update(line=line, planned_cohorts=5, planned_participants=120, by=coordinator)
    line.refresh_from_db()
    assert (line.planned_cohorts, line.planned_participants) == (5, 120)
    entry = AuditEntry.objects.filter(object_type="catalogue.annualplan", action="update").get()
    assert entry.changes == {"planned_cohorts": [4, 5], "planned_participants": [100, 120]}


def test_a_duplicate_plan_line_is_refused(admin) -> None:
    programme = make_programme()
    values: dict[str, Any] = {"year": 2025, "branch": branch("AST"), "programme": programme}
    plan_line_create(**values, planned_cohorts=1, planned_participants=25, by=admin)
    with pytest.raises(DomainError) as error:
        plan_line_create(**values, planned_cohorts=2, planned_participants=50, by=admin)
    assert (error.value.code, error.value.field) == ("plan_line_exists", "programme")
    assert AnnualPlan.objects.count() == 1


def test_a_coordinator_cannot_touch_another_branch_plan(admin) -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    programme = make_programme()
    with pytest.raises(NotFoundError):
        plan_line_create(
            year=2025,
            branch=branch("AST"),
            programme=programme,
            planned_cohorts=1,
            planned_participants=1,
            by=coordinator,
        )
    line = plan_line_create(
        year=2025,
        branch=branch("AST"),
        programme=programme,
        planned_cohorts=1,
        planned_participants=1,
        by=admin,
    )
    with pytest.raises(NotFoundError):
        plan_line_update(line=line, planned_cohorts=9, planned_participants=9, by=coordinator)
    with pytest.raises(NotFoundError):
        plan_line_delete(line=line, by=coordinator)
    assert AnnualPlan.objects.filter(pk=line.pk, planned_cohorts=1).exists()


@pytest.mark.parametrize(
    ("year", "cohorts", "participants", "field"),
    [
        (1999, 1, 1, "year"),
        (2025, -1, 1, "planned_cohorts"),
        (2025, 1, "ten", "planned_participants"),
    ],
)
def test_bad_plan_figures_are_refused(admin, year, cohorts, participants, field) -> None:
    with pytest.raises(DomainError) as error:
        plan_line_create(
            year=year,
            branch=branch("AST"),
            programme=make_programme(),
            planned_cohorts=cohorts,
            planned_participants=participants,
            by=admin,
        )
    assert error.value.field == field
