"""Switching the interface language: saved on the user, kept in a cookie, CSRF-protected."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kaskad.accounts.models import User
from kaskad.accounts.tests.factories import make_user

pytestmark = pytest.mark.django_db

SWITCH = reverse("accounts:language")


@pytest.fixture
def user() -> User:
    return make_user(username="aigul")


def test_signed_in_choice_is_saved_and_used_next_time(client: Client, user: User) -> None:
    client.force_login(user)
    people = reverse("registry:person_list")
    response = client.post(SWITCH, {"language": "ru", "next": people})
    assert response.status_code == 302
    assert response["Location"] == people
    user.refresh_from_db()
    assert user.language == "ru"
    page = client.get(reverse("home"))
    assert page["Content-Language"] == "ru"
    assert '<html lang="ru">' in page.content.decode()


def test_saved_language_follows_the_user_to_another_device(user: User) -> None:
    first = Client()
    first.force_login(user)
    first.post(SWITCH, {"language": "en", "next": "/"})
    other_device = Client()  # no cookie from the first
    other_device.force_login(user)
    assert other_device.get(reverse("home"))["Content-Language"] == "en"


def test_anonymous_choice_goes_to_the_cookie(client: Client) -> None:
    response = client.post(SWITCH, {"language": "en", "next": reverse("accounts:login")})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("accounts:login"))
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


def test_the_default_language_is_kazakh(client: Client) -> None:
    page = client.get(reverse("accounts:login"))
    assert page["Content-Language"] == "kk"


def test_switcher_marks_the_current_language(client: Client, user: User) -> None:
    client.force_login(user)
    client.post(SWITCH, {"language": "ru", "next": "/"})
    html = client.get(reverse("home")).content.decode()
    assert 'value="ru" lang="ru"' in html
    pressed = html.split('data-language="ru"')[0].rsplit("<button", 1)[1]
    assert 'aria-pressed="true"' in pressed
    pressed_kk = html.split('data-language="kk"')[0].rsplit("<button", 1)[1]
    assert 'aria-pressed="false"' in pressed_kk


def test_unknown_language_changes_nothing(client: Client, user: User) -> None:
    client.force_login(user)
    response = client.post(SWITCH, {"language": "de", "next": "/"}, follow=True)
    user.refresh_from_db()
    assert user.language == ""
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    assert response.context["messages"]  # the user is told why


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_never_leaves_the_site(client: Client, next_url: str) -> None:
    response = client.post(SWITCH, {"language": "ru", "next": next_url})
    assert response["Location"] == reverse("home")


def test_without_next_it_returns_to_the_referring_page(client: Client) -> None:
    response = client.post(
        SWITCH, {"language": "ru"}, HTTP_REFERER="http://testserver/accounts/login/"
    )
    assert response["Location"] == "http://testserver/accounts/login/"


def test_get_is_not_allowed(client: Client) -> None:
    assert client.get(SWITCH, {"language": "ru"}).status_code == 405


def test_post_without_csrf_token_is_refused(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(SWITCH, {"language": "ru", "next": "/"})
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.language == ""


def test_post_with_the_page_csrf_token_is_accepted(user: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(reverse("home"))
    token = page.context["csrf_token"]
    response = client.post(SWITCH, {"language": "ru", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "ru"
