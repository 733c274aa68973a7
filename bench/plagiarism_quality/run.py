"""Benchmark: detection quality of the plagiarism engine with the PAN measures.

    .venv/bin/python bench/plagiarism_quality/run.py              # PAN + generated sets
    .venv/bin/python bench/plagiarism_quality/run.py --pan-only   # the PAN slice only
    .venv/bin/python bench/plagiarism_quality/run.py --tune       # small grid over n, w, gap...

PAN part: the PAN 2013 text-alignment "no obfuscation" slice in
/work/shared/datasets/pan13-text-alignment-no-obfuscation (truth/ names the 500 pairs). Every
source of the slice goes into one engine index (so boilerplate suppression works as it would in
production); every suspicious document is checked once; its detections against the sources
it is paired with are written as PAN XML into a temporary folder, read back and scored with
kaskad.plagiarism.engine.pan (character-level macro precision/recall, granularity, PlagDet).

The hook for other evaluation sets: `evaluate_pairs(pairs, engine_params) -> Measures`, where
`pairs` are `Pair(susp_id, susp_text, src_id, src_text, cases)` (cases: pan.Annotation in the
suspicious/source ids; none for a negative pair). `main()` runs `pan_main()` and then, if it
can be imported, `generated.main()` from bench/plagiarism_quality/generated.py.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kaskad.plagiarism.engine import EngineParams, Index  # noqa: E402
from kaskad.plagiarism.engine.pan import (  # noqa: E402
    Annotation,
    Measures,
    measures,
    read_annotation_dir,
    write_detections,
)
from kaskad.plagiarism.engine.types import COUNTED_KINDS, KIND_QUOTED  # noqa: E402

ALL_KINDS = COUNTED_KINDS | {KIND_QUOTED}
PAN_DIR = Path("/work/shared/datasets/pan13-text-alignment-no-obfuscation")


@dataclass
class Pair:
    """One (suspicious, source) pair and its true reuse cases (empty for a negative pair)."""

    susp_id: str
    susp_text: str
    src_id: str
    src_text: str
    cases: list[Annotation] = field(default_factory=list)


def detect_pairs(
    pairs: Sequence[Pair],
    engine_params: EngineParams | None = None,
    *,
    kinds: frozenset[str] = COUNTED_KINDS,
    cross_language: bool = False,
    templates: dict[str, str] | None = None,
    xml_dir: Path | None = None,
) -> set[Annotation]:
    """Run the engine over the pairs: one in-memory index of all their sources, one check per
    suspicious document; the detections on paired sources, as PAN annotations. With
    `xml_dir`, they are also written there as PAN XML (one file per suspicious document)."""
    params = engine_params or EngineParams()
    index = Index.open(None, params)
    for key, text in (templates or {}).items():
        index.add_template(key, text)
    sources: dict[str, str] = {}
    susp: dict[str, str] = {}
    paired: dict[str, set[str]] = {}
    for p in pairs:
        sources[p.src_id] = p.src_text
        susp[p.susp_id] = p.susp_text
        paired.setdefault(p.susp_id, set()).add(p.src_id)
    for src_id, text in sources.items():
        index.add(src_id, text)
    out: set[Annotation] = set()
    for susp_id, text in susp.items():
        report = index.check(text, cross_language=cross_language)
        rows = []
        for m in report.matches:
            if m.kind not in kinds or m.source_id not in paired[susp_id]:
                continue
            rows.append(
                (
                    m.start,
                    m.end - m.start,
                    m.source_id,
                    m.source_start,
                    m.source_end - m.source_start,
                )
            )
        if xml_dir is not None:
            write_detections(
                xml_dir / f"{susp_id}.xml",
                f"{susp_id}.txt",
                ((a, b, f"{c}.txt", d, e) for a, b, c, d, e in rows),
            )
        for t_off, t_len, s_ref, s_off, s_len in rows:
            out.add(Annotation(susp_id, t_off, t_len, s_ref, s_off, s_len, True))
    return out


def evaluate_pairs(
    pairs: Sequence[Pair],
    engine_params: EngineParams | None = None,
    **kwargs: object,
) -> Measures:
    """PAN measures of the engine on the pairs (keyword arguments go to `detect_pairs`)."""
    cases = {c for p in pairs for c in p.cases}
    detections = detect_pairs(pairs, engine_params, **kwargs)  # type: ignore[arg-type]
    return measures(cases, detections)


# --------------------------------------------------------------------------- PAN 2013
def load_pan(root: Path = PAN_DIR) -> list[Pair]:
    truth = root / "truth"
    texts: dict[Path, str] = {}

    def text(path: Path) -> str:
        if path not in texts:
            texts[path] = path.read_text(encoding="utf-8")
        return texts[path]

    pairs = []
    for xml_file in sorted(truth.glob("*.xml")):
        susp_name, src_name = xml_file.stem.split("-source-")
        src_name = "source-" + src_name
        cases = sorted(
            read_annotations_file(xml_file),
            key=lambda a: a.this_offset,
        )
        pairs.append(
            Pair(
                susp_name,
                text(root / "susp" / f"{susp_name}.txt"),
                src_name,
                text(root / "src" / f"{src_name}.txt"),
                cases,
            )
        )
    return pairs


def read_annotations_file(xml_file: Path) -> set[Annotation]:
    from kaskad.plagiarism.engine.pan import read_annotations

    return read_annotations(xml_file, "plagiarism")


def run_pan(pairs: Sequence[Pair], params: EngineParams) -> tuple[Measures, float]:
    """Detections written as PAN XML into a temp dir, read back and scored against truth/."""
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pan-det-") as tmp:
        # Text alignment is judged on every detected passage, quoted ones included.
        detect_pairs(pairs, params, kinds=ALL_KINDS, xml_dir=Path(tmp))
        detections = read_annotation_dir(tmp, "plagiarism")
    elapsed = time.perf_counter() - t0
    cases = read_annotation_dir(PAN_DIR / "truth", "plagiarism")
    return measures(cases, detections), elapsed


def _fmt(m: Measures) -> str:
    return (
        f"plagdet={m.plagdet:.4f} recall={m.recall:.4f} precision={m.precision:.4f} "
        f"granularity={m.granularity:.4f} (cases={m.cases}, detections={m.detections})"
    )


def pan_main(params: EngineParams | None = None, tune: bool = False) -> Measures:
    params = params or EngineParams()
    pairs = load_pan()
    print(f"PAN 2013 text alignment, no obfuscation: {len(pairs)} pairs")
    if tune:
        grid: Iterable[tuple[int, int, int, int]] = itertools.product(
            (4, 5, 6), (3, 4, 5), (8, 12, 20), (8, 12, 20)
        )
        best = None
        for n, w, gap, min_tokens in grid:
            if w > n:
                continue
            p = replace(params, n=n, w=w, gap=gap, min_tokens=min_tokens)
            m, secs = run_pan(pairs, p)
            print(f"  n={n} w={w} gap={gap} min_tokens={min_tokens}: {_fmt(m)} [{secs:.1f}s]")
            if best is None or m.plagdet > best[0].plagdet:
                best = (m, p)
        assert best is not None
        print(f"best: {best[1]}\n  {_fmt(best[0])}")
        return best[0]
    m, secs = run_pan(pairs, params)
    print(f"  params: {params}")
    print(f"  {_fmt(m)}  [{secs:.1f}s]")
    return m


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pan-only", action="store_true")
    ap.add_argument("--tune", action="store_true")
    args = ap.parse_args(argv)
    pan_main(tune=args.tune)
    if args.pan_only:
        return
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import generated  # type: ignore[import-not-found]
    except ImportError as exc:
        print(f"generated sets: skipped ({exc})")
        return
    generated.main()


if __name__ == "__main__":
    main()
