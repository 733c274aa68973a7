"""The PAN text-alignment XML format and the PAN character-level measures.

Measures (Potthast, Stein, Barrón-Cedeño, Rosso: "An Evaluation Framework for Plagiarism
Detection", COLING 2010), computed as the official PAN evaluator does:

- annotations are a *set* (duplicates count once), grouped by the suspicious document;
- a detection overlaps a case when both their suspicious-side ranges overlap and, for
  external annotations, they name the same source and their source-side ranges overlap;
- recall of a case = (its suspicious chars covered by overlapping detections + its source chars
  covered by them) / (this_length + source_length); macro recall = mean over ALL cases (a case
  in a document with no detection counts 0); macro precision = the same with cases and
  detections swapped;
- granularity = mean number of overlapping detections over the detected cases (1 if none);
- plagdet = F1(precision, recall) / log2(1 + granularity).
"""

from __future__ import annotations

import math
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Annotation:
    this_reference: str
    this_offset: int
    this_length: int
    source_reference: str = ""
    source_offset: int = 0
    source_length: int = 0
    is_external: bool = True


@dataclass(frozen=True)
class Measures:
    recall: float
    precision: float
    granularity: float
    plagdet: float
    cases: int
    detections: int

    def as_dict(self) -> dict[str, float | int]:
        return {
            "plagdet": self.plagdet,
            "recall": self.recall,
            "precision": self.precision,
            "granularity": self.granularity,
            "cases": self.cases,
            "detections": self.detections,
        }


def _strip_txt(ref: str) -> str:
    return ref.replace(".txt", "")


# ------------------------------------------------------------------------- XML
def read_annotations(xml_file: str | Path, tagname: str = "plagiarism") -> set[Annotation]:
    """Annotations of one PAN XML file whose feature name ends with `tagname`."""
    root = ET.parse(xml_file).getroot()  # noqa: S314 - local benchmark files
    ref = root.get("reference")
    if ref is None:
        return set()
    out: set[Annotation] = set()
    for node in root:
        name = node.get("name", "")
        if not name.endswith(tagname):
            continue
        if node.get("this_offset") is None or node.get("this_length") is None:
            continue
        s_ref, s_off, s_len, ext = "", 0, 0, False
        if all(
            node.get(k) is not None for k in ("source_reference", "source_offset", "source_length")
        ):
            s_ref = node.get("source_reference", "")
            s_off = int(node.get("source_offset", "0"))
            s_len = int(node.get("source_length", "0"))
            ext = True
        out.add(
            Annotation(
                _strip_txt(ref),
                int(node.get("this_offset", "0")),
                int(node.get("this_length", "0")),
                _strip_txt(s_ref),
                s_off,
                s_len,
                ext,
            )
        )
    return out


def read_annotation_dir(path: str | Path, tagname: str = "plagiarism") -> set[Annotation]:
    """All annotations of the XML files in `path` and its direct subfolders."""
    path = Path(path)
    out: set[Annotation] = set()
    for xml_file in sorted([*path.glob("*.xml"), *path.glob("*/*.xml")]):
        out |= read_annotations(xml_file, tagname)
    return out


def write_detections(
    xml_file: str | Path,
    this_reference: str,
    detections: Iterable[tuple[int, int, str, int, int]],
    name: str = "detected-plagiarism",
) -> None:
    """Write one suspicious document's detections (this_offset, this_length,
    source_reference, source_offset, source_length) as PAN XML, atomically."""
    root = ET.Element("document", reference=this_reference)
    for t_off, t_len, s_ref, s_off, s_len in detections:
        ET.SubElement(
            root,
            "feature",
            name=name,
            this_offset=str(t_off),
            this_length=str(t_len),
            source_reference=s_ref,
            source_offset=str(s_off),
            source_length=str(s_len),
        )
    xml_file = Path(xml_file)
    fd, tmp = tempfile.mkstemp(dir=xml_file.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        ET.ElementTree(root).write(fh, encoding="utf-8", xml_declaration=True)
    os.replace(tmp, xml_file)


# ------------------------------------------------------------------------- measures
def is_overlapping(a: Annotation, b: Annotation) -> bool:
    """True iff b overlaps a (same suspicious doc; for two external ones also the source)."""
    hit = (
        a.this_reference == b.this_reference
        and b.this_offset + b.this_length > a.this_offset
        and b.this_offset < a.this_offset + a.this_length
    )
    if a.is_external and b.is_external:
        hit = (
            hit
            and a.source_reference == b.source_reference
            and b.source_offset + b.source_length > a.source_offset
            and b.source_offset < a.source_offset + a.source_length
        )
    return hit


def _covered(offset: int, length: int, spans: list[tuple[int, int]]) -> int:
    """Characters of [offset, offset+length) covered by the union of (offset, length) spans."""
    end = offset + length
    clipped = sorted(
        (max(offset, s), min(end, s + n)) for s, n in spans if max(offset, s) < min(end, s + n)
    )
    total, cur_s, cur_e = 0, -1, -1
    for s, e in clipped:
        if s > cur_e:
            total += max(0, cur_e - cur_s)
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    return total + max(0, cur_e - cur_s)


def case_recall(case: Annotation, detections: Iterable[Annotation]) -> float:
    dets = [d for d in detections if is_overlapping(case, d)]
    if not dets:
        return 0.0
    this = _covered(
        case.this_offset, case.this_length, [(d.this_offset, d.this_length) for d in dets]
    )
    src = _covered(
        case.source_offset, case.source_length, [(d.source_offset, d.source_length) for d in dets]
    )
    return (this + src) / (case.this_length + case.source_length)


def _by_reference(anns: Iterable[Annotation]) -> dict[str, list[Annotation]]:
    index: dict[str, list[Annotation]] = {}
    for a in anns:
        index.setdefault(a.this_reference, []).append(a)
    return index


def macro_recall(cases: set[Annotation], detections: set[Annotation]) -> float:
    if not cases and not detections:
        return 1.0
    if not cases or not detections:
        return 0.0
    det_index = _by_reference(detections)
    total = 0.0
    for case in cases:
        dets = det_index.get(case.this_reference)
        if dets:
            total += case_recall(case, dets)
    return total / len(cases)


def macro_precision(cases: set[Annotation], detections: set[Annotation]) -> float:
    return macro_recall(detections, cases)


def granularity(cases: set[Annotation], detections: set[Annotation]) -> float:
    if not detections:
        return 1.0
    det_index = _by_reference(detections)
    per_case = []
    for case in cases:
        dets = det_index.get(case.this_reference)
        if not dets:
            continue
        per_case.append(sum(1 for d in dets if is_overlapping(case, d)))
    detected = sum(1 for k in per_case if k > 0)
    if detected == 0:
        return 1.0
    return sum(per_case) / detected


def plagdet_score(recall: float, precision: float, gran: float) -> float:
    if (recall == 0 and precision == 0) or precision < 0 or recall < 0 or gran < 1:
        return 0.0
    f1 = 2 * recall * precision / (recall + precision)
    return f1 / math.log2(1 + gran)


def measures(cases: Iterable[Annotation], detections: Iterable[Annotation]) -> Measures:
    case_set, det_set = set(cases), set(detections)
    rec = macro_recall(case_set, det_set)
    prec = macro_precision(case_set, det_set)
    gran = granularity(case_set, det_set)
    return Measures(rec, prec, gran, plagdet_score(rec, prec, gran), len(case_set), len(det_set))
