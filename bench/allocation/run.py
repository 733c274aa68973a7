"""Benchmark: allocate 50,000 submitted portfolios to 400 assessors in one run.

    .venv/bin/python bench/allocation/run.py                    # PostgreSQL `allocbench`
    .venv/bin/python bench/allocation/run.py --sqlite           # a fresh SQLite file
    .venv/bin/python bench/allocation/run.py --portfolios 5000 --assessors 60   # smoke

Set-up (not timed, bulk inserts): a throwaway database, migrated (areas and branches come
with the migrations); `--organisations` schools spread over the 20 areas; `--programmes`
approved programme versions, each with the standard rubric (`seed_rubrics`); the same-branch
conflict switched on for every third programme; cohorts of 25 across the 16 branches, each
with one or two trainers; `--portfolios` participants, each enrolled in one cohort (with
their school as the organisation at enrolment) and a SUBMITTED portfolio; `--assessors`
assessors, each accredited for one programme with a capacity drawn from 100..200 (about
1.2 times the portfolios of the programme in total). Conflicts are built in on purpose:
a third of the cohorts' trainers are also assessors of the same programme; every assessor
works at a school that also sends participants.

Measured, side by side:

1. **floor**: `Assignment.objects.bulk_create` of one task per portfolio (no reads, no
   decisions, no status update, no history), rolled back: the cost of just writing the rows.
2. **naive**: `assign_one` per portfolio (lock, look-ups, pick, insert, event, audit) on a
   `--sample` subset, rolled back, extrapolated to all portfolios.
3. **allocate_submitted**: the real bulk run (one transaction, committed).

Then, independently of the code under test, SQL recounts: portfolios still submitted, live
first tasks per portfolio (must be 1), open tasks above capacity (0), and conflicts of each
kind (trainer, same organisation, same branch where switched on, self): all must be 0.
The spread of load/capacity (lowest and highest) shows the balance.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def admin_sql(base_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def django_setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["KASKAD_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def timed(label: str, work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    print(f"  {label}: {seconds:.2f} s", flush=True)
    return seconds, result


# --- set-up -------------------------------------------------------------------------------------


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from kaskad.assessment.models import (
        AssessorAccreditation,
        Portfolio,
        PortfolioStatus,
        Rubric,
    )
    from kaskad.assessment.rubrics.services import seed_rubrics
    from kaskad.cascade.models import Accreditation
    from kaskad.catalogue.models import Programme, ProgrammeArea, ProgrammeVersion
    from kaskad.delivery.models import Cohort, CohortTrainer, Enrolment
    from kaskad.registry.models import Area, Organisation, Person

    rnd = random.Random(args.seed)
    now = timezone.now()
    today = timezone.localdate()
    batch = 5000
    serial = iter(range(10**11, 10**12))

    def person(org: Organisation, prefix: str, n: int) -> Person:
        surname = f"{prefix}{n}"
        return Person(
            iin=str(next(serial)),
            surname=surname,
            given_name="Bench",
            birth_date=date(1985, 1, 1),
            sex="F",
            search_key=f"{surname.lower()} bench",
            current_organisation=org,
        )

    with transaction.atomic():
        areas = list(Area.objects.select_related("branch"))
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    code=f"B{i:06d}",
                    name=f"School {i}",
                    kind="school",
                    area=areas[i % len(areas)],
                    locality="urban",
                )
                for i in range(args.organisations)
            ],
            batch_size=batch,
        )
        strand, _ = ProgrammeArea.objects.get_or_create(
            code="methods", defaults={"name": "Methods and technologies of teaching"}
        )
        programmes = Programme.objects.bulk_create(
            [Programme(code=f"BENCH{i:02d}", area=strand) for i in range(args.programmes)]
        )
        versions = ProgrammeVersion.objects.bulk_create(
            [
                ProgrammeVersion(
                    programme=p,
                    number=1,
                    status="approved",
                    title=f"Bench programme {p.code}",
                    hours=72,
                    formats=["classroom"],
                    languages=["kk", "ru"],
                    approved_at=now,
                )
                for p in programmes
            ]
        )
    seed_rubrics()
    Rubric.objects.filter(
        version__programme__code__in=[p.code for i, p in enumerate(programmes) if i % 3 == 0]
    ).update(same_branch_is_conflict=True)
    rubrics = {r.version.programme_id: r for r in Rubric.objects.select_related("version")}

    with transaction.atomic():
        # Assessors: each at a school that also sends participants; one programme each.
        assessor_orgs = [rnd.choice(organisations) for _ in range(args.assessors)]
        assessors = Person.objects.bulk_create(
            [person(org, "Assessor", i) for i, org in enumerate(assessor_orgs)], batch_size=batch
        )
        per_programme = len(assessors) // len(programmes)
        accreditations = []
        for i, a in enumerate(assessors):
            programme = programmes[min(i // per_programme, len(programmes) - 1)]
            accreditations.append(
                AssessorAccreditation(
                    person=a,
                    programme=programme,
                    capacity=rnd.randint(100, 200),
                    is_moderator=i % 10 == 0,
                    valid_until=today + timedelta(days=365),
                )
            )
        AssessorAccreditation.objects.bulk_create(accreditations, batch_size=batch)
        assessors_of: dict[int, list[Person]] = {}
        for acc in accreditations:
            assessors_of.setdefault(acc.programme_id, []).append(acc.person)

        # Cohorts of 25 across branches; trainers, a third of them assessors too.
        cohort_count = (args.portfolios + 24) // 25
        branches = sorted({a.branch_id for a in areas})
        trainer_pool = Person.objects.bulk_create(
            [person(rnd.choice(organisations), "Trainer", i) for i in range(args.trainers)],
            batch_size=batch,
        )
        cohorts = Cohort.objects.bulk_create(
            [
                Cohort(
                    code=f"BENCH-{i:06d}",
                    version=versions[i % len(versions)],
                    branch_id=branches[i % len(branches)],
                    format="classroom",
                    language="kk",
                    starts_on=today - timedelta(days=40),
                    ends_on=today - timedelta(days=20),
                    capacity=25,
                    enrolled_count=0,
                    status="finished",
                )
                for i in range(cohort_count)
            ],
            batch_size=batch,
        )
        trainer_accreditations: dict[tuple[int, int], Accreditation] = {}
        cohort_trainers = []
        trainer_conflicts = 0
        for cohort in cohorts:
            programme_id = cohort.version.programme_id
            people = [rnd.choice(trainer_pool)]
            if rnd.random() < 0.5:
                people.append(rnd.choice(assessors_of[programme_id]))  # an assessor trains it
                trainer_conflicts += 1
            for p in people:
                key = (p.pk, programme_id)
                if key not in trainer_accreditations:
                    trainer_accreditations[key] = Accreditation(
                        person=p,
                        programme_id=programme_id,
                        level="regional",
                        valid_from=today - timedelta(days=400),
                        valid_until=today + timedelta(days=400),
                    )
            cohort_trainers.append((cohort, people))
        Accreditation.objects.bulk_create(trainer_accreditations.values(), batch_size=batch)
        CohortTrainer.objects.bulk_create(
            [
                CohortTrainer(
                    cohort=cohort,
                    person=p,
                    accreditation=trainer_accreditations[(p.pk, cohort.version.programme_id)],
                )
                for cohort, people in cohort_trainers
                for p in dict.fromkeys(people)
            ],
            batch_size=batch,
        )

        # Participants: assessors' schools get participants first, so same-organisation
        # conflicts are everywhere.
        participant_orgs = [
            assessor_orgs[(i // 10) % len(assessor_orgs)]
            if i % 10 == 0 and i // 10 < 3 * len(assessor_orgs)
            else rnd.choice(organisations)
            for i in range(args.portfolios)
        ]
        participants = Person.objects.bulk_create(
            [person(org, "Participant", i) for i, org in enumerate(participant_orgs)],
            batch_size=batch,
        )
        enrolments = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    cohort=cohorts[i // 25],
                    person=p,
                    programme_id=cohorts[i // 25].version.programme_id,
                    status="completed",
                    requested_at=now,
                    enrolled_at=now,
                    organisation=p.current_organisation,
                    area_id=p.current_organisation.area_id,
                )
                for i, p in enumerate(participants)
            ],
            batch_size=batch,
        )
        Portfolio.objects.bulk_create(
            [
                Portfolio(
                    enrolment=e,
                    rubric=rubrics[e.programme_id],
                    attempt=1,
                    status=PortfolioStatus.SUBMITTED,
                    deadline=now + timedelta(days=1),
                    submitted_at=now - timedelta(seconds=i),
                    plagiarism_status="pending",
                    programme_id=e.programme_id,
                    branch_id=e.cohort.branch_id,
                )
                for i, e in enumerate(enrolments)
            ],
            batch_size=batch,
        )
    return {
        "capacity": sum(a.capacity for a in accreditations),
        "trainer_assessors": trainer_conflicts,
        "same_branch_programmes": sum(1 for r in rubrics.values() if r.same_branch_is_conflict),
    }


# --- measurements -------------------------------------------------------------------------------


class Rollback(Exception):
    pass


def floor_bulk_create() -> float:
    """Insert one task per portfolio with nothing else, then roll back."""
    from django.db import transaction
    from django.utils import timezone

    from kaskad.assessment.models import AssessorAccreditation, Assignment, Portfolio

    portfolios = list(Portfolio.objects.filter(status="submitted").values_list("pk", flat=True))
    people = list(AssessorAccreditation.objects.values_list("person_id", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    try:
        with transaction.atomic():
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        portfolio_id=pk,
                        attempt=1,
                        role="first",
                        assessor_id=people[i % len(people)],
                        allocated_at=now,
                        due_at=now,
                    )
                    for i, pk in enumerate(portfolios)
                ],
                batch_size=2000,
            )
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds


def naive_assign_one(sample: int) -> tuple[float, int]:
    """assign_one per portfolio on `sample` portfolios, then roll back."""
    from django.db import transaction

    from kaskad.assessment.allocation.services import assign_one
    from kaskad.assessment.models import Portfolio

    portfolios = list(
        Portfolio.objects.filter(status="submitted").select_related("enrolment", "rubric")[:sample]
    )
    started = time.perf_counter()
    allocated = 0
    try:
        with transaction.atomic():
            for p in portfolios:
                if assign_one(portfolio=p, role="first", by=None) is not None:
                    allocated += 1
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return seconds, allocated


CHECKS = {
    "still submitted": """
        SELECT count(*) FROM assessment_portfolio WHERE status = 'submitted'""",
    "portfolios with more than one live first task": """
        SELECT count(*) FROM (
          SELECT portfolio_id FROM assessment_assignment
          WHERE role = 'first' AND status <> 'withdrawn'
          GROUP BY portfolio_id, attempt HAVING count(*) > 1) x""",
    "accreditations over capacity": """
        SELECT count(*) FROM (
          SELECT acc.id FROM assessment_assessoraccreditation acc
          JOIN assessment_assignment a ON a.assessor_id = acc.person_id AND a.status = 'allocated'
          JOIN assessment_portfolio p ON p.id = a.portfolio_id AND p.programme_id = acc.programme_id
          GROUP BY acc.id, acc.capacity HAVING count(*) > acc.capacity) x""",
    "conflict: trainer of the cohort": """
        SELECT count(*) FROM assessment_assignment a
        JOIN assessment_portfolio p ON p.id = a.portfolio_id
        JOIN delivery_enrolment e ON e.id = p.enrolment_id
        JOIN delivery_cohorttrainer ct ON ct.cohort_id = e.cohort_id
          AND ct.person_id = a.assessor_id""",
    "conflict: same organisation": """
        SELECT count(*) FROM assessment_assignment a
        JOIN assessment_portfolio p ON p.id = a.portfolio_id
        JOIN delivery_enrolment e ON e.id = p.enrolment_id
        JOIN registry_person ap ON ap.id = a.assessor_id
        WHERE ap.current_organisation_id = e.organisation_id""",
    "conflict: same branch (where switched on)": """
        SELECT count(*) FROM assessment_assignment a
        JOIN assessment_portfolio p ON p.id = a.portfolio_id
        JOIN assessment_rubric r ON r.id = p.rubric_id AND r.same_branch_is_conflict
        JOIN registry_person ap ON ap.id = a.assessor_id
        JOIN registry_organisation o ON o.id = ap.current_organisation_id
        JOIN registry_area ar ON ar.id = o.area_id
        WHERE ar.branch_id = p.branch_id""",
    "conflict: own portfolio": """
        SELECT count(*) FROM assessment_assignment a
        JOIN assessment_portfolio p ON p.id = a.portfolio_id
        JOIN delivery_enrolment e ON e.id = p.enrolment_id
        WHERE e.person_id = a.assessor_id""",
}

SPREAD = """
    SELECT min(1.0 * coalesce(n, 0) / acc.capacity), max(1.0 * coalesce(n, 0) / acc.capacity)
    FROM assessment_assessoraccreditation acc
    LEFT JOIN (
      SELECT a.assessor_id, p.programme_id, count(*) AS n FROM assessment_assignment a
      JOIN assessment_portfolio p ON p.id = a.portfolio_id
      WHERE a.status = 'allocated' GROUP BY a.assessor_id, p.programme_id
    ) l ON l.assessor_id = acc.person_id AND l.programme_id = acc.programme_id"""

SPREAD_BY_PROGRAMME = """
    SELECT pr.code, min(1.0 * coalesce(n, 0) / acc.capacity),
           max(1.0 * coalesce(n, 0) / acc.capacity), sum(coalesce(n, 0))
    FROM assessment_assessoraccreditation acc
    JOIN catalogue_programme pr ON pr.id = acc.programme_id
    LEFT JOIN (
      SELECT a.assessor_id, p.programme_id, count(*) AS n FROM assessment_assignment a
      JOIN assessment_portfolio p ON p.id = a.portfolio_id
      WHERE a.status = 'allocated' GROUP BY a.assessor_id, p.programme_id
    ) l ON l.assessor_id = acc.person_id AND l.programme_id = acc.programme_id
    GROUP BY pr.code ORDER BY pr.code"""

# Would-be conflicts present in the data (pairs of a portfolio and an accredited assessor of
# its programme that the rules forbid): proof that the checks above had something to catch.
POTENTIAL = {
    "trainer-assessor pairs": """
        SELECT count(*) FROM assessment_portfolio p
        JOIN delivery_enrolment e ON e.id = p.enrolment_id
        JOIN delivery_cohorttrainer ct ON ct.cohort_id = e.cohort_id
        JOIN assessment_assessoraccreditation acc ON acc.person_id = ct.person_id
          AND acc.programme_id = p.programme_id""",
    "same-organisation pairs": """
        SELECT count(*) FROM assessment_portfolio p
        JOIN delivery_enrolment e ON e.id = p.enrolment_id
        JOIN assessment_assessoraccreditation acc ON acc.programme_id = p.programme_id
        JOIN registry_person ap ON ap.id = acc.person_id
          AND ap.current_organisation_id = e.organisation_id""",
}


def sql(statement: str) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement)
        return list(cursor.fetchall()) if cursor.description else []


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--portfolios", type=int, default=50_000)
    parser.add_argument("--assessors", type=int, default=400)
    parser.add_argument("--programmes", type=int, default=8)
    parser.add_argument("--organisations", type=int, default=7500)
    parser.add_argument("--trainers", type=int, default=600)
    parser.add_argument("--sample", type=int, default=2000, help="naive run size (0: skip)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite file instead")
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="allocbench")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    work = ROOT / "var" / "bench" / "allocation"
    work.mkdir(parents=True, exist_ok=True)
    if args.sqlite:
        path = work / "allocbench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        db_url = f"sqlite:///{path}"
        backend = "SQLite"
    else:
        admin_sql(
            args.pg,
            f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)',
            f'CREATE DATABASE "{args.pg_db}"',
        )
        db_url = f"{args.pg}/{args.pg_db}"
        backend = "PostgreSQL"
    django_setup(db_url)
    from django.core.management import call_command
    from django.utils import translation

    translation.activate("en")

    print(f"{backend}: {args.portfolios:,} portfolios, {args.assessors} assessors", flush=True)
    timed("migrate", lambda: call_command("migrate", verbosity=0))
    _s, facts = timed("build the data set (bulk inserts)", lambda: build(args))
    if backend == "PostgreSQL":
        sql("ANALYZE")
    print(
        f"  total capacity {facts['capacity']:,}; cohorts trained by one of their programme's "
        f"assessors {facts['trainer_assessors']:,}; programmes with the same-branch rule "
        f"{facts['same_branch_programmes']}",
        flush=True,
    )
    for label, statement in POTENTIAL.items():
        print(f"  potential conflicts, {label}: {sql(statement)[0][0]:,}")

    from kaskad.assessment.allocation.services import allocate_submitted
    from kaskad.core.progress import TerminalProgress

    floor = floor_bulk_create()
    print(f"  floor, bulk_create of {args.portfolios:,} tasks only: {floor:.2f} s", flush=True)
    naive_total = None
    if args.sample:
        naive, done = naive_assign_one(min(args.sample, args.portfolios))
        naive_total = naive * args.portfolios / max(1, min(args.sample, args.portfolios))
        print(
            f"  naive, assign_one × {args.sample:,}: {naive:.2f} s ({done:,} allocated) -> "
            f"{naive_total:.0f} s extrapolated to {args.portfolios:,}",
            flush=True,
        )

    bar = TerminalProgress(sys.stderr, unit="portfolios")
    stages: dict[str, list[float]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        stages.setdefault(stage, [now, now])[1] = now
        bar(stage, done, total)

    cpu = time.process_time()
    started = time.perf_counter()
    result = allocate_submitted(by=None, progress=progress)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    bar.close()
    print(f"  allocate_submitted: {seconds:.2f} s — {result.summary()}", flush=True)
    print(f"  of which this process's CPU: {cpu:.2f} s (the rest: waiting for the database)")
    marks = sorted((t0, name) for name, (t0, _t1) in stages.items())
    for (t0, name), nxt in zip(marks, [*marks[1:], (started + seconds, "")], strict=True):
        print(f"    {name}: {nxt[0] - t0:.2f} s")

    print("checks (SQL, after the run):")
    failures = 0
    for label, statement in CHECKS.items():
        value = sql(statement)[0][0]
        expected = len(result.unallocated) if label == "still submitted" else 0
        mark = "ok" if value == expected else "FAIL"
        failures += mark == "FAIL"
        print(f"  {label}: {value:,} [{mark}]")
    low, high = sql(SPREAD)[0]
    print(f"  load/capacity over all assessors: lowest {float(low):.3f}, highest {float(high):.3f}")
    for row in sql(SPREAD_BY_PROGRAMME):
        low_p, high_p = float(row[1]), float(row[2])
        print(f"    {row[0]}: {row[3]:,} tasks, load/capacity {low_p:.3f}..{high_p:.3f}")

    print()
    print(f"| {backend} | seconds | portfolios/s |")
    print("|---|---:|---:|")
    print(f"| floor: bulk_create of tasks only | {floor:.2f} | {args.portfolios / floor:,.0f} |")
    if naive_total is not None:
        rate = args.portfolios / naive_total
        print(
            f"| naive: assign_one per portfolio (extrapolated) | {naive_total:.0f} | {rate:,.0f} |"
        )
    print(f"| **allocate_submitted** | **{seconds:.2f}** | **{args.portfolios / seconds:,.0f}** |")

    if not args.sqlite and not args.keep:
        from django.db import connections

        connections.close_all()
        admin_sql(args.pg, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
