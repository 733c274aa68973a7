"""The tables of the annual report, read from the read model (`Fact`) for a year and a scope.

Each table has the shape of the centre's printed report: rows, columns, a total row and
percentages with one decimal. Each count cell knows the metric, programme and key behind it,
so the page links it to the list of records (`views.figure`). A new app adds its tables by
appending a builder to `TABLES` (after registering its metrics in `sources/`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Prefetch, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kaskad.cascade.models import SchoolStrand
from kaskad.catalogue.models import (
    Format,
    Programme,
    ProgrammeArea,
    ProgrammeVersion,
    QualityCertification,
    VersionStatus,
)
from kaskad.library.models import Heading, MaterialType
from kaskad.networks.models import EventKind, OrganiserKind, RequestTopic
from kaskad.registry.models import Area, Branch
from kaskad.reports.models import Fact
from kaskad.reports.sources.cascade import ORIGINS
from kaskad.reports.sources.delivery import AUDIENCES
from kaskad.reports.sources.learning import ROUTES

# Metrics of the whole country whatever the scope asked for (programmes are national).
NATIONAL_METRICS = frozenset({"programmes_developed", "programmes_in_plan", "materials_published"})
RATINGS = ("unsatisfactory", "satisfactory", "good")


@dataclass(frozen=True)
class ReportScope:
    """The whole country, one branch or one area."""

    branch: Branch | None = None
    area: Area | None = None

    @property
    def kind(self) -> str:
        return "area" if self.area else "branch" if self.branch else "country"

    @property
    def code(self) -> str:
        if self.area is not None:
            return self.area.code
        return self.branch.code if self.branch is not None else ""

    @property
    def label(self) -> str:
        if self.area is not None:
            return str(self.area)
        return str(self.branch) if self.branch is not None else _("Whole country")

    def query(self) -> dict[str, str]:
        if self.area is not None:
            return {"area": self.area.code}
        return {"branch": self.branch.code} if self.branch is not None else {}


def percent(part: int | None, whole: int | None) -> float | None:
    return round((part or 0) * 100 / whole, 1) if whole else None


@dataclass
class Cell:
    value: int | float | None
    is_percent: bool = False
    # What the figure counts, for the drill-down: {"metric", "programme", "key", "year"}.
    drill: dict[str, Any] | None = None
    text: str = ""
    url: str = ""  # the drill-down's address, set by the page

    @property
    def display(self) -> str:
        """The cell as printed: text, a count with grouped digits, a percentage with one
        decimal in the reader's locale, or a dash."""
        if self.text:
            return self.text
        if self.value is None:
            return "—"
        if self.is_percent:
            return number_format(self.value, decimal_pos=1) + "%"
        return number_format(self.value, decimal_pos=0, force_grouping=True)


@dataclass
class Row:
    label: str
    cells: list[Cell]
    code: str = ""
    total: bool = False


@dataclass
class Table:
    code: str
    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    note: str = ""
    # The chart drawn beside it: the label of each row against these column indexes.
    chart_columns: tuple[int, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "columns": self.columns,
            "note": self.note,
            "rows": [
                {
                    "label": r.label,
                    "code": r.code,
                    "total": r.total,
                    "cells": [
                        {"value": c.value, "percent": c.is_percent, "text": c.text} for c in r.cells
                    ],
                }
                for r in self.rows
            ],
        }


