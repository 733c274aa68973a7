"""Delivery's JSON API: cohorts, enrolment (with the waitlist), rosters and attendance.

Thin on purpose: reads go through `kaskad.delivery.selectors` (scope first: a cohort out of
scope answers 404 exactly like a missing one), writes through `kaskad.delivery.services`,
whose refusals become 4xx answers with a stable code and a message in the caller's language.

Enrolment never fails because a cohort is full: the answer is 201 with
`{"status": "waitlisted", "waitlist_position": n}`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from kaskad.accounts.scopes import iin_for, user_scope
from kaskad.catalogue.models import Format
from kaskad.core.api import (
    ERRORS,
    MAX_ID,
    WRITE_ERRORS,
    ApiError,
    ErrorOut,
    PageOut,
    PageQuery,
    RecordId,
    api_user,
    paginate,
)
from kaskad.core.errors import DomainError
from kaskad.delivery import permissions, selectors
from kaskad.delivery.messages import outcome_text
from kaskad.delivery.models import AttendanceStatus, Cohort, CohortStatus, Enrolment
from kaskad.delivery.services.attendance import attendance_save
from kaskad.delivery.services.enrolment import (
    enrolment_request,
    enrolment_withdraw,
    person_for_enrolment,
)
from kaskad.registry.choices import Language
from kaskad.registry.identifiers import IdentifierError, parse_iin
from kaskad.registry.messages import message_for
from kaskad.registry.models import Branch, Person

router = Router(tags=["delivery"])


# --- Output schemas -----------------------------------------------------------------------------


class Ref(Schema):
    id: int
    code: str
    name: str


class VersionRef(Schema):
    id: int
    number: int
    title: str
    hours: int


class TrainerRef(Schema):
    person_id: int
    name: str
    is_lead: bool


class CohortOut(Schema):
    id: int
    code: str
    programme: Ref
    version: VersionRef
    branch: Ref
    format: str
    language: str
    starts_on: date
    ends_on: date
    capacity: int | None = Field(description="None for self-paced cohorts, which take everyone.")
    enrolled: int
    waitlisted: int
    seats_left: int | None
    status: str
    status_label: str
    trainers: list[TrainerRef]


class CohortPage(PageOut):
    items: list[CohortOut]


class SessionOut(Schema):
    id: int
    date: date
    starts_at: str
    ends_at: str
    hours: float
    place: str
    online_link: str


class CohortDetailOut(CohortOut):
    sessions: list[SessionOut]


class EnrolOut(Schema):
    enrolment_id: int
    cohort_id: int
    person_id: int
    status: str = Field(description="“enrolled” or “waitlisted”.")
    waitlist_position: int | None = Field(description="1 = next to get a seat; None if enrolled.")


class PersonRef(Schema):
    id: int
    iin: str = Field(description="Masked for roles that do not work with identities.")
    full_name: str


class RosterEntry(Schema):
    enrolment_id: int
    person: PersonRef
    status: str
    organisation: str | None
    hours_attended: float
    assessment_passed: bool | None = Field(
        description="Empty for those who may not see individual results (analysts)."
    )
    outcome: str = Field(description="Empty for those who may not see individual results.")


class WaitlistEntry(Schema):
    enrolment_id: int
    position: int
    person: PersonRef
    requested_at: str


class RosterOut(Schema):
    cohort_id: int
    capacity: int | None
    enrolled: list[RosterEntry]
    waitlist: list[WaitlistEntry]


class EnrolmentOut(Schema):
    id: int
    cohort_id: int
    person_id: int
    status: str
    outcome: str


class MarkOut(Schema):
    enrolment_id: int
    person: PersonRef
    status: str | None = Field(description="None: not marked yet.")


class AttendanceOut(Schema):
    session_id: int
    cohort_id: int
    read_only: bool
    marks: list[MarkOut]


# --- Serialisation ------------------------------------------------------------------------------


def _cohort(cohort: Cohort, trainers: list[Any] | None = None) -> dict[str, Any]:
    version = cohort.version
    programme = version.programme
    if trainers is None:
        trainers = list(cohort.trainers.all())  # prefetched by the list selector
    return {
        "id": cohort.pk,
        "code": cohort.code,
        "programme": {"id": programme.pk, "code": programme.code, "name": str(version.title)},
        "version": {
            "id": version.pk,
            "number": version.number,
            "title": str(version.title),
            "hours": version.hours,
        },
        "branch": {"id": cohort.branch.pk, "code": cohort.branch.code, "name": cohort.branch.name},
        "format": cohort.format,
        "language": cohort.language,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "capacity": cohort.capacity,
        "enrolled": cohort.enrolled_count,
        "waitlisted": cohort.waitlist_count,
        "seats_left": cohort.seats_left,
        "status": cohort.status,
        "status_label": str(cohort.get_status_display()),
        "trainers": [
            {"person_id": t.person_id, "name": t.person.full_name, "is_lead": t.is_lead}
            for t in trainers
        ],
    }


def _person(person: Person, user: Any) -> dict[str, Any]:
    return {
        "id": person.pk,
        "iin": iin_for(user, person),
        "full_name": person.full_name,
    }


# --- Cohorts ------------------------------------------------------------------------------------


class CohortQuery(PageQuery):
    status: CohortStatus | None = None
    programme: str = Field("", max_length=40, description="Programme code.")
    branch: str = Field("", max_length=8, description="Branch code, e.g. ALA.")
    format: Format | None = None
    language: Language | None = None
    starts_from: date | None = None
    starts_until: date | None = None
    q: str = Field("", max_length=100, description="Part of the code or programme title.")


@router.get("/cohorts", response={200: CohortPage, **ERRORS}, summary="Cohorts in your scope")
def cohort_list(request: HttpRequest, filters: Query[CohortQuery]) -> dict[str, Any]:
    """National roles see all cohorts; coordinators their branch's; trainers those they train;
    a teacher the cohorts they are enrolled in and every cohort open for enrolment."""
    branch_id = None
    if filters.branch:
        branch_id = (
            Branch.objects.filter(code__iexact=filters.branch).values_list("pk", flat=True).first()
        )
        if branch_id is None:
            raise ApiError(
                "unknown_branch",
                _("There is no branch with the code “%(code)s”.") % {"code": filters.branch},
                status=422,
                field="branch",
            )
    qs = selectors.cohort_list(
        user=api_user(request),
        worklist=False,
        filters=selectors.CohortFilters(
            status=filters.status.value if filters.status else "",
            programme=filters.programme,
            branch=branch_id,
            format=filters.format.value if filters.format else "",
            language=filters.language.value if filters.language else "",
            starts_from=filters.starts_from,
            starts_until=filters.starts_until,
            q=filters.q,
        ),
    )
    return paginate(qs, filters, _cohort)


@router.get("/cohorts/{cohort_id}", response={200: CohortDetailOut, **ERRORS}, summary="One cohort")
def cohort_detail(request: HttpRequest, cohort_id: RecordId) -> dict[str, Any]:
    cohort = selectors.cohort_get(user=api_user(request), pk=cohort_id)
    trainers = list(selectors.cohort_trainers(cohort=cohort))
    return {
        **_cohort(cohort, trainers),
        "sessions": [
            {
                "id": s.pk,
                "date": s.date,
                "starts_at": s.starts_at.strftime("%H:%M"),
                "ends_at": s.ends_at.strftime("%H:%M"),
                "hours": float(s.hours),
                "place": s.place,
                "online_link": s.online_link,
            }
            for s in selectors.cohort_sessions(cohort=cohort)
        ],
    }


class EnrolIn(Schema):
    model_config = ConfigDict(extra="forbid")

    iin: str | None = Field(
        None,
        max_length=20,
        description="Coordinators: the IIN of the person to enrol. Leave out to enrol yourself.",
    )


@router.post(
    "/cohorts/{cohort_id}/enrol",
    response={201: EnrolOut, 403: ErrorOut, **WRITE_ERRORS},
    summary="Enrol yourself or (coordinators) a person by IIN",
)
def cohort_enrol(
    request: HttpRequest, cohort_id: RecordId, payload: EnrolIn | None = None
) -> Status[dict[str, Any]]:
    """201 with `status` “enrolled”, or “waitlisted” and the `waitlist_position` when the cohort
    is full. Refusals: `cohort_not_open`, `already_enrolled`, `not_in_audience`,
    `cohort_other_branch` (409); `enrol_others_forbidden` (403) whenever someone who does
    not manage the cohort names another IIN, registered or not; an invalid IIN (400, with the
    reason); an IIN nobody in the coordinator's areas has, unknown or registered elsewhere
    (404 `unknown_iin`, the same answer for both)."""
    user = api_user(request)
    cohort = selectors.cohort_get_for_enrolment(user=user, pk=cohort_id)
    iin = (payload.iin or "").strip() if payload else ""
    if iin:
        try:
            iin = parse_iin(iin).iin
        except IdentifierError as exc:
            raise DomainError(exc.code, message_for(exc.code, exc.params), field="iin") from exc
        person = person_for_enrolment(cohort=cohort, iin=iin, by=user)
    else:
        person_id = user_scope(user).person_id
        if person_id is None:
            raise ApiError(
                "no_person",
                _("Your account is not linked to a person in the registry: send an “iin”."),
                status=400,
                field="iin",
            )
        people = Person.objects.all()
        if cohort.format not in selectors.REMOTE_FORMATS:
            # Only the branch check of in-person cohorts reads the organisation and its area.
            people = people.select_related("current_organisation__area")
        person = people.get(pk=person_id)
    enrolment = enrolment_request(cohort=cohort, person=person, by=user, source="api")
    return Status(
        201,
        {
            "enrolment_id": enrolment.pk,
            "cohort_id": cohort.pk,
            "person_id": person.pk,
            "status": enrolment.status,
            "waitlist_position": enrolment.waitlist_position,
        },
    )


@router.post(
    "/enrolments/{enrolment_id}/withdraw",
    response={200: EnrolmentOut, **WRITE_ERRORS},
    summary="Withdraw an enrolment (your own, or one in a cohort you manage)",
)
def enrolment_withdraw_api(request: HttpRequest, enrolment_id: RecordId) -> dict[str, Any]:
    """The first person on the waitlist takes the freed seat at once. Someone else's enrolment
    answers 404."""
    user = api_user(request)
    enrolment = selectors.enrolment_get_for(user=user, pk=enrolment_id)
    enrolment = enrolment_withdraw(enrolment=enrolment, by=user)
    return _enrolment(enrolment)


def _enrolment(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "cohort_id": enrolment.cohort_id,
        "person_id": enrolment.person_id,
        "status": enrolment.status,
        "outcome": outcome_text(enrolment.outcome or []),
    }


@router.get(
    "/cohorts/{cohort_id}/roster",
    response={200: RosterOut, **ERRORS},
    summary="Participants and waitlist (coordinators and the cohort's trainers)",
)
def cohort_roster(request: HttpRequest, cohort_id: RecordId) -> dict[str, Any]:
    user = api_user(request)
    # The worklist: national roles, the branch's coordinators and the cohort's trainers.
    cohort = selectors.cohort_get(user=user, pk=cohort_id, worklist=True)
    results = permissions.sees_results(user, cohort)  # not for analysts (ADR 0002)
    enrolled = [
        {
            "enrolment_id": e.pk,
            "person": _person(e.person, user),
            "status": e.status,
            "organisation": e.organisation.name if e.organisation else None,
            "hours_attended": float(e.hours_attended),
            "assessment_passed": e.assessment_passed if results else None,
            "outcome": outcome_text(e.outcome or []) if results else "",
        }
        for e in selectors.cohort_roster(cohort=cohort)
    ]
    waitlist = [
        {
            "enrolment_id": e.pk,
            "position": position,
            "person": _person(e.person, user),
            "requested_at": e.requested_at.isoformat(),
        }
        for position, e in enumerate(selectors.cohort_waitlist(cohort=cohort), start=1)
    ]
    return {
        "cohort_id": cohort.pk,
        "capacity": cohort.capacity,
        "enrolled": enrolled,
        "waitlist": waitlist,
    }


# --- Attendance ---------------------------------------------------------------------------------


def _attendance(session: Any, user: Any) -> dict[str, Any]:
    rows = selectors.session_attendance(session=session)
    return {
        "session_id": session.pk,
        "cohort_id": session.cohort_id,
        "read_only": session.cohort.status not in selectors.MARKABLE_STATUSES,
        "marks": [
            {
                "enrolment_id": row.enrolment.pk,
                "person": _person(row.enrolment.person, user),
                "status": row.status or None,
            }
            for row in rows
        ],
    }


@router.get(
    "/sessions/{session_id}/attendance",
    response={200: AttendanceOut, **ERRORS},
    summary="Attendance of a session (the cohort's trainers and coordinators)",
)
def attendance_get(request: HttpRequest, session_id: RecordId) -> dict[str, Any]:
    user = api_user(request)
    return _attendance(selectors.session_get_for_marking(user=user, pk=session_id), user)


class MarkIn(Schema):
    model_config = ConfigDict(extra="forbid")

    enrolment_id: int = Field(ge=1, le=MAX_ID)
    status: AttendanceStatus


class AttendanceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    marks: list[MarkIn] = Field(max_length=5000)


@router.put(
    "/sessions/{session_id}/attendance",
    response={200: AttendanceOut, **WRITE_ERRORS},
    summary="Save attendance marks of a session in one go",
)
def attendance_put(
    request: HttpRequest, session_id: RecordId, payload: AttendanceIn
) -> dict[str, Any]:
    """Marks not sent are left as they are. Finished and closed cohorts answer 409."""
    user = api_user(request)
    session = selectors.session_get_for_marking(user=user, pk=session_id)
    marks: dict[int, str] = {}
    for mark in payload.marks:
        if mark.enrolment_id in marks:
            raise ApiError(
                "duplicate_mark",
                _("Enrolment %(id)s is marked twice.") % {"id": mark.enrolment_id},
                status=422,
                field="marks",
            )
        marks[mark.enrolment_id] = mark.status.value
    attendance_save(session=session, marks=marks, by=user)
    return _attendance(session, user)
