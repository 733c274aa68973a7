"""Writes of delivery: cohorts, sessions, trainers, enrolment with capacity and waitlist,
attendance and completion. The pages, the API and coordinators' lists all come here, so each
rule holds everywhere.

Capacity is enforced by the database, not by check-then-act: every change to who holds a seat
locks the cohort row (`select_for_update()`; on SQLite the IMMEDIATE transaction takes the
write lock), reads the counters from the locked row and writes the enrolment and the counters
in the same transaction. The CheckConstraint `cohort_never_over_capacity` is the backstop, and
the partial unique constraint `one_active_enrolment_per_programme` settles races between two
cohorts of the same programme.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.accounts.scopes import user_scope
from kaskad.cascade.models import Accreditation
from kaskad.cascade.selectors import valid_accreditation
from kaskad.catalogue.models import Format, Programme, ProgrammeVersion, VersionStatus
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError
from kaskad.core.localised import quoted
from kaskad.core.models import Notification
from kaskad.delivery.lists import ListLine
from kaskad.delivery.messages import PROMOTED_NOTIFICATION, outcome_text_en
from kaskad.delivery.models import (
    ACTIVE_ENROLMENT,
    COHORT_TRANSITIONS,
    Attendance,
    AttendanceChange,
    AttendanceStatus,
    Cohort,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
    Session,
)
from kaskad.delivery.selectors import (
    MARKABLE_STATUSES,
    READ_ONLY_STATUSES,
    REMOTE_FORMATS,
    active_enrolment,
    current_employment,
    manages_branch,
    manages_cohort,
    may_mark_attendance,
    person_branch_id,
    version_admits,
)
from kaskad.registry.choices import Language, Level, Position
from kaskad.registry.identifiers import IdentifierError, parse_iin
from kaskad.registry.messages import message_for
from kaskad.registry.models import Branch, Person


class StateConflict(DomainError):
    """The request is valid but the record's state does not allow it (HTTP 409)."""

    status = 409


class EnrolmentRefused(StateConflict):
    """An enrolment request that the rules refuse; the message says which rule."""


def _require_manager(user: Any, cohort: Cohort) -> None:
    # Out of scope looks the same as missing.
    if not manages_cohort(user, cohort):
        raise NotFoundError("not_found", _("Not found."))


def _status_label(status: str) -> str:
    return str(CohortStatus(status).label)


def _require_editable(cohort: Cohort) -> None:
    if cohort.status in READ_ONLY_STATUSES:
        raise StateConflict(
            "cohort_read_only",
            _("Cohort %(cohort)s is %(status)s: it can no longer be changed.")
            % {"cohort": cohort.code, "status": _status_label(cohort.status)},
        )


# --- Cohorts ------------------------------------------------------------------------------------


@dataclass
class CohortData:
    version: ProgrammeVersion
    branch: Branch
    format: str
    language: str
    starts_on: date
    ends_on: date
    capacity: int | None
    code: str = ""


def _choice_labels(values: Sequence[str], choices: Any) -> str:
    labels = dict(choices)
    return ", ".join(str(labels.get(v, v)) for v in values) or "—"


def _check_cohort_data(data: CohortData) -> None:
    version = data.version
    if version.status != VersionStatus.APPROVED:
        raise DomainError(
            "version_not_approved",
            _(
                "Version %(version)s of the programme is %(status)s: a cohort needs an approved "
                "version."
            )
            % {"version": version.number, "status": version.get_status_display()},
            field="version",
        )
    if data.format not in (version.formats or []):
        raise DomainError(
            "format_not_allowed",
            _(
                "The format “%(format)s” is not allowed by this programme version; allowed: "
                "%(allowed)s."
            )
            % {
                "format": _choice_labels([data.format], Format.choices),
                "allowed": _choice_labels(version.formats or [], Format.choices),
            },
            field="format",
        )
    if data.language not in (version.languages or []):
        raise DomainError(
            "language_not_allowed",
            _(
                "The language “%(language)s” is not offered by this programme version; offered: "
                "%(allowed)s."
            )
            % {
                "language": _choice_labels([data.language], Language.choices),
                "allowed": _choice_labels(version.languages or [], Language.choices),
            },
            field="language",
        )
    if data.format == Format.SELF_PACED:
        if data.capacity is not None:
            raise DomainError(
                "capacity_not_for_self_paced",
                _("A self-paced cohort takes everyone: leave the capacity empty."),
                field="capacity",
            )
    elif data.capacity is None:
        raise DomainError(
            "capacity_required",
            _("Give the number of seats: only self-paced cohorts have no capacity."),
            field="capacity",
        )
    elif data.capacity < 1:
        raise DomainError(
            "capacity_too_small", _("The capacity must be at least 1."), field="capacity"
        )
    if data.ends_on < data.starts_on:
        raise DomainError(
            "ends_before_start",
            _("The cohort ends (%(ends)s) before it starts (%(starts)s).")
            % {
                "ends": date_format(data.ends_on, "SHORT_DATE_FORMAT"),
                "starts": date_format(data.starts_on, "SHORT_DATE_FORMAT"),
            },
            field="ends_on",
        )


def _next_code(data: CohortData) -> str:
    prefix = f"{data.version.programme.code}-{data.branch.code}-{data.starts_on:%Y%m}"
    taken = set(Cohort.objects.filter(code__startswith=prefix).values_list("code", flat=True))
    number = 1
    while f"{prefix}-{number}" in taken:
        number += 1
    return f"{prefix}-{number}"


