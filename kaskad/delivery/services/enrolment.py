"""Enrolment: a seat or the waitlist, withdrawal and removal, coordinators' lists.

Capacity is enforced by the database, not by check-then-act: every change to who holds a seat
locks the cohort row (`select_for_update()`; on SQLite the IMMEDIATE transaction takes the
write lock), reads the counters from the locked row and writes the enrolment and the counters
in the same transaction. The CheckConstraint `cohort_never_over_capacity` is the backstop, and
the partial unique constraint `one_active_enrolment_per_programme` settles races between two
cohorts of the same programme."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaskad.accounts.models import User
from kaskad.accounts.scopes import Scope, user_scope
from kaskad.catalogue.models import ProgrammeVersion
from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, PermissionDeniedError, StateConflict
from kaskad.delivery.lists import ListLine
from kaskad.delivery.messages import outcome_text_en
from kaskad.delivery.models import (
    ACTIVE_ENROLMENT,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
)
from kaskad.delivery.permissions import manages_cohort
from kaskad.delivery.selectors import (
    READ_ONLY_STATUSES,
    REMOTE_FORMATS,
    active_enrolment,
    current_employment,
    person_branch_id,
    version_admits,
)
from kaskad.delivery.services._common import (
    EnrolmentRefused,
    _require_manager,
    _status_label,
)
from kaskad.delivery.services.cohorts import _choice_labels
from kaskad.delivery.services.waitlist import _promote
from kaskad.registry.choices import Level, Position
from kaskad.registry.identifiers import IdentifierError, parse_document, parse_iin
from kaskad.registry.messages import message_for
from kaskad.registry.models import Person

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


def manager_may_enrol(scope: Scope, person: Person) -> bool:
    """Whether a cohort's manager may enrol `person`: someone working in their areas (read from
    the denormalised `current_organisation`, as the person selectors do)."""
    organisation = person.current_organisation
    return scope.covers_area(organisation.area_id if organisation is not None else None)


def person_for_enrolment(*, cohort: Cohort, iin: str, by: User) -> Person:
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


def enrolment_request(*, cohort: Cohort, person: Person, by: User, source: str = "") -> Enrolment:
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
    abroad = not person.has_iin
    if abroad and not cohort.abroad_country:
        # A participant without an IIN (docs/adr/0005) takes part only where a programme is
        # delivered abroad.
        raise EnrolmentRefused(
            "not_delivered_abroad",
            _(
                "Cohort %(cohort)s is delivered in Kazakhstan: participants registered by an "
                "identity document instead of an IIN enrol only in cohorts delivered abroad."
            )
            % {"cohort": cohort.code},
        )
    if abroad:
        # No job in the registry: the cohort's managers enrol them, and the audience of the
        # programme (positions in Kazakh schools) does not apply abroad.
        pass
    elif manager:
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
    if not abroad and not version_admits(version, position=position, level=level):
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


def _end(
    *, enrolment: Enrolment, status: str, outcome: list[dict[str, Any]], by: User
) -> Enrolment:
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


def enrolment_withdraw(*, enrolment: Enrolment, by: User) -> Enrolment:
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


def enrolment_remove(*, enrolment: Enrolment, by: User, note: str = "") -> Enrolment:
    """The coordinator takes someone off the roster or the waitlist."""
    _require_manager(by, enrolment.cohort)
    note = note.strip()[:200]
    outcome = [{"code": "removed_note", "note": note}] if note else [{"code": "removed"}]
    return _end(enrolment=enrolment, status=EnrolmentStatus.REMOVED, outcome=outcome, by=by)


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
    *, cohort: Cohort, lines: Sequence[ListLine], by: User
) -> list[LineResult]:
    """Enrol everyone on a coordinator's list of IINs. Each line is an independent request
    in its own transaction: a refused line does not undo the ones before it. Every line gets
    a result: enrolled, waitlisted (with position) or refused with the reason."""
    _require_manager(by, cohort)
    _check_open_for(cohort, manager=True)
    scope = user_scope(by)
    parsed: dict[int, str] = {}
    problems: dict[int, tuple[str, str]] = {}
    # In a cohort delivered abroad a line may give the document number of a participant
    # registered without an IIN (docs/adr/0005): a line with a letter in it is one.
    abroad = cohort.abroad_country
    documents: dict[int, str] = {}
    for item in lines:
        if abroad and any(ch.isalpha() for ch in item.value):
            try:
                documents[item.line] = parse_document("id_card", item.value, abroad).number
            except IdentifierError as exc:
                problems[item.line] = (exc.code, message_for(exc.code, exc.params))
            continue
        try:
            parsed[item.line] = parse_iin(item.value).iin
        except IdentifierError as exc:
            problems[item.line] = (exc.code, message_for(exc.code, exc.params))
    people: dict[str, Person] = {
        str(p.iin): p
        for p in Person.objects.filter(iin__in=set(parsed.values())).select_related(
            "current_organisation", "current_organisation__area"
        )
    }
    # Only the participants registered by a document of the cohort's country: one of another
    # country reads exactly like an unknown number.
    if documents:
        for p in Person.objects.filter(
            iin__isnull=True,
            document_country=abroad,
            document_number__in=set(documents.values()),
        ).order_by("pk"):
            people.setdefault(f"doc:{p.document_number}", p)
    for line, number in documents.items():
        parsed[line] = f"doc:{number}"
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
        if iin.startswith("doc:"):
            if person is None:
                results.append(
                    LineResult(
                        item.line,
                        item.value,
                        "refused",
                        "unknown_document",
                        gettext(
                            "Unknown document number: no one registered abroad with this "
                            "document number is in the registry."
                        ),
                    )
                )
                continue
        elif person is None or not manager_may_enrol(scope, person):
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
