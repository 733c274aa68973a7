"""Observer agreement statistics for lesson observation.

Two observers (or more) watch the same lessons and score them on the same
rubric; before their scores are used, we need to know how far they agree.

* :func:`icc` gives the six intraclass correlations of Shrout & Fleiss (1979)
  for continuous (or many-point) scores, with the F tests and 95 % confidence
  intervals of Shrout & Fleiss (1979) and McGraw & Wong (1996).
* :func:`weighted_kappa` gives Cohen's (weighted) kappa for two observers on an
  ordered scale, with the large-sample standard errors of Fleiss, Cohen &
  Everitt (1969).
* :func:`exact_and_adjacent_agreement` gives the plain shares of identical and
  within-one-point scores, the figures observers themselves understand.
* :func:`agreement_by_element` applies the two-observer statistics to every
  rubric element of many double-coded observations.

Pure numpy on purpose (scipy is not available): the F distribution needed for
the confidence intervals is computed here from the regularised incomplete beta
function. Errors are plain :class:`ValueError` messages (English) naming what is
wrong and where, for the calling layer to check input against before it reaches
users, or to word in their language.

References
----------
Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in
assessing rater reliability. Psychological Bulletin, 86(2), 420-428.
McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
correlation coefficients. Psychological Methods, 1(1), 30-46.
Cohen, J. (1968). Weighted kappa. Psychological Bulletin, 70(4), 213-220.
Fleiss, J. L., Cohen, J., & Everitt, B. S. (1969). Large sample standard
errors of kappa and weighted kappa. Psychological Bulletin, 72(5), 323-327.
Press, W. H., et al. Numerical Recipes, 3rd ed., section 6.4 (betacf).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "ElementAgreement",
    "ICCEstimate",
    "ICCResult",
    "KappaResult",
    "agreement_by_element",
    "exact_and_adjacent_agreement",
    "f_cdf",
    "f_quantile",
    "f_sf",
    "icc",
    "regularized_incomplete_beta",
    "weighted_kappa",
]

Weights = Literal["quadratic", "linear", "none"]
# Rubric element keys: whatever the caller uses (codes, ids), as long as hashable.
ElementKey = TypeVar("ElementKey", bound=Hashable)

# --------------------------------------------------------------------------
# F distribution without scipy
# --------------------------------------------------------------------------

# Convergence takes O(sqrt(max(a, b))) steps (Numerical Recipes); this covers
# degrees of freedom in the millions.
_BETACF_MAX_ITERATIONS = 10_000
_BETACF_EPSILON = 1e-15
# Lentz's method divides by these; a tiny floor keeps it from dividing by zero.
_BETACF_FLOOR = 1e-300


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta (Numerical Recipes ``betacf``).

    Evaluated with the modified Lentz method; it converges quickly for
    ``x < (a + 1) / (a + b + 2)``, which the caller guarantees by symmetry.
    """
    qab = a + b
    qap = a + 1.0
    qam = a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    if abs(d) < _BETACF_FLOOR:
        d = _BETACF_FLOOR
    d = 1.0 / d
    h = d
    for m in range(1, _BETACF_MAX_ITERATIONS + 1):
        m2 = 2 * m
        # Even step of the recurrence.
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        if abs(d) < _BETACF_FLOOR:
            d = _BETACF_FLOOR
        c = 1.0 + aa / c
        if abs(c) < _BETACF_FLOOR:
            c = _BETACF_FLOOR
        d = 1.0 / d
        h *= d * c
        # Odd step.
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        if abs(d) < _BETACF_FLOOR:
            d = _BETACF_FLOOR
        c = 1.0 + aa / c
        if abs(c) < _BETACF_FLOOR:
            c = _BETACF_FLOOR
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _BETACF_EPSILON:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """``I_x(a, b)``, the regularised incomplete beta function (``a, b > 0``)."""
    if a <= 0 or b <= 0:
        raise ValueError(f"beta parameters must be positive, got a={a}, b={b}")
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must lie in [0, 1], got {x}")
    if x in (0.0, 1.0):
        return x
    # log of x^a (1-x)^b / (a B(a, b)) without overflow for large a, b.
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only on one side of the mean;
    # use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) on the other.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def f_cdf(f: float, df1: float, df2: float) -> float:
    """P(F <= f) for the F distribution with ``df1``, ``df2`` degrees of freedom."""
    if df1 <= 0 or df2 <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df1}, {df2}")
    if f <= 0:
        return 0.0
    if math.isinf(f):
        return 1.0
    x, y = _beta_arguments(f, df1, df2)
    if x <= 0.5:
        return regularized_incomplete_beta(df1 / 2.0, df2 / 2.0, x)
    return 1.0 - regularized_incomplete_beta(df2 / 2.0, df1 / 2.0, y)