class Figures:
    """The facts of one year in one scope, read once per metric and summed over the grain."""

    def __init__(self, *, year: int, scope: ReportScope) -> None:
        self.year = year
        self.scope = scope
        self._cache: dict[tuple[str, int], dict[tuple[int | None, str], int]] = {}
        self._programmes: dict[int, Programme] | None = None

    def _load(self, metric: str, year: int) -> dict[tuple[int | None, str], int]:
        """The metric's figures in this scope, by (programme, key). All metrics of a year are
        read in one grouped query the first time the year is asked for."""
        if ("", year) not in self._cache:
            self._load_year(year)
        return self._cache.get((metric, year), {})

    def _load_year(self, year: int) -> None:
        qs = Fact.objects.filter(year=year)
        national = qs.filter(metric__in=NATIONAL_METRICS)
        scoped = qs.exclude(metric__in=NATIONAL_METRICS)
        if self.scope.area is not None:
            scoped = scoped.filter(area_id=self.scope.area.pk)
        elif self.scope.branch is not None:
            scoped = scoped.filter(branch_id=self.scope.branch.pk)
        for part in (national, scoped):
            for metric, programme_id, key, value in (
                part.values("metric", "programme_id", "key")
                .annotate(v=Sum("value"))
                .values_list("metric", "programme_id", "key", "v")
                .order_by()
            ):
                values = self._cache.setdefault((metric, year), defaultdict(int))
                values[(programme_id, key)] += int(value or 0)
        self._cache.setdefault(("", year), {})

    def get(
        self,
        metric: str,
        *,
        programme: int | bool | None = False,
        key: str | None = None,
        year: int | None = None,
    ) -> int:
        """The figure, summed over what is not asked for (programme=False: all programmes)."""
        values = self._load(metric, year or self.year)
        return sum(
            v
            for (p, k), v in values.items()
            if (programme is False or p == programme) and (key is None or k == key)
        )

    def by_place(
        self, metric: str, *, place: str, year: int | None = None, key: str | None = None
    ) -> dict[int | None, int]:
        """The metric's figures in this scope by branch or area (`place`: "branch_id" or
        "area_id"), for the tables whose rows are places."""
        qs = Fact.objects.filter(year=year or self.year, metric=metric)
        if self.scope.area is not None:
            qs = qs.filter(area_id=self.scope.area.pk)
        elif self.scope.branch is not None:
            qs = qs.filter(branch_id=self.scope.branch.pk)
        if key is not None:
            qs = qs.filter(key=key)
        return {
            place_id: int(v or 0)
            for place_id, v in qs.values_list(place).annotate(v=Sum("value")).order_by()
        }

    def unplaced(self, metric: str) -> int:
        """In an area's report: the metric's figures with no area in the area's branch (online
        completers without a registry person), which count in the country's and the branch's
        figures but in no area's; 0 in any other scope."""
        if self.scope.area is None:
            return 0
        total = Fact.objects.filter(
            year=self.year,
            metric=metric,
            branch_id=self.scope.area.branch_id,
            area_id__isnull=True,
        ).aggregate(v=Sum("value"))["v"]
        return int(total or 0)

    def programmes_ordered(self, *metrics: str) -> list[Programme]:
        """The programmes with a figure in any of `metrics`, in the report's order; all the
        year's programmes are read once (two queries) and kept for the other tables."""
        if self._programmes is None:
            ids = {p for values in self._cache.values() for (p, _k) in values if p}
            self._programmes = {p.pk: p for p in programmes_in_order(list(ids))}
        wanted = set(self.programmes(*metrics))
        missing = [pk for pk in wanted if pk not in self._programmes]
        if missing:
            self._programmes.update({p.pk: p for p in programmes_in_order(missing)})
        ordered = [p for p in self._programmes.values() if p.pk in wanted]
        return sorted(ordered, key=lambda p: (p.area.sort_order, p.area.code, p.code))

    def programmes(self, *metrics: str) -> list[int]:
        ids: set[int] = set()
        for metric in metrics:
            ids |= {p for (p, _k), v in self._load(metric, self.year).items() if p and v}
        return list(ids)

    def cell(
        self,
        metric: str,
        *,
        programme: int | bool | None = False,
        key: str | None = None,
        year: int | None = None,
    ) -> Cell:
        drill: dict[str, Any] = {"metric": metric, "year": year or self.year}
        if programme is not False and programme is not None:
            drill["programme"] = programme
        if key is not None:
            drill["key"] = key
        value = self.get(metric, programme=programme, key=key, year=year)
        return Cell(value=value, drill=drill if value else None)


