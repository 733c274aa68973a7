"""Transfer requests: a coordinator asks by IIN for a person registered in another branch;
that branch decides. The asking side learns nothing about where the person works, a side
with no part in the request sees a 404, and approval moves the person through the registry
service (history kept, audit entries, notifications)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kaskad.accounts.models import Role, User
from kaskad.accounts.tests.factories import make_user
from kaskad.core.models import AuditEntry, Notification
from kaskad.registry.models import Employment, Person, TransferRequest
from kaskad.registry.tests.factories import area_of, branch, make_organisation, make_person

pytestmark = pytest.mark.django_db


def client_for(user: User) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def post_json(user: User, url: str, body: Any = None) -> Any:
    return client_for(user).post(
        url, json.dumps(body if body is not None else {}), content_type="application/json"
    )


@pytest.fixture
def world() -> dict[str, Any]:
    almaty_school = make_organisation(area=area_of("ALA"), name="Алматы мектебі")
    astana_school = make_organisation(area=area_of("AST"), name="Астана мектебі")
    teacher = make_person(
        organisation=almaty_school,
        surname="Серікова",
        given_name="Дана",
        started_on=date(2016, 9, 1),
        subjects=["chemistry"],
        category="expert",
        experience_years=9,
    )
    return {
        "almaty_school": almaty_school,
        "astana_school": astana_school,
        "teacher": teacher,
        "astana": make_user(roles=[(Role.BRANCH_COORDINATOR, branch("AST"))]),
        "almaty": make_user(roles=[(Role.BRANCH_COORDINATOR, branch("ALA"))]),
        "karaganda": make_user(roles=[(Role.BRANCH_COORDINATOR, branch("KAR"))]),
    }


def request_transfer(w: dict[str, Any], **values: Any) -> Any:
    form = {
        "iin": w["teacher"].iin,
        "to_organisation": w["astana_school"].pk,
        "position": "teacher",
        "transfer_date": "2025-09-01",
        "note": "She moves to Astana with her family.",
        **values,
    }
    return client_for(w["astana"]).post("/registry/transfers/new/", form)


def test_request_approve_moves_the_person_and_keeps_history(world) -> None:
    w = world
    response = request_transfer(w)
    transfer = TransferRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/registry/transfers/{transfer.pk}/"
    assert (transfer.status, transfer.from_organisation) == ("pending", w["almaty_school"])

    # The asking side sees the request, but nothing of where she works or who she is.
    page = client_for(w["astana"]).get(f"/registry/transfers/{transfer.pk}/").content.decode()
    assert w["teacher"].iin in page and w["astana_school"].name in page
    for secret in (w["almaty_school"].name, "Серікова", "Almaty"):
        assert secret not in page
    api = client_for(w["astana"]).get(f"/api/transfers/{transfer.pk}").json()
    assert api["from_organisation"] is None and api["person_id"] is None

    # The person's branch is told and decides.
    note = Notification.objects.get(recipient=w["almaty"])
    assert note.url == f"/registry/transfers/{transfer.pk}/"
    listing = client_for(w["almaty"]).get("/registry/transfers/").content.decode()
    assert "Серікова Дана" in listing and w["almaty_school"].name in listing
    response = client_for(w["almaty"]).post(f"/registry/transfers/{transfer.pk}/approve/")
    assert response.status_code == 302

    teacher = Person.objects.get(pk=w["teacher"].pk)
    assert teacher.current_organisation == w["astana_school"]
    old, new = Employment.objects.filter(person=teacher).order_by("started_on")
    assert (old.organisation, old.started_on, old.ended_on) == (
        w["almaty_school"],
        date(2016, 9, 1),
        date(2025, 8, 31),
    )
    assert (new.organisation, new.started_on, new.ended_on, new.is_primary) == (
        w["astana_school"],
        date(2025, 9, 1),
        None,
        True,
    )
    assert (new.category, new.subjects, new.experience_years) == ("expert", ["chemistry"], 9)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decided_by, transfer.employment) == (
        "approved",
        w["almaty"],
        new,
    )
    # Who changed what, from what.
    trail = AuditEntry.objects.filter(actor=w["almaty"])
    assert trail.get(object_type="registry.employment", object_id=str(old.pk)).changes == {
        "ended_on": [None, "2025-08-31"]
    }
    assert trail.get(object_type="registry.transferrequest").changes["status"] == [
        "pending",
        "approved",
    ]
    assert AuditEntry.objects.get(
        actor=w["astana"], object_type="registry.transferrequest", action="create"
    ).changes["person"] == (teacher.pk)
    assert Notification.objects.filter(recipient=w["astana"]).count() == 1
    # Now she is in Astana's scope.
    assert client_for(w["astana"]).get(f"/registry/people/{teacher.pk}/").status_code == 200


def test_decline_needs_a_reason_and_the_requester_sees_it(world) -> None:
    w = world
    request_transfer(w)
    transfer = TransferRequest.objects.get()
    url = f"/api/transfers/{transfer.pk}/decline"
    assert post_json(w["almaty"], url, {"reason": "  "}).status_code == 422

    response = post_json(w["almaty"], url, {"reason": "She has a contract until June."})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    mine = client_for(w["astana"]).get("/api/transfers", {"direction": "outgoing"}).json()
    assert [(t["status"], t["reason"]) for t in mine["items"]] == [
        ("declined", "She has a contract until June.")
    ]
    note = Notification.objects.get(recipient=w["astana"])
    assert note.params["reason"] == "She has a contract until June."
    assert Person.objects.get(pk=w["teacher"].pk).current_organisation == w["almaty_school"]
    again = post_json(w["almaty"], f"/api/transfers/{transfer.pk}/approve")
    assert again.status_code == 409


def test_out_of_scope_request_looks_like_a_missing_one(world) -> None:
    w = world
    request_transfer(w)
    transfer = TransferRequest.objects.get()
    outsider = w["karaganda"]
    for url in (f"/api/transfers/{transfer.pk}", f"/api/transfers/{transfer.pk + 1000}"):
        response = client_for(outsider).get(url)
        assert response.status_code == 404
    seen = client_for(outsider).get(f"/api/transfers/{transfer.pk}").json()
    missing = client_for(outsider).get(f"/api/transfers/{transfer.pk + 1000}").json()
    assert seen == missing
    assert post_json(outsider, f"/api/transfers/{transfer.pk}/approve").json() == missing
    page = client_for(outsider).get(f"/registry/transfers/{transfer.pk}/")
    assert page.status_code == 404
    assert client_for(outsider).post(f"/registry/transfers/{transfer.pk}/approve/").status_code == (
        404
    )
    # The asking side sees its request but may not decide it: 403 (it knows the request).
    assert post_json(w["astana"], f"/api/transfers/{transfer.pk}/approve").status_code == 403
    mine = client_for(w["astana"]).post(f"/registry/transfers/{transfer.pk}/approve/")
    assert mine.status_code == 403
    # ... and the deciding side may not withdraw it.
    theirs = client_for(w["almaty"]).post(f"/registry/transfers/{transfer.pk}/cancel/")
    assert theirs.status_code == 403
    assert TransferRequest.objects.get().status == "pending"


def test_request_rules(world) -> None:
    w = world
    astana_teacher = make_person(organisation=w["astana_school"])
    api = "/api/transfers"
    body = {
        "iin": w["teacher"].iin,
        "to_organisation_id": w["astana_school"].pk,
        "position": "teacher",
        "transfer_date": "2025-09-01",
    }
    own = post_json(w["astana"], api, {**body, "iin": astana_teacher.iin})
    assert (own.status_code, own.json()["error"]["code"]) == (400, "person_in_scope")
    unknown = post_json(w["astana"], api, {**body, "iin": "000101500015"})
    assert unknown.json()["error"]["code"] in {"iin_checksum", "person_not_registered"}
    foreign = post_json(w["astana"], api, {**body, "to_organisation_id": w["almaty_school"].pk})
    assert foreign.status_code == 404
    assert post_json(w["astana"], api, body).status_code == 201
    twice = post_json(w["astana"], api, body)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "transfer_pending")
    teacher_user = make_user(roles=[(Role.TEACHER, None)])
    assert post_json(teacher_user, api, body).status_code == 403


def test_approval_never_invents_a_date(world) -> None:
    w = world
    request_transfer(w, transfer_date="2016-09-01")  # the day her current job began
    transfer = TransferRequest.objects.get()

    response = post_json(w["almaty"], f"/api/transfers/{transfer.pk}/approve")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "employment_not_after_current"
    assert TransferRequest.objects.get().status == "pending"
    assert Employment.objects.get(person=w["teacher"]).ended_on is None


def test_national_administrator_decides_for_a_person_without_a_branch(world) -> None:
    w = world
    free = make_person(surname="Жұмабаев", given_name="Ерлан", sex="M")
    admin = make_user(roles=[(Role.NATIONAL_ADMIN, None)])
    response = post_json(
        w["astana"],
        "/api/transfers",
        {
            "iin": free.iin,
            "to_organisation_id": w["astana_school"].pk,
            "position": "teacher",
            "transfer_date": "2025-09-01",
        },
    )
    assert response.status_code == 201
    transfer_id = response.json()["id"]
    assert Notification.objects.filter(recipient=admin).count() == 1
    assert post_json(admin, f"/api/transfers/{transfer_id}/approve").status_code == 200
    free.refresh_from_db()
    assert free.current_organisation == w["astana_school"]


def test_decline_page_asks_for_a_reason(world) -> None:
    w = world
    request_transfer(w)
    transfer = TransferRequest.objects.get()
    url = f"/registry/transfers/{transfer.pk}/decline/"
    client = client_for(w["almaty"])

    empty = client.post(url, {"reason": ""})

    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    assert TransferRequest.objects.get().status == "pending"
    done = client.post(url, {"reason": "Not before the end of the school year."})
    assert done.status_code == 302
    page = client_for(w["astana"]).get(f"/registry/transfers/{transfer.pk}/").content.decode()
    assert "Not before the end of the school year." in page
    # Withdrawing a decided request is refused with a message, not an error page.
    withdraw = client_for(w["astana"]).post(f"/registry/transfers/{transfer.pk}/cancel/")
    assert withdraw.status_code == 302
    assert TransferRequest.objects.get().status == "declined"


def test_a_transfer_date_in_the_future_is_refused_on_the_page_and_in_the_api(world) -> None:
    """A transfer moves the person at once: a future date would take them from their branch
    while they still work there."""
    w = world
    tomorrow = timezone.localdate() + timedelta(days=1)

    page = request_transfer(w, transfer_date=tomorrow.isoformat())
    assert page.status_code == 200
    assert "A transfer takes effect on its date: request it on or after" in page.content.decode()
    api = post_json(
        w["astana"],
        "/api/transfers",
        {
            "iin": w["teacher"].iin,
            "to_organisation_id": w["astana_school"].pk,
            "position": "teacher",
            "transfer_date": "2099-12-31",
        },
    )
    assert api.status_code == 400
    error = api.json()["error"]
    assert (error["code"], error["field"]) == ("transfer_date_in_future", "transfer_date")
    assert "31.12.2099" in error["message"]
    assert not TransferRequest.objects.exists()

    assert request_transfer(w, transfer_date=timezone.localdate().isoformat()).status_code == 302
    assert TransferRequest.objects.count() == 1


def test_a_pending_request_is_approved_only_once_its_date_has_come(world) -> None:
    w = world
    request_transfer(w)
    transfer = TransferRequest.objects.get()
    # A request made before the rule, for a date still to come.
    TransferRequest.objects.filter(pk=transfer.pk).update(
        transfer_date=timezone.localdate() + timedelta(days=3)
    )

    response = post_json(w["almaty"], f"/api/transfers/{transfer.pk}/approve")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("transfer_date_in_future", "transfer_date")
    assert "approve it on or after" in error["message"]
    page = client_for(w["almaty"]).post(f"/registry/transfers/{transfer.pk}/approve/", follow=True)
    assert "approve it on or after" in page.content.decode()
    assert TransferRequest.objects.get().status == "pending"
    w["teacher"].refresh_from_db()
    assert w["teacher"].current_organisation == w["almaty_school"]
    assert Employment.objects.get(person=w["teacher"]).ended_on is None


def test_a_date_before_the_current_job_began_is_refused_at_approval(world) -> None:
    w = world
    request_transfer(w, transfer_date="2010-01-01")  # her current job began on 2016-09-01
    transfer = TransferRequest.objects.get()

    response = post_json(w["almaty"], f"/api/transfers/{transfer.pk}/approve")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "employment_not_after_current"
    assert TransferRequest.objects.get().status == "pending"
    assert Employment.objects.get(person=w["teacher"]).ended_on is None
