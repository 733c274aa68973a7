"""Benchmark: an enrolment rush over HTTP, against the database's own limit for the same work.

    .venv/bin/python bench/enrolment_rush/run.py                      # 20,000 teachers, 800 cohorts
    .venv/bin/python bench/enrolment_rush/run.py --teachers 500 --cohorts 20     # smoke (< 1 min)

Set-up (not timed): a fresh PostgreSQL database, migrated; districts, organisations and
`--teachers` teachers loaded through the registry import pipeline (the seed generator's rows,
teachers only); a login, the teacher role and an API token per teacher; an approved online
programme version for teachers; `--cohorts` open online cohorts of `--seats` seats. Each
teacher picks a cohort at random (seeded), so some cohorts overflow into their waitlist while
others keep free seats.

Then, on the same database:

1. **pgbench** runs the enrolment transaction in SQL (`enrol.pgbench.sql`: the statements the
   service sends, for the same teacher/cohort pairs) with the same number of clients: the
   database's limit for this work on this machine. Everything it wrote is removed again.
2. **HTTP**: for each gunicorn configuration (`--configs`), a fresh server on 127.0.0.1,
   a short warm-up, then every teacher's one `POST /api/cohorts/{id}/enrol` with their
   Bearer token, `--concurrency` in flight (`client.py`, a separate process). Afterwards the
   database is checked (no roster over capacity, counters equal the real counts, every
   teacher exactly one active enrolment, the expected numbers enrolled and waitlisted) and
   reset for the next configuration. CPU time is accounted per side: gunicorn workers,
   PostgreSQL backends of the benchmark database, the load generator, everything else.
3. **Where the time goes**: `--profile` requests run in-process through the WSGI handler,
   sequentially, with every query timed by kind (Django's `execute_wrapper`) and then under
   cProfile; the report goes to `var/bench/enrolment_rush/profile.txt`.

The summary compares the best HTTP configuration with pgbench side by side.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
DEFAULT_CONFIGS = "sync:3,sync:5,gthread:2x4,gthread:2x8"
SMOKE_CONFIGS = "gthread:2x4"
SMOKE_BELOW = 5_000  # teachers
PROGRAMME_CODE = "RUSH-ONLINE"
BENCH_SOURCE = "bench:enrolment_rush"
TARGET_RATE = 300.0
TARGET_P99_MS = 300.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def say(message: str) -> None:
    print(message, flush=True)


# --- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    threads: int  # 1: sync workers; more: gthread

    @property
    def name(self) -> str:
        if self.threads > 1:
            return f"gthread {self.workers}x{self.threads}"
        return f"sync {self.workers}"

    @property
    def slug(self) -> str:
        return self.name.replace(" ", "-")

    @property
    def connections(self) -> int:
        return self.workers * self.threads


def parse_configs(text: str) -> list[ServerConfig]:
    """ "sync:3,gthread:2x8" -> [sync 3, gthread 2x8]."""
    configs = []
    for item in text.split(","):
        kind, _sep, size = item.strip().partition(":")
        if kind == "sync" and size.isdigit():
            configs.append(ServerConfig(int(size), 1))
            continue
        workers, _x, threads = size.partition("x")
        if kind == "gthread" and workers.isdigit() and threads.isdigit():
            configs.append(ServerConfig(int(workers), int(threads)))
            continue
        raise SystemExit(f"--configs: cannot read {item!r} (use sync:N or gthread:NxT)")
    return configs


# --- database ----------------------------------------------------------------------------------


def admin_sql(base_url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(f"{base_url}/postgres", autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)  # type: ignore[arg-type]


def bench_sql(db_url: str, statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A query on its own connection (autocommit), outside Django."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        cursor = conn.execute(statement, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def django_setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["KASKAD_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- set-up -----------------------------------------------------------------------------------


@dataclass
class Dataset:
    teacher_ids: list[int]  # person ids, in plan order
    cohort_ids: list[int]
    programme_id: int
    expected_enrolled: int
    expected_waitlisted: int
    overflowing: int  # cohorts with a waitlist
    free_seats: int  # seats left empty in cohorts nobody filled
    warmup_token: str
    warmup_cohort: int
    seconds: float


def teacher_rows(teachers: int, seed: int, as_of: date) -> tuple[Any, list[dict[str, str]]]:
    """The seed generator's plan and its first `teachers` people whose position is teacher."""
    from kaskad.registry.choices import Position
    from kaskad.registry.seeding import build_plan

    people = math.ceil(teachers / 0.55) + 200
    while True:
        plan = build_plan(
            "national", seed, people=people, organisations=max(120, teachers // 40), as_of=as_of
        )
        rows = []
        for row in plan.people_rows():
            if row["position"] == Position.TEACHER:
                rows.append(row)
                if len(rows) == teachers:
                    return plan, rows
        people = int(people * 1.5)


def load_registry(teachers: int, seed: int) -> list[int]:
    """Districts, organisations and teachers through the import pipeline; the teachers' ids."""
    from kaskad.registry.imports import import_rows
    from kaskad.registry.models import Person
    from kaskad.registry.seeding import default_as_of

    plan, rows = teacher_rows(teachers, seed, default_as_of())
    for kind, kind_rows in (
        ("districts", list(plan.district_rows())),
        ("organisations", list(plan.organisation_rows())),
        ("people", rows),
    ):
        result = import_rows(kind, kind_rows, source=BENCH_SOURCE)  # type: ignore[arg-type]
        if not result.ok:
            raise SystemExit(f"{kind}: {result.summary()} {[str(e) for e in result.errors[:5]]}")
    iins = [row["iin"] for row in rows]
    ids = dict(Person.objects.filter(iin__in=iins).values_list("iin", "id"))
    return [ids[iin] for iin in iins]


def create_logins(person_ids: list[int]) -> list[str]:
    """A login with the teacher role and one API token per person; returns the raw tokens.

    Bulk, but the token itself is made exactly as `api_token_create` makes it: the same
    prefix, randomness, hash (`token_hash`) and lifetime.
    """
    import secrets

    from django.utils import timezone

    from kaskad.accounts.models import ApiToken, Role, RoleAssignment, User
    from kaskad.accounts.tokens import DEFAULT_LIFETIME_DAYS, TOKEN_PREFIX, token_hash

    users = []
    for person_id in person_ids:
        user = User(username=f"rush-{person_id}", person_id=person_id)
        user.set_unusable_password()
        users.append(user)
    User.objects.bulk_create(users, batch_size=2000)
    by_person = dict(User.objects.filter(person_id__in=person_ids).values_list("person_id", "id"))
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user_id=by_person[p], role=Role.TEACHER) for p in person_ids],
        batch_size=2000,
    )
    expires = timezone.now() + timedelta(days=DEFAULT_LIFETIME_DAYS)
    raws = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in person_ids]
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=by_person[p],
                name="enrolment rush",
                prefix=raw[: len(TOKEN_PREFIX) + 6],
                key_hash=token_hash(raw),
                expires_at=expires,
            )
            for p, raw in zip(person_ids, raws, strict=True)
        ],
        batch_size=2000,
    )
    return raws


