"""Cascade analytics and planning views, read from the cascade closure and the registry.

* **Reach**: per trainer, the participants trained down their lineage in a year: directly
  (depth 1), at the next level (depth 2), and in total (any depth, each person once).
* **Quality down the cascade**: per trainer (their direct participants) and per level of
  the cascade: certification rate, mean rating (1 unsatisfactory … 3 good) and plagiarism
  rate, each with its n, against the national figure. The test: under the national rate p0,
  the number certified among a trainer's n evaluated participants is binomial; with
  z = (p − p0) / √(p0(1 − p0)/n), a trainer is *significantly below* when z < −1.96 (less
  than a 2.5% chance of so low a rate by luck alone). Below `MIN_N` evaluated participants
  the rate is shown but flagged "small n" and never tested or ranked.
* **School-trainer coverage**: per school, district and area, whether the school has an
  accredited school trainer in each of the four strands, and the share of its teachers who
  are school trainers.
* **Due for training**: teachers whose last completed course ended more than three years
  ago (or who have none), and teachers whose qualification category is due within twelve
  months (`Employment.category_due_on`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone

from kaskad.cascade.models import Accreditation, SchoolStrand, TrainerLevel
from kaskad.core.collation import name_key, name_order
from kaskad.registry.models import Area, District, Employment, Organisation, Person
from kaskad.reports.models import CascadeLink
from kaskad.reports.sources.registry import GENERAL_EDUCATION, TEACHING_POSITIONS
from kaskad.reports.tables import ReportScope, percent

MIN_N = 20
Z_CRITICAL = -1.96
DUE_YEARS = 3
CATEGORY_MONTHS = 12


def _links(year: int, scope: ReportScope) -> QuerySet[CascadeLink]:
    qs = CascadeLink.objects.filter(year=year)
    if scope.area is not None:
        return qs.filter(enrolment__area_id=scope.area.pk)
    if scope.branch is not None:
        return qs.filter(branch_id=scope.branch.pk)
    return qs


# --- Reach ---------------------------------------------------------------------------------------


@dataclass
class ReachRow:
    trainer: Person
    level: str
    direct: int
    next_level: int
    total: int


def cascade_reach(*, year: int, scope: ReportScope, limit: int = 50) -> list[ReachRow]:
    """The trainers with the widest reach in the year (most participants down the lineage)."""
    grouped = (
        _links(year, scope)
        .values("trainer_id", "level")
        .annotate(
            direct=Count("participant_id", filter=Q(depth=1), distinct=True),
            next_level=Count("participant_id", filter=Q(depth=2), distinct=True),
            total=Count("participant_id", distinct=True),
        )
        .order_by("-total", "trainer_id")[:limit]
    )
    rows = list(grouped)
    people = Person.objects.in_bulk([r["trainer_id"] for r in rows])
    return [
        ReachRow(
            trainer=people[r["trainer_id"]],
            level=str(dict(TrainerLevel.choices).get(r["level"], r["level"])),
            direct=r["direct"],
            next_level=r["next_level"],
            total=r["total"],
        )
        for r in rows
        if r["trainer_id"] in people
    ]


def reach_by_level(*, year: int, scope: ReportScope) -> list[dict[str, Any]]:
    """Per level of the cascade: trainers, and participants directly / next level / total."""
    out = []
    for level in TrainerLevel:
        qs = _links(year, scope).filter(level=level.value)
        figures = qs.aggregate(
            trainers=Count("trainer_id", distinct=True),
            direct=Count("participant_id", filter=Q(depth=1), distinct=True),
            next_level=Count("participant_id", filter=Q(depth=2), distinct=True),
            total=Count("participant_id", distinct=True),
        )
        out.append({"level": level, **figures})
    return out


# --- Quality down the cascade -------------------------------------------------------------------


@dataclass
class Quality:
    label: str
    n: int  # participants evaluated
    certified: int
    rating_mean: float | None
    checked: int
    flagged: int
    national_rate: float | None = None
    person: Person | None = None
    level: str = ""

    @property
    def certified_rate(self) -> float | None:
        return percent(self.certified, self.n)

    @property
    def flagged_rate(self) -> float | None:
        return percent(self.flagged, self.checked)

    @property
    def small_n(self) -> bool:
        return self.n < MIN_N

    @property
    def z(self) -> float | None:
        """The z statistic of the certification rate against the national rate."""
        p0 = self.national_rate
        if p0 is None or self.small_n:
            return None
        p0 = p0 / 100
        if p0 <= 0 or p0 >= 1:
            return None
        return (self.certified / self.n - p0) / math.sqrt(p0 * (1 - p0) / self.n)

    @property
    def significantly_below(self) -> bool:
        z = self.z
        return z is not None and z < Z_CRITICAL


def _quality_rows(qs: QuerySet[CascadeLink], group: str) -> list[dict[str, Any]]:
    return list(
        qs.values(group)
        .annotate(
            n=Count("enrolment_id", filter=Q(evaluated=True), distinct=True),
            certified_n=Count(
                "enrolment_id", filter=Q(evaluated=True, certified=True), distinct=True
            ),
            rating_mean=Avg("rating_score"),
            checked_n=Count("enrolment_id", filter=Q(checked=True), distinct=True),
            flagged_n=Count("enrolment_id", filter=Q(flagged=True), distinct=True),
        )
        .order_by()
    )


def national_quality(*, year: int) -> Quality:
    figures = CascadeLink.objects.filter(year=year, depth=1).aggregate(
        n=Count("enrolment_id", filter=Q(evaluated=True), distinct=True),
        certified_n=Count("enrolment_id", filter=Q(evaluated=True, certified=True), distinct=True),
        rating_mean=Avg("rating_score"),
        checked_n=Count("enrolment_id", filter=Q(checked=True), distinct=True),
        flagged_n=Count("enrolment_id", filter=Q(flagged=True), distinct=True),
    )
    return Quality(
        label="",
        n=figures["n"],
        certified=figures["certified_n"],
        rating_mean=figures["rating_mean"],
        checked=figures["checked_n"],
        flagged=figures["flagged_n"],
    )


@dataclass
class QualityReport:
    national: Quality
    levels: list[Quality] = field(default_factory=list)
    trainers: list[Quality] = field(default_factory=list)  # tested, lowest z first
    small: list[Quality] = field(default_factory=list)  # small n: shown, not ranked


def cascade_quality(*, year: int, scope: ReportScope) -> QualityReport:
    national = national_quality(year=year)
    p0 = national.certified_rate
    report = QualityReport(national=national)
    direct = _links(year, scope).filter(depth=1)
    labels = dict(TrainerLevel.choices)
    for row in _quality_rows(direct, "level"):
        report.levels.append(
            Quality(
                label=str(labels.get(row["level"], row["level"] or "—")),
                n=row["n"],
                certified=row["certified_n"],
                rating_mean=row["rating_mean"],
                checked=row["checked_n"],
                flagged=row["flagged_n"],
                national_rate=p0,
                level=row["level"],
            )
        )
    rows = _quality_rows(direct, "trainer_id")
    people = Person.objects.in_bulk([r["trainer_id"] for r in rows])
    for row in rows:
        person = people.get(row["trainer_id"])
        if person is None or not row["n"]:
            continue
        q = Quality(
            label=person.full_name, n=row["n"], certified=row["certified_n"],
            rating_mean=row["rating_mean"], checked=row["checked_n"], flagged=row["flagged_n"],
            national_rate=p0, person=person,
        )  # fmt: skip
        (report.small if q.small_n else report.trainers).append(q)
    report.trainers.sort(key=lambda q: (q.z if q.z is not None else 0.0, q.label))
    report.small.sort(key=lambda q: q.label)
    return report


# --- School-trainer coverage ------------------------------------------------------------------


@dataclass
class CoverageRow:
    label: str
    code: str
    teachers: int = 0
    school_trainers: int = 0
    schools: int = 0
    # Schools with a school trainer in each strand (for a school: 1 or 0).
    strands: dict[str, int] = field(default_factory=dict)
    schools_all_strands: int = 0

    @property
    def share(self) -> float | None:
        return percent(self.school_trainers, self.teachers)

    @property
    def strand_list(self) -> list[int]:
        return [self.strands.get(v, 0) for v in SchoolStrand.values]


def _schools(
    scope: ReportScope, organisation_ids: frozenset[int] | None = None
) -> QuerySet[Organisation]:
    qs = Organisation.objects.filter(kind__in=GENERAL_EDUCATION, is_open=True)
    if organisation_ids is not None:
        return qs.filter(pk__in=organisation_ids)
    if scope.area is not None:
        return qs.filter(area_id=scope.area.pk)
    if scope.branch is not None:
        return qs.filter(area__branch_id=scope.branch.pk)
    return qs


def coverage(
    *, scope: ReportScope, by: str, organisation_ids: frozenset[int] | None = None
) -> tuple[list[CoverageRow], CoverageRow]:
    """Coverage grouped `by` "area", "district" or "school" (three grouped queries)."""
    today = timezone.localdate()
    # Read once: the enum's `values` builds a new list at every call (7,500 schools).
    strand_values = tuple(SchoolStrand.values)
    schools = _schools(scope, organisation_ids)
    # The schools' own names only when they are the rows: translated names cost Python time
    # per row (7,500 schools in the country).
    fields = ("pk", "area_id", "district_id") + (("name", "code") if by == "school" else ())
    school_info = {o["pk"]: o for o in schools.values(*fields)}
    teachers = dict(
        Employment.objects.filter(
            organisation_id__in=schools.values("pk"),
            ended_on__isnull=True,
            is_primary=True,
            position__in=TEACHING_POSITIONS,
        )
        .values_list("organisation_id")
        # One open main job per person (a constraint), so the rows are the teachers: a plain
        # count, without the sort of a distinct one over 400,000 rows.
        .annotate(n=Count("pk"))
        .values_list("organisation_id", "n")
    )
    active = Accreditation.objects.filter(
        level=TrainerLevel.SCHOOL,
        revoked_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
        person__current_organisation_id__in=schools.values("pk"),
    )
    trainers = dict(
        active.values_list("person__current_organisation_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("person__current_organisation_id", "n")
    )
    strands: dict[int, set[str]] = defaultdict(set)
    for org_id, strand in active.values_list(
        "person__current_organisation_id", "strand"
    ).distinct():
        if strand:
            strands[org_id].add(strand)
    names: dict[Any, tuple[str, str]] = {}
    if by == "area":
        names = {a.pk: (str(a), a.code) for a in Area.objects.all()}
    elif by == "district":
        names = {d.pk: (str(d), d.code) for d in District.objects.filter(
            pk__in={i["district_id"] for i in school_info.values()})}  # fmt: skip
    groups: dict[Any, CoverageRow] = {}
    total = CoverageRow(label="", code="", strands=dict.fromkeys(strand_values, 0))
    for pk, info in school_info.items():
        gid = info["area_id"] if by == "area" else info["district_id"] if by == "district" else pk
        if gid not in groups:
            label, code = (info["name"], info["code"]) if by == "school" else names.get(
                gid, ("—", ""))  # fmt: skip
            groups[gid] = CoverageRow(
                label=label, code=code, strands=dict.fromkeys(strand_values, 0)
            )
        row = groups[gid]
        for target in (row, total):
            target.schools += 1
            target.teachers += teachers.get(pk, 0)
            target.school_trainers += trainers.get(pk, 0)
            for strand in strands.get(pk, ()):
                target.strands[strand] += 1
            if len(strands.get(pk, ())) == len(strand_values):
                target.schools_all_strands += 1
    rows = sorted(groups.values(), key=lambda r: (name_key(r.label), r.code))
    return rows, total


# --- Due for training ------------------------------------------------------------------------


@dataclass
class DueRow:
    person: Person
    organisation: str
    last_completed: date | None
    category: str
    category_due_on: date | None
    training_due: bool
    category_due: bool


def teachers_in(
    *, scope: ReportScope | None = None, organisation_ids: frozenset[int] | None = None
) -> QuerySet[Employment]:
    qs = Employment.objects.filter(
        ended_on__isnull=True, is_primary=True, organisation__kind__in=GENERAL_EDUCATION
    )
    if organisation_ids is not None:
        return qs.filter(organisation_id__in=organisation_ids)
    if scope is not None and scope.area is not None:
        return qs.filter(organisation__area_id=scope.area.pk)
    if scope is not None and scope.branch is not None:
        return qs.filter(organisation__area__branch_id=scope.branch.pk)
    return qs


def _start_of(day: date) -> datetime:
    """Midnight of `day` in the server's time zone: compared with `ended_at` directly, so the
    (person, status) index serves the lookup without a cast per row."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def due_for_training(
    employments: QuerySet[Employment], *, today: date | None = None
) -> QuerySet[Employment]:
    """The employments whose teacher is due: last course completed before the cut-off (or
    none), or category due within twelve months. Annotated with `last_completed`."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=365 * DUE_YEARS + 1)
    category_by = today + timedelta(days=30 * CATEGORY_MONTHS + 5)
    # The last completed course from the read model (`LastCourse`, kept by the sweep): one
    # join on the person's key instead of probing the live enrolments per teacher.
    return (
        employments.annotate(last_completed=F("person__report_last_course__completed_at"))
        .filter(
            Q(last_completed__isnull=True)
            | Q(last_completed__lt=_start_of(cutoff))
            | Q(category_due_on__lte=category_by)
        )
        .annotate(
            category_soon=ExpressionWrapper(
                Q(category_due_on__isnull=False, category_due_on__lte=category_by),
                output_field=BooleanField(),
            ),
        )
    )


def due_counts(
    employments: QuerySet[Employment], *, group: str, extra: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Counts of teachers and of those due, grouped by `group` (an organisation field path)."""
    today = timezone.localdate()
    cutoff = today - timedelta(days=365 * DUE_YEARS + 1)
    category_by = today + timedelta(days=30 * CATEGORY_MONTHS + 5)
    return list(
        employments.annotate(
            # Case, not a bare comparison: no row (never trained) reads False, not NULL.
            trained_recently=Case(
                When(person__report_last_course__completed_at__gte=_start_of(cutoff), then=True),
                default=False,
                output_field=BooleanField(),
            )
        )
        .values(group, *extra)
        .annotate(
            teachers=Count("person_id", distinct=True),
            due_any=Count(
                "person_id",
                filter=Q(trained_recently=False)
                | Q(category_due_on__isnull=False, category_due_on__lte=category_by),
                distinct=True,
            ),
            training_due=Count("person_id", filter=Q(trained_recently=False), distinct=True),
            category_due=Count(
                "person_id",
                filter=Q(category_due_on__isnull=False, category_due_on__lte=category_by),
                distinct=True,
            ),
        )
        .order_by(group)
    )


def due_rows(employments: QuerySet[Employment], *, limit: int | None = 1000) -> list[DueRow]:
    cutoff = timezone.localdate() - timedelta(days=365 * DUE_YEARS + 1)
    qs = (
        due_for_training(employments)
        .select_related("person", "organisation")
        .order_by(*name_order("person__"), "person_id")
    )
    if limit is not None:
        qs = qs[:limit]
    rows = []
    for e in qs:
        last = e.last_completed  # type: ignore[attr-defined]
        rows.append(
            DueRow(
                person=e.person,
                organisation=str(e.organisation),
                last_completed=timezone.localdate(last) if last else None,
                category=e.get_category_display(),
                category_due_on=e.category_due_on,
                # The last course is the latest completion: due when it ended before the cut-off.
                training_due=last is None or last < _start_of(cutoff),
                category_due=bool(e.category_soon),  # type: ignore[attr-defined]
            )
        )
    return rows