def cohort_create(*, data: CohortData, by: Any) -> Cohort:
    """A new planned cohort. The code is generated when not given
    (`<programme>-<branch>-<YYYYMM>-<n>`)."""
    if not manages_branch(by, data.branch.pk):
        raise PermissionDeniedError(
            "branch_out_of_scope",
            _("You can create cohorts only for your own branch."),
            field="branch",
        )
    _check_cohort_data(data)
    code = data.code.strip()
    if code and Cohort.objects.filter(code=code).exists():
        raise DomainError(
            "code_taken", _("The code %(code)s is already used.") % {"code": code}, field="code"
        )
    for _attempt in range(5):
        candidate = code or _next_code(data)
        try:
            with transaction.atomic():
                cohort = Cohort.objects.create(
                    code=candidate,
                    version=data.version,
                    branch=data.branch,
                    format=data.format,
                    language=data.language,
                    starts_on=data.starts_on,
                    ends_on=data.ends_on,
                    capacity=data.capacity,
                    created_by=by if getattr(by, "pk", None) else None,
                )
                audit_record(
                    actor=by,
                    action="create",
                    obj=cohort,
                    changes={
                        "version": data.version.pk,
                        "branch": data.branch.pk,
                        "format": data.format,
                        "language": data.language,
                        "starts_on": data.starts_on,
                        "ends_on": data.ends_on,
                        "capacity": data.capacity,
                    },
                )
                return cohort
        except IntegrityError:
            # Another coordinator took the same generated code a moment ago: try the next.
            if code:
                raise DomainError(
                    "code_taken",
                    _("The code %(code)s is already used.") % {"code": code},
                    field="code",
                ) from None
    raise StateConflict("code_busy", _("Could not find a free cohort code: try again."))


def _first_day(cohort: Cohort) -> date:
    first = cohort.sessions.order_by("date").values_list("date", flat=True).first()
    return first or cohort.starts_on


def _last_day(cohort: Cohort) -> date:
    last = cohort.sessions.order_by("-date").values_list("date", flat=True).first()
    return last or cohort.ends_on


def _check_dates(cohort: Cohort, status: str, early_start_reason: str) -> None:
    """The calendar rules of a status change: a course starts on (or after) its first day unless
    the manager gives a reason, and it cannot finish before its last session's day."""
    today = timezone.localdate()
    if status == CohortStatus.RUNNING:
        first = _first_day(cohort)
        if today < first and not early_start_reason.strip():
            raise StateConflict(
                "start_too_early",
                _(
                    "Cohort %(cohort)s cannot start before its first day (%(day)s). To start it "
                    "early, give the reason."
                )
                % {"cohort": cohort.code, "day": date_format(first, "SHORT_DATE_FORMAT")},
                field="early_start_reason",
            )
    if status == CohortStatus.FINISHED:
        last = _last_day(cohort)
        if today < last:
            raise StateConflict(
                "finish_too_early",
                _(
                    "Cohort %(cohort)s cannot finish before its last session's day (%(day)s): "
                    "completion is decided once every session has taken place."
                )
                % {"cohort": cohort.code, "day": date_format(last, "SHORT_DATE_FORMAT")},
                field="status",
            )


def cohort_set_status(
    *, cohort: Cohort, status: str, by: Any, early_start_reason: str = ""
) -> Cohort:
    """Move a cohort along planned → open → running → finished → closed (or back from open to
    planned). Finishing it decides every participant's completion.

    A cohort starts no earlier than its first session's day (its start date when it has no
    sessions) unless `early_start_reason` says why; the reason goes into the audit record. It
    finishes no earlier than its last session's day (its end date without sessions)."""
    _require_manager(by, cohort)
    if status not in CohortStatus.values:
        raise DomainError(
            "unknown_status",
            _("“%(status)s” is not a cohort status; use one of: %(allowed)s.")
            % {"status": status, "allowed": ", ".join(CohortStatus.values)},
            field="status",
        )
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().select_related("version").get(pk=cohort.pk)
        allowed = COHORT_TRANSITIONS[locked.status]
        if status not in allowed:
            if not allowed:
                message = _("Cohort %(cohort)s is %(from)s: its status can no longer change.")
            else:
                message = _(
                    "Cohort %(cohort)s cannot go from “%(from)s” to “%(to)s”; from “%(from)s” "
                    "it can only go to: %(allowed)s."
                )
            raise StateConflict(
                "illegal_transition",
                message
                % {
                    "cohort": locked.code,
                    "from": _status_label(locked.status),
                    "to": _status_label(status),
                    "allowed": ", ".join(quoted(_status_label(s)) for s in sorted(allowed)),
                },
                field="status",
            )
        _check_dates(locked, status, early_start_reason)
        before = locked.status
        if status == CohortStatus.FINISHED:
            _complete(locked, by=by)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        changes: dict[str, Any] = {"status": [before, status]}
        if status == CohortStatus.RUNNING and timezone.localdate() < _first_day(locked):
            changes["early_start_reason"] = early_start_reason.strip()
        audit_record(actor=by, action="update", obj=locked, changes=changes)
    return locked


def cohort_set_capacity(*, cohort: Cohort, capacity: int | None, by: Any) -> Cohort:
    """Change the number of seats; more seats promote people from the waitlist at once."""
    _require_manager(by, cohort)
    _require_editable(cohort)
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().select_related("version").get(pk=cohort.pk)
        if locked.format == Format.SELF_PACED:
            if capacity is not None:
                raise DomainError(
                    "capacity_not_for_self_paced",
                    _("A self-paced cohort takes everyone: leave the capacity empty."),
                    field="capacity",
                )
            return locked
        if capacity is None or capacity < 1:
            raise DomainError(
                "capacity_required", _("The capacity must be at least 1."), field="capacity"
            )
        if capacity < locked.enrolled_count:
            raise StateConflict(
                "capacity_below_enrolled",
                _("%(enrolled)s people are already enrolled: the capacity cannot be less.")
                % {"enrolled": locked.enrolled_count},
                field="capacity",
            )
        before = locked.capacity
        locked.capacity = capacity
        locked.save(update_fields=["capacity", "updated_at"])
        audit_record(
            actor=by, action="update", obj=locked, changes={"capacity": [before, capacity]}
        )
        _promote(locked, by=by)
    return locked


