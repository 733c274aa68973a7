"""The collection pages and the publishing worklist: who sees what (404 out of scope), the
consent statement, file downloads, messages, query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import EventKind, Portfolio, PortfolioStatus
from kaskad.assessment.publishing.services import portfolio_publish
from kaskad.assessment.tests.publishing.test_publishing import good_portfolio
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_teacher,
    national_admin,
    teacher_user,
)

pytestmark = pytest.mark.django_db

LIST = reverse("assessment:material_list")
WORKLIST = reverse("assessment:publishing_worklist")


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def published(**kw: Any) -> Portfolio:
    portfolio = good_portfolio(**kw)
    portfolio_publish(portfolio=portfolio, by=national_admin())
    return portfolio


def detail_url(portfolio: Portfolio) -> str:
    return reverse("assessment:material_detail", args=[portfolio.pk])


def file_url(portfolio: Portfolio, file_pk: int | None = None) -> str:
    file_pk = file_pk or portfolio.files.get().pk
    return reverse("assessment:material_file", args=[portfolio.pk, file_pk])


# --- The collection ---------------------------------------------------------------------------


def test_any_user_with_a_role_browses_the_collection() -> None:
    material = published(text="A unit plan on the water cycle with peer assessment.")
    good_portfolio()  # a candidate, not published: not listed
    reader = teacher_user(make_teacher())

    page = login(reader).get(LIST)

    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [material]
    body = page.content.decode()
    assert material.enrolment.person.full_name in body
    assert "A unit plan on the water cycle" in body


def test_a_user_without_any_role_gets_404_and_a_visitor_signs_in() -> None:
    published()
    assert login(make_user(roles=[])).get(LIST).status_code == 404
    assert Client().get(LIST).status_code == 302


def test_search_finds_words_in_the_extracted_text() -> None:
    wanted = published(text="Differentiated tasks for mixed-ability classes.")
    published(text="Something else entirely.")
    page = login(teacher_user(make_teacher())).get(LIST, {"q": "MIXED-ability"})
    assert list(page.context["page"].object_list) == [wanted]
    empty = login(teacher_user(make_teacher())).get(LIST, {"q": "zzzz"})
    assert "No materials match." in empty.content.decode()


def test_a_bad_filter_value_is_ignored_not_an_error() -> None:
    published()
    page = login(teacher_user(make_teacher())).get(LIST, {"programme": "abc", "level": "nope"})
    assert page.status_code == 200


def test_the_list_takes_the_same_queries_for_one_or_many_materials() -> None:
    published()
    client = login(teacher_user(make_teacher()))
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for _ in range(4):
        published()
    with CaptureQueriesContext(connection) as five:
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 5
    assert len(five.captured_queries) == len(one.captured_queries)


def test_the_material_page_names_the_author_because_they_consented() -> None:
    material = published(text="Reflection on three research lessons.\n\nWhat changed.")
    page = login(teacher_user(make_teacher())).get(detail_url(material))
    body = page.content.decode()
    assert page.status_code == 200
    assert material.enrolment.person.full_name in body
    assert material.enrolment.organisation is not None
    assert material.enrolment.organisation.name in body
    assert "shown only because the author agreed" in body
    assert "Reflection on three research lessons." in body
    assert file_url(material) in body


@pytest.mark.parametrize(
    "change",
    [
        {"published_at": None},
        {"publish_consent_at": None},
        {"status": PortfolioStatus.REVOKED},
    ],
    ids=["unpublished", "consent-withdrawn", "revoked"],
)
def test_a_material_not_in_the_collection_is_404_with_its_files(change: dict) -> None:
    material = published()
    url, download = detail_url(material), file_url(material)
    Portfolio.objects.filter(pk=material.pk).update(**change)
    client = login(national_admin())
    assert client.get(url).status_code == 404
    assert client.get(download).status_code == 404


def test_the_stored_file_downloads() -> None:
    material = published(text="The lesson plan text.")
    response = login(teacher_user(make_teacher())).get(file_url(material))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert content == b"The lesson plan text."
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Type"].startswith("text/plain")


def test_a_file_of_another_portfolio_is_404() -> None:
    material = published()
    hidden = good_portfolio()
    url = reverse("assessment:material_file", args=[material.pk, hidden.files.get().pk])
    assert login(national_admin()).get(url).status_code == 404


def test_removed_and_earlier_attempt_files_are_not_offered() -> None:
    material = published(text="Attempt one text")
    first = material.files.get()
    first.attempt = 1
    first.save()
    Portfolio.objects.filter(pk=material.pk).update(attempt=2)
    client = login(teacher_user(make_teacher()))
    assert client.get(file_url(material, first.pk)).status_code == 404
    assert "Attempt one text" not in client.get(detail_url(material)).content.decode()


# --- The worklist -----------------------------------------------------------------------------


def test_the_worklist_is_for_admins_and_coordinators_only() -> None:
    good_portfolio()
    assert login(national_admin()).get(WORKLIST).status_code == 200
    assert login(coordinator_of("ALA")).get(WORKLIST).status_code == 200
    for user in (
        teacher_user(make_teacher()),
        make_user(roles=[(Role.ANALYST, None)]),
        make_user(roles=[(Role.ASSESSOR, None)]),
    ):
        assert login(user).get(WORKLIST).status_code == 404


def test_a_coordinator_sees_and_publishes_their_branchs_candidates() -> None:
    mine = good_portfolio(branch_code="ALA")
    theirs = good_portfolio(branch_code="AST")
    client = login(coordinator_of("ALA"))

    page = client.get(WORKLIST)
    assert page.context["candidates"] == [mine]

    response = client.post(reverse("assessment:publishing_publish", args=[mine.pk]), follow=True)
    assert "is published" in " ".join(messages_of(response))
    mine.refresh_from_db()
    assert mine.published_at is not None

    # Someone else's branch: 404, nothing written.
    assert (
        client.post(reverse("assessment:publishing_publish", args=[theirs.pk])).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.published_at is None


def test_publishing_without_consent_shows_the_reason_and_writes_nothing() -> None:
    portfolio = good_portfolio(consent=False)
    response = login(national_admin()).post(
        reverse("assessment:publishing_publish", args=[portfolio.pk]), follow=True
    )
    assert "has not agreed to publish" in " ".join(messages_of(response))
    portfolio.refresh_from_db()
    assert portfolio.published_at is None
    assert not portfolio.events.filter(kind=EventKind.PUBLISHED).exists()


def test_unpublish_needs_a_reason_on_the_page_too() -> None:
    material = published()
    client = login(national_admin())
    url = reverse("assessment:publishing_unpublish", args=[material.pk])

    refused = client.post(url, {"reason": "  "}, follow=True)
    assert "Say why" in " ".join(messages_of(refused))
    material.refresh_from_db()
    assert material.published_at is not None

    done = client.post(url, {"reason": "Author asked by phone"}, follow=True)
    assert "taken out of the collection" in " ".join(messages_of(done))
    material.refresh_from_db()
    assert material.published_at is None


def test_publish_and_unpublish_are_post_only() -> None:
    portfolio = good_portfolio()
    client = login(national_admin())
    assert (
        client.get(reverse("assessment:publishing_publish", args=[portfolio.pk])).status_code == 405
    )
