"""The library's figures: materials published in the year by type, and the centre's manuals
by branch and heading. A material counts while it is published: one withdrawn is no longer
among the year's publications (the next rebuild takes it out)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kaskad.library.models import Heading, Manual, Material, MaterialType, Status
from kaskad.reports.figures import DrillRow, Metric, Source, register, year_bounds
from kaskad.reports.sources._common import label_of, local_date, years_of


def published(year: int) -> QuerySet[Material]:
    start, end = year_bounds(year)
    return Material.objects.filter(
        status=Status.PUBLISHED, published_at__gte=start, published_at__lt=end
    )


def manuals(year: int) -> QuerySet[Manual]:
    return Manual.objects.filter(year=year, material__status=Status.PUBLISHED)


def material_row(material: Material) -> DrillRow:
    return DrillRow(
        name=str(material.title),
        organisation="",
        programme=material.programme.code if material.programme_id else "",  # type: ignore[union-attr]
        on=local_date(material.published_at),
        detail=label_of(MaterialType, material.type),
        sort_key=(str(material.title), material.pk),
    )


def manual_row(manual: Manual) -> DrillRow:
    return DrillRow(
        name=str(manual.material.title),
        organisation=str(manual.branch) if manual.branch_id else "",
        programme="",
        on=local_date(manual.material.published_at),
        detail=f"{label_of(Heading, manual.heading)} · ISBN {manual.isbn or '—'}",
        sort_key=(str(manual.material.title), manual.pk),
    )


def changed_years(since: datetime) -> set[int]:
    changed = Material.objects.filter(updated_at__gt=since)
    years = years_of(changed, "published_at")
    years |= set(
        Manual.objects.filter(material__in=changed).values_list("year", flat=True).distinct()
    )
    return years


SOURCE = register(
    Source(
        name="library",
        metrics=[
            Metric(
                code="materials_published",
                label=_("Materials published"),
                records=published,
                programme="programme_id",
                key="type",
                describe=material_row,
                related=("programme",),
            ),
            Metric(
                code="manuals",
                label=_("Methodological manuals"),
                records=manuals,
                branch="branch_id",
                key="heading",
                describe=manual_row,
                related=("material", "branch"),
            ),
        ],
        changed_years=changed_years,
    )
)