def create_catalogue(cohorts: int, seats: int, seed: int) -> tuple[int, list[int], Any]:
    """An approved online programme for teachers and `cohorts` open cohorts of it, made by a
    national administrator through the services."""
    from kaskad.accounts.models import Role, RoleAssignment, User
    from kaskad.catalogue.models import Format, ProgrammeArea
    from kaskad.catalogue.services import ModuleData, VersionData, programme_create, version_approve
    from kaskad.delivery.models import CohortStatus
    from kaskad.delivery.services import CohortData, cohort_create, cohort_set_status
    from kaskad.registry.choices import Position
    from kaskad.registry.models import Branch

    admin = User.objects.create(username="rush-admin")
    RoleAssignment.objects.create(user=admin, role=Role.NATIONAL_ADMIN)
    programme = programme_create(
        code=PROGRAMME_CODE,
        area=ProgrammeArea.objects.order_by("sort_order", "pk").first(),  # type: ignore[arg-type]
        data=VersionData(
            title_kk="Онлайн сабақты жоспарлау",
            title_ru="Планирование онлайн-урока",
            title_en="Planning an online lesson",
            audience_positions=[Position.TEACHER],
            hours=36,
            formats=[Format.ONLINE],
            languages=["kk", "ru"],
            modules=[
                ModuleData(
                    title_kk="Жоспарлау", title_ru="Планирование", title_en="Planning", hours=18
                ),
                ModuleData(
                    title_kk="Бағалау", title_ru="Оценивание", title_en="Assessment", hours=18
                ),
            ],
        ),
        by=admin,
        source=BENCH_SOURCE,
    )
    version = version_approve(version=programme.versions.get(number=1), by=admin)
    branches = list(Branch.objects.order_by("code"))
    rng = random.Random(f"rush:{seed}:cohorts")
    starts = date.today() + timedelta(days=30)
    ids = []
    for i in range(cohorts):
        cohort = cohort_create(
            data=CohortData(
                version=version,
                branch=branches[i % len(branches)],
                format=Format.ONLINE,
                language=rng.choice(["kk", "ru"]),
                starts_on=starts + timedelta(days=7 * (i % 8)),
                ends_on=starts + timedelta(days=7 * (i % 8) + 27),
                capacity=seats,
            ),
            by=admin,
        )
        cohort_set_status(cohort=cohort, status=CohortStatus.OPEN, by=admin)
        ids.append(cohort.pk)
    return programme.pk, ids, admin


