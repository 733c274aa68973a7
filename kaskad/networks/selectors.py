"""Reads of the network. Lists start from `…_visible_to(user)`; other apps use
`schools_of_network` and `network_role_of`."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kaskad.core.collation import name_order
from kaskad.core.roles import Role
from kaskad.core.scope import scope_of
from kaskad.networks.models import (
    EventFeedback,
    EventParticipant,
    HubLink,
    LeadingSchool,
    MethodCentre,
    NetworkCoordinator,
    Partnership,
    RequestStatus,
    SupportEvent,
    SupportRequest,
)
from kaskad.networks.rules import partner_count_warning
from kaskad.registry.models import Area, Branch, Organisation
from kaskad.registry.selectors import organisation_get

if TYPE_CHECKING:
    from kaskad.accounts.models import User


# --- For other apps ------------------------------------------------------------------------------


def schools_of_network(*, leading_school: Organisation | int, year: int) -> list[int]:
    """The ids of a leading school's network in `year`: the leading school, then its partners.
    Empty when the school is not a leading school that year."""
    school_id = leading_school if isinstance(leading_school, int) else leading_school.pk
    leading = LeadingSchool.objects.filter(year=year, school_id=school_id).first()
    if leading is None:
        return []
    partners = Partnership.objects.filter(leading=leading).order_by("school_id")
    return [school_id, *partners.values_list("school_id", flat=True)]


@dataclass
class NetworkRole:
    """What a school is in the network of one year (it may be several things at once)."""

    year: int
    centre: MethodCentre | None = None
    leading: LeadingSchool | None = None  # the school is this leading school
    partner_of: LeadingSchool | None = None  # the school partners this leading school
    mentors: list[HubLink] = field(default_factory=list)  # links where it mentors
    mentored_by: list[HubLink] = field(default_factory=list)  # links where it is mentored

    @property
    def network_leading(self) -> LeadingSchool | None:
        """The leading school whose network the school belongs to (itself or its lead)."""
        return self.leading or self.partner_of

    @property
    def is_empty(self) -> bool:
        return not (
            self.centre or self.leading or self.partner_of or self.mentors or self.mentored_by
        )


def network_role_of(*, school: Organisation | int, year: int) -> NetworkRole:
    school_id = school if isinstance(school, int) else school.pk
    role = NetworkRole(year=year)
    role.centre = (
        MethodCentre.objects.filter(year=year, school_id=school_id).select_related("school").first()
    )
    role.leading = (
        LeadingSchool.objects.filter(year=year, school_id=school_id)
        .select_related("school", "centre__school")
        .first()
    )
    partnership = (
        Partnership.objects.filter(year=year, school_id=school_id)
        .select_related("leading__school", "leading__centre__school")
        .first()
    )
    role.partner_of = partnership.leading if partnership else None
    links = HubLink.objects.filter(Q(mentor_id=school_id) | Q(mentee_id=school_id), year=year)
    for link in links.select_related("mentor", "mentee"):
        (role.mentors if link.mentor_id == school_id else role.mentored_by).append(link)
    return role


def network_history_of(*, school: Organisation | int) -> list[NetworkRole]:
    """The school's role in every year it had one, newest first."""
    school_id = school if isinstance(school, int) else school.pk
    years: set[int] = set()
    years.update(MethodCentre.objects.filter(school_id=school_id).values_list("year", flat=True))
    years.update(LeadingSchool.objects.filter(school_id=school_id).values_list("year", flat=True))
    years.update(Partnership.objects.filter(school_id=school_id).values_list("year", flat=True))
    years.update(
        HubLink.objects.filter(Q(mentor_id=school_id) | Q(mentee_id=school_id)).values_list(
            "year", flat=True
        )
    )
    return [network_role_of(school=school_id, year=year) for year in sorted(years, reverse=True)]


# --- Scoped lists --------------------------------------------------------------------------------


