"""Write the judged query set (queries.tsv, qrels.tsv) for the quality collection.

Run once, before any tuning; the files are committed and not regenerated afterwards.

    .venv/bin/python bench/library/make_queries.py

Each query is drawn from one material (the *target*) and judged by where it came from, not by
any search engine:

* grade 2: the target material;
* grade 1: the other part of the same news document in the same language (an NTREX document
  long enough to be split is two materials under one headline, about the same story).

Kinds (in rotation, per language):

* ``title-form``: two distinctive title words, each replaced by **another word form** of the
  same word found elsewhere in the corpus (a query for «мектеп» when the title says
  «мектептерімізде»). Word forms are grouped by the library's stemmers (Kazakh rules,
  Snowball Russian): a grouping error there is not penalised by this set (stated in
  bench/RESULTS.md);
* ``body-form``: three distinctive words of one sentence of the body, other forms likewise;
* ``russian-letters`` (Kazakh): a title-form query typed with Russian look-alike letters
  (ә→а, і→и, ң→н, ғ→г, қ→к, ө→о, ұ/ү→у, һ→х), as people type without a Kazakh keyboard;
* ``yo`` (Russian): a title-form query with ё written е (or е written ё where the title has е);
* ``typo``: the first three title words, one letter of the longest changed (trigram matching).

"Distinctive" means in at most 25 materials of the collection; words of at least 5 letters.
"""

from __future__ import annotations

import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE))

from corpus import Doc, quality_collection  # noqa: E402

from kaskad.library.stemming import stem  # noqa: E402

WORD = re.compile(r"[а-яёәғқңөұүһі]+", re.IGNORECASE)
RUSSIAN_LETTERS = str.maketrans("әіңғқөұүһӘІҢҒҚӨҰҮҺ", "аингкоуухАИНГКОУУХ")
PER_LANGUAGE = 110


def words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


def main() -> None:
    rng = random.Random(2026)
    docs = quality_collection()
    by_key = {d.key: d for d in docs}
    df: Counter[str] = Counter()
    forms: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for doc in docs:
        seen = set(words(f"{doc.title} {doc.description} {doc.body}"))
        df.update(seen)
        for w in words(f"{doc.title} {doc.description} {doc.body}"):
            forms[(doc.language, stem(w, doc.language))][w] += 1

    def other_form(word: str, language: str) -> str:
        group = forms[(language, stem(word, language))]
        others = [w for w, _n in group.most_common() if w != word]
        return others[0] if others else word

    def distinctive(text: str, language: str, n: int) -> list[str]:
        pool = [w for w in dict.fromkeys(words(text)) if len(w) >= 5 and df[w] <= 25]
        if len(pool) < n:
            return []
        return rng.sample(pool, n)

    groups: dict[str, list[str]] = defaultdict(list)
    for doc in docs:
        groups[doc.group].append(doc.key)
    queries: list[tuple[str, str, str, str, str]] = []
    for language in ("kk", "ru"):
        targets = [d for d in docs if d.language == language and not d.key.startswith("portfolio:")]
        rng.shuffle(targets)
        kinds = (
            ["title-form", "body-form", "russian-letters", "typo"]
            if language == "kk"
            else ["title-form", "body-form", "yo", "typo"]
        )
        made = 0
        for doc in targets:
            if made >= PER_LANGUAGE:
                break
            kind = kinds[made % len(kinds)]
            query = make(kind, doc, language, distinctive, other_form, rng)
            if not query:
                continue
            made += 1
            queries.append((f"{language}{made:03d}", language, kind, query, doc.key))
    with (HERE / "queries.tsv").open("w", encoding="utf-8") as out:
        out.write("qid\tlanguage\tkind\tquery\n")
        for qid, language, kind, query, _target in queries:
            out.write(f"{qid}\t{language}\t{kind}\t{query}\n")
    with (HERE / "qrels.tsv").open("w", encoding="utf-8") as out:
        out.write("qid\tmaterial\tgrade\n")
        for qid, _language, _kind, _query, target in queries:
            out.write(f"{qid}\t{target}\t2\n")
            for sibling in groups[by_key[target].group]:
                if sibling != target:
                    out.write(f"{qid}\t{sibling}\t1\n")
    print(f"{len(queries)} queries written")


def make(kind: str, doc: Doc, language: str, distinctive, other_form, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    if kind == "typo":
        first = words(doc.title)[:3]
        if len(first) < 3 or max(len(w) for w in first) < 6:
            return ""
        longest = max(first, key=len)
        i = rng.randrange(1, len(longest) - 1)
        letters = "аеиоу" if longest[i] not in "аеиоу" else "нтрс"
        typo = longest[:i] + rng.choice(letters) + longest[i + 1 :]
        return " ".join(typo if w == longest else w for w in first)
    if kind == "body-form":
        sentences = [s for s in doc.body.split("\n") if s]
        if not sentences:
            return ""
        chosen = distinctive(rng.choice(sentences), language, 3)
        return " ".join(other_form(w, language) for w in chosen)
    chosen = distinctive(doc.title, language, 2)
    if not chosen:
        return ""
    query = " ".join(other_form(w, language) for w in chosen)
    if kind == "russian-letters":
        typed = query.translate(RUSSIAN_LETTERS)
        return typed if typed != query else ""
    if kind == "yo":
        if "ё" in query:
            return query.replace("ё", "е")
        if "е" in query:
            return query.replace("е", "ё", 1)
        return ""
    return query


if __name__ == "__main__":
    main()
