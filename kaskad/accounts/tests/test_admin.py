"""Users with their roles in the Django admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import Role, RoleAssignment, User
from kaskad.accounts.tests.factories import make_user
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(make_user(username="root", is_staff=True, is_superuser=True))
    return client


def test_user_list_shows_roles(admin_client: Client) -> None:
    make_user(username="coord", roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    html = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "coord" in html
    assert "branch coordinator" in html


def _user_form(user: User, roles: list[dict[str, str]]) -> dict[str, str]:
    data = {
        "username": user.username,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "language": "",
        "roles-TOTAL_FORMS": str(len(roles)),
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    for n, role in enumerate(roles):
        for key, value in role.items():
            data[f"roles-{n}-{key}"] = value
        data[f"roles-{n}-user"] = str(user.pk)
    return data


def test_roles_are_assigned_inline(admin_client: Client) -> None:
    user = make_user(username="newcomer")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    data = _user_form(user, [{"role": Role.BRANCH_COORDINATOR, "branch": str(branch("ALA").pk)}])
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.role == Role.BRANCH_COORDINATOR
    assert assignment.branch == branch("ALA")


def test_a_coordinator_without_a_branch_is_refused(admin_client: Client) -> None:
    user = make_user(username="newcomer")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    response = admin_client.post(url, _user_form(user, [{"role": Role.BRANCH_COORDINATOR}]))
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_admin_login_is_throttled_and_records_failures(client: Client, settings) -> None:
    from kaskad.accounts.models import LoginFailure
    from kaskad.accounts.tests.factories import PASSWORD

    make_user(username="root", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(settings.LOGIN_FAILURE_LIMIT + 3):
        response = client.post(url, {"username": "root", "password": "wrong-password"})
        assert response.status_code == 200
    assert LoginFailure.objects.filter(username="root").count() == settings.LOGIN_FAILURE_LIMIT
    # Locked: even the right password is refused, with the main sign-in's message.
    response = client.post(url, {"username": "root", "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login_still_requires_staff(client: Client) -> None:
    from kaskad.accounts.tests.factories import PASSWORD

    make_user(username="plain")
    response = client.post(reverse("admin:login"), {"username": "plain", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    make_user(username="root", is_staff=True, is_superuser=True)
    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