def branches_visible_to(user: User) -> QuerySet[Branch]:
    scope = scope_of(user)
    if scope.national:
        return Branch.objects.order_by("code")
    condition = Q(pk__in=scope.branch_ids)
    if scope.organisation_ids:
        condition |= Q(areas__organisations__id__in=scope.organisation_ids)
    return Branch.objects.filter(condition).distinct().order_by("code")


def leading_visible_to(user: User) -> QuerySet[LeadingSchool]:
    scope = scope_of(user)
    qs = LeadingSchool.objects.select_related("school", "school__area", "centre__school")
    if scope.national:
        return qs
    condition = Q(branch_id__in=scope.branch_ids)
    if scope.organisation_ids:
        condition |= Q(school_id__in=scope.organisation_ids)
        condition |= Q(partnerships__school_id__in=scope.organisation_ids)
    return qs.filter(condition).distinct()


def network_years(*, branch: Branch | None = None) -> list[int]:
    qs = LeadingSchool.objects.all()
    if branch is not None:
        qs = qs.filter(branch=branch)
    years = set(qs.order_by().values_list("year", flat=True).distinct())
    centres = MethodCentre.objects.all()
    if branch is not None:
        centres = centres.filter(branch=branch)
    years.update(centres.order_by().values_list("year", flat=True).distinct())
    return sorted(years, reverse=True)


@dataclass
class LeadingNode:
    leading: LeadingSchool
    partners: list[Organisation]

    @property
    def warning(self) -> str:
        return partner_count_warning(len(self.partners))


@dataclass
class CentreNode:
    centre: MethodCentre | None
    leading: list[LeadingNode]


@dataclass
class AreaCount:
    area: Area
    leading: int = 0
    partners: int = 0


@dataclass
class NetworkTree:
    branch: Branch
    year: int
    centres: list[CentreNode]
    areas: list[AreaCount]
    hub_links: list[HubLink]
    coordinators: list[NetworkCoordinator]

    @property
    def leading_count(self) -> int:
        return sum(len(c.leading) for c in self.centres)

    @property
    def partner_count(self) -> int:
        return sum(len(node.partners) for c in self.centres for node in c.leading)

    @property
    def warning_count(self) -> int:
        return sum(1 for c in self.centres for node in c.leading if node.warning)


def network_tree(*, user: User, branch: Branch, year: int) -> NetworkTree:
    """The branch's network in `year` as centre → leading → partners (a school leader sees
    the networks their school belongs to)."""
    leading_qs = (
        leading_visible_to(user)
        .filter(year=year, branch=branch)
        .select_related("district")
        .prefetch_related(
            Prefetch(
                "partnerships",
                queryset=Partnership.objects.select_related("school", "school__area").order_by(
                    "school__name"
                ),
            )
        )
        .order_by("school__name")
    )
    by_centre: dict[int | None, list[LeadingNode]] = defaultdict(list)
    per_area: dict[int, Counter[str]] = defaultdict(Counter)
    for leading in leading_qs:
        partners = [p.school for p in leading.partnerships.all()]
        by_centre[leading.centre_id].append(LeadingNode(leading, partners))
        per_area[leading.school.area_id]["leading"] += 1
        for partner in partners:
            per_area[partner.area_id]["partners"] += 1
    scope = scope_of(user)
    centres_qs = MethodCentre.objects.filter(year=year, branch=branch).select_related("school")
    if not (scope.national or branch.pk in scope.branch_ids):
        centres_qs = centres_qs.filter(pk__in=[k for k in by_centre if k is not None])
    nodes = [CentreNode(c, by_centre.pop(c.pk, [])) for c in centres_qs.order_by("school__name")]
    orphans = [node for nodes_ in by_centre.values() for node in nodes_]
    if orphans:
        nodes.append(CentreNode(None, sorted(orphans, key=lambda n: n.leading.school.name)))
    areas = [
        AreaCount(area, per_area[area.pk]["leading"], per_area[area.pk]["partners"])
        for area in Area.objects.filter(branch=branch).order_by("sort_order")
    ]
    full = scope.national or branch.pk in scope.branch_ids
    hub_links = (
        list(
            HubLink.objects.filter(year=year, mentor__area__branch=branch).select_related(
                "mentor", "mentee"
            )
        )
        if full
        else []
    )
    coordinators = (
        list(
            NetworkCoordinator.objects.filter(year=year, branch=branch).select_related(
                "person", "centre__school"
            )
        )
        if full
        else []
    )
    return NetworkTree(branch, year, nodes, areas, hub_links, coordinators)