# --- Sessions -----------------------------------------------------------------------------------


@dataclass
class SessionData:
    date: date
    starts_at: time
    ends_at: time
    hours: Decimal
    place: str = ""
    online_link: str = ""


def session_add(*, cohort: Cohort, data: SessionData, by: Any) -> Session:
    _require_manager(by, cohort)
    _require_editable(cohort)
    place = data.place.strip()
    link = data.online_link.strip()
    if not cohort.starts_on <= data.date <= cohort.ends_on:
        raise DomainError(
            "session_outside_cohort",
            _("The session date must be within the cohort's dates (%(starts)s – %(ends)s).")
            % {
                "starts": date_format(cohort.starts_on, "SHORT_DATE_FORMAT"),
                "ends": date_format(cohort.ends_on, "SHORT_DATE_FORMAT"),
            },
            field="date",
        )
    if data.ends_at <= data.starts_at:
        raise DomainError(
            "session_ends_before_start",
            _("The session must end after it starts."),
            field="ends_at",
        )
    if not Decimal("0") < data.hours <= Decimal("24"):
        raise DomainError(
            "session_hours", _("The hours must be more than 0 and at most 24."), field="hours"
        )
    if link:
        try:
            URLValidator(schemes=["https", "http"])(link)
        except ValidationError:
            raise DomainError(
                "online_link_invalid",
                _("The online link must be a web address starting with https://."),
                field="online_link",
            ) from None
    if cohort.format == Format.CLASSROOM and not place:
        raise DomainError(
            "place_required",
            _("A classroom session needs a place (address and room)."),
            field="place",
        )
    if cohort.format in REMOTE_FORMATS and not link:
        raise DomainError(
            "online_link_required",
            _("An online session needs a link where participants join."),
            field="online_link",
        )
    if cohort.format == Format.BLENDED and not (place or link):
        raise DomainError(
            "place_or_link_required",
            _("A blended cohort's session needs a place, an online link, or both."),
            field="place",
        )
    with transaction.atomic():
        session = Session.objects.create(
            cohort=cohort,
            date=data.date,
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            hours=data.hours,
            place=place,
            online_link=link,
        )
        audit_record(
            actor=by,
            action="create",
            obj=session,
            changes={
                "cohort": cohort.pk,
                "date": data.date,
                "starts_at": data.starts_at,
                "ends_at": data.ends_at,
                "hours": str(data.hours),
                "place": place,
                "online_link": link,
            },
        )
    return session


MAX_SERIES = 200


def session_add_series(
    *,
    cohort: Cohort,
    data: SessionData,
    weekdays: Sequence[int],
    until: date,
    by: Any,
) -> list[Session]:
    """Sessions on the given weekdays (0 = Monday) from `data.date` to `until` inclusive, each
    with the times, hours, place and link of `data`: every one checked like a single session,
    all created or none."""
    _require_manager(by, cohort)
    _require_editable(cohort)
    days = sorted({int(d) for d in weekdays})
    if not days or any(not 0 <= d <= 6 for d in days):
        raise DomainError(
            "weekdays_required", _("Choose at least one day of the week."), field="weekdays"
        )
    if until < data.date:
        raise DomainError(
            "series_ends_before_start",
            _("The last day of the series is before its first day."),
            field="until",
        )
    dates = [
        data.date + timedelta(days=offset)
        for offset in range((until - data.date).days + 1)
        if (data.date + timedelta(days=offset)).weekday() in days
    ]
    if not dates:
        raise DomainError(
            "series_empty",
            _("No chosen day of the week falls between %(first)s and %(last)s.")
            % {
                "first": date_format(data.date, "SHORT_DATE_FORMAT"),
                "last": date_format(until, "SHORT_DATE_FORMAT"),
            },
            field="weekdays",
        )
    if len(dates) > MAX_SERIES:
        raise DomainError(
            "series_too_long",
            _("That makes %(count)s sessions; at most %(max)s can be added at once.")
            % {"count": len(dates), "max": MAX_SERIES},
            field="until",
        )
    existing = set(
        Session.objects.filter(cohort=cohort, date__in=dates, starts_at=data.starts_at).values_list(
            "date", flat=True
        )
    )
    with transaction.atomic():
        return [
            session_add(cohort=cohort, data=replace(data, date=day), by=by)
            for day in dates
            if day not in existing  # the same day and time twice is one session
        ]


def session_remove(*, session: Session, by: Any) -> None:
    cohort = session.cohort
    _require_manager(by, cohort)
    _require_editable(cohort)
    if Attendance.objects.filter(session=session).exists():
        raise StateConflict(
            "session_has_attendance",
            _("Attendance has been marked for this session: it cannot be removed."),
        )
    with transaction.atomic():
        audit_record(actor=by, action="delete", obj=session)
        session.delete()


# --- Trainers -----------------------------------------------------------------------------------


def _valid_accreditation(*, person: Person, programme: Programme, on: date) -> Any:
    return valid_accreditation(person=person, programme=programme, on=on)


