"""nDCG@10 and Recall@10 of the library's search over the judged query set, on one engine;
on PostgreSQL also for the two baselines: plain `simple` full-text search on the raw text
(weights A/B/C like ours, `plainto_tsquery`) and trigram-only search (pg_trgm similarity of
the query to the title).

    .venv/bin/python bench/library/quality.py --engine pg
    .venv/bin/python bench/library/quality.py --engine sqlite

Writes the runs to var/bench/library/runs-<engine>.json (for ranx_check.py) and prints the
table for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import OUT, load, ndcg_at, qrels, read_tsv, recall_at, setup_django  # noqa: E402
from corpus import quality_collection  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--engine", choices=["pg", "sqlite"], required=True)
    parser.add_argument("--pg-db", default="wt_library_bench")
    args = parser.parse_args()
    setup_django(args.engine, pg_db=args.pg_db, sqlite_path=OUT / "quality.sqlite3")
    from django.db import connection

    from kaskad.library.search import SearchFilters, run_search
    from kaskad.library.selectors import published

    docs = quality_collection()
    started = time.perf_counter()
    keys = load(docs)
    print(f"loaded {len(docs)} materials in {time.perf_counter() - started:.1f} s")
    queries = read_tsv(HERE / "queries.tsv")
    judged = qrels()
    runs: dict[str, dict[str, dict[str, float]]] = defaultdict(dict)
    times: dict[str, list[float]] = defaultdict(list)

    def record(system: str, qid: str, ranked: list[str], seconds: float) -> None:
        runs[system][qid] = {doc: float(10 - i) for i, doc in enumerate(ranked[:10])}
        times[system].append(seconds)

    for qid, _language, _kind, query in queries:
        t = time.perf_counter()
        result = run_search(published(), SearchFilters(q=query), limit=10, with_facets=False)
        record("kaskad", qid, [keys[m.pk] for m in result.materials], time.perf_counter() - t)
    if args.engine == "pg":
        by_key = {d.key: d for d in docs}
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_plain (id int primary key, title text, v tsvector)")
            for pk, key in keys.items():
                d = by_key[key]
                cursor.execute(
                    "INSERT INTO bench_plain VALUES (%s, lower(%s),"
                    " setweight(to_tsvector('simple', %s), 'A')"
                    " || setweight(to_tsvector('simple', %s), 'B')"
                    " || setweight(to_tsvector('simple', %s), 'C'))",
                    [pk, d.title, d.title, d.description, d.body],
                )
            cursor.execute("CREATE INDEX ON bench_plain USING gin (v)")
            cursor.execute("CREATE INDEX ON bench_plain USING gin (title gin_trgm_ops)")
            for qid, _language, _kind, query in queries:
                t = time.perf_counter()
                cursor.execute(
                    "SELECT id FROM bench_plain WHERE v @@ plainto_tsquery('simple', %s)"
                    " ORDER BY ts_rank('{0.1, 0.4, 0.6, 1.0}', v, plainto_tsquery('simple', %s))"
                    " DESC, id DESC LIMIT 10",
                    [query, query],
                )
                ranked = [keys[row[0]] for row in cursor.fetchall()]
                record("plain-simple", qid, ranked, time.perf_counter() - t)
                t = time.perf_counter()
                cursor.execute(
                    "SELECT id FROM bench_plain ORDER BY similarity(title, lower(%s)) DESC,"
                    " id DESC LIMIT 10",
                    [query],
                )
                ranked = [keys[row[0]] for row in cursor.fetchall()]
                record("trigram-only", qid, ranked, time.perf_counter() - t)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"runs-{args.engine}.json").write_text(json.dumps(runs, ensure_ascii=False))
    kinds = {qid: (language, kind) for qid, language, kind, _q in queries}
    print(f"\n| system ({args.engine}) | queries | nDCG@10 | Recall@10 |")
    print("|---|---|---|---|")
    for system, run in runs.items():
        for label, chosen in (
            ("all", list(run)),
            ("kk", [q for q in run if kinds[q][0] == "kk"]),
            ("ru", [q for q in run if kinds[q][0] == "ru"]),
        ):
            ndcg = sum(ndcg_at(order(run[q]), judged[q]) for q in chosen) / len(chosen)
            recall = sum(recall_at(order(run[q]), judged[q]) for q in chosen) / len(chosen)
            print(f"| {system}, {label} | {len(chosen)} | {ndcg:.3f} | {recall:.3f} |")
    print(f"\n| system ({args.engine}), by kind | queries | nDCG@10 | Recall@10 |")
    print("|---|---|---|---|")
    for system, run in runs.items():
        groups: dict[tuple[str, str], list[str]] = defaultdict(list)
        for q in run:
            groups[kinds[q]].append(q)
        for (language, kind), chosen in sorted(groups.items()):
            ndcg = sum(ndcg_at(order(run[q]), judged[q]) for q in chosen) / len(chosen)
            recall = sum(recall_at(order(run[q]), judged[q]) for q in chosen) / len(chosen)
            print(f"| {system}, {language} {kind} | {len(chosen)} | {ndcg:.3f} | {recall:.3f} |")
    for system, values in times.items():
        values.sort()
        print(f"{system}: median {values[len(values) // 2] * 1000:.1f} ms per query")


def order(scores: dict[str, float]) -> list[str]:
    return [d for d, _s in sorted(scores.items(), key=lambda item: -item[1])]


if __name__ == "__main__":
    main()
