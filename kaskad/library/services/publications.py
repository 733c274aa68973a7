"""The centre's publications: methodological manuals (branch, heading, ISBN) and the journal
«Pedagogical Dialogue» (issues with ISSN, articles with their authors' country and degree).
Each manual and article is a material too, so it is found by the same search."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from kaskad.core.audit import audit_record
from kaskad.core.errors import DomainError, NotFoundError, StateConflict
from kaskad.library.models import (
    Heading,
    JournalArticle,
    JournalAuthor,
    JournalIssue,
    Manual,
    MaterialType,
)
from kaskad.library.permissions import is_editor
from kaskad.library.services.materials import MaterialData, material_upload

if TYPE_CHECKING:
    from kaskad.accounts.models import User
    from kaskad.registry.models import Branch

ISSN = re.compile(r"^\d{4}-\d{3}[\dX]$")


def isbn_valid(value: str) -> bool:
    """ISBN-13 (or ISBN-10) with a correct check digit; hyphens and spaces ignored."""
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"\d{13}", digits):
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits[:12]))
        return (10 - total % 10) % 10 == int(digits[12])
    if re.fullmatch(r"\d{9}[\dX]", digits):
        total = sum((10 - i) * (10 if d == "X" else int(d)) for i, d in enumerate(digits))
        return total % 11 == 0
    return False


def issn_valid(value: str) -> bool:
    if not ISSN.match(value):
        return False
    digits = value.replace("-", "")
    total = sum((8 - i) * int(d) for i, d in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    return digits[7] == ("X" if check == 10 else str(check))


def _require_editor(by: User) -> None:
    if not is_editor(by):
        raise NotFoundError("not_found", _("Not found."))


def manual_publish(
    *,
    data: MaterialData,
    upload: Any,
    by: User,
    heading: str,
    year: int,
    branch: Branch | None = None,
    isbn: str = "",
) -> Manual:
    _require_editor(by)
    if heading not in Heading.values:
        raise DomainError("heading", _("Choose a heading."), field="heading")
    isbn = isbn.strip()
    if isbn and not isbn_valid(isbn):
        raise DomainError(
            "isbn",
            _("“%(value)s” is not a valid ISBN (its check digit does not agree).")
            % {"value": isbn},
            field="isbn",
        )
    data.type = MaterialType.MANUAL
    with transaction.atomic():
        material = material_upload(data=data, upload=upload, by=by)
        manual = Manual.objects.create(
            material=material, branch=branch, heading=heading, isbn=isbn, year=year
        )
        audit_record(
            actor=by,
            action="create",
            obj=manual,
            changes={"heading": [None, heading], "isbn": [None, isbn], "year": [None, year]},
        )
    return manual


def journal_issue_create(*, by: User, year: int, number: int, issn: str) -> JournalIssue:
    _require_editor(by)
    issn = issn.strip().upper()
    if not issn_valid(issn):
        raise DomainError(
            "issn",
            _("“%(value)s” is not a valid ISSN (NNNN-NNNC with a correct check digit).")
            % {"value": issn},
            field="issn",
        )
    if number not in (1, 2, 3, 4):
        raise DomainError(
            "number", _("The journal has four issues a year: 1 to 4."), field="number"
        )
    with transaction.atomic():
        if JournalIssue.objects.filter(year=year, number=number).exists():
            raise StateConflict("issue_exists", _("This issue already exists."))
        issue = JournalIssue.objects.create(year=year, number=number, issn=issn)
        audit_record(actor=by, action="create", obj=issue, changes={"issn": [None, issn]})
    return issue


def journal_article_publish(
    *,
    issue: JournalIssue,
    data: MaterialData,
    upload: Any,
    by: User,
    heading: str,
    authors: list[dict[str, str]],
    pages: str = "",
) -> JournalArticle:
    """An article of an issue; `authors` are dicts with name, country, degree, organisation."""
    _require_editor(by)
    if heading not in Heading.values:
        raise DomainError("heading", _("Choose a heading."), field="heading")
    cleaned = [a for a in authors if (a.get("name") or "").strip()]
    if not cleaned:
        raise DomainError("authors", _("Name at least one author."), field="authors")
    for author in cleaned:
        if not (author.get("country") or "").strip():
            raise DomainError(
                "country",
                _("Give the country of %(name)s.") % {"name": author["name"]},
                field="authors",
            )
    data.type = MaterialType.JOURNAL_ARTICLE
    data.outside_authors = [a["name"] for a in cleaned]
    with transaction.atomic():
        material = material_upload(data=data, upload=upload, by=by)
        article = JournalArticle.objects.create(
            issue=issue, material=material, heading=heading, pages=pages.strip()[:20]
        )
        for author in cleaned:
            person, _created = JournalAuthor.objects.get_or_create(
                name=" ".join(author["name"].split()),
                country=author["country"].strip(),
                defaults={
                    "degree": (author.get("degree") or "").strip(),
                    "organisation": (author.get("organisation") or "").strip(),
                },
            )
            article.authors.add(person)
        audit_record(
            actor=by,
            action="create",
            obj=article,
            changes={"issue": [None, str(issue)], "authors": [None, [a["name"] for a in cleaned]]},
        )
    return article
