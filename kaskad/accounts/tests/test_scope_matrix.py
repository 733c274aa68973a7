"""Who sees what: every role against person cards, organisation pages, search results,
IIN masking, navigation and the import pages, in a small world of two branches."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from kaskad.accounts.models import Role, User
from kaskad.accounts.scopes import iin_for, mask_iin
from kaskad.accounts.tests.factories import make_user
from kaskad.registry.models import Organisation, Person
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    """Assertions below read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"


SURNAME = "Матрицова"  # shared by everyone in the world, so one search finds them all


@dataclass
class World:
    a1: Organisation  # branch A (Almaty), led by the school leader
    a2: Organisation  # branch A (Almaty Region)
    b1: Organisation  # branch B (Astana)
    teacher_self: Person  # works at A1; the teacher user is this person
    colleague_a1: Person
    person_a2: Person
    person_b1: Person
    users: dict[str, User]

    @property
    def people(self) -> dict[str, Person]:
        return {
            "teacher_self": self.teacher_self,
            "colleague_a1": self.colleague_a1,
            "person_a2": self.person_a2,
            "person_b1": self.person_b1,
        }

    @property
    def organisations(self) -> dict[str, Organisation]:
        return {"a1": self.a1, "a2": self.a2, "b1": self.b1}


@pytest.fixture
def world() -> World:
    almaty_region = area_of("ALA").branch.areas.exclude(pk=area_of("ALA").pk).first()
    assert almaty_region is not None
    a1 = make_organisation(area=area_of("ALA"))
    a2 = make_organisation(area=almaty_region, locality="rural")
    b1 = make_organisation(area=area_of("AST"))
    teacher_self = make_person(organisation=a1, surname=SURNAME, given_name="Әлия")
    colleague = make_person(organisation=a1, surname=SURNAME, given_name="Айгерім")
    person_a2 = make_person(organisation=a2, surname=SURNAME, given_name="Гүлнар")
    person_b1 = make_person(organisation=b1, surname=SURNAME, given_name="Мария")
    users = {
        "national_admin": make_user(roles=[(Role.NATIONAL_ADMIN, None)]),
        "branch_coordinator": make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]),
        "trainer": make_user(roles=[(Role.TRAINER, None)]),
        "assessor": make_user(roles=[(Role.ASSESSOR, None)]),
        "school_leader": make_user(roles=[(Role.SCHOOL_LEADER, a1)]),
        "teacher": make_user(roles=[(Role.TEACHER, None)], person=teacher_self),
        "analyst": make_user(roles=[(Role.ANALYST, None)]),
    }
    return World(a1, a2, b1, teacher_self, colleague, person_a2, person_b1, users)


ALL_PEOPLE = {"teacher_self", "colleague_a1", "person_a2", "person_b1"}
BRANCH_A_PEOPLE = {"teacher_self", "colleague_a1", "person_a2"}

VISIBLE_PEOPLE = {
    "national_admin": ALL_PEOPLE,
    "branch_coordinator": BRANCH_A_PEOPLE,
    "trainer": set(),
    "assessor": set(),
    "school_leader": {"teacher_self", "colleague_a1"},
    "teacher": {"teacher_self"},
    "analyst": ALL_PEOPLE,
}
VISIBLE_ORGANISATIONS = {
    "national_admin": {"a1", "a2", "b1"},
    "branch_coordinator": {"a1", "a2"},
    "trainer": set(),
    "assessor": set(),
    "school_leader": {"a1"},
    "teacher": set(),
    "analyst": {"a1", "a2", "b1"},
}
SEES_IIN = {"national_admin", "branch_coordinator", "school_leader"}
ROLES = list(VISIBLE_PEOPLE)


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_person_cards_open_only_within_scope(world: World, role: str) -> None:
    client = client_for(world.users[role])
    for name, person in world.people.items():
        response = client.get(reverse("registry:person_detail", args=[person.pk]))
        expected = 200 if name in VISIBLE_PEOPLE[role] else 404
        assert response.status_code == expected, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_organisation_pages_open_only_within_scope(world: World, role: str) -> None:
    client = client_for(world.users[role])
    for name, organisation in world.organisations.items():
        response = client.get(reverse("registry:organisation_detail", args=[organisation.pk]))
        expected = 200 if name in VISIBLE_ORGANISATIONS[role] else 404
        assert response.status_code == expected, (role, name)


@pytest.mark.parametrize("role", ROLES)
def test_organisation_list_shows_only_the_scope(world: World, role: str) -> None:
    response = client_for(world.users[role]).get(reverse("registry:organisation_list"))
    assert response.status_code == 200
    shown = {organisation.pk for organisation, _staff in response.context["rows"]}
    assert shown == {world.organisations[n].pk for n in VISIBLE_ORGANISATIONS[role]}


@pytest.mark.parametrize("role", ROLES)
def test_search_finds_only_people_in_scope(world: World, role: str) -> None:
    response = client_for(world.users[role]).get(
        reverse("registry:person_list"), {"q": "matritsova"}
    )
    assert response.status_code == 200
    found = {person.pk for person, _iin in response.context["rows"]}
    assert found == {world.people[n].pk for n in VISIBLE_PEOPLE[role]}


