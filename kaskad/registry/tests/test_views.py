"""The registry pages: search, person card, organisation list and page."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry
from kaskad.registry.models import Area, Organisation
from kaskad.registry.tests.factories import (
    area_of,
    branch,
    employ,
    make_organisation,
    make_person,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    """Assertions below read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"


PEOPLE = reverse("registry:person_list")
ORGANISATIONS = reverse("registry:organisation_list")


@pytest.fixture
def school() -> Organisation:
    return make_organisation(area=area_of("ALA"), name="Мектеп-гимназия № 12")


@pytest.fixture
def coordinator() -> User:
    return make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])


@pytest.fixture
def coordinator_client(client: Client, coordinator: User) -> Client:
    client.force_login(coordinator)
    return client


# --- person search ---------------------------------------------------------------------------


def test_search_by_iin_finds_exactly_that_person(
    coordinator_client: Client, school: Organisation
) -> None:
    wanted = make_person(organisation=school)
    make_person(organisation=school)
    response = coordinator_client.get(PEOPLE, {"q": str(wanted.iin)})
    assert [p.pk for p, _iin in response.context["rows"]] == [wanted.pk]
    assert reverse("registry:person_detail", args=[wanted.pk]) in response.content.decode()


@pytest.mark.parametrize("query", ["kasymova aliya", "Касымова Алия", "қасым әли", "KASYM"])
def test_search_by_name_however_it_is_typed(
    coordinator_client: Client, school: Organisation, query: str
) -> None:
    wanted = make_person(organisation=school, surname="Қасымова", given_name="Әлия")
    make_person(organisation=school, surname="Ахметов", given_name="Нұрлан", sex="M")
    response = coordinator_client.get(PEOPLE, {"q": query})
    assert [p.pk for p, _iin in response.context["rows"]] == [wanted.pk]


def test_results_show_organisation_and_area(
    coordinator_client: Client, school: Organisation
) -> None:
    make_person(organisation=school, surname="Қасымова")
    html = coordinator_client.get(PEOPLE, {"q": "kasymova"}).content.decode()
    assert "Мектеп-гимназия № 12" in html
    assert str(school.area) in html


def test_a_twelve_digit_number_that_is_not_an_iin_is_explained(
    coordinator_client: Client,
) -> None:
    response = coordinator_client.get(PEOPLE, {"q": "871008401428"})  # wrong check digit
    html = response.content.decode()
    assert "The IIN check digit is wrong" in html
    assert response.context["rows"] == []


def test_a_short_number_is_explained_too(coordinator_client: Client) -> None:
    html = coordinator_client.get(PEOPLE, {"q": "87100840"}).content.decode()
    assert "An IIN must be exactly 12 digits." in html


def test_the_iin_message_is_in_the_users_language(client: Client, coordinator: User) -> None:
    coordinator.language = "ru"
    coordinator.save()
    client.force_login(coordinator)
    with translation.override("ru"):
        from kaskad.registry.messages import message_for

        expected = message_for("iin_checksum")
    html = client.get(PEOPLE, {"q": "871008401428"}).content.decode()
    assert expected in html


def test_no_match_says_so(coordinator_client: Client) -> None:
    html = coordinator_client.get(PEOPLE, {"q": "zzzz"}).content.decode()
    assert "No one matching" in html


def test_empty_query_shows_a_hint_and_no_results(coordinator_client: Client) -> None:
    response = coordinator_client.get(PEOPLE)
    assert response.status_code == 200
    assert response.context["page"] is None


def test_search_is_paginated_by_25(coordinator_client: Client, school: Organisation) -> None:
    for _ in range(27):
        make_person(organisation=school, surname="Омарова")
    first = coordinator_client.get(PEOPLE, {"q": "omarova"})
    assert len(first.context["rows"]) == 25
    assert first.context["page"].paginator.count == 27
    assert "page=2" in first.content.decode()
    second = coordinator_client.get(PEOPLE, {"q": "omarova", "page": "2"})
    assert len(second.context["rows"]) == 2
    # Junk page numbers fall back to a real page instead of an error.
    assert coordinator_client.get(PEOPLE, {"q": "omarova", "page": "x"}).status_code == 200


