"""Benchmark of monitoring studies: the item analysis of a national-size test, and the
individual report PDFs of a whole study.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/monitoring/run.py                 # everything
    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/monitoring/run.py --only analysis
    .venv/bin/python bench/monitoring/run.py --only pdf --reports 2125 --per-document 200

Each phase runs in a child process, so its peak memory (VmHWM, reset just before the timed
part) is that of the measured work alone.

1. **analysis**: `psychometrics.ctt` and `psychometrics.rasch` (MML with standard errors,
   infit/outfit, EAP and WLE) on a simulated `--pupils` × `--items` 0/1 matrix (Rasch data,
   fixed seed, 2 % missing), with the peak memory of each.
2. **pdf-batch**: `write_reports_zip`, what the "Generate the PDFs" job runs: `--reports`
   pupils' individual reports laid out by WeasyPrint in batches of 60 (one document per
   batch, each pupil's page written out of it) into one ZIP, in a fresh SQLite study.
3. **pdf-per-document**: the same reports printed one WeasyPrint document each (batch of 1),
   for `--per-document` pupils: what printing one HTML per pupil costs.
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

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def peak_rss_mb() -> float:
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


def simulate(n_pupils: int, n_items: int, seed: int = 20261205) -> np.ndarray:
    rng = np.random.default_rng(seed)
    difficulties = np.linspace(-2, 2, n_items)
    theta = rng.normal(0, 1.2, n_pupils)
    p = 1 / (1 + np.exp(-(theta[:, None] - difficulties[None, :])))
    scores = (rng.random(p.shape) < p).astype(float)
    scores[rng.random(scores.shape) < 0.02] = np.nan
    return scores


def phase_analysis(pupils: int, items: int, which: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from kaskad.monitoring.psychometrics import ctt, rasch

    scores = simulate(pupils, items)
    reset_peak_rss()
    base = peak_rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    if which == "ctt":
        result = ctt(scores)
        extra = {"alpha": result.alpha}
    else:
        fit = rasch(scores)
        extra = {"iterations": fit.iterations, "converged": fit.converged}
    return {
        "phase": f"analysis-{which}",
        "pupils": pupils,
        "items": items,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": peak_rss_mb(),
        "data_mb": scores.nbytes / 2**20,
        "before_mb": base,
        **extra,
    }


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def phase_setup(reports: int) -> dict:
    """A study of seven schools, `reports` pupils, a 20-item test, imported from a file."""
    _django()
    from kaskad.accounts.models import Role
    from kaskad.accounts.tests.factories import make_user
    from kaskad.monitoring.imports import KeyRow
    from kaskad.monitoring.services import (
        form_create,
        items_replace,
        responses_import,
        study_create,
    )
    from kaskad.registry.tests.factories import area_of, make_organisation

    started = time.perf_counter()
    by = make_user(roles=[(Role.MONITORING_OFFICER, None)])
    schools = [make_organisation(area=area_of("ALA"), locality="rural") for _ in range(7)]
    form = form_create(
        by=by, code="B-G4", title="Математика, 4-сынып", subject="mathematics", grade=4
    )
    strands = ("Сандар", "Шамалар", "Геометрия", "Деректер")
    items_replace(
        form=form,
        rows=[
            KeyRow(
                position=n,
                key="ABCD"[n % 4],
                max_score=1,
                strand=strands[n % 4],
                skill="K",
                difficulty="",
            )
            for n in range(1, 21)
        ],
        by=by,
    )
    study = study_create(
        by=by, name="Ауыл мектебі", year=2026, grades=[4], schools=schools, forms=[form]
    )
    test = study.tests.get()
    rng = np.random.default_rng(5)
    path = Path(tempfile.mkdtemp()) / "responses.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("school,class,pupil,language," + ",".join(str(n) for n in range(1, 21)) + "\n")
        for i in range(reports):
            school = schools[i % 7]
            answers = [
                "ABCD"[n % 4] if rng.random() < 0.6 else "ABCD"[(n + 1) % 4] for n in range(1, 21)
            ]
            handle.write(
                f"{school.code},4{'AB'[i % 2]},P{i:05d},{'kk' if i % 3 else 'ru'},"
                + ",".join(answers)
                + "\n"
            )
    import_started = time.perf_counter()
    responses_import(study_test=test, path=path, original_name="responses.csv", by=by)
    return {
        "phase": "setup",
        "test": test.pk,
        "seconds": time.perf_counter() - started,
        "import_seconds": time.perf_counter() - import_started,
    }


def phase_pdf(test_id: int, limit: int, batch: int) -> dict:
    _django()
    from kaskad.monitoring.models import StudyTest
    from kaskad.monitoring.reports.bulk import write_reports_zip
    from kaskad.monitoring.reports.pdf import render_batch
    from kaskad.monitoring.reports.results import load

    test = StudyTest.objects.select_related("study", "form").get(pk=test_id)
    data = load(test)
    if limit < len(data.pupils):
        keep = np.arange(limit)
        data.pupils = data.pupils[:limit]
        data.matrix, data.totals, data.percents = (
            data.matrix[keep],
            data.totals[keep],
            data.percents[keep],
        )
        data.bands, data.strand_percents = data.bands[:limit], data.strand_percents[keep]
    list(render_batch([], language="kk", context={}))  # warm-up: imports and fonts
    target = Path(tempfile.mkdtemp()) / "reports.zip"
    reset_peak_rss()
    started, cpu = time.perf_counter(), time.process_time()
    files = write_reports_zip(data, language="pupil", target=target, batch=batch)
    seconds = time.perf_counter() - started
    return {
        "phase": f"pdf-batch-{batch}",
        "n": files,
        "seconds": seconds,
        "per_second": files / seconds,
        "cpu_seconds": time.process_time() - cpu,
        "peak_mb": peak_rss_mb(),
        "zip_mb": target.stat().st_size / 2**20,
    }


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
    parser.add_argument("--pupils", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--reports", type=int, default=2125)
    parser.add_argument("--per-document", type=int, default=200)
    parser.add_argument("--only", choices=("analysis", "pdf"))
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--which", default="ctt", help=argparse.SUPPRESS)
    parser.add_argument("--test", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, default=60, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase == "analysis":
        print(json.dumps(phase_analysis(options.pupils, options.items, options.which)))
        return
    if options.phase == "setup":
        print(json.dumps(phase_setup(options.reports)))
        return
    if options.phase == "pdf":
        print(json.dumps(phase_pdf(options.test, options.limit, options.batch)))
        return

    env = {**os.environ}
    size = ["--pupils", str(options.pupils), "--items", str(options.items)]
    if options.only in (None, "analysis"):
        _child(["--phase", "analysis", "--which", "ctt", *size], env)
        _child(["--phase", "analysis", "--which", "rasch", *size], env)
    if options.only in (None, "pdf"):
        data_dir = Path(tempfile.mkdtemp(prefix="kaskad-bench-monitoring-"))
        env.update(
            {
                "KASKAD_DATA_DIR": str(data_dir),
                "DATABASE_URL": f"sqlite:///{data_dir / 'bench.sqlite3'}",
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
        )
        try:
            subprocess.run(
                [sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True, cwd=ROOT
            )
            setup = _child(["--phase", "setup", "--reports", str(options.reports)], env)
            test = str(setup["test"])
            _child(
                [
                    "--phase",
                    "pdf",
                    "--test",
                    test,
                    "--limit",
                    str(options.reports),
                    "--batch",
                    "60",
                ],
                env,
            )
            _child(
                [
                    "--phase",
                    "pdf",
                    "--test",
                    test,
                    "--limit",
                    str(options.per_document),
                    "--batch",
                    "1",
                ],
                env,
            )
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
