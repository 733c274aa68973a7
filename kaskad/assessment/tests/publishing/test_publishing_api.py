"""The collection and publishing over the API: scope (404), refusals with codes, nothing
written on a refusal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from kaskad.accounts.tests.factories import make_user
from kaskad.accounts.tokens import api_token_create
from kaskad.assessment.models import EventKind, Portfolio
from kaskad.assessment.publishing.services import portfolio_publish
from kaskad.assessment.tests.publishing.test_publishing import good_portfolio
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_teacher,
    national_admin,
    teacher_user,
)

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    _token, raw = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, body: Any = None) -> Any:
    if body is None:
        return client.generic("POST", url)
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_collection_lists_published_materials_with_their_authors() -> None:
    material = good_portfolio(text="Assessment for learning in Grade 3 reading.")
    portfolio_publish(portfolio=material, by=national_admin())
    good_portfolio()  # not published
    client = api(teacher_user(make_teacher()))

    page = client.get("/api/assessment/materials", {"q": "grade 3"}).json()
    assert page["count"] == 1
    [item] = page["items"]
    assert item["id"] == material.pk
    assert item["author"] == material.enrolment.person.full_name
    assert item["excerpt"].startswith("Assessment for learning")

    detail = client.get(f"/api/assessment/materials/{material.pk}").json()
    assert detail["files"][0]["name"] == "portfolio.txt"
    assert client.get(detail["files"][0]["url"]).status_code == 200


def test_a_hidden_material_is_404_and_a_user_without_a_role_sees_nothing() -> None:
    material = good_portfolio()
    portfolio_publish(portfolio=material, by=national_admin())
    Portfolio.objects.filter(pk=material.pk).update(publish_consent_at=None)
    reader = api(teacher_user(make_teacher()))
    assert reader.get(f"/api/assessment/materials/{material.pk}").status_code == 404
    assert api(make_user(roles=[])).get("/api/assessment/materials").status_code == 404


def test_publish_and_unpublish_through_the_api() -> None:
    portfolio = good_portfolio(branch_code="ALA")
    client = api(coordinator_of("ALA"))

    done = post(client, f"/api/assessment/publishing/{portfolio.pk}/publish")
    assert done.status_code == 200 and done.json()["published_at"]

    again = post(client, f"/api/assessment/publishing/{portfolio.pk}/publish")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "already_published"

    blank = post(client, f"/api/assessment/publishing/{portfolio.pk}/unpublish", {"reason": " "})
    assert blank.status_code == 400
    assert blank.json()["error"]["field"] == "reason"
    portfolio.refresh_from_db()
    assert portfolio.published_at is not None

    taken = post(
        client, f"/api/assessment/publishing/{portfolio.pk}/unpublish", {"reason": "Asked to"}
    )
    assert taken.status_code == 200 and taken.json()["published_at"] is None


def test_publishing_out_of_scope_is_404_and_writes_nothing() -> None:
    portfolio = good_portfolio(branch_code="ALA")
    for user in (coordinator_of("AST"), teacher_user(make_teacher())):
        response = post(api(user), f"/api/assessment/publishing/{portfolio.pk}/publish")
        assert response.status_code == 404
    portfolio.refresh_from_db()
    assert portfolio.published_at is None
    assert not portfolio.events.filter(kind=EventKind.PUBLISHED).exists()


def test_publishing_without_consent_is_refused_with_its_code() -> None:
    portfolio = good_portfolio(consent=False)
    response = post(api(national_admin()), f"/api/assessment/publishing/{portfolio.pk}/publish")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_consent"
