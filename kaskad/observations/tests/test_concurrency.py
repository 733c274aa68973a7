"""Exactly once: the same offline submission arriving several times at the same moment (the
phone retried while the first answer was still on its way) saves one observation.

Real threads with their own connections (PostgreSQL, or SQLite in a file); skipped on an
in-memory SQLite database, where there is no second connection to race with.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from kaskad.core.testing import race, skip_without_real_connections
from kaskad.observations.instruments import seed_instrument
from kaskad.observations.models import InstrumentVersion, Observation, Score
from kaskad.observations.services import instrument_version_save, observation_record
from kaskad.observations.tests.factories import coordinator, data_for, school_in, teacher_in
from kaskad.registry.models import Area, Branch
from kaskad.registry.reference import sync_reference_data

COPIES = 6


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_racing_saves_one_observation() -> None:
    skip_without_real_connections()
    sync_reference_data(Branch, Area)
    if not InstrumentVersion.objects.filter(instrument__code="KLO").exists():
        instrument_version_save(data=seed_instrument(), by=None, publish=True)
    teacher = teacher_in(school_in("ALA"))
    observer = coordinator("ALA")
    data = data_for(teacher, client_id=uuid.uuid4())

    def send() -> Any:
        return observation_record(by=observer, data=data)

    results = race([send for _ in range(COPIES)])
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    assert len({observation.pk for observation, _created in results}) == 1
    assert sum(1 for _observation, created in results if created) == 1
    assert Observation.objects.count() == 1
    assert Score.objects.count() == 12
