"""Reads of the library. Every list starts from a `..._visible_to(user)` selector.

* published materials: every signed-in user with a role; a material that came from a
  portfolio is shown only while that portfolio is published, certified "good" and its
  participant's consent stands (read here, on every query: withdrawing consent hides it at
  once);
* submissions: their author, and the library editors (and national administrators);
* anyone else gets 404, exactly as for a material that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kaskad.assessment.models import Portfolio
from kaskad.assessment.publishing.selectors import PUBLISHED
from kaskad.library.models import (
    Favourite,
    Heading,
    JournalArticle,
    JournalIssue,
    Manual,
    Material,
    MaterialFile,
    Rating,
    Status,
)
from kaskad.library.permissions import can_browse, is_editor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kaskad.accounts.models import User


def published() -> QuerySet[Material]:
    """Every published material whose portfolio (if any) is still published with consent."""
    return Material.objects.filter(status=Status.PUBLISHED).filter(
        Q(portfolio__isnull=True)
        | Q(portfolio_id__in=Portfolio.objects.filter(PUBLISHED).values("pk"))
    )


def published_visible_to(user: User | AnonymousUser) -> QuerySet[Material]:
    if not can_browse(user):
        return Material.objects.none()
    return published()


def material_get(*, user: User | AnonymousUser, pk: int) -> Material:
    """A published material, or the user's own submission, or any for an editor."""
    qs = Material.objects.filter(pk=pk)
    if not is_editor(user):
        own = Q(submitted_by_id=getattr(user, "pk", None)) & ~Q(origin="portfolio")
        qs = qs.filter(Q(pk__in=published_visible_to(user).values("pk")) | own)
    material = qs.select_related("programme", "submitted_by", "reviewed_by").first()
    if material is None or not can_browse(user):
        raise Http404
    return material


def material_files(material: Material) -> list[MaterialFile]:
    return list(material.files.all().order_by("-version"))


def file_get(*, user: User | AnonymousUser, pk: int, file_pk: int) -> MaterialFile:
    material = material_get(user=user, pk=pk)
    file = material.files.filter(pk=file_pk).select_related("portfolio_file").first()
    if file is None:
        raise Http404
    return file


def submissions_visible_to(user: User | AnonymousUser) -> QuerySet[Material]:
    """The moderation queue (editors) or one's own submissions (anyone else)."""
    qs = Material.objects.exclude(origin="portfolio").select_related("submitted_by")
    if is_editor(user):
        return qs.filter(origin="teacher")
    return qs.filter(submitted_by_id=getattr(user, "pk", None), origin="teacher")


def review_queue(*, user: User) -> QuerySet[Material]:
    if not is_editor(user):
        raise Http404
    return (
        submissions_visible_to(user).filter(status=Status.SUBMITTED).order_by("submitted_at", "pk")
    )


def my_submissions(*, user: User) -> QuerySet[Material]:
    return Material.objects.filter(submitted_by_id=user.pk, origin="teacher").order_by(
        "-submitted_at"
    )


def favourites_of(*, user: User) -> QuerySet[Material]:
    return (
        published_visible_to(user).filter(favourites__user=user).order_by("-favourites__created_at")
    )


def is_favourite(*, user: User, material: Material) -> bool:
    return Favourite.objects.filter(user=user, material=material).exists()


def ratings_of(material: Material) -> QuerySet[Rating]:
    return material.ratings.select_related("user").exclude(review="")


def my_rating(*, user: User, material: Material) -> Rating | None:
    return material.ratings.filter(user=user).first()


def manuals(*, user: User | AnonymousUser) -> QuerySet[Manual]:
    return (
        Manual.objects.filter(material__in=published_visible_to(user))
        .select_related("material", "branch")
        .order_by("-year", "heading", "material__title")
    )


def journal_issues(*, user: User | AnonymousUser) -> QuerySet[JournalIssue]:
    if not can_browse(user):
        return JournalIssue.objects.none()
    return JournalIssue.objects.all()


def issue_articles(*, user: User | AnonymousUser, issue: JournalIssue) -> QuerySet[JournalArticle]:
    return (
        JournalArticle.objects.filter(issue=issue, material__in=published_visible_to(user))
        .select_related("material")
        .prefetch_related("authors")
        .order_by("pk")
    )


def issue_get(*, user: User | AnonymousUser, pk: int) -> JournalIssue:
    issue = journal_issues(user=user).filter(pk=pk).first()
    if issue is None:
        raise Http404
    return issue


def publications_report(*, year: int | None = None) -> dict[str, Any]:
    """Manuals by branch and heading (rows: branches; columns: headings; totals), in the shape
    of the annual report's table, and the journal's issues and articles of the year."""
    qs = Manual.objects.filter(material__status=Status.PUBLISHED)
    if year:
        qs = qs.filter(year=year)
    counts = qs.values("branch__code", "branch__city", "heading").annotate(n=Count("id"))
    headings = list(Heading.choices)
    rows: dict[str, dict[str, Any]] = {}
    for row in counts:
        key = row["branch__code"] or ""
        entry = rows.setdefault(
            key,
            {
                "code": key,
                "name": row["branch__city"] or "",
                "cells": {h: 0 for h, _l in headings},
                "total": 0,
            },
        )
        entry["cells"][row["heading"]] += row["n"]
        entry["total"] += row["n"]
    ordered = sorted(rows.values(), key=lambda r: (r["code"] == "", r["code"]))
    for entry in ordered:
        entry["values"] = [entry["cells"][h] for h, _l in headings]
    totals = [sum(r["cells"][h] for r in ordered) for h, _l in headings]
    issues = JournalIssue.objects.all()
    if year:
        issues = issues.filter(year=year)
    return {
        "headings": headings,
        "rows": ordered,
        "totals": totals,
        "total": sum(totals),
        "issues": issues.annotate(n=Count("articles")).order_by("year", "number"),
    }
