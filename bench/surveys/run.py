"""Benchmark: the survey results page over 100,000 responses × 60 questions.

    .venv/bin/python bench/surveys/run.py                       # 100,000 × 60 on PostgreSQL
    .venv/bin/python bench/surveys/run.py --responses 10000     # smoke run
    .venv/bin/python bench/surveys/run.py --database-url postgres://postgres@127.0.0.1:5432/surveys_bench

It makes a scratch database (dropped and created again), migrates it, creates one published
survey of 60 five-point questions (six scales of ten items) and `--responses` responses spread
over 40 schools, then asks for the results page (`/surveys/<pk>/results/`, signed in as a
monitoring officer, through Django's test client: the whole view, template and all) `--repeats`
times, unfiltered and filtered by one school. It prints p50 and p95, next to two floors
measured in the same run: reading the packed answers alone (one column, the query the page
makes) and the statistics alone on the matrix already in memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import struct
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/wt_surveys_bench"


def _scratch(url: str) -> None:
    """Drop and create the database named in `url` (PostgreSQL)."""
    import psycopg

    base, _sep, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is there")
    args = parser.parse_args()

    if not args.keep:
        _scratch(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import random

    import numpy as np
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from kaskad.accounts.models import Role
    from kaskad.accounts.tests.factories import make_user
    from kaskad.registry.models import Area, Branch
    from kaskad.registry.reference import sync_reference_data
    from kaskad.registry.tests.factories import make_organisation
    from kaskad.surveys import selectors
    from kaskad.surveys import statistics as stats
    from kaskad.surveys.definition import pack
    from kaskad.surveys.models import Response, Survey
    from kaskad.surveys.services import SurveyFields, survey_create, survey_publish

    started = time.perf_counter()
    if not args.keep or not Survey.objects.exists():
        call_command("migrate", verbosity=0)
        sync_reference_data(Branch, Area)
        officer = make_user(username="bench-officer", roles=[(Role.MONITORING_OFFICER, None)])
        areas = list(Area.objects.all()[:4])
        schools = [make_organisation(area=areas[i % len(areas)]) for i in range(40)]
        choices = [{"name": str(i), "label": {"kk": str(i), "ru": str(i)}} for i in range(1, 6)]
        elements = [
            {
                "type": "select_one",
                "name": f"q{i + 1:02d}",
                "label": {"kk": f"Сұрақ {i + 1}", "ru": f"Вопрос {i + 1}"},
                "required": False,
                "relevant": "",
                "constraint": "",
                "list": f"scale{i // 10 + 1}",
                "choices": choices,
            }
            for i in range(args.questions)
        ]
        today = timezone.localdate()
        survey = survey_create(
            by=officer,
            fields=SurveyFields(
                title={"kk": "Өлшеу", "ru": "Замер"},
                audience="public",
                opens_on=today,
                closes_on=today,
            ),
            definition={"languages": ["kk", "ru"], "default_language": "kk", "elements": elements},
        )
        survey = survey_publish(survey=survey, by=officer)
        rng = random.Random(1)
        batch: list[Response] = []
        for index in range(args.responses):
            trait = rng.gauss(0, 1)
            answers = {
                q["name"]: str(max(1, min(5, round(3 + trait + rng.gauss(0, 1)))))
                for q in elements
                if rng.random() > 0.03
            }
            school = schools[index % len(schools)]
            batch.append(
                Response(
                    survey=survey,
                    submitted_on=today,
                    organisation_id=school.pk,
                    area_id=school.area_id,
                    group="parent",
                    answers=answers,
                    vector=pack(survey.definition, answers),
                )
            )
            if len(batch) == 5000:
                Response.objects.bulk_create(batch)
                batch = []
        Response.objects.bulk_create(batch)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
    setup_seconds = time.perf_counter() - started
    survey = Survey.objects.get()
    from django.conf import settings

    from kaskad.accounts.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(User.objects.get(username="bench-officer"))
    school_id = Response.objects.filter(survey=survey).values_list("organisation_id", flat=True)[0]
    url = f"/surveys/{survey.pk}/results/"

    def timed(fn, repeats: int) -> list[float]:  # type: ignore[no-untyped-def]
        fn()  # warm-up
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        return times

    from django.core.cache import cache

    def page() -> None:
        cache.clear()  # computed afresh: the figures are cached per state of the data
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def page_cached() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def page_school() -> None:
        cache.clear()
        response = client.get(url, {"organisation": school_id})
        assert response.status_code == 200, response.status_code

    filters = selectors.Filters()
    matrix = selectors.response_matrix(survey, filters)

    def read_only() -> None:
        selectors.response_matrix(survey, filters)

    def stats_only() -> None:
        for column in range(matrix.shape[1]):
            stats.column_counts(matrix[:, column], [1.0, 2.0, 3.0, 4.0, 5.0])
            stats.mean_sd(matrix[:, column])
        for scale in range(matrix.shape[1] // 10):
            block = matrix[:, scale * 10 : scale * 10 + 10].astype(np.float64)
            stats.cronbach_alpha(block[~np.isnan(block).any(axis=1)])

    from kaskad.surveys.models import ResultTally
    from kaskad.surveys.services import tallies_rebuild

    # Before: without tallies the page counts from the responses (the previous design).
    ResultTally.objects.filter(survey=survey).delete()
    rows = [
        ("before: page, all responses, computed", timed(page, args.repeats)),
        ("before: page, all responses, figures cached", timed(page_cached, args.repeats)),
        ("before: page, one school, computed", timed(page_school, args.repeats)),
    ]
    t0 = time.perf_counter()
    tallies_rebuild(survey=survey)
    rebuild_seconds = time.perf_counter() - t0
    # After: the page sums the tallies written with each response.
    rows += [
        ("after: page, all responses, computed", timed(page, args.repeats)),
        ("after: page, one school, computed", timed(page_school, args.repeats)),
        (
            "after: results from the tallies alone",
            timed(
                lambda: selectors.survey_results(survey=survey, filters=filters, language="kk"),
                args.repeats,
            ),
        ),
        ("floor: read the packed answers (one column)", timed(read_only, args.repeats)),
        ("floor: statistics on the matrix in memory", timed(stats_only, args.repeats)),
    ]
    count = Response.objects.filter(survey=survey).count()
    print(
        f"{connection.vendor}, {count:,} responses × {args.questions} questions "
        f"(setup {setup_seconds:.0f} s; tallies counted again in {rebuild_seconds:.1f} s; "
        f"{struct.calcsize('f') * args.questions} bytes per response read)"
    )
    print(f"{'measurement':48} {'p50 s':>8} {'p95 s':>8} {'n':>4}")
    for name, times in rows:
        p50, p95 = statistics.median(times), _percentile(times, 0.95)
        print(f"{name:48} {p50:8.3f} {p95:8.3f} {len(times):4d}")


if __name__ == "__main__":
    main()
