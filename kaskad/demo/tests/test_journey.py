"""The demo year is made through the services, so it leaves the same audit trail as real work."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from kaskad.assessment.models import AssessorAccreditation
from kaskad.cascade.models import Accreditation
from kaskad.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_demo_accreditations_are_granted_through_the_services(tmp_path: Path) -> None:
    call_command(
        "seed",
        scale="demo",
        seed=5,
        people=400,
        organisations=30,
        out=tmp_path,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    trainers = list(Accreditation.objects.values_list("pk", flat=True))
    assessors = list(AssessorAccreditation.objects.values_list("pk", flat=True))
    assert trainers and assessors
    # Each was written by its service: one "create" entry in the audit trail per record.
    for model, ids in ((Accreditation, trainers), (AssessorAccreditation, assessors)):
        audited = set(
            AuditEntry.objects.filter(
                action="create",
                object_type=model._meta.label_lower,
                object_id__in=[str(pk) for pk in ids],
            ).values_list("object_id", flat=True)
        )
        assert audited == {str(pk) for pk in ids}, model.__name__
