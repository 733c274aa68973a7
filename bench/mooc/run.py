"""Benchmark: one online course of 150 steps with many learners, on PostgreSQL.

    .venv/bin/python bench/mooc/run.py                               # 350,000 learners
    .venv/bin/python bench/mooc/run.py --learners 20000 --seconds 20   # smoke

Set-up (timed separately, not part of the load): a fresh database (`--db`, default
`wt_learning_bench`), migrated; the course built through the services (10 modules × 3 lessons ×
5 steps: text, single choice, true/false, text, single choice: 90 quiz steps) and published; then
the learners through bulk paths (PostgreSQL COPY, indexes of the three big tables dropped
during the load and built again afterwards): logins (a public course, so no registry people),
enrolments with their running totals, a progress row per step opened and the attempts (40 % of
the learners completed the course, the others stopped at a uniformly random step; 30 % of the
quiz steps answered wrongly once before the right answer).

Then, on the same database:

1. **completion report** for the whole course (`selectors.completion_report`), timed;
2. **HTTP** through gunicorn (`--workers` × `--threads`, gthread) for `--seconds`, `--concurrency`
   connections each with one request in flight (`client.py`): 70 % open the learner's next step
   (`GET /learning/steps/<id>/`: the page, which records the opening), 30 % submit a quiz reply
   (`POST`, a fresh idempotency key). Learners are drawn from `--sample` signed-in sessions;
3. **pgbench** runs the same two transactions in SQL (`open.pgbench.sql`,
   `submit.pgbench.sql`, weights 7 and 3) with the same number of clients for the same time:
   the database's floor for this work on this machine.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
COURSE_CODE = "BENCH-MOOC"
CSRF = "benchcsrfbenchcsrfbenchcsrfbench"  # 32 characters: an unmasked CSRF secret


def say(message: str) -> None:
    print(message, flush=True)


def admin_sql(base: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def django_setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["KASKAD_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- the course ---------------------------------------------------------------------------------

PATTERN = ("text", "single_choice", "true_false", "text", "single_choice")


def build_course() -> tuple[int, int, list[dict[str, Any]]]:
    """The course through the services; (course id, version id, steps in order)."""
    from kaskad.accounts.models import Role
    from kaskad.accounts.services import user_create
    from kaskad.catalogue.models import Programme, ProgrammeArea, ProgrammeVersion
    from kaskad.learning import services
    from kaskad.learning.models import Step
    from kaskad.registry.models import Branch

    admin = user_create(
        username="bench-admin", password="x", roles=[(Role.NATIONAL_ADMIN, None)], validate=False
    )
    area, _ = ProgrammeArea.objects.get_or_create(code="methods", defaults={"name": "Methods"})
    programme = Programme.objects.create(code="BENCH-MOOC", area=area)
    version = ProgrammeVersion.objects.create(
        programme=programme,
        number=1,
        status="approved",
        title="Learning to teach online",
        hours=36,
        formats=["self_paced"],
        languages=["kk", "ru"],
    )
    course = services.course_create(
        programme_version=version,
        branch=Branch.objects.order_by("code").first(),  # type: ignore[arg-type]
        data=services.CourseData(
            code=COURSE_CODE,
            title="Learning to teach online",
            language="kk",
            is_public=True,
            pass_percent=70,
        ),
        by=admin,
    )
    draft = services.draft_for(course=course, by=admin)
    for m in range(10):
        module = services.module_add(version=draft, title=f"Module {m + 1}", by=admin)
        for lesson_no in range(3):
            lesson = services.lesson_add(module=module, title=f"Lesson {lesson_no + 1}", by=admin)
            for kind in PATTERN:
                if kind == "text":
                    definition: dict[str, Any] = {
                        "kind": "text",
                        "format": "html",
                        "body": "<h2>Reading</h2><p>" + "Text of the step. " * 40 + "</p>",
                    }
                elif kind == "true_false":
                    definition = {"kind": "true_false", "prompt": "Is it so?", "answer": True}
                else:
                    definition = {
                        "kind": "single_choice",
                        "prompt": "Which is right?",
                        "options": [
                            {"text": "right", "weight": 100},
                            {"text": "wrong one"},
                            {"text": "wrong two"},
                        ],
                        "shuffle": False,
                    }
                services.step_add(lesson=lesson, definition=definition, by=admin)
    services.version_publish(version=draft, by=admin)
    steps = list(
        Step.objects.filter(version=draft)
        .order_by("position")
        .values("id", "kind", "module_id", "points", "required")
    )
    return course.pk, draft.pk, steps


# --- the learners, through COPY --------------------------------------------------------------


BIG_TABLES = ("learning_enrolment", "learning_stepprogress", "learning_attempt")


def _secondary_indexes(cursor: Any) -> list[tuple[str, str]]:
    """(name, definition) of the big tables' indexes and unique constraints except the keys."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
        "AND indexname NOT LIKE '%%_pkey'",
        (list(BIG_TABLES),),
    )
    return list(cursor.fetchall())


