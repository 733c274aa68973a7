"""The numbers every report of a study test reads, computed once with numpy.

A pupil's score is the sum of their item scores (an unanswered item scores 0), the percent is
of the test's maximum, the band follows the study's thresholds. Strands are the items'
content strands in the order they first appear in the test. Groups with fewer than
``MIN_GROUP`` pupils are suppressed in comparisons between schools.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from kaskad.monitoring.models import DEFAULT_BANDS, Band, Item, Response, StudyTest

MIN_GROUP = 10
Z95 = 1.959964


@dataclass(frozen=True)
class PupilInfo:
    pk: int
    code: str
    school_id: int
    class_label: str
    language: str
    sex: str


@dataclass
class TestData:
    study_test: StudyTest
    items: list[Item]
    max_scores: np.ndarray
    strands: list[str]
    strand_of_item: np.ndarray  # strand index per item
    pupils: list[PupilInfo]
    matrix: np.ndarray  # pupils × items, NaN = not answered
    totals: np.ndarray
    percents: np.ndarray
    bands: list[str]
    strand_percents: np.ndarray  # pupils × strands
    index_of: dict[int, int] = field(default_factory=dict)  # pupil pk -> row

    @property
    def max_total(self) -> float:
        return float(self.max_scores.sum())

    def rows(self, *, school_id: int | None = None, class_label: str | None = None) -> np.ndarray:
        mask = np.ones(len(self.pupils), dtype=bool)
        if school_id is not None:
            mask &= np.array([p.school_id == school_id for p in self.pupils], dtype=bool)
        if class_label is not None:
            mask &= np.array([p.class_label == class_label for p in self.pupils], dtype=bool)
        return np.flatnonzero(mask)


def band_thresholds(study_test: StudyTest) -> list[dict[str, Any]]:
    bands = study_test.study.bands or DEFAULT_BANDS
    return sorted(bands, key=lambda b: float(b["from"]))


def band_of(percent: float, thresholds: list[dict[str, Any]]) -> str:
    band = str(thresholds[0]["code"])
    for entry in thresholds:
        if percent >= float(entry["from"]):
            band = str(entry["code"])
    return band


def band_label(code: str) -> str | Promise:
    """The band's name, translated when it is shown (a report may be computed in one language
    and printed in another)."""
    try:
        return Band(code).label
    except ValueError:
        return code


def load(study_test: StudyTest, *, school_ids: Iterable[int] | None = None) -> TestData:
    items = list(study_test.form.items.order_by("position"))
    max_scores = np.array([float(i.max_score) for i in items]) if items else np.zeros(0)
    strands: list[str] = []
    for item in items:
        if item.strand not in strands:
            strands.append(item.strand)
    strand_of_item = np.array([strands.index(i.strand) for i in items], dtype=np.int64)
    responses = Response.objects.filter(study_test=study_test)
    if school_ids is not None:
        responses = responses.filter(pupil__school_id__in=list(school_ids))
    rows = list(
        responses.order_by("pupil__school_id", "pupil__class_label", "pupil__code").values_list(
            "pupil_id",
            "pupil__code",
            "pupil__school_id",
            "pupil__class_label",
            "pupil__language",
            "pupil__sex",
            "scores",
        )
    )
    pupils = [PupilInfo(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]
    n_items = len(items)
    matrix = np.full((len(rows), n_items), np.nan)
    for i, row in enumerate(rows):
        scores = row[6] or []
        matrix[i, : len(scores)] = [np.nan if s is None else s for s in scores[:n_items]]
    scored = np.nan_to_num(matrix, nan=0.0)
    totals = scored.sum(axis=1) if n_items else np.zeros(len(rows))
    max_total = float(max_scores.sum()) or 1.0
    percents = totals / max_total * 100
    thresholds = band_thresholds(study_test)
    bands = [band_of(float(p), thresholds) for p in percents]
    strand_percents = np.zeros((len(rows), len(strands)))
    for s in range(len(strands)):
        columns = strand_of_item == s
        strand_percents[:, s] = scored[:, columns].sum(axis=1) / max_scores[columns].sum() * 100
    return TestData(
        study_test=study_test,
        items=items,
        max_scores=max_scores,
        strands=strands,
        strand_of_item=strand_of_item,
        pupils=pupils,
        matrix=matrix,
        totals=totals,
        percents=percents,
        bands=bands,
        strand_percents=strand_percents,
        index_of={p.pk: i for i, p in enumerate(pupils)},
    )


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if values.size else None


def _sd(values: np.ndarray) -> float | None:
    return float(values.std(ddof=1)) if values.size > 1 else None


@dataclass
class GroupSummary:
    n: int
    mean_percent: float | None
    strand_percents: list[float | None]


def summary(data: TestData, rows: np.ndarray) -> GroupSummary:
    return GroupSummary(
        n=int(rows.size),
        mean_percent=_mean(data.percents[rows]),
        strand_percents=[_mean(data.strand_percents[rows, s]) for s in range(len(data.strands))],
    )


def group_summaries(
    data: TestData,
) -> tuple[dict[tuple[int, str], GroupSummary], dict[int, GroupSummary], GroupSummary]:
    """Every class, every school and the whole study, computed once (for bulk reports)."""
    classes: dict[tuple[int, str], list[int]] = {}
    schools: dict[int, list[int]] = {}
    for i, p in enumerate(data.pupils):
        classes.setdefault((p.school_id, p.class_label), []).append(i)
        schools.setdefault(p.school_id, []).append(i)
    return (
        {k: summary(data, np.array(v)) for k, v in classes.items()},
        {k: summary(data, np.array(v)) for k, v in schools.items()},
        summary(data, np.arange(len(data.pupils))),
    )


def individual(
    data: TestData,
    index: int,
    *,
    class_summary: GroupSummary,
    school_summary: GroupSummary,
) -> dict[str, Any]:
    """What a pupil's individual report shows."""
    pupil = data.pupils[index]
    strands = []
    for s, name in enumerate(data.strands):
        columns = data.strand_of_item == s
        score = float(np.nan_to_num(data.matrix[index, columns]).sum())
        strands.append(
            {
                "name": name,
                "score": score,
                "max": float(data.max_scores[columns].sum()),
                "percent": float(data.strand_percents[index, s]),
                "class_percent": class_summary.strand_percents[s],
                "school_percent": school_summary.strand_percents[s],
            }
        )
    return {
        "pupil": pupil,
        "score": float(data.totals[index]),
        "max": data.max_total,
        "percent": float(data.percents[index]),
        "band": data.bands[index],
        "band_label": band_label(data.bands[index]),
        "class_percent": class_summary.mean_percent,
        "school_percent": school_summary.mean_percent,
        "class_n": class_summary.n,
        "school_n": school_summary.n,
        "strands": strands,
    }