def programmes_in_order(ids: list[int]) -> list[Programme]:
    """Programmes in the report's order (area, code), each with `shown`: the approved
    version, else the newest (for its title)."""
    if not ids:
        return []
    programmes: list[Programme] = list(
        Programme.objects.filter(pk__in=ids)
        .select_related("area")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=ProgrammeVersion.objects.order_by("-number"),
                to_attr="all_versions",
            )
        )
        .order_by("area__sort_order", "code")
    )
    for programme in programmes:
        versions = programme.all_versions  # type: ignore[attr-defined]
        programme.shown = next(  # type: ignore[attr-defined]
            (v for v in versions if v.status == VersionStatus.APPROVED),
            versions[0] if versions else None,
        )
    return programmes


def title_of(programme: Programme) -> str:
    shown = getattr(programme, "shown", None)
    return str(shown.title) if shown is not None else programme.code


def _pct(part: int, whole: int) -> Cell:
    return Cell(value=percent(part, whole), is_percent=True)


# --- The tables, in the order of the printed report -------------------------------------------


def programmes_developed(f: Figures) -> Table:
    years = (f.year - 1, f.year)
    table = Table(
        code="programmes_developed",
        title=_("Professional development programmes developed, by area"),
        columns=[_("Programme area"), *(str(y) for y in years)],
        chart_columns=(1, 2),
    )
    by_area: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for year in years:
        for (programme_id, _key), value in f._load("programmes_developed", year).items():
            by_area[programme_id or 0][year] += value
    area_of = dict(Programme.objects.filter(pk__in=list(by_area)).values_list("pk", "area_id"))
    per_area: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for programme_id, counts in by_area.items():
        for year, value in counts.items():
            per_area[area_of.get(programme_id, 0)][year] += value
    totals = dict.fromkeys(years, 0)
    for area in ProgrammeArea.objects.order_by("sort_order", "code"):
        counts = per_area.get(area.pk, {})
        table.rows.append(
            Row(label=str(area), cells=[Cell(value=counts.get(y, 0) or None) for y in years])
        )
        for y in years:
            totals[y] += counts.get(y, 0)
    table.rows.append(
        Row(label=_("Total"), cells=[Cell(value=totals[y]) for y in years], total=True)
    )
    planned = f.get("programmes_in_plan")
    table.note = _(
        "%(developed)s programmes developed in %(year)s; %(planned)s programmes in the annual "
        "plan of %(year)s. Kaskad records no separate target for developing programmes."
    ) % {"developed": totals[f.year], "planned": planned, "year": f.year}
    return table


def certification(f: Figures) -> Table:
    start, end = date(f.year, 1, 1), date(f.year, 12, 31)
    table = Table(
        code="certification",
        title=_("Programmes holding an international certification"),
        columns=[
            _("Programme"),
            _("Certifying body"),
            _("Year of certification"),
            _("Valid until"),
        ],
    )
    certs = list(
        QualityCertification.objects.filter(certified_on__lte=end, valid_until__gte=start)
        .select_related("programme")
        .order_by("certified_on", "programme__code")
    )
    programmes = {p.pk: p for p in programmes_in_order([c.programme_id for c in certs])}
    for cert in certs:
        programme = programmes.get(cert.programme_id, cert.programme)
        table.rows.append(
            Row(
                label=title_of(programme),
                code=programme.code,
                cells=[
                    Cell(value=None, text=cert.body),
                    Cell(value=cert.certified_on.year, text=str(cert.certified_on.year)),
                    Cell(value=None, text=cert.valid_until.isoformat()),
                ],
            )
        )
    table.rows.append(
        Row(label=_("Total"), cells=[Cell(value=len(certs)), Cell(None), Cell(None)], total=True)
    )
    return table


