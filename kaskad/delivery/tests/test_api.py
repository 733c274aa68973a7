"""Delivery's JSON API: scope, enrolment answers, withdrawal, roster and attendance."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kaskad.accounts.tokens import api_token_create
from kaskad.delivery.models import Attendance, Enrolment
from kaskad.delivery.services.cohorts import cohort_set_status
from kaskad.delivery.services.enrolment import enrolment_request
from kaskad.delivery.services.trainers import trainer_assign
from kaskad.delivery.tests.factories import (
    add_session,
    coordinator_of,
    make_cohort,
    make_teacher,
    make_trainer,
    make_version,
    national_admin,
    teacher_user,
)
from kaskad.registry.tests.factories import branch, unique_iin

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    _token, raw = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def post(client: Client, url: str, body: Any = None) -> Any:
    if body is None:  # like `curl -X POST`: no body, no content type
        return client.generic("POST", url)
    return client.post(url, data=json.dumps(body), content_type="application/json")


def error_of(response: Any) -> dict[str, Any]:
    return response.json()["error"]


# --- cohorts ------------------------------------------------------------------------------------


def test_the_cohort_list_is_scoped(client: Client) -> None:
    ala = make_cohort(branch_obj=branch("ALA"))
    ast = make_cohort(branch_obj=branch("AST"))
    codes = [c["code"] for c in api(coordinator_of("ALA")).get("/api/cohorts").json()["items"]]
    assert codes == [ala.code]
    everything = api(national_admin()).get("/api/cohorts").json()
    assert everything["count"] == 2 and ast.code in [c["code"] for c in everything["items"]]


def test_a_teacher_sees_open_cohorts_and_their_own(client: Client) -> None:
    planned = make_cohort()
    open_one = make_cohort(status="open")
    caller = api(teacher_user(make_teacher()))
    codes = {c["code"] for c in caller.get("/api/cohorts").json()["items"]}
    assert codes == {open_one.code}
    assert caller.get(f"/api/cohorts/{planned.pk}").status_code == 404


def test_cohort_filters_and_their_bad_values(client: Client) -> None:
    admin_client = api(national_admin())
    online = make_cohort(format="online", status="open")
    make_cohort(format="classroom")
    found = admin_client.get("/api/cohorts", {"format": "online", "status": "open"}).json()
    assert [c["id"] for c in found["items"]] == [online.pk]
    assert admin_client.get("/api/cohorts", {"branch": "ala"}).json()["count"] == 2
    bad = admin_client.get("/api/cohorts", {"status": "paused"})
    assert bad.status_code == 422 and error_of(bad)["field"] == "status"
    unknown = admin_client.get("/api/cohorts", {"branch": "XYZ"})
    assert unknown.status_code == 422 and error_of(unknown)["code"] == "unknown_branch"


def test_the_cohort_list_takes_a_fixed_number_of_queries(client: Client) -> None:
    admin = national_admin()
    caller = api(admin)
    version = make_version()

    def cohorts(n: int) -> None:
        for _ in range(n):
            cohort = make_cohort(version=version, by=admin)
            person, _user = make_trainer(programme=version.programme)
            trainer_assign(cohort=cohort, person=person, by=admin)

    cohorts(2)
    caller.get("/api/cohorts")
    with CaptureQueriesContext(connection) as few:
        caller.get("/api/cohorts")
    cohorts(10)
    with CaptureQueriesContext(connection) as many:
        body = caller.get("/api/cohorts").json()
    assert body["count"] == 12 and all(c["trainers"] for c in body["items"])
    assert len(many) == len(few)


def test_one_cohort_with_its_sessions(client: Client) -> None:
    admin = national_admin()
    cohort = make_cohort(by=admin)
    add_session(cohort, by=admin, hours="4.5")
    body = api(admin).get(f"/api/cohorts/{cohort.pk}").json()
    assert body["code"] == cohort.code
    assert body["sessions"][0]["hours"] == 4.5 and body["sessions"][0]["place"] == "Room 101"
    assert api(coordinator_of("AST")).get(f"/api/cohorts/{cohort.pk}").status_code == 404


# --- enrolment ----------------------------------------------------------------------------------


def test_self_enrolment_then_the_waitlist_with_a_position(client: Client) -> None:
    cohort = make_cohort(capacity=1, status="open")
    first, second = make_teacher(), make_teacher()
    seat = post(api(teacher_user(first)), f"/api/cohorts/{cohort.pk}/enrol")
    assert seat.status_code == 201
    assert seat.json()["status"] == "enrolled" and seat.json()["waitlist_position"] is None
    wait = post(api(teacher_user(second)), f"/api/cohorts/{cohort.pk}/enrol", {})
    assert wait.status_code == 201
    assert wait.json()["status"] == "waitlisted" and wait.json()["waitlist_position"] == 1


def test_a_coordinator_enrols_by_iin(client: Client) -> None:
    cohort = make_cohort(status="open")
    teacher = make_teacher()
    response = post(
        api(coordinator_of("ALA")), f"/api/cohorts/{cohort.pk}/enrol", {"iin": f" {teacher.iin} "}
    )
    assert response.status_code == 201
    assert response.json()["person_id"] == teacher.pk


@pytest.mark.parametrize(
    ("iin", "status", "code"),
    [
        ("871008401420", 400, "iin_checksum"),
        ("87100840142", 400, "iin_length"),
        ("87100840142x", 400, "iin_not_digits"),
        (None, 404, "unknown_iin"),  # a valid IIN nobody has
    ],
)
def test_bad_iins_answer_with_the_reason(iin: str | None, status: int, code: str) -> None:
    cohort = make_cohort(status="open")
    response = post(
        api(coordinator_of("ALA")), f"/api/cohorts/{cohort.pk}/enrol", {"iin": iin or unique_iin()}
    )
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert error_of(response)["field"] == "iin"
    assert not Enrolment.objects.exists()


def test_refusals_answer_409_with_a_code(client: Client) -> None:
    coordinator = api(coordinator_of("ALA"))
    closed = make_cohort(status="closed")
    teacher = make_teacher()
    response = post(coordinator, f"/api/cohorts/{closed.pk}/enrol", {"iin": teacher.iin})
    assert response.status_code == 409 and error_of(response)["code"] == "cohort_not_open"
    open_one = make_cohort(status="open")
    assert (
        post(coordinator, f"/api/cohorts/{open_one.pk}/enrol", {"iin": teacher.iin}).status_code
        == 201
    )
    again = post(coordinator, f"/api/cohorts/{open_one.pk}/enrol", {"iin": teacher.iin})
    assert again.status_code == 409
    assert error_of(again)["code"] == "already_enrolled"
    assert open_one.code in error_of(again)["message"]


def test_a_teacher_cannot_enrol_someone_else_by_iin(client: Client) -> None:
    cohort = make_cohort(status="open")
    other = make_teacher()
    response = post(
        api(teacher_user(make_teacher())), f"/api/cohorts/{cohort.pk}/enrol", {"iin": other.iin}
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "enrol_others_forbidden"


def test_an_account_without_a_person_must_send_an_iin(client: Client) -> None:
    cohort = make_cohort(status="open")
    response = post(api(national_admin()), f"/api/cohorts/{cohort.pk}/enrol")
    assert response.status_code == 400 and error_of(response)["code"] == "no_person"


def test_unknown_fields_and_bad_json_are_refused(client: Client) -> None:
    cohort = make_cohort(status="open")
    caller = api(teacher_user(make_teacher()))
    extra = post(caller, f"/api/cohorts/{cohort.pk}/enrol", {"person": 1})
    assert extra.status_code == 422 and error_of(extra)["code"] == "validation_error"
    broken = caller.post(
        f"/api/cohorts/{cohort.pk}/enrol", data="{", content_type="application/json"
    )
    assert broken.status_code == 400 and error_of(broken)["code"] == "malformed_json"


def test_session_callers_need_the_csrf_token(client: Client) -> None:
    cohort = make_cohort(status="open")
    teacher = make_teacher()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(teacher_user(teacher))
    response = browser.post(f"/api/cohorts/{cohort.pk}/enrol")
    assert response.status_code == 403 and error_of(response)["code"] == "csrf_failed"


# --- withdrawal ---------------------------------------------------------------------------------


def test_withdrawal_frees_the_seat_for_the_waitlist(client: Client) -> None:
    coordinator = coordinator_of("ALA")
    cohort = make_cohort(capacity=1, status="open")
    teacher = make_teacher()
    seat = enrolment_request(cohort=cohort, person=teacher, by=coordinator)
    waiting = enrolment_request(cohort=cohort, person=make_teacher(), by=coordinator)
    response = post(api(teacher_user(teacher)), f"/api/enrolments/{seat.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["outcome"] == "withdrawn by the participant"
    waiting.refresh_from_db()
    assert waiting.status == "enrolled"
    again = post(api(teacher_user(make_teacher())), f"/api/enrolments/{waiting.pk}/withdraw")
    assert again.status_code == 404


def test_withdrawing_twice_is_a_conflict(client: Client) -> None:
    teacher = make_teacher()
    enrolment = enrolment_request(
        cohort=make_cohort(status="open"), person=teacher, by=coordinator_of("ALA")
    )
    caller = api(teacher_user(teacher))
    post(caller, f"/api/enrolments/{enrolment.pk}/withdraw")
    response = post(caller, f"/api/enrolments/{enrolment.pk}/withdraw")
    assert response.status_code == 409 and error_of(response)["code"] == "enrolment_not_active"


# --- roster and attendance ----------------------------------------------------------------------


@pytest.fixture
def running() -> dict[str, Any]:
    admin = national_admin()
    cohort = make_cohort(capacity=2, status="open", by=admin)
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


def test_the_roster_for_trainers_with_masked_iins(running: dict[str, Any]) -> None:
    body = api(running["trainer"]).get(f"/api/cohorts/{running['cohort'].pk}/roster").json()
    assert len(body["enrolled"]) == 2
    assert [w["position"] for w in body["waitlist"]] == [1]
    assert body["enrolled"][0]["person"]["iin"].startswith("••••")
    full = api(coordinator_of("ALA")).get(f"/api/cohorts/{running['cohort'].pk}/roster").json()
    assert full["enrolled"][0]["person"]["iin"].isdigit()


def test_the_roster_is_not_for_teachers(running: dict[str, Any]) -> None:
    teacher = running["enrolments"][0].person
    response = api(teacher_user(teacher)).get(f"/api/cohorts/{running['cohort'].pk}/roster")
    assert response.status_code == 404


def test_the_roster_takes_a_fixed_number_of_queries(running: dict[str, Any]) -> None:
    caller = api(coordinator_of("ALA"))
    url = f"/api/cohorts/{running['cohort'].pk}/roster"
    caller.get(url)
    with CaptureQueriesContext(connection) as few:
        caller.get(url)
    cohort = running["cohort"]
    for _ in range(10):  # the cohort is running: straight into the table
        Enrolment.objects.create(
            cohort=cohort,
            person=make_teacher(),
            programme=cohort.version.programme,
            status="waitlisted",
            requested_at=cohort.created_at,
        )
    with CaptureQueriesContext(connection) as many:
        body = caller.get(url).json()
    assert len(body["waitlist"]) == 11
    assert len(many) == len(few)


def test_attendance_read_and_written(running: dict[str, Any]) -> None:
    caller = api(running["trainer"])
    url = f"/api/sessions/{running['session'].pk}/attendance"
    body = caller.get(url).json()
    assert [m["status"] for m in body["marks"]] == [None, None]
    a, b = (m["enrolment_id"] for m in body["marks"])
    response = caller.put(
        url,
        data=json.dumps(
            {
                "marks": [
                    {"enrolment_id": a, "status": "present"},
                    {"enrolment_id": b, "status": "absent"},
                ]
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 200
    assert {m["enrolment_id"]: m["status"] for m in response.json()["marks"]} == {
        a: "present",
        b: "absent",
    }
    assert Enrolment.objects.get(pk=a).hours_attended == 6


@pytest.mark.parametrize(
    ("marks", "status", "code"),
    [
        ([{"enrolment_id": 1, "status": "late"}], 422, "validation_error"),
        ([{"enrolment_id": 10**9, "status": "present"}], 400, "not_on_roster"),
        ("present", 422, "validation_error"),
    ],
)
def test_bad_attendance_input(running: dict[str, Any], marks: Any, status: int, code: str) -> None:
    url = f"/api/sessions/{running['session'].pk}/attendance"
    response = api(running["trainer"]).put(
        url, data=json.dumps({"marks": marks}), content_type="application/json"
    )
    assert response.status_code == status
    assert error_of(response)["code"] == code
    assert not Attendance.objects.exists()


def test_the_same_enrolment_twice_is_refused(running: dict[str, Any]) -> None:
    enrolment = running["enrolments"][0]
    url = f"/api/sessions/{running['session'].pk}/attendance"
    marks = [
        {"enrolment_id": enrolment.pk, "status": "present"},
        {"enrolment_id": enrolment.pk, "status": "absent"},
    ]
    response = api(running["trainer"]).put(
        url, data=json.dumps({"marks": marks}), content_type="application/json"
    )
    assert response.status_code == 422 and error_of(response)["code"] == "duplicate_mark"


def test_attendance_by_a_non_trainer_is_not_found(running: dict[str, Any]) -> None:
    url = f"/api/sessions/{running['session'].pk}/attendance"
    for user in (teacher_user(running["enrolments"][0].person), coordinator_of("AST")):
        caller = api(user)
        assert caller.get(url).status_code == 404
        response = caller.put(url, data=json.dumps({"marks": []}), content_type="application/json")
        assert response.status_code == 404


def test_attendance_of_a_finished_cohort_is_read_only(running: dict[str, Any]) -> None:
    cohort_set_status(cohort=running["cohort"], status="finished", by=running["admin"])
    url = f"/api/sessions/{running['session'].pk}/attendance"
    caller = api(running["trainer"])
    assert caller.get(url).json()["read_only"] is True
    enrolment = running["enrolments"][0]
    response = caller.put(
        url,
        data=json.dumps({"marks": [{"enrolment_id": enrolment.pk, "status": "present"}]}),
        content_type="application/json",
    )
    assert response.status_code == 409 and error_of(response)["code"] == "attendance_read_only"


def test_enrolment_takes_a_small_fixed_number_of_queries() -> None:
    """The enrol call is the busiest one (whole cohorts of teachers at once): token, roles,
    cohort, person, job, active enrolment, then lock, insert, counters and audit."""
    cohort = make_cohort(status="open", capacity=1)
    counts = []
    for _ in range(3):  # a seat, then the waitlist twice
        caller = api(teacher_user(make_teacher()))
        with CaptureQueriesContext(connection) as queries:
            assert post(caller, f"/api/cohorts/{cohort.pk}/enrol").status_code == 201
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2]
    assert counts[0] <= 14
