"""How the API knows who is calling: session (with CSRF) or a personal token; and /api/me."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from kaskad.accounts.models import ApiToken, Role, User
from kaskad.accounts.tests.factories import PASSWORD, make_user
from kaskad.accounts.tokens import api_token_create, api_token_revoke
from kaskad.core.models import AuditEntry
from kaskad.registry.tests.factories import area_of, branch, make_organisation

pytestmark = pytest.mark.django_db


def error_code(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    return response.json()["error"]["code"]


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


@pytest.fixture
def admin() -> User:
    return make_user(username="aliya", roles=[(Role.NATIONAL_ADMIN, None)])


# --- No credentials -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/me", "/api/areas", "/api/branches", "/api/organisations", "/api/people?q=ab"]
)
def test_anonymous_gets_401_json(url: str) -> None:
    response = Client().get(url)
    assert error_code(response, 401) == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_post_gets_401_not_a_csrf_error() -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/api/people", "{}", content_type="application/json"
    )
    assert error_code(response, 401) == "not_authenticated"


# --- Tokens -------------------------------------------------------------------------------------


def test_token_is_stored_hashed_and_works(admin: User) -> None:
    token, raw = api_token_create(user=admin, name="nightly export")
    assert raw.startswith("ksk_") and len(raw) > 40
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get())
    response = Client().get("/api/me", headers=bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "aliya"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_creation_is_audited_without_the_secret(admin: User) -> None:
    token, raw = api_token_create(user=admin, name="nightly export")
    entry = AuditEntry.objects.get(object_type="accounts.apitoken", action="create")
    assert entry.object_id == str(token.pk)
    assert raw not in json.dumps(entry.changes) and token.key_hash not in json.dumps(entry.changes)


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ("Bearer ksk_not-a-real-token", "token_invalid"),
        ("Bearer ", "token_malformed"),
        ("Token abc", "token_malformed"),
        ("Basic YWxpeWE6cGFzc3dvcmQ=", "token_malformed"),
    ],
)
def test_wrong_tokens_are_refused(admin: User, header: str, code: str) -> None:
    response = Client().get("/api/me", headers={"authorization": header})
    assert error_code(response, 401) == code


def test_wrong_token_is_refused_even_with_a_session(admin: User) -> None:
    client = Client()
    client.force_login(admin)
    assert client.get("/api/me").status_code == 200
    response = client.get("/api/me", headers=bearer("ksk_wrong"))
    assert error_code(response, 401) == "token_invalid"


def test_revoked_token_is_refused(admin: User) -> None:
    token, raw = api_token_create(user=admin)
    assert Client().get("/api/me", headers=bearer(raw)).status_code == 200
    assert api_token_revoke(token=token)
    assert not api_token_revoke(token=token)  # once is enough
    assert error_code(Client().get("/api/me", headers=bearer(raw)), 401) == "token_revoked"


def test_expired_token_is_refused(admin: User) -> None:
    token, raw = api_token_create(user=admin, days=1)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert error_code(Client().get("/api/me", headers=bearer(raw)), 401) == "token_expired"


def test_token_of_a_deactivated_user_is_refused(admin: User) -> None:
    _token, raw = api_token_create(user=admin)
    User.objects.filter(pk=admin.pk).update(is_active=False)
    assert error_code(Client().get("/api/me", headers=bearer(raw)), 401) == "token_invalid"


def test_token_user_has_the_scope_of_their_roles() -> None:
    coordinator = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))])
    inside = make_organisation(area=area_of("ALA"))
    outside = make_organisation(area=area_of("AST"))
    _token, raw = api_token_create(user=coordinator)
    client = Client(headers=bearer(raw))
    assert client.get(f"/api/organisations/{inside.pk}").status_code == 200
    assert error_code(client.get(f"/api/organisations/{outside.pk}"), 404) == "not_found"


def test_token_can_write_without_csrf() -> None:
    # Scripts have no cookies: a token POST needs no CSRF token.
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    _token, raw = api_token_create(user=admin)
    client = Client(enforce_csrf_checks=True, headers=bearer(raw))
    response = client.post(
        "/api/me/language", json.dumps({"language": "ru"}), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    admin.refresh_from_db()
    assert admin.language == "ru"


def test_token_user_gets_answers_in_their_saved_language() -> None:
    user = make_user(roles=[(Role.ANALYST, None)], language="ru")
    _token, raw = api_token_create(user=user)
    response = Client().get("/api/me", headers=bearer(raw))
    assert response.json()["language"] == "ru"
    assert response["Content-Language"] == "ru"


# --- The management commands --------------------------------------------------------------------


def test_api_token_create_command_prints_the_token_once(admin: User) -> None:
    out, err = StringIO(), StringIO()
    call_command(
        "api_token_create", "aliya", "--name", "reports", "--days", "30", stdout=out, stderr=err
    )
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=admin)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert token.name == "reports"
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)  # type: ignore[operator]
    assert token.prefix in err.getvalue() and raw not in err.getvalue()
    assert Client().get("/api/me", headers=bearer(raw)).status_code == 200


def test_api_token_create_command_errors(admin: User) -> None:
    with pytest.raises(CommandError, match="No user"):
        call_command("api_token_create", "nobody", stdout=StringIO(), stderr=StringIO())
    with pytest.raises(CommandError):
        call_command(
            "api_token_create", "aliya", "--days", "0", stdout=StringIO(), stderr=StringIO()
        )
    User.objects.filter(pk=admin.pk).update(is_active=False)
    with pytest.raises(CommandError):
        call_command("api_token_create", "aliya", stdout=StringIO(), stderr=StringIO())
    assert not ApiToken.objects.exists()


def test_api_token_create_command_without_expiry(admin: User) -> None:
    out = StringIO()
    call_command("api_token_create", "aliya", "--no-expiry", stdout=out, stderr=StringIO())
    assert ApiToken.objects.get().expires_at is None


def test_api_token_revoke_command(admin: User) -> None:
    first, raw_first = api_token_create(user=admin, name="one")
    _second, raw_second = api_token_create(user=admin, name="two")
    listing = StringIO()
    call_command("api_token_revoke", "aliya", stdout=listing)
    assert first.prefix in listing.getvalue()
    call_command("api_token_revoke", "aliya", "--prefix", first.prefix, stdout=StringIO())
    assert error_code(Client().get("/api/me", headers=bearer(raw_first)), 401) == "token_revoked"
    assert Client().get("/api/me", headers=bearer(raw_second)).status_code == 200
    call_command("api_token_revoke", "aliya", "--all", stdout=StringIO())
    assert error_code(Client().get("/api/me", headers=bearer(raw_second)), 401) == "token_revoked"
    with pytest.raises(CommandError):
        call_command("api_token_revoke", "aliya", "--prefix", "ksk_nope", stdout=StringIO())


# --- Session and CSRF ---------------------------------------------------------------------------


def signed_in_client(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_session_post_without_csrf_token_is_refused(admin: User) -> None:
    client = signed_in_client(admin)
    response = client.post(
        "/api/me/language", json.dumps({"language": "en"}), content_type="application/json"
    )
    assert error_code(response, 403) == "csrf_failed"
    admin.refresh_from_db()
    assert admin.language == ""


def test_session_patch_without_csrf_token_is_refused(admin: User) -> None:
    response = signed_in_client(admin).patch(
        "/api/people/1", json.dumps({"email": "a@b.kz"}), content_type="application/json"
    )
    assert error_code(response, 403) == "csrf_failed"


def test_session_post_with_csrf_token_is_accepted(admin: User) -> None:
    client = signed_in_client(admin)
    assert client.get("/api/me").status_code == 200  # reads need no token
    client.get("/api/docs")  # any page that renders the token sets the cookie
    csrf = client.cookies["csrftoken"].value
    response = client.post(
        "/api/me/language",
        json.dumps({"language": "en"}),
        content_type="application/json",
        headers={"x-csrftoken": csrf},
    )
    assert response.status_code == 200, response.content
    admin.refresh_from_db()
    assert admin.language == "en"


# --- /api/me ------------------------------------------------------------------------------------


def test_me_lists_roles_with_their_scope() -> None:
    school = make_organisation(area=area_of("ALA"))
    user = make_user(
        roles=[(Role.BRANCH_COORDINATOR, branch("ALA")), (Role.SCHOOL_LEADER, school)],
        language="en",
        first_name="Aliya",
        last_name="Kasymova",
    )
    client = Client()
    client.force_login(user)
    body = client.get("/api/me").json()
    assert body["username"] == user.username
    assert body["full_name"] == "Aliya Kasymova"
    assert body["language"] == body["saved_language"] == "en"
    assert body["sees_iin"] and body["can_edit_registry"] and not body["national"]
    roles = {r["role"]: r for r in body["roles"]}
    assert roles["branch_coordinator"]["branch"]["code"] == "ALA"
    assert roles["branch_coordinator"]["organisation"] is None
    assert roles["school_leader"]["organisation"]["id"] == school.pk
    assert roles["school_leader"]["label"] == "school leader"


def test_me_language_follows_the_browser_until_one_is_saved() -> None:
    user = make_user(roles=[(Role.TEACHER, None)])
    client = Client()
    client.force_login(user)
    assert client.get("/api/me", headers={"accept-language": "ru"}).json()["language"] == "ru"
    response = client.post(
        "/api/me/language", json.dumps({"language": "en"}), content_type="application/json"
    )
    assert response.json()["language"] == "en"
    # Saved: wins over the browser's wish from now on, on every device.
    body = client.get("/api/me", headers={"accept-language": "ru"}).json()
    assert (body["language"], body["saved_language"]) == ("en", "en")


@pytest.mark.parametrize(
    ("payload", "code"),
    [({"language": "de"}, "invalid_choice"), ({}, "required"), ({"language": 7}, "invalid_choice")],
)
def test_me_language_rejects_unknown_languages(payload: dict[str, Any], code: str) -> None:
    user = make_user(roles=[(Role.TEACHER, None)])
    client = Client()
    client.force_login(user)
    response = client.post("/api/me/language", json.dumps(payload), content_type="application/json")
    assert error_code(response, 422) == "validation_error"
    detail = response.json()["error"]["details"][0]
    assert (detail["field"], detail["code"]) == ("language", code)
    if code == "invalid_choice":
        assert "kk, ru, en" in detail["message"]
