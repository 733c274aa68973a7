"""Keeping the read models (docs/adr/0007-read-models.md).

* `year_rebuild(year)` computes every figure of a year and its cascade closure aside (grouped
  reads, no lock held), then swaps them in with one short transaction: readers see the old
  figures or the new ones, never a mixture. Idempotent: running it twice gives the same rows.
* `changes_sweep()` finds the years whose records changed since the last sweep (each source's
  `changed_years`, by the records' update times) and queues their rebuild. `manage.py
  jobs_maintain` (every minute under `manage.py serve`) runs it; nothing in the other apps'
  write paths has to remember to call anything.
* `nightly_rebuild()` rebuilds the current and previous year.
* The background rebuilds (the worker's tasks) yield to the live system: after each grouped
  read they pause, so that they work at most `KASKAD_REPORTS_REBUILD_DUTY` of the time (0.1
  by default), as PostgreSQL's autovacuum does with its cost delay. At national size a
  year's reads take ~30 s of a core; on two cores, reading flat out took a quarter of the
  live enrolment rush's throughput. `manage.py reports_rebuild` runs at full speed.
* A frozen year (its annual report for the whole country issued) is never rebuilt.
* `LastCourse` (each teacher's last completed course, for "due for training") is refreshed by
  the sweep for the people whose enrolments changed, and rebuilt whole with the nightly rebuild
  (`last_courses_rebuild`).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kaskad.delivery.models import Enrolment, EnrolmentStatus
from kaskad.reports.figures import SOURCES, build_facts, load_sources
from kaskad.reports.lineage import build_links
from kaskad.reports.models import CascadeLink, Fact, LastCourse, SweepMark, YearState

logger = logging.getLogger(__name__)

BATCH = 2000
# Years before this are never looked at by the sweep (history starts here).
FIRST_YEAR = 2010


@dataclass(frozen=True)
class RebuildResult:
    year: int
    facts: int
    links: int
    seconds: float
    skipped: bool = False


class Pace:
    """Pauses between the steps of a rebuild so that it works at most `duty` (0..1] of the
    wall-clock time; 1 never pauses."""

    def __init__(self, duty: float = 1.0) -> None:
        self.duty = min(1.0, max(0.01, duty))
        self.mark = time.monotonic()

    def __call__(self) -> None:
        if self.duty >= 1.0:
            return
        worked = time.monotonic() - self.mark
        time.sleep(worked * (1.0 / self.duty - 1.0))
        self.mark = time.monotonic()


def background_pace() -> Pace:
    return Pace(float(getattr(settings, "KASKAD_REPORTS_REBUILD_DUTY", 0.1)))


def is_frozen(year: int) -> bool:
    return YearState.objects.filter(year=year, frozen=True).exists()


def year_rebuild(year: int, *, force: bool = False, pace: Pace | None = None) -> RebuildResult:
    """Rebuild one year's figures and cascade links (skipped when frozen, unless forced);
    `pace` pauses between the grouped reads (the background tasks')."""
    if not force and is_frozen(year):
        return RebuildResult(year=year, facts=0, links=0, seconds=0.0, skipped=True)
    pace = pace or Pace()
    started = time.monotonic()
    rows = build_facts(year, pause=pace)
    links = build_links(year)
    pace()
    facts = [
        Fact(
            year=year,
            metric=metric,
            branch_id=branch_id,
            area_id=area_id,
            programme_id=programme_id,
            key=key,
            value=value,
        )
        for metric, branch_id, area_id, programme_id, key, value in rows
    ]
    with transaction.atomic():
        # The year's row is the lock: two rebuilds of one year swap one after the other.
        state, _created = YearState.objects.select_for_update().get_or_create(year=year)
        if state.frozen and not force:
            return RebuildResult(year=year, facts=0, links=0, seconds=0.0, skipped=True)
        Fact.objects.filter(year=year).delete()
        CascadeLink.objects.filter(year=year).delete()
        Fact.objects.bulk_create(facts, batch_size=BATCH)
        CascadeLink.objects.bulk_create(links, batch_size=BATCH)
        seconds = time.monotonic() - started
        state.built_at = timezone.now()
        state.build_seconds = seconds
        state.save(update_fields=["built_at", "build_seconds"])
    logger.info(
        "reports: %s rebuilt, %s facts, %s links, %.2fs", year, len(facts), len(links), seconds
    )
    return RebuildResult(year=year, facts=len(facts), links=len(links), seconds=seconds)


def changed_years(since: datetime) -> set[int]:
    load_sources()
    years: set[int] = set()
    for source in SOURCES.values():
        years |= source.changed_years(since)
    this_year = timezone.localdate().year
    if years:
        # Snapshots (teachers, school trainers in force) are as of the end of the year.
        years.add(this_year)
    return {y for y in years if FIRST_YEAR <= y <= this_year}


def _last_courses(person_ids: list[int] | None) -> list[LastCourse]:
    qs = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED, ended_at__isnull=False)
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    return [
        LastCourse(person_id=person_id, completed_at=last)
        for person_id, last in qs.values_list("person_id")
        .annotate(last=Max("ended_at"))
        .values_list("person_id", "last")
        .order_by()
    ]