def accreditation_problem(*, person: Person, programme: Programme, on: date) -> str:
    """Why a person may not train `programme` on `on`, in words a coordinator can act on."""
    name = person.full_name
    day = date_format(on, "SHORT_DATE_FORMAT")
    held = list(Accreditation.objects.filter(person=person).select_related("programme"))
    if not held:
        return gettext("%(name)s has no trainer accreditation.") % {"name": name}
    mine = [a for a in held if a.programme_id == programme.pk]
    if not mine:
        others = sorted({a.programme.code for a in held})
        return gettext(
            "%(name)s is accredited for other programmes only (%(others)s), not for %(programme)s."
        ) % {"name": name, "others": ", ".join(others), "programme": programme.code}
    active = [a for a in mine if a.revoked_at is None]
    if not active:
        last = max(mine, key=lambda a: a.revoked_at or timezone.now())
        revoked_on = timezone.localdate(last.revoked_at) if last.revoked_at else on
        text = gettext("%(name)s's accreditation for %(programme)s was revoked on %(date)s.") % {
            "name": name,
            "programme": programme.code,
            "date": date_format(revoked_on, "SHORT_DATE_FORMAT"),
        }
        if last.revoked_reason:
            text = f"{text} {gettext('Reason:')} {last.revoked_reason}"
        return text
    later = [a for a in active if a.valid_from > on]
    if later:
        first = min(later, key=lambda a: a.valid_from)
        return gettext(
            "%(name)s's accreditation for %(programme)s is valid only from %(from)s, after the "
            "cohort starts on %(on)s."
        ) % {
            "name": name,
            "programme": programme.code,
            "from": date_format(first.valid_from, "SHORT_DATE_FORMAT"),
            "on": day,
        }
    expired = [a for a in active if a.valid_until < on]
    if expired:
        last_expired = max(expired, key=lambda a: a.valid_until)
        return gettext(
            "%(name)s's accreditation for %(programme)s expired on %(until)s, before the cohort "
            "starts on %(on)s."
        ) % {
            "name": name,
            "programme": programme.code,
            "until": date_format(last_expired.valid_until, "SHORT_DATE_FORMAT"),
            "on": day,
        }
    return gettext("%(name)s has no valid accreditation for %(programme)s on %(on)s.") % {
        "name": name,
        "programme": programme.code,
        "on": day,
    }


def trainer_assign(
    *, cohort: Cohort, person: Person, by: Any, is_lead: bool = True
) -> CohortTrainer:
    """Only a person with a valid accreditation for the programme on the cohort's start date
    may train it; anything else is refused saying why."""
    _require_manager(by, cohort)
    _require_editable(cohort)
    if CohortTrainer.objects.filter(cohort=cohort, person=person).exists():
        raise DomainError(
            "trainer_already_assigned",
            _("%(name)s already trains this cohort.") % {"name": person.full_name},
            field="person",
        )
    programme = cohort.version.programme
    accreditation = _valid_accreditation(person=person, programme=programme, on=cohort.starts_on)
    if accreditation is None:
        raise DomainError(
            "trainer_not_accredited",
            accreditation_problem(person=person, programme=programme, on=cohort.starts_on),
            field="person",
        )
    try:
        with transaction.atomic():
            assignment = CohortTrainer.objects.create(
                cohort=cohort, person=person, accreditation=accreditation, is_lead=is_lead
            )
            audit_record(
                actor=by,
                action="create",
                obj=assignment,
                changes={
                    "cohort": cohort.pk,
                    "person": person.pk,
                    "accreditation": accreditation.pk,
                },
            )
    except IntegrityError:
        raise DomainError(
            "trainer_already_assigned",
            _("%(name)s already trains this cohort.") % {"name": person.full_name},
            field="person",
        ) from None
    return assignment


def trainer_remove(*, cohort: Cohort, person: Person, by: Any) -> None:
    _require_manager(by, cohort)
    _require_editable(cohort)
    assignment = CohortTrainer.objects.filter(cohort=cohort, person=person).first()
    if assignment is None:
        raise NotFoundError("not_found", _("This person does not train the cohort."))
    with transaction.atomic():
        audit_record(
            actor=by,
            action="delete",
            obj=assignment,
            changes={"cohort": cohort.pk, "person": person.pk},
        )
        assignment.delete()


# --- Enrolment ----------------------------------------------------------------------------------


def _check_open_for(cohort: Cohort, *, manager: bool) -> None:
    """Coordinators may enrol people before a cohort opens; teachers only while it is open."""
    allowed = (CohortStatus.PLANNED, CohortStatus.OPEN) if manager else (CohortStatus.OPEN,)
    if cohort.status not in allowed:
        raise EnrolmentRefused(
            "cohort_not_open",
            _("Cohort %(cohort)s is %(status)s: it does not take enrolments.")
            % {"cohort": cohort.code, "status": _status_label(cohort.status)},
        )


def _already_enrolled(existing: Enrolment) -> EnrolmentRefused:
    if existing.status == EnrolmentStatus.WAITLISTED:
        message = _("Already on the waitlist for this programme (cohort %(cohort)s).")
    else:
        message = _("Already enrolled in this programme (cohort %(cohort)s).")
    return EnrolmentRefused("already_enrolled", message % {"cohort": existing.cohort.code})


def unknown_iin_error() -> NotFoundError:
    """The one answer to an IIN nobody in the caller's scope has: unknown or out of scope."""
    return NotFoundError(
        "unknown_iin", gettext("No one with this IIN is in the registry."), field="iin"
    )


def manager_may_enrol(scope: Any, person: Person) -> bool:
    """Whether a cohort's manager may enrol `person`: someone working in their areas (read from
    the denormalised `current_organisation`, as the person selectors do)."""
    organisation = person.current_organisation
    return scope.covers_area(organisation.area_id if organisation is not None else None)


