"""Benchmark: generate 1,000 certificate PDFs (issue + WeasyPrint + ZIP) and compare with
references measured in the same run.

    .venv/bin/python bench/certificates/run.py              # 1,000 certificates, SQLite
    .venv/bin/python bench/certificates/run.py --n 100      # smoke run
    .venv/bin/python bench/certificates/run.py --database-url postgres://postgres@127.0.0.1:5432/certs_bench

What it measures, each in its own child process (so the peak memory, VmHWM reset just before
the timed part, is that of the measured work alone):

1. **generate**: `certificates_generate_bulk` for one cohort of `--n` certified participants:
   for each, a locked sequence number, the snapshot, the PDF (WeasyPrint), its SHA-256,
   the audit entry, one transaction; then one ZIP of all PDFs. This is what the "Generate
   certificates" button and `manage.py certificates_generate` do.
2. **same-html**: WeasyPrint on the HTML of one real certificate, `--ref` times, no database:
   the cost of the PDF alone, with this design.
3. **minimal**: WeasyPrint on a minimal page (one paragraph), `--ref` times: WeasyPrint's
   fixed cost per document on this machine.
4. **copies**: the same certificate printed once and its PDF written `--n` times: the
   file-system floor of producing `--n` files.

Results: a JSON line per phase and a summary table on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


# --- Phases (run in child processes) ----------------------------------------------------------


def phase_setup(n: int) -> dict:
    _django()
    from django.db import transaction

    from kaskad.assessment.tests.factories import enrol, make_portfolio
    from kaskad.certificates.tests.factories import certificate_cohort
    from kaskad.delivery.tests.factories import make_teacher
    from kaskad.registry.tests.factories import area_of, make_organisation

    started = time.perf_counter()
    with transaction.atomic():
        cohort = certificate_cohort(branch_code="ALA", language="kk", capacity=n + 10)
        school = make_organisation(area=area_of("ALA"))
        for i in range(n):
            person = make_teacher(organisation=school)
            portfolio = make_portfolio(enrolment=enrol(cohort, person), status="certified")
            portfolio.rating = "good" if i % 10 == 0 else "satisfactory"
            portfolio.plagiarism_status = "clear"
            portfolio.save(update_fields=["rating", "plagiarism_status"])
    return {"phase": "setup", "cohort": cohort.pk, "seconds": time.perf_counter() - started}


def phase_generate(n: int, cohort_id: int) -> dict:
    _django()
    from django.conf import settings

    from kaskad.certificates.services import certificates_generate_bulk
    from kaskad.delivery.models import Cohort

    cohort = Cohort.objects.get(pk=cohort_id)
    # Warm the imports (WeasyPrint, fonts) outside the timed part, as a running worker would be.
    from kaskad.certificates.pdf import html_to_pdf

    html_to_pdf("<p>warm-up</p>")
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    result = certificates_generate_bulk(by=None, cohort=cohort)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    zip_path = Path(settings.MEDIA_ROOT) / result.zip_name
    return {
        "phase": "generate",
        "n": result.files,
        "issued": result.issued,
        "seconds": seconds,
        "per_second": result.files / seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak_rss_mb(),
        "zip_mb": zip_path.stat().st_size / 2**20,
        "failed": len(result.failed),
    }


def _one_certificate_html() -> str:
    from kaskad.certificates.models import Certificate
    from kaskad.certificates.pdf import certificate_html

    certificate = Certificate.objects.select_related("branch").order_by("pk").first()
    assert certificate is not None, "run the generate phase first"
    return certificate_html(certificate)


def phase_same_html(ref: int) -> dict:
    _django()
    from kaskad.certificates.pdf import html_to_pdf

    html = _one_certificate_html()
    html_to_pdf(html)  # warm-up
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(ref):
        html_to_pdf(html)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "phase": "same-html",
        "n": ref,
        "seconds": seconds,
        "per_second": ref / seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak_rss_mb(),
    }


def phase_minimal(ref: int) -> dict:
    _django()
    from kaskad.certificates.pdf import html_to_pdf

    html = "<!doctype html><html><body><p>Сертификат — certificate</p></body></html>"
    html_to_pdf(html)
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(ref):
        html_to_pdf(html)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "phase": "minimal",
        "n": ref,
        "seconds": seconds,
        "per_second": ref / seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak_rss_mb(),
    }


def phase_copies(n: int) -> dict:
    _django()
    from kaskad.certificates.pdf import html_to_pdf

    html = _one_certificate_html()
    html_to_pdf("<p>warm-up</p>")
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    data = html_to_pdf(html)
    with tempfile.TemporaryDirectory() as folder:
        for i in range(n):
            Path(folder, f"{i:06d}.pdf").write_bytes(data)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "phase": "copies",
        "n": n,
        "seconds": seconds,
        "per_second": n / seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak_rss_mb(),
        "pdf_kb": len(data) / 1024,
    }


# --- Driver -------------------------------------------------------------------------------------


def _child(args: list[str], env: dict[str, str]) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    line = [row for row in output.splitlines() if row.startswith("{")][-1]
    result: dict = json.loads(line)
    print(line, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="certificates to generate")
    parser.add_argument("--ref", type=int, default=200, help="renders in the WeasyPrint references")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--cohort", type=int, default=0, help=argparse.SUPPRESS)
    options = parser.parse_args()

    if options.phase:
        phases = {
            "setup": lambda: phase_setup(options.n),
            "generate": lambda: phase_generate(options.n, options.cohort),
            "same-html": lambda: phase_same_html(options.ref),
            "minimal": lambda: phase_minimal(options.ref),
            "copies": lambda: phase_copies(options.n),
        }
        print(json.dumps(phases[options.phase]()))
        return

    data_dir = Path(tempfile.mkdtemp(prefix="kaskad-bench-certificates-"))
    env = {
        **os.environ,
        "KASKAD_DATA_DIR": str(data_dir),
        "DATABASE_URL": options.database_url or f"sqlite:///{data_dir / 'bench.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=ROOT
        )
        n = str(options.n)
        ref = str(options.ref)
        setup = _child(["--phase", "setup", "--n", n], env)
        generate = _child(["--phase", "generate", "--n", n, "--cohort", str(setup["cohort"])], env)
        same = _child(["--phase", "same-html", "--ref", ref], env)
        minimal = _child(["--phase", "minimal", "--ref", ref], env)
        copies = _child(["--phase", "copies", "--n", n], env)
    finally:
        if not options.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
        else:
            print(f"data kept in {data_dir}")

    print()
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print(
        "| measurement | documents | wall s | per second | CPU s | per CPU-second | peak RSS, MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row, label in (
        (generate, "generate (issue + PDF + ZIP)"),
        (same, "WeasyPrint, same certificate HTML"),
        (minimal, "WeasyPrint, minimal page"),
        (copies, "one PDF written N times"),
    ):
        print(
            f"| {label} | {row['n']:,} | {row['seconds']:.1f} | {row['per_second']:.1f} "
            f"| {row['cpu_seconds']:.1f} | {row['n'] / max(row['cpu_seconds'], 1e-9):.1f} "
            f"| {row['peak_mb']:.0f} |"
        )
    share = (generate["n"] / generate["cpu_seconds"]) / (same["n"] / same["cpu_seconds"]) * 100
    print()
    print(f"generate runs at {share:.0f} percent of the bare WeasyPrint rate (per CPU-second);")
    print(f"ZIP {generate['zip_mb']:.1f} MiB, one PDF {copies['pdf_kb']:.0f} KiB.")


if __name__ == "__main__":
    main()