def last_courses_rebuild() -> int:
    """Rebuild every teacher's last completed course: computed aside, swapped in one
    transaction (readers see the old rows or the new ones)."""
    rows = _last_courses(None)
    with transaction.atomic():
        LastCourse.objects.all().delete()
        LastCourse.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def last_courses_refresh(person_ids: list[int]) -> int:
    """Recompute the last completed course of `person_ids` (a completion added, or one
    undone: the row goes when no completed course is left)."""
    done = 0
    for at in range(0, len(person_ids), BATCH):
        chunk = person_ids[at : at + BATCH]
        rows = _last_courses(chunk)
        with transaction.atomic():
            LastCourse.objects.filter(person_id__in=chunk).delete()
            LastCourse.objects.bulk_create(rows, batch_size=BATCH)
        done += len(rows)
    return done


def changes_sweep(*, now: datetime | None = None) -> set[int]:
    """The years changed since the last sweep, queued for rebuild; moves the mark forward.

    The new mark is taken before looking, so a change made while the sweep runs is seen by
    the next one (a year may be rebuilt twice; never missed)."""
    now = now or timezone.now()
    mark = SweepMark.objects.filter(name="changes").first()
    if mark is None:
        SweepMark.objects.create(name="changes", mark=now)
        years = {now.year, now.year - 1}
        last_courses_rebuild()
    else:
        since = mark.mark - timedelta(seconds=1)
        years = changed_years(since)
        # The (updated_at) index of enrolments serves this every minute.
        people = list(
            Enrolment.objects.filter(updated_at__gt=since)
            .values_list("person_id", flat=True)
            .distinct()
        )
        last_courses_refresh(people)
        SweepMark.objects.filter(name="changes").update(mark=now)
    # The nightly rebuild: the first sweep of a day rebuilds the current and previous year.
    today = timezone.localdate(now)
    state = YearState.objects.filter(year=today.year).first()
    if state is None or state.built_at is None or timezone.localdate(state.built_at) < today:
        years |= {today.year, today.year - 1}
    years = {y for y in years if not is_frozen(y)}
    if years:
        from kaskad.reports.tasks import rebuild_years

        transaction.on_commit(lambda: rebuild_years.enqueue(sorted(years)))
    return years


def nightly_rebuild(*, pace: Pace | None = None) -> list[RebuildResult]:
    this_year = timezone.localdate().year
    pace = pace or Pace()
    last_courses_rebuild()
    pace()
    return [year_rebuild(y, pace=pace) for y in (this_year - 1, this_year)]


def year_freeze(year: int) -> None:
    YearState.objects.update_or_create(year=year, defaults={"frozen": True})


def freshness(year: int) -> YearState | None:
    return YearState.objects.filter(year=year).first()