def plan_vs_actual(f: Figures) -> Table:
    table = Table(
        code="plan",
        title=_("Annual plan and delivery"),
        columns=[
            _("Programme"),
            _("Planned cohorts"),
            _("Actual cohorts"),
            _("Cohorts, percentage of plan"),
            _("Planned participants"),
            _("Actual participants"),
            _("Participants, percentage of plan"),
        ],
        chart_columns=(4, 5),
    )
    metrics = ("planned_cohorts", "actual_cohorts", "planned_participants", "participants")
    total = dict.fromkeys(metrics, 0)
    unplanned = dict.fromkeys(metrics, 0)
    for programme in f.programmes_ordered(*metrics):
        v = {m: f.get(m, programme=programme.pk) for m in metrics}
        in_plan = bool(v["planned_cohorts"] or v["planned_participants"])
        into = total if in_plan else unplanned
        for m in metrics:
            into[m] += v[m]
        table.rows.append(
            Row(
                label=title_of(programme) + ("" if in_plan else " " + _("(not in the plan)")),
                code=programme.code,
                cells=[
                    f.cell("planned_cohorts", programme=programme.pk),
                    f.cell("actual_cohorts", programme=programme.pk),
                    _pct(v["actual_cohorts"], v["planned_cohorts"]),
                    f.cell("planned_participants", programme=programme.pk),
                    f.cell("participants", programme=programme.pk),
                    _pct(v["participants"], v["planned_participants"]),
                ],
            )
        )

    def summary(label: str, t: dict[str, int], is_total: bool) -> Row:
        return Row(
            label=label,
            total=is_total,
            cells=[
                Cell(value=t["planned_cohorts"]),
                Cell(value=t["actual_cohorts"]),
                _pct(t["actual_cohorts"], t["planned_cohorts"]),
                Cell(value=t["planned_participants"]),
                Cell(value=t["participants"]),
                _pct(t["participants"], t["planned_participants"]),
            ],
        )

    table.rows.append(summary(_("Total of the plan"), total, True))
    if unplanned["actual_cohorts"] or unplanned["participants"]:
        table.rows.append(summary(_("Delivered outside the plan"), unplanned, False))
    return table


def trainers_trained(f: Figures) -> Table:
    table = Table(
        code="trainers",
        title=_("Trainers trained in %(year)s") % {"year": f.year},
        columns=[_("Programme"), _("Number of trainers"), *(str(v) for v in ORIGINS.values())],
        chart_columns=(2, 3),
    )
    keys = list(ORIGINS)
    for programme in f.programmes_ordered("trainers_trained"):
        table.rows.append(
            Row(
                label=title_of(programme),
                code=programme.code,
                cells=[
                    f.cell("trainers_trained", programme=programme.pk),
                    *(f.cell("trainers_trained", programme=programme.pk, key=k) for k in keys),
                ],
            )
        )
    table.rows.append(
        Row(
            label=_("Total"),
            total=True,
            cells=[
                f.cell("trainers_trained"),
                *(f.cell("trainers_trained", key=k) for k in keys),
            ],
        )
    )
    return table


def trainers_three_years(f: Figures) -> Table:
    years = (f.year - 2, f.year - 1, f.year)
    values = [f.get("trainers_trained", year=y) for y in years]
    return Table(
        code="trainers_three_years",
        title=_("Trainers trained in %(first)s–%(last)s") % {"first": years[0], "last": years[-1]},
        columns=[_("Number of trainers trained"), _("Total"), *(str(y) for y in years)],
        rows=[
            Row(
                label=_("Trainers"),
                cells=[
                    Cell(value=sum(values)),
                    *(f.cell("trainers_trained", year=y) for y in years),
                ],
            )
        ],
        chart_columns=(2, 3, 4),
    )


