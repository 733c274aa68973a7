"""PAN measures on hand-made cases whose numbers are worked out by hand in the comments."""

from __future__ import annotations

import math

import pytest

from kaskad.plagiarism.engine.pan import (
    Annotation,
    case_recall,
    granularity,
    macro_precision,
    macro_recall,
    measures,
    plagdet_score,
    read_annotation_dir,
    read_annotations,
    write_detections,
)


def A(t_off: int, t_len: int, s_off: int, s_len: int, t: str = "s1", s: str = "r1") -> Annotation:
    return Annotation(t, t_off, t_len, s, s_off, s_len, True)


def test_case_recall_counts_both_sides() -> None:
    case = A(0, 100, 0, 100)
    # Detection covers this-side 50..100 and source-side 50..150: 50 + 50 of 200 chars.
    assert case_recall(case, [A(50, 100, 50, 100)]) == 0.5
    # 25..100 on both sides: 75 + 75 of 200.
    assert case_recall(case, [A(25, 75, 25, 75)]) == 0.75
    # Overlapping detections are united, not added: 25..100 and 50..150 -> still 75 + 75.
    assert case_recall(case, [A(25, 75, 25, 75), A(50, 100, 50, 100)]) == 0.75
    # Same suspicious range but another source: no overlap at all.
    assert case_recall(case, [A(0, 100, 0, 100, s="r2")]) == 0.0
    # Adjacent, not overlapping.
    assert case_recall(case, [A(100, 100, 100, 100)]) == 0.0


def test_macro_recall_and_precision() -> None:
    c1 = A(0, 100, 0, 100)
    c2 = A(0, 100, 0, 100, t="s2", s="r2")
    # Only the first of two cases detected, fully: recall (1 + 0) / 2.
    assert macro_recall({c1, c2}, {c1}) == 0.5
    # Precision: that detection is all plagiarism.
    assert macro_precision({c1, c2}, {c1}) == 1.0
    # A detection twice as long as the case: recall 1, precision (100 + 100) / 400.
    d = A(0, 200, 0, 200)
    assert macro_recall({c1}, {d}) == 1.0
    assert macro_precision({c1}, {d}) == 0.5
    assert macro_recall(set(), set()) == 1.0
    assert macro_recall({c1}, set()) == 0.0
    assert macro_precision(set(), {c1}) == 0.0


def test_granularity_and_plagdet() -> None:
    case = A(0, 100, 0, 100)
    halves = {A(0, 50, 0, 50), A(50, 50, 50, 50)}
    # One case detected by two detections.
    assert granularity({case}, halves) == 2.0
    m = measures({case}, halves)
    assert m.recall == 1.0 and m.precision == 1.0
    # plagdet = F1 / log2(1 + 2) = 1 / 1.58496...
    assert m.plagdet == pytest.approx(1 / math.log2(3))
    assert plagdet_score(0.5, 1.0, 1.0) == pytest.approx(2 / 3)
    assert plagdet_score(0.25, 0.75, 2.0) == pytest.approx(0.23659865)
    assert plagdet_score(0.0, 0.0, 1.0) == 0.0
    assert granularity({case}, set()) == 1.0


def test_mixed_example_by_hand() -> None:
    # Two cases in one document; three detections:
    #   d1 covers case 1 exactly; d2 covers the first half of case 2 (this 200..250 and
    #   source 500..550); d3 is a false detection elsewhere.
    c1, c2 = A(0, 100, 0, 100), A(200, 100, 500, 100)
    d1, d2, d3 = A(0, 100, 0, 100), A(200, 50, 500, 50), A(400, 100, 900, 100)
    m = measures({c1, c2}, {d1, d2, d3})
    # recall = (1 + 100/200) / 2 = 0.75; precision = (1 + 1 + 0) / 3
    assert m.recall == pytest.approx(0.75)
    assert m.precision == pytest.approx(2 / 3)
    assert m.granularity == 1.0
    f1 = 2 * 0.75 * (2 / 3) / (0.75 + 2 / 3)
    assert m.plagdet == pytest.approx(f1)


def test_xml_round_trip(tmp_path) -> None:
    write_detections(
        tmp_path / "suspicious-document00001.xml",
        "suspicious-document00001.txt",
        [(10, 20, "source-document00002.txt", 30, 40), (100, 5, "source-document00003.txt", 0, 5)],
    )
    anns = read_annotations(tmp_path / "suspicious-document00001.xml", "plagiarism")
    assert anns == {
        Annotation("suspicious-document00001", 10, 20, "source-document00002", 30, 40, True),
        Annotation("suspicious-document00001", 100, 5, "source-document00003", 0, 5, True),
    }
    assert read_annotation_dir(tmp_path) == anns


def test_reads_pan_truth_format(tmp_path) -> None:
    (tmp_path / "t.xml").write_text(
        '<document reference="suspicious-document00005.txt">\n'
        '<feature name="plagiarism" obfuscation="none" source_length="698" source_offset="1300"'
        ' source_reference="source-document01090.txt" this_length="698" this_offset="3593"'
        ' type="artificial" />\n<feature name="about" language="en" />\n</document>',
        encoding="utf-8",
    )
    assert read_annotations(tmp_path / "t.xml") == {
        Annotation("suspicious-document00005", 3593, 698, "source-document01090", 1300, 698, True)
    }
