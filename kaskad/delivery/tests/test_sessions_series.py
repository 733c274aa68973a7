"""Many sessions at once by a weekly rule, and the next session prefilled like the last."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from kaskad.core.errors import DomainError
from kaskad.delivery.models import Session
from kaskad.delivery.services.sessions import SessionData, session_add_series
from kaskad.delivery.tests.factories import (
    START,
    add_session,
    coordinator_of,
    make_cohort,
    national_admin,
)

pytestmark = pytest.mark.django_db


def _data(first: date, **extra: Any) -> SessionData:
    return SessionData(
        date=first,
        starts_at=time(14, 0),
        ends_at=time(18, 0),
        hours=Decimal(4),
        place=extra.pop("place", "Алматы, Абай даңғылы 10, 204-аудитория"),
        **extra,
    )


def test_a_weekly_rule_creates_every_session_at_once() -> None:
    cohort = make_cohort(starts_on=START)  # Monday 2 March 2026, twelve days
    created = session_add_series(
        cohort=cohort,
        data=_data(START),
        weekdays=[1, 3],  # Tuesdays and Thursdays
        until=cohort.ends_on,
        by=national_admin(),
    )
    assert [s.date for s in created] == [
        date(2026, 3, 3),
        date(2026, 3, 5),
        date(2026, 3, 10),
        date(2026, 3, 12),
    ]
    assert {s.place for s in created} == {"Алматы, Абай даңғылы 10, 204-аудитория"}
    # Run again: the same days and time are not doubled.
    again = session_add_series(
        cohort=cohort,
        data=_data(START),
        weekdays=[1, 3],
        until=cohort.ends_on,
        by=national_admin(),
    )
    assert again == [] and Session.objects.filter(cohort=cohort).count() == 4


def test_a_bad_rule_writes_nothing_and_says_why() -> None:
    cohort = make_cohort(starts_on=START)
    admin = national_admin()
    with pytest.raises(DomainError) as exc:
        session_add_series(cohort=cohort, data=_data(START), weekdays=[], until=START, by=admin)
    assert exc.value.code == "weekdays_required"
    with pytest.raises(DomainError) as exc:  # past the cohort's end: the last date is refused
        session_add_series(
            cohort=cohort,
            data=_data(START),
            weekdays=[0, 1, 2, 3, 4],
            until=date(2026, 3, 31),
            by=admin,
        )
    assert exc.value.code == "session_outside_cohort"
    with pytest.raises(DomainError) as exc:
        session_add_series(
            cohort=cohort, data=_data(START, place=""), weekdays=[0], until=START, by=admin
        )
    assert exc.value.code == "place_required"
    assert not Session.objects.filter(cohort=cohort).exists()


def test_the_page_adds_a_series_and_prefills_the_next_session(client: Client) -> None:
    cohort = make_cohort(starts_on=START)
    client.force_login(coordinator_of("ALA"))
    response = client.post(
        reverse("delivery:session_series", args=[cohort.pk]),
        {
            "series-weekdays": ["0", "2", "4"],
            "series-date": "2026-03-02",
            "series-until": "2026-03-13",
            "series-starts_at": "09:00",
            "series-ends_at": "13:00",
            "series-hours": "4",
            "series-place": "Room 7",
            "series-online_link": "",
        },
        follow=True,
    )
    assert any("6 sessions added" in str(m) for m in response.context["messages"])
    assert Session.objects.filter(cohort=cohort).count() == 6
    single = response.context["session_form"]
    assert single.initial["place"] == "Room 7"
    assert single.initial["date"] == date(2026, 3, 13)  # the day after the last, within dates


def test_the_next_single_session_keeps_the_place() -> None:
    cohort = make_cohort(starts_on=START)
    add_session(cohort, day=0, place="Room 101")
    client = Client()
    client.force_login(coordinator_of("ALA"))
    page = client.get(reverse("delivery:cohort_detail", args=[cohort.pk]))
    assert page.context["session_form"].initial["place"] == "Room 101"
    assert page.context["session_form"].initial["date"] == date(2026, 3, 3)
