"""Signing in with throttling, signing out, changing the password."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import LoginFailure, User
from kaskad.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    """Assertions below read English text; the site's default language is Kazakh."""
    settings.LANGUAGE_CODE = "en"


LOGIN = reverse("accounts:login")


def attempt(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def user() -> User:
    return make_user(username="aigul")


def test_login_page_renders_for_anonymous_visitors(client: Client) -> None:
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_correct_password_signs_in_and_goes_home(client: Client, user: User) -> None:
    response = attempt(client, "aigul", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in(client)


def test_wrong_password_is_refused_and_counted(client: Client, user: User) -> None:
    response = attempt(client, "aigul", "wrong")
    assert response.status_code == 200
    assert not signed_in(client)
    assert "The username or password is wrong" in response.content.decode()
    assert LoginFailure.objects.filter(username="aigul").count() == 1


def test_five_failures_lock_even_the_correct_password(client: Client, user: User) -> None:
    limit = settings.LOGIN_FAILURE_LIMIT
    assert limit == 5
    for _ in range(limit):
        attempt(client, "aigul", "wrong")
    response = attempt(client, "aigul", PASSWORD)
    assert response.status_code == 200
    assert not signed_in(client)
    text = response.content.decode()
    assert "Too many failed attempts; try again in 15 minutes." in text


def test_four_failures_do_not_lock(client: Client, user: User) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        attempt(client, "aigul", "wrong")
    attempt(client, "aigul", PASSWORD)
    assert signed_in(client)


def test_the_lock_is_per_username(client: Client, user: User) -> None:
    make_user(username="dana")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "aigul", "wrong")
    attempt(client, "dana", PASSWORD)
    assert signed_in(client)


def test_the_lock_ignores_the_case_of_the_username(client: Client, user: User) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "AIGUL", "wrong")
    response = attempt(client, "aigul", PASSWORD)
    assert "Too many failed attempts" in response.content.decode()


def test_an_unknown_username_locks_the_same_way(client: Client) -> None:
    """The lock message must not tell whether the account exists."""
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "nobody", "wrong")
    response = attempt(client, "nobody", "wrong")
    assert "Too many failed attempts; try again in 15 minutes." in response.content.decode()


def test_the_lock_expires_after_the_window(client: Client, user: User) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "aigul", "wrong")
    assert "Too many failed" in attempt(client, "aigul", PASSWORD).content.decode()
    past = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    LoginFailure.objects.filter(username="aigul").update(at=past)
    attempt(client, "aigul", PASSWORD)
    assert signed_in(client)


def test_remaining_minutes_count_down(client: Client, user: User) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "aigul", "wrong")
    # Ten minutes later, five of the fifteen remain.
    LoginFailure.objects.filter(username="aigul").update(at=timezone.now() - timedelta(minutes=10))
    response = attempt(client, "aigul", PASSWORD)
    assert "try again in 5 minutes" in response.content.decode()


def test_success_clears_the_failures(client: Client, user: User) -> None:
    for _ in range(3):
        attempt(client, "aigul", "wrong")
    attempt(client, "aigul", PASSWORD)
    assert signed_in(client)
    assert not LoginFailure.objects.filter(username="aigul").exists()


def test_a_locked_attempt_is_not_counted_again(client: Client, user: User) -> None:
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        attempt(client, "aigul", "wrong")
    attempt(client, "aigul", "wrong")
    attempt(client, "aigul", "wrong")
    # The lock is refused before the password is checked, so it cannot extend itself.
    assert LoginFailure.objects.filter(username="aigul").count() == settings.LOGIN_FAILURE_LIMIT


def test_logout_needs_post(client: Client, user: User) -> None:
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert signed_in(client)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == LOGIN
    assert not signed_in(client)


def test_pages_need_a_signed_in_user(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_password_change_applies_the_validators(client: Client, user: User) -> None:
    client.force_login(user)
    url = reverse("accounts:password_change")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "This password is too short" in text
    assert "This password is entirely numeric" in text
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_keeps_the_user_signed_in(client: Client, user: User) -> None:
    client.force_login(user)
    new = "Another-Long-Passphrase-7"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "Your password has been changed." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)
    assert signed_in(client)


def test_signed_in_users_skip_the_login_page(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.get(LOGIN)
    assert response.status_code == 302


def test_next_is_followed_only_within_the_site(client: Client, user: User) -> None:
    response = client.post(
        LOGIN + "?next=https://evil.example/", {"username": "aigul", "password": PASSWORD}
    )
    assert response["Location"] == reverse("home")
    client.logout()
    people = reverse("registry:person_list")
    response = client.post(LOGIN + f"?next={people}", {"username": "aigul", "password": PASSWORD})
    assert response["Location"] == people