def person_for_enrolment(*, cohort: Cohort, iin: str, by: Any) -> Person:
    """The person a caller names by IIN to enrol. Only the cohort's managers may name someone
    else, and for every other caller the answer is the same whatever the IIN (403
    `enrol_others_forbidden`), so the request tells nobody whether a number is registered.
    For a manager, an IIN registered outside their areas answers exactly like an unknown one
    (404 `unknown_iin`, no name)."""
    scope = user_scope(by)
    person = Person.objects.select_related("current_organisation").filter(iin=iin).first()
    if not manages_cohort(by, cohort):
        if person is not None and scope.person_id == person.pk:
            return person
        raise PermissionDeniedError(
            "enrol_others_forbidden",
            _("Only the cohort's coordinators can enrol other people."),
        )
    if person is None or not manager_may_enrol(scope, person):
        raise unknown_iin_error()
    return person


def enrolment_request(*, cohort: Cohort, person: Person, by: Any, source: str = "") -> Enrolment:
    """Enrol `person` if a seat is free, else put them on the waitlist (in arrival order).

    `by` is either someone who manages the cohort (a coordinator of its branch or a national
    administrator: the person must work in their areas; planned or open cohorts) or the person
    themself (open cohorts of their branch, or online/self-paced ones of any branch). The
    audience of the programme version applies to both. The returned enrolment carries
    `waitlist_position` (None when enrolled).
    """
    manager = manages_cohort(by, cohort)
    scope = user_scope(by)
    if not manager and scope.person_id != person.pk:
        raise PermissionDeniedError(
            "enrol_others_forbidden",
            _("Only the cohort's coordinators can enrol other people."),
        )
    version = cohort.version
    job = current_employment(person)
    organisation = job.organisation if job else person.current_organisation
    # Cheap checks before taking the lock; the status is checked again under it.
    _check_open_for(cohort, manager=manager)
    if manager:
        area_id = organisation.area_id if organisation is not None else None
        if not scope.covers_area(area_id):
            # Out of scope looks exactly like not registered (ADR 0002): no name, same answer.
            raise unknown_iin_error()
    elif cohort.format not in REMOTE_FORMATS and person_branch_id(person) != cohort.branch_id:
        raise EnrolmentRefused(
            "cohort_other_branch",
            _(
                "Cohort %(cohort)s is held by another branch: choose one of your branch's "
                "cohorts or an online one."
            )
            % {"cohort": cohort.code},
        )
    position = job.position if job else ""
    level = job.level if job else ""
    if not version_admits(version, position=position, level=level):
        raise EnrolmentRefused("not_in_audience", _audience_message(version, position, level))
    programme_id = version.programme_id
    # "Already enrolled in this programme" is decided by the partial unique constraint at the
    # insert below, not by a look-up first: the look-up could not close the race anyway, and
    # the common case (not enrolled yet) saves a query. A refused insert rolls back.
    try:
        with transaction.atomic():
            locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
            _check_open_for(locked, manager=manager)
            now = timezone.now()
            # Newcomers never jump the queue: a seat goes to them only if nobody is waiting.
            seat = locked.capacity is None or (
                locked.enrolled_count < locked.capacity and locked.waitlist_count == 0
            )
            enrolment = Enrolment.objects.create(
                cohort=locked,
                person=person,
                programme_id=programme_id,
                status=EnrolmentStatus.ENROLLED if seat else EnrolmentStatus.WAITLISTED,
                requested_at=now,
                enrolled_at=now if seat else None,
                enrolled_by=by if getattr(by, "pk", None) else None,
                organisation=organisation,
                area_id=organisation.area_id if organisation is not None else None,
                position=position,
            )
            if seat:
                locked.enrolled_count += 1
                Cohort.objects.filter(pk=locked.pk).update(enrolled_count=F("enrolled_count") + 1)
            else:
                locked.waitlist_count += 1
                Cohort.objects.filter(pk=locked.pk).update(waitlist_count=F("waitlist_count") + 1)
            audit_record(
                actor=by,
                action="create",
                obj=enrolment,
                changes={"cohort": locked.pk, "person": person.pk, "status": enrolment.status},
                source=source,
            )
    except IntegrityError as exc:
        # Another request enrolled the same person in this programme between our check and
        # the insert: the partial unique constraint refused the second one.
        existing = active_enrolment(person_id=person.pk, programme_id=programme_id)
        if existing is not None:
            raise _already_enrolled(existing) from exc
        raise
    enrolment.cohort = locked
    # Arrivals join the end of the queue, so under the lock the position is the new count.
    enrolment.waitlist_position = None if seat else locked.waitlist_count
    return enrolment


def _audience_message(version: ProgrammeVersion, position: str, level: str) -> str:
    positions = _choice_labels(version.audience_positions or [], Position.choices)
    levels = _choice_labels(version.audience_levels or [], Level.choices)
    if not position:
        return gettext(
            "Not in the audience of this programme: the registry shows no current job, and the "
            "programme is for %(positions)s."
        ) % {"positions": positions}
    return gettext(
        "Not in the audience of this programme: it is for positions %(positions)s and levels "
        "%(levels)s; the registry shows %(position)s, %(level)s."
    ) % {
        "positions": positions if version.audience_positions else gettext("any"),
        "levels": levels if version.audience_levels else gettext("any"),
        "position": _choice_labels([position], Position.choices),
        "level": _choice_labels([level], Level.choices) if level else gettext("no level"),
    }


