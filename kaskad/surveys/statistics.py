"""The numbers behind the results page, on a responses × questions matrix (NaN: no answer).
Plain numpy, no Django."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

MIN_CELL = 5  # no count below this is ever shown


def cronbach_alpha(items: NDArray[np.float64]) -> float | None:
    """Cronbach's alpha of a respondents × items matrix, over the respondents who answered
    every item (listwise). None when it is undefined (fewer than two items or respondents, or
    no variance in the totals)."""
    if items.ndim != 2 or items.shape[1] < 2:
        return None
    complete = items[~np.isnan(items).any(axis=1)]
    if complete.shape[0] < 2:
        return None
    k = complete.shape[1]
    item_variances = complete.var(axis=0, ddof=1).sum()
    total_variance = complete.sum(axis=1).var(ddof=1)
    if total_variance <= 0:
        return None
    return float(k / (k - 1) * (1 - item_variances / total_variance))


def suppress(counts: list[int], *, minimum: int = MIN_CELL) -> list[int | None]:
    """The counts with every cell of 1 to minimum-1 hidden (None); if only one cell is hidden
    and others are shown, the smallest other non-zero cell is hidden too, so the hidden one
    cannot be worked out from the total."""
    shown: list[int | None] = [None if 0 < c < minimum else c for c in counts]
    hidden = [i for i, c in enumerate(shown) if c is None]
    if len(hidden) == 1:
        others = [(c, i) for i, c in enumerate(counts) if i not in hidden and c > 0]
        if others:
            shown[min(others)[1]] = None
    return shown


def column_counts(column: NDArray[np.float32], codes: list[float]) -> list[int]:
    """How many responses chose each code (a select_one column)."""
    if codes == [float(i) for i in range(1, len(codes) + 1)]:
        # Codes 1..k (the usual Likert scale): one pass with bincount.
        answered = column[~np.isnan(column)].astype(np.int64)
        answered = answered[(answered >= 1) & (answered <= len(codes))]
        return [int(c) for c in np.bincount(answered, minlength=len(codes) + 1)[1:]]
    return [int(np.count_nonzero(column == code)) for code in codes]


def mask_counts(column: NDArray[np.float32], n_choices: int) -> list[int]:
    """How many responses ticked each choice (a select_multiple column, bit masks)."""
    answered = column[~np.isnan(column)].astype(np.int64)
    return [int(np.count_nonzero(answered & (1 << i))) for i in range(n_choices)]


def mean_sd(column: NDArray[np.float32]) -> tuple[int, float | None, float | None]:
    values = column[~np.isnan(column)].astype(np.float64)
    n = int(values.size)
    if n == 0:
        return 0, None, None
    mean = float(values.mean())
    sd = float(values.std(ddof=1)) if n > 1 else None
    return n, mean, (None if sd is None or math.isnan(sd) else sd)
