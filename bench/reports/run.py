"""Benchmark: the national reports on PostgreSQL with ten years of data.

    .venv/bin/python bench/reports/run.py                         # scale 0.1 of national
    .venv/bin/python bench/reports/run.py --scale 1 --rush-teachers 20000 --rush-cohorts 800
    .venv/bin/python bench/reports/run.py --scale 0.02 --skip-rush  # smoke (~1 min)

Set-up (not timed): a fresh PostgreSQL database (`--pg-db`), migrated, and `--years` years of
synthetic national data at `--scale` of the national size (1.0: 400,000 teachers, 7,500
schools, per year 40,000 classroom and 300,000 online course completions, 50,000 portfolios
with their outcome events, ratings and plagiarism checks; a cascade of 3 levels with 48,000
school trainers), written with bulk inserts (the registry import and the services are
benchmarked elsewhere).

Measured:
1. **rebuild**: every year's read model built from scratch (`year_rebuild`), and the nightly
   run (current and previous year);
2. **pages**: each report and dashboard page `--requests` times in-process through Django's
   test client (after one warm-up), as a national administrator, a coordinator and a school
   leader: p50 and p95;
3. **enrolment rush** (`bench/enrolment_rush/run.py`, its own database on the same server):
   throughput alone, and with the nightly rebuild of this database looping in a second
   process for the whole rush.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"


def say(message: str) -> None:
    print(message, flush=True)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def recreate_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


# --- data -------------------------------------------------------------------------------------


def generate(*, scale: float, years: list[int], seed: int) -> dict[str, int]:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from kaskad.accounts.models import Role, User
    from kaskad.assessment.models import Portfolio, PortfolioEvent, Rubric
    from kaskad.cascade.models import Accreditation
    from kaskad.catalogue.models import AnnualPlan, Programme, ProgrammeArea, ProgrammeVersion
    from kaskad.delivery.models import Cohort, CohortTrainer, Enrolment
    from kaskad.registry.models import Area, Branch, Employment, Organisation, Person

    rng = random.Random(seed)
    tz = timezone.get_current_timezone()
    n_teachers = max(2000, int(400_000 * scale))
    n_schools = max(40, int(7_500 * scale))
    classroom = max(200, int(40_000 * scale))
    online = max(1000, int(300_000 * scale))
    portfolios = max(200, int(50_000 * scale))
    school_trainers = max(200, int(48_000 * scale))
    areas = list(Area.objects.select_related("branch"))
    branches = list(Branch.objects.all())
    counts: dict[str, int] = {}

    area_rows = ProgrammeArea.objects.all()
    if not area_rows.exists():
        ProgrammeArea.objects.bulk_create(
            [ProgrammeArea(code=f"A{i}", name=f"Area {i}", sort_order=i) for i in range(6)]
        )
    prog_areas = list(ProgrammeArea.objects.all())
    programmes = Programme.objects.bulk_create(
        [Programme(code=f"BP{i:02d}", area=prog_areas[i % len(prog_areas)]) for i in range(30)]
    )
    versions = []
    for i, p in enumerate(programmes):
        approved = datetime(years[0] + i % len(years), 3, 1, tzinfo=tz)
        versions.append(
            ProgrammeVersion(
                programme=p,
                number=1,
                status="approved",
                title=f"Programme {i}",
                hours=72,
                formats=["classroom", "online"],
                languages=["kk", "ru"],
                approved_at=approved,
            )
        )
    versions = ProgrammeVersion.objects.bulk_create(versions)
    rubrics = {v.pk: Rubric.objects.create(version=v) for v in versions}

    schools = Organisation.objects.bulk_create(
        [
            Organisation(
                code=f"S{i:06d}",
                name=f"School {i}",
                kind="school" if i % 25 else "nis",
                area=areas[i % len(areas)],
                locality="urban",
            )
            for i in range(n_schools)
        ],
        batch_size=5000,
    )
    people = Person.objects.bulk_create(
        [
            Person(
                iin=f"{i:012d}",
                surname=f"Surname{i}",
                given_name="Name",
                birth_date=date(1980, 1, 1),
                sex="F",
                search_key=f"surname{i} name",
                current_organisation=schools[i % n_schools],
            )
            for i in range(n_teachers)
        ],
        batch_size=5000,
    )
    Employment.objects.bulk_create(
        [
            Employment(
                person=p,
                organisation=schools[i % n_schools],
                position="teacher",
                started_on=date(2010, 9, 1),
                category_due_on=date(2027, 1, 1) + timedelta(days=i % 1500),
            )
            for i, p in enumerate(people)
        ],
        batch_size=5000,
    )
    counts["teachers"] = n_teachers
    counts["schools"] = n_schools

    # The cascade's upper levels: national trainers (centre's own) train regional trainers.
    national = people[: max(10, int(300 * scale))]
    regional = people[len(national) : len(national) + max(40, int(4000 * scale))]
    regional_ids = {p.pk for p in regional}
    accreditations = [
        Accreditation(
            person=p,
            programme=programmes[i % 30],
            level="national",
            valid_from=date(years[0], 1, 1),
            valid_until=date(years[-1] + 3, 1, 1),
        )
        for i, p in enumerate(national)
    ]
    strands = ["criteria_assessment", "methods", "research", "assessment_tasks"]
    st_people = people[len(national) + len(regional) :][:school_trainers]
    for i, p in enumerate(st_people):
        y = years[i % len(years)]
        accreditations.append(
            Accreditation(
                person=p,
                programme=programmes[i % 30],
                level="school",
                strand=strands[i % 4],
                valid_from=date(y, 3, 1),
                valid_until=date(y + 5, 3, 1),
            )
        )
    Accreditation.objects.bulk_create(accreditations, batch_size=5000)

    code = 0
    enrol_total = 0
    portfolio_total = 0
    for year in years:
        cohorts: list[Cohort] = []
        plan: list[AnnualPlan] = []
        for b in branches:
            for pi in range(0, 30, 3):
                plan.append(
                    AnnualPlan(
                        year=year,
                        branch=b,
                        programme=programmes[pi],
                        planned_cohorts=3,
                        planned_participants=60,
                    )
                )
        AnnualPlan.objects.bulk_create(plan)
        spec = [("classroom", 25, classroom // 25), ("online", 1000, max(1, online // 1000))]
        for fmt, size, n in spec:
            for _i in range(n):
                code += 1
                start = date(year, 1, 10) + timedelta(days=rng.randrange(320))
                v = versions[rng.randrange(30)]
                cohorts.append(
                    Cohort(
                        code=f"B{code:07d}",
                        version=v,
                        branch=rng.choice(branches),
                        format=fmt,
                        language="kk",
                        starts_on=start,
                        ends_on=start + timedelta(days=12),
                        status="closed",
                        capacity=size,
                        enrolled_count=size,
                    )
                )
        cohorts = Cohort.objects.bulk_create(cohorts, batch_size=5000)
        # Regional trainers lead classroom cohorts; a few were trained by national trainers
        # in the first classroom cohorts of the year.
        trainers = []
        for i, c in enumerate(c for c in cohorts if c.format == "classroom"):
            trainers.append(
                CohortTrainer(cohort=c, person=regional[i % len(regional)], accreditation=None)
            )
        enrolments: list[Enrolment] = []
        for c in cohorts:
            size = 25 if c.format == "classroom" else 1000
            picks = rng.sample(range(n_teachers), size)
            ended = datetime.combine(c.ends_on, datetime.min.time(), tzinfo=tz)
            for k in picks:
                enrolments.append(
                    Enrolment(
                        cohort=c,
                        person_id=people[k].pk,
                        programme_id=c.version.programme_id,
                        status="completed" if rng.random() < 0.93 else "not_completed",
                        requested_at=ended,
                        enrolled_at=ended,
                        ended_at=ended,
                        organisation_id=schools[k % n_schools].pk,
                        area_id=schools[k % n_schools].area_id,
                        position="teacher",
                    )
                )
        enrolments = Enrolment.objects.bulk_create(enrolments, batch_size=5000)
        enrol_total += len(enrolments)
        # Regional trainers accredited through a classroom cohort led by a national trainer.
        first = [c for c in cohorts if c.format == "classroom"][: len(national)]
        for i, c in enumerate(first):
            trainers.append(CohortTrainer(cohort=c, person=national[i], accreditation=None))
        needs_accreditation = list(trainers)
        # In the first year the regional trainers are trained in the national trainers'
        # cohorts: their accreditations are earned through those enrolments (the lineage).
        earned: dict[int, Enrolment] = {}
        if year == years[0]:
            rows = [
                Enrolment(
                    cohort=first[i % len(first)],
                    person_id=r.pk,
                    programme_id=first[i % len(first)].version.programme_id,
                    status="completed",
                    requested_at=datetime(year, 1, 5, tzinfo=tz),
                    ended_at=datetime(year, 1, 20, tzinfo=tz),
                    position="teacher",
                )
                for i, r in enumerate(regional)
            ]
            for e in Enrolment.objects.bulk_create(rows, batch_size=5000):
                earned[e.person_id] = e
        acc_rows = []
        for t in needs_accreditation:
            is_regional = t.person.pk in regional_ids
            acc_rows.append(
                Accreditation(
                    person=t.person,
                    programme_id=t.cohort.version.programme_id,
                    level="regional" if is_regional else "national",
                    valid_from=date(year, 1, 1),
                    valid_until=date(year + 3, 1, 1),
                    earned_through=earned.get(t.person.pk) if is_regional else None,
                )
            )
        created = Accreditation.objects.bulk_create(acc_rows, batch_size=5000)
        for t, a in zip(needs_accreditation, created, strict=True):
            t.accreditation = a
        CohortTrainer.objects.bulk_create(trainers, batch_size=5000, ignore_conflicts=True)
        # Portfolios of the completers, with their outcome events.
        completed = [e for e in enrolments if e.status == "completed"]
        chosen = rng.sample(completed, min(portfolios, len(completed)))
        port_rows = []
        for e in chosen:
            c = e.cohort
            cert = rng.random() < 0.94
            port_rows.append(
                Portfolio(
                    enrolment=e,
                    rubric=rubrics[c.version_id],
                    attempt=1,
                    status="certified" if cert else "not_certified",
                    deadline=e.ended_at,
                    submitted_at=e.ended_at,
                    rating=rng.choices(["unsatisfactory", "satisfactory", "good"], [6, 93, 1])[0],
                    plagiarism_status=rng.choices(
                        ["clear", "suspected", "confirmed", "not_checked"], [60, 8, 4, 28]
                    )[0],
                    programme_id=c.version.programme_id,
                    branch_id=c.branch_id,
                )
            )
        port_rows = Portfolio.objects.bulk_create(port_rows, batch_size=5000)
        events = []
        for p in port_rows:
            kind = "certified" if p.status == "certified" else "not_certified"
            events.append(PortfolioEvent(portfolio=p, kind=kind, attempt=1))
        events = PortfolioEvent.objects.bulk_create(events, batch_size=5000)
        # `at` is auto_now_add: put each event in its portfolio's year.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE assessment_portfolioevent e SET at = p.submitted_at + interval '20 days' "
                "FROM assessment_portfolio p WHERE e.portfolio_id = p.id AND e.id >= %s",
                [events[0].pk],
            )
        portfolio_total += len(port_rows)
        say(
            f"  {year}: {len(cohorts):,} cohorts, {len(enrolments):,} enrolments, "
            f"{len(port_rows):,} portfolios"
        )
    counts["enrolments"] = enrol_total
    counts["portfolios"] = portfolio_total
    counts["school_trainers"] = len(st_people)

    admin = User.objects.create(username="bench-admin", password=make_password(None))
    admin.roles.create(role=Role.NATIONAL_ADMIN)
    coordinator = User.objects.create(username="bench-coordinator", password=make_password(None))
    coordinator.roles.create(role=Role.BRANCH_COORDINATOR, branch=branches[0])
    leader = User.objects.create(username="bench-leader", password=make_password(None))
    leader.roles.create(role=Role.SCHOOL_LEADER, organisation=schools[0])
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts


# --- measurements -------------------------------------------------------------------------------


def measure_rebuild(years: list[int]) -> dict[str, Any]:
    from kaskad.reports.readmodels import nightly_rebuild, year_rebuild

    per_year = {}
    for year in years:
        started = time.perf_counter()
        result = year_rebuild(year, force=True)
        per_year[year] = {
            "seconds": round(time.perf_counter() - started, 2),
            "facts": result.facts,
            "links": result.links,
        }
        say(
            f"  rebuild {year}: {per_year[year]['seconds']} s, {result.facts:,} figures, "
            f"{result.links:,} cascade links"
        )
    started = time.perf_counter()
    nightly_rebuild()
    nightly = round(time.perf_counter() - started, 2)
    say(f"  nightly (current + previous year): {nightly} s")
    return {
        "per_year": per_year,
        "nightly_seconds": nightly,
        "all_years_seconds": round(sum(v["seconds"] for v in per_year.values()), 2),
    }


def measure_pages(*, requests: int, year: int) -> list[dict[str, Any]]:
    from django.conf import settings
    from django.test import Client

    from kaskad.accounts.models import User
    from kaskad.registry.models import Branch

    settings.ALLOWED_HOSTS = ["*"]
    branch = Branch.objects.order_by("code").first()
    assert branch is not None
    pages = [
        ("bench-admin", "annual report, country", "/reports/annual/", {"year": year}),
        (
            "bench-admin",
            "annual report, branch",
            "/reports/annual/",
            {"year": year, "branch": branch.code},
        ),
        (
            "bench-admin",
            "annual report XLSX, country",
            "/reports/annual/export.xlsx",
            {"year": year},
        ),
        ("bench-admin", "assessment, country", "/reports/assessment/", {"year": year}),
        ("bench-admin", "cascade, country", "/reports/cascade/", {"year": year}),
        ("bench-admin", "school-trainer coverage, country", "/reports/coverage/", {}),
        ("bench-admin", "dashboard, national", "/reports/dashboard/", {}),
        ("bench-admin", "dashboard data, national", "/reports/dashboard/data.json", {}),
        ("bench-coordinator", "dashboard, branch", "/reports/dashboard/", {}),
        (
            "bench-coordinator",
            "drill-down: teachers trained, branch",
            "/reports/figure/",
            {"metric": "completed", "year": year, "branch": branch.code},
        ),
        (
            "bench-coordinator",
            "due for training, branch (counts + first 200)",
            "/reports/due/",
            {"branch": branch.code},
        ),
        ("bench-leader", "dashboard, school leader", "/reports/dashboard/", {}),
        ("bench-leader", "due for training, school", "/reports/due/", {}),
    ]
    clients: dict[str, Client] = {}
    results = []
    for username, label, path, params in pages:
        client = clients.get(username)
        if client is None:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        response = client.get(path, params)
        assert response.status_code == 200, (label, response.status_code)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path, params)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        times.sort()
        p95 = times[min(len(times) - 1, math.ceil(0.95 * len(times)) - 1)]
        row = {
            "page": label,
            "p50_ms": round(statistics.median(times)),
            "p95_ms": round(p95),
            "n": len(times),
        }
        results.append(row)
        say(f"  {label}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms")
    return results


def rush(args: argparse.Namespace, *, with_rebuild: bool, url: str) -> dict[str, Any]:
    """The enrolment rush, alone or with the nightly rebuild of the reports database looping in
    a second process."""
    loop = None
    if with_rebuild:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings"}
        loop = subprocess.Popen(
            [sys.executable, str(Path(__file__)), "--rebuild-loop"], env=env, cwd=str(ROOT)
        )
        time.sleep(3)
    command = [
        sys.executable,
        str(ROOT / "bench" / "enrolment_rush" / "run.py"),
        "--teachers",
        str(args.rush_teachers),
        "--cohorts",
        str(args.rush_cohorts),
        "--configs",
        "gthread:2x4",
        "--skip-pgbench",
        "--profile",
        "0",
        "--pg-db",
        f"{args.pg_db}_rush",
        "--port",
        str(args.rush_port),
        "--work",
        str(ROOT / "var" / "bench" / "reports" / ("rush_rebuild" if with_rebuild else "rush")),
    ]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    try:
        out = subprocess.run(
            command,
            capture_output=True,
            text=True,
            env=env,
            cwd=str(ROOT),
            check=False,
            timeout=3600,
        )
    finally:
        if loop is not None:
            loop.terminate()
            loop.wait(timeout=60)
    match = re.search(r"(\d+) enrolments/s, p99 ([\d.]+)", out.stdout)
    if match is None:
        say(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit("the enrolment rush did not report its throughput")
    return {
        "enrolments_per_s": int(match.group(1)),
        "p99_ms": float(match.group(2)),
        "rebuild_running": with_rebuild,
    }


def rebuild_loop() -> None:
    """Run the nightly rebuild again and again until terminated (for the rush comparison), at
    the worker's pace (`KASKAD_REPORTS_REBUILD_DUTY`; 1 for flat out)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from kaskad.reports.readmodels import background_pace, nightly_rebuild

    while True:
        started = time.perf_counter()
        nightly_rebuild(pace=background_pace())
        print(f"rebuild loop: nightly in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--pg-db", default="kaskad_reports_bench")
    parser.add_argument("--skip-rush", action="store_true")
    parser.add_argument("--rush-teachers", type=int, default=3000)
    parser.add_argument("--rush-cohorts", type=int, default=120)
    parser.add_argument("--rush-port", type=int, default=8118)
    parser.add_argument("--rebuild-loop", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--pages-only", action="store_true", help="measure the pages on an existing database"
    )
    parser.add_argument(
        "--existing",
        action="store_true",
        help="skip the set-up: rebuild, pages and rush on a database generated earlier",
    )
    parser.add_argument(
        "--skip-rebuild", action="store_true", help="with --existing: the read models as they are"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "reports")
    args = parser.parse_args()
    if args.rebuild_loop:
        rebuild_loop()
        return
    url = f"{args.pg}/{args.pg_db}"
    if args.pages_only:
        setup_django(url)
        from django.utils import timezone

        say("Pages (existing database):")
        pages = measure_pages(requests=args.requests, year=timezone.localdate().year)
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "pages.json").write_text(json.dumps(pages, indent=2))
        return
    if not args.existing:
        recreate_database(args.pg, args.pg_db)
    setup_django(url)
    from django.core.management import call_command
    from django.utils import timezone

    this_year = timezone.localdate().year
    years = list(range(this_year - args.years + 1, this_year + 1))
    counts: dict[str, int] = {}
    if args.existing:
        say(f"Set-up skipped: the data already in {args.pg_db}")
    else:
        say(f"Set-up: database {args.pg_db}: migrate…")
        call_command("migrate", verbosity=0)
        say(f"Set-up: {args.years} years of data at scale {args.scale}…")
        started = time.perf_counter()
        counts = generate(scale=args.scale, years=years, seed=args.seed)
        say(f"Set-up done in {time.perf_counter() - started:.0f} s: {counts}")
    rebuild: dict[str, Any] = {}
    if not (args.existing and args.skip_rebuild):
        say("Rebuild:")
        rebuild = measure_rebuild(years)
    say("Pages:")
    pages = measure_pages(requests=args.requests, year=this_year)
    result: dict[str, Any] = {
        "scale": args.scale,
        "years": years,
        "counts": counts,
        "rebuild": rebuild,
        "pages": pages,
    }
    if not args.skip_rush:
        say("Enrolment rush, alone…")
        alone = rush(args, with_rebuild=False, url=url)
        say(f"  {alone}")
        say("Enrolment rush, with the nightly rebuild looping…")
        busy = rush(args, with_rebuild=True, url=url)
        say(f"  {busy}")
        result["rush"] = {
            "alone": alone,
            "with_rebuild": busy,
            "loss_percent": round(
                100 * (1 - busy["enrolments_per_s"] / alone["enrolments_per_s"]), 1
            ),
        }
        say(f"  throughput lost with the rebuild running: {result['rush']['loss_percent']}%")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "result.json").write_text(json.dumps(result, indent=2, default=str))
    say(f"Details: {args.out / 'result.json'}")


if __name__ == "__main__":
    main()
