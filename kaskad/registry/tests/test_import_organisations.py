"""Importing organisations (by BIN, else by code) and districts (by KATO code)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry
from kaskad.registry.imports import import_file
from kaskad.registry.imports.columns import DISTRICTS, ORGANISATIONS, names
from kaskad.registry.models import Area, District, Organisation
from kaskad.registry.tests.factories import area_of, branch, make_organisation
from kaskad.registry.tests.test_import_support import (
    counts,
    organisation_row,
    write_csv,
    write_xlsx,
)

pytestmark = pytest.mark.django_db
ORGANISATION_HEADER = names(ORGANISATIONS)
DISTRICT_HEADER = names(DISTRICTS)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_organisations_are_created_with_every_field(tmp_path: Path) -> None:
    rows = [
        organisation_row(),
        organisation_row(
            code="KG-7",
            bin="",
            kind="балабақша",
            name_kk="№ 7 балабақша",
            name_ru="Детский сад № 7",
            name_en="",
            area_code="11",
            locality="Ауыл",
            ungraded="да",
            languages="қазақ, орыс",
            status="закрыта",
        ),
    ]
    path = write_csv(tmp_path / "organisations.csv", ORGANISATION_HEADER, rows)

    result = import_file("organisations", path)

    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    school = Organisation.objects.get(bin="940140000385")
    names = (getattr(school, f"name_{language}") for language in ("kk", "ru", "en"))
    assert (school.code, *names) == (
        "940140000385",
        "№ 12 мектеп",
        "Школа № 12",
        "School No. 12",
    )
    assert school.area.code == "710000000" and school.languages == ["kk", "ru"]
    kindergarten = Organisation.objects.get(code="KG-7")
    assert kindergarten.bin is None
    assert kindergarten.kind == "kindergarten" and kindergarten.locality == "rural"
    assert kindergarten.is_ungraded and not kindergarten.is_open
    assert kindergarten.area == Area.objects.get(code="110000000")
    assert (
        AuditEntry.objects.filter(action="import", object_type="registry.organisation").count() == 2
    )


def test_reimport_is_idempotent_and_a_change_is_audited(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "o.csv", ORGANISATION_HEADER, [organisation_row()])
    assert import_file("organisations", path).ok
    before = counts()
    again = import_file("organisations", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert counts() == before

    write_csv(
        path, ORGANISATION_HEADER, [organisation_row(name_ru="Школа-лицей № 12", locality="rural")]
    )
    changed = import_file("organisations", path)

    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 0)
    school = Organisation.objects.get(bin="940140000385")
    assert getattr(school, "name_ru") == "Школа-лицей № 12" and school.locality == "rural"
    entry = AuditEntry.objects.filter(object_type="registry.organisation").latest("id")
    assert entry.action == "update"
    assert entry.changes == {
        "name_ru": ["Школа № 12", "Школа-лицей № 12"],
        "locality": ["urban", "rural"],
    }


def test_matched_by_bin_first_then_by_code(tmp_path: Path) -> None:
    existing = make_organisation(code="OLD-CODE", bin="950341000052")
    path = write_csv(
        tmp_path / "o.csv",
        ORGANISATION_HEADER,
        [organisation_row(code="NEW-CODE", bin="950341000052")],
    )

    result = import_file("organisations", path)

    assert (result.created, result.updated) == (0, 1)
    existing.refresh_from_db()
    assert existing.code == "NEW-CODE"


def test_code_of_an_organisation_with_another_bin_is_an_error(tmp_path: Path) -> None:
    make_organisation(code="SCH-1", bin="950341000052")
    path = write_csv(
        tmp_path / "o.csv",
        ORGANISATION_HEADER,
        [organisation_row(code="SCH-1", bin="940140000385")],
    )
    before = counts()
    result = import_file("organisations", path)
    assert not result.ok and counts() == before
    assert (result.errors[0].line, result.errors[0].column, result.errors[0].code) == (
        2,
        "bin",
        "bin_taken",
    )


def test_duplicate_codes_in_the_file(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv",
        ORGANISATION_HEADER,
        [
            organisation_row(code="X", bin="940140000385"),
            organisation_row(code="X", bin="950341000052"),
        ],
    )
    result = import_file("organisations", path)
    assert not result.ok
    assert "line 2" in result.errors[0].message and result.errors[0].line == 3


def test_coordinator_may_import_only_into_their_areas(tmp_path: Path) -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    ok_path = write_csv(
        tmp_path / "ok.csv", ORGANISATION_HEADER, [organisation_row(area_code="750000000")]
    )
    assert import_file("organisations", ok_path, by=coordinator).ok

    outside = write_csv(
        tmp_path / "out.csv",
        ORGANISATION_HEADER,
        [organisation_row(code="Y", bin="950341000052", area_code="71")],
    )
    result = import_file("organisations", outside, by=coordinator)
    assert not result.ok
    assert (result.errors[0].column, result.errors[0].code) == ("area_code", "out_of_scope")


def test_teacher_may_not_import(tmp_path: Path) -> None:
    teacher = make_user(roles=[(Role.TEACHER, None)])
    path = write_csv(tmp_path / "o.csv", ORGANISATION_HEADER, [organisation_row()])
    result = import_file("organisations", path, by=teacher)
    assert not result.ok and result.errors[0].code == "forbidden"
    assert not Organisation.objects.exists()


def test_districts_then_organisations_that_use_them(tmp_path: Path) -> None:
    districts = write_xlsx(
        tmp_path / "districts.xlsx",
        DISTRICT_HEADER,
        [
            ["711110000", "710000000", "Алматы ауданы", "район Алматы", "Almaty District"],
            ["111010000", 11, "Көкшетау", "Кокшетау", None],
        ],
    )
    result = import_file("districts", districts)
    assert result.ok, result.errors
    assert result.created == 2
    district = District.objects.get(code="711110000")
    assert (district.area, getattr(district, "name_kk"), getattr(district, "name_ru")) == (
        area_of("AST"),
        "Алматы ауданы",
        "район Алматы",
    )
    assert import_file("districts", districts).unchanged == 2

    organisations = write_csv(
        tmp_path / "o.csv", ORGANISATION_HEADER, [organisation_row(district_code="711110000")]
    )
    assert import_file("organisations", organisations).ok
    assert Organisation.objects.get().district == district

    wrong_area = write_csv(
        tmp_path / "o2.csv",
        ORGANISATION_HEADER,
        [
            organisation_row(
                code="Z", bin="950341000052", area_code="750000000", district_code="711110000"
            ),
        ],
    )
    result = import_file("organisations", wrong_area)
    assert not result.ok and result.errors[0].code == "district_other_area"
