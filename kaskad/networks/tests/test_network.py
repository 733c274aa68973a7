from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.core.errors import DomainError, PermissionDeniedError, StateConflict
from kaskad.networks.models import LeadingSchool, Partnership
from kaskad.networks.selectors import (
    leading_visible_to,
    network_growth,
    network_history_of,
    network_role_of,
    network_tree,
    schools_of_network,
)
from kaskad.networks.services import (
    hub_link_create,
    leading_upsert,
    network_copy_year,
    partner_set,
)
from kaskad.networks.tests.factories import YEAR, make_centre, make_network
from kaskad.registry.tests.factories import area_of, branch, make_organisation

pytestmark = pytest.mark.django_db


def test_a_school_partners_one_leading_school_a_year() -> None:
    _leading, partners = make_network(partners=1)
    other, _ = make_network(partners=0)
    with pytest.raises(StateConflict) as refused:
        partner_set(leading=other, school=partners[0], by=None)
    assert refused.value.code == "two_networks"
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(year=YEAR, leading=other, school=partners[0])
    # Moving is explicit.
    partner_set(leading=other, school=partners[0], by=None, move=True)
    assert Partnership.objects.get(year=YEAR, school=partners[0]).leading == other
    # Another year is a separate network.
    next_year, _ = make_network(year=YEAR + 1, partners=0)
    partner_set(leading=next_year, school=partners[0], by=None)
    assert Partnership.objects.filter(school=partners[0]).count() == 2


def test_a_leading_school_must_be_a_general_school() -> None:
    kindergarten = make_organisation(kind="kindergarten")
    with pytest.raises(DomainError) as refused:
        leading_upsert(year=YEAR, school=kindergarten, by=None)
    assert refused.value.code == "not_general_school"


def test_a_partner_in_another_branch_is_refused() -> None:
    leading, _ = make_network(partners=0)
    far = make_organisation(area=area_of("ALA"))
    with pytest.raises(DomainError) as refused:
        partner_set(leading=leading, school=far, by=None)
    assert refused.value.code == "other_branch"


def test_partner_counts_outside_8_to_10_are_warnings() -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    make_network(partners=3)
    make_network(partners=9)
    tree = network_tree(user=coordinator, branch=branch("AST"), year=YEAR)
    assert tree.leading_count == 2 and tree.partner_count == 12
    assert tree.warning_count == 1


def test_coordinators_manage_only_their_branch() -> None:
    other = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    with pytest.raises(PermissionDeniedError):
        leading_upsert(year=YEAR, school=make_organisation(area=area_of("AST")), by=other)
    make_network(partners=1)
    assert not leading_visible_to(other).exists()
    leader_school = make_organisation(area=area_of("AST"))
    leading, _ = make_network(partners=0)
    partner_set(leading=leading, school=leader_school, by=None)
    leader = make_user(roles=[(Role.SCHOOL_LEADER, leader_school)])
    assert list(leading_visible_to(leader)) == [leading]


def test_selectors_for_other_apps_and_history() -> None:
    centre = make_centre()
    leading, partners = make_network(partners=2, centre=centre)
    assert schools_of_network(leading_school=leading.school, year=YEAR) == [
        leading.school_id,
        *sorted(p.pk for p in partners),
    ]
    assert schools_of_network(leading_school=partners[0], year=YEAR) == []
    role = network_role_of(school=partners[0], year=YEAR)
    assert role.partner_of == leading and role.network_leading == leading
    assert network_role_of(school=leading.school, year=YEAR).leading == leading
    assert network_role_of(school=partners[0], year=YEAR + 3).is_empty
    counts = network_copy_year(branch=branch("AST"), from_year=YEAR, to_year=YEAR + 1, by=None)
    assert counts["leading"] == 1 and counts["partners"] == 2 and counts["centres"] == 1
    again = network_copy_year(branch=branch("AST"), from_year=YEAR, to_year=YEAR + 1, by=None)
    assert again == {"centres": 0, "leading": 0, "partners": 0, "hub_links": 0, "coordinators": 0}
    assert [r.year for r in network_history_of(school=partners[0])] == [YEAR + 1, YEAR]
    assert LeadingSchool.objects.filter(year=YEAR).count() == 1  # the old year is untouched
    assert [row["partners"] for row in network_growth(branch=branch("AST"))] == [2, 2]


def test_hub_links() -> None:
    nis = make_organisation(kind="nis")
    rural = make_organisation(locality="rural")
    link = hub_link_create(year=YEAR, mentor=nis, mentee=rural, kind="rural", by=None)
    assert network_role_of(school=rural, year=YEAR).mentored_by == [link]
    with pytest.raises(DomainError):
        hub_link_create(year=YEAR, mentor=make_organisation(), mentee=rural, kind="rural", by=None)
