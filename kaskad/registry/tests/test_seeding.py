"""The seed generator: deterministic, valid for the import pipeline, realistic in proportion."""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from kaskad.registry.choices import (
    BIN_OPTIONAL_KINDS,
    CURRENT_CATEGORIES,
    Category,
    Level,
    Locality,
    OrganisationKind,
    Position,
    Sex,
)
from kaskad.registry.identifiers import is_valid_bin, parse_iin
from kaskad.registry.names import check_name
from kaskad.registry.seeding import (
    DISTRICT_COLUMNS,
    ORGANISATION_COLUMNS,
    PEOPLE_COLUMNS,
    SeedPlan,
    apportion,
    build_plan,
    default_as_of,
    feminine_surname,
    kazakh_patronymic,
    ru_genitive,
    staff_positions,
    translit,
    write_files,
)

AS_OF = date(2026, 9, 1)
KAZAKH_LETTERS = set("әғқңөұүһі")  # no Kazakh name starts with ң or һ
TEACHING = {Position.TEACHER, Position.PRESCHOOL_TEACHER, Position.LECTURER}


def small_plan(seed: int = 7) -> SeedPlan:
    return build_plan("demo", seed, people=1500, organisations=60, as_of=AS_OF)


# --- determinism ------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    first = write_files(small_plan(), tmp_path / "a")
    second = write_files(small_plan(), tmp_path / "b")
    for kind in ("districts", "organisations", "people"):
        assert first[kind][0].read_bytes() == second[kind][0].read_bytes(), kind
        assert first[kind][1] > 0


def test_people_rows_restart_on_every_call() -> None:
    plan = small_plan()
    assert list(plan.people_rows()) == list(plan.people_rows())


def test_different_seed_gives_different_data() -> None:
    a, b = small_plan(1), small_plan(2)
    assert [o.row() for o in a.organisations] != [o.row() for o in b.organisations]
    iins_a = {r["iin"] for r in a.people_rows()}
    iins_b = {r["iin"] for r in b.people_rows()}
    assert len(iins_a & iins_b) < len(iins_a) // 10


def test_as_of_defaults_to_the_school_year_start() -> None:
    assert default_as_of(date(2026, 11, 23)) == date(2026, 9, 1)
    assert default_as_of(date(2026, 9, 1)) == date(2026, 9, 1)
    assert default_as_of(date(2027, 3, 5)) == date(2026, 9, 1)


# --- helpers ------------------------------------------------------------------------------


def test_apportion_is_exact_and_respects_the_minimum() -> None:
    assert sum(apportion([1, 2, 3, 4], 1000, minimum=5)) == 1000
    assert apportion([1, 1], 3) == [2, 1]
    assert min(apportion([100, 1, 1], 30, minimum=4)) == 4
    assert apportion([1, 1, 1], 2, minimum=4) == [1, 1, 0]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Бурабайский район", "Бурабайского района"),
        ("район Есиль", "района Есиль"),
        ("город Кокшетау", "города Кокшетау"),
        ("Акмолинская область", "Акмолинской области"),
        ("Восточно-Казахстанская область", "Восточно-Казахстанской области"),
        ("область Абай", "области Абай"),
    ],
)
def test_ru_genitive(word: str, expected: str) -> None:
    assert ru_genitive(word) == expected


def test_name_forms() -> None:
    assert feminine_surname("Қасымов") == "Қасымова"
    assert feminine_surname("Вишневский") == "Вишневская"
    assert feminine_surname("Ким") == "Ким"
    assert kazakh_patronymic("Серік", female=True, kazakh_style=True) == "Серікқызы"
    assert kazakh_patronymic("Серік", female=False, kazakh_style=True) == "Серікұлы"
    assert kazakh_patronymic("Жұмабай", female=False, kazakh_style=False) == "Жұмабаевич"
    assert kazakh_patronymic("Нұрлан", female=True, kazakh_style=False) == "Нұрлановна"
    assert translit("Көкшетау") == "Kokshetau"
    assert translit("Әл-Фараби") == "Al-Farabi"