def f_sf(f: float, df1: float, df2: float) -> float:
    """P(F > f), computed directly so that small p-values keep their digits."""
    if df1 <= 0 or df2 <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df1}, {df2}")
    if f <= 0:
        return 1.0
    if math.isinf(f):
        return 0.0
    x, y = _beta_arguments(f, df1, df2)
    if x <= 0.5:
        return 1.0 - regularized_incomplete_beta(df1 / 2.0, df2 / 2.0, x)
    return regularized_incomplete_beta(df2 / 2.0, df1 / 2.0, y)


def _beta_arguments(f: float, df1: float, df2: float) -> tuple[float, float]:
    """``x = df1 f / (df1 f + df2)`` and ``1 - x``, each computed without cancellation."""
    total = df1 * f + df2
    return df1 * f / total, df2 / total


def f_quantile(p: float, df1: float, df2: float) -> float:
    """The ``p`` quantile of the F distribution (``0 < p < 1``).

    Degrees of freedom may be fractional (the ICC(2,1) interval uses
    Satterthwaite's approximate ones). The beta-scale variable
    ``x = df1 F / (df1 F + df2)`` lives in [0, 1] and ``I_x`` is monotone in it,
    so bisection there cannot fail. Far in the upper tail ``x`` crowds against
    1 where floats are coarse, so that half is solved for ``1 - x`` instead
    (``I_x(a, b) = 1 - I_{1-x}(b, a)``), keeping full relative precision.
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"probability must lie strictly between 0 and 1, got {p}")
    if df1 <= 0 or df2 <= 0:
        raise ValueError(f"degrees of freedom must be positive, got {df1}, {df2}")
    a, b = df1 / 2.0, df2 / 2.0
    if p <= regularized_incomplete_beta(a, b, 0.5):
        x = _bisect_beta(a, b, p)
        return df2 * x / (df1 * (1.0 - x))
    y = _bisect_beta(b, a, 1.0 - p)  # y = 1 - x
    if y == 0.0:
        return math.inf
    return df2 * (1.0 - y) / (df1 * y)


def _bisect_beta(a: float, b: float, p: float) -> float:
    """The ``x`` in [0, 0.5] with ``I_x(a, b) = p`` (caller ensures it is there)."""
    low, high = 0.0, 0.5
    # 1100 halvings reach the smallest subnormal; the loop stops earlier, as
    # soon as the midpoint can no longer be told from an end.
    for _ in range(1100):
        mid = (low + high) / 2.0
        if mid in (low, high):
            break
        if regularized_incomplete_beta(a, b, mid) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2.0


# --------------------------------------------------------------------------
# Intraclass correlation
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ICCEstimate:
    """One intraclass correlation with its F test and confidence interval."""

    value: float
    f: float  # F statistic of the test of ICC = 0
    df1: float
    df2: float
    p_value: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, slots=True)
class ICCResult:
    """All six Shrout & Fleiss (1979) ICCs and the ANOVA they come from.

    ``icc1_1`` … ``icc3_k`` are ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k),
    ICC(2,k), ICC(3,k). In McGraw & Wong's terms ICC(2,·) is absolute
    agreement and ICC(3,·) consistency; lesson observation usually wants
    ICC(2,1): would another trained observer give the same score?
    """

    n_targets: int
    n_judges: int
    bms: float  # between-targets mean square
    wms: float  # within-target mean square (one-way ANOVA)
    jms: float  # between-judges mean square
    ems: float  # residual mean square (two-way ANOVA)
    confidence: float
    icc1_1: ICCEstimate
    icc2_1: ICCEstimate
    icc3_1: ICCEstimate
    icc1_k: ICCEstimate
    icc2_k: ICCEstimate
    icc3_k: ICCEstimate


def _as_ratings_matrix(ratings: npt.ArrayLike) -> npt.NDArray[np.float64]:
    try:
        matrix = np.asarray(ratings, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "ratings must be a rectangular table of numbers (rows = lessons, columns = observers)"
        ) from exc
    if matrix.ndim != 2:
        raise ValueError(
            f"ratings must be a 2-D table (rows = lessons, columns = observers), "
            f"got {matrix.ndim} dimension(s)"
        )
    n, k = matrix.shape
    if n < 2:
        raise ValueError(f"ratings need at least 2 lessons (rows), got {n}")
    if k < 2:
        raise ValueError(f"ratings need at least 2 observers (columns), got {k}")
    missing = np.argwhere(np.isnan(matrix))
    if missing.size:
        row, col = (int(i) for i in missing[0])
        raise ValueError(
            f"ratings have {len(missing)} missing value(s); the first is at "
            f"row {row}, column {col} (every observer must score every lesson)"
        )
    infinite = np.argwhere(~np.isfinite(matrix))
    if infinite.size:
        row, col = (int(i) for i in infinite[0])
        raise ValueError(f"ratings must be finite; row {row}, column {col} is {matrix[row, col]}")
    return matrix


def icc(ratings: npt.ArrayLike, *, confidence: float = 0.95) -> ICCResult:
    """Intraclass correlations of Shrout & Fleiss (1979) for a complete table.

    ``ratings`` has one row per lesson (target) and one column per observer
    (judge); every observer must have scored every lesson. Raises
    :class:`ValueError` naming the problem for missing or non-finite values,
    fewer than 2 rows or fewer than 2 columns.

    Degenerate tables do not raise: a coefficient that is 0/0 (say every
    lesson got exactly the same scores) comes back as ``nan``; observers in
    perfect agreement get ICCs and limits of 1 with an infinite F.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must lie strictly between 0 and 1, got {confidence}")
    x = _as_ratings_matrix(ratings)
    n, k = x.shape
    grand = x.mean()
    row_means = x.mean(axis=1)
    col_means = x.mean(axis=0)

    # Each sum of squares from its own residuals rather than by subtraction:
    # subtracting nearly equal sums would turn an exact zero (observers in
    # perfect agreement) into rounding noise.
    ss_rows = float(k * ((row_means - grand) ** 2).sum())
    ss_cols = float(n * ((col_means - grand) ** 2).sum())
    ss_within = float(((x - row_means[:, None]) ** 2).sum())
    residuals = x - row_means[:, None] - col_means[None, :] + grand
    ss_error = float((residuals**2).sum())

    df_rows = n - 1
    df_within = n * (k - 1)
    df_cols = k - 1
    df_error = (n - 1) * (k - 1)

    bms = ss_rows / df_rows
    wms = ss_within / df_within
    jms = ss_cols / df_cols
    ems = ss_error / df_error

    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = _ratio(bms - wms, bms + (k - 1) * wms)
        icc2 = _ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n)
        icc3 = _ratio(bms - ems, bms + (k - 1) * ems)
        icc1k = _ratio(bms - wms, bms)
        icc2k = _ratio(bms - ems, bms + (jms - ems) / n)
        icc3k = _ratio(bms - ems, bms)

    alpha = 1.0 - confidence

    # ICC(1,·): one-way ANOVA, F = BMS / WMS on (n-1, n(k-1)).
    f1 = _ratio(bms, wms)
    p1 = _upper_tail(f1, df_rows, df_within)
    f1_low = _ratio(f1, f_quantile(1 - alpha / 2, df_rows, df_within))
    f1_high = f1 * f_quantile(1 - alpha / 2, df_within, df_rows)

    # ICC(3,·) and the test of ICC(2,·): F = BMS / EMS on (n-1, (n-1)(k-1)).
    f3 = _ratio(bms, ems)
    p3 = _upper_tail(f3, df_rows, df_error)
    f3_low = _ratio(f3, f_quantile(1 - alpha / 2, df_rows, df_error))
    f3_high = f3 * f_quantile(1 - alpha / 2, df_error, df_rows)

    icc2_low, icc2_high = _icc2_interval(icc2, n, k, bms, jms, ems, alpha)

    def single(f_low: float, f_high: float) -> tuple[float, float]:
        def limit(f: float) -> float:
            # (F - 1) / (F + k - 1) tends to 1 as F grows without bound.
            return 1.0 if math.isinf(f) else _ratio(f - 1, f + k - 1)

        return limit(f_low), limit(f_high)

    def average(f_low: float, f_high: float) -> tuple[float, float]:
        return 1 - _ratio(1.0, f_low), 1 - _ratio(1.0, f_high)

    def spearman_brown(r: float) -> float:
        # Reliability of the mean of k observers from that of one.
        return _ratio(k * r, 1 + (k - 1) * r)

    return ICCResult(
        n_targets=n,
        n_judges=k,
        bms=bms,
        wms=wms,
        jms=jms,
        ems=ems,
        confidence=confidence,
        icc1_1=ICCEstimate(icc1, f1, df_rows, df_within, p1, *single(f1_low, f1_high)),
        icc2_1=ICCEstimate(icc2, f3, df_rows, df_error, p3, icc2_low, icc2_high),
        icc3_1=ICCEstimate(icc3, f3, df_rows, df_error, p3, *single(f3_low, f3_high)),
        icc1_k=ICCEstimate(icc1k, f1, df_rows, df_within, p1, *average(f1_low, f1_high)),
        icc2_k=ICCEstimate(
            icc2k,
            f3,
            df_rows,
            df_error,
            p3,
            spearman_brown(icc2_low),
            spearman_brown(icc2_high),
        ),
        icc3_k=ICCEstimate(icc3k, f3, df_rows, df_error, p3, *average(f3_low, f3_high)),
    )


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, with inf/nan instead of ZeroDivisionError."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(numerator) / np.float64(denominator))


