"""Reads of the collection of best materials and of the staff's publishing worklist.

Who sees what:

* the collection: every signed-in user holding any role; only portfolios that are published,
  still certified with the rating "good", and whose participant's consent stands — consent is
  read here, every time, so withdrawing it hides the material at once;
* the worklist ("candidates for publishing" and what is published): national administrators
  everywhere, coordinators for their branches; anyone else gets 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Substr
from django.http import Http404

from kaskad.accounts.scopes import user_scope
from kaskad.assessment.models import Portfolio, PortfolioFile, PortfolioStatus, Rating
from kaskad.assessment.permissions import can_browse, can_manage_publishing
from kaskad.catalogue.models import Programme
from kaskad.registry.models import Employment

if TYPE_CHECKING:
    from kaskad.accounts.models import User

# What makes a published portfolio visible in the collection.
PUBLISHED = Q(
    published_at__isnull=False,
    publish_consent_at__isnull=False,
    status=PortfolioStatus.CERTIFIED,
    rating=Rating.GOOD,
)
# Certified "good" with consent: may be published.
PUBLISHABLE = Q(
    publish_consent_at__isnull=False, status=PortfolioStatus.CERTIFIED, rating=Rating.GOOD
)
EXCERPT_CHARS = 360  # on the list
READING_CHARS = 4000  # on the material's page


def _current_files() -> QuerySet[PortfolioFile]:
    """The files of the attempt that was certified, not removed ones."""
    return PortfolioFile.objects.filter(
        portfolio_id=OuterRef("pk"), attempt=OuterRef("attempt"), removed_at__isnull=True
    )


def _base() -> QuerySet[Portfolio]:
    return Portfolio.objects.select_related(
        "programme",
        "enrolment__person",
        "enrolment__organisation",
        "enrolment__cohort__version",
    )


def published_visible_to(user: User) -> QuerySet[Portfolio]:
    if not can_browse(user):
        return Portfolio.objects.none()
    return _base().filter(PUBLISHED)


@dataclass
class MaterialFilters:
    programme: int | None = None
    language: str = ""
    position: str = ""
    level: str = ""
    q: str = ""


def published_list(*, user: User, filters: MaterialFilters | None = None) -> QuerySet[Portfolio]:
    """The collection, newest first, with a short excerpt of the first file's text annotated
    (`excerpt`): one query per page whatever its size."""
    filters = filters or MaterialFilters()
    qs = published_visible_to(user)
    if filters.programme:
        qs = qs.filter(programme_id=filters.programme)
    if filters.language:
        qs = qs.filter(enrolment__cohort__language=filters.language)
    if filters.position:
        qs = qs.filter(enrolment__position=filters.position)
    if filters.level:
        # The level taught in the job the participant held at the organisation they enrolled
        # from.
        qs = qs.filter(
            Exists(
                Employment.objects.filter(
                    person_id=OuterRef("enrolment__person_id"),
                    organisation_id=OuterRef("enrolment__organisation_id"),
                    level=filters.level,
                )
            )
        )
    q = filters.q.strip()
    if q:
        qs = qs.filter(
            Exists(_current_files().filter(text__icontains=q))
            | Q(enrolment__cohort__version__title__icontains=q)
            | Q(programme__code__iexact=q)
        )
    return _with_excerpt(qs).order_by("-published_at", "-pk")


def _with_excerpt(qs: QuerySet[Portfolio]) -> QuerySet[Portfolio]:
    """`excerpt`: the start of the first current file's text, read in the same query."""
    first_text = (
        _current_files().order_by("uploaded_at", "id").annotate(head=Substr("text", 1, 2000))
    )
    return qs.annotate(excerpt=Subquery(first_text.values("head")[:1]))


def published_get(*, user: User, pk: int) -> Portfolio:
    """One material with its current files (text included, for the reading excerpt)."""
    files = PortfolioFile.objects.filter(removed_at__isnull=True).order_by("uploaded_at", "id")
    portfolio = (
        published_visible_to(user)
        .filter(pk=pk)
        .prefetch_related(Prefetch("files", queryset=files, to_attr="all_files"))
        .first()
    )
    if portfolio is None:
        raise Http404
    portfolio.current_files = [  # type: ignore[attr-defined]
        f for f in portfolio.all_files if f.attempt == portfolio.attempt
    ]
    return portfolio


def published_file_get(*, user: User, pk: int, file_pk: int) -> PortfolioFile:
    """A file of a visible material (the stored, metadata-stripped copy), else 404."""
    file = (
        PortfolioFile.objects.filter(
            pk=file_pk,
            portfolio_id=pk,
            attempt=F("portfolio__attempt"),
            removed_at__isnull=True,
            portfolio__in=published_visible_to(user).values("pk"),
        )
        .only("id", "original_name", "kind", "stored", "portfolio_id")
        .first()
    )
    if file is None:
        raise Http404
    return file


def programmes_published() -> QuerySet[Programme]:
    """Programmes with at least one material in the collection (for the filter)."""
    return (
        Programme.objects.filter(pk__in=Portfolio.objects.filter(PUBLISHED).values("programme_id"))
        .prefetch_related("versions")
        .order_by("code")
    )


def employment_level(portfolio: Portfolio) -> str:
    """The level taught in the job behind the enrolment ("" when not known)."""
    enrolment = portfolio.enrolment
    if enrolment.organisation_id is None:
        return ""
    level = (
        Employment.objects.filter(
            person_id=enrolment.person_id, organisation_id=enrolment.organisation_id
        )
        .exclude(level="")
        .order_by("-started_on")
        .values_list("level", flat=True)
        .first()
    )
    return level or ""


# --- The staff's worklist -----------------------------------------------------------------------


def _scoped(user: User) -> QuerySet[Portfolio]:
    """Every portfolio of the user's branches (all for a national administrator); 404 for
    anyone who may not publish."""
    scope = user_scope(user)
    if not can_manage_publishing(user):
        raise Http404
    qs = _base().select_related("branch", "published_by")
    if not scope.national_write:
        qs = qs.filter(branch_id__in=scope.branch_ids)
    return qs


def publishing_candidates(*, user: User) -> QuerySet[Portfolio]:
    """Certified "good", consent given, not yet published: waiting for a decision."""
    return _with_excerpt(_scoped(user).filter(PUBLISHABLE, published_at__isnull=True)).order_by(
        "publish_consent_at", "pk"
    )


def publishing_published(*, user: User) -> QuerySet[Portfolio]:
    """Everything marked published, including any whose consent was withdrawn or whose
    certification was revoked since (hidden from the collection, still to be taken down)."""
    return _scoped(user).filter(published_at__isnull=False).order_by("-published_at", "-pk")


def publishing_get(*, user: User, pk: int) -> Portfolio:
    """A portfolio the user may publish or unpublish (any status: a revoked one may still need
    taking down), else 404."""
    scope = user_scope(user)
    if not can_manage_publishing(user):
        raise Http404
    qs = Portfolio.objects.filter(pk=pk)
    if not scope.national_write:
        qs = qs.filter(branch_id__in=scope.branch_ids)
    portfolio = qs.first()
    if portfolio is None:
        raise Http404
    return portfolio
