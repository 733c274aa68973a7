"""Reads of delivery. Every list starts from a `…_visible_to(user)` selector: scope first, so a
cohort outside the user's scope answers 404 exactly like a missing one.

Who sees which cohorts:

* national administrators and analysts: all of them;
* branch coordinators: the cohorts of their branches (and they manage them);
* trainers: the cohorts they train;
* anyone linked to a registry person: the cohorts they are or were enrolled in, and every
  cohort open for enrolment (the course offer is public to teachers).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.http import Http404

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.catalogue.models import Format, ProgrammeVersion
from kaskad.core.collation import name_order
from kaskad.core.models import Notification
from kaskad.delivery.models import (
    ACTIVE_ENROLMENT,
    Attendance,
    Cohort,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
    Session,
)
from kaskad.registry.models import Employment, Person

# Formats a teacher can follow from anywhere: offered to every branch's teachers.
REMOTE_FORMATS = (Format.ONLINE, Format.SELF_PACED)
# Statuses in which a cohort's attendance may still change.
MARKABLE_STATUSES = (CohortStatus.OPEN, CohortStatus.RUNNING)
READ_ONLY_STATUSES = (CohortStatus.FINISHED, CohortStatus.CLOSED)
ROSTER_STATUSES = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.NOT_COMPLETED,
)
STAFF_ROLES = (Role.NATIONAL_ADMIN, Role.BRANCH_COORDINATOR, Role.TRAINER, Role.ANALYST)


# --- Who may do what ----------------------------------------------------------------------------


def manages_branch(user: Any, branch_id: int) -> bool:
    """National administrators manage every branch, coordinators their own."""
    scope = user_scope(user)
    return scope.national_write or branch_id in scope.branch_ids


def manages_cohort(user: Any, cohort: Cohort) -> bool:
    return manages_branch(user, cohort.branch_id)


def trains_cohort(user: Any, cohort: Cohort) -> bool:
    person_id = user_scope(user).person_id
    if person_id is None:
        return False
    return CohortTrainer.objects.filter(cohort_id=cohort.pk, person_id=person_id).exists()


def sees_results(user: Any, cohort: Cohort) -> bool:
    """Individual assessment outcomes (ADR 0002): whoever manages the cohort and its trainers,
    not the analysts who read the cohort for its aggregates."""
    return manages_cohort(user, cohort) or trains_cohort(user, cohort)


def may_mark_attendance(user: Any, cohort: Cohort) -> bool:
    """The cohort's trainers and whoever manages it."""
    return manages_cohort(user, cohort) or trains_cohort(user, cohort)


# --- Cohorts ------------------------------------------------------------------------------------


def _cohort_base() -> QuerySet[Cohort]:
    return Cohort.objects.select_related("version", "version__programme", "branch")


def cohort_worklist_visible_to(user: Any) -> QuerySet[Cohort]:
    """The cohorts a user works on: all (national), their branch's (coordinator), the ones
    they train (trainer)."""
    scope = user_scope(user)
    qs = _cohort_base()
    if scope.national:
        return qs
    condition = Q(pk__in=[])
    if scope.branch_ids:
        condition |= Q(branch_id__in=scope.branch_ids)
    if scope.person_id:
        condition |= Q(
            pk__in=CohortTrainer.objects.filter(person_id=scope.person_id).values("cohort_id")
        )
    return qs.filter(condition)


def cohort_list_visible_to(user: Any) -> QuerySet[Cohort]:
    """The worklist, plus for a registry person their own cohorts and every open one."""
    scope = user_scope(user)
    qs = _cohort_base()
    if scope.national:
        return qs
    condition = Q(pk__in=[])
    if scope.branch_ids:
        condition |= Q(branch_id__in=scope.branch_ids)
    if scope.person_id:
        condition |= Q(
            pk__in=CohortTrainer.objects.filter(person_id=scope.person_id).values("cohort_id")
        )
        condition |= Q(
            pk__in=Enrolment.objects.filter(person_id=scope.person_id).values("cohort_id")
        )
        condition |= Q(status=CohortStatus.OPEN)
    return qs.filter(condition)