def test_every_school_has_a_director_and_leaders_come_first() -> None:
    positions = staff_positions(OrganisationKind.SCHOOL, 70)
    assert positions[0] == Position.DIRECTOR
    assert positions.count(Position.DIRECTOR) == 1
    assert positions.count(Position.DEPUTY_DIRECTOR) == 3
    assert len(positions) == 70
    assert staff_positions(OrganisationKind.SCHOOL, 4) == [
        Position.DIRECTOR,
        Position.TEACHER,
        Position.TEACHER,
        Position.TEACHER,
    ]
    assert staff_positions(OrganisationKind.KINDERGARTEN, 0) == []


# --- the demo scale ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> SeedPlan:
    return build_plan("demo", 1, as_of=AS_OF)


def test_demo_covers_four_areas_of_four_branches(demo: SeedPlan) -> None:
    assert sorted(demo.areas) == ["110000000", "190000000", "610000000", "710000000"]
    assert len(demo.organisations) == 200
    assert demo.people_count == 5000
    kinds = Counter(o.kind for o in demo.organisations)
    assert kinds[OrganisationKind.NIS] == 1
    assert kinds[OrganisationKind.METHOD_CENTRE] >= 1
    assert kinds[OrganisationKind.EDUCATION_DEPARTMENT] >= 1
    assert kinds[OrganisationKind.KINDERGARTEN] >= 10
    assert kinds[OrganisationKind.COLLEGE] >= 5
    assert kinds[OrganisationKind.SCHOOL] > 0.6 * len(demo.organisations)
    for area in demo.areas:
        assert 2 <= sum(1 for d in demo.districts if d.area_code == area) <= 5


def test_organisations_are_valid_import_rows(demo: SeedPlan) -> None:
    rows = list(demo.organisation_rows())
    assert all(tuple(r) == ORGANISATION_COLUMNS for r in rows)
    codes = [r["code"] for r in rows]
    assert len(set(codes)) == len(codes)
    bins = [r["bin"] for r in rows if r["bin"]]
    assert len(set(bins)) == len(bins)
    assert all(is_valid_bin(b) for b in bins)
    districts = {d.code: d.area_code for d in demo.districts}
    for row in rows:
        assert row["bin"] or row["kind"] in BIN_OPTIONAL_KINDS
        assert len(row["code"]) <= 20
        assert districts[row["district_code"]] == row["area_code"]
        assert row["locality"] in Locality.values
        assert row["status"] in {"open", "closed"}
        assert row["name_kk"] and row["name_ru"] and row["name_en"]
    assert any("жалпы білім беретін мектеп" in r["name_kk"] for r in rows)
    assert any(r["name_ru"].startswith("Ясли-сад") for r in rows)


def test_localities_and_ungraded_schools(demo: SeedPlan) -> None:
    orgs = demo.organisations
    urban = sum(o.locality == Locality.URBAN for o in orgs) / len(orgs)
    assert 0.40 <= urban <= 0.50
    schools = [o for o in orgs if o.kind == OrganisationKind.SCHOOL]
    ungraded = [o for o in schools if o.ungraded]
    assert 0.07 <= len(ungraded) / len(schools) <= 0.13
    assert all(o.locality == Locality.RURAL for o in ungraded)
    # Astana is a city: everything there is urban.
    assert all(o.locality == Locality.URBAN for o in orgs if o.area_code == "710000000")


def test_districts_have_kato_like_codes(demo: SeedPlan) -> None:
    rows = list(demo.district_rows())
    assert all(tuple(r) == DISTRICT_COLUMNS for r in rows)
    codes = [r["code"] for r in rows]
    assert len(set(codes)) == len(codes)
    for row in rows:
        assert len(row["code"]) == 9 and row["code"].isdigit()
        assert row["code"][:2] == row["area_code"][:2]
        assert row["code"] != row["area_code"]
    assert {"Бурабай ауданы", "Көкшетау қаласы", "Есіл ауданы"} <= {r["name_kk"] for r in rows}


# --- proportions on a mid-size sample ------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> tuple[SeedPlan, list[dict[str, str]]]:
    plan = build_plan("demo", 11, people=20_000, organisations=400, as_of=AS_OF)
    return plan, list(plan.people_rows())


def share(rows: list[dict[str, str]], test) -> float:
    return sum(1 for r in rows if test(r)) / len(rows)


def test_people_rows_have_the_import_columns(sample) -> None:
    plan, rows = sample
    assert len(rows) == 20_000
    assert all(tuple(r) == PEOPLE_COLUMNS for r in rows)
    codes = {o.code for o in plan.organisations if o.is_open}
    assert {r["organisation_code"] for r in rows} <= codes
    assert all(isinstance(v, str) for r in rows for v in r.values())