def _promote(cohort: Cohort, *, by: Any) -> list[Enrolment]:
    """Fill free seats from the waitlist, first come first served. The caller holds the cohort
    row lock; `cohort` is the locked row and its counters are kept in step."""
    promoted: list[Enrolment] = []
    while (
        cohort.capacity is not None
        and cohort.waitlist_count > 0
        and cohort.enrolled_count < cohort.capacity
    ):
        first = (
            Enrolment.objects.select_for_update()
            .select_related("person")
            .filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
            .order_by("requested_at", "id")
            .first()
        )
        if first is None:
            break
        now = timezone.now()
        first.status = EnrolmentStatus.ENROLLED
        first.enrolled_at = now
        first.save(update_fields=["status", "enrolled_at", "updated_at"])
        cohort.enrolled_count += 1
        cohort.waitlist_count -= 1
        Cohort.objects.filter(pk=cohort.pk).update(
            enrolled_count=F("enrolled_count") + 1, waitlist_count=F("waitlist_count") - 1
        )
        audit_record(
            actor=by,
            action="update",
            obj=first,
            changes={"status": [EnrolmentStatus.WAITLISTED, EnrolmentStatus.ENROLLED]},
            source="waitlist promotion",
        )
        _notify_promoted(first, cohort)
        promoted.append(first)
    return promoted


def _notify_promoted(enrolment: Enrolment, cohort: Cohort) -> None:
    recipient = User.objects.filter(person_id=enrolment.person_id, is_active=True).first()
    if recipient is None:
        return
    version = ProgrammeVersion.objects.only("title").get(pk=cohort.version_id)
    Notification.objects.create(
        recipient=recipient,
        message=PROMOTED_NOTIFICATION,
        params={"cohort": cohort.code, "programme": str(version.title)},
        url=reverse("delivery:my_courses"),
    )


def _end(*, enrolment: Enrolment, status: str, outcome: list[dict[str, Any]], by: Any) -> Enrolment:
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        if cohort.status in READ_ONLY_STATUSES:
            raise StateConflict(
                "cohort_finished",
                _("Cohort %(cohort)s is %(status)s: its enrolments can no longer change.")
                % {"cohort": cohort.code, "status": _status_label(cohort.status)},
            )
        if locked.status not in ACTIVE_ENROLMENT:
            raise StateConflict(
                "enrolment_not_active",
                _("This enrolment has already ended (%(status)s).")
                % {"status": locked.get_status_display()},
            )
        before = locked.status
        locked.status = status
        locked.ended_at = timezone.now()
        locked.outcome = outcome
        locked.outcome_reason = outcome_text_en(outcome)
        locked.save(update_fields=["status", "ended_at", "outcome", "outcome_reason", "updated_at"])
        if before == EnrolmentStatus.ENROLLED:
            cohort.enrolled_count -= 1
            Cohort.objects.filter(pk=cohort.pk).update(enrolled_count=F("enrolled_count") - 1)
        else:
            cohort.waitlist_count -= 1
            Cohort.objects.filter(pk=cohort.pk).update(waitlist_count=F("waitlist_count") - 1)
        audit_record(
            actor=by,
            action="update",
            obj=locked,
            changes={"status": [before, status], "outcome_reason": locked.outcome_reason},
        )
        _promote(cohort, by=by)
    locked.cohort = cohort
    return locked


def enrolment_withdraw(*, enrolment: Enrolment, by: Any) -> Enrolment:
    """The participant (or the cohort's coordinator) withdraws; a freed seat goes to the first
    on the waitlist in the same transaction."""
    cohort = enrolment.cohort
    own = user_scope(by).person_id == enrolment.person_id
    if not own and not manages_cohort(by, cohort):
        raise NotFoundError("not_found", _("Not found."))
    code = "withdrawn" if own else "withdrawn_by_coordinator"
    return _end(
        enrolment=enrolment, status=EnrolmentStatus.WITHDRAWN, outcome=[{"code": code}], by=by
    )


def enrolment_remove(*, enrolment: Enrolment, by: Any, note: str = "") -> Enrolment:
    """The coordinator takes someone off the roster or the waitlist."""
    _require_manager(by, enrolment.cohort)
    note = note.strip()[:200]
    outcome = [{"code": "removed_note", "note": note}] if note else [{"code": "removed"}]
    return _end(enrolment=enrolment, status=EnrolmentStatus.REMOVED, outcome=outcome, by=by)


def enrolment_set_assessment(*, enrolment: Enrolment, passed: bool | None, by: Any) -> Enrolment:
    """The coordinator records an assessment result by hand (True, False or None: unknown), for
    programmes assessed outside the platform. On a finished cohort the participant's completion
    is decided again at once."""
    cohort = enrolment.cohort
    _require_manager(by, cohort)
    if cohort.status == CohortStatus.CLOSED:
        _require_editable(cohort)
    return enrolment_record_assessment(enrolment=enrolment, passed=passed, by=by)


def enrolment_record_assessment(
    *, enrolment: Enrolment, passed: bool | None, by: Any, source: str = ""
) -> Enrolment:
    """Record the result of the assessment. Called by the assessment services, which decide
    who may settle a result; a result is a fact, so it is recorded on a closed cohort too. On a
    finished or closed cohort the participant's completion is decided again at once."""
    if enrolment.status not in (
        EnrolmentStatus.ENROLLED,
        EnrolmentStatus.COMPLETED,
        EnrolmentStatus.NOT_COMPLETED,
    ):
        raise StateConflict(
            "enrolment_not_on_roster",
            _("Only participants holding a seat have an assessment result."),
        )
    with transaction.atomic():
        locked = (
            Cohort.objects.select_for_update().select_related("version").get(pk=enrolment.cohort_id)
        )
        row = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        before = row.assessment_passed
        row.assessment_passed = passed
        fields = ["assessment_passed", "updated_at"]
        if (
            locked.status in (CohortStatus.FINISHED, CohortStatus.CLOSED)
            and row.status != EnrolmentStatus.ENROLLED
        ):
            total = _total_hours(locked)
            row.status, row.outcome = _evaluate(row, locked.version, total)
            row.outcome_reason = outcome_text_en(row.outcome)
            fields += ["status", "outcome", "outcome_reason"]
        row.save(update_fields=fields)
        audit_record(
            actor=by,
            action="update",
            obj=row,
            changes={"assessment_passed": [before, passed]},
            source=source,
        )
    row.cohort = locked
    return row


