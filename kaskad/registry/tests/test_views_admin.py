"""The registry in the Django admin: reference data edits are audited, people are read-mostly."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry
from kaskad.registry.models import Organisation, Person
from kaskad.registry.tests.factories import area_of, make_organisation, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["branch", "area", "district", "organisation", "person"])
def test_changelists_open(admin_client: Client, model: str) -> None:
    assert admin_client.get(reverse(f"admin:registry_{model}_changelist")).status_code == 200


def test_people_are_found_by_iin_and_surname(admin_client: Client) -> None:
    wanted = make_person(surname="Қасымова")
    make_person(surname="Ахметов", sex="M")
    url = reverse("admin:registry_person_changelist")
    by_iin = admin_client.get(url, {"q": str(wanted.iin)})
    assert list(by_iin.context["cl"].result_list) == [wanted]
    by_surname = admin_client.get(url, {"q": "Қасым"})
    assert list(by_surname.context["cl"].result_list) == [wanted]


def test_people_cannot_be_added_or_deleted_here(admin_client: Client) -> None:
    person = make_person()
    assert admin_client.get(reverse("admin:registry_person_add")).status_code == 403
    delete = reverse("admin:registry_person_delete", args=[person.pk])
    assert admin_client.get(delete).status_code == 403


def test_editing_a_name_goes_through_the_service(admin_client: Client) -> None:
    person = make_person(organisation=make_organisation(), surname="Касымова", given_name="Алия")
    url = reverse("admin:registry_person_change", args=[person.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "Employment history" in page.content.decode()  # the read-only inline
    response = admin_client.post(
        url,
        {
            "surname": "Қасымова",
            "given_name": "Әлия",
            "patronymic": "",
            "email": "aliya@example.kz",
            "phone": "",
            "employments-TOTAL_FORMS": "1",
            "employments-INITIAL_FORMS": "1",
            "employments-MIN_NUM_FORMS": "0",
            "employments-MAX_NUM_FORMS": "1000",
            "employments-0-id": str(person.employments.get().pk),
            "employments-0-person": str(person.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.surname == "Қасымова"
    assert person.search_key.startswith("kasimova")
    entry = AuditEntry.objects.filter(object_type="registry.person", action="update").get()
    assert entry.source == "admin"
    assert entry.changes["surname"] == ["Касымова", "Қасымова"]


def test_a_bad_name_is_refused_with_a_message(admin_client: Client) -> None:
    person = make_person()
    url = reverse("admin:registry_person_change", args=[person.pk])
    response = admin_client.post(
        url,
        {
            "surname": "Ivan0v",
            "given_name": "Ivan",
            "patronymic": "",
            "email": "",
            "phone": "",
            "employments-TOTAL_FORMS": "0",
            "employments-INITIAL_FORMS": "0",
            "employments-MIN_NUM_FORMS": "0",
            "employments-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200
    assert "not a letter" in response.content.decode()
    assert Person.objects.get(pk=person.pk).surname == person.surname


def test_organisation_search_and_audited_edit(admin_client: Client) -> None:
    school = make_organisation(area=area_of("ALA"), name="Гимназия № 1")
    url = reverse("admin:registry_organisation_changelist")
    found = admin_client.get(url, {"q": school.bin or ""})
    assert list(found.context["cl"].result_list) == [school]
    change = reverse("admin:registry_organisation_change", args=[school.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list)
    }
    data.update(
        {
            "name_kk": "Гимназия № 1 (жаңа)",
            "area": str(school.area_id),
            "languages": "[]",
            "is_open": "on",
        }
    )
    data.pop("district", None)
    data.pop("is_ungraded", None)
    response = admin_client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    school.refresh_from_db()
    assert school.name_kk == "Гимназия № 1 (жаңа)"  # type: ignore[attr-defined]
    entry = AuditEntry.objects.filter(object_type="registry.organisation", source="admin").get()
    assert entry.changes["name_kk"] == ["Гимназия № 1", "Гимназия № 1 (жаңа)"]


def test_an_invalid_bin_is_refused(admin_client: Client) -> None:
    school = make_organisation()
    change = reverse("admin:registry_organisation_change", args=[school.pk])
    form = admin_client.get(change).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"bin": "940140000380", "area": str(school.area_id), "languages": "[]"})
    data.pop("district", None)
    response = admin_client.post(change, data)
    assert response.status_code == 200
    assert "check digit is wrong" in response.content.decode()
    assert Organisation.objects.get(pk=school.pk).bin == school.bin
