"""Mentoring links: a project covers hub-school links of the network and keeps their log,
written by the mentor school's people, seen like the project; per-link counts in the report."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.test import Client
from openpyxl import load_workbook

from kaskad.accounts.models import User
from kaskad.core.errors import DomainError, PermissionDeniedError
from kaskad.networks.models import HubLink
from kaskad.networks.services import hub_link_create
from kaskad.projects.models import MentoringLink, MentoringSession
from kaskad.projects.reports import mentoring_rows, project_rows, project_rows_xlsx
from kaskad.projects.services import mentoring_link_add, mentoring_session_add
from kaskad.projects.tests.factories import (
    World,
    coordinator,
    make_world,
    person_user,
)
from kaskad.registry.models import Person
from kaskad.registry.tests.factories import make_organisation, make_person

pytestmark = pytest.mark.django_db


def _hub(world: World, *, year: int = 2024) -> tuple[HubLink, Person]:
    mentor_school = make_organisation(name="Назарбаев Зияткерлік мектебі, Астана", kind="nis")
    mentee_school = make_organisation(name="Ауыл мектебі № 3", locality="rural")
    link = hub_link_create(
        year=year, mentor=mentor_school, mentee=mentee_school, kind="rural", by=world.admin
    )
    return link, make_person(organisation=mentor_school)


def _link(world: World) -> tuple[MentoringLink, User]:
    hub, mentor_person = _hub(world)
    link = mentoring_link_add(project=world.project, hub_link=hub, by=world.admin)
    return link, person_user(mentor_person)


def test_mentor_school_person_logs_a_session() -> None:
    world = make_world()
    link, mentor = _link(world)
    session = mentoring_session_add(
        link=link,
        held_on=date(2024, 11, 20),
        form="visit",
        topic="Зерттеу сұрағын нақтылау",
        notes="Екі сабаққа қатыстық.",
        next_steps="Бақылау кестесі",
        by=mentor,
    )
    assert session.mentor is not None
    assert session.mentor.pk == mentor.person_id
    assert list(link.sessions.all()) == [session]


def test_link_outside_the_project_years_or_twice_is_refused() -> None:
    world = make_world()
    late, _ = _hub(world, year=2030)
    with pytest.raises(DomainError) as error:
        mentoring_link_add(project=world.project, hub_link=late, by=world.admin)
    assert error.value.field == "hub_link"
    assert "2030" in str(error.value.message)
    link, _ = _link(world)
    with pytest.raises(DomainError) as error:
        mentoring_link_add(project=world.project, hub_link=link.hub_link, by=world.admin)
    assert error.value.code == "link_twice"
    assert MentoringLink.objects.count() == 1


def test_only_managers_add_links() -> None:
    world = make_world()
    hub, person = _hub(world)
    with pytest.raises(PermissionDeniedError):
        mentoring_link_add(project=world.project, hub_link=hub, by=person_user(person))
    assert not MentoringLink.objects.exists()


@pytest.mark.parametrize(
    ("held_on", "form", "topic", "field"),
    [
        (date(2024, 11, 20), "email", "Topic", "form"),
        (date(2024, 11, 20), "visit", "   ", "topic"),
        (date(2023, 5, 1), "visit", "Topic", "held_on"),
        (date(2025, 9, 1), "online", "Topic", "held_on"),
    ],
)
def test_bad_sessions_are_refused_and_nothing_is_written(
    held_on: date, form: str, topic: str, field: str
) -> None:
    world = make_world()
    link, mentor = _link(world)
    with pytest.raises(DomainError) as error:
        mentoring_session_add(link=link, held_on=held_on, form=form, topic=topic, by=mentor)
    assert error.value.field == field
    assert not MentoringSession.objects.exists()


def test_mentee_school_and_team_members_do_not_write_the_log() -> None:
    world = make_world()
    link, _ = _link(world)
    mentee_person = make_person(organisation=link.hub_link.mentee)
    for user in (person_user(mentee_person), person_user(world.teachers[0])):
        with pytest.raises(PermissionDeniedError):
            mentoring_session_add(
                link=link, held_on=date(2024, 11, 20), form="phone", topic="T", by=user
            )
    assert not MentoringSession.objects.exists()


def test_log_page_seen_like_the_project_out_of_scope_is_404() -> None:
    world = make_world()
    link, mentor = _link(world)
    mentoring_session_add(
        link=link, held_on=date(2024, 12, 2), form="online", topic="Кері байланыс", by=mentor
    )
    url = f"/projects/mentoring/{link.pk}/"
    member = Client()
    member.force_login(person_user(world.teachers[0]))
    response = member.get(url)
    assert response.status_code == 200
    assert "Кері байланыс" in response.content.decode()
    # The team member reads the log; posting a session is not theirs to do.
    assert member.post(url, {"action": "session"}).status_code == 404
    outsider = Client()
    outsider.force_login(coordinator("ALA"))
    assert outsider.get(url).status_code == 404
    assert outsider.get("/projects/mentoring/987654/").status_code == 404
    # The mentor school's teacher is not a project member: the log is not theirs to see.
    stranger = Client()
    stranger.force_login(mentor)
    assert stranger.get(url).status_code == 404


def test_session_posted_from_the_page_with_errors_on_the_field() -> None:
    world = make_world()
    link, _ = _link(world)
    url = f"/projects/mentoring/{link.pk}/"
    client = Client()
    client.force_login(world.admin)
    bad = client.post(
        url,
        {
            "action": "session",
            "session-held_on": "2023-01-10",
            "session-form": "visit",
            "session-topic": "Жоспар",
        },
    )
    assert bad.status_code == 400
    assert "outside the link" in bad.content.decode()
    assert not MentoringSession.objects.exists()
    good = client.post(
        url,
        {
            "action": "session",
            "session-held_on": "2024-10-15",
            "session-form": "visit",
            "session-topic": "Жоспар",
        },
    )
    assert good.status_code == 302
    assert MentoringSession.objects.get().topic == "Жоспар"


def test_project_page_lists_and_adds_links() -> None:
    world = make_world()
    hub, _ = _hub(world)
    client = Client()
    client.force_login(world.admin)
    url = f"/projects/{world.project.code}/"
    page = client.get(url).content.decode()
    assert "Cover a hub-school link" in page
    response = client.post(url, {"action": "mentoring", "mentoring-hub_link": str(hub.pk)})
    assert response.status_code == 302
    assert MentoringLink.objects.filter(project=world.project, hub_link=hub).exists()
    bad = client.post(url, {"action": "mentoring", "mentoring-hub_link": "x"})
    assert bad.status_code == 400


def test_report_counts_sessions_per_link_on_screen_and_xlsx() -> None:
    world = make_world()
    link, mentor = _link(world)
    for day in (date(2024, 10, 1), date(2024, 11, 5)):
        mentoring_session_add(link=link, held_on=day, form="visit", topic="T", by=mentor)
    rows = mentoring_rows(user=world.admin)
    assert [(r.sessions, r.last_session) for r in rows] == [(2, "2024-11-05")]
    assert mentoring_rows(user=world.admin, year=2025) == []
    assert mentoring_rows(user=coordinator("ALA")) == []
    book = load_workbook(
        io.BytesIO(project_rows_xlsx(project_rows(user=world.admin), rows)), read_only=True
    )
    sheet = book.worksheets[1]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[1][5] == 2
    client = Client()
    client.force_login(world.admin)
    assert "Ауыл мектебі № 3" in client.get("/projects/reports/").content.decode()
