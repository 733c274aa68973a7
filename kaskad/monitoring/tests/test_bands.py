"""Editing a study's performance bands: checked (numbers, 0–100, increasing) with a message
naming the band, nothing written when refused, audited old → new, and the reports banded again."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.models import AuditEntry
from kaskad.monitoring.models import DEFAULT_BANDS, Study
from kaskad.monitoring.reports import results
from kaskad.monitoring.services import study_bands_set
from kaskad.monitoring.tests.factories import make_world
from kaskad.monitoring.tests.test_reports import _fill

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("thresholds", "code", "field", "words"),
    [
        (
            {"basic": "forty", "proficient": "60", "advanced": "85"},
            "band_not_a_number",
            "basic",
            "forty",
        ),
        (
            {"basic": "", "proficient": "60", "advanced": "85"},
            "band_not_a_number",
            "basic",
            "basic",
        ),
        (
            {"basic": "40", "proficient": "60", "advanced": "101"},
            "band_out_of_range",
            "advanced",
            "101",
        ),
        ({"basic": "-5", "proficient": "60", "advanced": "85"}, "band_out_of_range", "basic", "-5"),
        (
            {"basic": "nan", "proficient": "60", "advanced": "85"},
            "band_out_of_range",
            "basic",
            "nan",
        ),
        (
            {"basic": "40", "proficient": "30", "advanced": "85"},
            "bands_not_increasing",
            "proficient",
            "30",
        ),
        (
            {"basic": "40", "proficient": "60", "advanced": "60"},
            "bands_not_increasing",
            "advanced",
            "60",
        ),
        (
            {"basic": "0", "proficient": "60", "advanced": "85"},
            "bands_not_increasing",
            "basic",
            "0",
        ),
    ],
)
def test_bad_thresholds_are_refused_and_nothing_changes(
    thresholds: dict[str, object], code: str, field: str, words: str
) -> None:
    world = make_world()
    with pytest.raises(DomainError) as refused:
        study_bands_set(study=world.study, by=world.monitor, thresholds=thresholds)
    assert refused.value.code == code and refused.value.field == field
    assert words in str(refused.value.message)
    world.study.refresh_from_db()
    assert world.study.bands == DEFAULT_BANDS
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.UPDATE, object_type__icontains="study"
    ).exists()


def test_new_bands_are_audited_and_reband_the_reports(tmp_path: Path) -> None:
    world = make_world()
    data = _fill(world, tmp_path)
    before = results.class_report(data, school_id=world.school_a.pk, class_label="4A")
    study_bands_set(
        study=world.study,
        by=world.monitor,
        thresholds={"basic": "1", "proficient": "2,5", "advanced": "3"},
    )
    study = Study.objects.get(pk=world.study.pk)
    assert [b["from"] for b in study.bands] == [0, 1, 2.5, 3]
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE).latest("pk")
    assert entry.changes["bands"] == [DEFAULT_BANDS, study.bands]
    test = type(world.test).objects.select_related("study").get(pk=world.test.pk)
    rebanded = results.load(test)
    after = results.class_report(rebanded, school_id=world.school_a.pk, class_label="4A")
    # Almost every pupil scores above 3 % now: the bands moved up.
    advanced = {b["code"]: b["n"] for b in after["bands"]}.get("advanced", 0)
    assert advanced > {b["code"]: b["n"] for b in before["bands"]}.get("advanced", 0)
    assert results.band_of(2.9, results.band_thresholds(test)) == "proficient"


def test_only_those_who_run_studies_may_change_bands() -> None:
    world = make_world()
    analyst = make_user(username="analyst-bands", roles=[(Role.ANALYST, None)])
    with pytest.raises(NotFoundError):
        study_bands_set(
            study=world.study,
            by=analyst,
            thresholds={"basic": "1", "proficient": "2", "advanced": "3"},
        )


def test_the_bands_page_saves_and_shows_refusals() -> None:
    world = make_world()
    client = Client()
    client.force_login(world.monitor)
    url = f"/monitoring/studies/{world.study.pk}/bands/"
    page = client.get(url)
    assert page.status_code == 200 and b'value="85"' in page.content
    refused = client.post(url, {"basic": "50", "proficient": "40", "advanced": "90"})
    assert refused.status_code == 200
    assert "must be above" in refused.content.decode()
    world.study.refresh_from_db()
    assert world.study.bands == DEFAULT_BANDS
    saved = client.post(url, {"basic": "30", "proficient": "55", "advanced": "80"})
    assert saved.status_code == 302
    world.study.refresh_from_db()
    assert [b["from"] for b in world.study.bands] == [0, 30, 55, 80]