def _constraints(cursor: Any) -> list[tuple[str, str, str]]:
    cursor.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('u', 'f')",
        (list(BIG_TABLES),),
    )
    return list(cursor.fetchall())


def load_learners(
    db_url: str, *, course_id: int, version_id: int, steps: list[dict[str, Any]], args: Any
) -> dict[str, Any]:
    """Logins and enrolments (with their totals) by COPY from here; the progress rows and
    attempts generated inside PostgreSQL (INSERT … SELECT over the enrolments), which is the
    same bulk path without shipping 60 million lines through Python."""
    import psycopg
    from django.contrib.auth.hashers import make_password

    rng = random.Random(args.seed)
    password = make_password("bench-password")
    n = args.learners
    n_steps = len(steps)
    required_before = [0] * (n_steps + 1)
    points_before = [0.0] * (n_steps + 1)
    modules: list[str] = [str(s["module_id"]) for s in steps]
    for i, s in enumerate(steps):
        required_before[i + 1] = required_before[i] + (1 if s["required"] else 0)
        points_before[i + 1] = points_before[i] + float(s["points"])
    total_points = points_before[n_steps]
    counts: dict[str, Any] = {"users": n, "enrolments": n, "completed": 0}
    timings: dict[str, float] = {}
    started = time.monotonic()
    now = "2026-10-01 10:00:00+00"
    with psycopg.connect(db_url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM accounts_user")
        user_base = cur.fetchone()[0] + 1  # type: ignore[index]
        constraints = _constraints(cur)
        for table, name, _definition in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT IF EXISTS "{name}"')
        indexes = _secondary_indexes(cur)
        for name, _definition in indexes:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')
        say(f"  dropped {len(indexes)} indexes, {len(constraints)} constraints of the big tables")

        t = time.monotonic()
        with cur.copy(
            "COPY accounts_user (id, password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined, language) FROM STDIN"
        ) as copy:
            buf = io.StringIO()
            for i in range(n):
                buf.write(
                    f"{user_base + i}\t{password}\tf\tlearner{i}@bench.kz\tL\t{i}\t"
                    f"learner{i}@bench.kz\tf\tt\t{now}\tkk\n"
                )
            copy.write(buf.getvalue())
        timings["copy_users"] = time.monotonic() - t

        t = time.monotonic()
        plan: list[tuple[int, int, int]] = []  # (enrolment id, user id, next step index)
        buf = io.StringIO()
        for i in range(n):
            eid = i + 1
            uid = user_base + i
            k = n_steps if rng.random() < 0.40 else rng.randrange(0, n_steps)
            per_module: dict[str, list[float]] = {}
            for j in range(k):
                entry = per_module.setdefault(modules[j], [0, 0.0])
                entry[0] += 1
                entry[1] += float(steps[j]["points"])
            points = points_before[k]
            done = k == n_steps and points * 100 >= 70 * total_points
            counts["completed"] += 1 if done else 0
            resume = steps[k - 1]["id"] if k else "\\N"
            null = "\\N"
            buf.write(
                f"{eid}\t{course_id}\t{version_id}\t{uid}\t"
                f"{'completed' if done else 'active'}\t{now}\t"
                f"2026-10-{rng.randint(1, 30):02d} 12:00:00+00\t{resume}\t{k}\t"
                f"{required_before[k]}\t{points}\t{json.dumps(per_module)}\t"
                f"{'passed' if done else ''}\t{now if done else null}\t{36 if done else null}\t"
                # The area at completion (ADR 0007): a learner without a registry person has none.
                f"{null}\n"
            )
            if k < n_steps:
                plan.append((eid, uid, k))
        with cur.copy(
            "COPY learning_enrolment (id, course_id, version_id, user_id, status, enrolled_at, "
            "last_activity_at, resume_step_id, steps_done, required_done, points, "
            "module_progress, result, completed_at, hours, area_id) FROM STDIN"
        ) as copy:
            copy.write(buf.getvalue())
        del buf
        timings["copy_enrolments"] = time.monotonic() - t

        t = time.monotonic()
        cur.execute("CREATE TEMP TABLE bench_steps (idx int, id bigint, quiz bool)")
        with cur.copy("COPY bench_steps (idx, id, quiz) FROM STDIN") as copy:
            for i, s in enumerate(steps):
                copy.write_row((i, s["id"], s["kind"] != "text"))
        cur.execute("SELECT setseed(0.42)")
        if args.enrolments_only:  # the completion report reads enrolments only
            cur.execute("DELETE FROM bench_steps")
        # A quiz step was answered wrongly once before the right answer in 30 % of cases.
        cur.execute(
            "INSERT INTO learning_stepprogress (enrolment_id, step_id, status, variant, "
            "attempts, best_score, last_score, credited, opened_at, done_at) "
            "SELECT e.id, s.id, 'done', "
            "CASE WHEN s.quiz THEN '{\"order\": [0, 1, 2]}'::jsonb END, "
            "CASE WHEN NOT s.quiz THEN 0 WHEN random() < 0.3 THEN 2 ELSE 1 END, "
            "CASE WHEN s.quiz THEN 1 END, CASE WHEN s.quiz THEN 1 END, "
            "CASE WHEN s.quiz THEN 1 ELSE 0 END, %s, %s "
            "FROM learning_enrolment e JOIN bench_steps s ON s.idx < e.steps_done "
            "ORDER BY e.id, s.idx",
            (now, now),
        )
        counts["progress"] = cur.rowcount
        timings["insert_progress"] = time.monotonic() - t
        say(f"  progress rows: {counts['progress']:,} in {timings['insert_progress']:.1f} s")
        t = time.monotonic()
        cur.execute(
            "INSERT INTO learning_attempt (progress_id, step_id, number, reply, score, credited, "
            "feedback, idempotency_key, created_at) "
            "SELECT p.id, p.step_id, g.n, "
            "CASE WHEN g.n < p.attempts THEN '{\"choice\": 1}' ELSE '{\"choice\": 0}' END::jsonb, "
            "CASE WHEN g.n < p.attempts THEN 0 ELSE 1 END, "
            "CASE WHEN g.n < p.attempts THEN 0 ELSE 1 END, '{}'::jsonb, "
            "'b' || p.id || '-' || g.n, p.opened_at "
            "FROM learning_stepprogress p "
            "CROSS JOIN LATERAL generate_series(1, p.attempts) AS g(n) "
            "WHERE p.attempts > 0 ORDER BY p.id, g.n"
        )
        counts["attempts"] = cur.rowcount
        timings["insert_attempts"] = time.monotonic() - t
        say(f"  attempts: {counts['attempts']:,} in {timings['insert_attempts']:.1f} s")

        t = time.monotonic()
        for _name, definition in indexes:
            cur.execute(definition)
        for table, name, definition in constraints:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        timings["indexes_and_constraints"] = time.monotonic() - t
        for table in ("accounts_user", "learning_enrolment"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        t = time.monotonic()
        cur.execute("VACUUM ANALYZE")
        timings["vacuum_analyze"] = time.monotonic() - t
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('learning_stepprogress')), "
            "pg_size_pretty(pg_total_relation_size('learning_attempt')), "
            "pg_size_pretty(pg_total_relation_size('learning_enrolment'))"
        )
        sizes = cur.fetchone()
        counts["sizes"] = {"progress": sizes[0], "attempts": sizes[1], "enrolments": sizes[2]}  # type: ignore[index]
    counts["seconds"] = {k: round(v, 1) for k, v in timings.items()}
    counts["seconds"]["total"] = round(time.monotonic() - started, 1)
    say(f"  learners loaded: {json.dumps(counts)}")
    counts["plan"] = plan
    return counts


