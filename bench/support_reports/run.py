"""Benchmark: the support report pages over ten years of synthetic national data (PostgreSQL).

    .venv/bin/python bench/support_reports/run.py                       # full size
    .venv/bin/python bench/support_reports/run.py --scale 0.25          # a quarter
    .venv/bin/python bench/support_reports/run.py --pg-db my_bench --repeat 30

Set-up (not timed, bulk inserts into a throwaway database, migrated): per year, 2,000 leading
schools × 9 partners (the same 20,000 schools every year) across the 16 branches; 11,000
support events a year with 10 named participants each (110,000 participations a year) drawn
from 100,000 teachers working at those schools, a third of the events held for a partner
school; 5,000 teachers' requests a year in every status, answered ones with a time to answer.
``--scale`` multiplies every count.

Measured, each page `--repeat` times through the full Django stack (test client, signed in as
a national administrator; p50 and p95 of the wall time):

* the report page of the latest year for the whole country, for one branch, and for one type
  of event ("methodological centres held N training events" is one filter);
* the same report as XLSX;
* the network page of one branch (tree, counts per area, growth over ten years);
* the floor: a bare ``SELECT count(*)`` over each table the reports read.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BASE = {"leading": 2000, "partners": 9, "events": 11000, "per_event": 10, "requests": 5000}
TEACHERS = 100_000


def admin_sql(base_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def django_setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["KASKAD_DEBUG"] = "0"
    os.environ["KASKAD_ALLOWED_HOSTS"] = "testserver,localhost,127.0.0.1"
    os.environ.setdefault("KASKAD_SECRET_KEY", "bench-" + "x" * 60)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from kaskad.networks.models import (
        EventKind,
        EventParticipant,
        LeadingSchool,
        MethodCentre,
        Partnership,
        RequestStatus,
        RequestTopic,
        SupportEvent,
        SupportRequest,
        TopicArea,
    )
    from kaskad.registry.models import Area, Organisation, Person

    rng = random.Random(13)
    scale = args.scale
    n_leading = max(16, int(BASE["leading"] * scale))
    n_partners = BASE["partners"]
    n_events = max(16, int(BASE["events"] * scale))
    n_requests = max(16, int(BASE["requests"] * scale))
    n_teachers = max(100, int(TEACHERS * scale))
    years = list(range(args.last_year - args.years + 1, args.last_year + 1))
    areas = list(Area.objects.select_related("branch").order_by("pk"))
    started = time.perf_counter()

    schools = [
        Organisation(
            code=f"B{i:07d}",
            name=f"School {i}",
            name_kk=f"{i} мектеп",
            name_ru=f"Школа {i}",
            name_en=f"School {i}",
            kind="school" if i >= 16 else "nis",
            area=areas[i % len(areas)],
            locality="urban" if i % 3 else "rural",
        )
        for i in range(16 + n_leading * (1 + n_partners))
    ]
    Organisation.objects.bulk_create(schools, batch_size=5000)
    nis = schools[:16]
    leading_orgs = schools[16 : 16 + n_leading]
    partner_orgs = schools[16 + n_leading :]
    people = [
        Person(
            iin=f"{i:012d}",
            surname=f"Surname{i}",
            given_name="Name",
            birth_date=date(1980, 1, 1) + timedelta(days=i % 7000),
            sex="F" if i % 2 else "M",
            search_key=f"surname{i} name",
            current_organisation=schools[16 + i % (len(schools) - 16)],
        )
        for i in range(n_teachers)
    ]
    Person.objects.bulk_create(people, batch_size=5000)
    tz = timezone.get_current_timezone()
    kinds = list(EventKind.values)
    topics = list(TopicArea.values)
    statuses = list(RequestStatus.values)
    req_topics = list(RequestTopic.values)
    for year in years:
        centres = MethodCentre.objects.bulk_create(
            MethodCentre(year=year, school=school, branch_id=school.area.branch_id)
            for school in nis
        )
        by_branch = {c.branch_id: c for c in centres}
        leading = LeadingSchool.objects.bulk_create(
            (
                LeadingSchool(
                    year=year,
                    school=school,
                    branch_id=school.area.branch_id,
                    centre=by_branch.get(school.area.branch_id),
                    decision_number=str(i),
                )
                for i, school in enumerate(leading_orgs)
            ),
            batch_size=5000,
        )
        # Partners in the leading school's branch: the schools share the area cycle.
        Partnership.objects.bulk_create(
            (
                Partnership(year=year, leading=leading[i // n_partners], school=school)
                for i, school in enumerate(partner_orgs)
            ),
            batch_size=5000,
        )
        events = []
        for i in range(n_events):
            lead = leading[rng.randrange(len(leading))]
            day = date(year, 9, 1) + timedelta(days=rng.randrange(330))
            events.append(
                SupportEvent(
                    year=year,
                    kind=kinds[i % len(kinds)],
                    title=f"Event {year}-{i}",
                    topic=topics[i % len(topics)],
                    organiser_kind="leading",
                    branch_id=lead.branch_id,
                    leading=lead,
                    school=partner_orgs[rng.randrange(len(partner_orgs))] if i % 3 == 0 else None,
                    starts_at=datetime(day.year, day.month, day.day, 15, tzinfo=tz),
                    duration_minutes=90,
                    format="in_person",
                    language="kk",
                    venue="Hall",
                    participant_count=BASE["per_event"],
                )
            )
        SupportEvent.objects.bulk_create(events, batch_size=5000)
        EventParticipant.objects.bulk_create(
            (
                EventParticipant(
                    event=event,
                    person=person,
                    source="added",
                    attended=True,
                    year=year,
                    organisation_id=person.current_organisation_id,
                )
                for event in events
                for person in rng.sample(people, BASE["per_event"])
            ),
            batch_size=10000,
            ignore_conflicts=True,
        )
        SupportRequest.objects.bulk_create(
            (
                SupportRequest(
                    year=year,
                    person=people[i % len(people)],
                    school_id=people[i % len(people)].current_organisation_id,
                    topic=req_topics[i % len(req_topics)],
                    text="Help",
                    branch_id=leading[i % len(leading)].branch_id,
                    leading=leading[i % len(leading)],
                    status=statuses[i % len(statuses)],
                    due_on=date(year, 10, 1) + timedelta(days=i % 200),
                    rating=(i % 5) + 1 if statuses[i % len(statuses)] == "closed" else None,
                )
                for i in range(n_requests)
            ),
            batch_size=5000,
        )
        print(f"  year {year} built ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE networks_supportrequest SET created_at = make_timestamptz("
            "(year + (id % 2))::int, "
            "(CASE WHEN id % 2 = 0 THEN 9 + id % 4 ELSE 1 + id % 5 END)::int, "
            "(1 + id % 27)::int, 10, 0, 0)"
        )
        cursor.execute(
            "UPDATE networks_supportrequest SET answered_at = created_at + (id % 300) * "
            "interval '1 hour' WHERE status IN ('answered', 'closed')"
        )
        cursor.execute("ANALYZE")
    return {
        "schools": len(schools),
        "teachers": len(people),
        "events": n_events * len(years),
        "participations": n_events * len(years) * BASE["per_event"],
        "requests": n_requests * len(years),
        "partnerships": len(partner_orgs) * len(years),
        "seconds": time.perf_counter() - started,
    }


def measure(label: str, work: Callable[[], Any], repeat: int) -> dict[str, Any]:
    work()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    row = {"label": label, "p50": statistics.median(times), "p95": p95}
    print(f"  {label:<58} p50 {row['p50'] * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms", flush=True)
    return row


def run(args: argparse.Namespace) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from kaskad.accounts.models import Role
    from kaskad.accounts.services import user_create
    from kaskad.registry.models import Branch

    print("migrating…", flush=True)
    call_command("migrate", verbosity=0)
    print("building…", flush=True)
    built = build(args)
    print(f"built: {built}", flush=True)
    admin = user_create(
        username="bench-admin",
        password="Bench-password-2026",
        roles=[(Role.NATIONAL_ADMIN, None)],
        validate=False,
    )
    client = Client()
    client.force_login(admin)
    year = args.last_year
    branch = Branch.objects.order_by("code").first()
    assert branch is not None

    def page(url: str) -> Callable[[], None]:
        def get() -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return get

    def count(table: str) -> Callable[[], None]:
        def get() -> None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT count(*) FROM {table}")  # fixed table names
                cursor.fetchone()

        return get

    rows = [
        measure(
            "reports, country, latest year", page(f"/networks/reports/?year={year}"), args.repeat
        ),
        measure(
            "reports, one branch",
            page(f"/networks/reports/?year={year}&branch={branch.pk}"),
            args.repeat,
        ),
        measure(
            "reports, training workshops only",
            page(f"/networks/reports/?year={year}&kind=workshop"),
            args.repeat,
        ),
        measure(
            "reports as XLSX, country",
            page(f"/networks/reports/?year={year}&format=xlsx"),
            args.repeat,
        ),
        measure(
            "network page, one branch (tree, areas, 10-year growth)",
            page(f"/networks/?branch={branch.pk}&year={year}"),
            args.repeat,
        ),
    ]
    for table in (
        "networks_supportevent",
        "networks_eventparticipant",
        "networks_supportrequest",
        "networks_partnership",
    ):
        rows.append(measure(f"floor: SELECT count(*) FROM {table}", count(table), args.repeat))
    print("\n| page | p50 ms | p95 ms |\n|---|---|---|")
    for row in rows:
        print(f"| {row['label']} | {row['p50'] * 1000:.1f} | {row['p95'] * 1000:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="wt_networks_bench")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--last-year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    admin_sql(
        args.pg_url,
        f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)',
        f'CREATE DATABASE "{args.pg_db}"',
    )
    try:
        django_setup(f"{args.pg_url}/{args.pg_db}")
        run(args)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin_sql(args.pg_url, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')


if __name__ == "__main__":
    main()
