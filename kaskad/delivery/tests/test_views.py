"""The delivery pages: scope (out of scope is 404), forms and messages, query counts."""

from __future__ import annotations

import base64
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from kaskad.delivery.models import Attendance, Cohort, Enrolment
from kaskad.delivery.services.cohorts import cohort_set_status
from kaskad.delivery.services.enrolment import enrolment_request, enrolment_withdraw
from kaskad.delivery.services.trainers import trainer_assign
from kaskad.delivery.tests.factories import (
    START,
    accredit,
    add_session,
    coordinator_of,
    make_cohort,
    make_teacher,
    make_trainer,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import branch

pytestmark = pytest.mark.django_db


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(client: Client, response: Any) -> list[str]:
    page = client.get(response["Location"])
    return messages_of(page)


# --- lists and scope ----------------------------------------------------------------------------


def test_a_coordinator_lists_only_their_branch(client: Client) -> None:
    mine = make_cohort(branch_obj=branch("ALA"))
    other = make_cohort(branch_obj=branch("AST"))
    response = login(client, coordinator_of("ALA")).get(reverse("delivery:cohort_list"))
    assert response.status_code == 200
    text = response.content.decode()
    assert mine.code in text and other.code not in text


def test_a_trainer_lists_the_cohorts_they_train(client: Client) -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    other = make_cohort(by=admin)
    person, user = make_trainer(programme=cohort.version.programme)
    trainer_assign(cohort=cohort, person=person, by=admin)
    text = login(client, user).get(reverse("delivery:cohort_list")).content.decode()
    assert cohort.code in text and other.code not in text
    assert (
        login(client, user).get(reverse("delivery:cohort_detail", args=[other.pk])).status_code
        == 404
    )


def test_a_teacher_has_no_cohort_list(client: Client) -> None:
    response = login(client, teacher_user(make_teacher())).get(reverse("delivery:cohort_list"))
    assert response.status_code == 404


def test_another_branch_s_cohort_is_not_found(client: Client) -> None:
    cohort = make_cohort(branch_obj=branch("AST"))
    client = login(client, coordinator_of("ALA"))
    assert client.get(reverse("delivery:cohort_detail", args=[cohort.pk])).status_code == 404
    assert (
        client.post(
            reverse("delivery:cohort_status", args=[cohort.pk]), {"status": "open"}
        ).status_code
        == 404
    )
    assert client.get(reverse("delivery:enrol_list", args=[cohort.pk])).status_code == 404


def test_the_cohort_list_takes_a_fixed_number_of_queries(client: Client) -> None:
    admin = national_admin()
    client = login(client, admin)
    version = make_version()

    def cohorts(n: int) -> None:
        for _ in range(n):
            cohort = make_cohort(version=version, by=admin)
            person, _user = make_trainer(programme=version.programme)
            trainer_assign(cohort=cohort, person=person, by=admin)

    cohorts(2)
    client.get(reverse("delivery:cohort_list"))  # warm-up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("delivery:cohort_list")).status_code == 200
    cohorts(8)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("delivery:cohort_list"))
    assert len(response.context["page"].object_list) == 10
    assert len(many) == len(few)


