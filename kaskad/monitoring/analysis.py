"""Item analysis of a study test: psychometrics.ctt and psychometrics.rasch on the scored
responses, joined with the items' keys, strands and skills, for the test authors."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaskad.monitoring import psychometrics
from kaskad.monitoring.reports.results import TestData

FLAG_LABELS = {
    psychometrics.FLAG_HARD: gettext_lazy("very hard (p < 0.2)"),
    psychometrics.FLAG_EASY: gettext_lazy("very easy (p > 0.95)"),
    psychometrics.FLAG_LOW_DISCRIMINATION: gettext_lazy("low discrimination (item–rest < 0.2)"),
    psychometrics.FLAG_NO_VARIANCE: gettext_lazy("no variance"),
    psychometrics.FLAG_NO_RESPONSES: gettext_lazy("no responses"),
}
MISFIT_LOW = 0.7
MISFIT_HIGH = 1.3


def _num(value: float) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


@dataclass
class ItemAnalysis:
    n_pupils: int
    alpha: float | None
    sem: float | None
    mean: float | None
    sd: float | None
    max_total: float
    rows: list[dict[str, Any]]
    rasch_error: str
    population_sd: float | None
    flagged: int


def item_analysis(data: TestData) -> ItemAnalysis:
    matrix = data.matrix
    if matrix.shape[0] < 2 or matrix.shape[1] < 2:
        return ItemAnalysis(
            n_pupils=int(matrix.shape[0]),
            alpha=None,
            sem=None,
            mean=None,
            sd=None,
            max_total=data.max_total,
            rows=[],
            rasch_error=_("At least two pupils and two items are needed for an item analysis."),
            population_sd=None,
            flagged=0,
        )
    classical = psychometrics.ctt(matrix, data.max_scores)
    rasch: psychometrics.RaschResult | None = None
    rasch_error = ""
    try:
        rasch = psychometrics.rasch(matrix, data.max_scores)
    except ValueError as error:
        rasch_error = _("The Rasch model could not be fitted: %(reason)s") % {"reason": error}
    rows = []
    flagged = 0
    for j, item in enumerate(data.items):
        c = classical.items[j]
        r = rasch.items[j] if rasch is not None else None
        flags = [str(FLAG_LABELS.get(f, f)) for f in c.flags]
        misfit = (
            r is not None
            and r.status == psychometrics.STATUS_OK
            and (
                not MISFIT_LOW <= r.infit <= MISFIT_HIGH
                or not MISFIT_LOW <= r.outfit <= MISFIT_HIGH
            )
        )
        if misfit:
            flags.append(
                str(_("misfit (infit or outfit outside %(low)s–%(high)s)"))
                % {"low": MISFIT_LOW, "high": MISFIT_HIGH}
            )
        flagged += bool(flags)
        rows.append(
            {
                "item": item,
                "n": c.n_answered,
                "facility": _num(c.facility),
                "item_total": _num(c.item_total),
                "item_rest": _num(c.item_rest),
                "alpha_if_deleted": _num(c.alpha_if_deleted),
                "difficulty": _num(r.difficulty) if r else None,
                "difficulty_se": _num(r.difficulty_se) if r else None,
                "infit": _num(r.infit) if r else None,
                "outfit": _num(r.outfit) if r else None,
                "flags": flags,
                "codes": list(c.flags),
            }
        )
    return ItemAnalysis(
        n_pupils=classical.n_pupils,
        alpha=_num(classical.alpha),
        sem=_num(classical.sem),
        mean=_num(classical.mean),
        sd=_num(classical.sd),
        max_total=classical.max_total,
        rows=rows,
        rasch_error=rasch_error,
        population_sd=_num(rasch.population_sd) if rasch else None,
        flagged=flagged,
    )


def as_matrix(data: TestData) -> np.ndarray:
    return data.matrix
