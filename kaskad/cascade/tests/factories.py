"""Test data for the cascade: accreditations written directly.

accredit(person, programme)                        # regional trainer, 2025-2027
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kaskad.cascade.models import Accreditation
from kaskad.catalogue.models import Programme
from kaskad.registry.models import Person


def accredit(
    person: Person,
    programme: Programme,
    *,
    valid_from: date = date(2025, 1, 1),
    valid_until: date = date(2027, 12, 31),
    revoked_at: Any = None,
    revoked_reason: str = "",
    level: str = "regional",
) -> Accreditation:
    return Accreditation.objects.create(
        person=person,
        programme=programme,
        level=level,
        valid_from=valid_from,
        valid_until=valid_until,
        revoked_at=revoked_at,
        revoked_reason=revoked_reason,
    )