def cohort_list_managed_by(user: Any) -> QuerySet[Cohort]:
    scope = user_scope(user)
    qs = _cohort_base()
    if scope.national_write:
        return qs
    return qs.filter(branch_id__in=scope.branch_ids)


@dataclass
class CohortFilters:
    status: str = ""
    programme: str = ""  # programme code
    branch: int | None = None
    format: str = ""
    language: str = ""
    starts_from: date | None = None
    starts_until: date | None = None
    q: str = ""  # part of the cohort code or the programme title


def filter_cohorts(qs: QuerySet[Cohort], filters: CohortFilters) -> QuerySet[Cohort]:
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.programme:
        qs = qs.filter(version__programme__code__iexact=filters.programme.strip())
    if filters.branch:
        qs = qs.filter(branch_id=filters.branch)
    if filters.format:
        qs = qs.filter(format=filters.format)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.starts_from:
        qs = qs.filter(starts_on__gte=filters.starts_from)
    if filters.starts_until:
        qs = qs.filter(starts_on__lte=filters.starts_until)
    if filters.q:
        q = filters.q.strip()
        qs = qs.filter(
            Q(code__icontains=q)
            | Q(version__programme__code__icontains=q)
            | Q(version__title_kk__icontains=q)
            | Q(version__title_ru__icontains=q)
            | Q(version__title_en__icontains=q)
        )
    return qs


def cohort_list(
    *, user: Any, filters: CohortFilters | None = None, worklist: bool = True
) -> QuerySet[Cohort]:
    """Cohorts for a list page (worklist) or the API (everything visible), with their trainers
    prefetched: a fixed number of queries whatever the page size."""
    qs = cohort_worklist_visible_to(user) if worklist else cohort_list_visible_to(user)
    qs = filter_cohorts(qs, filters or CohortFilters())
    return qs.prefetch_related(
        Prefetch(
            "trainers",
            queryset=CohortTrainer.objects.select_related("person").order_by(
                "-is_lead", "person__surname"
            ),
        )
    ).order_by("-starts_on", "code")


def cohort_get(*, user: Any, pk: int, worklist: bool = False) -> Cohort:
    qs = cohort_worklist_visible_to(user) if worklist else cohort_list_visible_to(user)
    try:
        return qs.get(pk=pk)
    except Cohort.DoesNotExist as exc:
        raise Http404 from exc


def cohort_get_for_enrolment(*, user: Any, pk: int) -> Cohort:
    """`cohort_get` for an enrolment: the same scope, with only the version joined (all an
    enrolment reads).

    An open cohort is visible to national roles and to anyone linked to a registry person
    (see `cohort_list_visible_to`), so for them the primary key alone decides and the scope's
    subqueries are not built: this runs once per request of an enrolment rush. Anything else
    goes through the full scope query.
    """
    scope = user_scope(user)
    if scope.national or scope.person_id is not None:
        cohort = Cohort.objects.select_related("version").filter(pk=pk).first()
        if cohort is not None and (scope.national or cohort.status == CohortStatus.OPEN):
            return cohort
    qs = cohort_list_visible_to(user).select_related(None).select_related("version")
    try:
        return qs.get(pk=pk)
    except Cohort.DoesNotExist as exc:
        raise Http404 from exc


def cohort_get_managed(*, user: Any, pk: int) -> Cohort:
    try:
        return cohort_list_managed_by(user).get(pk=pk)
    except Cohort.DoesNotExist as exc:
        raise Http404 from exc


def cohort_trainers(*, cohort: Cohort) -> QuerySet[CohortTrainer]:
    return (
        CohortTrainer.objects.filter(cohort=cohort)
        .select_related("person", "accreditation")
        .order_by("-is_lead", *name_order("person__"))
    )


