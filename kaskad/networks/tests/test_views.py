from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.networks.models import LeadingSchool, RequestStatus, SupportEvent, SupportRequest
from kaskad.networks.tests.factories import make_centre, make_network
from kaskad.networks.years import academic_year
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_network_pages_for_a_coordinator() -> None:
    year = academic_year()
    centre = make_centre(year=year)
    leading, partners = make_network(year=year, partners=3, centre=centre)
    coordinator = _client(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))]))
    page = coordinator.get(reverse("networks:network"), {"year": year})
    assert page.status_code == 200
    body = page.content.decode()
    assert str(leading.school) in body and str(partners[0]) in body
    assert "fewer than 8 partner schools" in body
    school = coordinator.get(reverse("networks:school", args=[partners[0].pk]))
    assert school.status_code == 200 and str(leading.school) in school.content.decode()
    assert coordinator.get(reverse("networks:import")).status_code == 200
    assert coordinator.get(reverse("networks:template")).status_code == 200
    response = coordinator.post(
        reverse("networks:copy"),
        {"branch": branch("AST").pk, "from_year": year, "to_year": year + 1},
    )
    assert response.status_code == 302
    assert LeadingSchool.objects.filter(year=year + 1).count() == 1
    reports = coordinator.get(reverse("networks:reports"))
    assert reports.status_code == 200
    xlsx = coordinator.get(reverse("networks:reports"), {"format": "xlsx"})
    assert xlsx.content.startswith(b"PK")


def test_import_page_shows_errors_and_writes_nothing() -> None:
    coordinator = _client(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))]))
    upload = SimpleUploadedFile("net.csv", b"role,bin,parent_bin\nleading,940140000385,\n")
    page = coordinator.post(reverse("networks:import"), {"year": academic_year(), "file": upload})
    assert page.status_code == 200
    assert "No organisation in the registry has this BIN" in page.content.decode()
    assert not LeadingSchool.objects.exists()


def test_other_branch_and_teacher_do_not_see_the_network() -> None:
    make_network(year=academic_year(), partners=1)
    other = _client(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]))
    page = other.get(reverse("networks:network"))
    assert page.status_code == 200 and "General school" not in page.content.decode()
    teacher = _client(make_user(roles=[(Role.TEACHER, None)], person=make_person()))
    assert teacher.get(reverse("networks:network")).status_code == 404
    assert teacher.get(reverse("networks:import")).status_code == 404
    assert teacher.get(reverse("networks:reports")).status_code == 404


def test_event_and_request_pages_end_to_end() -> None:
    year = academic_year()
    leading, partners = make_network(year=year, partners=1)
    coordinator_user = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    coordinator = _client(coordinator_user)
    response = coordinator.post(
        reverse("networks:event_create"),
        {
            "branch": branch("AST").pk,
            "kind": "seminar",
            "title": "Seminar",
            "topic": "content",
            "organiser_kind": "leading",
            "leading": leading.pk,
            "starts_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 60,
            "format": "in_person",
            "language": "kk",
            "venue": "Hall",
            "is_open": "on",
            "capacity": 2,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = SupportEvent.objects.get()
    teacher_person = make_person(organisation=partners[0])
    teacher_user = make_user(roles=[(Role.TEACHER, None)], person=teacher_person)
    teacher = _client(teacher_user)
    assert teacher.get(reverse("networks:event_detail", args=[event.pk])).status_code == 200
    teacher.post(reverse("networks:event_action", args=[event.pk]), {"action": "register"})
    assert event.participants.filter(person=teacher_person).exists()
    # Organiser-only actions are not found for the teacher.
    refused = teacher.post(
        reverse("networks:event_action", args=[event.pk]), {"action": "count", "count": 5}
    )
    assert refused.status_code == 404
    material = SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides")
    coordinator.post(
        reverse("networks:event_action", args=[event.pk]), {"action": "material", "file": material}
    )
    assert event.materials.count() == 1
    page = coordinator.get(reverse("networks:event_detail", args=[event.pk]))
    assert teacher_person.surname in page.content.decode()
    # A request from the teacher, answered by the coordinator.
    response = teacher.post(
        reverse("networks:request_create"), {"topic": "assessment", "text": "Help"}
    )
    assert response.status_code == 302
    request = SupportRequest.objects.get()
    assert request.leading == leading
    coordinator.post(
        reverse("networks:request_action", args=[request.pk]),
        {"action": "answer", "text": "Here is how"},
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.ANSWERED
    teacher.post(
        reverse("networks:request_action", args=[request.pk]), {"action": "close", "rating": "4"}
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.CLOSED and request.rating == 4
    assert teacher.get(reverse("networks:request_list"), {"queue": "mine"}).status_code == 200
    # Someone of another branch: the request and the event do not exist for them.
    stranger = _client(make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]))
    assert stranger.get(reverse("networks:request_detail", args=[request.pk])).status_code == 404
    assert stranger.get(reverse("networks:event_detail", args=[event.pk])).status_code == 404
    far = make_person(organisation=make_organisation(area=area_of("ALA")))
    leader = _client(make_user(roles=[(Role.SCHOOL_LEADER, partners[0])]))
    filed = leader.post(
        reverse("networks:request_create"), {"topic": "other", "text": "x", "person": far.pk}
    )
    assert filed.status_code == 404


def test_a_partner_schools_leader_sees_the_schools_of_their_network_only() -> None:
    leading, partners = make_network(year=academic_year(), partners=2)
    leader = _client(make_user(roles=[(Role.SCHOOL_LEADER, partners[0])]))
    assert leader.get(reverse("networks:school", args=[leading.school_id])).status_code == 200
    assert leader.get(reverse("networks:school", args=[partners[1].pk])).status_code == 200
    stranger = make_organisation(area=area_of("AST"))
    assert leader.get(reverse("networks:school", args=[stranger.pk])).status_code == 404


def test_a_material_of_a_refused_kind_is_not_stored() -> None:
    coordinator_user = make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))])
    from kaskad.networks.tests.test_support import _event

    event = _event(coordinator_user, is_open=False)
    coordinator = _client(coordinator_user)
    upload = SimpleUploadedFile("tool.exe", b"MZ")
    response = coordinator.post(
        reverse("networks:event_action", args=[event.pk]),
        {"action": "material", "file": upload},
        follow=True,
    )
    assert "this kind of file is not accepted" in response.content.decode()
    assert not event.materials.exists()
