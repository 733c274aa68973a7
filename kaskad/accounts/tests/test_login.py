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


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_one_address_locks_only_itself_out_not_the_account(user: User) -> None:
    """An anonymous visitor cannot lock someone (the administrator) out: the failures lock
    the username from that address, and the address."""
    attacker = _from("203.0.113.7")
    for _ in range(26):
        attempt(attacker, "aigul", "wrong")
    assert "Too many failed attempts" in attempt(attacker, "aigul", PASSWORD).content.decode()
    assert not signed_in(attacker)
    # The locked address's attempts are refused before counting: the pair's limit, no more.
    assert LoginFailure.objects.filter(username="aigul").count() == settings.LOGIN_FAILURE_LIMIT
    assert LoginFailure.objects.filter(ip="203.0.113.7").exists()  # the records are kept

    owner = _from("198.51.100.20")
    attempt(owner, "aigul", PASSWORD)
    assert signed_in(owner)


def test_the_attacking_address_is_locked_for_every_username() -> None:
    make_user(username="dana")
    attacker = _from("203.0.113.8")
    for number in range(settings.LOGIN_FAILURE_LIMIT * 4):
        attempt(attacker, f"guess{number}", "wrong")
    response = attempt(attacker, "dana", PASSWORD)
    assert "Too many failed attempts" in response.content.decode()
    assert not signed_in(attacker)
    elsewhere = _from("198.51.100.21")
    attempt(elsewhere, "dana", PASSWORD)
    assert signed_in(elsewhere)


def test_many_addresses_still_lock_the_username_everywhere(user: User) -> None:
    """A distributed guessing attack is slowed: ten times the limit of failures from anywhere
    locks the username from every address, for the window."""
    limit = settings.LOGIN_FAILURE_LIMIT
    for number in range(10 * limit - 1):
        attempt(_from(f"192.0.2.{number % 20 + 1}"), "aigul", "wrong")
    owner = _from("198.51.100.22")
    attempt(owner, "aigul", PASSWORD)
    assert signed_in(owner)  # one failure short of the username-wide lock (success clears)

    for number in range(10 * limit):
        attempt(_from(f"192.0.2.{number % 20 + 1}"), "aigul", "wrong")
    late = _from("198.51.100.23")
    response = attempt(late, "aigul", PASSWORD)
    assert "Too many failed attempts; try again in 15 minutes." in response.content.decode()
    assert not signed_in(late)