def test_iins_are_valid_unique_and_agree_with_birth_and_sex(sample) -> None:
    _plan, rows = sample
    iins = [r["iin"] for r in rows]
    assert len(set(iins)) == len(iins)
    for row in rows:
        info = parse_iin(row["iin"], today=AS_OF)
        assert info.birth_date.isoformat() == row["birth_date"]
        assert info.sex == row["sex"]


def test_names_pass_the_import_check_unchanged(sample) -> None:
    _plan, rows = sample
    for row in rows:
        for column in ("surname", "given_name", "patronymic"):
            value = row[column]
            if column == "patronymic" and not value:
                continue
            result = check_name(value)
            assert result.ok and not result.corrected and result.value == value, (column, value)
    letters = set("".join(r["surname"] + r["given_name"] + r["patronymic"] for r in rows))
    assert letters >= KAZAKH_LETTERS
    assert 0.02 <= share(rows, lambda r: not r["patronymic"]) <= 0.08


def test_names_match_sex(sample) -> None:
    _plan, rows = sample
    for row in rows:
        surname, patronymic, sex = row["surname"], row["patronymic"], row["sex"]
        if patronymic.endswith(("ұлы", "ович", "евич")):
            assert sex == Sex.MALE, row
        if patronymic.endswith(("қызы", "овна", "евна")):
            assert sex == Sex.FEMALE, row
        if surname.endswith(("ова", "ева", "ина", "ская")):
            assert sex == Sex.FEMALE, row
    assert any(r["patronymic"].endswith("қызы") for r in rows)
    assert any(r["patronymic"].endswith("ұлы") for r in rows)
    assert 0.77 <= share(rows, lambda r: r["sex"] == Sex.FEMALE) <= 0.83


def test_experience_and_age(sample) -> None:
    _plan, rows = sample
    over_ten = share(rows, lambda r: int(r["experience_years"]) > 10)
    assert 0.54 <= over_ten <= 0.58
    for row in rows:
        born = date.fromisoformat(row["birth_date"])
        age = AS_OF.year - born.year - ((AS_OF.month, AS_OF.day) < (born.month, born.day))
        assert int(row["experience_years"]) <= age - 20, row
        assert 20 <= age <= 65
        started = date.fromisoformat(row["started_on"])
        assert started < AS_OF
        assert started.year - born.year >= 20


def test_positions_and_levels(sample) -> None:
    plan, rows = sample
    positions = Counter(r["position"] for r in rows)
    teaching = sum(positions[p] for p in TEACHING) / len(rows)
    assert 0.80 <= teaching <= 0.90
    staffed = [o for o in plan.organisations if o.staff]
    assert positions[Position.DIRECTOR] == len(staffed)
    schools = sum(1 for o in staffed if o.kind == OrganisationKind.SCHOOL)
    assert 1.5 <= positions[Position.DEPUTY_DIRECTOR] / schools <= 3.0
    for position in (Position.PSYCHOLOGIST, Position.LIBRARIAN, Position.METHODOLOGIST):
        assert positions[position] > 0

    teachers = [r for r in rows if r["position"] == Position.TEACHER]
    assert 0.42 <= share(teachers, lambda r: r["level"] == Level.PRIMARY) <= 0.46
    assert {r["level"] for r in teachers} == {
        Level.PRIMARY,
        Level.LOWER_SECONDARY,
        Level.UPPER_SECONDARY,
    }
    assert all(r["subjects"] for r in teachers)
    kinds = {o.code: o.kind for o in plan.organisations}
    for row in rows:
        if row["position"] == Position.PRESCHOOL_TEACHER:
            assert kinds[row["organisation_code"]] == OrganisationKind.KINDERGARTEN
            assert row["level"] == Level.PRESCHOOL
        if row["position"] == Position.LECTURER:
            assert row["level"] in {Level.TVET, Level.HIGHER}


