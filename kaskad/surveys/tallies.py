"""The sufficient statistics of a set of responses: everything the results page shows, as sums
that add up across responses (docs/adr/0008-anonymous-surveys.md, "Results from tallies").

For a form, `layout` fixes one flat float64 vector:

- position 0: the number of responses;
- per numeric question: answered, sum, sum of squares, then one count per choice (select_one:
  responses with that choice; select_multiple: responses ticking it; none for other types);
- per scale (Likert items sharing a list): complete respondents (every item answered), the sum
  and the sum of squares of their scale totals, then per item the sum and the sum of squares
  over those respondents.

Means, standard deviations, item variances and the variance of the scale total (so Cronbach's
alpha) follow from these sums exactly; the vector of a set of responses is the sum of theirs.
Plain numpy, no Django."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kaskad.surveys import definition as forms
from kaskad.surveys import statistics


@dataclass(frozen=True)
class QuestionSlot:
    name: str
    column: int  # in the packed vector
    offset: int  # in the tally
    choices: int  # counts that follow answered, sum, sum of squares


@dataclass(frozen=True)
class ScaleSlot:
    name: str
    columns: tuple[int, ...]
    offset: int


@dataclass(frozen=True)
class Layout:
    questions: dict[str, QuestionSlot]
    scales: dict[str, ScaleSlot]
    width: int


def layout(definition: Mapping[str, Any]) -> Layout:
    numeric = forms.numeric_questions(definition)
    columns = {q["name"]: i for i, q in enumerate(numeric)}
    offset = 1
    questions: dict[str, QuestionSlot] = {}
    for question in numeric:
        choices = (
            len(question.get("choices", []))
            if question["type"] in ("select_one", "select_multiple")
            else 0
        )
        questions[question["name"]] = QuestionSlot(
            question["name"], columns[question["name"]], offset, choices
        )
        offset += 3 + choices
    scales: dict[str, ScaleSlot] = {}
    for name, items in forms.scales(definition).items():
        scales[name] = ScaleSlot(name, tuple(columns[q["name"]] for q in items), offset)
        offset += 3 + 2 * len(items)
    return Layout(questions, scales, offset)


def summarise(
    definition: Mapping[str, Any], matrix: NDArray[np.float32], *, shape: Layout | None = None
) -> NDArray[np.float64]:
    """The tally of a responses × numeric questions matrix (NaN: no answer)."""
    shape = shape or layout(definition)
    tally = np.zeros(shape.width, dtype=np.float64)
    tally[0] = matrix.shape[0]
    by_name = {q["name"]: q for q in forms.numeric_questions(definition)}
    for slot in shape.questions.values():
        question = by_name[slot.name]
        column = matrix[:, slot.column]
        values = column[~np.isnan(column)].astype(np.float64)
        at = slot.offset
        tally[at : at + 3] = (values.size, values.sum(), np.square(values).sum())
        if question["type"] == "select_one":
            codes = forms.choice_codes(question)
            counts = statistics.column_counts(
                column, [codes[c["name"]] for c in question.get("choices", [])]
            )
            tally[at + 3 : at + 3 + slot.choices] = counts
        elif question["type"] == "select_multiple":
            tally[at + 3 : at + 3 + slot.choices] = statistics.mask_counts(column, slot.choices)
    for scale in shape.scales.values():
        block = matrix[:, list(scale.columns)].astype(np.float64)
        complete = block[~np.isnan(block).any(axis=1)]
        totals = complete.sum(axis=1)
        k = len(scale.columns)
        at = scale.offset
        tally[at : at + 3] = (complete.shape[0], totals.sum(), np.square(totals).sum())
        tally[at + 3 : at + 3 + k] = complete.sum(axis=0)
        tally[at + 3 + k : at + 3 + 2 * k] = np.square(complete).sum(axis=0)
    return tally


def pack(tally: NDArray[np.float64]) -> bytes:
    return tally.astype("<f8").tobytes()


def unpack(data: bytes | memoryview) -> NDArray[np.float64]:
    return np.frombuffer(bytes(data), dtype="<f8").astype(np.float64)


def _variance(n: float, total: float, squares: float) -> float:
    """The sample variance from n, Σx and Σx² (n ≥ 2); never below zero."""
    return max(0.0, (n * squares - total * total) / (n * (n - 1)))


def question_figures(
    tally: NDArray[np.float64], slot: QuestionSlot
) -> tuple[int, list[int], float | None, float | None]:
    """(answered, counts per choice, mean, SD) of one question."""
    at = slot.offset
    answered, total, squares = (float(x) for x in tally[at : at + 3])
    counts = [round(float(c)) for c in tally[at + 3 : at + 3 + slot.choices]]
    n = round(answered)
    if n == 0:
        return 0, counts, None, None
    mean = total / answered
    sd = math.sqrt(_variance(answered, total, squares)) if n > 1 else None
    return n, counts, mean, sd


def scale_figures(
    tally: NDArray[np.float64], slot: ScaleSlot
) -> tuple[int, float | None, float | None]:
    """(complete respondents, mean item score, Cronbach's alpha) of one scale."""
    k = len(slot.columns)
    at = slot.offset
    n, total, squares = (float(x) for x in tally[at : at + 3])
    sums = tally[at + 3 : at + 3 + k]
    item_squares = tally[at + 3 + k : at + 3 + 2 * k]
    respondents = round(n)
    if respondents == 0:
        return 0, None, None
    mean = total / (n * k)
    if respondents < 2 or k < 2:
        return respondents, mean, None
    item_variances = sum(
        _variance(n, float(s), float(q)) for s, q in zip(sums, item_squares, strict=True)
    )
    total_variance = _variance(n, total, squares)
    # Relative to the size of the totals: a variance of rounding noise is no variance.
    if total_variance <= 1e-12 * max(1.0, squares / n):
        return respondents, mean, None
    return respondents, mean, float(k / (k - 1) * (1 - item_variances / total_variance))


Cell = tuple[int | None, int | None, str]  # organisation, area, group


def by_cell(
    definition: Mapping[str, Any],
    rows: Iterable[tuple[int | None, int | None, str, bytes | memoryview]],
) -> dict[Cell, NDArray[np.float64]]:
    """The tallies of (organisation, area, group, packed answers) rows, per filter cell."""
    shape = layout(definition)
    width = len(forms.numeric_questions(definition))
    packed: dict[Cell, list[bytes]] = {}
    for organisation, area, group, vector in rows:
        packed.setdefault((organisation, area, group), []).append(bytes(vector))
    tallies: dict[Cell, NDArray[np.float64]] = {}
    for cell, vectors in packed.items():
        data = b"".join(vectors)
        matrix = np.frombuffer(data, dtype="<f4").reshape(len(vectors), width)
        tallies[cell] = summarise(definition, matrix, shape=shape)
    return tallies