# --- Attendance and completion ------------------------------------------------------------------


def _total_hours(cohort: Cohort) -> Decimal:
    total = Session.objects.filter(cohort=cohort).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


def _recount_hours(enrolment_ids: Sequence[int]) -> dict[int, Decimal]:
    """hours_attended from the present marks, written back for the given enrolments."""
    if not enrolment_ids:
        return {}
    totals: dict[int, Decimal] = dict(
        Attendance.objects.filter(enrolment_id__in=enrolment_ids, status=AttendanceStatus.PRESENT)
        .values("enrolment_id")
        .annotate(total=Sum("session__hours"))
        .values_list("enrolment_id", "total")
    )
    rows = list(
        Enrolment.objects.filter(pk__in=enrolment_ids).only("id", "hours_attended").order_by("pk")
    )
    changed = []
    for row in rows:
        hours = totals.get(row.pk) or Decimal(0)
        if row.hours_attended != hours:
            row.hours_attended = hours
            changed.append(row)
    if changed:
        Enrolment.objects.bulk_update(changed, ["hours_attended"], batch_size=500)
    return {row.pk: totals.get(row.pk) or Decimal(0) for row in rows}


def attendance_save(*, session: Session, marks: Mapping[int, str], by: Any) -> int:
    """Save the marks of a session ({enrolment id: present|absent|excused}) in one go; returns
    how many marks changed. Only the cohort's trainers and coordinators; finished and closed
    cohorts are read-only."""
    cohort = session.cohort
    if not may_mark_attendance(by, cohort):
        raise NotFoundError("not_found", _("Not found."))
    if cohort.status not in MARKABLE_STATUSES:
        raise StateConflict(
            "attendance_read_only",
            _(
                "Cohort %(cohort)s is %(status)s: attendance can be marked only while it is open "
                "or running."
            )
            % {"cohort": cohort.code, "status": _status_label(cohort.status)},
        )
    if session.date > timezone.localdate():
        raise StateConflict(
            "attendance_in_future",
            _(
                "The session of %(day)s has not taken place yet: its attendance can be marked "
                "from that day."
            )
            % {"day": date_format(session.date, "SHORT_DATE_FORMAT")},
        )
    bad = sorted({str(s) for s in marks.values()} - set(AttendanceStatus.values))
    if bad:
        raise DomainError(
            "attendance_status_invalid",
            _("“%(value)s” is not an attendance mark; use one of: %(allowed)s.")
            % {"value": bad[0], "allowed": ", ".join(AttendanceStatus.values)},
            field="marks",
        )
    with transaction.atomic():
        # The cohort's row lock, like every change to its enrolments: two trainers marking at
        # once cannot interleave, and the cohort cannot finish half-way through a save.
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if locked.status not in MARKABLE_STATUSES:
            raise StateConflict(
                "attendance_read_only",
                _("Cohort %(cohort)s is %(status)s: attendance can no longer be changed.")
                % {"cohort": locked.code, "status": _status_label(locked.status)},
            )
        on_roster = set(
            Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED).values_list(
                "id", flat=True
            )
        )
        unknown = sorted(set(marks) - on_roster)
        if unknown:
            raise DomainError(
                "not_on_roster",
                _("Enrolment %(id)s is not on this cohort's roster.") % {"id": unknown[0]},
                field="marks",
            )
        existing = {
            a.enrolment_id: a
            for a in Attendance.objects.filter(session=session, enrolment_id__in=marks)
        }
        people = dict(Enrolment.objects.filter(pk__in=marks).values_list("id", "person_id"))
        now = timezone.now()
        marker = by if getattr(by, "pk", None) else None
        to_create, to_update, history = [], [], []
        for enrolment_id, status in marks.items():
            mark = existing.get(enrolment_id)
            if mark is not None and mark.status == status:
                continue
            history.append(
                AttendanceChange(
                    session=session,
                    enrolment_id=enrolment_id,
                    person_id=people[enrolment_id],
                    old_status=mark.status if mark is not None else "",
                    new_status=status,
                    changed_by=marker,
                    changed_at=now,
                )
            )
            if mark is None:
                to_create.append(
                    Attendance(
                        enrolment_id=enrolment_id,
                        session=session,
                        status=status,
                        first_marked_by=marker,
                        first_marked_at=now,
                        marked_by=marker,
                    )
                )
            else:
                # The first marker stays; the last change is who and when changed it now.
                mark.status = status
                mark.marked_by = marker
                mark.marked_at = now
                to_update.append(mark)
        Attendance.objects.bulk_create(to_create, batch_size=500)
        Attendance.objects.bulk_update(
            to_update, ["status", "marked_by", "marked_at"], batch_size=500
        )
        AttendanceChange.objects.bulk_create(history, batch_size=500)
        changed = [change.enrolment_id for change in history]
        _recount_hours(changed)
        if changed:
            counts = {s: 0 for s in AttendanceStatus.values}
            for status in marks.values():
                counts[status] += 1
            audit_record(
                actor=by,
                action="update",
                obj=session,
                changes={
                    "attendance": counts,
                    "changed": len(changed),
                    "marks": [
                        {
                            "person": change.person_id,
                            "enrolment": change.enrolment_id,
                            "from": change.old_status or None,
                            "to": change.new_status,
                        }
                        for change in history
                    ],
                },
            )
    return len(changed)


