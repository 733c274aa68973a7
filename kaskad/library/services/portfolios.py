"""Portfolios rated "good" and published with the participant's consent appear in the library.

The assessment app decides what is published (`assessment.publishing`): a portfolio that is
published, certified "good" and whose consent stands. This module mirrors that decision as a
material of origin "portfolio" (its files served from the portfolio, not copied), called on
every save of a portfolio (`library.signals`) and, for what was published before the library
existed, by :func:`portfolio_materials_sync_all` (`manage.py library_sync_portfolios`).
Withdrawing consent unpublishes at once: the selectors also read the consent on every query.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from kaskad.assessment.models import Portfolio, PortfolioFile
from kaskad.assessment.publishing.selectors import PUBLISHED
from kaskad.core.audit import audit_record
from kaskad.library.models import (
    Licence,
    Material,
    MaterialAuthor,
    MaterialFile,
    MaterialType,
    Origin,
    Status,
    Subject,
)
from kaskad.library.search import index_material


def _is_published(portfolio: Portfolio) -> bool:
    return Portfolio.objects.filter(PUBLISHED, pk=portfolio.pk).exists()


def _bring_in(portfolio: Portfolio) -> Material:
    version = portfolio.rubric.version
    material = Material(
        status=Status.PUBLISHED,
        origin=Origin.PORTFOLIO,
        portfolio=portfolio,
        language=portfolio.enrolment.cohort.language
        if portfolio.enrolment.cohort.language in ("kk", "ru", "en")
        else "kk",
        subject=Subject.PEDAGOGY,
        type=MaterialType.OTHER,
        programme=portfolio.programme,
        licence=Licence.CENTRE,
        published_at=portfolio.published_at or timezone.now(),
    )
    for code in ("kk", "ru", "en"):
        setattr(material, f"title_{code}", getattr(version, f"title_{code}", "") or "")
    material.title = version.title
    material.save()
    MaterialAuthor.objects.create(material=material, person_id=portfolio.enrolment.person_id)
    files = PortfolioFile.objects.filter(
        portfolio=portfolio, attempt=portfolio.attempt, removed_at__isnull=True
    ).order_by("uploaded_at", "id")
    for number, file in enumerate(files, start=1):
        MaterialFile.objects.create(
            material=material,
            version=number,
            current=True,
            original_name=file.original_name,
            kind=file.kind,
            size=file.size,
            sha256=file.sha256,
            portfolio_file=file,
            text=file.text,
            searchable=bool(file.text.strip()),
        )
    material.searchable = any(f.text.strip() for f in files)
    material.save(update_fields=["searchable"])
    index_material(material)
    return material


def portfolio_material_sync(*, portfolio: Portfolio) -> Material | None:
    """Bring a published portfolio in, or take its material down when it is no longer
    published (consent withdrawn, unpublished, certification revoked)."""
    with transaction.atomic():
        material = Material.objects.filter(portfolio_id=portfolio.pk).first()
        if _is_published(portfolio):
            if material is None:
                material = _bring_in(portfolio)
                audit_record(
                    actor=portfolio.published_by,
                    action="create",
                    obj=material,
                    changes={"origin": [None, "portfolio"], "portfolio": [None, portfolio.pk]},
                )
            elif material.status != Status.PUBLISHED:
                material.status = Status.PUBLISHED
                material.published_at = portfolio.published_at or timezone.now()
                material.save(update_fields=["status", "published_at", "updated_at"])
            return material
        if material is not None and material.status == Status.PUBLISHED:
            material.status = Status.WITHDRAWN
            material.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                action="update",
                obj=material,
                changes={"status": [Status.PUBLISHED, Status.WITHDRAWN]},
                source="portfolio no longer published",
            )
        return material


def portfolio_materials_sync_all() -> int:
    """Every portfolio published today gets its material (those published before the library
    existed included); returns how many were brought in."""
    have = Material.objects.filter(portfolio__isnull=False).values("portfolio_id")
    added = 0
    for portfolio in Portfolio.objects.filter(PUBLISHED).exclude(pk__in=have).iterator():
        if portfolio_material_sync(portfolio=portfolio) is not None:
            added += 1
    return added
