"""Benchmark: index 50,000 generated portfolios and check every one against all others.

    .venv/bin/python bench/plagiarism_speed/run.py                       # 50,000 portfolios
    .venv/bin/python bench/plagiarism_speed/run.py --docs 5000           # quick iteration
    .venv/bin/python bench/plagiarism_speed/run.py --docs 5000 --copydetect-docs 300

Portfolios (~3,000 words each) are generated from real words: the Kazakh, Russian and English
sides of /work/shared/datasets/parallel-kk-ru-en and the PAN 2013 source documents. Each
portfolio has the mandated template of its programme (20 programmes, ~350 words each, shared
by thousands of portfolios: suppressed both as a registered template and as boilerplate), its
own text, and with probability 0.35 one or two passages (100-300 words) from a pool that a few
other portfolios also contain (real copies between documents). Portfolios are written to
shard files first (timed separately, not part of the engine's time).

Phases (2 worker processes, fork):
1. index: workers fingerprint and compress the shards, the parent adds them to an on-disk
   `Index` and saves it (atomic write included in the time);
2. check: the saved index is reopened, workers (forked over the read-only index) check every
   portfolio against all others (its own id and participant group excluded);
3. copydetect (`CopyDetector`, all pairs) and the engine on the same first
   `--copydetect-docs` portfolios, side by side, and the ratio.

Peak memory: ru_maxrss of the parent and of the largest child (RUSAGE_CHILDREN).
"""

from __future__ import annotations

import argparse
import csv
import os
import pickle
import random
import resource
import shutil
import sys
import tempfile
import time
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kaskad.plagiarism.engine import EngineParams, Index  # noqa: E402
from kaskad.plagiarism.engine.index import prepare  # noqa: E402

PARALLEL = Path("/work/shared/datasets/parallel-kk-ru-en")
PAN_SRC = Path("/work/shared/datasets/pan13-text-alignment-no-obfuscation/src")
SHARD = 1000
PROGRAMMES = 20
POOL_PASSAGES_PER_1000 = 150