def test_typing_in_the_search_box_gets_only_the_results(
    coordinator_client: Client, school: Organisation
) -> None:
    make_person(organisation=school, surname="Қасымова")
    response = coordinator_client.get(
        PEOPLE, {"q": "kasym"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="person-results"
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Қасымова" in html
    full = coordinator_client.get(PEOPLE, {"q": "kasym"}).content.decode()
    assert "<html" in full
    assert 'hx-target="#person-results"' in full  # the box asks for this partial


def test_search_does_not_query_per_row(
    coordinator_client: Client, school: Organisation, django_assert_max_num_queries
) -> None:
    other = make_organisation(area=area_of("ALA"))
    for n in range(12):
        make_person(organisation=school if n % 2 else other, surname="Омарова")
    coordinator_client.get(PEOPLE, {"q": "omarova"})  # warm the session
    # session, user, roles, areas of the branch, count, page (+ savepoints on some databases)
    with django_assert_max_num_queries(8):
        response = coordinator_client.get(PEOPLE, {"q": "omarova"})
    assert len(response.context["rows"]) == 12


def test_search_query_count_does_not_grow_with_results(
    coordinator_client: Client, school: Organisation, django_assert_num_queries
) -> None:
    make_person(organisation=school, surname="Омарова")
    coordinator_client.get(PEOPLE, {"q": "omarova"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(PEOPLE, {"q": "omarova"})
    for _ in range(10):
        make_person(organisation=make_organisation(area=area_of("ALA")), surname="Омарова")
    with django_assert_num_queries(len(few.captured_queries)):
        coordinator_client.get(PEOPLE, {"q": "omarova"})


# --- person card -------------------------------------------------------------------------------


def test_card_shows_identity_contact_and_current_job(
    coordinator_client: Client, school: Organisation
) -> None:
    person = make_person(
        organisation=school,
        surname="Қасымова",
        given_name="Әлия",
        patronymic="Нұрланқызы",
        birth_date=date(1987, 10, 8),
        email="aliya@example.kz",
        phone="+7 701 555 12 34",
        subjects=["mathematics", "physics"],
        level="lower_secondary",
        category="moderator",
        category_awarded_on=date(2022, 5, 20),
        experience_years=12,
    )
    html = coordinator_client.get(
        reverse("registry:person_detail", args=[person.pk])
    ).content.decode()
    for text in (
        "Қасымова Әлия Нұрланқызы",
        str(person.iin),
        "aliya@example.kz",
        "+7 701 555 12 34",
        "mathematics, physics",
        "Lower secondary",
        "Pedagogue-moderator",
        "12 years",
    ):
        assert text in html, text


def test_card_lists_the_whole_employment_history(
    coordinator_client: Client, school: Organisation
) -> None:
    earlier = make_organisation(area=area_of("ALA"), name="Бұрынғы мектеп")
    person = make_person(organisation=earlier, started_on=date(2010, 9, 1))
    employ(
        person=person, organisation=school, position="deputy_director", started_on=date(2020, 9, 1)
    )
    response = coordinator_client.get(reverse("registry:person_detail", args=[person.pk]))
    employments = response.context["employments"]
    assert [e.organisation_id for e in employments] == [school.pk, earlier.pk]
    assert employments[1].ended_on == date(2020, 8, 31)
    html = response.content.decode()
    assert "Бұрынғы мектеп" in html
    assert "Deputy director" in html


def test_dates_follow_the_language(client: Client, school: Organisation) -> None:
    person = make_person(organisation=school, birth_date=date(1987, 10, 8))
    user = make_user(roles=[(Role.NATIONAL_ADMIN, None)], language="kk")
    client.force_login(user)
    url = reverse("registry:person_detail", args=[person.pk])
    kazakh = client.get(url).content.decode()
    assert "1987 ж. 8" in kazakh  # DATE_FORMAT from kaskad/formats/kk
    assert "01.09.2015" in kazakh  # SHORT_DATE_FORMAT d.m.Y (the default start in factories)
    user.language = "en"
    user.save()
    english = client.get(url).content.decode()
    assert "8 October 1987" in english  # day first, as read in Kazakhstan (kaskad/formats/en)


def test_audit_trail_is_shown_to_registry_editors(
    coordinator_client: Client, coordinator: User, school: Organisation
) -> None:
    person = make_person(organisation=school, surname="Қасымова", by=coordinator)
    employ(person=person, organisation=school, category="expert", by=coordinator)
    response = coordinator_client.get(reverse("registry:person_detail", args=[person.pk]))
    audit = response.context["audit"]
    kinds = {(row.entry.object_type, row.entry.action) for row in audit}
    assert ("registry.person", "create") in kinds
    assert ("registry.employment", "create") in kinds
    assert ("registry.employment", "update") in kinds
    html = response.content.decode()
    assert "Change history" in html
    assert "Pedagogue-expert" in html
    assert coordinator.username in html


def test_audit_trail_is_limited_to_this_person(
    coordinator_client: Client, school: Organisation
) -> None:
    person = make_person(organisation=school)
    make_person(organisation=school)  # someone else's trail
    response = coordinator_client.get(reverse("registry:person_detail", args=[person.pk]))
    ids = {(row.entry.object_type, row.entry.object_id) for row in response.context["audit"]}
    employment_ids = {str(e.pk) for e in person.employments.all()}
    assert ids <= {("registry.person", str(person.pk))} | {
        ("registry.employment", pk) for pk in employment_ids
    }
    assert AuditEntry.objects.count() > len(ids)


def test_audit_trail_is_hidden_from_roles_that_cannot_edit(
    client: Client, school: Organisation
) -> None:
    person = make_person(organisation=school)
    client.force_login(make_user(roles=[(Role.SCHOOL_LEADER, school)]))
    response = client.get(reverse("registry:person_detail", args=[person.pk]))
    assert response.context["audit"] is None
    assert "Change history" not in response.content.decode()


def test_card_of_a_person_without_a_job(client: Client) -> None:
    person = make_person()
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    response = client.get(reverse("registry:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert "Not employed at present" in response.content.decode()


def test_card_queries_do_not_grow_with_history(
    coordinator_client: Client, school: Organisation, django_assert_max_num_queries
) -> None:
    person = make_person(organisation=school)
    for n in range(5):
        employ(
            person=person,
            organisation=make_organisation(area=area_of("ALA")),
            started_on=date(2016 + n, 9, 1),
        )
    coordinator_client.get(reverse("registry:person_detail", args=[person.pk]))
    with django_assert_max_num_queries(10):
        coordinator_client.get(reverse("registry:person_detail", args=[person.pk]))


def test_unknown_person_is_404(coordinator_client: Client) -> None:
    response = coordinator_client.get(reverse("registry:person_detail", args=[999999]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


# --- organisations ---------------------------------------------------------------------------


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_user(roles=[(Role.NATIONAL_ADMIN, None)]))
    return client


def _shown(response) -> list[int]:
    return [organisation.pk for organisation, _staff in response.context["rows"]]


def test_organisation_filters(admin_client: Client) -> None:
    almaty = area_of("ALA")
    astana = area_of("AST")
    urban_school = make_organisation(area=almaty, name="Гимназия Алматы")
    rural_school = make_organisation(area=almaty, locality="rural", name="Ауыл мектебі")
    kindergarten = make_organisation(area=almaty, kind="kindergarten", name="Балапан")
    elsewhere = make_organisation(area=astana, name="Гимназия Астаны")
    assert set(_shown(admin_client.get(ORGANISATIONS, {"area": almaty.pk}))) == {
        urban_school.pk,
        rural_school.pk,
        kindergarten.pk,
    }
    assert _shown(admin_client.get(ORGANISATIONS, {"locality": "rural"})) == [rural_school.pk]
    assert _shown(admin_client.get(ORGANISATIONS, {"kind": "kindergarten"})) == [kindergarten.pk]
    assert set(_shown(admin_client.get(ORGANISATIONS, {"q": "Гимназия"}))) == {
        urban_school.pk,
        elsewhere.pk,
    }
    assert _shown(admin_client.get(ORGANISATIONS, {"q": elsewhere.bin or ""})) == [elsewhere.pk]


def test_an_invalid_filter_is_reported_not_crashed(admin_client: Client) -> None:
    response = admin_client.get(ORGANISATIONS, {"kind": "castle", "area": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_area_filter_offers_only_areas_in_scope(client: Client) -> None:
    make_organisation(area=area_of("ALA"))
    make_organisation(area=area_of("AST"))
    client.force_login(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]))
    response = client.get(ORGANISATIONS)
    offered = set(response.context["form"].fields["area"].queryset)
    assert offered == {area_of("ALA")}
    assert offered <= set(Area.objects.filter(branch__code="ALA"))


def test_organisation_list_counts_current_staff(admin_client: Client) -> None:
    school = make_organisation(area=area_of("ALA"))
    for _ in range(3):
        make_person(organisation=school)
    moved = make_person(organisation=school)
    employ(person=moved, organisation=make_organisation(), started_on=date(2021, 1, 1))
    rows = dict(admin_client.get(ORGANISATIONS, {"q": school.bin or ""}).context["rows"])
    assert rows[school] == 3


def test_organisation_list_does_not_query_per_row(
    admin_client: Client, django_assert_max_num_queries
) -> None:
    for n in range(15):
        school = make_organisation(area=area_of("ALA" if n % 2 else "AST"))
        make_person(organisation=school)
    admin_client.get(ORGANISATIONS)
    # session, user, roles, area options, count, page, staff counts
    with django_assert_max_num_queries(9):
        response = admin_client.get(ORGANISATIONS)
    assert len(response.context["rows"]) == 15


def test_organisation_list_is_paginated(admin_client: Client) -> None:
    for _ in range(26):
        make_organisation(area=area_of("ALA"))
    response = admin_client.get(ORGANISATIONS, {"area": area_of("ALA").pk})
    assert len(response.context["rows"]) == 25
    nxt = admin_client.get(ORGANISATIONS, {"area": area_of("ALA").pk, "page": 2})
    assert len(nxt.context["rows"]) == 1
    # The pager keeps the filters.
    assert f"area={area_of('ALA').pk}&amp;page=2" in response.content.decode()


def test_organisation_page_lists_current_staff_paginated(admin_client: Client) -> None:
    school = make_organisation(area=area_of("ALA"), name="Мектеп № 7")
    for _ in range(27):
        make_person(organisation=school, subjects=["history"])
    gone = make_person(organisation=school, surname="Кеткенов", sex="M")
    employ(person=gone, organisation=make_organisation(), started_on=date(2021, 1, 1))
    url = reverse("registry:organisation_detail", args=[school.pk])
    response = admin_client.get(url)
    assert response.context["page"].paginator.count == 27
    assert len(response.context["rows"]) == 25
    html = response.content.decode()
    assert "Мектеп № 7" in html
    assert "Кеткенов" not in html
    assert len(admin_client.get(url, {"page": 2}).context["rows"]) == 2


def test_organisation_page_queries_do_not_grow_with_staff(
    admin_client: Client, django_assert_max_num_queries
) -> None:
    school = make_organisation(area=area_of("ALA"))
    for _ in range(20):
        make_person(organisation=school)
    url = reverse("registry:organisation_detail", args=[school.pk])
    admin_client.get(url)
    with django_assert_max_num_queries(7):
        admin_client.get(url)


def test_registry_pages_need_sign_in(client: Client) -> None:
    for url in (PEOPLE, ORGANISATIONS, reverse("registry:person_detail", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_subjects_are_shown_by_their_translated_names(
    coordinator_client: Client, school: Organisation
) -> None:
    person = make_person(organisation=school, subjects=["kazakh_language", "robotics_club"])
    url = reverse("registry:person_detail", args=[person.pk])
    html = coordinator_client.get(url).content.decode()
    # The current job's subjects (an unknown code stays as it is). The record's change history
    # further down shows the stored values, codes included.
    assert "<dd>Kazakh language, robotics_club</dd>" in html
    assert "<dd>kazakh_language" not in html.split("Qualification category")[0]
    russian = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE="ru")
    with translation.override("ru"):
        from kaskad.registry.choices import subject_label

        assert subject_label("kazakh_language") == "казахский язык"
    assert russian.status_code == 200
