"""What each role sees of a plagiarism report, on the page and in the API: the officer and the
national administrator everything (but never a source's participant), the portfolio's
assessor the report blind, everyone else 404. And the officer's queue and decision form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import PlagiarismStatus, Portfolio, PortfolioStatus, Rating
from kaskad.assessment.tests.factories import make_assessor
from kaskad.delivery.services import trainer_assign
from kaskad.delivery.tests.factories import coordinator_of, make_trainer, national_admin
from kaskad.plagiarism.models import PlagiarismCheck, PlagiarismDecision
from kaskad.plagiarism.tests.factories import (
    assign,
    immediate_tasks,
    open_cohort,
    participant,
    submit,
)
from kaskad.plagiarism.tests.texts import OWN, PASSAGE
from kaskad.registry.models import Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]
__all__ = ["immediate_tasks"]


@dataclass
class Case:
    source: Portfolio
    checked: Portfolio
    check: PlagiarismCheck
    source_person: Person
    checked_person: Person
    checked_user: User


def identity(person: Person) -> list[str]:
    """What would identify a participant: names, IIN (also its last digits) and school."""
    organisation = person.current_organisation
    assert organisation is not None
    return [
        person.surname,
        person.given_name,
        str(person.iin),
        str(person.iin)[-4:],
        organisation.name,
    ]


@pytest.fixture
def case(django_capture_on_commit_callbacks: Any) -> Case:
    cohort = open_cohort()
    source, source_user = participant(
        cohort, OWN[0] + "\n\n" + PASSAGE, surname="Serikbayeva", given_name="Dana"
    )
    checked, checked_user = participant(
        cohort, OWN[1] + "\n\n" + PASSAGE, surname="Zhumabekova", given_name="Aigerim"
    )
    submit(source, source_user, django_capture_on_commit_callbacks)
    check = submit(checked, checked_user, django_capture_on_commit_callbacks)
    assert checked.plagiarism_status == PlagiarismStatus.SUSPECTED
    return Case(
        source=source,
        checked=checked,
        check=check,
        source_person=source.enrolment.person,
        checked_person=checked.enrolment.person,
        checked_user=checked_user,
    )


def officer() -> User:
    return make_user(roles=[(Role.PLAGIARISM_OFFICER, None)])


def page(client: Client, user: Any, check: PlagiarismCheck, **params: Any) -> Any:
    client.force_login(user)
    return client.get(reverse("plagiarism:report", args=[check.pk]), params)


def api(client: Client, user: Any, check: PlagiarismCheck) -> Any:
    client.force_login(user)
    return client.get(f"/api/plagiarism/checks/{check.pk}")


# --- The officer and the national administrator ------------------------------------------------


def test_the_officer_sees_the_report_and_the_participant_but_never_the_source(
    client: Client, case: Case
) -> None:
    response = page(client, officer(), case.check)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Source 1" in html and f"P-{case.checked.pk}" in html
    assert f"{case.check.similarity_percent:.1f}" in html
    assert case.checked_person.surname in html and str(case.checked_person.iin)[-4:] in html
    assert case.checked_person.iin not in html  # officers see IINs masked
    for part in identity(case.source_person):
        assert part not in html, part
    assert case.source.programme.code in html
    # Passages highlighted and linked both ways.
    assert 'id="l-1"' in html and 'href="#r-1"' in html
    assert 'id="r-1"' in html and 'href="#l-1"' in html
    assert "<mark" in html and 'name="comment"' in html


def test_the_national_admin_sees_the_full_iin_of_the_participant_only(
    client: Client, case: Case
) -> None:
    html = page(client, national_admin(), case.check).content.decode()
    assert case.checked_person.iin in html
    for part in identity(case.source_person):
        assert part not in html, part


def test_the_officer_api_report_has_the_participant_and_anonymous_sources(
    client: Client, case: Case
) -> None:
    response = api(client, officer(), case.check)

    assert response.status_code == 200
    data = response.json()
    assert data["blind"] is False and data["participant"]["name"].startswith("Zhumabekova")
    assert data["plagiarism_status"] == "suspected" and data["status"] == "done"
    [source] = data["sources"]
    assert source["number"] == 1 and source["programme"] == case.source.programme.code
    assert source["code"] == f"P-{case.source.pk}" and source["author"] == ""
    [match] = data["matches"]
    assert match["kind"] == "copy" and match["source"] == 1
    assert match["end"] - match["start"] > 500
    body = json.dumps(data, ensure_ascii=False)
    for part in identity(case.source_person):
        assert part not in body, part


# --- The assessor: blind ------------------------------------------------------------------------


def test_the_assessor_sees_the_report_blind(client: Client, case: Case) -> None:
    _person, assessor = assign(case.checked)

    response = page(client, assessor, case.check)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Source 1" in html and "This report is blind" in html
    assert 'id="l-1"' in html and 'id="r-1"' in html
    for person in (case.checked_person, case.source_person):
        for part in identity(person):
            assert part not in html, part
    assert f"P-{case.source.pk}" not in html  # not even the source's code
    assert 'name="comment"' not in html and "Re-check" not in html


def test_the_assessor_api_report_is_blind(client: Client, case: Case) -> None:
    _person, assessor = assign(case.checked)

    response = api(client, assessor, case.check)

    assert response.status_code == 200
    data = response.json()
    assert data["blind"] is True and data["participant"] is None and data["decisions"] == []
    assert data["sources"][0]["code"] == ""
    body = json.dumps(data, ensure_ascii=False)
    for person in (case.checked_person, case.source_person):
        for part in identity(person):
            assert part not in body, part
    # The portfolio link of the marking pages leads to the same report.
    client.force_login(assessor)
    response = client.get(reverse("plagiarism:portfolio_report", args=[case.checked.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("plagiarism:report", args=[case.check.pk])
    assert client.get(f"/api/plagiarism/portfolios/{case.checked.pk}/report").status_code == 200


def test_a_published_source_whose_author_consented_is_named(client: Client, case: Case) -> None:
    now = timezone.now()
    Portfolio.objects.filter(pk=case.source.pk).update(
        status=PortfolioStatus.CERTIFIED,
        rating=Rating.GOOD,
        publish_consent_at=now,
        published_at=now,
    )
    _person, assessor = assign(case.checked)

    html = page(client, assessor, case.check).content.decode()

    assert "Published material" in html
    assert case.source_person.surname in html  # the author, as published
    assert str(case.source.enrolment.cohort.version.title) in html
    for part in identity(case.checked_person):
        assert part not in html, part


# --- Everyone else: 404 -------------------------------------------------------------------------


def test_everyone_else_gets_404_on_the_page_and_the_api(client: Client, case: Case) -> None:
    cohort = case.checked.enrolment.cohort
    trainer_person, trainer = make_trainer(programme=cohort.version.programme)
    trainer_assign(cohort=cohort, person=trainer_person, by=national_admin())
    _withdrawn_person, withdrawn = assign(case.checked, status="withdrawn")
    _other_person, other_assessor = make_assessor(programme=cohort.version.programme)
    _source_assessor_person, source_assessor = assign(case.source)
    outsiders = {
        "participant": case.checked_user,
        "trainer": trainer,
        "coordinator of another branch": coordinator_of("AST"),
        "coordinator of the branch": coordinator_of(cohort.branch.code),
        "analyst": make_user(roles=[(Role.ANALYST, None)]),
        "withdrawn assessor": withdrawn,
        "assessor of another portfolio": source_assessor,
        "assessor without a task": other_assessor,
    }
    for who, user in outsiders.items():
        assert page(client, user, case.check).status_code == 404, who
        assert api(client, user, case.check).status_code == 404, who
        client.force_login(user)
        assert client.get(reverse("plagiarism:queue")).status_code == 404, who
        assert (
            client.get(reverse("plagiarism:portfolio_report", args=[case.checked.pk])).status_code
            == 404
        ), who
        response = client.post(
            f"/api/plagiarism/checks/{case.check.pk}/decision",
            {"decision": "cleared", "comment": "Looks fine."},
            content_type="application/json",
        )
        assert response.status_code == 404, who
        response = client.post(
            reverse("plagiarism:decision", args=[case.check.pk]),
            {"decision": "cleared", "comment": "Looks fine."},
        )
        assert response.status_code == 404, who
    assert not PlagiarismDecision.objects.exists()


# --- The decision -------------------------------------------------------------------------------


def test_the_decision_form_needs_a_comment_and_records_the_decision(
    client: Client, case: Case
) -> None:
    client.force_login(officer())
    url = reverse("plagiarism:decision", args=[case.check.pk])

    response = client.post(url, {"decision": "cleared", "comment": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    response = client.post(url, {"comment": "Shared plan."})
    assert response.status_code == 400
    assert not PlagiarismDecision.objects.exists()

    response = client.post(url, {"decision": "cleared", "comment": "Shared lesson plan."})
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "The decision is recorded." in html and "Shared lesson plan." in html
    case.checked.refresh_from_db()
    assert case.checked.plagiarism_status == PlagiarismStatus.CLEARED


def test_the_api_decision(client: Client, case: Case) -> None:
    client.force_login(officer())
    url = f"/api/plagiarism/checks/{case.check.pk}/decision"

    response = client.post(
        url, {"decision": "confirmed", "comment": ""}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "comment_required"
    response = client.post(
        url, {"decision": "perhaps", "comment": "x"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert not PlagiarismDecision.objects.exists()

    response = client.post(
        url,
        {"decision": "confirmed", "comment": "Copied from a colleague."},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["decision"] == "confirmed"
    case.checked.refresh_from_db()
    assert case.checked.plagiarism_status == PlagiarismStatus.CONFIRMED


# --- The officer's queue ------------------------------------------------------------------------


def test_the_queue_lists_suspected_portfolios_by_similarity_and_filters_by_programme(
    client: Client, case: Case, django_capture_on_commit_callbacks: Any
) -> None:
    # A second, stronger copy in the same programme, and one in another programme.
    cohort = case.checked.enrolment.cohort
    strong, strong_user = participant(cohort, PASSAGE + "\n\nThat is all.")
    submit(strong, strong_user, django_capture_on_commit_callbacks)
    other_cohort = open_cohort()
    a, a_user = participant(other_cohort, OWN[2] + "\n\n" + PASSAGE)
    b, b_user = participant(other_cohort, OWN[3] + "\n\n" + PASSAGE)
    submit(a, a_user, django_capture_on_commit_callbacks)
    submit(b, b_user, django_capture_on_commit_callbacks)
    client.force_login(officer())

    html = client.get(reverse("plagiarism:queue")).content.decode()
    assert html.index(f"P-{strong.pk}<") < html.index(f"P-{case.checked.pk}<")
    assert f"P-{b.pk}<" in html
    assert f"P-{case.source.pk}<" not in html  # clear: nothing to review

    filtered = client.get(
        reverse("plagiarism:queue"), {"programme": cohort.version.programme_id}
    ).content.decode()
    assert f"P-{case.checked.pk}<" in filtered and f"P-{b.pk}<" not in filtered
    for part in identity(case.checked_person) + identity(case.source_person):
        assert part not in html, part