def test_the_roster_takes_a_fixed_number_of_queries(client: Client) -> None:
    admin = national_admin()
    cohort = make_cohort(capacity=40, status="open", by=admin)
    add_session(cohort, by=admin)
    client = login(client, coordinator_of("ALA"))
    url = reverse("delivery:cohort_detail", args=[cohort.pk])

    def enrol(n: int) -> None:
        for _ in range(n):
            enrolment_request(cohort=cohort, person=make_teacher(), by=admin)

    enrol(3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    enrol(30)  # 40 seats: 33 enrolled, then the waitlist
    cohort.refresh_from_db()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 33
    assert len(many) == len(few)


# --- creating and running a cohort ----------------------------------------------------------------


def cohort_form(version: Any, **overrides: Any) -> dict[str, Any]:
    values = {
        "version": version.pk,
        "branch": branch("ALA").pk,
        "format": "classroom",
        "language": "kk",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-13",
        "capacity": "25",
        "code": "",
    }
    values.update(overrides)
    return values


def test_a_coordinator_creates_a_cohort_from_the_page(client: Client) -> None:
    version = make_version()
    client = login(client, coordinator_of("ALA"))
    response = client.post(reverse("delivery:cohort_create"), cohort_form(version))
    cohort = Cohort.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("delivery:cohort_detail", args=[cohort.pk])


def test_a_wrong_format_is_shown_on_its_field(client: Client) -> None:
    version = make_version(formats=["online"])
    client = login(client, coordinator_of("ALA"))
    response = client.post(reverse("delivery:cohort_create"), cohort_form(version))
    assert response.status_code == 200
    assert "not allowed by this programme version" in response.context["form"].errors["format"][0]
    assert not Cohort.objects.exists()


def test_another_branch_is_not_a_choice_for_a_coordinator(client: Client) -> None:
    version = make_version()
    client = login(client, coordinator_of("ALA"))
    response = client.post(
        reverse("delivery:cohort_create"), cohort_form(version, branch=branch("AST").pk)
    )
    assert "branch" in response.context["form"].errors
    assert not Cohort.objects.exists()


def test_a_draft_version_is_not_a_choice(client: Client) -> None:
    version = make_version(status="draft")
    client = login(client, coordinator_of("ALA"))
    response = client.post(reverse("delivery:cohort_create"), cohort_form(version))
    assert "version" in response.context["form"].errors


def test_status_changes_from_the_page(client: Client) -> None:
    cohort = make_cohort()
    client = login(client, coordinator_of("ALA"))
    url = reverse("delivery:cohort_status", args=[cohort.pk])
    response = client.post(url, {"status": "running"})
    assert any("cannot go from" in m for m in follow_messages(client, response))
    client.post(url, {"status": "open"})
    cohort.refresh_from_db()
    assert cohort.status == "open"


def test_a_classroom_session_without_a_place_is_refused_with_a_message(client: Client) -> None:
    cohort = make_cohort()
    client = login(client, coordinator_of("ALA"))
    response = client.post(
        reverse("delivery:session_add", args=[cohort.pk]),
        {
            "date": "2026-03-02",
            "starts_at": "09:00",
            "ends_at": "13:00",
            "hours": "4",
            "place": "",
            "online_link": "",
        },
    )
    assert any("needs a place" in m for m in follow_messages(client, response))
    assert not cohort.sessions.exists()


def test_assigning_an_unaccredited_trainer_says_why(client: Client) -> None:
    cohort = make_cohort()
    person = make_teacher(surname="Омарова", given_name="Гүлнар")
    accredit(person, cohort.version.programme, valid_until=START.replace(day=1))
    client = login(client, coordinator_of("ALA"))
    response = client.post(
        reverse("delivery:trainer_assign", args=[cohort.pk]), {"person": person.pk}
    )
    found = follow_messages(client, response)
    assert any("Омарова Гүлнар's accreditation" in m and "expired" in m for m in found)
    assert not cohort.trainers.exists()


def test_the_trainer_search_shows_accreditation_and_assigns(client: Client) -> None:
    cohort = make_cohort()
    trainer = make_teacher(surname="Сейітқали", given_name="Дәулет")
    accredit(trainer, cohort.version.programme)
    client = login(client, coordinator_of("ALA"))
    response = client.get(
        reverse("delivery:trainer_search", args=[cohort.pk]),
        {"q": "seyitkali"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "Сейітқали Дәулет" in text and "accredited until" in text
    assert "<html" not in text  # the results alone
    client.post(reverse("delivery:trainer_assign", args=[cohort.pk]), {"person": trainer.pk})
    assert cohort.trainers.get().person == trainer


def test_national_trainers_from_elsewhere_can_be_found_and_assigned(client: Client) -> None:
    cohort = make_cohort()
    national = make_teacher(branch_code="AST", surname="Жұмабаев", given_name="Асқар")
    accredit(national, cohort.version.programme, level="national")
    client = login(client, coordinator_of("ALA"))
    text = client.get(
        reverse("delivery:trainer_search", args=[cohort.pk]), {"q": "zhumabaev ask"}
    ).content.decode()
    assert "Жұмабаев Асқар" in text
    client.post(reverse("delivery:trainer_assign", args=[cohort.pk]), {"person": national.pk})
    assert cohort.trainers.get().person == national


def test_someone_unknown_to_the_coordinator_cannot_be_assigned(client: Client) -> None:
    cohort = make_cohort()
    stranger = make_teacher(branch_code="AST")  # no accreditation, other branch
    client = login(client, coordinator_of("ALA"))
    response = client.post(
        reverse("delivery:trainer_assign", args=[cohort.pk]), {"person": stranger.pk}
    )
    assert response.status_code == 404


# --- lists of IINs --------------------------------------------------------------------------------


def test_a_pasted_list_gives_a_result_table_and_a_csv(client: Client) -> None:
    cohort = make_cohort(capacity=1, status="open")
    a, b = make_teacher(), make_teacher()
    client = login(client, coordinator_of("ALA"))
    response = client.post(
        reverse("delivery:enrol_list", args=[cohort.pk]),
        {"iins": f"{a.iin}\n{b.iin}\n871008401420\n"},
    )
    assert response.status_code == 200
    results = response.context["results"]
    assert [r["outcome"] for r in results] == ["enrolled", "waitlisted", "refused"]
    text = response.content.decode()
    assert "check digit is wrong" in text
    assert "separate request" in text
    href = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', text)
    assert href is not None
    csv_text = base64.b64decode(href.group(1)).decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "Line,IIN,Name,Result,Waitlist position,Reason"
    assert f"2,{b.iin}," in csv_text and ",waitlisted,1," in csv_text


def test_an_uploaded_workbook_is_read(client: Client) -> None:
    cohort = make_cohort(status="open")
    teacher = make_teacher()
    workbook = Workbook()
    workbook.active.append(["ИИН"])
    workbook.active.append([teacher.iin])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.name = "list.xlsx"
    buffer.seek(0)
    client = login(client, coordinator_of("ALA"))
    response = client.post(reverse("delivery:enrol_list", args=[cohort.pk]), {"file": buffer})
    assert [r["outcome"] for r in response.context["results"]] == ["enrolled"]
    assert Enrolment.objects.get().person == teacher


def test_an_empty_list_or_a_closed_cohort_gets_a_message(client: Client) -> None:
    client = login(client, coordinator_of("ALA"))
    cohort = make_cohort(status="open")
    response = client.post(reverse("delivery:enrol_list", args=[cohort.pk]), {"iins": ""})
    assert "Paste a list of IINs or choose a file." in response.content.decode()
    closed = make_cohort(status="closed")
    response = client.post(
        reverse("delivery:enrol_list", args=[closed.pk]), {"iins": make_teacher().iin}
    )
    assert "does not take enrolments" in response.content.decode()


# --- attendance ---------------------------------------------------------------------------------


@pytest.fixture
def running() -> dict[str, Any]:
    admin = national_admin()
    cohort = make_cohort(status="open", by=admin)
    session = add_session(cohort, by=admin)
    person, trainer = make_trainer(programme=cohort.version.programme)
    trainer_assign(cohort=cohort, person=person, by=admin)
    enrolments = [
        enrolment_request(cohort=cohort, person=make_teacher(), by=admin) for _ in range(3)
    ]
    cohort = cohort_set_status(cohort=cohort, status="running", by=admin)
    return {
        "admin": admin,
        "cohort": cohort,
        "session": session,
        "trainer": trainer,
        "enrolments": enrolments,
    }


def test_the_trainer_sees_everyone_present_by_default_and_saves_exceptions(
    client: Client, running: dict[str, Any]
) -> None:
    client = login(client, running["trainer"])
    url = reverse("delivery:attendance", args=[running["session"].pk])
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('value="present" checked') == 3
    a, b, c = running["enrolments"]
    response = client.post(
        url, {f"mark-{a.pk}": "present", f"mark-{b.pk}": "absent", f"mark-{c.pk}": "excused"}
    )
    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        a.pk: "present",
        b.pk: "absent",
        c.pk: "excused",
    }
    assert any("1 of 3 present" in m for m in follow_messages(client, response))


def test_mark_all_present_saves_everyone_present(client: Client, running: dict[str, Any]) -> None:
    client = login(client, running["trainer"])
    url = reverse("delivery:attendance", args=[running["session"].pk])
    client.post(url, {"all_present": "1"})
    assert set(Attendance.objects.values_list("status", flat=True)) == {"present"}
    assert Attendance.objects.count() == 3


def test_attendance_by_someone_else_is_not_found(client: Client, running: dict[str, Any]) -> None:
    url = reverse("delivery:attendance", args=[running["session"].pk])
    for user in (
        teacher_user(make_teacher()),
        coordinator_of("AST"),
        make_trainer(programme=running["cohort"].version.programme)[1],
    ):
        client = login(Client(), user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"all_present": "1"}).status_code == 404
    assert not Attendance.objects.exists()


def test_finished_cohorts_show_attendance_read_only(
    client: Client, running: dict[str, Any]
) -> None:
    cohort_set_status(cohort=running["cohort"], status="finished", by=running["admin"])
    client = login(client, running["trainer"])
    url = reverse("delivery:attendance", args=[running["session"].pk])
    text = client.get(url).content.decode()
    assert "data-read-only" in text and " disabled" in text
    assert "Save attendance" not in text
    response = client.post(url, {"all_present": "1"})
    assert any("can no longer be changed" in m for m in follow_messages(client, response))
    assert not Attendance.objects.exists()


def test_the_attendance_screen_takes_a_fixed_number_of_queries(
    client: Client, running: dict[str, Any]
) -> None:
    client = login(client, running["trainer"])
    url = reverse("delivery:attendance", args=[running["session"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    cohort = running["cohort"]
    Cohort.objects.filter(pk=cohort.pk).update(capacity=30)
    for _ in range(20):
        person = make_teacher()
        Enrolment.objects.create(
            cohort=cohort,
            person=person,
            programme=cohort.version.programme,
            status="enrolled",
            requested_at=cohort.created_at,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 23
    assert len(many) == len(few)


# --- teachers -----------------------------------------------------------------------------------


def test_a_teacher_enrols_onto_the_waitlist_and_sees_the_position(client: Client) -> None:
    cohort = make_cohort(capacity=1, status="open")
    enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator_of("ALA"))
    teacher = make_teacher()
    client = login(client, teacher_user(teacher))
    offer = client.get(reverse("delivery:open_courses")).content.decode()
    assert cohort.code in offer and "Join the waitlist" in offer
    response = client.post(reverse("delivery:self_enrol", args=[cohort.pk]))
    assert response["Location"] == reverse("delivery:my_courses")
    page = client.get(response["Location"])
    assert any("number 1 on the waitlist" in m for m in messages_of(page))
    assert "No. 1 on the waitlist" in page.content.decode()


def test_the_offer_hides_other_branches_classrooms_and_other_audiences(client: Client) -> None:
    mine = make_cohort(status="open", code="MINE-1")
    elsewhere = make_cohort(branch_obj=branch("AST"), status="open", code="AST-CLASS-1")
    online = make_cohort(branch_obj=branch("AST"), format="online", status="open", code="AST-ONL-1")
    leaders = make_cohort(
        version=make_version(audience_positions=["director"]), status="open", code="LEAD-1"
    )
    planned = make_cohort(code="PLANNED-1")
    client = login(client, teacher_user(make_teacher()))
    rows = client.get(reverse("delivery:open_courses")).context["page"].object_list
    assert [r["cohort"].code for r in rows] == sorted([mine.code, online.code])
    assert elsewhere and leaders and planned


def test_withdrawing_someone_elses_enrolment_is_not_found(client: Client) -> None:
    cohort = make_cohort(status="open")
    enrolment = enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator_of("ALA"))
    client = login(client, teacher_user(make_teacher()))
    response = client.post(reverse("delivery:withdraw", args=[enrolment.pk]))
    assert response.status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == "enrolled"


def test_the_promoted_teacher_is_told_in_the_menu_and_on_the_notifications_page(
    client: Client,
) -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(capacity=1, status="open")
    seat = enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator)
    teacher = make_teacher()
    user = teacher_user(teacher)
    enrolment_request(cohort=cohort, person=teacher, by=user)
    enrolment_withdraw(enrolment=seat, by=coordinator)
    client = login(client, user)
    home = client.get(reverse("delivery:my_courses"))
    labels = [str(item.label) for item in home.context["nav_items"]]
    assert "Notifications (1)" in labels and "My courses" in labels
    page = client.get(reverse("delivery:notifications")).content.decode()
    assert f"A seat became free in cohort {cohort.code}" in page
    client.post(reverse("delivery:notifications"))
    labels = [str(i.label) for i in client.get(reverse("home")).context["nav_items"]]
    assert not any(label.startswith("Notifications") for label in labels)


def test_cohorts_are_in_the_menu_of_coordinators_and_trainers(client: Client) -> None:
    for user, expected in (
        (coordinator_of("ALA"), True),
        (make_trainer(programme=make_version().programme)[1], True),
        (teacher_user(make_teacher()), False),
    ):
        labels = [
            str(i.label) for i in login(Client(), user).get(reverse("home")).context["nav_items"]
        ]
        assert ("Cohorts" in labels) is expected


def test_someone_without_accreditation_gets_no_active_assign_button(client: Client) -> None:
    cohort = make_cohort()
    make_teacher(surname="Өтебаев", given_name="Нұрлан")
    client = login(client, coordinator_of("ALA"))
    text = client.get(
        reverse("delivery:trainer_search", args=[cohort.pk]),
        {"q": "Өтебаев"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Өтебаев Нұрлан" in text
    assert "An accreditation for this programme is needed first." in text
    assert 'type="submit"' not in text  # nothing that would post an assignment


def test_my_courses_takes_a_fixed_number_of_queries(client: Client) -> None:
    coordinator = coordinator_of("ALA")
    admin = national_admin()
    person = make_teacher()
    client = login(client, teacher_user(person))
    url = reverse("delivery:my_courses")

    def courses(n: int) -> None:
        # One current, one waitlisted and one completed course per round.
        for _round in range(n):
            enrolment_request(cohort=make_cohort(status="open"), person=person, by=coordinator)
            full = make_cohort(capacity=1, status="open")
            enrolment_request(cohort=full, person=make_teacher(), by=coordinator)
            enrolment_request(cohort=full, person=person, by=coordinator)
            done = make_cohort(version=make_version(assessment_scheme="none"), status="open")
            enrolment_request(cohort=done, person=person, by=coordinator)
            for status in ("running", "finished"):
                cohort_set_status(cohort=done, status=status, by=admin)

    courses(1)
    client.get(url)  # warm-up (session, content types)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    courses(3)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["courses"].current) == 4
    assert len(response.context["courses"].past) == 4
    assert len(many) == len(few)


def test_removing_someone_who_no_longer_trains_the_cohort_says_so(client: Client) -> None:
    # A second click on "remove" (or a stale page): the cohort is in scope, so the page says
    # what happened instead of pretending the cohort is missing.
    cohort = make_cohort(status="open")
    person = make_teacher()
    client = login(client, coordinator_of("ALA"))
    url = reverse("delivery:trainer_remove", args=[cohort.pk, person.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert "This person does not train the cohort." in messages_of(response)
