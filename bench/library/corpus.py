"""The library benchmarks' collections, built from real text.

* **Quality collection** (~1,100 materials): the NTREX-128 news documents and the FLORES-200
  articles of `/work/shared/datasets/parallel-kk-ru-en`, each in Kazakh and in Russian as
  separate materials (a long NTREX document is split in two parts, both under its headline);
  the title is the first sentence (a headline for NTREX), the description the second, the body
  the rest. 150 portfolio texts of the demo generator (`kaskad/demo/portfolio_texts.py`,
  Russian) are added as distractors sharing a template.
* **Speed collection** (`--size`, default 174,100): materials made of 6–14 random sentences
  of the same corpus (one language each; Tatoeba sentences too) or a portfolio text, with
  random grade, subject, type, language-consistent facets.

Plain Python: no Django here.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from kaskad.demo.portfolio_texts import portfolio_text  # noqa: E402

DATA = Path("/work/shared/datasets/parallel-kk-ru-en")
SUBJECTS = [
    "kazakh_language",
    "russian_language",
    "mathematics",
    "physics",
    "biology",
    "geography",
    "history",
    "informatics",
    "primary",
    "pedagogy",
]
TYPES = [
    "medium_term_plan",
    "short_term_plan",
    "summative_unit",
    "summative_term",
    "recommendation",
    "presentation",
    "other",
]


@dataclass
class Doc:
    key: str  # stable id, e.g. "ntrex:bbc.381790:kk:1"
    group: str  # the source document (parts of one document share it), with the language
    language: str
    title: str
    description: str
    body: str
    subject: str = "other"
    type: str = "other"
    grades: list[int] = field(default_factory=list)
    rating: float = 0.0
    age_days: int = 0


def _rows(name: str) -> list[list[str]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return [row for row in reader if len(row) >= 2]


def documents() -> dict[str, list[tuple[str, str]]]:
    """Source documents: id -> [(kk sentence, ru sentence)], in order."""
    docs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in _rows("ntrex128_kk_ru_en.tsv"):
        docs[f"ntrex:{row[3]}"].append((row[0], row[1]))
    for row in _rows("flores200_devtest_kk_ru_en.tsv"):
        docs[f"flores:{row[3]}"].append((row[0], row[1]))
    return docs


def _facets(rng: random.Random, doc: Doc) -> Doc:
    doc.subject = rng.choice(SUBJECTS)
    doc.type = rng.choice(TYPES)
    low = rng.randint(1, 11)
    doc.grades = sorted({low, min(11, low + rng.choice((0, 1)))})
    doc.rating = rng.choice((0.0, 0.0, 3.0, 4.0, 4.5, 5.0))
    doc.age_days = rng.randint(0, 3000)
    return doc


def quality_collection(seed: int = 5) -> list[Doc]:
    rng = random.Random(seed)
    out: list[Doc] = []
    for source, pairs in sorted(documents().items()):
        parts = [pairs]
        if source.startswith("ntrex:") and len(pairs) >= 8:
            middle = len(pairs) // 2
            parts = [pairs[:middle], [pairs[0], *pairs[middle:]]]  # both under the headline
        for column, language in ((0, "kk"), (1, "ru")):
            for number, part in enumerate(parts, start=1):
                sentences = [p[column] for p in part]
                title = sentences[0]
                if source.startswith("flores:"):
                    title = " ".join(title.split()[:12])
                doc = Doc(
                    key=f"{source}:{language}:{number}",
                    group=f"{source}:{language}",
                    language=language,
                    title=title,
                    description=sentences[1] if len(sentences) > 1 else "",
                    body="\n".join(sentences[2:])
                    if source.startswith("ntrex:")
                    else "\n".join(sentences[1:]),
                )
                out.append(_facets(rng, doc))
    for number in range(150):
        grade = rng.randint(1, 11)
        out.append(
            _facets(
                rng,
                Doc(
                    key=f"portfolio:{number}:ru:1",
                    group=f"portfolio:{number}:ru",
                    language="ru",
                    title=f"Портфолио: серия уроков, {grade} класс",
                    description="",
                    body=portfolio_text(rng, grade=grade),
                ),
            )
        )
    return out


def sentence_pool() -> dict[str, list[str]]:
    pool: dict[str, list[str]] = {"kk": [], "ru": []}
    for pairs in documents().values():
        for kk, ru in pairs:
            pool["kk"].append(kk)
            pool["ru"].append(ru)
    for row in _rows("tatoeba_test_v2021-08-07_kk_ru.tsv"):
        pool["kk"].append(row[0])
        pool["ru"].append(row[1])
    return pool


def speed_collection(size: int, seed: int = 9) -> list[Doc]:
    """`size` synthetic materials (titles 4–10 words, bodies 6–14 sentences)."""
    rng = random.Random(seed)
    pool = sentence_pool()
    # Portfolio texts share a template; a pool of 2,000 stands for them (generating one per
    # material would only slow the benchmark down).
    portfolios = [portfolio_text(rng, grade=1 + n % 11) for n in range(2000)]
    out: list[Doc] = []
    for number in range(size):
        language = "kk" if rng.random() < 0.55 else "ru"
        if language == "ru" and rng.random() < 0.1:
            grade = rng.randint(1, 11)
            doc = Doc(
                key=f"s{number}",
                group=f"s{number}",
                language="ru",
                title=f"Портфолио: серия уроков, {grade} класс",
                description="",
                body=portfolios[rng.randrange(len(portfolios))],
            )
        else:
            sentences = rng.sample(pool[language], rng.randint(6, 14))
            words = sentences[0].split()
            doc = Doc(
                key=f"s{number}",
                group=f"s{number}",
                language=language,
                title=" ".join(words[: rng.randint(4, 10)]),
                description=sentences[1],
                body="\n".join(sentences[2:]),
            )
        out.append(_facets(rng, doc))
    return out
