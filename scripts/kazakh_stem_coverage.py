"""Report how the Kazakh stemmer conflates the word types of a Kazakh corpus.

Usage: python scripts/kazakh_stem_coverage.py [TSV ...]

Reads column 1 (``kk``) of each TSV (with a header row), folds and tokenises
it like the index does, and prints: distinct word types, distinct stems, how
many types were changed, the largest stem groups (where over-stemming shows
first) and a random sample of groups to read through.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaskad.library.kazakh_stemmer import stem_kazakh
from kaskad.library.normalise import fold

DEFAULT = sorted(Path("/work/shared/datasets/parallel-kk-ru-en").glob("*.tsv"))


def main(paths: list[Path]) -> None:
    types: dict[str, int] = defaultdict(int)
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = csv.reader(handle, delimiter="\t")
            next(rows, None)
            for row in rows:
                for word in fold(row[0], "kk").split():
                    if word.isalpha():
                        types[word] += 1
    groups: dict[str, list[str]] = defaultdict(list)
    for word in types:
        groups[stem_kazakh(word)].append(word)
    changed = sum(1 for word in types if stem_kazakh(word) != word)
    tokens = sum(types.values())
    print(f"tokens {tokens}, word types {len(types)}, stems {len(groups)}")
    print(f"types changed by stemming {changed} ({changed / len(types):.1%})")
    print(f"reduction of the vocabulary {1 - len(groups) / len(types):.1%}")
    print("\nlargest groups:")
    for stem, words in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:25]:
        print(f"  {stem}: {' '.join(sorted(words))}")
    print("\nrandom sample of groups with two or more forms:")
    rng = random.Random(7)
    multi = [kv for kv in groups.items() if len(kv[1]) > 1]
    for stem, words in rng.sample(multi, min(40, len(multi))):
        print(f"  {stem}: {' '.join(sorted(words))}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]] or DEFAULT)