def _upper_tail(f: float, df1: float, df2: float) -> float:
    if math.isnan(f):
        return math.nan
    return f_sf(f, df1, df2)


def _icc2_interval(
    icc2: float, n: int, k: int, bms: float, jms: float, ems: float, alpha: float
) -> tuple[float, float]:
    """Approximate interval for ICC(2,1) (Shrout & Fleiss 1979, eq. 7-9).

    ICC(2,1) mixes three mean squares, so there is no exact F; Satterthwaite's
    approximation gives fractional denominator degrees of freedom ``v``.
    """
    if math.isnan(icc2):
        return math.nan, math.nan
    # McGraw & Wong's a and b multiplied through by n(1 - ICC), and v's
    # numerator and denominator by EMS^2, so that neither a perfect ICC nor a
    # zero residual divides by zero.
    a = k * icc2
    b = n * (1 + (k - 1) * icc2) - k * icc2
    v_num = (n - 1) * (k - 1) * (a * jms + b * ems) ** 2
    v_den = (n - 1) * (a * jms) ** 2 + (b * ems) ** 2
    if v_den == 0.0:
        # Observers identical on every lesson: nothing left to be unsure about.
        return (1.0, 1.0) if icc2 == 1.0 else (math.nan, math.nan)
    v = v_num / v_den
    if v <= 0.0:
        # Only when a negative ICC makes a JMS + b EMS vanish: no interval.
        return math.nan, math.nan
    f_upper = f_quantile(1 - alpha / 2, n - 1, v)
    f_lower = f_quantile(1 - alpha / 2, v, n - 1)
    low = n * (bms - f_upper * ems) / (f_upper * (k * jms + (k * n - k - n) * ems) + n * bms)
    high = n * (f_lower * bms - ems) / (k * jms + (k * n - k - n) * ems + n * f_lower * bms)
    return float(low), float(high)