def network_growth(*, branch: Branch | None) -> list[dict[str, Any]]:
    """Per year: centres, leading schools and partner schools (of a branch or the country)."""
    leading = LeadingSchool.objects.all()
    partners = Partnership.objects.all()
    centres = MethodCentre.objects.all()
    if branch is not None:
        leading = leading.filter(branch=branch)
        partners = partners.filter(leading__branch=branch)
        centres = centres.filter(branch=branch)
    rows: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"centres": 0, "leading": 0, "partners": 0}
    )
    for year, n in leading.order_by().values_list("year").annotate(n=Count("id")):
        rows[year]["leading"] = n
    for year, n in partners.order_by().values_list("year").annotate(n=Count("id")):
        rows[year]["partners"] = n
    for year, n in centres.order_by().values_list("year").annotate(n=Count("id")):
        rows[year]["centres"] = n
    return [{"year": year, **rows[year]} for year in sorted(rows)]


def leading_get(*, user: User, pk: int) -> LeadingSchool:
    try:
        return leading_visible_to(user).get(pk=pk)
    except LeadingSchool.DoesNotExist as exc:
        raise Http404 from exc


# --- Support events ------------------------------------------------------------------------------


def event_visible_to(user: User) -> QuerySet[SupportEvent]:
    """National roles: all; coordinators: their branch; a school leader: the events their
    school organises or is the subject of, and those their staff take part in; a teacher:
    their own events and the open events of their school's branch (to register)."""
    scope = scope_of(user)
    qs = SupportEvent.objects.select_related(
        "branch", "leading__school", "centre__school", "school"
    )
    if scope.national:
        return qs
    condition = Q(branch_id__in=scope.branch_ids)
    if scope.organisation_ids:
        orgs = scope.organisation_ids
        condition |= Q(leading__school_id__in=orgs) | Q(school_id__in=orgs)
        condition |= Q(
            pk__in=EventParticipant.objects.filter(person__current_organisation_id__in=orgs).values(
                "event_id"
            )
        )
    if scope.person_id:
        condition |= Q(
            pk__in=EventParticipant.objects.filter(person_id=scope.person_id).values("event_id")
        )
        own_branch = (
            Organisation.objects.filter(current_staff__id=scope.person_id)
            .values_list("area__branch_id", flat=True)
            .first()
        )
        if own_branch:
            condition |= Q(is_open=True, branch_id=own_branch)
    return qs.filter(condition)


def event_list(
    *,
    user: User,
    year: int | None = None,
    kind: str = "",
    topic: str = "",
    branch: int | None = None,
) -> QuerySet[SupportEvent]:
    qs = event_visible_to(user)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=kind)
    if topic:
        qs = qs.filter(topic=topic)
    if branch:
        qs = qs.filter(branch_id=branch)
    return qs.order_by("-starts_at", "-id")


def event_get(*, user: User, pk: int) -> SupportEvent:
    try:
        return event_visible_to(user).get(pk=pk)
    except SupportEvent.DoesNotExist as exc:
        raise Http404 from exc


def event_participants(*, event: SupportEvent) -> list[EventParticipant]:
    rows = EventParticipant.objects.filter(event=event).select_related(
        "person", "person__current_organisation", "person__current_organisation__area"
    )
    return list(rows.order_by(*name_order("person__"), "id"))


# Below this many answers the organiser sees only how many there are: with one or two
# participants, or one answer more than yesterday, a rating or a comment names its author.
FEEDBACK_MIN_ANSWERS = 5


