"""Test data for networks, made through the services."""

from __future__ import annotations

from typing import Any

from kaskad.networks.models import LeadingSchool, MethodCentre
from kaskad.networks.services import centre_upsert, leading_upsert, partner_set
from kaskad.registry.models import Organisation
from kaskad.registry.tests.factories import area_of, make_organisation

YEAR = 2025


def make_centre(*, branch_code: str = "AST", year: int = YEAR) -> MethodCentre:
    area = area_of(branch_code)
    school = make_organisation(area=area, kind="nis")
    return centre_upsert(year=year, school=school, areas=[area], by=None)


def make_network(
    *, branch_code: str = "AST", year: int = YEAR, partners: int = 8, centre: Any = None
) -> tuple[LeadingSchool, list[Organisation]]:
    """A leading school with `partners` partner schools in the branch's first area."""
    area = area_of(branch_code)
    leading = leading_upsert(
        year=year,
        school=make_organisation(area=area),
        centre=centre,
        decision_number="12",
        by=None,
    )
    schools = []
    for _ in range(partners):
        school = make_organisation(area=area)
        partner_set(leading=leading, school=school, by=None)
        schools.append(school)
    return leading, schools