def make_sessions(sample: list[tuple[int, int, int]]) -> list[str]:
    """A signed-in session per sampled learner (as the login page makes them)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from kaskad.accounts.models import User

    users = User.objects.in_bulk([uid for _eid, uid, _k in sample])
    keys = []
    for _eid, uid, _k in sample:
        store = SessionStore()
        store[SESSION_KEY] = str(uid)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = users[uid].get_session_auth_hash()
        store.create()
        keys.append(store.session_key or "")
    return keys


def completion_report_seconds(course_id: int) -> tuple[float, Any]:
    from kaskad.learning.models import Course
    from kaskad.learning.selectors import completion_report

    course = Course.objects.select_related("current_version").get(pk=course_id)
    best = float("inf")
    report = None
    for _ in range(3):
        t = time.perf_counter()
        report = completion_report(course=course)
        best = min(best, time.perf_counter() - t)
    return best, report


# --- load --------------------------------------------------------------------------------


def server_env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        KASKAD_DEBUG="0",
        KASKAD_LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_server(args: Any, db_url: str, work: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(args.threads),
        "--timeout",
        "120",
        "--backlog",
        "2048",
        "--error-logfile",
        str(work / "gunicorn-error.log"),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=server_env(db_url))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited; see gunicorn-error.log")
        try:
            socket.create_connection(("127.0.0.1", args.port), 1).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    raise SystemExit("gunicorn did not start")


def run_pgbench(db_url: str, args: Any, bounds: dict[str, int], concurrency: int) -> dict[str, Any]:
    defines = []
    for key, value in bounds.items():
        defines += ["--define", f"{key}={value}"]
    command = [
        "pgbench",
        "--no-vacuum",
        "--protocol=prepared",
        "--client",
        str(concurrency),
        "--jobs",
        "2",
        "--time",
        str(args.seconds),
        "--report-per-command" if args.per_command else "--progress=0",
        *defines,
        "-f",
        f"{HERE / 'open.pgbench.sql'}@7",
        "-f",
        f"{HERE / 'submit.pgbench.sql'}@3",
        "--log",
        "--log-prefix",
        str(Path(args.work) / "pgbench"),
        db_url,
    ]
    command = [c for c in command if c != "--progress=0"]
    out = subprocess.run(command, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"pgbench failed: {out.stderr[-2000:]}")
    latencies: list[float] = []
    for log in Path(args.work).glob("pgbench*"):
        for line in log.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3:
                latencies.append(int(parts[2]) / 1000.0)  # µs -> ms
        log.unlink()
    tps = 0.0
    for line in out.stdout.splitlines():
        if line.startswith("tps ="):
            tps = float(line.split()[2])
    failed = 0
    for line in out.stdout.splitlines():
        if "number of failed transactions" in line:
            failed = int(line.split(":")[1].split()[0])
    return {"tps": tps, "failed": failed, **percentiles(latencies), "count": len(latencies)}


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--db", default="wt_learning_bench")
    parser.add_argument("--learners", type=int, default=350_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=2000, help="signed-in learners under load")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--sweep",
        default="",
        help="comma-separated concurrency levels (e.g. 1,2,4,8,16): one HTTP run and one pgbench"
        " run each; the highest rate that keeps p99 < 300 ms with no errors is reported",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8116)
    parser.add_argument("--reuse", action="store_true", help="keep the database of a last run")
    parser.add_argument("--per-command", action="store_true")
    parser.add_argument(
        "--enrolments-only",
        action="store_true",
        help="load logins and enrolments with their totals but no progress rows or attempts",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="time the completion report, no load"
    )
    parser.add_argument("--work", default=str(ROOT / "var" / "bench" / "mooc"))
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    db_url = f"{args.pg}/{args.db}"
    setup: dict[str, Any] = {}
    if not args.reuse:
        admin_sql(args.pg, f'DROP DATABASE IF EXISTS "{args.db}"', f'CREATE DATABASE "{args.db}"')
        django_setup(db_url)
        from django.core.management import call_command

        t = time.monotonic()
        call_command("migrate", verbosity=0)
        say(f"migrated in {time.monotonic() - t:.1f} s")
        t = time.monotonic()
        course_id, version_id, steps = build_course()
        say(f"course of {len(steps)} steps built and published in {time.monotonic() - t:.1f} s")
        setup = load_learners(
            db_url, course_id=course_id, version_id=version_id, steps=steps, args=args
        )
        plan = setup.pop("plan")
        (work / "state.json").write_text(
            json.dumps(
                {
                    "course": course_id,
                    "version": version_id,
                    "steps": steps,
                    "plan": plan,
                    "setup": setup,
                }
            )
        )
    else:
        django_setup(db_url)
    state = json.loads((work / "state.json").read_text())
    setup = state["setup"]
    steps = state["steps"]
    rng = random.Random(args.seed + 1)
    sample = rng.sample(state["plan"], min(args.sample, len(state["plan"])))
    report_s, report = completion_report_seconds(state["course"])
    say(f"completion report for {report.enrolled:,} learners: {report_s * 1000:.0f} ms {report}")
    (work / "report.json").write_text(
        json.dumps({"learners": report.enrolled, "ms": round(report_s * 1000, 1)})
    )
    if args.report_only:
        return
    sessions = make_sessions([tuple(x) for x in sample])  # type: ignore[misc]
    quiz_ids = [s["id"] for s in steps if s["kind"] != "text"]
    step_ids = [s["id"] for s in steps]
    lines = []
    for (eid, _uid, k), key in zip(sample, sessions, strict=True):
        nxt = step_ids[min(k, len(step_ids) - 1)]
        quiz_step = next((q for q in quiz_ids if step_ids.index(q) >= k), quiz_ids[-1])
        lines.append(f"{key}\t{nxt}\t{quiz_step}\t{eid}")
    (work / "plan.tsv").write_text("\n".join(lines) + "\n")

    levels = [int(x) for x in args.sweep.split(",")] if args.sweep else [args.concurrency]
    bounds = {
        "min_enrolment": 1,
        "max_enrolment": setup["enrolments"],
        "min_step": min(quiz_ids),
        "max_step": max(quiz_ids),
        "course": state["course"],
    }
    runs = []
    server = start_server(args, db_url, work)
    try:
        for level in levels:
            client = subprocess.run(
                [
                    sys.executable,
                    str(HERE / "client.py"),
                    "--plan",
                    str(work / "plan.tsv"),
                    "--port",
                    str(args.port),
                    "--concurrency",
                    str(level),
                    "--seconds",
                    str(args.seconds),
                    "--csrf",
                    CSRF,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            http = json.loads(client.stdout)
            runs.append({"concurrency": level, "http": http})
            say(
                f"HTTP concurrency {level}: {http['rps']} req/s, p50 {http['all']['p50']} ms,"
                f" p95 {http['all']['p95']} ms, p99 {http['all']['p99']} ms,"
                f" errors {http['errors']} of {http['requests']}"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    # The database's floor, with the web server stopped: the same statements at each level.
    for run in runs:
        floor = run_pgbench(db_url, args, bounds, run["concurrency"])
        run["pgbench"] = floor
        say(
            f"pgbench concurrency {run['concurrency']}: {floor['tps']:.1f} tps,"
            f" p50 {floor['p50']} ms, p95 {floor['p95']} ms, p99 {floor['p99']} ms,"
            f" failed {floor['failed']}"
        )
    held = [r for r in runs if r["http"]["all"]["p99"] < 300 and r["http"]["errors"] == 0]
    best = max(held, key=lambda r: r["http"]["rps"]) if held else None
    say(
        f"highest rate held with p99 < 300 ms and no errors: {best['http']['rps']} req/s"
        f" at concurrency {best['concurrency']}"
        if best
        else "no level held p99 < 300 ms with no errors"
    )
    result = {
        "learners": setup["enrolments"],
        "setup": setup,
        "completion_report_ms": round(report_s * 1000, 1),
        "runs": runs,
        "highest_held": best and {"concurrency": best["concurrency"], "rps": best["http"]["rps"]},
        "config": f"gunicorn gthread {args.workers}x{args.threads}",
    }
    (work / "result.json").write_text(json.dumps(result, indent=2))
    say(f"Details: {work / 'result.json'}")


if __name__ == "__main__":
    main()