# --------------------------------------------------------------------------
# Cohen's (weighted) kappa
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KappaResult:
    """Cohen's kappa with its large-sample standard errors.

    ``se`` (Fleiss, Cohen & Everitt 1969) is the one for a confidence
    interval around ``kappa``; ``se0`` is the one under the null hypothesis
    kappa = 0 and gives the test statistic ``z = kappa / se0``.
    """

    kappa: float
    se: float
    se0: float
    z: float
    observed_agreement: float  # weighted share of agreement
    expected_agreement: float  # the same expected by chance from the margins
    n: int


def _agreement_weights(categories: int, weights: Weights) -> npt.NDArray[np.float64]:
    """Agreement weights ``w_ij`` in [0, 1] with 1 on the diagonal (Cohen 1968)."""
    idx = np.arange(categories, dtype=np.float64)
    distance = np.abs(idx[:, None] - idx[None, :])
    if weights == "none":
        identity: npt.NDArray[np.float64] = (distance == 0).astype(np.float64)
        return identity
    if categories == 1:
        return np.ones((1, 1))
    span = categories - 1
    if weights == "linear":
        return 1.0 - distance / span
    if weights == "quadratic":
        return 1.0 - (distance / span) ** 2
    raise ValueError(f"weights must be 'quadratic', 'linear' or 'none', got {weights!r}")