# ------------------------------------------------------------------ generation
def vocabulary() -> dict[str, list[str]]:
    words: dict[str, list[str]] = {"kk": [], "ru": [], "en": []}
    csv.field_size_limit(10_000_000)
    for tsv in sorted(PARALLEL.glob("*.tsv")):
        with open(tsv, encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                for lang in ("kk", "ru", "en"):
                    if row.get(lang):
                        words[lang].extend(row[lang].split())
    for path in sorted(PAN_SRC.glob("*.txt"))[:200]:
        words["en"].extend(path.read_text(encoding="utf-8").split())
    return words


def _sentences(rng: random.Random, vocab: list[str], n_words: int) -> str:
    out = rng.choices(vocab, k=n_words)
    for i in range(11, n_words, 13):
        out[i] += "."
    return " ".join(out)


def _pool_passage(seed: int, k: int, vocab: dict[str, list[str]]) -> str:
    rng = random.Random(seed * 7_919 + k)
    lang = rng.choice(("kk", "kk", "ru", "en"))
    return _sentences(rng, vocab[lang], rng.randint(100, 300))


def make_portfolio(
    i: int, n_docs: int, seed: int, vocab: dict[str, list[str]]
) -> tuple[str, str, str]:
    """(doc_id, group, text) of portfolio i; deterministic."""
    rng = random.Random(seed * 1_000_003 + i)
    lang = rng.choice(("kk", "kk", "ru"))
    programme = i % PROGRAMMES
    parts = [template_text(programme, seed, vocab)]
    own = _sentences(rng, vocab[lang], 2_650)
    parts.append(own)
    pool = max(10, n_docs * POOL_PASSAGES_PER_1000 // 1000)
    if rng.random() < 0.35:
        for _ in range(rng.choice((1, 1, 2))):
            k = rng.randrange(pool)
            at = rng.randrange(1, len(parts) + 1)
            parts.insert(at, _pool_passage(seed, k, vocab))
    # A participant submits one portfolio; every 50th has a resubmission (same group).
    group = f"participant-{i - 1 if i % 50 == 1 else i}"
    return f"portfolio-{i}", group, "\n\n".join(parts)


_TEMPLATES: dict[tuple[int, int], str] = {}


def template_text(programme: int, seed: int, vocab: dict[str, list[str]]) -> str:
    key = (programme, seed)
    if key not in _TEMPLATES:
        rng = random.Random(seed * 31 + programme)
        _TEMPLATES[key] = _sentences(rng, vocab["kk"], 350)
    return _TEMPLATES[key]


_VOCAB: dict[str, list[str]] = {}


def _gen_shard(args: tuple[int, int, int, str]) -> int:
    shard, n_docs, seed, out_dir = args
    docs = [
        make_portfolio(i, n_docs, seed, _VOCAB)
        for i in range(shard * SHARD, min(n_docs, (shard + 1) * SHARD))
    ]
    with open(Path(out_dir) / f"shard-{shard:05d}.pkl", "wb") as fh:
        pickle.dump(docs, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return len(docs)


def read_shard(out_dir: Path, shard: int) -> list[tuple[str, str, str]]:
    with open(out_dir / f"shard-{shard:05d}.pkl", "rb") as fh:
        docs: list[tuple[str, str, str]] = pickle.load(fh)
    return docs


# ------------------------------------------------------------------ engine phases
_PARAMS = EngineParams()
_INDEX: Index | None = None
_DATA = Path()


def _prepare_shard(shard: int) -> list[tuple[str, str, Any]]:
    return [(d, g, prepare(t, _PARAMS)) for d, g, t in read_shard(_DATA, shard)]


def _check_shard(shard: int) -> tuple[int, int, int, float, int]:
    assert _INDEX is not None
    flagged = matches = quoted = 0
    sim_sum = 0.0
    template_chars = 0
    for doc_id, group, text in read_shard(_DATA, shard):
        rep = _INDEX.check(text, doc_id=doc_id, group=group)
        matches += sum(1 for m in rep.matches if m.kind == "copy")
        quoted += sum(1 for m in rep.matches if m.kind == "quoted")
        flagged += rep.similarity > 0.02
        sim_sum += rep.similarity
        template_chars += rep.template_chars
    return flagged, matches, quoted, sim_sum, template_chars


def cpu_s() -> float:
    """CPU seconds used so far by this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def maxrss_mb() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, kids


def run_engine(data: Path, n_docs: int, workers: int, index_dir: Path, seed: int) -> dict[str, Any]:
    global _INDEX, _DATA
    _DATA = data
    shards = list(range((n_docs + SHARD - 1) // SHARD))
    ctx = get_context("fork")
    vocab = _VOCAB
    # 1. index
    c0 = cpu_s()
    t0 = time.perf_counter()
    index = Index.open(index_dir, _PARAMS)
    for p in range(PROGRAMMES):
        index.add_template(f"programme-{p}", template_text(p, seed, vocab))
    with ctx.Pool(workers) as pool:
        for batch in pool.imap(_prepare_shard, shards):
            for doc_id, group, prep in batch:
                index.add_prepared(doc_id, prep, group=group)
                index.maybe_flush()
    index.save()
    t_index = time.perf_counter() - t0
    c_index = cpu_s() - c0
    stats = index.stats()
    del index
    # 2. check (reopen: what a fresh worker process would do)
    c0 = cpu_s()
    t0 = time.perf_counter()
    _INDEX = Index.open(index_dir)
    t_open = time.perf_counter() - t0
    totals = [0, 0, 0, 0.0, 0]
    with ctx.Pool(workers) as pool:
        for res in pool.imap_unordered(_check_shard, shards):
            for k in range(5):
                totals[k] += res[k]
    t_check = time.perf_counter() - t0
    c_check = cpu_s() - c0
    _INDEX = None
    return {
        "index_s": t_index,
        "index_cpu_s": c_index,
        "check_cpu_s": c_check,
        "open_s": t_open,
        "check_s": t_check,
        "stats": stats,
        "flagged": totals[0],
        "copy_matches": totals[1],
        "quoted_matches": totals[2],
        "mean_similarity": totals[3] / n_docs,
        "template_chars": totals[4],
    }


# ------------------------------------------------------------------ copydetect
def run_copydetect(data: Path, n: int, work: Path, seed: int) -> dict[str, Any]:
    from copydetect import CopyDetector

    docs: list[tuple[str, str, str]] = []
    shard = 0
    while len(docs) < n:
        docs.extend(read_shard(data, shard))
        shard += 1
    docs = docs[:n]
    folder = work / "copydetect-docs"
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, _, text in docs:
        (folder / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    # Both engines are told the programme templates (copydetect: as boilerplate files).
    boiler = work / "copydetect-templates"
    boiler.mkdir(parents=True, exist_ok=True)
    for p in range(PROGRAMMES):
        (boiler / f"programme-{p}.txt").write_text(template_text(p, seed, _VOCAB), encoding="utf-8")
    t0 = time.perf_counter()
    det = CopyDetector(
        test_dirs=[str(folder)],
        ref_dirs=[str(folder)],
        boilerplate_dirs=[str(boiler)],
        extensions=["txt"],
        disable_filtering=True,
        autoopen=False,
        silent=True,
        out_file=str(work / "copydetect.html"),
    )
    det.run()
    t_cd = time.perf_counter() - t0
    sim = det.similarity_matrix
    flagged_cd = int((sim[:, :, 0] > 0.02).any(axis=1).sum()) if sim.size else 0
    # The engine on the same documents: index them, then check each against the others.
    t0 = time.perf_counter()
    index = Index.open(None, _PARAMS)
    for p in range(PROGRAMMES):
        index.add_template(f"programme-{p}", template_text(p, seed, _VOCAB))
    for doc_id, group, text in docs:
        index.add(doc_id, text, group=group)
    flagged = 0
    for doc_id, group, text in docs:
        flagged += index.check(text, doc_id=doc_id, group=group).similarity > 0.02
    t_engine = time.perf_counter() - t0
    return {
        "docs": len(docs),
        "copydetect_s": t_cd,
        "engine_s": t_engine,
        "ratio": t_cd / t_engine if t_engine else float("inf"),
        "copydetect_flagged": flagged_cd,
        "engine_flagged": flagged,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--copydetect-docs", type=int, default=2_000)
    ap.add_argument("--work", default="", help="working folder (default: a temp dir, removed)")
    args = ap.parse_args(argv)
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="plag-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    data = work / "portfolios"
    data.mkdir(exist_ok=True)
    try:
        _VOCAB.update(vocabulary())
        print("vocabulary: " + ", ".join(f"{k} {len(v):,} words" for k, v in _VOCAB.items()))
        t0 = time.perf_counter()
        n_shards = (args.docs + SHARD - 1) // SHARD
        with get_context("fork").Pool(args.workers) as pool:
            made = sum(
                pool.imap_unordered(
                    _gen_shard, [(s, args.docs, args.seed, str(data)) for s in range(n_shards)]
                )
            )
        t_gen = time.perf_counter() - t0
        size = sum(f.stat().st_size for f in data.iterdir())
        sample = read_shard(data, 0)[:50]
        words = sum(len(t.split()) for _, _, t in sample) / len(sample)
        mib = size / 2**20
        print(f"generated {made:,} portfolios (~{words:,.0f} words each, {mib:,.0f} MiB)")
        print(f"       in {t_gen:.1f}s (not part of the engine's time)")
        res = run_engine(data, args.docs, args.workers, work / "index", args.seed)
        total = res["index_s"] + res["check_s"]
        own, kids = maxrss_mb()
        n = args.docs
        print(f"engine params: {_PARAMS}")
        print(f"index: {n:,} portfolios in {res['index_s']:.1f}s = {n / res['index_s']:,.0f}/s")
        print(f"       {res['stats']}")
        print(f"check: {n:,} portfolios in {res['check_s']:.1f}s = {n / res['check_s']:,.0f}/s")
        print(f"       (index reopened in {res['open_s']:.1f}s)")
        print(f"index + check: {total:.1f}s ({total / 60:.1f} min)")
        cpu = res["index_cpu_s"] + res["check_cpu_s"]
        print(
            f"CPU time (all processes): index {res['index_cpu_s']:.1f}s, "
            f"check {res['check_cpu_s']:.1f}s; on 2 idle cores ~{cpu / args.workers:.0f}s wall"
        )
        print(f"load average at the end: {os.getloadavg()[0]:.1f} (other users on the machine)")
        print(
            f"checks: {res['flagged']:,} portfolios with similarity > 2 percent, "
            f"{res['copy_matches']:,} copy matches, {res['quoted_matches']:,} quoted, "
            f"mean similarity {res['mean_similarity']:.4f}, "
            f"template/boilerplate chars suppressed {res['template_chars']:,}"
        )
        print(f"peak memory: parent {own:,.0f} MiB, largest child {kids:,.0f} MiB")
        if args.copydetect_docs:
            cd = run_copydetect(data, min(args.copydetect_docs, args.docs), work, args.seed)
            print(
                f"copydetect vs engine on the same {cd['docs']:,} portfolios (all against all):\n"
                f"  copydetect {cd['copydetect_s']:.1f}s, engine {cd['engine_s']:.1f}s "
                f"(index + check, 1 process) -> ratio {cd['ratio']:.1f}x\n"
                f"  flagged > 2 percent: copydetect {cd['copydetect_flagged']}, "
                f"engine {cd['engine_flagged']}"
            )
            own, kids = maxrss_mb()
            print(f"peak memory after copydetect: parent {own:,.0f} MiB, child {kids:,.0f} MiB")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    main()