def cohort_sessions(*, cohort: Cohort) -> QuerySet[Session]:
    return (
        Session.objects.filter(cohort=cohort)
        .annotate(marks=Count("attendance"))
        .order_by("date", "starts_at", "id")
    )


@dataclass
class StatusPreview:
    """What a status change will do, shown on its confirmation page."""

    status: str
    enrolled: int
    waitlisted: int
    sessions: int
    sessions_marked: int
    first_day: date | None
    last_day: date | None
    today: date

    @property
    def early(self) -> bool:
        first = self.first_day
        return self.status == CohortStatus.RUNNING and first is not None and self.today < first

    @property
    def too_early_to_finish(self) -> bool:
        last = self.last_day
        return self.status == CohortStatus.FINISHED and last is not None and self.today < last


def cohort_status_preview(*, cohort: Cohort, status: str, today: date) -> StatusPreview:
    days = Session.objects.filter(cohort=cohort).aggregate(
        first=Min("date"), last=Max("date"), count=Count("id")
    )
    marked = Session.objects.filter(cohort=cohort, attendance__isnull=False).distinct().count()
    counts = Enrolment.objects.filter(cohort=cohort).aggregate(
        enrolled=Count("id", filter=Q(status=EnrolmentStatus.ENROLLED)),
        waitlisted=Count("id", filter=Q(status=EnrolmentStatus.WAITLISTED)),
    )
    return StatusPreview(
        status=status,
        enrolled=counts["enrolled"],
        waitlisted=counts["waitlisted"],
        sessions=days["count"],
        sessions_marked=marked,
        first_day=days["first"] or cohort.starts_on,
        last_day=days["last"] or cohort.ends_on,
        today=today,
    )


def cohort_total_hours(*, cohort: Cohort) -> Decimal:
    total = Session.objects.filter(cohort=cohort).aggregate(total=Sum("hours"))["total"]
    return total or Decimal(0)


def _enrolment_base() -> QuerySet[Enrolment]:
    return Enrolment.objects.select_related(
        "person", "organisation", "area", "person__current_organisation"
    )


def cohort_roster(*, cohort: Cohort) -> QuerySet[Enrolment]:
    """The participants holding a seat (or who held one, once the cohort has finished)."""
    return (
        _enrolment_base()
        .filter(cohort=cohort, status__in=ROSTER_STATUSES)
        .order_by(*name_order("person__"), "id")
    )


def cohort_waitlist(*, cohort: Cohort) -> QuerySet[Enrolment]:
    """The waitlist in arrival order: the first is promoted when a seat frees."""
    return (
        _enrolment_base()
        .filter(cohort=cohort, status=EnrolmentStatus.WAITLISTED)
        .order_by("requested_at", "id")
    )


def cohort_ended_enrolments(*, cohort: Cohort) -> QuerySet[Enrolment]:
    return (
        _enrolment_base()
        .filter(cohort=cohort, status__in=(EnrolmentStatus.WITHDRAWN, EnrolmentStatus.REMOVED))
        .order_by("-ended_at", "-id")
    )