def _category_indices(
    ratings: Sequence[Hashable], index: Mapping[Hashable, int], which: str
) -> npt.NDArray[np.intp]:
    positions = np.empty(len(ratings), dtype=np.intp)
    for position, value in enumerate(ratings):
        try:
            positions[position] = index[value]
        except (KeyError, TypeError):
            raise ValueError(
                f"rating {value!r} of observer {which} at position {position} "
                f"is not one of the categories {list(index)}"
            ) from None
    return positions


def weighted_kappa(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    categories: Sequence[Hashable],
    weights: Weights = "quadratic",
) -> KappaResult:
    """Cohen's weighted kappa for two observers on an ordered scale.

    ``a[i]`` and ``b[i]`` are the two observers' ratings of the same lesson.
    ``categories`` lists every possible rating in order: a category nobody used
    still counts, because disagreement weights depend on the distance along the
    whole scale (with 3 unused, a 2 against a 4 is two steps apart, not one).
    ``weights`` is ``"quadratic"`` (default; close to the ICC for interval-like
    scales), ``"linear"``, or ``"none"`` (Cohen's 1960 unweighted kappa).

    When chance agreement is already perfect (both observers always gave the
    same single category), kappa is undefined and comes back as ``nan``.
    """
    if len(a) != len(b):
        raise ValueError(
            f"the two observers must rate the same lessons: {len(a)} ratings from "
            f"observer a, {len(b)} from observer b"
        )
    if len(a) == 0:
        raise ValueError("no ratings to compare")
    cats = list(categories)
    if len(cats) < 2:
        raise ValueError(f"categories need at least 2 values, got {cats}")
    index: dict[Hashable, int] = {}
    for position, value in enumerate(cats):
        if value in index:
            raise ValueError(f"category {value!r} is listed twice (position {position})")
        index[value] = position
    w = _agreement_weights(len(cats), weights)
    rows = _category_indices(a, index, "a")
    cols = _category_indices(b, index, "b")

    n = len(rows)
    table = np.zeros((len(cats), len(cats)), dtype=np.float64)
    np.add.at(table, (rows, cols), 1.0)
    p = table / n
    p_row = p.sum(axis=1)  # observer a's margin
    p_col = p.sum(axis=0)  # observer b's margin

    po = float((w * p).sum())
    pe = float((w * np.outer(p_row, p_col)).sum())
    if math.isclose(pe, 1.0):
        return KappaResult(math.nan, math.nan, math.nan, math.nan, po, pe, n)
    kappa = (po - pe) / (1.0 - pe)

    # Fleiss, Cohen & Everitt (1969): weighted mean agreement of each row and
    # column category against the other observer's margin.
    w_row = w @ p_col  # \bar w_{i.}
    w_col = p_row @ w  # \bar w_{.j}
    w_sum = w_row[:, None] + w_col[None, :]
    var = ((p * (w - w_sum * (1.0 - kappa)) ** 2).sum() - (kappa - pe * (1.0 - kappa)) ** 2) / (
        n * (1.0 - pe) ** 2
    )
    var0 = ((np.outer(p_row, p_col) * (w - w_sum) ** 2).sum() - pe**2) / (n * (1.0 - pe) ** 2)
    # Rounding can leave -1e-18 where the exact variance is 0 (perfect agreement).
    se = math.sqrt(max(float(var), 0.0))
    se0 = math.sqrt(max(float(var0), 0.0))
    z = _ratio(kappa, se0)
    return KappaResult(float(kappa), se, se0, z, po, pe, n)