def _evaluate(
    enrolment: Enrolment, version: ProgrammeVersion, total_hours: Decimal
) -> tuple[str, list[dict[str, Any]]]:
    """The completion rule of the version: a share of the hours attended, plus the assessment
    when the version has one. Returns (status, outcome items)."""
    outcome: list[dict[str, Any]] = []
    complete = True
    if total_hours > 0:
        share = enrolment.hours_attended * 100 / total_hours
        # Rounded down, so "80%" is never shown for 79.9% that fails an 80% rule.
        percent = int(share)
        required = version.min_attendance_percent
        if share < required:
            complete = False
            outcome.append({"code": "attendance_short", "percent": percent, "required": required})
        else:
            outcome.append({"code": "attendance_ok", "percent": percent})
    if version.requires_assessment:
        if enrolment.assessment_passed is None:
            complete = False
            outcome.append({"code": "assessment_missing"})
        elif not enrolment.assessment_passed:
            complete = False
            outcome.append({"code": "assessment_failed"})
        else:
            outcome.append({"code": "assessment_passed"})
    status = EnrolmentStatus.COMPLETED if complete else EnrolmentStatus.NOT_COMPLETED
    return status, outcome


def _complete(cohort: Cohort, *, by: Any) -> None:
    """The cohort finishes (its row is locked by the caller): each participant holding a seat
    completes or not, with the reason; the waitlist is closed as withdrawn."""
    now = timezone.now()
    version = cohort.version
    total = _total_hours(cohort)
    enrolled = list(Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.ENROLLED))
    hours = _recount_hours([e.pk for e in enrolled])
    for enrolment in enrolled:
        enrolment.hours_attended = hours.get(enrolment.pk, Decimal(0))
        enrolment.status, enrolment.outcome = _evaluate(enrolment, version, total)
        enrolment.outcome_reason = outcome_text_en(enrolment.outcome)
        enrolment.ended_at = now
        enrolment.updated_at = now
    Enrolment.objects.bulk_update(
        enrolled,
        ["status", "outcome", "outcome_reason", "ended_at", "hours_attended", "updated_at"],
        batch_size=500,
    )
    waiting = [{"code": "cohort_finished"}]
    closed = Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED).update(
        status=EnrolmentStatus.WITHDRAWN,
        ended_at=now,
        updated_at=now,
        outcome=waiting,
        outcome_reason=outcome_text_en(waiting),
    )
    if closed:
        cohort.waitlist_count = 0
        Cohort.objects.filter(pk=cohort.pk).update(waitlist_count=0)
    completed = sum(1 for e in enrolled if e.status == EnrolmentStatus.COMPLETED)
    audit_record(
        actor=by,
        action="update",
        obj=cohort,
        changes={
            "completed": completed,
            "not_completed": len(enrolled) - completed,
            "waitlist_closed": closed,
        },
        source="completion",
    )


# --- Coordinators' lists ------------------------------------------------------------------------


@dataclass
class LineResult:
    line: int
    value: str  # as written in the list
    outcome: str  # "enrolled", "waitlisted" or "refused"
    code: str = ""
    message: str = ""
    person: Person | None = None
    enrolment: Enrolment | None = None
    waitlist_position: int | None = None


def enrolment_request_list(
    *, cohort: Cohort, lines: Sequence[ListLine], by: Any
) -> list[LineResult]:
    """Enrol everyone on a coordinator's list of IINs. Each line is an independent request
    in its own transaction: a refused line does not undo the ones before it. Every line gets
    a result: enrolled, waitlisted (with position) or refused with the reason."""
    _require_manager(by, cohort)
    _check_open_for(cohort, manager=True)
    scope = user_scope(by)
    parsed: dict[int, str] = {}
    problems: dict[int, tuple[str, str]] = {}
    for item in lines:
        try:
            parsed[item.line] = parse_iin(item.value).iin
        except IdentifierError as exc:
            problems[item.line] = (exc.code, message_for(exc.code, exc.params))
    people = {
        p.iin: p
        for p in Person.objects.filter(iin__in=set(parsed.values())).select_related(
            "current_organisation", "current_organisation__area"
        )
    }
    results: list[LineResult] = []
    first_seen: dict[str, int] = {}
    for item in lines:
        if item.line in problems:
            code, message = problems[item.line]
            results.append(LineResult(item.line, item.value, "refused", code, message))
            continue
        iin = parsed[item.line]
        if iin in first_seen:
            results.append(
                LineResult(
                    item.line,
                    item.value,
                    "refused",
                    "duplicate_line",
                    gettext("Listed twice: see line %(line)s.") % {"line": first_seen[iin]},
                )
            )
            continue
        first_seen[iin] = item.line
        person = people.get(iin)
        if person is None or not manager_may_enrol(scope, person):
            # Registered outside the coordinator's areas reads exactly like unknown: no name.
            results.append(
                LineResult(
                    item.line,
                    item.value,
                    "refused",
                    "unknown_iin",
                    gettext("Unknown IIN: no one with this IIN is in the registry."),
                )
            )
            continue
        try:
            enrolment = enrolment_request(cohort=cohort, person=person, by=by, source="list")
        except DomainError as exc:
            results.append(
                LineResult(item.line, item.value, "refused", exc.code, str(exc.message), person)
            )
            continue
        position = enrolment.waitlist_position
        results.append(
            LineResult(
                item.line,
                item.value,
                enrolment.status,
                person=person,
                enrolment=enrolment,
                waitlist_position=position,
            )
        )
    return results
