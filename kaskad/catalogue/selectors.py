"""Reads of the catalogue. Lists start from `programme_list_visible_to(user)`.

Everyone signed in sees the programmes that have an approved version; national
administrators, who manage the catalogue, also see drafts and retired programmes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from kaskad.accounts.models import Role
from kaskad.accounts.scopes import user_scope
from kaskad.catalogue.models import (
    AnnualPlan,
    Programme,
    ProgrammeArea,
    ProgrammeModule,
    ProgrammeVersion,
    QualityCertification,
    VersionStatus,
)
from kaskad.catalogue.permissions import can_see_drafts
from kaskad.registry.models import Branch, Employment, Person

if TYPE_CHECKING:
    from kaskad.accounts.models import User

EXPIRY_WARNING_DAYS = 183  # six months


def _with_status(qs: QuerySet[Programme]) -> QuerySet[Programme]:
    versions = ProgrammeVersion.objects.filter(programme=OuterRef("pk"))
    return qs.annotate(
        has_approved=Exists(versions.filter(status=VersionStatus.APPROVED)),
        has_draft=Exists(versions.filter(status=VersionStatus.DRAFT)),
        status=Case(
            When(has_approved=True, then=Value(VersionStatus.APPROVED)),
            When(has_draft=True, then=Value(VersionStatus.DRAFT)),
            default=Value(VersionStatus.RETIRED),
            output_field=CharField(),
        ),
    )


def programme_list_visible_to(user: User | None) -> QuerySet[Programme]:
    """Programmes with their status, current (approved) version and draft attached:
    `programme.current` and `programme.draft` are versions or None."""
    qs = _with_status(Programme.objects.select_related("area")).prefetch_related(
        Prefetch(
            "versions",
            queryset=ProgrammeVersion.objects.filter(
                status__in=[VersionStatus.APPROVED, VersionStatus.DRAFT]
            ).order_by("-number"),
            to_attr="live_versions",
        )
    )
    if not can_see_drafts(user):
        qs = qs.filter(has_approved=True)  # type: ignore[misc]
    return qs


def attach_versions(programmes: Any) -> None:
    """Set `current` and `draft` on programmes fetched by `programme_list_visible_to`."""
    for programme in programmes:
        live = getattr(programme, "live_versions", None)
        if live is None:
            live = list(
                programme.versions.filter(
                    status__in=[VersionStatus.APPROVED, VersionStatus.DRAFT]
                ).order_by("-number")
            )
        programme.current = next((v for v in live if v.status == VersionStatus.APPROVED), None)
        programme.draft = next((v for v in live if v.status == VersionStatus.DRAFT), None)


@dataclass
class ProgrammeFilters:
    q: str = ""
    area: int | None = None
    format: str = ""
    language: str = ""
    status: str = ""  # only national administrators can ask for drafts and retired ones


def programme_list(*, user: User, filters: ProgrammeFilters | None = None) -> QuerySet[Programme]:
    filters = filters or ProgrammeFilters()
    qs = programme_list_visible_to(user)
    if filters.area:
        qs = qs.filter(area_id=filters.area)
    admin = can_see_drafts(user)
    if filters.status and admin:
        qs = qs.filter(status=filters.status)  # type: ignore[misc]
    q = filters.q.strip().casefold()
    if q or filters.format or filters.language:
        # Others match only the approved version: a draft's title must not leak through a
        # search. The catalogue is small (tens of programmes), so the matching is done here:
        # the same on SQLite and PostgreSQL, and case-insensitive for Cyrillic letters too.
        versions = ProgrammeVersion.objects.all()
        if not admin:
            versions = versions.filter(status=VersionStatus.APPROVED)
        matching = {
            programme_id
            for programme_id, code, kk, ru, en, formats, languages in versions.values_list(
                "programme_id",
                "programme__code",
                "title_kk",
                "title_ru",
                "title_en",
                "formats",
                "languages",
            )
            if (not q or any(q in (text or "").casefold() for text in (code, kk, ru, en)))
            and (not filters.format or filters.format in (formats or []))
            and (not filters.language or filters.language in (languages or []))
        }
        qs = qs.filter(pk__in=matching)
    return qs.order_by("area__sort_order", "code")


def programme_get(*, user: User, code: str) -> Programme:
    try:
        programme = programme_list_visible_to(user).get(code=code.strip().upper())
    except Programme.DoesNotExist as exc:
        raise Http404 from exc
    attach_versions([programme])
    return programme


def programme_current_version(programme: Programme) -> ProgrammeVersion | None:
    """The approved version of a programme: the one new cohorts follow (None when retired or
    not yet approved)."""
    live = getattr(programme, "live_versions", None)
    if live is not None:
        return next((v for v in live if v.status == VersionStatus.APPROVED), None)
    return (
        ProgrammeVersion.objects.filter(programme=programme, status=VersionStatus.APPROVED)
        .prefetch_related("modules")
        .first()
    )


def programme_versions(*, programme: Programme) -> QuerySet[ProgrammeVersion]:
    return (
        ProgrammeVersion.objects.filter(programme=programme)
        .select_related("approved_by")
        .annotate(cohort_count=Count("cohorts"))
        .order_by("-number")
    )


def version_get(*, user: User, programme: Programme, number: int) -> ProgrammeVersion:
    """One version; drafts and retired versions only for national administrators."""
    qs = ProgrammeVersion.objects.filter(programme=programme, number=number).prefetch_related(
        "modules"
    )
    if not can_see_drafts(user):
        qs = qs.filter(status=VersionStatus.APPROVED)
    version = qs.first()
    if version is None:
        raise Http404
    return version


def version_modules(version: ProgrammeVersion) -> list[ProgrammeModule]:
    return list(version.modules.all())


def programme_area_list() -> QuerySet[ProgrammeArea]:
    return ProgrammeArea.objects.order_by("sort_order", "code")


def programmes_eligible_for(person: Person) -> QuerySet[Programme]:
    """Approved programmes whose audience takes the person's current job: a position in the
    list (or no list) and a level in the list (or no list)."""
    job = (
        Employment.objects.filter(person=person, ended_on__isnull=True, is_primary=True)
        .values("position", "level")
        .first()
    )
    position = job["position"] if job else ""
    level = job["level"] if job else ""
    # The catalogue is small (tens of programmes): matching the JSON lists here works the same
    # on SQLite and PostgreSQL.
    eligible = [
        programme_id
        for programme_id, positions, levels in ProgrammeVersion.objects.filter(
            status=VersionStatus.APPROVED
        ).values_list("programme_id", "audience_positions", "audience_levels")
        if (not positions or position in positions) and (not levels or level in levels)
    ]
    return (
        programme_list_visible_to(None)
        .filter(pk__in=eligible, has_approved=True)  # type: ignore[misc]
        .order_by("area__sort_order", "code")
    )


# --- Quality certification ---------------------------------------------------------------------


@dataclass
class CertificationRow:
    certification: QualityCertification
    programme: Programme
    days_left: int

    @property
    def expired(self) -> bool:
        return self.days_left < 0


def certifications_expiring(
    *, today: date | None = None, within_days: int = EXPIRY_WARNING_DAYS
) -> list[CertificationRow]:
    """The latest certification of each programme by each body that has expired or expires
    within `within_days`, soonest first. Retired programmes are left out: nobody renews them.
    """
    today = today or timezone.localdate()
    later = QualityCertification.objects.filter(
        programme=OuterRef("programme"),
        body__iexact=OuterRef("body"),
        valid_until__gt=OuterRef("valid_until"),
    )
    live = ProgrammeVersion.objects.filter(
        programme=OuterRef("programme"),
        status__in=[VersionStatus.APPROVED, VersionStatus.DRAFT],
    )
    qs = (
        QualityCertification.objects.filter(valid_until__lte=today + timedelta(days=within_days))
        .filter(~Exists(later), Exists(live))
        .select_related("programme", "programme__area")
        .order_by("valid_until", "programme__code")
    )
    programmes = {
        p.pk: p for p in programme_list_visible_to(None).filter(pk__in=qs.values("programme_id"))
    }
    attach_versions(programmes.values())
    return [
        CertificationRow(
            certification=c,
            programme=programmes.get(c.programme_id, c.programme),
            days_left=(c.valid_until - today).days,
        )
        for c in qs
    ]


def programme_certifications(*, programme: Programme) -> QuerySet[QualityCertification]:
    return QualityCertification.objects.filter(programme=programme).order_by("-certified_on")


# --- Annual plan -------------------------------------------------------------------------------


def plan_branches_visible_to(user: User) -> QuerySet[Branch]:
    """National roles see every branch's plan; a coordinator sees their branch's."""
    scope = user_scope(user)
    if scope.national:
        return Branch.objects.order_by("code")
    if scope.has(Role.BRANCH_COORDINATOR):
        return Branch.objects.filter(pk__in=scope.branch_ids).order_by("code")
    return Branch.objects.none()


def plan_branch_get(*, user: User, code: str) -> Branch:
    branch = plan_branches_visible_to(user).filter(code=code.strip().upper()).first()
    if branch is None:
        raise Http404
    return branch


def plan_lines(*, user: User, year: int, branch: Branch | None = None) -> QuerySet[AnnualPlan]:
    qs = AnnualPlan.objects.filter(
        year=year, branch__in=plan_branches_visible_to(user)
    ).select_related("branch", "programme")
    if branch is not None:
        qs = qs.filter(branch=branch)
    return qs.order_by("branch__code", "programme__code")


def plan_line_get(*, user: User, pk: int) -> AnnualPlan:
    line = (
        AnnualPlan.objects.filter(pk=pk, branch__in=plan_branches_visible_to(user))
        .select_related("branch", "programme")
        .first()
    )
    if line is None:
        raise Http404
    return line


def plan_years(*, user: User) -> list[int]:
    """Years with a plan line in the user's branches, this year and next, newest first."""
    years = set(
        AnnualPlan.objects.filter(branch__in=plan_branches_visible_to(user))
        .values_list("year", flat=True)
        .distinct()
    )
    # This year and the next, which is the one being planned in the autumn.
    years.update({timezone.localdate().year, timezone.localdate().year + 1})
    return sorted(years, reverse=True)
