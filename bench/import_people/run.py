"""Benchmark: importing the national people file (400,000 rows) through the real pipeline.

    .venv/bin/python bench/import_people/run.py                # 400,000 rows, SQLite and PG
    .venv/bin/python bench/import_people/run.py --rows 2000    # a quick smoke run

Measures, each in a fresh child process (so peak memory is that of one import only):

* the real import (``import_file``: every row validated, then upserted) into a fresh SQLite
  database and into a fresh PostgreSQL database;
* the same file imported again (every row unchanged);
* a naive import that saves one model object per row (``Person.objects.create`` and
  ``Employment.objects.create``, no validation beyond the model), timed on a sample and
  extrapolated;
* PostgreSQL ``COPY`` of the same CSV into a bare table with no checks and no indexes: the
  physical limit of getting these bytes into the database.

The organisations the people work at are generated (and imported, untimed) first.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import csv
import datetime as dt
import gc
import io
import itertools
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RESULT_PREFIX = "BENCH-RESULT "
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"


# --- measuring inside a child --------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak resident memory of this process (VmHWM), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> None:
    """Start the peak over from the current size (Linux >= 4.0), so set-up does not count."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) used so far by a process on this machine."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_pid() -> int | None:
    """The PostgreSQL backend serving Django's connection (None on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def django_setup(db_url: str, data_dir: Path) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ["KASKAD_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The benchmark files are bigger than the web upload limit.
    os.environ["KASKAD_IMPORT_MAX_BYTES"] = str(2 * 1024**3)
    import django

    django.setup()


def child(task: str, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    if task == "copy":
        return child_copy(args)
    django_setup(args.db_url, work)
    from django.core.management import call_command

    from kaskad.registry.imports import import_file

    if task == "setup":
        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        for kind in ("districts", "organisations"):
            result = import_file(kind, work / f"{kind}.csv")
            if not result.ok:
                raise SystemExit(f"{kind}: {result.summary()} {result.errors[:5]}")
        return {"seconds": time.perf_counter() - started}
    if task == "naive":
        return child_naive(args)
    if task in ("real", "reimport"):
        path = work / "people.csv"
        if args.gc == "off":
            gc.disable()
        elif args.gc == "freeze":
            gc.freeze()  # what Django set-up allocated is never scanned again
        reset_peak_rss()
        backend = server_pid()
        server_started = process_cpu(backend) if backend else None
        profiler = cProfile.Profile() if args.profile_to else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = import_file("people", path)
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        server_ended = process_cpu(backend) if backend else None
        server = (
            server_ended - server_started
            if server_started is not None and server_ended is not None
            else None
        )
        if not result.ok:
            raise SystemExit(f"people: {result.summary()} {[str(e) for e in result.errors[:5]]}")
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(30)
            Path(args.profile_to).write_text(out.getvalue())
        return {
            "rows": result.total,
            "seconds": seconds,
            "cpu": cpu,
            "server_cpu": server,
            "peak_mb": peak_rss_mb(),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }
    raise SystemExit(f"unknown task {task}")


def child_naive(args: argparse.Namespace) -> dict[str, Any]:
    """One Person and one Employment per row, each saved on its own (autocommit)."""
    from kaskad.core.models import AuditEntry
    from kaskad.registry.models import Employment, Organisation, Person

    organisations = {o.code: o for o in Organisation.objects.all()}
    with (Path(args.work) / "people.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(itertools.islice(csv.DictReader(handle), args.sample))
    reset_peak_rss()
    started, cpu_started = time.perf_counter(), time.process_time()
    for row in rows:
        organisation = organisations[row["organisation_code"]]
        person = Person.objects.create(
            iin=row["iin"],
            surname=row["surname"],
            given_name=row["given_name"],
            patronymic=row["patronymic"],
            birth_date=dt.date.fromisoformat(row["birth_date"]),
            sex=row["sex"],
            email=row["email"],
            phone=row["phone"],
            current_organisation=organisation,
        )
        awarded = row["category_awarded_on"]
        Employment.objects.create(
            person=person,
            organisation=organisation,
            position=row["position"],
            subjects=[s for s in row["subjects"].split(";") if s],
            level=row["level"],
            category=row["category"] or "none",
            category_awarded_on=dt.date.fromisoformat(awarded) if awarded else None,
            experience_years=int(row["experience_years"] or 0),
            started_on=dt.date.fromisoformat(row["started_on"]),
        )
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = peak_rss_mb()
    # Leave the database as it was for the real import.
    Person.objects.filter(iin__in=[r["iin"] for r in rows]).delete()
    AuditEntry.objects.all().delete()
    return {"rows": len(rows), "seconds": seconds, "cpu": cpu, "peak_mb": peak}


def child_copy(args: argparse.Namespace) -> dict[str, Any]:
    import psycopg

    path = Path(args.work) / "people.csv"
    with psycopg.connect(args.db_url) as connection:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_people_copy")
            with path.open(encoding="utf-8") as handle:
                header = handle.readline().strip().split(",")
            columns = ", ".join(f"{name} text" for name in header)
            cursor.execute(f"CREATE TABLE bench_people_copy ({columns})")
        connection.commit()
        reset_peak_rss()
        backend = connection.info.backend_pid
        server_started = process_cpu(backend)
        started, cpu_started = time.perf_counter(), time.process_time()
        with connection.cursor() as cursor:
            with (
                cursor.copy("COPY bench_people_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
                path.open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            connection.commit()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        server_ended = process_cpu(backend)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM bench_people_copy")
            (rows,) = cursor.fetchone()  # type: ignore[misc]
            cursor.execute("DROP TABLE bench_people_copy")
        connection.commit()
    server = (
        server_ended - server_started
        if server_started is not None and server_ended is not None
        else None
    )
    return {
        "rows": rows,
        "seconds": seconds,
        "cpu": cpu,
        "server_cpu": server,
        "peak_mb": peak_rss_mb(),
    }


# --- the parent --------------------------------------------------------------------------


@dataclass
class Measurement:
    label: str
    database: str
    rows: int
    seconds: float
    peak_mb: float | None
    note: str = ""
    cpu: float | None = None  # CPU seconds of the importing process
    server_cpu: float | None = None  # CPU seconds of its PostgreSQL backend

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def run_child(task: str, args: argparse.Namespace, db_url: str, profile_to: str = "") -> dict:
    command = [
        sys.executable, __file__, "--child", task, "--work", str(args.work),
        "--db-url", db_url, "--sample", str(args.sample), "--gc", args.gc,
    ]  # fmt: skip
    if profile_to:
        command += ["--profile-to", profile_to]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"the {task} step failed ({db_url})")
    for line in reversed(completed.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])  # type: ignore[no-any-return]
    raise SystemExit(f"the {task} step printed no result")


def generate(args: argparse.Namespace) -> float:
    """Write districts, organisations and people CSVs (reused when already there)."""
    from kaskad.registry.seeding import build_plan, write_files

    work = Path(args.work)
    manifest = work / "manifest.json"
    wanted = {"rows": args.rows, "seed": args.seed, "as_of": args.as_of}
    if manifest.exists() and json.loads(manifest.read_text()) == wanted:
        print(f"Reusing the files in {work}")
        return 0.0
    started = time.perf_counter()
    # National proportions: 7,500 organisations for 400,000 people, fewer for a smoke run.
    organisations = min(7_500, max(100, round(args.rows * 7_500 / 400_000)))
    plan = build_plan(
        "national",
        args.seed,
        people=args.rows,
        organisations=organisations,
        as_of=dt.date.fromisoformat(args.as_of),
    )
    files = write_files(plan, work)
    seconds = time.perf_counter() - started
    manifest.write_text(json.dumps(wanted))
    sizes = ", ".join(
        f"{kind} {rows:,} rows ({path.stat().st_size / 1e6:.1f} MB)"
        for kind, (path, rows) in files.items()
    )
    print(f"Generated in {seconds:.1f} s: {sizes}")
    return seconds


def pg_admin(url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{url}/postgres", autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def measure_database(
    args: argparse.Namespace, name: str, db_url: str, measurements: list[Measurement]
) -> None:
    print(f"\n{name}: setting up (migrate, districts, organisations)...", flush=True)
    setup = run_child("setup", args, db_url)
    print(f"  set up; organisations imported in {setup['seconds']:.1f} s", flush=True)
    if args.sample:
        print(f"{name}: naive import of a {args.sample:,}-row sample...", flush=True)
        naive = run_child("naive", args, db_url)
        m = Measurement(
            "naive: one object per row",
            name,
            args.rows,
            naive["seconds"] * args.rows / naive["rows"],
            naive["peak_mb"],
            note=f"extrapolated from {naive['rows']:,} rows in {naive['seconds']:.1f} s",
            cpu=naive["cpu"] * args.rows / naive["rows"],
        )
        measurements.append(m)
        print(f"  {m.rate:,.0f} rows/s", flush=True)
    print(f"{name}: real import...", flush=True)
    profile_to = ""
    if args.profile and name == "PostgreSQL":
        profile_to = str(Path(args.work) / "profile-postgresql.txt")
    real = run_child("real", args, db_url, profile_to=profile_to)
    m = Measurement("real import (validate + upsert)", name, real["rows"], real["seconds"],
                    real["peak_mb"], note=f"{real['created']:,} created",
                    cpu=real["cpu"], server_cpu=real["server_cpu"])  # fmt: skip
    if profile_to:
        m.note += " (under cProfile: slower than without)"
    measurements.append(m)
    print(f"  {m.seconds:.1f} s ({m.cpu:.1f} s CPU), {m.rate:,.0f} rows/s, "
          f"peak {m.peak_mb:.0f} MiB", flush=True)  # fmt: skip
    print(f"{name}: re-import of the same file...", flush=True)
    again = run_child("reimport", args, db_url)
    m = Measurement("re-import (all unchanged)", name, again["rows"], again["seconds"],
                    again["peak_mb"], note=f"{again['unchanged']:,} unchanged",
                    cpu=again["cpu"], server_cpu=again["server_cpu"])  # fmt: skip
    measurements.append(m)
    print(f"  {m.seconds:.1f} s, {m.rate:,.0f} rows/s, peak {m.peak_mb:.0f} MiB", flush=True)


def environment() -> list[str]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import sqlite3

    load = ""
    with contextlib.suppress(OSError):
        # Other work on the machine slows the wall-clock times; the CPU column is steadier.
        load = ", load average " + " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    lines = [
        f"- machine: {os.cpu_count()} cores ({cpu}){memory}{load} at the end of the run",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}",
    ]
    try:
        import psycopg

        with psycopg.connect(f"{DEFAULT_PG}/postgres") as connection:
            row = connection.execute("SHOW server_version").fetchone()
            lines.append(f"- PostgreSQL {row[0] if row else '?'} on the same machine")
    except Exception:
        pass
    return lines


def table(measurements: list[Measurement]) -> str:
    header = (
        "measurement", "database", "rows", "seconds", "rows/s", "client CPU s",
        "server CPU s", "peak RSS", "note",
    )  # fmt: skip
    body = [
        (
            m.label,
            m.database,
            f"{m.rows:,}",
            f"{m.seconds:,.1f}",
            f"{m.rate:,.0f}",
            f"{m.cpu:,.1f}" if m.cpu is not None else "-",
            f"{m.server_cpu:,.1f}" if m.server_cpu is not None else "-",
            f"{m.peak_mb:,.0f} MiB" if m.peak_mb is not None else "-",
            m.note,
        )
        for m in measurements
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=400_000, help="people rows (400,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", default="2026-09-01", help="reference date of the data")
    parser.add_argument(
        "--sample", type=int, default=10_000, help="rows timed for the naive import (0: skip it)"
    )
    parser.add_argument("--work", type=Path, default=ROOT / "var" / "bench" / "import_people")
    parser.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server URL, no database")
    parser.add_argument("--pg-db", default="kaskad_bench", help="database created and dropped")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="run the PostgreSQL import under cProfile (report in --work)",
    )
    parser.add_argument(
        "--markdown",
        type=Path,
        default=None,
        help="also write the results as Markdown to this file",
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument(
        "--gc",
        choices=("normal", "off", "freeze"),
        default="normal",
        help="Python's cyclic garbage collector during the real imports (to measure its cost)",
    )
    # Internal: run one measurement.
    parser.add_argument("--child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--profile-to", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.sample = min(args.sample, args.rows)

    if args.child:
        result = child(args.child, args)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return

    args.work.mkdir(parents=True, exist_ok=True)
    command = "\n".join(
        [".venv/bin/python bench/import_people/run.py " + " ".join(sys.argv[1:])]
    ).strip()
    print(f"$ {command}")
    generate(args)
    measurements: list[Measurement] = []

    if not args.skip_sqlite:
        sqlite_dir = args.work / "sqlite"
        shutil.rmtree(sqlite_dir, ignore_errors=True)
        sqlite_dir.mkdir()
        measure_database(args, "SQLite", f"sqlite:///{sqlite_dir / 'bench.sqlite3'}",
                         measurements)  # fmt: skip
        if not args.keep:
            shutil.rmtree(sqlite_dir, ignore_errors=True)

    ratio_line = ""
    if not args.skip_postgresql:
        pg_url = f"{args.pg}/{args.pg_db}"
        pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        pg_admin(args.pg, f'CREATE DATABASE "{args.pg_db}"')
        try:
            measure_database(args, "PostgreSQL", pg_url, measurements)
            print("PostgreSQL: COPY into a bare table...", flush=True)
            copied = run_child("copy", args, pg_url)
            copy = Measurement("COPY into a bare table (no checks, no indexes)", "PostgreSQL",
                               copied["rows"], copied["seconds"], copied["peak_mb"],
                               cpu=copied["cpu"], server_cpu=copied["server_cpu"])  # fmt: skip
            measurements.append(copy)
            real = next(
                m for m in measurements
                if m.database == "PostgreSQL" and m.label.startswith("real")
            )  # fmt: skip
            ratio = real.rate / copy.rate if copy.rate else 0.0
            ratio_line = (
                f"Real PostgreSQL import / COPY: {ratio:.1%} of the physical limit (target >= 50%)."
            )
        finally:
            if not args.keep:
                pg_admin(args.pg, f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')

    peak = max((m.peak_mb or 0 for m in measurements if "import" in m.label), default=0)
    memory_line = f"Peak memory of an import: {peak:,.0f} MiB (target < 1 GiB)."
    today = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    report = "\n".join(
        [
            f"Run on {today}: `{command}`",
            "",
            *environment(),
            "",
            table(measurements),
            "",
            *(line for line in (ratio_line, memory_line) if line),
        ]
    )
    print("\n" + report)
    if args.markdown:
        args.markdown.write_text(report + "\n", encoding="utf-8")
        print(f"\nWritten to {args.markdown}")


if __name__ == "__main__":
    main()