def _facilities(data: TestData, rows: np.ndarray) -> list[float | None]:
    out: list[float | None] = []
    for j in range(len(data.items)):
        column = data.matrix[rows, j]
        answered = column[~np.isnan(column)]
        out.append(float(answered.mean() / data.max_scores[j]) if answered.size else None)
    return out


def class_report(
    data: TestData, *, school_id: int, class_label: str | None = None
) -> dict[str, Any]:
    """A class (or, with no class, the school's whole grade): distribution, mean, SD, share
    in each band, item facilities against the school and all schools of the study."""
    rows = data.rows(school_id=school_id, class_label=class_label)
    school_rows = data.rows(school_id=school_id)
    all_rows = np.arange(len(data.pupils))
    max_total = round(data.max_total)
    whole = bool(np.all(data.totals == np.round(data.totals)))
    distribution = (
        np.bincount(data.totals[rows].astype(np.int64), minlength=max_total + 1).tolist()
        if whole and rows.size
        else [0] * (max_total + 1)
    )
    thresholds = band_thresholds(data.study_test)
    band_counts = {str(b["code"]): 0 for b in thresholds}
    for i in rows:
        band_counts[data.bands[i]] = band_counts.get(data.bands[i], 0) + 1
    bands = [
        {
            "code": code,
            "label": band_label(code),
            "n": n,
            "share": n / rows.size * 100 if rows.size else None,
        }
        for code, n in band_counts.items()
    ]
    facility = _facilities(data, rows)
    school_facility = _facilities(data, school_rows)
    all_facility = _facilities(data, all_rows)
    items = [
        {
            "item": item,
            "facility": facility[j],
            "school": school_facility[j],
            "all": all_facility[j],
        }
        for j, item in enumerate(data.items)
    ]
    return {
        "n": int(rows.size),
        "mean": _mean(data.totals[rows]),
        "sd": _sd(data.totals[rows]),
        "mean_percent": _mean(data.percents[rows]),
        "max": data.max_total,
        "distribution": distribution,
        "bands": bands,
        "items": items,
        "school_mean_percent": _mean(data.percents[school_rows]),
        "all_mean_percent": _mean(data.percents),
        "strands": [
            {
                "name": name,
                "percent": _mean(data.strand_percents[rows, s]),
                "school": _mean(data.strand_percents[school_rows, s]),
                "all": _mean(data.strand_percents[:, s]),
            }
            for s, name in enumerate(data.strands)
        ],
    }


def school_comparison(data: TestData, names: dict[int, str]) -> dict[str, Any]:
    """Mean percent per school with a 95 % confidence interval (t ≈ normal); a school with
    fewer than MIN_GROUP pupils is shown as suppressed, with no figure at all."""
    rows_by_school: dict[int, list[int]] = {}
    for i, p in enumerate(data.pupils):
        rows_by_school.setdefault(p.school_id, []).append(i)
    out = []
    for school_id, name in sorted(names.items(), key=lambda kv: kv[1]):
        rows = np.array(rows_by_school.get(school_id, []), dtype=np.int64)
        n = int(rows.size)
        if n < MIN_GROUP:
            out.append({"school_id": school_id, "name": name, "n": n, "suppressed": True})
            continue
        values = data.percents[rows]
        mean = float(values.mean())
        sd = float(values.std(ddof=1))
        half = Z95 * sd / math.sqrt(n)
        out.append(
            {
                "school_id": school_id,
                "name": name,
                "n": n,
                "suppressed": False,
                "mean": mean,
                "sd": sd,
                "low": max(0.0, mean - half),
                "high": min(100.0, mean + half),
            }
        )
    all_values = data.percents
    overall = None
    if all_values.size >= MIN_GROUP:
        mean = float(all_values.mean())
        half = Z95 * float(all_values.std(ddof=1)) / math.sqrt(all_values.size)
        overall = {"n": int(all_values.size), "mean": mean, "low": mean - half, "high": mean + half}
    return {"schools": out, "overall": overall, "min_group": MIN_GROUP}


def suppressed_note() -> str:
    return _("Groups of fewer than %(n)s pupils are not shown.") % {"n": MIN_GROUP}