def school_trainers(f: Figures) -> Table:
    strands = list(SchoolStrand)
    table = Table(
        code="school_trainers",
        title=_("School trainers by strand"),
        columns=[_("School trainers"), _("Total"), *(str(s.label) for s in strands)],
        chart_columns=tuple(range(2, 2 + len(strands))),
    )
    for metric, label in (
        ("school_trainers_trained", _("Trained in %(year)s") % {"year": f.year}),
        ("school_trainers_active", _("Accredited at the end of %(year)s") % {"year": f.year}),
    ):
        table.rows.append(
            Row(
                label=label,
                cells=[
                    f.cell(metric),
                    *(f.cell(metric, key=s.value) for s in strands),
                ],
            )
        )
    people = f.get("school_trainer_people")
    teachers = f.get("teachers")
    table.rows.append(
        Row(
            label=_("Share of all teachers of general-education schools"),
            cells=[
                Cell(value=percent(people, teachers), is_percent=True),
                *(
                    Cell(
                        value=percent(f.get("school_trainers_active", key=s.value), teachers),
                        is_percent=True,
                    )
                    for s in strands
                ),
            ],
        )
    )
    table.note = _(
        "%(people)s teachers are school trainers (in one strand or more), %(share)s%% of the "
        "%(teachers)s teachers of general-education schools."
    ) % {
        "people": number_format(people, force_grouping=True),
        "share": number_format(percent(people, teachers) or 0, decimal_pos=1),
        "teachers": number_format(teachers, force_grouping=True),
    }
    return table


FORMAT_COLUMNS = (Format.CLASSROOM, Format.ONLINE, Format.BLENDED, Format.SELF_PACED)


def teachers_by_programme(f: Figures) -> Table:
    table = Table(
        code="teachers",
        title=_("Teachers trained, by programme and format"),
        columns=[_("Programme"), _("Total"), *(str(fm.label) for fm in FORMAT_COLUMNS)],
        chart_columns=(2, 3, 4, 5),
    )
    for programme in f.programmes_ordered("completed"):
        table.rows.append(
            Row(
                label=title_of(programme),
                code=programme.code,
                cells=[
                    f.cell("completed", programme=programme.pk),
                    *(
                        f.cell("completed", programme=programme.pk, key=fm.value)
                        for fm in FORMAT_COLUMNS
                    ),
                ],
            )
        )
    table.rows.append(
        Row(
            label=_("Total"),
            total=True,
            cells=[
                f.cell("completed"),
                *(f.cell("completed", key=fm.value) for fm in FORMAT_COLUMNS),
            ],
        )
    )
    mooc = f.get("completed", key=Format.SELF_PACED)
    table.note = _("Completers of self-paced courses (MOOC): %(n)s.") % {"n": mooc}
    return table


def teachers_by_audience(f: Figures) -> Table:
    table = Table(
        code="audience",
        title=_("Teachers trained, by audience"),
        columns=[_("Audience"), _("Teachers trained"), _("Percent")],
        chart_columns=(1,),
    )
    total = f.get("completed_audience")
    for key, label in AUDIENCES.items():
        value = f.get("completed_audience", key=key)
        if value:
            table.rows.append(
                Row(
                    label=str(label),
                    cells=[f.cell("completed_audience", key=key), _pct(value, total)],
                )
            )
    table.rows.append(
        Row(label=_("Total"), total=True, cells=[f.cell("completed_audience"), _pct(total, total)])
    )
    return table


def _by_programme(
    f: Figures,
    *,
    code: str,
    title: str,
    columns: list[tuple[str, str | None, str | None, tuple[int, int] | None]],
    present: str,
    chart: tuple[int, ...],
) -> Table:
    """A table by programme: each column a metric (with a key) or a percentage of two columns
    (their indexes); the programmes shown are those with a figure in `present`."""
    table = Table(
        code=code, title=title, columns=[_("Programme"), *(c[0] for c in columns)],
        chart_columns=chart,
    )  # fmt: skip

    def cells(programme: int | bool) -> list[Cell]:
        out: list[Cell] = []
        for _label, metric, key, ratio in columns:
            if ratio is not None:
                a, b = out[ratio[0]].value, out[ratio[1]].value
                out.append(_pct(int(a or 0), int(b or 0)))
            elif metric is not None:
                out.append(f.cell(metric, programme=programme, key=key))
        return out

    for programme in f.programmes_ordered(present):
        table.rows.append(
            Row(label=title_of(programme), code=programme.code, cells=cells(programme.pk))
        )
    table.rows.append(Row(label=_("Total"), total=True, cells=cells(False)))
    return table