@pytest.mark.parametrize("role", ROLES)
def test_search_by_iin_of_someone_out_of_scope_finds_nothing(world: World, role: str) -> None:
    response = client_for(world.users[role]).get(
        reverse("registry:person_list"), {"q": str(world.person_b1.iin)}
    )
    found = [person.pk for person, _iin in response.context["rows"]]
    # A full IIN is searched only by roles that see IINs in full (analysts find nobody).
    finds = "person_b1" in VISIBLE_PEOPLE[role] and role in SEES_IIN
    assert found == ([world.person_b1.pk] if finds else [])


@pytest.mark.parametrize("role", ROLES)
def test_iin_is_shown_or_masked_by_role(world: World, role: str) -> None:
    """On every card a role can open, the IIN is whole for identity roles and for the
    teacher's own card, and masked for everyone else."""
    client = client_for(world.users[role])
    for name in VISIBLE_PEOPLE[role]:
        person = world.people[name]
        html = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
        whole = role in SEES_IIN or (role == "teacher" and name == "teacher_self")
        if whole:
            assert str(person.iin) in html, (role, name)
        else:
            assert str(person.iin) not in html, (role, name)
            assert mask_iin(person.iin) in html, (role, name)


@pytest.mark.parametrize("role", ["trainer", "assessor", "analyst"])
def test_roles_without_identity_work_get_masked_iins(world: World, role: str) -> None:
    # Trainers and assessors cannot open other people's cards yet; the rule that will apply
    # when later parts show them participants is the same one the cards use.
    user = world.users[role]
    iin = world.colleague_a1.iin
    assert iin_for(user, world.colleague_a1) == mask_iin(iin)


def test_search_results_mask_iins_for_the_analyst(world: World) -> None:
    response = client_for(world.users["analyst"]).get(
        reverse("registry:person_list"), {"q": "matritsova"}
    )
    html = response.content.decode()
    for person in world.people.values():
        assert str(person.iin) not in html
        assert mask_iin(person.iin) in html


def test_staff_list_shows_iins_to_the_school_leader(world: World) -> None:
    response = client_for(world.users["school_leader"]).get(
        reverse("registry:organisation_detail", args=[world.a1.pk])
    )
    html = response.content.decode()
    assert str(world.teacher_self.iin) in html
    assert str(world.colleague_a1.iin) in html


NAV_REGISTRY = {"national_admin", "branch_coordinator", "school_leader", "analyst"}


@pytest.mark.parametrize("role", ROLES)
def test_navigation_follows_the_role(world: World, role: str) -> None:
    response = client_for(world.users[role]).get(reverse("home"))
    urls = {item.url for item in response.context["nav_items"]}
    assert (reverse("registry:person_list") in urls) == (role in NAV_REGISTRY)
    assert (reverse("registry:organisation_list") in urls) == (role in NAV_REGISTRY)
    my_card = reverse("registry:person_detail", args=[world.teacher_self.pk])
    assert (my_card in urls) == (role == "teacher")


@pytest.mark.parametrize("role", ROLES)
def test_home_shows_registry_counts_of_the_scope(world: World, role: str) -> None:
    response = client_for(world.users[role]).get(reverse("home"))
    counts = response.context["counts"]
    if role in NAV_REGISTRY:
        assert counts == {
            "people": len(VISIBLE_PEOPLE[role]),
            "organisations": len(VISIBLE_ORGANISATIONS[role]),
        }
    else:
        assert counts is None


IMPORTERS = {"national_admin", "branch_coordinator"}


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_coordinators_reach_the_import_pages(world: World, role: str) -> None:
    try:
        url = reverse("registry_imports:upload")
    except NoReverseMatch:
        pytest.skip("the import pages (registry_imports:upload) are not routed yet")
    client = client_for(world.users[role])
    response = client.get(url)
    nav_urls = {item.url for item in client.get(reverse("home")).context["nav_items"]}
    if role in IMPORTERS:
        assert response.status_code == 200
        assert url in nav_urls
    else:
        assert response.status_code in (403, 404)
        assert url not in nav_urls


# Who may open a transfer request asking branch B (Astana) for person_a2, made by a
# coordinator of B: branch B (asking), branch A (deciding) and national administrators.
TRANSFER_SIDES = {"national_admin", "branch_coordinator"}


@pytest.mark.parametrize("role", ROLES)
def test_transfer_pages_follow_the_role(world: World, role: str) -> None:
    from django.utils import timezone

    from kaskad.registry.transfers import transfer_request_create

    asking = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    transfer = transfer_request_create(
        by=asking,
        iin=str(world.person_a2.iin),
        to_organisation_id=world.b1.pk,
        position="teacher",
        transfer_date=timezone.localdate(),  # a transfer date is never in the future
    )
    client = client_for(world.users[role])
    listing = client.get(reverse("registry:transfer_list"))
    detail = client.get(reverse("registry:transfer_detail", args=[transfer.pk]))
    nav_urls = {item.url for item in client.get(reverse("home")).context["nav_items"]}
    if role in TRANSFER_SIDES:
        assert listing.status_code == detail.status_code == 200
        assert reverse("registry:transfer_list") in nav_urls
    else:
        assert listing.status_code in (403, 404) and detail.status_code in (403, 404)
        assert reverse("registry:transfer_list") not in nav_urls
    # A coordinator of a third branch has no part in it: the same 404 as a missing request.
    third = client_for(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("KAR"))]))
    assert third.get(reverse("registry:transfer_detail", args=[transfer.pk])).status_code == 404
    assert third.get(reverse("registry:transfer_detail", args=[transfer.pk + 99])).status_code == (
        404
    )