def with_waitlist_position(qs: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate `queue_position` (1 = next to be promoted) in the same query."""
    ahead = (
        Enrolment.objects.filter(cohort_id=OuterRef("cohort_id"), status=EnrolmentStatus.WAITLISTED)
        .filter(
            Q(requested_at__lt=OuterRef("requested_at"))
            | Q(requested_at=OuterRef("requested_at"), id__lte=OuterRef("id"))
        )
        .order_by()
        .values("cohort_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return qs.annotate(queue_position=Subquery(ahead))


def waitlist_position(enrolment: Enrolment) -> int | None:
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    return (
        Enrolment.objects.filter(cohort_id=enrolment.cohort_id, status=EnrolmentStatus.WAITLISTED)
        .filter(
            Q(requested_at__lt=enrolment.requested_at)
            | Q(requested_at=enrolment.requested_at, id__lte=enrolment.pk)
        )
        .count()
    )


def enrolment_get_for(*, user: Any, pk: int) -> Enrolment:
    """An enrolment the user may act on: their own, or one in a cohort they manage."""
    scope = user_scope(user)
    qs = Enrolment.objects.select_related("cohort", "cohort__version", "person")
    condition = Q(pk__in=[])
    if scope.national_write:
        condition = Q()
    else:
        if scope.branch_ids:
            condition |= Q(cohort__branch_id__in=scope.branch_ids)
        if scope.person_id:
            condition |= Q(person_id=scope.person_id)
    try:
        return qs.filter(condition).get(pk=pk)
    except Enrolment.DoesNotExist as exc:
        raise Http404 from exc


def active_enrolment(*, person_id: int, programme_id: int) -> Enrolment | None:
    return (
        Enrolment.objects.select_related("cohort")
        .filter(person_id=person_id, programme_id=programme_id, status__in=ACTIVE_ENROLMENT)
        .first()
    )


# --- Sessions and attendance --------------------------------------------------------------------


def session_get_for_marking(*, user: Any, pk: int) -> Session:
    """A session of a cohort the user trains or manages; any other answers 404."""
    session = (
        Session.objects.select_related("cohort", "cohort__version", "cohort__branch")
        .filter(pk=pk)
        .first()
    )
    if session is None or not may_mark_attendance(user, session.cohort):
        raise Http404
    return session


@dataclass
class AttendanceRow:
    enrolment: Enrolment
    status: str  # the saved mark, or "" when none yet
    marked: bool


def session_attendance(*, session: Session) -> list[AttendanceRow]:
    """Every participant holding a seat, with their mark for this session (two queries)."""
    enrolments = list(cohort_roster(cohort=session.cohort))
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    return [
        AttendanceRow(enrolment=e, status=marks.get(e.pk, ""), marked=e.pk in marks)
        for e in enrolments
    ]


# --- Eligibility --------------------------------------------------------------------------------


def current_employment(person: Person) -> Employment | None:
    # Callers read the organisation and its area_id, never the area row: no join to it.
    return (
        Employment.objects.filter(person=person, ended_on__isnull=True, is_primary=True)
        .select_related("organisation")
        .first()
    )


def version_admits(version: ProgrammeVersion, *, position: str, level: str) -> bool:
    """A version's audience: the positions and levels it is for (empty: everyone)."""
    positions = list(version.audience_positions or [])
    levels = list(version.audience_levels or [])
    if positions and position not in positions:
        return False
    return not (levels and level not in levels)


def person_branch_id(person: Person) -> int | None:
    organisation = person.current_organisation
    return organisation.area.branch_id if organisation is not None else None


def cohorts_open_to(*, person: Person) -> list[Cohort]:
    """Open cohorts a teacher may enrol in by themselves: the audience admits them, and the
    cohort is in their branch or can be followed from anywhere (online, self-paced)."""
    job = current_employment(person)
    branch_id = person_branch_id(person)
    place = Q(format__in=REMOTE_FORMATS)
    if branch_id is not None:
        place |= Q(branch_id=branch_id)
    qs = _cohort_base().filter(status=CohortStatus.OPEN).filter(place).order_by("starts_on", "code")
    position = job.position if job else ""
    level = job.level if job else ""
    return [c for c in qs if version_admits(c.version, position=position, level=level)]


# --- A participant's own courses ----------------------------------------------------------------


@dataclass
class YearHours:
    year: int
    hours: int
    courses: int


@dataclass
class MyCourses:
    current: list[Enrolment] = field(default_factory=list)
    waitlisted: list[Enrolment] = field(default_factory=list)
    past: list[Enrolment] = field(default_factory=list)
    hours_by_year: list[YearHours] = field(default_factory=list)


def my_courses(*, person: Person) -> MyCourses:
    """Current, waitlisted (with position) and past courses, and the hours of completed
    training per calendar year (the year the course ended), which count toward attestation."""
    enrolments = list(
        with_waitlist_position(
            Enrolment.objects.filter(person=person).select_related(
                "cohort", "cohort__version", "cohort__version__programme", "cohort__branch"
            )
        ).order_by("-cohort__starts_on", "-requested_at")
    )
    result = MyCourses()
    hours: dict[int, int] = defaultdict(int)
    courses: dict[int, int] = defaultdict(int)
    for enrolment in enrolments:
        if enrolment.status == EnrolmentStatus.ENROLLED:
            result.current.append(enrolment)
        elif enrolment.status == EnrolmentStatus.WAITLISTED:
            enrolment.waitlist_position = enrolment.queue_position  # type: ignore[attr-defined]
            result.waitlisted.append(enrolment)
        else:
            result.past.append(enrolment)
        if enrolment.status == EnrolmentStatus.COMPLETED:
            year = enrolment.cohort.ends_on.year
            hours[year] += enrolment.cohort.version.hours
            courses[year] += 1
    result.hours_by_year = [
        YearHours(year=y, hours=hours[y], courses=courses[y]) for y in sorted(hours, reverse=True)
    ]
    return result


def active_programme_ids(*, person: Person) -> dict[int, Enrolment]:
    """Programme id -> the person's active enrolment in it."""
    return {
        e.programme_id: e
        for e in Enrolment.objects.filter(person=person, status__in=ACTIVE_ENROLMENT)
    }


# --- Notifications ------------------------------------------------------------------------------


def notification_list(*, user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk).order_by("-created_at", "-id")


def unread_notification_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


# --- Trainer picker -----------------------------------------------------------------------------


@dataclass
class TrainerCandidate:
    person: Person
    accreditation: Any  # the valid accreditation for the cohort's programme, or None
    assigned: bool


def trainer_candidates(
    *, user: Any, cohort: Cohort, q: str, limit: int = 20
) -> list[TrainerCandidate]:
    """People a coordinator may try to assign: those they can see in the registry, plus
    everyone holding a valid accreditation for the programme (national trainers work across
    branches), found by name; a full IIN finds only people in the coordinator's scope. Each
    comes with their accreditation for this cohort, if any."""
    from kaskad.cascade.models import Accreditation
    from kaskad.cascade.selectors import valid_trainers
    from kaskad.registry.names import fold
    from kaskad.registry.selectors import IIN_PATTERN, person_search

    q = q.strip()
    if len(q) < 2:
        return []
    programme = cohort.version.programme
    accredited = valid_trainers(programme=programme, on=cohort.starts_on).select_related(
        "current_organisation"
    )
    if IIN_PATTERN.match(q):
        # A full IIN finds people in the user's own scope only (person_search below): it would
        # otherwise link the number of any accredited trainer in the country to a name.
        accredited = accredited.none()
    else:
        tokens = fold(q).split()
        if not tokens:
            return []
        for token in tokens:
            accredited = accredited.filter(
                Q(search_key__startswith=token) | Q(search_key__contains=" " + token)
            )
    people: dict[int, Person] = {}
    for person in [*accredited[:limit], *person_search(user=user, q=q)[:limit]]:
        people.setdefault(person.pk, person)
    ids = list(people)[:limit]
    valid = {
        a.person_id: a
        for a in Accreditation.objects.filter(
            person_id__in=ids,
            programme=programme,
            revoked_at__isnull=True,
            valid_from__lte=cohort.starts_on,
            valid_until__gte=cohort.starts_on,
        ).order_by("valid_until")
    }
    assigned = set(
        CohortTrainer.objects.filter(cohort=cohort, person_id__in=ids).values_list(
            "person_id", flat=True
        )
    )
    return [
        TrainerCandidate(person=people[pk], accreditation=valid.get(pk), assigned=pk in assigned)
        for pk in ids
    ]
