"""Publishing "good" portfolios: who may, when, the history, taking down, and consent read at
browse time."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.tests.factories import make_user
from kaskad.assessment.models import (
    EventKind,
    Portfolio,
    PortfolioEvent,
    PortfolioStatus,
    Rating,
)
from kaskad.assessment.publishing.selectors import (
    MaterialFilters,
    published_list,
    publishing_candidates,
    publishing_published,
)
from kaskad.assessment.publishing.services import (
    portfolio_consent_withdrawn,
    portfolio_publish,
    portfolio_unpublish,
)
from kaskad.assessment.tests.factories import make_portfolio
from kaskad.core.errors import DomainError, NotFoundError
from kaskad.core.models import AuditEntry
from kaskad.delivery.tests.factories import (
    coordinator_of,
    make_cohort,
    make_teacher,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


def good_portfolio(
    *,
    branch_code: str = "ALA",
    consent: bool = True,
    status: str = PortfolioStatus.CERTIFIED,
    rating: str = Rating.GOOD,
    text: str = "",
    **cohort: Any,
) -> Portfolio:
    """A portfolio at its final outcome (state set directly: the test starts from it)."""
    version = cohort.pop("version", None) or make_version()
    group = make_cohort(version=version, branch_obj=branch(branch_code), status="open", **cohort)
    portfolio = make_portfolio(cohort=group, status=status, text=text, plagiarism_status="clear")
    portfolio.rating = rating
    portfolio.publish_consent_at = timezone.now() if consent else None
    portfolio.save()
    return portfolio


def published_events(portfolio: Portfolio) -> list[PortfolioEvent]:
    return list(portfolio.events.filter(kind=EventKind.PUBLISHED).order_by("id"))


# --- Publishing -------------------------------------------------------------------------------


def test_a_national_admin_publishes_a_certified_good_portfolio_with_consent() -> None:
    portfolio = good_portfolio()
    admin = national_admin()

    portfolio_publish(portfolio=portfolio, by=admin)

    portfolio.refresh_from_db()
    assert portfolio.published_at is not None
    assert portfolio.published_by == admin
    [event] = published_events(portfolio)
    assert event.actor == admin
    assert event.data == {"published": True}
    assert event.attempt == portfolio.attempt
    assert AuditEntry.objects.filter(
        object_type="assessment.portfolio", object_id=str(portfolio.pk), actor=admin
    ).exists()
    teacher = teacher_user(make_teacher())
    assert list(published_list(user=teacher)) == [portfolio]


def test_the_coordinator_of_the_portfolios_branch_publishes_it() -> None:
    portfolio = good_portfolio(branch_code="ALA")
    portfolio_publish(portfolio=portfolio, by=coordinator_of("ALA"))
    portfolio.refresh_from_db()
    assert portfolio.published_at is not None


@pytest.mark.parametrize(
    "who",
    [
        lambda: coordinator_of("AST"),
        lambda: make_user(roles=[(Role.ANALYST, None)]),
        lambda: teacher_user(make_teacher()),
        lambda: make_user(roles=[(Role.ASSESSOR, None)]),
    ],
    ids=["other-branch-coordinator", "analyst", "teacher", "assessor"],
)
def test_nobody_else_may_publish_and_nothing_is_written(who: Any) -> None:
    portfolio = good_portfolio(branch_code="ALA")
    with pytest.raises(NotFoundError):
        portfolio_publish(portfolio=portfolio, by=who())
    portfolio.refresh_from_db()
    assert portfolio.published_at is None
    assert published_events(portfolio) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"consent": False}, "no_consent"),
        ({"rating": Rating.SATISFACTORY}, "not_good"),
        ({"status": PortfolioStatus.AWAITING_PLAGIARISM}, "not_certified"),
        ({"status": PortfolioStatus.REVOKED}, "not_certified"),
        (
            {"status": PortfolioStatus.NOT_CERTIFIED, "rating": Rating.UNSATISFACTORY},
            "not_certified",
        ),
    ],
)
def test_only_certified_good_with_consent_can_be_published(changes: dict, code: str) -> None:
    portfolio = good_portfolio(**changes)
    with pytest.raises(DomainError) as caught:
        portfolio_publish(portfolio=portfolio, by=national_admin())
    assert caught.value.code == code
    assert str(caught.value.message)
    portfolio.refresh_from_db()
    assert portfolio.published_at is None
    assert published_events(portfolio) == []


def test_publishing_twice_is_refused_and_the_first_stands() -> None:
    portfolio = good_portfolio()
    first = national_admin()
    portfolio_publish(portfolio=portfolio, by=first)
    with pytest.raises(DomainError) as caught:
        portfolio_publish(portfolio=portfolio, by=national_admin())
    assert caught.value.code == "already_published"
    portfolio.refresh_from_db()
    assert portfolio.published_by == first
    assert len(published_events(portfolio)) == 1


# --- Taking down ------------------------------------------------------------------------------


def test_unpublishing_needs_a_reason_and_keeps_it() -> None:
    portfolio = good_portfolio()
    admin = national_admin()
    portfolio_publish(portfolio=portfolio, by=admin)

    for blank in ("", "   "):
        with pytest.raises(DomainError) as caught:
            portfolio_unpublish(portfolio=portfolio, by=admin, reason=blank)
        assert caught.value.field == "reason"
    portfolio.refresh_from_db()
    assert portfolio.published_at is not None
    assert len(published_events(portfolio)) == 1

    portfolio_unpublish(portfolio=portfolio, by=admin, reason="  Contains pupils' names.  ")
    portfolio.refresh_from_db()
    assert portfolio.published_at is None
    assert portfolio.published_by is None
    last = published_events(portfolio)[-1]
    assert last.data == {"published": False, "code": "unpublished"}
    assert last.reason == "Contains pupils' names."
    assert list(published_list(user=admin)) == []


def test_unpublishing_what_is_not_published_is_refused() -> None:
    portfolio = good_portfolio()
    with pytest.raises(DomainError) as caught:
        portfolio_unpublish(portfolio=portfolio, by=national_admin(), reason="Why not")
    assert caught.value.code == "not_published"
    assert published_events(portfolio) == []


def test_a_coordinator_of_another_branch_cannot_take_it_down() -> None:
    portfolio = good_portfolio(branch_code="ALA")
    portfolio_publish(portfolio=portfolio, by=national_admin())
    with pytest.raises(NotFoundError):
        portfolio_unpublish(portfolio=portfolio, by=coordinator_of("AST"), reason="No")
    portfolio.refresh_from_db()
    assert portfolio.published_at is not None


def test_a_reason_longer_than_the_history_keeps_is_refused() -> None:
    portfolio = good_portfolio()
    admin = national_admin()
    portfolio_publish(portfolio=portfolio, by=admin)
    with pytest.raises(DomainError) as caught:
        portfolio_unpublish(portfolio=portfolio, by=admin, reason="x" * 501)
    assert caught.value.code == "reason_too_long"
    portfolio.refresh_from_db()
    assert portfolio.published_at is not None


# --- Consent, read at browse time ------------------------------------------------------------


def test_withdrawn_consent_hides_the_material_at_once() -> None:
    portfolio = good_portfolio()
    admin = national_admin()
    portfolio_publish(portfolio=portfolio, by=admin)
    reader = teacher_user(make_teacher())
    assert list(published_list(user=reader)) == [portfolio]

    # The participant withdraws consent (the portfolios service clears the field).
    Portfolio.objects.filter(pk=portfolio.pk).update(publish_consent_at=None)

    assert list(published_list(user=reader)) == []
    # Staff still see it as published, to take it down.
    assert list(publishing_published(user=admin)) == [portfolio]


def test_consent_withdrawn_takes_a_published_portfolio_down_with_history() -> None:
    portfolio = good_portfolio()
    portfolio_publish(portfolio=portfolio, by=national_admin())
    participant = teacher_user(portfolio.enrolment.person)
    Portfolio.objects.filter(pk=portfolio.pk).update(publish_consent_at=None)

    portfolio_consent_withdrawn(portfolio=portfolio, by=participant)

    portfolio.refresh_from_db()
    assert portfolio.published_at is None
    last = published_events(portfolio)[-1]
    assert last.actor == participant
    assert last.data["code"] == "consent_withdrawn"
    # Nothing to do for a portfolio that was never published.
    other = good_portfolio()
    portfolio_consent_withdrawn(portfolio=other, by=participant)
    assert published_events(other) == []


def test_a_revoked_certification_hides_the_material() -> None:
    portfolio = good_portfolio()
    portfolio_publish(portfolio=portfolio, by=national_admin())
    Portfolio.objects.filter(pk=portfolio.pk).update(status=PortfolioStatus.REVOKED)
    assert list(published_list(user=teacher_user(make_teacher()))) == []


def test_the_collection_is_for_users_with_a_role() -> None:
    portfolio = good_portfolio()
    portfolio_publish(portfolio=portfolio, by=national_admin())
    assert list(published_list(user=make_user(roles=[]))) == []


# --- The worklist -----------------------------------------------------------------------------


def test_candidates_are_certified_good_with_consent_not_yet_published_in_scope() -> None:
    mine = good_portfolio(branch_code="ALA")
    theirs = good_portfolio(branch_code="AST")
    good_portfolio(branch_code="ALA", consent=False)
    good_portfolio(branch_code="ALA", rating=Rating.SATISFACTORY)
    published = good_portfolio(branch_code="ALA")
    portfolio_publish(portfolio=published, by=national_admin())

    assert set(publishing_candidates(user=coordinator_of("ALA"))) == {mine}
    assert set(publishing_candidates(user=national_admin())) == {mine, theirs}


# --- Filters ----------------------------------------------------------------------------------


def test_the_collection_filters_by_programme_language_position_level_and_text() -> None:
    admin = national_admin()
    version = make_version()
    fractions = good_portfolio(
        version=version, text="Lesson series on FRACTIONS with formative assessment."
    )
    other_version = make_version()
    russian = good_portfolio(
        version=other_version, language="ru", text="Серия уроков по химии: оценивание."
    )
    for p in (fractions, russian):
        portfolio_publish(portfolio=p, by=admin)
    teacher = teacher_user(make_teacher())

    def titles(**kw: Any) -> set[Portfolio]:
        return set(published_list(user=teacher, filters=MaterialFilters(**kw)))

    assert titles() == {fractions, russian}
    assert titles(programme=version.programme_id) == {fractions}
    assert titles(language="ru") == {russian}
    assert titles(q="fractions") == {fractions}
    assert titles(q="химии") == {russian}
    assert titles(q="nowhere to be found") == set()
    assert titles(position="teacher") == {fractions, russian}
    assert titles(position="director") == set()
    # make_teacher() employs people at the primary level.
    assert titles(level="primary") == {fractions, russian}
    assert titles(level="upper_secondary") == set()
    [row] = [p for p in published_list(user=teacher) if p.pk == fractions.pk]
    assert row.excerpt.startswith("Lesson series on FRACTIONS")  # type: ignore[attr-defined]