def warmup_login() -> str:
    """An analyst (sees every cohort, enrols nobody) for warming the workers up."""
    from kaskad.accounts.models import Role, RoleAssignment, User
    from kaskad.accounts.tokens import api_token_create

    user = User.objects.create(username="rush-warmup")
    RoleAssignment.objects.create(user=user, role=Role.ANALYST)
    _token, raw = api_token_create(user=user, name="warm-up")
    return raw


def set_up(args: argparse.Namespace, work: Path) -> Dataset:
    from django.core.management import call_command

    started = time.perf_counter()
    say(f"Set-up: database {args.pg_db}: migrate…")
    call_command("migrate", interactive=False, verbosity=0)
    say(f"Set-up: {args.teachers:,} teachers through the import pipeline…")
    teacher_ids = load_registry(args.teachers, args.seed)
    say("Set-up: logins, roles and API tokens…")
    tokens = create_logins(teacher_ids)
    say(f"Set-up: programme and {args.cohorts:,} open online cohorts of {args.seats} seats…")
    programme_id, cohort_ids, _admin = create_catalogue(args.cohorts, args.seats, args.seed)
    warmup_token = warmup_login()

    # Each teacher picks a cohort at random and they arrive in random order.
    rng = random.Random(f"rush:{args.seed}:plan")
    picks = [rng.randrange(len(cohort_ids)) for _ in teacher_ids]
    order = list(range(len(teacher_ids)))
    rng.shuffle(order)
    with (work / "plan.tsv").open("w", encoding="utf-8") as handle:
        for i in order:
            handle.write(f"{tokens[i]}\t{cohort_ids[picks[i]]}\t{teacher_ids[i]}\n")
    demand = Counter(picks)
    enrolled = sum(min(args.seats, n) for n in demand.values())
    # pgbench reads the same pairs, in the same order, from a table of its own.
    from django.db import connection

    from kaskad.accounts.tokens import token_hash

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_rush_plan (n integer PRIMARY KEY, person_id bigint NOT NULL, "
            "cohort_id bigint NOT NULL, user_id integer NOT NULL, key_hash text NOT NULL)"
        )
        cursor.execute("CREATE SEQUENCE bench_rush_seq")
        cursor.execute("SELECT person_id, id FROM accounts_user WHERE person_id IS NOT NULL")
        users = dict(cursor.fetchall())
        copy_sql = "COPY bench_rush_plan (n, person_id, cohort_id, user_id, key_hash) FROM STDIN"
        with cursor.copy(copy_sql) as copy:  # type: ignore[attr-defined]
            for n, i in enumerate(order, start=1):
                person = teacher_ids[i]
                row = (n, person, cohort_ids[picks[i]], users[person], token_hash(tokens[i]))
                copy.write_row(row)
    connection.close()
    bench_sql(args.db_url, "VACUUM ANALYZE")
    return Dataset(
        teacher_ids=[teacher_ids[i] for i in order],
        cohort_ids=cohort_ids,
        programme_id=programme_id,
        expected_enrolled=enrolled,
        expected_waitlisted=len(teacher_ids) - enrolled,
        overflowing=sum(1 for n in demand.values() if n > args.seats),
        free_seats=args.seats * len(cohort_ids) - enrolled,
        warmup_token=warmup_token,
        warmup_cohort=cohort_ids[0],
        seconds=time.perf_counter() - started,
    )


def reset(db_url: str) -> None:
    """Back to the state before any enrolment: same rows, fresh tables, fresh statistics."""
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("TRUNCATE delivery_enrolment CASCADE")
        conn.execute("UPDATE delivery_cohort SET enrolled_count = 0, waitlist_count = 0")
        conn.execute("DELETE FROM core_auditentry WHERE object_type = 'delivery.enrolment'")
        conn.execute("UPDATE accounts_apitoken SET last_used_at = NULL")
        conn.execute("ALTER SEQUENCE bench_rush_seq RESTART")
        for table in (
            "delivery_enrolment",
            "delivery_cohort",
            "core_auditentry",
            "accounts_apitoken",
        ):
            conn.execute(f"VACUUM ANALYZE {table}")  # type: ignore[arg-type]


# --- checks after a run ------------------------------------------------------------------------


