"""Indexing time and size, and search latency, over a synthetic collection of real text.

    .venv/bin/python bench/library/speed.py --engine pg --size 174100
    .venv/bin/python bench/library/speed.py --engine sqlite --size 174100

1. Builds `--size` materials (bench/library/corpus.py: sentences of the parallel corpus and
   portfolio texts, random grades, subjects, types).
2. Tokenizes them with the library's pipeline (`search.index_tokens`), cached per
   whitespace-separated chunk: words are tokenized one by one and whitespace always separates
   them, so the tokens are identical to tokenizing each text whole. The uncached cost is
   measured on 300 materials and extrapolated (reported apart).
3. Loads them through the same code as the application (`search.write_engine_rows`: the
   weighted tsvector and its GIN index on PostgreSQL, the FTS5 tables on SQLite), timed, and
   reports the sizes of the table and of the search indexes.
4. Times `run_search` as the search page calls it (20 results, facet counts) for the judged
   queries and for 1,000 random queries (1–3 words of random materials; half with a random
   facet filter): p50, p95, p99; with `--by-kind` also per kind of judged query (the `typo`
   kind is the fallback when the words match nothing).
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import OUT, PG_SERVER, load, percentile, read_tsv, setup_django  # noqa: E402
from corpus import SUBJECTS, TYPES, speed_collection  # noqa: E402

WORD = re.compile(r"[^\W\d_]{4,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["pg", "sqlite"], required=True)
    parser.add_argument("--size", type=int, default=174_100)
    parser.add_argument("--pg-db", default="wt_library_bench")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database of an earlier run of the same --size and only time the searches",
    )
    parser.add_argument(
        "--by-kind",
        action="store_true",
        help="also print p50/p95 of the judged queries per kind (title-form, typo, ...)",
    )
    args = parser.parse_args()
    sqlite_path = OUT / f"speed-{args.size}.sqlite3" if args.reuse else OUT / "speed.sqlite3"
    reuse = args.reuse and _loaded(args.engine, args.pg_db, sqlite_path) == args.size
    setup_django(args.engine, pg_db=args.pg_db, sqlite_path=sqlite_path, reuse=reuse)
    from django.db import connection

    from kaskad.library.search import index_tokens

    started = time.perf_counter()
    docs = speed_collection(args.size)
    print(f"generated {len(docs):,} materials in {time.perf_counter() - started:.1f} s")
    words = sum(len(f"{d.title} {d.description} {d.body}".split()) for d in docs)
    print(f"{words:,} words, {words / len(docs):.0f} per material")

    if reuse:
        print(f"reusing the {args.size:,} materials already loaded")
        time_searches(docs, by_kind=args.by_kind)
        return
    sample = docs[:300]
    t = time.perf_counter()
    for d in sample:
        index_tokens(d.title, d.language)
        index_tokens(d.description, d.language)
        index_tokens(d.body, d.language)
    per_doc = (time.perf_counter() - t) / len(sample)
    print(
        f"tokenizing uncached: {per_doc * 1000:.1f} ms per material,"
        f" {per_doc * len(docs) / 60:.1f} min for all (one core)"
    )

    @cache
    def line_tokens(line: str, language: str) -> str:
        return index_tokens(line, language)

    def cached(text: str, language: str) -> str:
        return " ".join(t for t in (line_tokens(x, language) for x in text.split("\n")) if t)

    t = time.perf_counter()
    load(docs, tokens=cached)
    load_seconds = time.perf_counter() - t
    print(
        f"loaded and indexed {len(docs):,} in {load_seconds:.1f} s"
        f" ({len(docs) / load_seconds:,.0f}/s), tokens cached"
    )
    with connection.cursor() as cursor:
        if args.engine == "pg":
            cursor.execute(
                "SELECT pg_total_relation_size('library_material'),"
                " pg_relation_size('library_material_search_gin'),"
                " pg_relation_size('library_material_title_trgm'),"
                " pg_total_relation_size('library_materialfile')"
            )
            table, gin, trgm, files = cursor.fetchone()
            print(
                f"sizes: library_material with indexes and TOAST {table / 2**20:,.0f} MiB"
                f" (GIN tsvector {gin / 2**20:,.0f} MiB, trigram GIN {trgm / 2**20:,.0f} MiB);"
                f" files' text {files / 2**20:,.0f} MiB"
            )
        else:
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat WHERE name LIKE 'library_%' GROUP BY name"
            )
            sizes = dict(cursor.fetchall())
            fts = sum(
                v
                for k, v in sizes.items()
                if k.startswith(("library_material_fts", "library_title_trgm"))
            )
            trigram = sum(v for k, v in sizes.items() if k.startswith("library_title_trgm"))
            print(
                f"sizes: library_material {sizes.get('library_material', 0) / 2**20:,.0f} MiB;"
                f" FTS5 tables {fts / 2**20:,.0f} MiB"
                f" (of which trigram {trigram / 2**20:,.0f} MiB);"
                f" files' text {sizes.get('library_materialfile', 0) / 2**20:,.0f} MiB"
            )

    time_searches(docs, by_kind=args.by_kind)


def time_searches(docs: list[Any], *, by_kind: bool = False) -> None:
    from kaskad.library.search import SearchFilters, run_search
    from kaskad.library.selectors import published

    rng = random.Random(3)
    rows = read_tsv(HERE / "queries.tsv")
    judged = [q for _qid, _l, _k, q in rows]
    randoms: list[SearchFilters] = []
    for _ in range(1000):
        d = rng.choice(docs)
        pool = WORD.findall(f"{d.title} {d.body}") or ["мектеп"]
        q = " ".join(rng.sample(pool, min(len(pool), rng.randint(1, 3))))
        f = SearchFilters(q=q)
        if rng.random() < 0.5:
            which = rng.choice(("grade", "subject", "type", "language"))
            if which == "grade":
                f.grade = rng.randint(1, 11)
            elif which == "subject":
                f.subject = rng.choice(SUBJECTS)
            elif which == "type":
                f.type = rng.choice(TYPES)
            else:
                f.language = rng.choice(("kk", "ru"))
        randoms.append(f)
    base = published()
    run_search(base, SearchFilters(q="мектеп"))  # warm the connection
    for label, batch in (
        ("judged queries", [SearchFilters(q=q) for q in judged]),
        ("random queries with facets", randoms),
    ):
        times = []
        for f in batch:
            t = time.perf_counter()
            run_search(base, f, limit=20, with_facets=True)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"{label} ({len(batch)}): p50 {percentile(times, 50):.1f} ms,"
            f" p95 {percentile(times, 95):.1f} ms, p99 {percentile(times, 99):.1f} ms"
        )
    if by_kind:
        kinds: dict[str, list[float]] = {}
        for _qid, _language, kind, q in rows:
            t = time.perf_counter()
            run_search(base, SearchFilters(q=q), limit=20, with_facets=True)
            kinds.setdefault(kind, []).append((time.perf_counter() - t) * 1000)
        for kind, times in sorted(kinds.items()):
            print(
                f"judged, {kind} ({len(times)}): p50 {percentile(times, 50):.1f} ms,"
                f" p95 {percentile(times, 95):.1f} ms, max {max(times):.1f} ms"
            )


def _loaded(engine: str, pg_db: str, sqlite_path: Path) -> int:
    """How many materials an earlier run left in the database (0 when there is none)."""
    if engine == "pg":
        found = subprocess.run(
            ["psql", f"{PG_SERVER}/{pg_db}", "-Atc", "SELECT count(*) FROM library_material"],
            capture_output=True,
            text=True,
        )
        return int(found.stdout.strip() or 0) if found.returncode == 0 else 0
    if not sqlite_path.exists():
        return 0
    import sqlite3

    try:
        with sqlite3.connect(sqlite_path) as db:
            return int(db.execute("SELECT count(*) FROM library_material").fetchone()[0])
    except sqlite3.Error:
        return 0


if __name__ == "__main__":
    main()