def evaluation(f: Figures) -> Table:
    return _by_programme(
        f,
        code="evaluation",
        title=_("Number of teachers by course programme: evaluated and certified"),
        columns=[
            (_("Evaluated"), "evaluated", None, None),
            (_("Certified"), "certified", None, None),
            (_("Certified, percent"), None, None, (1, 0)),
        ],
        present="evaluated",
        chart=(1, 2),
    )


def repeated(f: Figures) -> Table:
    return _by_programme(
        f,
        code="repeated",
        title=_("Teachers who took part in the repeated evaluation, by programme"),
        columns=[
            (_("Evaluated"), "re_evaluated", None, None),
            (_("Certified"), "re_certified", None, None),
            (_("Certified, percent"), None, None, (1, 0)),
        ],
        present="re_evaluated",
        chart=(1, 2),
    )


def ratings(f: Figures) -> Table:
    return _by_programme(
        f,
        code="ratings",
        title=_("Results of the evaluation of teachers' materials (first attempt)"),
        columns=[
            (_("Total"), "rated", None, None),
            (_("Unsatisfactory"), "rated", "unsatisfactory", None),
            (_("Unsatisfactory, percent"), None, None, (1, 0)),
            (_("Satisfactory"), "rated", "satisfactory", None),
            (_("Satisfactory, percent"), None, None, (3, 0)),
            (_("Good"), "rated", "good", None),
            (_("Good, percent"), None, None, (5, 0)),
        ],
        present="rated",
        chart=(2, 4, 6),
    )


def plagiarism(f: Figures) -> Table:
    return _by_programme(
        f,
        code="plagiarism",
        title=_("Materials checked for plagiarism"),
        columns=[
            (_("Checked"), "checked", None, None),
            (_("Plagiarism suspected or confirmed"), "flagged", None, None),
            (_("Flagged, percent"), None, None, (1, 0)),
            (_("Plagiarism confirmed"), "confirmed", None, None),
        ],
        present="checked",
        chart=(1, 2),
    )


def certificates(f: Figures) -> Table:
    return _by_programme(
        f,
        code="certificates",
        title=_("Certificates issued and revoked"),
        columns=[
            (_("Certificates issued"), "certificates_issued", None, None),
            (_("Certificates revoked"), "certificates_revoked", None, None),
            (_("Revoked, percent"), None, None, (1, 0)),
        ],
        present="certificates_issued",
        chart=(1, 2),
    )


def leading_schools(f: Figures) -> Table:
    years = (f.year - 1, f.year)
    table = Table(
        code="leading_schools",
        title=_("Leading schools by region"),
        columns=[
            _("Region"),
            *(_("Leading schools, %(year)s") % {"year": y} for y in years),
            _("Partner schools, %(year)s") % {"year": f.year},
        ],
        chart_columns=(1, 2),
    )
    leading = {y: f.by_place("leading_schools", place="area_id", year=y) for y in years}
    partners = f.by_place("partner_schools", place="area_id")
    ids = {a for values in (*leading.values(), partners) for a in values if a}
    for area in Area.objects.filter(pk__in=ids).order_by("sort_order", "code"):
        cells = [
            Cell(
                value=leading[y].get(area.pk, 0),
                drill={"metric": "leading_schools", "year": y, "area": area.code}
                if leading[y].get(area.pk)
                else None,
            )
            for y in years
        ]
        n = partners.get(area.pk, 0)
        cells.append(
            Cell(
                value=n,
                drill={"metric": "partner_schools", "year": f.year, "area": area.code}
                if n
                else None,
            )
        )
        table.rows.append(Row(label=str(area), code=area.code, cells=cells))
    table.rows.append(
        Row(
            label=_("Total"),
            total=True,
            cells=[
                *(f.cell("leading_schools", year=y) for y in years),
                f.cell("partner_schools"),
            ],
        )
    )
    return table