def check_database(db_url: str, data: Dataset, seats: int, sent: int) -> dict[str, int]:
    """The rules, counted from the rows themselves (all must be 0 but the last three)."""
    one = "SELECT count(*) FROM ({}) AS x"
    actual = (
        "SELECT c.id, c.capacity, c.enrolled_count, c.waitlist_count, "
        "count(e.id) FILTER (WHERE e.status = 'enrolled') AS enrolled, "
        "count(e.id) FILTER (WHERE e.status = 'waitlisted') AS waitlisted "
        "FROM delivery_cohort c LEFT JOIN delivery_enrolment e ON e.cohort_id = c.id "
        "GROUP BY c.id"
    )
    queries = {
        "over_capacity": one.format(
            f"SELECT * FROM ({actual}) a WHERE a.enrolled > a.capacity "
            "OR a.enrolled_count > a.capacity"
        ),
        "counter_mismatch": one.format(
            f"SELECT * FROM ({actual}) a WHERE a.enrolled <> a.enrolled_count "
            "OR a.waitlisted <> a.waitlist_count"
        ),
        "waitlist_with_free_seat": one.format(
            f"SELECT * FROM ({actual}) a WHERE a.waitlisted > 0 AND a.enrolled < a.capacity"
        ),
        "teachers_not_exactly_one": one.format(
            "SELECT p.person_id FROM bench_rush_plan p LEFT JOIN delivery_enrolment e "
            "ON e.person_id = p.person_id AND e.status IN ('enrolled', 'waitlisted') "
            f"WHERE p.n <= {sent} GROUP BY p.person_id HAVING count(e.id) <> 1"
        ),
        "enrolled": "SELECT count(*) FROM delivery_enrolment WHERE status = 'enrolled'",
        "waitlisted": "SELECT count(*) FROM delivery_enrolment WHERE status = 'waitlisted'",
        "audit_entries": "SELECT count(*) FROM core_auditentry "
        "WHERE object_type = 'delivery.enrolment'",
    }
    return {name: int(bench_sql(db_url, sql)[0][0]) for name, sql in queries.items()}


# --- CPU accounting ----------------------------------------------------------------------------


def cpu_of(pid: int) -> float:
    """utime + stime of a process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def backend_pids(db_name: str) -> list[int]:
    """PostgreSQL backends serving `db_name` (their process title names the database)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {db_name} " in title:
            found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds per side between start() and stop().

    Backends come and go (persistent connections are recycled after CONN_MAX_AGE, pgbench's
    end with it), so the processes are sampled twice a second and each one's last reading
    counts; a process that ends loses at most its last half second.
    """

    INTERVAL = 0.5

    def __init__(self, db_name: str, server_pid: int | None) -> None:
        self.db_name, self.server_pid = db_name, server_pid
        self.before: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.sides: dict[int, str] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        web = [*children_of(self.server_pid), self.server_pid] if self.server_pid else []
        for side, pids in (("web", web), ("postgres_backends", backend_pids(self.db_name))):
            for pid in pids:
                cpu = cpu_of(pid)
                if pid not in self.sides:
                    self.sides[pid] = side
                    self.before.setdefault(pid, cpu if not self.thread.is_alive() else 0.0)
                if cpu:
                    self.last[pid] = cpu

    def _run(self) -> None:
        while not self.stopping.wait(self.INTERVAL):
            self._sample()

    def start(self) -> None:
        self._sample()  # processes already running: count from now
        self.machine_before = machine_cpu()
        self.thread.start()

    def stop(self, client_cpu: float) -> dict[str, float]:
        self._sample()
        self.stopping.set()
        self.thread.join()
        busy0, total0 = self.machine_before
        busy1, total1 = machine_cpu()
        spent = {"web": 0.0, "postgres_backends": 0.0}
        for pid, side in self.sides.items():
            spent[side] += max(0.0, self.last.get(pid, 0.0) - self.before.get(pid, 0.0))
        busy = busy1 - busy0
        return {
            **spent,
            "client": client_cpu,
            "other": max(0.0, busy - spent["web"] - spent["postgres_backends"] - client_cpu),
            "machine_busy": busy,
            "machine_capacity": total1 - total0,
        }


# --- pgbench -----------------------------------------------------------------------------------


PGBENCH_SCRIPTS = {
    "transaction": "the enrolment transaction",
    "request": "all SQL of the request",
}


def run_pgbench(args: argparse.Namespace, data: Dataset, work: Path, script: str) -> dict[str, Any]:
    pgbench = shutil.which("pgbench")
    if pgbench is None:
        say("pgbench not found (Debian: apt-get install postgresql-client): skipped.")
        return {}
    clients = min(args.concurrency, len(data.teacher_ids))
    per_client = len(data.teacher_ids) // clients
    logs = work / f"pgbench-{script}"
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir()
    command = [
        pgbench,
        "--no-vacuum",
        "--protocol",
        "simple",
        "--file",
        str(HERE / f"{script}.pgbench.sql"),
        "--client",
        str(clients),
        "--jobs",
        str(min(clients, os.cpu_count() or 1)),
        "--transactions",
        str(per_client),
        "--report-per-command",
        "--log",
        "--log-prefix",
        str(logs / "tx"),
        "--define",
        f"programme={data.programme_id}",
        args.db_url,
    ]
    meter = CpuMeter(args.pg_db, None)
    meter.start()
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    (work / f"pgbench-{script}.txt").write_text(done.stdout + done.stderr)
    if done.returncode != 0:
        say(done.stdout + done.stderr)
        raise SystemExit("pgbench failed (output above)")
    cpu = meter.stop(0.0)
    latencies: list[float] = []
    for path in logs.iterdir():
        with path.open() as handle:
            latencies.extend(int(line.split()[2]) / 1000 for line in handle)
    latencies.sort()
    tps = float(re.search(r"tps = ([\d.]+) \(without", done.stdout).group(1))  # type: ignore[union-attr]
    statements = []
    in_block = False
    for line in done.stdout.splitlines():
        if line.startswith("statement latencies"):
            in_block = True
            continue
        if in_block and line.strip():
            parts = line.split(None, 2)
            if len(parts) == 3 and parts[0].replace(".", "").isdigit():
                statements.append((float(parts[0]), int(parts[1]), parts[2].strip()))
    return {
        "script": script,
        "what": PGBENCH_SCRIPTS[script],
        "clients": clients,
        "transactions": len(latencies),
        "tps": tps,
        "wall_seconds": wall,
        "latency_ms": {
            "p50": pct(latencies, 0.5),
            "p90": pct(latencies, 0.9),
            "p99": pct(latencies, 0.99),
            "max": latencies[-1] if latencies else 0.0,
            "mean": sum(latencies) / len(latencies) if latencies else 0.0,
        },
        "statements": statements,
        "cpu": cpu,
    }


def pct(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(share * len(values)) - 1))]


# --- HTTP --------------------------------------------------------------------------------------


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


def start_server(
    config: ServerConfig, args: argparse.Namespace, work: Path
) -> subprocess.Popen[bytes]:
    from gunicorn.config import KNOWN_SETTINGS

    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(config.workers),
        "--timeout",
        "120",
        "--backlog",
        "2048",
        "--access-logfile",
        str(work / f"access-{config.slug}.log"),
        "--error-logfile",
        str(work / f"error-{config.slug}.log"),
    ]
    if config.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(config.threads)]
    if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS):
        command.append("--no-control-socket")
    process = subprocess.Popen(command, cwd=args.server_root, env=server_env(args.db_url))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see error-{config.slug}.log")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", args.port), 1):
            return process
        time.sleep(0.2)
    stop_server(process)
    raise SystemExit("gunicorn did not start listening within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def warm_up(args: argparse.Namespace, config: ServerConfig, data: Dataset) -> None:
    """Every worker (and thread) imports the URL conf and builds the API once before timing."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    def one(_i: int) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
        try:
            conn.request(
                "GET",
                f"/api/cohorts/{data.warmup_cohort}",
                headers={"Authorization": f"Bearer {data.warmup_token}"},
            )
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=max(4, config.connections)) as pool:
        statuses = list(pool.map(one, range(max(40, config.connections * 10))))
    if set(statuses) != {200}:
        raise SystemExit(f"warm-up answered {Counter(statuses)}")


