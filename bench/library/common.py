"""Shared by the library benchmarks: a scratch database per engine, loading materials through
the library's own indexing code, and the measures.

nDCG@10 and Recall@10 are computed here with the formulas of `ranx` (its default `ndcg`:
gain = the graded relevance, discount log2(rank + 1), ideal ranking from the judgments;
`recall`: relevant retrieved in the top 10 over all judged relevant, grade ≥ 1). `ranx`
itself pulls in numba, llvmlite, scipy and more, so it is not a project requirement: the
script `ranx_check.py` recomputes the same figures with `ranx` in a separate environment and
bench/RESULTS.md reports both.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "var" / "bench" / "library"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def setup_django(engine: str, *, pg_db: str, sqlite_path: Path, reuse: bool = False) -> None:
    """Point Django at a scratch database, created afresh unless `reuse` (then kept as is)."""
    if engine == "pg" and reuse:
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_db}"
    elif engine == "pg":
        subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE IF EXISTS {pg_db}"],
            check=True,
        )
        subprocess.run(
            ["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {pg_db}"], check=True
        )
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{pg_db}"
    elif reuse:
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KASKAD_SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def load(docs: list[Any], *, tokens: Any = None, batch: int = 2000) -> dict[int, str]:
    """Insert the materials (published, with one current file holding the body) and index
    them with the library's code; returns material id -> doc key. `tokens(text, language)`
    replaces the tokenizer (the speed bench caches it per sentence: same tokens)."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from kaskad.library import search
    from kaskad.library.models import Material, MaterialFile, MaterialGrade

    tokenize = tokens or search.index_tokens
    now = timezone.now()
    ids: dict[int, str] = {}
    for start in range(0, len(docs), batch):
        chunk = docs[start : start + batch]
        rows = []
        for doc in chunk:
            title = doc.title[:300]
            rows.append(
                Material(
                    title=title,
                    **{f"title_{doc.language}": title},
                    description=doc.description,
                    **{f"description_{doc.language}": doc.description},
                    language=doc.language,
                    subject=doc.subject,
                    type=doc.type,
                    status="published",
                    origin="staff",
                    published_at=now - timedelta(days=doc.age_days),
                    rating_avg=doc.rating,
                    rating_count=1 if doc.rating else 0,
                    search_title=tokenize(title, doc.language),
                    search_description=tokenize(doc.description, doc.language),
                    search_body=tokenize(doc.body[: search.BODY_INDEX_CHARS], doc.language),
                    title_folded=" ".join(search.fold(title, doc.language).split())[:300],
                )
            )
        with transaction.atomic():
            made = Material.objects.bulk_create(rows)
            MaterialFile.objects.bulk_create(
                [
                    MaterialFile(
                        material=m,
                        version=1,
                        original_name="text.txt",
                        kind="txt",
                        size=len(doc.body),
                        sha256=f"{m.pk:064d}",
                        text=doc.body,
                    )
                    for m, doc in zip(made, chunk, strict=True)
                ]
            )
            MaterialGrade.objects.bulk_create(
                [
                    MaterialGrade(material=m, grade=g)
                    for m, doc in zip(made, chunk, strict=True)
                    for g in doc.grades
                ]
            )
            search.write_engine_rows([m.pk for m in made])
        for m, doc in zip(made, chunk, strict=True):
            ids[m.pk] = doc.key
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum would do after a bulk load: the planner needs the statistics.
        cursor.execute("ANALYZE")
    return ids


def read_tsv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as handle:
        lines = handle.read().splitlines()[1:]
    return [line.split("\t") for line in lines if line]


def qrels() -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = {}
    for qid, material, grade in read_tsv(Path(__file__).with_name("qrels.tsv")):
        judged.setdefault(qid, {})[material] = int(grade)
    return judged


def ndcg_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    dcg = sum(judged.get(doc, 0) / math.log2(i + 2) for i, doc in enumerate(ranked[:k]))
    ideal = sorted(judged.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: list[str], judged: dict[str, int], k: int = 10) -> float:
    relevant = {d for d, g in judged.items() if g > 0}
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]