def support_events(f: Figures) -> Table:
    table = Table(
        code="support_events",
        title=_("Events of post-course support, by type"),
        columns=[_("Type of event"), _("Events"), _("Participants")],
        chart_columns=(1,),
    )
    for kind in EventKind:
        if f.get("support_events", key=kind.value):
            table.rows.append(
                Row(
                    label=str(kind.label),
                    cells=[
                        f.cell("support_events", key=kind.value),
                        f.cell("support_event_participants", key=kind.value),
                    ],
                )
            )
    table.rows.append(
        Row(
            label=_("Total"),
            total=True,
            cells=[f.cell("support_events"), f.cell("support_event_participants")],
        )
    )
    table.note = "; ".join(
        _("%(organiser)s: %(n)s events")
        % {
            "organiser": str(o.label),
            "n": number_format(f.get("support_events_organiser", key=o.value), force_grouping=True),
        }
        for o in OrganiserKind
    )
    return table


def support_events_by_branch(f: Figures) -> Table:
    table = Table(
        code="support_events_branch",
        title=_("Events of post-course support, by branch"),
        columns=[_("Branch"), _("Events"), _("Participants")],
        chart_columns=(1,),
    )
    counts = f.by_place("support_events", place="branch_id")
    people = f.by_place("support_event_participants", place="branch_id")
    for b in Branch.objects.filter(pk__in=[k for k in counts if k]).order_by("code"):
        table.rows.append(
            Row(
                label=str(b),
                code=b.code,
                cells=[
                    Cell(
                        value=counts[b.pk],
                        drill={"metric": "support_events", "year": f.year, "branch": b.code},
                    ),
                    Cell(value=people.get(b.pk, 0)),
                ],
            )
        )
    table.rows.append(
        Row(
            label=_("Total"),
            total=True,
            cells=[f.cell("support_events"), f.cell("support_event_participants")],
        )
    )
    return table


def _by_key(
    f: Figures,
    *,
    code: str,
    title: str,
    first: str,
    metric: str,
    labels: list[tuple[str, str]],
    count_label: str,
) -> Table:
    """A table by one key of one metric: count and percentage of the total, total row."""
    table = Table(
        code=code,
        title=title,
        columns=[first, count_label, _("Percent")],
        chart_columns=(1,),
    )
    total = f.get(metric)
    for key, label in labels:
        value = f.get(metric, key=key)
        if value:
            table.rows.append(Row(label=label, cells=[f.cell(metric, key=key), _pct(value, total)]))
    table.rows.append(Row(label=_("Total"), total=True, cells=[f.cell(metric), _pct(total, total)]))
    return table


def support_requests(f: Figures) -> Table:
    return _by_key(
        f,
        code="support_requests",
        title=_("Teachers' requests for methodological support, by topic"),
        first=_("Topic"),
        metric="support_requests",
        labels=[(t.value, str(t.label)) for t in RequestTopic],
        count_label=_("Requests"),
    )


def materials_published(f: Figures) -> Table:
    return _by_key(
        f,
        code="materials",
        title=_("Materials published in the library, by type"),
        first=_("Type of material"),
        metric="materials_published",
        labels=[(t.value, str(t.label)) for t in MaterialType],
        count_label=_("Published"),
    )