def event_feedback_summary(*, event: SupportEvent) -> dict[str, Any]:
    """What the organiser sees: how many answered, the mean rating and the comments, in no
    particular order and with nothing that tells who wrote them; the mean and the comments
    only from FEEDBACK_MIN_ANSWERS answers on."""
    rows = list(EventFeedback.objects.filter(event=event).values_list("rating", "comment"))
    if len(rows) < FEEDBACK_MIN_ANSWERS:
        return {
            "count": len(rows),
            "mean": None,
            "comments": [],
            "withheld": bool(rows),
            "min_answers": FEEDBACK_MIN_ANSWERS,
        }
    comments = sorted(c for _r, c in rows if c)
    mean = sum(r for r, _c in rows) / len(rows)
    return {
        "count": len(rows),
        "mean": mean,
        "comments": comments,
        "withheld": False,
        "min_answers": FEEDBACK_MIN_ANSWERS,
    }


# --- Teachers' requests --------------------------------------------------------------------------


def request_visible_to(user: User) -> QuerySet[SupportRequest]:
    scope = scope_of(user)
    qs = SupportRequest.objects.select_related(
        "person", "school", "branch", "leading__school", "centre__school", "assignee"
    )
    if scope.national:
        return qs
    condition = Q(branch_id__in=scope.branch_ids) | Q(filed_by_id=user.pk) | Q(assignee_id=user.pk)
    if scope.person_id:
        condition |= Q(person_id=scope.person_id)
    if scope.organisation_ids:
        condition |= Q(school_id__in=scope.organisation_ids) | Q(
            leading__school_id__in=scope.organisation_ids
        )
    return qs.filter(condition)


def request_list(
    *, user: User, status: str = "", topic: str = "", queue: str = ""
) -> QuerySet[SupportRequest]:
    """`queue`: "mine" (filed by or for me), "assigned" (to me), "overdue" (open and past
    due), "" (everything visible)."""
    qs = request_visible_to(user)
    scope = scope_of(user)
    if queue == "mine":
        qs = qs.filter(Q(filed_by_id=user.pk) | Q(person_id=scope.person_id or 0))
    elif queue == "assigned":
        qs = qs.filter(assignee_id=user.pk)
    elif queue == "overdue":
        qs = qs.filter(
            status__in=[RequestStatus.NEW, RequestStatus.ASSIGNED],
            due_on__lt=timezone.localdate(),
        )
    if status:
        qs = qs.filter(status=status)
    if topic:
        qs = qs.filter(topic=topic)
    return qs.order_by("-created_at", "-id")


def request_get(*, user: User, pk: int) -> SupportRequest:
    try:
        return request_visible_to(user).get(pk=pk)
    except SupportRequest.DoesNotExist as exc:
        raise Http404 from exc


def assignee_choices(*, request: SupportRequest) -> QuerySet[Any]:
    """Who may be given a request: people with a login who work at the leading school it went
    to (or at the centre's Intellectual school), and the branch's coordinators."""
    from kaskad.accounts.models import RoleAssignment, User

    schools = [
        s
        for s in (
            request.leading and request.leading.school_id,
            request.centre and request.centre.school_id,
        )
        if s
    ]
    coordinators = RoleAssignment.objects.filter(
        role=Role.BRANCH_COORDINATOR, branch_id=request.branch_id
    ).values("user_id")
    return (
        User.objects.filter(Q(person__current_organisation_id__in=schools) | Q(pk__in=coordinators))
        .filter(is_active=True)
        .select_related("person")
        .order_by("last_name", "username")
    )


def school_get(*, user: User, pk: int) -> Organisation:
    """A school the user may look at: one of the registry in their scope, or one of the
    networks they see (a partner school's leader looks at their leading school)."""
    try:
        return organisation_get(user=user, pk=pk)
    except Http404:
        visible = leading_visible_to(user)
        in_network = (
            visible.filter(school_id=pk).exists()
            or Partnership.objects.filter(leading__in=visible.values("pk"), school_id=pk).exists()
        )
        if not in_network:
            raise
        return Organisation.objects.select_related("area", "district").get(pk=pk)
