"""Irreversible changes of a cohort: the calendar rules of starting and finishing, attendance
only for sessions that have taken place, and the confirmation page that says what will happen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.core.errors import StateConflict
from kaskad.core.models import AuditEntry
from kaskad.delivery.models import Cohort, Enrolment
from kaskad.delivery.services.attendance import attendance_save
from kaskad.delivery.services.cohorts import cohort_set_status
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.tests.factories import (
    add_session,
    coordinator_of,
    make_cohort,
    make_teacher,
    national_admin,
)

pytestmark = pytest.mark.django_db


def future_cohort(*, sessions: int = 3, people: int = 2) -> Cohort:
    """A cohort dated a few weeks ahead, open, with people enrolled."""
    admin = national_admin()
    cohort = make_cohort(
        starts_on=timezone.localdate() + timedelta(days=37), status="open", by=admin
    )
    for day in range(sessions):
        add_session(cohort, day=day, by=admin)
    for _ in range(people):
        enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    return Cohort.objects.get(pk=cohort.pk)


def test_a_cohort_cannot_start_before_its_first_day_without_a_reason() -> None:
    cohort = future_cohort()
    with pytest.raises(StateConflict) as exc:
        cohort_set_status(cohort=cohort, status="running", by=national_admin())
    assert exc.value.code == "start_too_early"
    cohort.refresh_from_db()
    assert cohort.status == "open"


def test_an_early_start_with_a_reason_is_recorded_in_the_audit() -> None:
    cohort = future_cohort()
    cohort = cohort_set_status(
        cohort=cohort,
        status="running",
        by=national_admin(),
        early_start_reason="Moved forward by the ministry's letter 12/345",
    )
    assert cohort.status == "running"
    changes = [
        e.changes
        for e in AuditEntry.objects.filter(object_type="delivery.cohort", object_id=str(cohort.pk))
    ]
    assert {
        "status": ["open", "running"],
        "early_start_reason": "Moved forward by the ministry's letter 12/345",
    } in changes


def test_a_cohort_cannot_finish_before_its_last_session() -> None:
    cohort = future_cohort()
    cohort = cohort_set_status(
        cohort=cohort, status="running", by=national_admin(), early_start_reason="pilot"
    )
    with pytest.raises(StateConflict) as exc:
        cohort_set_status(cohort=cohort, status="finished", by=national_admin())
    assert exc.value.code == "finish_too_early"
    assert set(Enrolment.objects.filter(cohort=cohort).values_list("status", flat=True)) == {
        "enrolled"
    }


def test_attendance_of_a_future_session_is_refused() -> None:
    cohort = future_cohort()
    session = cohort.sessions.first()
    assert session is not None
    enrolment = Enrolment.objects.filter(cohort=cohort).first()
    assert enrolment is not None
    with pytest.raises(StateConflict) as exc:
        attendance_save(session=session, marks={enrolment.pk: "present"}, by=national_admin())
    assert exc.value.code == "attendance_in_future"
    assert "has not taken place yet" in str(exc.value.message)


def _login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def test_finishing_from_the_page_asks_first_and_says_what_will_happen(client: Client) -> None:
    admin = national_admin()
    cohort = make_cohort(status="open", by=admin)  # dated in the past
    for day in range(3):
        add_session(cohort, day=day, by=admin)
    for _ in range(2):
        enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    client = _login(client, coordinator_of("ALA"))
    url = reverse("delivery:cohort_status", args=[cohort.pk])

    page = client.post(url, {"status": "finished"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "2 participants will be judged now" in text
    assert "0 of 3 sessions have attendance" in text
    assert 'name="confirm"' in text and "required" in text
    cohort.refresh_from_db()
    assert cohort.status == "running"

    refused = client.post(url, {"status": "finished", "from_confirm": "1"})
    assert refused.status_code == 400
    assert "Tick the box" in refused.content.decode()
    cohort.refresh_from_db()
    assert cohort.status == "running"

    done = client.post(url, {"status": "finished", "confirm": "yes"})
    assert done.status_code == 302
    cohort.refresh_from_db()
    assert cohort.status == "finished"


def test_an_early_start_from_the_page_asks_for_a_reason(client: Client) -> None:
    cohort = future_cohort()
    client = _login(client, coordinator_of("ALA"))
    url = reverse("delivery:cohort_status", args=[cohort.pk])
    page = client.post(url, {"status": "running"}).content.decode()
    assert 'name="early_start_reason"' in page
    refused = client.post(url, {"status": "running", "confirm": "yes"}, follow=True)
    assert any("cannot start before its first day" in str(m) for m in refused.context["messages"])
    cohort.refresh_from_db()
    assert cohort.status == "open"
    client.post(
        url, {"status": "running", "confirm": "yes", "early_start_reason": "Room free earlier"}
    )
    cohort.refresh_from_db()
    assert cohort.status == "running"


def test_the_attendance_page_of_a_future_session_says_when_it_opens(client: Client) -> None:
    cohort = future_cohort()
    session = cohort.sessions.first()
    assert session is not None
    client = _login(client, coordinator_of("ALA"))
    text = client.get(reverse("delivery:attendance", args=[session.pk])).content.decode()
    assert "its attendance can be marked from that day" in text
    response = client.post(reverse("delivery:attendance", args=[session.pk]), follow=True)
    assert any("has not taken place yet" in str(m) for m in response.context["messages"])


def test_the_attendance_legend_names_the_keys_of_the_page_s_language(client: Client) -> None:
    admin = national_admin()
    cohort = make_cohort(status="open", by=admin)
    session = add_session(cohort, day=0, by=admin)
    enrolment_request(cohort=cohort, person=make_teacher(), by=admin)
    coordinator = coordinator_of("ALA")
    coordinator.language = "kk"
    coordinator.save(update_fields=["language"])
    page = _login(client, coordinator).get(reverse("delivery:attendance", args=[session.pk]))
    text = page.content.decode()
    # Latin keys (physical, any layout) and the letters of the Kazakh labels.
    assert "<kbd>P</kbd> немесе <kbd>Қ</kbd> қатысты" in text
    assert "<kbd>A</kbd> немесе <kbd>Ж</kbd> жоқ" in text
    assert "<kbd>E</kbd> немесе <kbd>С</kbd> себепті" in text
    import json
    import re

    found = re.search(r'<script id="attendance-keys" type="application/json">(.*?)</script>', text)
    assert found is not None  # for the script
    assert json.loads(found.group(1)) == {"present": "қ", "absent": "ж", "excused": "с"}


def test_the_focus_ring_is_opaque_and_dark() -> None:
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/kaskad.css").read_text()
    focus = next(line for line in css.splitlines() if line.strip().startswith("--focus:"))
    # No translucent ring (40 % blue on white was 1.7:1); a solid dark one (7:1 on white).
    assert "/ " not in focus and "var(--focus-ring)" in focus
    assert "--focus-ring: #075a8f;" in css
