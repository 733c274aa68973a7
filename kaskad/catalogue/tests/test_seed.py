"""The seeded catalogue: the real programmes of the source documents, in three languages."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from kaskad.catalogue.models import Programme, ProgrammeArea, ProgrammeVersion, QualityCertification
from kaskad.catalogue.reference import load_json

pytestmark = pytest.mark.django_db


def test_the_six_areas_come_with_the_migration_in_three_languages() -> None:
    areas = list(ProgrammeArea.objects.all())
    assert [a.code for a in areas] == [
        "methods",
        "content_renewal",
        "preschool",
        "leadership",
        "pastoral",
        "functional_literacy",
    ]
    for area in areas:
        assert area.name_kk and area.name_ru and area.name_en  # type: ignore[attr-defined]


def test_seeded_programmes_have_three_titles_and_an_approved_version() -> None:
    call_command("seed_catalogue", verbosity=0)
    entries = load_json("programmes.json")
    assert Programme.objects.count() == len(entries) >= 20
    for version in ProgrammeVersion.objects.all():
        assert version.status == "approved", version
        for lang in ("kk", "ru", "en"):
            assert getattr(version, f"title_{lang}").strip(), (version, lang)
        modules = list(version.modules.all())
        assert modules and sum(m.hours for m in modules) == version.hours
        for module in modules:
            assert module.title_kk and module.title_ru and module.title_en  # type: ignore[attr-defined]


def test_the_ten_acquin_programmes_are_certified_for_three_years() -> None:
    call_command("seed_catalogue", verbosity=0)
    certifications = list(QualityCertification.objects.select_related("programme"))
    assert len(certifications) == 10
    assert {c.body for c in certifications} == {"ACQUIN"}
    assert (
        sorted(c.certified_on.year for c in certifications) == [2018] * 4 + [2019] * 4 + [2020] * 2
    )
    for c in certifications:
        assert (c.valid_until.year - c.certified_on.year, c.valid_until.month) == (
            3,
            c.certified_on.month,
        )
    effective = Programme.objects.get(code="EL").versions.get()
    assert (effective.title_kk, effective.title_ru, effective.title_en) == (  # type: ignore[attr-defined]
        "Тиімді оқыту",
        "Эффективное обучение",
        "Effective Learning",
    )


def test_seeding_twice_changes_nothing() -> None:
    call_command("seed_catalogue", verbosity=0)
    counts = (Programme.objects.count(), ProgrammeVersion.objects.count())
    call_command("seed_catalogue", verbosity=0)
    assert (Programme.objects.count(), ProgrammeVersion.objects.count()) == counts
    assert QualityCertification.objects.count() == 10
