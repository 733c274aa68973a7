"""A project's plan of events: support events of the network, created through its services
and listed on the project's page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.utils import timezone

from kaskad.core.errors import DomainError, PermissionDeniedError
from kaskad.networks.events import EventData
from kaskad.networks.models import SupportEvent
from kaskad.projects.models import ProjectEvent
from kaskad.projects.services import project_event_plan
from kaskad.projects.tests.factories import coordinator, make_world, person_user
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


def _data(**changes: object) -> EventData:
    values: dict[str, object] = {
        "kind": "seminar",
        "title": "Астанадағы оқыту сессиясы",
        "topic": "research",
        "organiser_kind": "branch",
        "branch": branch("AST"),
        "starts_at": datetime(2024, 11, 4, 10, 0, tzinfo=timezone.get_current_timezone()),
        "duration_minutes": 240,
        "format": "in_person",
        "language": "kk",
        "venue": "Астана, ДББЗО",
    }
    values.update(changes)
    if isinstance(values["branch"], str):
        values["branch"] = branch(values["branch"])
    return EventData(**values)  # type: ignore[arg-type]


def test_planned_event_is_a_support_event_of_the_branch() -> None:
    world = make_world()
    planned = project_event_plan(project=world.project, data=_data(), by=world.admin)
    event = SupportEvent.objects.get()
    assert planned.event == event
    assert event.branch_id == world.project.branch_id
    assert event.year == 2024


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"format": "online", "link": ""}, "link"),
        ({"venue": ""}, "venue"),
        ({"starts_at": datetime(2031, 1, 1, 10, 0, tzinfo=UTC)}, "starts_at"),
        ({"branch": "ALA"}, "branch"),
    ],
)
def test_bad_events_are_refused_and_nothing_is_written(
    changes: dict[str, object], field: str
) -> None:
    world = make_world()
    with pytest.raises(DomainError) as error:
        project_event_plan(project=world.project, data=_data(**changes), by=world.admin)
    assert error.value.field == field
    assert not SupportEvent.objects.exists()
    assert not ProjectEvent.objects.exists()


def test_only_managers_plan_events() -> None:
    world = make_world()
    for user in (person_user(world.teachers[0]), coordinator("ALA")):
        with pytest.raises(PermissionDeniedError):
            project_event_plan(project=world.project, data=_data(), by=user)
    assert not SupportEvent.objects.exists()


def test_plan_on_the_project_page() -> None:
    world = make_world()
    client = Client()
    client.force_login(world.admin)
    url = f"/projects/{world.project.code}/"
    form = {
        "action": "event",
        "event-kind": "webinar",
        "event-title": "Директорларға арналған вебинар",
        "event-topic": "management",
        "event-starts_at": "2025-02-12T15:00",
        "event-duration_minutes": "90",
        "event-format": "online",
        "event-language": "ru",
        "event-link": "",
    }
    bad = client.post(url, form)
    assert bad.status_code == 400
    assert "An online event needs its link." in bad.content.decode()
    assert not SupportEvent.objects.exists()
    good = client.post(url, {**form, "event-link": "https://meet.example.kz/share"})
    assert good.status_code == 302
    member = Client()
    member.force_login(person_user(world.teachers[0]))
    page = member.get(url).content.decode()
    assert "Директорларға арналған вебинар" in page
    assert "Plan an event" not in page