def run_http(
    config: ServerConfig, args: argparse.Namespace, data: Dataset, work: Path
) -> dict[str, Any]:
    process = start_server(config, args, work)
    try:
        warm_up(args, config, data)
        meter = CpuMeter(args.pg_db, process.pid)
        meter.start()
        done = subprocess.run(
            [
                sys.executable,
                str(HERE / "client.py"),
                "--plan",
                str(work / "plan.tsv"),
                "--port",
                str(args.port),
                "--concurrency",
                str(args.concurrency),
                "--out",
                str(work / f"requests-{config.slug}.tsv"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"client failed:\n{done.stderr}")
        summary: dict[str, Any] = json.loads(done.stdout)
        summary["cpu"] = meter.stop(summary["client_cpu_seconds"])
    finally:
        stop_server(process)
    summary["config"] = config.name
    summary["db"] = check_database(args.db_url, data, args.seats, summary["sent"])
    return summary


# --- where the time goes -----------------------------------------------------------------------

QUERY_KINDS: list[tuple[str, str]] = [
    ("token look-up", r"FROM \"accounts_apitoken\""),
    ("token last_used_at", r"UPDATE \"accounts_apitoken\""),
    ("roles (scope)", r"FROM \"accounts_roleassignment\""),
    ("cohort lock (FOR UPDATE)", r"FROM \"delivery_cohort\".*FOR UPDATE"),
    ("cohort visible to user", r"FROM \"delivery_cohort\""),
    ("person", r"FROM \"registry_person\""),
    ("current employment", r"FROM \"registry_employment\""),
    ("already enrolled?", r"FROM \"delivery_enrolment\""),
    ("insert enrolment", r"INSERT INTO \"delivery_enrolment\""),
    ("update cohort counters", r"UPDATE \"delivery_cohort\""),
    ("insert audit entry", r"INSERT INTO \"core_auditentry\""),
]


def classify(sql: str) -> str:
    for kind, pattern in QUERY_KINDS:
        if re.search(pattern, sql, re.S):
            return kind
    return "other: " + sql[:60]


def environ_for(token: str, cohort_id: int, port: int) -> dict[str, Any]:
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/api/cohorts/{cohort_id}/enrol",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": str(port),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": f"127.0.0.1:{port}",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": "2",
        "wsgi.input": io.BytesIO(b"{}"),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def plan_lines(work: Path) -> list[tuple[str, int]]:
    with (work / "plan.tsv").open(encoding="utf-8") as handle:
        return [(t, int(c)) for t, c, *_rest in (line.rstrip("\n").split("\t") for line in handle)]


def profile(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Sequential requests in this process: per-request phases, then cProfile."""
    from django.db import connection

    from config.wsgi import application

    lines = plan_lines(work)
    n = min(args.profile, len(lines) // 2)
    statuses: Counter[int] = Counter()

    def call(token: str, cohort_id: int) -> None:
        body: list[bytes] = []

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            statuses[int(status.split()[0])] += 1
            return body.append

        response = application(environ_for(token, cohort_id, args.port), start_response)
        body.extend(response)
        response.close()  # type: ignore[attr-defined]

    for token, cohort_id in lines[-20:]:  # warm the caches, like the HTTP warm-up
        call(token, cohort_id)

    # Pass 1: every query and the commit timed.
    times: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()

    def timer(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, ctx)
        finally:
            kind = classify(sql)
            times[kind] += time.perf_counter() - began
            counts[kind] += 1

    total = cpu = 0.0
    for token, cohort_id in lines[:n]:
        connection.ensure_connection()
        raw_commit = connection._commit  # type: ignore[attr-defined]

        def timed_commit(raw: Callable[[], None] = raw_commit) -> None:
            began = time.perf_counter()
            try:
                raw()
            finally:
                times["COMMIT"] += time.perf_counter() - began
                counts["COMMIT"] += 1

        connection._commit = timed_commit  # type: ignore[attr-defined]
        began, cpu_began = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(timer):
            call(token, cohort_id)
        total += time.perf_counter() - began
        cpu += time.process_time() - cpu_began
        with contextlib.suppress(AttributeError):
            del connection._commit  # type: ignore[attr-defined]

    # Pass 2: the same kind of requests under cProfile.
    # CPU time, not wall time: waiting for the database is not Python's cost.
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for token, cohort_id in lines[n : 2 * n]:
        call(token, cohort_id)
    profiler.disable()
    stats = pstats.Stats(profiler)
    calls = stats.total_calls  # type: ignore[attr-defined]
    by_package: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename)] += tottime
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
    (work / "profile.txt").write_text(out.getvalue())
    db = sum(times.values())
    return {
        "requests": n,
        "statuses": dict(statuses),
        "ms_per_request": total / n * 1000,
        "db_ms_per_request": db / n * 1000,
        "python_ms_per_request": (total - db) / n * 1000,
        "cpu_ms_per_request": cpu / n * 1000,
        "python_calls_per_request": calls / n,
        "queries_per_request": sum(c for k, c in counts.items() if k != "COMMIT") / n,
        "phases": sorted(
            ((k, times[k] / n * 1000, counts[k] / n) for k in times), key=lambda x: -x[1]
        ),
        "profiled_seconds_by_package": sorted(
            ((k, v / n * 1000) for k, v in by_package.items()), key=lambda x: -x[1]
        ),
    }


def package_of(filename: str) -> str:
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C)"
    path = filename.replace("\\", "/")
    if "/site-packages/" in path:
        top = path.split("/site-packages/", 1)[1].split("/", 1)[0]
        return top.removesuffix(".py")
    if str(ROOT) in path and "/.venv/" not in path:
        rel = path.split(str(ROOT) + "/", 1)[1]
        return "/".join(rel.split("/")[:2])
    return "python stdlib"


# --- report ------------------------------------------------------------------------------------


def calibrate() -> float:
    """CPU seconds of a fixed pure-Python loop: how fast (and how shared) this machine is."""
    began = time.process_time()
    total = 0
    for i in range(3_000_000):
        total += i
    return time.process_time() - began


def describe_machine() -> str:
    cpus = os.cpu_count() or 0
    mem = 0
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) // (1024 * 1024)
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{cpus} cores ({model}), {mem} GiB RAM, Python {platform.python_version()}"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(header, widths, strict=True))]
    lines.append("-|-".join("-" * w for w in widths))
    lines += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def cpu_row(cpu: dict[str, float], done: int) -> str:
    """CPU milliseconds per request on each side, and how busy the machine was."""
    if not done or not cpu["machine_capacity"]:
        return ""
    per = 1000 / done
    return (
        f"CPU per request: web {cpu['web'] * per:.2f} ms, PostgreSQL "
        f"{cpu['postgres_backends'] * per:.2f} ms, load generator {cpu['client'] * per:.2f} ms, "
        f"other processes {cpu['other'] * per:.2f} ms; machine "
        f"{cpu['machine_busy'] / cpu['machine_capacity']:.0%} busy"
    )


def report(
    args: argparse.Namespace,
    data: Dataset,
    pgs: list[dict[str, Any]],
    http: list[dict[str, Any]],
    prof: dict[str, Any] | None,
) -> dict[str, Any]:
    say("")
    say(
        f"== Enrolment rush: {len(data.teacher_ids):,} teachers, {len(data.cohort_ids):,} cohorts "
        f"x {args.seats} seats, {args.concurrency} in flight =="
    )
    say(
        f"machine: {describe_machine()}; load average at start {args.loadavg}; "
        f"calibration loop {args.calibration:.2f} s"
    )
    if args.server_root != ROOT:
        say(f"server code: {args.server_root}")
    say(
        f"expected: {data.expected_enrolled:,} enrolled, {data.expected_waitlisted:,} waitlisted "
        f"({data.overflowing} cohorts overflow, {data.free_seats:,} seats stay free)"
    )
    for pg in pgs:
        lat = pg["latency_ms"]
        say(
            f"\npgbench, {pg['what']} ({pg['clients']} clients, {pg['transactions']:,} "
            f"transactions): {pg['tps']:.0f} TPS, latency p50 {lat['p50']:.1f} ms, "
            f"p99 {lat['p99']:.1f} ms"
        )
        say("  " + cpu_row(pg["cpu"], pg["transactions"]))
        say("  per statement (pgbench --report-per-command):")
        for ms, _failures, statement in pg["statements"]:
            say(f"  {ms:8.3f} ms  {statement[:100]}")
    rows = []
    for run in http:
        lat, db = run["latency_ms"], run["db"]
        errors = {k: v for k, v in run["outcomes"].items() if k not in ("enrolled", "waitlisted")}
        rows.append(
            [
                run["config"],
                f"{run['created_per_second']:.0f}",
                f"{lat['p50']:.0f}",
                f"{lat['p90']:.0f}",
                f"{lat['p99']:.0f}",
                f"{lat['max']:.0f}",
                f"{run['outcomes'].get('enrolled', 0):,}",
                f"{run['outcomes'].get('waitlisted', 0):,}",
                ", ".join(f"{k} {v}" for k, v in errors.items()) or "0",
                str(run["lost"]),
                str(db["over_capacity"]),
                str(
                    db["counter_mismatch"]
                    + db["teachers_not_exactly_one"]
                    + db["waitlist_with_free_seat"]
                ),
            ]
        )
    say("\nHTTP (gunicorn, PostgreSQL):")
    say(
        table(
            [
                "server",
                "enrol/s",
                "p50 ms",
                "p90",
                "p99",
                "max",
                "enrolled",
                "waitlisted",
                "errors",
                "lost",
                "over cap.",
                "other rule breaks",
            ],
            rows,
        )
    )
    for run in http:
        say(f"  {run['config']}: " + cpu_row(run["cpu"], run["sent"]))
    best = max(http, key=lambda r: r["created_per_second"]) if http else None
    summary: dict[str, Any] = {"best": best["config"] if best else None}
    if best:
        lat = best["latency_ms"]
        ok_rate = best["created_per_second"] >= TARGET_RATE
        ok_p99 = lat["p99"] < TARGET_P99_MS
        header = ["", "enrolments/s", "p50 ms", "p99 ms", "over capacity", "lost"]
        side = [
            [
                "HTTP, " + best["config"],
                f"{best['created_per_second']:.0f}",
                f"{lat['p50']:.0f}",
                f"{lat['p99']:.0f}",
                str(best["db"]["over_capacity"]),
                str(best["lost"]),
            ],
        ]
        for pg in pgs:
            side.append(
                [
                    f"pgbench, {pg['what']}",
                    f"{pg['tps']:.0f}",
                    f"{pg['latency_ms']['p50']:.1f}",
                    f"{pg['latency_ms']['p99']:.1f}",
                    str(pg["db"]["over_capacity"]),
                    "-",
                ]
            )
        for pg in pgs:
            side.append(
                [
                    f"HTTP / pgbench ({pg['script']})",
                    f"{best['created_per_second'] / pg['tps']:.0%}",
                    "",
                    "",
                    "",
                    "",
                ]
            )
        say("\nSide by side:")
        say(table(header, side))
        say(
            f"target ≥ {TARGET_RATE:.0f} enrolments/s: {'met' if ok_rate else 'MISSED'}; "
            f"p99 < {TARGET_P99_MS:.0f} ms: {'met' if ok_p99 else 'MISSED'}"
        )
        summary.update(target_rate_met=ok_rate, target_p99_met=ok_p99)
    if prof:
        say(
            f"\nWhere the time goes ({prof['requests']} sequential requests in-process, "
            f"{prof['queries_per_request']:.1f} queries each): {prof['ms_per_request']:.2f} ms "
            f"per request = database round trips {prof['db_ms_per_request']:.2f} ms + Python "
            f"{prof['python_ms_per_request']:.2f} ms; CPU time of this process "
            f"{prof['cpu_ms_per_request']:.2f} ms, {prof['python_calls_per_request']:,.0f} Python "
            "function calls"
        )
        for kind, ms, count in prof["phases"]:
            say(f"  {ms:6.3f} ms  {count:4.1f}x  {kind}")
        say("  Python time by package (own time under cProfile, which inflates it):")
        for package, ms in prof["profiled_seconds_by_package"][:12]:
            say(f"  {ms:6.3f} ms  {package}")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--teachers", type=int, default=20_000)
    parser.add_argument("--cohorts", type=int, default=800)
    parser.add_argument("--seats", type=int, default=25)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument(
        "--configs",
        default=None,
        help=f"gunicorn set-ups to measure, or none (default {DEFAULT_CONFIGS}; "
        f"{SMOKE_CONFIGS} below {SMOKE_BELOW:,} teachers)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="measure only this many workers (sync; gthread with --threads)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=8110)
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL, no database")
    parser.add_argument("--pg-db", default="kaskad_rush")
    parser.add_argument(
        "--profile",
        type=int,
        default=None,
        help="requests for the in-process breakdown (0: none; default 500, a tenth of the "
        "teachers for smaller runs)",
    )
    parser.add_argument("--skip-pgbench", action="store_true")
    parser.add_argument(
        "--server-root",
        type=Path,
        default=ROOT,
        help="serve the code of another checkout (compare before/after a change)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "enrolment_rush")
    args = parser.parse_args()
    # Small runs are smoke runs: one server set-up, a short breakdown, under a minute.
    smoke = args.teachers < SMOKE_BELOW
    if args.profile is None:
        args.profile = min(500, args.teachers // 10)
    if args.workers:
        configs = [ServerConfig(args.workers, args.threads)]
    elif args.configs == "none":
        configs = []
    else:
        configs = parse_configs(args.configs or (SMOKE_CONFIGS if smoke else DEFAULT_CONFIGS))
    args.db_url = f"{args.pg}/{args.pg_db}"
    args.loadavg = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    args.calibration = calibrate()
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    admin_sql(
        args.pg,
        f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)',
        f'CREATE DATABASE "{args.pg_db}"',
    )
    django_setup(args.db_url)
    data = set_up(args, work)
    say(f"Set-up done in {data.seconds:.0f} s.")

    pgs: list[dict[str, Any]] = []
    for script in [] if args.skip_pgbench else list(PGBENCH_SCRIPTS):
        say(f"pgbench: {PGBENCH_SCRIPTS[script]} in SQL…")
        pg = run_pgbench(args, data, work, script)
        if pg:
            pg["db"] = check_database(args.db_url, data, args.seats, pg["transactions"])
            say(f"  {pg['tps']:.0f} TPS, p99 {pg['latency_ms']['p99']:.1f} ms, checks {pg['db']}")
            pgs.append(pg)
        reset(args.db_url)
    http = []
    for config in configs:
        say(f"HTTP: {config.name}…")
        result = run_http(config, args, data, work)
        say(
            f"  {result['created_per_second']:.0f} enrolments/s, p99 "
            f"{result['latency_ms']['p99']:.0f} ms, outcomes {result['outcomes']}"
        )
        http.append(result)
        reset(args.db_url)
    prof = None
    if args.profile:
        say(f"Breakdown: {args.profile} + {args.profile} requests in-process…")
        prof = profile(args, work)
        from django.db import connection

        connection.close()
    summary = report(args, data, pgs, http, prof)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": describe_machine(),
        "loadavg_at_start": args.loadavg,
        "calibration_seconds": args.calibration,
        "args": {k: str(v) for k, v in vars(args).items()},
        "dataset": {
            k: v
            for k, v in vars(data).items()
            if k not in ("teacher_ids", "cohort_ids", "warmup_token")
        },
        "pgbench": pgs,
        "http": http,
        "profile": prof,
        **summary,
    }
    (work / "result.json").write_text(json.dumps(result, indent=2, default=str))
    say(f"\nDetails: {work / 'result.json'}")
    if not args.keep:
        admin_sql(args.pg, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
    failed = [r["config"] for r in http if r["lost"] or r["db"]["over_capacity"]]
    if failed:
        raise SystemExit(f"requests lost or rosters over capacity in: {', '.join(failed)}")


if __name__ == "__main__":
    main()