def test_categories(sample) -> None:
    _plan, rows = sample
    categories = Counter(r["category"] for r in rows)
    assert set(CURRENT_CATEGORIES) <= set(categories)
    for legacy in (Category.LEGACY_FIRST, Category.LEGACY_HIGHEST, Category.LEGACY_SECOND):
        assert categories[legacy] > 0
    assert 0.03 <= categories[Category.NONE] / len(rows) <= 0.25
    current = [r for r in rows if r["category"] in CURRENT_CATEGORIES]
    assert all(r["category_awarded_on"] for r in current)
    recent = share(
        current,
        lambda r: (AS_OF - date.fromisoformat(r["category_awarded_on"])).days < 5 * 365,
    )
    assert 0.80 <= recent <= 0.97  # most are valid, some are overdue for attestation
    assert all(not r["category_awarded_on"] for r in rows if r["category"] == Category.NONE)
    assert all(r["category_awarded_on"] < AS_OF.isoformat() for r in rows)


# --- loading through the pipeline -----------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_seed_command_loads_through_the_pipeline_and_creates_demo_users(tmp_path: Path) -> None:
    from kaskad.accounts.demo import DEMO_PASSWORD, DEMO_USERS, demo_logins
    from kaskad.accounts.models import Role, User
    from kaskad.registry.models import District, Employment, Organisation, Person

    out = io.StringIO()
    call_command(
        "seed",
        scale="demo",
        seed=5,
        people=400,
        organisations=30,
        out=tmp_path,
        stdout=out,
        stderr=io.StringIO(),
    )
    # Besides the imported rows, the demo's projects add schools and staff the registry lacks
    # (and participants abroad), through the registry's services, audited with source "demo".
    from kaskad.core.models import AuditEntry

    added = {
        model: [
            int(pk)
            for pk in AuditEntry.objects.filter(
                object_type=f"registry.{model}", source="demo"
            ).values_list("object_id", flat=True)
        ]
        for model in ("person", "employment", "organisation")
    }
    assert Person.objects.exclude(pk__in=added["person"]).count() == 400
    open_jobs = Employment.objects.filter(ended_on__isnull=True)
    assert open_jobs.exclude(pk__in=added["employment"]).count() == 400
    assert Organisation.objects.exclude(pk__in=added["organisation"]).count() == 30
    districts_csv = (tmp_path / "districts.csv").read_text(encoding="utf-8")
    assert District.objects.count() == len(districts_csv.splitlines()) - 1
    assert (tmp_path / "people.csv").read_text(encoding="utf-8").startswith("iin,surname,")

    users = {u.username: u for u in User.objects.prefetch_related("roles")}
    assert set(users) >= {name for name, _role in DEMO_USERS}
    for name, role in DEMO_USERS:
        user = users[name]
        assert user.check_password(DEMO_PASSWORD)
        assert [a.role for a in user.roles.all()] == [role]
    coordinator = users["coordinator"].roles.get()
    assert coordinator.branch is not None and coordinator.branch.code == "AST"
    second = users["coordinator2"].roles.get().branch
    assert second is not None and second.code != "AST"
    school = users["leader"].roles.get().organisation
    assert school is not None
    assert school.area.code == "710000000" and school.kind == OrganisationKind.SCHOOL
    teacher = users["teacher"].person
    assert teacher is not None and teacher.current_organisation == school
    assert teacher.employments.get(ended_on__isnull=True).position == Position.TEACHER
    assert users["admin"].is_superuser

    logins = demo_logins()
    assert [login.username for login in logins] == [name for name, _role in DEMO_USERS]
    assert "admin" in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    assert {login.role for login in logins} == {str(Role(r).label) for _n, r in DEMO_USERS}

    # A demo year on top: every role finds work waiting.
    from kaskad.assessment.models import Assignment, Portfolio
    from kaskad.certificates.models import Certificate
    from kaskad.delivery.models import Cohort

    assert set(Cohort.objects.values_list("status", flat=True)) == {"finished", "running", "open"}
    assert Portfolio.objects.filter(status="certified").exists()
    assert Portfolio.objects.filter(plagiarism_status="suspected").exists()
    assert Certificate.objects.filter(person=teacher, status="valid").count() == 1
    assert Assignment.objects.filter(assessor=users["assessor"].person, status="allocated").exists()
    assert Portfolio.objects.filter(enrolment__person=teacher, status="draft").exists()

    # Once people exist, --if-empty leaves everything as it is.
    again = io.StringIO()
    with translation.override("en"):
        call_command("seed", scale="demo", seed=6, if_empty=True, stdout=again)
    assert "nothing to seed" in again.getvalue()
    assert Person.objects.count() == 400 + len(added["person"])