def manuals(f: Figures) -> Table:
    headings = list(Heading)
    table = Table(
        code="manuals",
        title=_("Methodological manuals, by branch and heading"),
        columns=[_("Branch"), _("Total"), *(str(h.label) for h in headings)],
        chart_columns=(1,),
    )
    per_heading = {h.value: f.by_place("manuals", place="branch_id", key=h.value) for h in headings}
    totals = f.by_place("manuals", place="branch_id")
    branches = {b.pk: b for b in Branch.objects.filter(pk__in=[k for k in totals if k])}
    rows: list[tuple[str, str, int | None]] = [
        (str(b), b.code, b.pk) for b in sorted(branches.values(), key=lambda b: b.code)
    ]
    if totals.get(None) and f.scope.kind == "country":
        rows.append((_("The centre"), "", None))
    for label, code, pk in rows:
        drill = {"branch": code} if code else None

        def cell(value: int, key: str | None = None, drill: Any = drill) -> Cell:
            if not value or drill is None:
                return Cell(value=value or None if key else value)
            d = {"metric": "manuals", "year": f.year, **drill}
            if key:
                d["key"] = key
            return Cell(value=value, drill=d)

        table.rows.append(
            Row(
                label=label,
                code=code,
                cells=[
                    cell(totals.get(pk, 0)),
                    *(cell(per_heading[h.value].get(pk, 0), h.value) for h in headings),
                ],
            )
        )
    table.rows.append(
        Row(
            label=_("Total"),
            total=True,
            cells=[f.cell("manuals"), *(f.cell("manuals", key=h.value) for h in headings)],
        )
    )
    return table


def online_courses(f: Figures) -> Table:
    table = _by_key(
        f,
        code="online_courses",
        title=_("Completers of online courses"),
        first=_("Enrolment"),
        metric="online_completed",
        labels=[(k, str(v)) for k, v in ROUTES.items()],
        count_label=_("Completers"),
    )
    online = f.get("completed", key=Format.ONLINE)
    classroom = f.get("completed", key=Format.CLASSROOM)
    table.note = _(
        "A completion through a cohort also completes the cohort enrolment: in %(year)s, "
        "%(online)s teachers were trained online and %(classroom)s in the classroom."
    ) % {
        "year": f.year,
        "online": number_format(online, force_grouping=True),
        "classroom": number_format(classroom, force_grouping=True),
    }
    unplaced = f.unplaced("online_completed")
    if unplaced:
        table.note += " " + _(
            "Completers with no area (learners registered by e-mail, with no registry record, "
            "or with no school on the day of completion) are counted in the country's and the "
            "branch's figures, not in an area's: %(n)s in courses of %(branch)s."
        ) % {
            "n": number_format(unplaced, force_grouping=True),
            "branch": f.scope.area.branch if f.scope.area else "",
        }
    return table


TableBuilder = Callable[[Figures], Table]

TABLES: list[tuple[str, TableBuilder]] = [
    ("programmes_developed", programmes_developed),
    ("certification", certification),
    ("plan", plan_vs_actual),
    ("trainers", trainers_trained),
    ("trainers_three_years", trainers_three_years),
    ("school_trainers", school_trainers),
    ("teachers", teachers_by_programme),
    ("audience", teachers_by_audience),
    ("evaluation", evaluation),
    ("repeated", repeated),
    ("ratings", ratings),
    ("plagiarism", plagiarism),
    ("certificates", certificates),
    ("online_courses", online_courses),
    ("leading_schools", leading_schools),
    ("support_events", support_events),
    ("support_events_branch", support_events_by_branch),
    ("support_requests", support_requests),
    ("materials", materials_published),
    ("manuals", manuals),
]
ASSESSMENT_TABLES = ("evaluation", "repeated", "ratings", "plagiarism")


def annual_report(
    *, year: int, scope: ReportScope, only: tuple[str, ...] | None = None
) -> list[Table]:
    figures = Figures(year=year, scope=scope)
    return [build(figures) for code, build in TABLES if only is None or code in only]