# --------------------------------------------------------------------------
# Plain agreement shares
# --------------------------------------------------------------------------


def exact_and_adjacent_agreement(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Shares of lessons where two observers' scores are equal / within one point.

    Returns ``(exact, adjacent)``; ``adjacent`` includes the exact matches,
    as observation frameworks conventionally report "within one".
    """
    if len(a) != len(b):
        raise ValueError(
            f"the two observers must rate the same lessons: {len(a)} ratings from "
            f"observer a, {len(b)} from observer b"
        )
    if len(a) == 0:
        raise ValueError("no ratings to compare")
    try:
        xa = np.asarray(a, dtype=np.float64)
        xb = np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError("ratings must be numbers") from exc
    for which, values in (("a", xa), ("b", xb)):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise ValueError(
                f"rating {values[bad[0]]} of observer {which} at position {int(bad[0])} "
                "is not a finite number"
            )
    gap = np.abs(xa - xb)
    return float((gap == 0).mean()), float((gap <= 1).mean())


@dataclass(frozen=True, slots=True)
class ElementAgreement:
    """Two-observer agreement on one rubric element."""

    element: Hashable
    n: int
    exact: float
    adjacent: float
    kappa: KappaResult


def agreement_by_element(
    pairs: Sequence[tuple[Mapping[ElementKey, float], Mapping[ElementKey, float]]],
    categories: Sequence[float],
    weights: Weights = "quadratic",
) -> list[ElementAgreement]:
    """Agreement per rubric element over many double-coded observations.

    ``pairs`` holds one ``(scores_a, scores_b)`` per double-coded lesson, each a
    mapping element -> score. An element counts for a lesson only when both
    observers scored it (an element one observer left blank says nothing
    about agreement). Elements come back in order of first appearance; one
    that no lesson has from both observers is left out.
    """
    columns: dict[ElementKey, tuple[list[float], list[float]]] = {}
    for scores_a, scores_b in pairs:
        for element, score_a in scores_a.items():
            if element in scores_b:
                col_a, col_b = columns.setdefault(element, ([], []))
                col_a.append(score_a)
                col_b.append(scores_b[element])
    results = []
    for element, (col_a, col_b) in columns.items():
        try:
            exact, adjacent = exact_and_adjacent_agreement(col_a, col_b)
            kappa = weighted_kappa(col_a, col_b, categories, weights)
        except ValueError as exc:
            raise ValueError(f"element {element!r}: {exc}") from None
        results.append(ElementAgreement(element, len(col_a), exact, adjacent, kappa))
    return results
