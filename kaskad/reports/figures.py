"""The registry of report figures: what each app contributes to the national reports.

A **metric** is one count defined once, by the records behind it: `records(year)` is a
queryset of those records, and the metric names the fields that place each record in the grain
of the read model (branch, area, programme, and an optional key such as the format or the
strand). The same definition

* builds the read model: `records(year).values(branch, area, programme, key).annotate(Count)`,
  one grouped query per metric (`build_facts`), and
* answers a drill-down: `records(year).filter(branch=…, area=…, programme=…, key=…)`, the
  names behind a figure (`drill`).

So a figure and the list behind it can never disagree. A **source** groups the metrics of one
app and says which years its recent changes touch (`changed_years`), for the sweep that keeps
the read model fresh. A new app contributes by adding a module to `kaskad/reports/sources/`
that calls `register(Source(...))`, and a table to `kaskad/reports/tables.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise

from kaskad.core.collation import name_order

# (metric, branch_id, area_id, programme_id, key, value)
FactRow = tuple[str, int | None, int | None, int | None, str, int]


@dataclass(frozen=True)
class DrillRow:
    """One record behind a figure, as the drill-down list shows it."""

    name: str
    organisation: str
    programme: str
    on: date | None
    detail: str
    sort_key: Any = None


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    records: Callable[[int], QuerySet[Any]]
    branch: str | None = None
    area: str | None = None
    programme: str | None = None
    key: str | None = None
    # What is counted (distinct), "pk" by default; or the field summed instead.
    counts: str = "pk"
    sums: str | None = None
    # How one record reads in the drill-down list; None: the figure has no list behind it.
    describe: Callable[[Any], DrillRow] | None = None
    # select_related for the drill-down list.
    related: tuple[str, ...] = ()
    # The path to the person ("person__"), so the list is in alphabetical order in SQL.
    person: str | None = None


@dataclass
class Source:
    name: str
    metrics: list[Metric] = field(default_factory=list)
    # The years whose figures records changed since `since` may have changed.
    changed_years: Callable[[datetime], set[int]] = lambda since: set()
    # Extra facts that are not a grouped count of one queryset (snapshots, distinct counts).
    snapshot: Callable[[int], Iterable[FactRow]] | None = None


SOURCES: dict[str, Source] = {}
METRICS: dict[str, Metric] = {}


def register(source: Source) -> Source:
    """Add an app's source (idempotent by name: a re-import replaces it)."""
    SOURCES[source.name] = source
    for metric in source.metrics:
        METRICS[metric.code] = metric
    return source


def load_sources() -> None:
    """Import the modules of `kaskad.reports.sources` (each registers itself)."""
    from kaskad.reports import sources  # noqa: F401


def year_bounds(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def metric_facts(metric: Metric, year: int) -> list[FactRow]:
    """The metric's figures for one year at its grain: one grouped query."""
    dims: dict[str, Any] = {}
    for alias, path in (
        ("b_", metric.branch),
        ("a_", metric.area),
        ("p_", metric.programme),
        ("k_", metric.key),
    ):
        if path is not None:
            dims[alias] = F(path)
    qs = metric.records(year)
    value: Any = Sum(metric.sums) if metric.sums else Count(metric.counts, distinct=True)
    grouped = qs.values(**dims).annotate(n_=value).order_by() if dims else [qs.aggregate(n_=value)]
    rows: list[FactRow] = []
    for item in grouped:
        if not item["n_"]:
            continue
        rows.append(
            (
                metric.code,
                item.get("b_"),
                item.get("a_"),
                item.get("p_"),
                str(item.get("k_") or ""),
                int(item["n_"]),
            )
        )
    return rows


def build_facts(year: int, *, pause: Callable[[], None] = lambda: None) -> list[FactRow]:
    """Every figure of `year`; `pause` is called after each grouped read."""
    load_sources()
    rows: list[FactRow] = []
    for source in SOURCES.values():
        for metric in source.metrics:
            rows.extend(metric_facts(metric, year))
            pause()
        if source.snapshot is not None:
            rows.extend(source.snapshot(year))
            pause()
    return rows


def drill_queryset(
    metric: Metric,
    *,
    year: int,
    branch_id: int | None,
    area_id: int | None,
    programme_id: int | None,
    key: str | None,
) -> QuerySet[Any]:
    qs = metric.records(year)
    if branch_id is not None:
        if metric.branch is None:
            return qs.none()
        qs = qs.filter(**{metric.branch: branch_id})
    if area_id is not None:
        if metric.area is None:
            return qs.none()
        qs = qs.filter(**{metric.area: area_id})
    if programme_id is not None and metric.programme is not None:
        qs = qs.filter(**{metric.programme: programme_id})
    if key is not None and metric.key is not None:
        qs = qs.filter(**{metric.key: key})
    if metric.related:
        qs = qs.select_related(*metric.related)
    if metric.person is not None:
        qs = qs.order_by(*name_order(metric.person), "pk")
    return qs
