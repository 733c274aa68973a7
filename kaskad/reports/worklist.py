"""The work list of each role: what is waiting for the signed-in user, each item a link to the
page where the work is done, with a count and a due date. Shown on the home page and given by
`GET /api/me/worklist`.

* trainer — sessions whose attendance is not marked yet (from the session's day) and drafts
  with files added since the last comment on them;
* assessor — their open assessment and moderation tasks, by due date;
* coordinator (and national administrator) — cohorts starting within 30 days without a
  trainer or with free seats, sessions past whose attendance is missing, portfolios nobody
  could be allocated;
* school leader — where their organisations' teachers stand in training.

Everything starts from the scoped selectors of each app, so a list never shows what the user
could not open.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.assessment.allocation.selectors import unallocated_queue
from kaskad.assessment.marking.selectors import assessor_queue, moderation_queue
from kaskad.assessment.models import (
    AssignmentRole,
    AssignmentStatus,
    DraftFeedback,
    Portfolio,
    PortfolioStatus,
)
from kaskad.delivery.models import (
    Attendance,
    CohortStatus,
    CohortTrainer,
    Enrolment,
    EnrolmentStatus,
    Session,
)
from kaskad.delivery.selectors import MARKABLE_STATUSES, cohort_list_managed_by
from kaskad.registry.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User

# How far ahead "starting soon" looks, and how many items a section lists (the count says
# how many there are in all).
SOON_DAYS = 30
LIMIT = 10


@dataclass
class WorkItem:
    kind: str
    title: str
    detail: str
    url: str
    due: date | None = None
    count: int | None = None
    overdue: bool = False


@dataclass
class WorkSection:
    role: str
    kind: str
    title: str
    total: int
    items: list[WorkItem] = field(default_factory=list)
    url: str | None = None  # where the whole list is

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _trainer_sections(person_id: int, today: date) -> list[WorkSection]:

    trained = CohortTrainer.objects.filter(person_id=person_id).values("cohort_id")
    sessions = (
        Session.objects.filter(
            cohort_id__in=trained, cohort__status__in=MARKABLE_STATUSES, date__lte=today
        )
        .filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .select_related("cohort")
        .order_by("date", "starts_at", "id")
    )
    unmarked = WorkSection(
        role=Role.TRAINER,
        kind="attendance_to_mark",
        title=_("Attendance to mark"),
        total=sessions.count(),
    )
    for session in sessions[:LIMIT]:
        unmarked.items.append(
            WorkItem(
                kind="session",
                title=_("Attendance of %(date)s, %(time)s")
                % {
                    "date": _short(session.date),
                    "time": session.starts_at.strftime("%H:%M"),
                },
                detail=session.cohort.code,
                url=_url("delivery:attendance", args=[session.pk]),
                due=session.date,
                overdue=session.date < today,
            )
        )
    last_feedback = (
        DraftFeedback.objects.filter(portfolio=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    drafts = (
        Portfolio.objects.filter(status=PortfolioStatus.DRAFT, enrolment__cohort_id__in=trained)
        .annotate(
            last_file=Max("files__uploaded_at", filter=Q(files__removed_at__isnull=True)),
            files_count=Count("files", filter=Q(files__removed_at__isnull=True)),
        )
        .annotate(last_comment=_subquery(last_feedback))
        .filter(last_file__isnull=False)
        .filter(Q(last_comment__isnull=True) | Q(last_comment__lt=F("last_file")))
        .select_related("enrolment__person", "enrolment__cohort")
        .order_by("deadline", "id")
    )
    comment = WorkSection(
        role=Role.TRAINER,
        kind="drafts_to_comment",
        title=_("Drafts to comment on"),
        total=drafts.count(),
        url=_url("assessment:trainer_portfolios"),
    )
    for portfolio in drafts[:LIMIT]:
        person = portfolio.enrolment.person
        comment.items.append(
            WorkItem(
                kind="draft",
                title=person.full_name,
                detail=portfolio.enrolment.cohort.code,
                url=_url("assessment:portfolio_detail", args=[portfolio.pk]),
                due=timezone.localdate(portfolio.deadline),
                count=portfolio.files_count,
                overdue=timezone.localdate(portfolio.deadline) < today,
            )
        )
    return [unmarked, comment]


def _subquery(qs: Any) -> Any:
    from django.db.models import Subquery

    return Subquery(qs)


def _assessor_section(user: User, today: date) -> WorkSection:

    open_tasks = [
        row
        for row in [*assessor_queue(user=user), *moderation_queue(user=user)]
        if row.status == AssignmentStatus.ALLOCATED
    ]
    open_tasks.sort(key=lambda row: (row.due_at, row.id))
    section = WorkSection(
        role=Role.ASSESSOR,
        kind="tasks_to_mark",
        title=_("Portfolios to assess"),
        total=len(open_tasks),
        url=_url("assessment:marking_queue"),
    )
    for row in open_tasks[:LIMIT]:
        due = timezone.localdate(row.due_at)
        name = (
            "assessment:moderation_task"
            if row.role == AssignmentRole.MODERATION
            else "assessment:marking_task"
        )
        section.items.append(
            WorkItem(
                kind=str(row.role),
                title=f"{row.code} · {row.programme_title}",
                detail=str(row.role_label),
                url=_url(name, args=[row.id]),
                due=due,
                overdue=due < today,
            )
        )
    return section


def _coordinator_sections(user: User, today: date) -> list[WorkSection]:

    managed = cohort_list_managed_by(user)
    soon = (
        managed.filter(
            status__in=(CohortStatus.PLANNED, CohortStatus.OPEN),
            starts_on__gte=today,
            starts_on__lte=today + timedelta(days=SOON_DAYS),
        )
        .annotate(trainer_count=Count("trainers"))
        .filter(Q(trainer_count=0) | Q(capacity__isnull=False, enrolled_count__lt=F("capacity")))
        .order_by("starts_on", "code")
    )
    starting = WorkSection(
        role=Role.BRANCH_COORDINATOR,
        kind="cohorts_starting_soon",
        title=_("Cohorts starting soon that need attention"),
        total=soon.count(),
        url=_url("delivery:cohort_list"),
    )
    for cohort in soon[:LIMIT]:
        problems = []
        if not cohort.trainer_count:
            problems.append(_("no trainer"))
        if cohort.capacity is not None and cohort.enrolled_count < cohort.capacity:
            problems.append(
                _("%(free)s of %(capacity)s seats free")
                % {"free": cohort.capacity - cohort.enrolled_count, "capacity": cohort.capacity}
            )
        starting.items.append(
            WorkItem(
                kind="cohort",
                title=f"{cohort.code} · {cohort.version.title}",
                detail="; ".join(str(p) for p in problems),
                url=_url("delivery:cohort_detail", args=[cohort.pk]),
                due=cohort.starts_on,
            )
        )
    missing = (
        Session.objects.filter(
            cohort__in=managed.filter(status__in=MARKABLE_STATUSES).values("pk"),
            date__lt=today,
        )
        .filter(~Exists(Attendance.objects.filter(session=OuterRef("pk"))))
        .select_related("cohort")
        .order_by("date", "id")
    )
    overdue = WorkSection(
        role=Role.BRANCH_COORDINATOR,
        kind="attendance_overdue",
        title=_("Attendance overdue"),
        total=missing.count(),
    )
    for session in missing[:LIMIT]:
        overdue.items.append(
            WorkItem(
                kind="session",
                title=_("Attendance of %(date)s, %(time)s")
                % {"date": _short(session.date), "time": session.starts_at.strftime("%H:%M")},
                detail=session.cohort.code,
                url=_url("delivery:attendance", args=[session.pk]),
                due=session.date,
                overdue=True,
            )
        )
    # Coordinators read the queue of their branches; national administrators act on it.
    unallocated = WorkSection(
        role=Role.BRANCH_COORDINATOR,
        kind="portfolios_unallocated",
        title=_("Portfolios without an assessor"),
        total=unallocated_queue(user=user).count(),
        url=_url("assessment:allocation_unallocated"),
    )
    return [starting, overdue, unallocated]


def _school_leader_section(organisation_ids: frozenset[int], today: date) -> WorkSection:

    year_start = date(today.year, 1, 1)
    counts = Enrolment.objects.filter(
        person__current_organisation_id__in=organisation_ids
    ).aggregate(
        training=Count("id", filter=Q(status=EnrolmentStatus.ENROLLED)),
        waiting=Count("id", filter=Q(status=EnrolmentStatus.WAITLISTED)),
        completed=Count(
            "id", filter=Q(status=EnrolmentStatus.COMPLETED, ended_at__date__gte=year_start)
        ),
        failed=Count(
            "id",
            filter=Q(status=EnrolmentStatus.NOT_COMPLETED, ended_at__date__gte=year_start),
        ),
    )
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids).order_by("pk")[:1])
    url = (
        _url("registry:organisation_detail", args=[organisations[0].pk]) if organisations else None
    )
    section = WorkSection(
        role=Role.SCHOOL_LEADER,
        kind="teachers_in_training",
        title=_("Your teachers' training"),
        total=counts["training"],
        url=url,
    )
    for kind, title in (
        ("training", _("In training now")),
        ("waiting", _("Waiting for a seat")),
        ("completed", _("Completed this year")),
        ("failed", _("Did not complete this year")),
    ):
        section.items.append(
            WorkItem(kind=kind, title=str(title), detail="", url=url or "", count=counts[kind])
        )
    return section


def _url(name: str, args: list[Any] | None = None) -> str:
    # Like the menu: a part of the project without its routes leaves its links empty rather
    # than breaking the home page.
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _short(day: date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "SHORT_DATE_FORMAT")


def worklist(*, user: User | AnonymousUser, today: date | None = None) -> list[WorkSection]:
    """The sections of the user's work list, in the order of their roles."""
    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    scope = user_scope(user)
    sections: list[WorkSection] = []
    if scope.has(Role.TRAINER) and scope.person_id:
        sections.extend(_trainer_sections(scope.person_id, today))
    if scope.has(Role.ASSESSOR) and scope.person_id:
        sections.append(_assessor_section(user, today))
    if scope.branch_ids or scope.national_write:
        sections.extend(_coordinator_sections(user, today))
    if scope.has(Role.SCHOOL_LEADER) and scope.organisation_ids:
        sections.append(_school_leader_section(scope.organisation_ids, today))
    return sections
