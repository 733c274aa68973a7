"""Reads of the network. Lists start from `…_visible_to(user)`; other apps use
`schools_of_network` and `network_role_of`."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from kaskad.core.scope import scope_of
from kaskad.networks.models import (
    HubLink,
    LeadingSchool,
    MethodCentre,
    NetworkCoordinator,
    Partnership,
)
from kaskad.networks.rules import partner_count_warning
from kaskad.registry.models import Area, Branch, Organisation

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


# --- Scoped lists ----------------------------------------------------------------------------------


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
    years = set(qs.values_list("year", flat=True).distinct())
    centres = MethodCentre.objects.all()
    if branch is not None:
        centres = centres.filter(branch=branch)
    years.update(centres.values_list("year", flat=True).distinct())
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
    for year, n in leading.values_list("year").annotate(n=Count("id")):
        rows[year]["leading"] = n
    for year, n in partners.values_list("year").annotate(n=Count("id")):
        rows[year]["partners"] = n
    for year, n in centres.values_list("year").annotate(n=Count("id")):
        rows[year]["centres"] = n
    return [{"year": year, **rows[year]} for year in sorted(rows)]


def leading_get(*, user: User, pk: int) -> LeadingSchool:
    try:
        return leading_visible_to(user).get(pk=pk)
    except LeadingSchool.DoesNotExist as exc:
        raise Http404 from exc
