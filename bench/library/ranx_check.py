"""Recompute nDCG@10 and Recall@10 with `ranx` from the runs quality.py wrote.

`ranx` needs numba, llvmlite, scipy, ir_datasets and more, which the project does not carry;
run this with a Python that has it, e.g. a scratch virtual environment:

    python3 -m venv /tmp/ranx-venv && /tmp/ranx-venv/bin/pip install ranx
    /tmp/ranx-venv/bin/python bench/library/ranx_check.py
"""

from __future__ import annotations

import json
from pathlib import Path

from ranx import Qrels, Run, evaluate

HERE = Path(__file__).resolve().parent
OUT = HERE.parents[1] / "var" / "bench" / "library"


def main() -> None:
    judged: dict[str, dict[str, int]] = {}
    for line in (HERE / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        qid, material, grade = line.split("\t")
        judged.setdefault(qid, {})[material] = int(grade)
    qrels = Qrels(judged)
    for path in sorted(OUT.glob("runs-*.json")):
        runs = json.loads(path.read_text(encoding="utf-8"))
        for system, run in runs.items():
            # ranx drops queries with an empty ranking; they count as 0 in the averages.
            for qid in judged:
                run.setdefault(qid, {})
            filled = {q: (r or {"__nothing__": 0.0}) for q, r in run.items()}
            scores = evaluate(qrels, Run(filled), ["ndcg@10", "recall@10"])
            print(
                f"{path.stem[5:]:7} {system:13} nDCG@10 {scores['ndcg@10']:.3f}"
                f"  Recall@10 {scores['recall@10']:.3f}"
            )


if __name__ == "__main__":
    main()
