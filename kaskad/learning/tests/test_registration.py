"""Registration by e-mail: the same answer for a new and a known address, the confirmation link
(signed, expiring, single use), and the registration limit shared by every process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache, caches
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import User
from kaskad.learning import services
from kaskad.learning.models import Enrolment, Registration
from kaskad.learning.tests.factories import published_course

PASSWORD = "a-long-pass-phrase-42"
LINK = re.compile(r"https?://[^\s]+/learning/register/confirm/[^\s/]+/")


def english() -> Client:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form(email: str, **extra: str) -> dict[str, str]:
    return {
        "first_name": "Айгүл",
        "last_name": "Бекова",
        "email": email,
        "password": PASSWORD,
        **extra,
    }


def register(client: Client, data: dict[str, str], capture: Any) -> Any:
    with capture(execute=True):
        return client.post(reverse("learning:register"), data)


def page_text(response: Any, email: str) -> str:
    body = response.content.decode().replace(email, "{email}")
    body = re.sub(r'csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", body)
    return re.sub(r'nonce="[^"]*"', "", body)


def link_path(mail: Any) -> str:
    found = LINK.search(mail.body)
    assert found, mail.body
    return "/" + found.group(0).split("/", 3)[3]


@pytest.fixture(autouse=True)
def _empty_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


pytestmark = pytest.mark.django_db


def test_a_new_address_is_confirmed_by_the_e_mailed_link(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    course, _ = published_course(is_public=True)
    client = Client()
    response = register(client, form("Aigul@Example.kz"), django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "aigul@example.kz" in response.content.decode()
    user = User.objects.get(username="aigul@example.kz")
    assert not user.is_active and user.email == "aigul@example.kz"
    # Not signed in, and the password does not sign in before the address is confirmed.
    assert client.get(reverse("learning:home")).status_code == 302
    assert not Client().login(username="aigul@example.kz", password=PASSWORD)
    [mail] = mailoutbox
    assert mail.to == ["aigul@example.kz"]
    confirm = client.get(link_path(mail))
    assert confirm.status_code == 302 and confirm["Location"] == reverse("learning:home")
    user.refresh_from_db()
    assert user.is_active
    assert Registration.objects.get(user=user).confirmed_at is not None
    # Signed in: the learner enrols at once, and signs in with the password later.
    assert client.post(reverse("learning:enrol", args=[course.pk])).status_code == 302
    assert Enrolment.objects.filter(user=user, course=course).exists()
    assert Client().login(username="aigul@example.kz", password=PASSWORD)


def test_a_known_address_gets_the_same_page_and_an_e_mail_saying_so(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    known = services.learner_create(
        email="known@example.kz", password="the-old-pass-phrase-7", first_name="K", last_name=""
    )
    from django.contrib.auth.hashers import make_password

    with mock.patch.object(services, "make_password", wraps=make_password) as hashed:
        new = register(Client(), form("new@example.kz"), django_capture_on_commit_callbacks)
        old = register(Client(), form("KNOWN@example.kz"), django_capture_on_commit_callbacks)
    # Same status, same page (the address aside), and the password hashed on both paths.
    assert new.status_code == old.status_code == 200
    assert page_text(new, "new@example.kz") == page_text(old, "known@example.kz")
    assert hashed.call_count == 2
    assert len(mailoutbox) == 2
    exists = mailoutbox[1]
    assert exists.to == ["known@example.kz"]
    assert "/accounts/login/" in exists.body and not LINK.search(exists.body)
    known.refresh_from_db()
    assert known.is_active and known.check_password("the-old-pass-phrase-7")
    assert User.objects.filter(username__iexact="known@example.kz").count() == 1


def test_a_weak_password_is_refused_alike_for_a_new_and_a_known_address(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    services.learner_create(
        email="known@example.kz", password="the-old-pass-phrase-7", first_name="K", last_name=""
    )
    answers = [
        register(Client(), form(email, password="12345"), django_capture_on_commit_callbacks)
        for email in ("new@example.kz", "known@example.kz")
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert page_text(answers[0], "new@example.kz") == page_text(answers[1], "known@example.kz")
    assert 'id="id_password_error"' in answers[0].content.decode()
    assert not mailoutbox and not User.objects.filter(username="new@example.kz").exists()


def test_the_e_mail_and_the_pages_speak_the_users_language(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = register(client, form("ru@example.kz"), django_capture_on_commit_callbacks)
    assert "Проверьте почту" in page.content.decode()
    [mail] = mailoutbox
    assert "регистрац" in mail.subject.lower()
    bad = client.get(reverse("learning:register_confirm", args=["not-a-real-token"]))
    assert bad.status_code == 400
    assert "Ссылка для подтверждения недействительна" in bad.content.decode()


def test_a_tampered_link_is_refused_with_a_clear_page(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = english()
    register(client, form("t@example.kz"), django_capture_on_commit_callbacks)
    path = link_path(mailoutbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    payload = signing.loads(token, salt=services.REGISTRATION_SALT)
    forged = [
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        # validly signed, but with another key: not ours
        signing.dumps(
            payload, key="another-secret-key-0123456789", salt=services.REGISTRATION_SALT
        ),
        # validly signed by us, but for another purpose
        signing.dumps(payload, salt="some.other.salt"),
        # validly signed, but its fingerprint does not match the login's
        signing.dumps({**payload, "f": "0" * 32}, salt=services.REGISTRATION_SALT),
        signing.dumps(["u", payload["u"]], salt=services.REGISTRATION_SALT),
    ]
    for bad in forged:
        response = client.get(reverse("learning:register_confirm", args=[bad]))
        assert response.status_code == 400
        assert "This confirmation link is not valid" in response.content.decode()
        assert "Traceback" not in response.content.decode()
    assert not User.objects.get(username="t@example.kz").is_active
    assert "_auth_user_id" not in client.session


def test_an_expired_link_is_refused_and_the_address_may_register_again(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    client = english()
    register(client, form("late@example.kz"), django_capture_on_commit_callbacks)
    first = link_path(mailoutbox[0])
    later = timezone.now() + timedelta(hours=services.registration_lifetime_hours() + 1)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        response = client.get(first)
    assert response.status_code == 400
    assert "This confirmation link has expired" in response.content.decode()
    assert not User.objects.get(username="late@example.kz").is_active
    # Once the link has lapsed, a new registration of the address takes the login over.
    Registration.objects.filter(user__username="late@example.kz").update(
        requested_at=timezone.now() - timedelta(hours=services.registration_lifetime_hours() + 1)
    )
    register(
        Client(),
        form("late@example.kz", first_name="Second", password="another-pass-phrase-9"),
        django_capture_on_commit_callbacks,
    )
    user = User.objects.get(username="late@example.kz")
    assert user.first_name == "Second" and user.check_password("another-pass-phrase-9")
    second = link_path(mailoutbox[1])
    assert client.get(first).status_code == 400  # the old link belongs to the replaced one
    assert client.get(second).status_code == 302
    user.refresh_from_db()
    assert user.is_active


def test_a_young_unconfirmed_login_is_not_taken_over(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    register(Client(), form("young@example.kz"), django_capture_on_commit_callbacks)
    register(
        Client(),
        form("young@example.kz", first_name="Intruder", password="intruders-pass-phrase-1"),
        django_capture_on_commit_callbacks,
    )
    user = User.objects.get(username="young@example.kz")
    assert user.first_name == "Айгүл" and user.check_password(PASSWORD)
    assert len(mailoutbox) == 2 and all(LINK.search(m.body) for m in mailoutbox)
    # The link is sent again; the first one still works.
    assert Client().get(link_path(mailoutbox[0])).status_code == 302


def test_a_link_works_once(mailoutbox: list[Any], django_capture_on_commit_callbacks: Any) -> None:
    register(Client(), form("once@example.kz"), django_capture_on_commit_callbacks)
    path = link_path(mailoutbox[0])
    assert Client().get(path).status_code == 302
    again = english()
    response = again.get(path)
    assert response.status_code == 400
    assert "confirmed already" in response.content.decode()
    assert "_auth_user_id" not in again.session
    # A login deactivated later is not reactivated by its old link either.
    User.objects.filter(username="once@example.kz").update(is_active=False)
    assert Client().get(path).status_code == 400
    assert not User.objects.get(username="once@example.kz").is_active


def test_registering_a_confirmed_address_again_sends_the_account_e_mail(
    mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    register(Client(), form("done@example.kz"), django_capture_on_commit_callbacks)
    Client().get(link_path(mailoutbox[0]))
    page = register(
        Client(),
        form("done@example.kz", password="some-other-pass-9"),
        django_capture_on_commit_callbacks,
    )
    assert page.status_code == 200
    assert not LINK.search(mailoutbox[1].body) and "/accounts/login/" in mailoutbox[1].body
    assert User.objects.get(username="done@example.kz").check_password(PASSWORD)


def test_registration_is_throttled_per_network_and_e_mails_per_address(
    settings: Any, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    settings.KASKAD_LEARNING_REGISTER_LIMIT = 2
    statuses = [
        register(
            Client(), form(f"bot{n}@example.kz"), django_capture_on_commit_callbacks
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert not User.objects.filter(username="bot2@example.kz").exists()
    cache.clear()
    # One address is sent a few e-mails an hour at most, from any network; the page is the same.
    settings.KASKAD_LEARNING_REGISTER_LIMIT = 100
    pages = [
        register(
            Client(REMOTE_ADDR=f"198.51.100.{n}"),
            form("victim@example.kz"),
            django_capture_on_commit_callbacks,
        )
        for n in range(services.REGISTRATION_MAILS_PER_HOUR + 2)
    ]
    assert {p.status_code for p in pages} == {200}
    assert len([m for m in mailoutbox if m.to == ["victim@example.kz"]]) == (
        services.REGISTRATION_MAILS_PER_HOUR
    )


def test_the_cache_is_a_table_of_the_database() -> None:
    assert django_settings.CACHES["default"]["BACKEND"] == "kaskad.core.cache.DatabaseCache"
    assert "kaskad_cache" in connection.introspection.table_names()
    cache.set("probe", 41, 60)
    assert cache.incr("probe") == 42


@pytest.mark.django_db(transaction=True)
def test_the_registration_limit_is_shared_with_another_process(settings: Any) -> None:
    """Another process (as another gunicorn worker is) counts into the same limit."""
    settings.KASKAD_LEARNING_REGISTER_LIMIT = 3
    settings.KASKAD_LEARNING_REGISTER_WINDOW = 10**9
    ip = "203.0.113.77"
    assert services.register_attempt(ip=ip)
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    script = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "settings.KASKAD_LEARNING_REGISTER_LIMIT = 3\n"
        "settings.KASKAD_LEARNING_REGISTER_WINDOW = 10**9\n"
        "from kaskad.learning.services import register_attempt\n"
        f"print([register_attempt(ip={ip!r}) for _ in range(3)])\n"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # The other process saw this one's count (1): its second and third attempts are over.
    assert done.stdout.strip().splitlines()[-1] == "[True, True, False]", done.stderr
    # And this one sees the other's.
    assert not services.register_attempt(ip=ip)
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_counting_from_two_connections_at_once_loses_no_count() -> None:
    """Two cache clients, each on its own database connection, increment the same counter at
    the same time: every increment counts (Django's own database cache would lose some)."""
    cache.set("shared-counter", 0, 600)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def count() -> None:
        try:
            client = caches["default"]  # a client of this thread, on this thread's connection
            start.wait()
            for _ in range(15):
                client.incr("shared-counter")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=count) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert cache.get("shared-counter") == 30
    cache.clear()
