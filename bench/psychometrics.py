"""Benchmark: how long the item analysis of a monitoring test takes.

    .venv/bin/python bench/psychometrics.py          # 621, 2,000 and 20,000 pupils × 40 items
    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/psychometrics.py
    .venv/bin/python bench/psychometrics.py --sizes 621x40 --repeat 5
    .venv/bin/python bench/psychometrics.py --missing 0.1     # 10% of responses missing

For each size, simulated Rasch data (fixed seed, abilities N(0, 1.2²), difficulties evenly
spread over −2..2) are analysed by

* ``ctt``: the classical analysis (one pass of column statistics), the cheapest reference;
* ``jml``: a plain numpy joint maximum likelihood Rasch fit (alternating Newton steps for
  items and pupils, extreme pupils left out, no standard errors, no fit statistics): the
  floor of what any Rasch calibration of these data costs (complete data only: not run
  with ``--missing``);
* ``rasch``: the module's marginal maximum likelihood fit, complete (EM to 1e-6, standard
  errors from the numerical observed information, infit/outfit, EAP abilities).

Each is run ``--repeat`` times and the fastest run is reported (the machine is shared).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaskad.monitoring.psychometrics import ctt, rasch

T = TypeVar("T")


def simulate(n_pupils: int, n_items: int, seed: int = 20261204) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    difficulties = np.linspace(-2, 2, n_items)
    theta = rng.normal(0, 1.2, n_pupils)
    p = 1 / (1 + np.exp(-(theta[:, None] - difficulties[None, :])))
    return (rng.random(p.shape) < p).astype(float), difficulties


def jml(scores: np.ndarray, iterations: int = 100, tolerance: float = 1e-6) -> np.ndarray:
    """Joint maximum likelihood Rasch difficulties (0/1 data, no missing responses)."""
    raw = scores.sum(axis=1)
    keep = (raw > 0) & (raw < scores.shape[1])  # extreme pupils have no finite JML ability
    x = scores[keep]
    raw = raw[keep]
    item_totals = x.sum(axis=0)
    theta = np.log(raw / (x.shape[1] - raw))
    b = np.log((x.shape[0] - item_totals) / item_totals)
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-(theta[:, None] - b[None, :])))
        info = p * (1 - p)
        step_b = (p.sum(axis=0) - item_totals) / info.sum(axis=0)
        b = b + step_b
        b -= b.mean()
        p = 1 / (1 + np.exp(-(theta[:, None] - b[None, :])))
        theta = theta + (raw - p.sum(axis=1)) / (p * (1 - p)).sum(axis=1)
        if np.abs(step_b).max() < tolerance:
            break
    return b


def fastest(function: Callable[[], T], repeat: int) -> tuple[float, T]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="621x40,2000x40,20000x40")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--missing", type=float, default=0.0, help="share of responses set missing at random"
    )
    args = parser.parse_args()

    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
        f"OPENBLAS_NUM_THREADS={threads}, load average {os.getloadavg()[0]:.1f}"
    )
    header = (
        "| pupils × items | ctt s | jml s | rasch s | rasch / jml | iterations (EM + Newton) "
        "| max abs error (logits) | r(estimate, truth) | mean SE |"
    )
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes.split(","):
        n_pupils, n_items = (int(v) for v in size.lower().split("x"))
        scores, truth = simulate(n_pupils, n_items)
        if args.missing:
            rng = np.random.default_rng(1)
            scores[rng.random(scores.shape) < args.missing] = np.nan
        t_ctt, _ = fastest(partial(ctt, scores), args.repeat)
        # The plain JML has no missing responses; it is the floor for complete data only.
        t_jml = fastest(partial(jml, scores), args.repeat)[0] if not args.missing else float("nan")
        t_rasch, fitted = fastest(partial(rasch, scores), args.repeat)
        jml_cell = "-" if args.missing else f"{t_jml:.3f}"
        ratio_cell = "-" if args.missing else f"{t_rasch / t_jml:.1f}"
        estimates = np.array([item.difficulty for item in fitted.items])
        errors = np.array([item.difficulty_se for item in fitted.items])
        print(
            f"| {n_pupils:,} × {n_items} | {t_ctt:.3f} | {jml_cell} | {t_rasch:.3f} "
            f"| {ratio_cell} | {fitted.iterations} "
            f"| {np.abs(estimates - truth).max():.3f} "
            f"| {np.corrcoef(estimates, truth)[0, 1]:.4f} | {errors.mean():.3f} |"
        )


if __name__ == "__main__":
    main()
