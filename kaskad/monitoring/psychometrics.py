"""Item analysis for monitoring tests: classical test theory and the Rasch / partial credit model.

Input everywhere is a pupils × items matrix of scores (0/1 or partial credit 0..max), with
``NaN`` for a missing response. Numpy only (no SciPy, no Django): a plain library that the
Django side of monitoring studies can call and that a benchmark can time on its own.

* :func:`ctt` — facility, item–total and item–rest correlations, alpha if item deleted,
  Cronbach's alpha (KR-20 for 0/1 items), SEM, score distribution and item flags.
* :func:`rasch` — item difficulties (and step difficulties of partial-credit items, Masters
  1982) by marginal maximum likelihood with a normal ability distribution, EM (Bock & Aitkin
  1981) on Gauss–Hermite nodes, standard errors from the observed information, infit and
  outfit mean squares, and EAP and WLE abilities.

Missing responses
    :func:`ctt` scores a missing response as 0 for everything built on the total score
    (totals, mean, SD, alpha, SEM, correlations, alpha if deleted): in school tests an omitted
    or not-reached item earns no marks. Facility and ``n_answered`` use only the pupils who
    answered the item, so an item at the end of a long test is not made to look hard by the
    pupils who never reached it. :func:`rasch` leaves missing responses out of the likelihood
    (the available-case analysis, valid when missingness is at random given ability).

Bad input raises :class:`ValueError` with a message that names the item (1-based column) or
pupil (1-based row) at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.polynomial.hermite import hermgauss
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "CttItem",
    "CttResult",
    "RaschItem",
    "RaschResult",
    "ctt",
    "rasch",
]

FloatArray = NDArray[np.float64]

# Flag thresholds: the usual rules of thumb for school achievement tests.
HARD_FACILITY: Final = 0.2
EASY_FACILITY: Final = 0.95
LOW_DISCRIMINATION: Final = 0.2

FLAG_HARD: Final = "hard"  # facility < 0.2
FLAG_EASY: Final = "easy"  # facility > 0.95
FLAG_LOW_DISCRIMINATION: Final = "low_discrimination"  # item–rest < 0.2
FLAG_NO_VARIANCE: Final = "no_variance"  # every pupil has the same score on the item
FLAG_NO_RESPONSES: Final = "no_responses"  # nobody answered the item

# Item status in the Rasch fit.
STATUS_OK: Final = "ok"
STATUS_NO_RESPONSES: Final = "no_responses"
STATUS_ALL_MINIMUM: Final = "all_minimum"  # nobody scored above 0: difficulty is +infinity
STATUS_ALL_MAXIMUM: Final = "all_maximum"  # everybody had full marks: difficulty is -infinity
STATUS_EMPTY_CATEGORY: Final = "empty_category"  # a score 0..max that nobody got: a step is ±inf


# ---------------------------------------------------------------------------
# input checks
# ---------------------------------------------------------------------------


def _as_scores(scores: ArrayLike) -> FloatArray:
    try:
        matrix = np.array(scores, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"scores must be numbers (NaN for a missing response): {exc}") from exc
    if matrix.ndim != 2:
        raise ValueError(
            f"scores must be a 2-D pupils × items matrix, got {matrix.ndim} dimension(s)"
        )
    n_pupils, n_items = matrix.shape
    if n_items < 2:
        raise ValueError(f"at least 2 items are needed, got {n_items}")
    if n_pupils < 2:
        raise ValueError(f"at least 2 pupils are needed, got {n_pupils}")
    if np.isinf(matrix).any():
        row, col = np.argwhere(np.isinf(matrix))[0]
        raise ValueError(f"pupil {row + 1}, item {col + 1}: score is infinite")
    return matrix


def _max_scores(matrix: FloatArray, max_scores: ArrayLike | None) -> FloatArray:
    n_items = matrix.shape[1]
    if max_scores is None:
        # The observed maximum, at least 1 (an item nobody scored on is a 0/1 item).
        with np.errstate(invalid="ignore"):
            observed = np.where(np.isnan(matrix), -np.inf, matrix).max(axis=0)
        maxima = np.maximum(observed, 1.0)
    else:
        maxima = np.array(max_scores, dtype=np.float64).reshape(-1)
        if maxima.shape != (n_items,):
            raise ValueError(
                f"max_scores must give one maximum per item: {n_items} items, {maxima.size} maxima"
            )
        bad = np.flatnonzero(~np.isfinite(maxima) | (maxima <= 0))
        if bad.size:
            raise ValueError(
                f"item {bad[0] + 1}: maximum score must be a positive number, got {maxima[bad[0]]}"
            )
    negative = np.argwhere(matrix < 0)
    if negative.size:
        row, col = negative[0]
        raise ValueError(f"pupil {row + 1}, item {col + 1}: score {matrix[row, col]} is negative")
    above = np.argwhere(matrix > maxima)
    if above.size:
        row, col = above[0]
        raise ValueError(
            f"pupil {row + 1}, item {col + 1}: score {matrix[row, col]} is above the "
            f"item's maximum {maxima[col]}"
        )
    checked: FloatArray = maxima
    return checked


# ---------------------------------------------------------------------------
# classical test theory
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CttItem:
    """Classical statistics of one item."""

    index: int  # 0-based column
    max_score: float
    n_answered: int
    facility: float  # mean score of those who answered / max score; NaN if nobody answered
    item_total: float  # Pearson r with the total score (item included)
    item_rest: float  # corrected: r with the total of the other items
    alpha_if_deleted: float
    flags: tuple[str, ...]


@dataclass(frozen=True)
class CttResult:
    """Classical item and test statistics (see :func:`ctt`)."""

    items: tuple[CttItem, ...]
    n_pupils: int
    n_items: int
    alpha: float  # Cronbach's alpha (= KR-20 when every item is 0/1)
    kr20: float | None  # computed only when every item is 0/1
    sem: float  # standard error of measurement: SD · sqrt(1 − alpha)
    mean: float
    sd: float  # sample SD (n − 1) of the total score
    max_total: float
    # (total score, number of pupils): every integer 0..max_total when scores are whole
    # numbers, otherwise the totals that occur.
    score_distribution: tuple[tuple[float, int], ...]
    totals: FloatArray  # per pupil, missing scored 0


def _alpha(n_items: int, item_variance_sum: float, total_variance: float) -> float:
    if n_items < 2 or not total_variance > 0:
        return float("nan")
    return n_items / (n_items - 1) * (1.0 - item_variance_sum / total_variance)


def _correlation(cov: FloatArray, var_a: FloatArray, var_b: FloatArray) -> FloatArray:
    # NaN (not a division error) where either side has no variance.
    denominator = np.sqrt(var_a * var_b)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, cov / np.where(denominator > 0, denominator, 1), np.nan)


def ctt(scores: ArrayLike, max_scores: ArrayLike | None = None) -> CttResult:
    """Classical item analysis of a pupils × items score matrix.

    ``max_scores`` gives each item's maximum (default: the highest observed score, at least
    1). Missing responses (``NaN``) count as 0 in the total score and everything built on it,
    and are left out of the item's facility and ``n_answered`` (see the module docstring).

    Variances and covariances use the population form (divisor n) so that alpha equals KR-20
    exactly on 0/1 items; the reported SD of the total is the sample SD (divisor n − 1), and
    SEM is that SD times sqrt(1 − alpha).
    """
    matrix = _as_scores(scores)
    maxima = _max_scores(matrix, max_scores)
    n_pupils, n_items = matrix.shape

    answered = ~np.isnan(matrix)
    n_answered = answered.sum(axis=0)
    scored = np.where(answered, matrix, 0.0)
    totals = scored.sum(axis=1)

    with np.errstate(invalid="ignore", divide="ignore"):
        facility = np.where(
            n_answered > 0, scored.sum(axis=0) / np.maximum(n_answered, 1) / maxima, np.nan
        )

    centred = scored - scored.mean(axis=0)
    total_centred = totals - totals.mean()
    item_var = (centred**2).mean(axis=0)
    total_var = float((total_centred**2).mean())
    cov_item_total = (centred * total_centred[:, None]).mean(axis=0)
    # The rest score (total minus the item) directly, not as var(T) + var(x) − 2cov: the
    # difference can round to a tiny negative number when the rest has no variance.
    rest_centred = total_centred[:, None] - centred
    rest_var = (rest_centred**2).mean(axis=0)
    cov_item_rest = (centred * rest_centred).mean(axis=0)

    # Below this a variance is rounding noise: a constant column of non-integers.
    item_var = np.where(item_var > 1e-12 * maxima**2, item_var, 0.0)
    rest_var = np.where(rest_var > 1e-12 * (maxima.sum() - maxima) ** 2, rest_var, 0.0)
    total_var = total_var if total_var > 1e-12 * float(maxima.sum()) ** 2 else 0.0
    item_total = _correlation(cov_item_total, item_var, np.full(n_items, total_var))
    item_rest = _correlation(cov_item_rest, item_var, rest_var)

    alpha = _alpha(n_items, float(item_var.sum()), total_var)
    item_var_sum = float(item_var.sum())
    alpha_deleted = np.array(
        [_alpha(n_items - 1, item_var_sum - item_var[j], rest_var[j]) for j in range(n_items)]
    )

    dichotomous = bool(np.all(maxima == 1)) and bool(np.isin(scored, (0.0, 1.0)).all())
    kr20: float | None = None
    if dichotomous:
        p = scored.mean(axis=0)
        kr20 = _alpha(n_items, float((p * (1 - p)).sum()), total_var)

    sd = float(totals.std(ddof=1))
    sem = sd * float(np.sqrt(1 - alpha)) if np.isfinite(alpha) and alpha <= 1 else float("nan")

    max_total = float(maxima.sum())
    if np.all(scored == np.round(scored)) and np.all(maxima == np.round(maxima)):
        counts = np.bincount(totals.astype(np.int64), minlength=int(max_total) + 1)
        distribution = tuple((float(score), int(count)) for score, count in enumerate(counts))
    else:
        values, counts = np.unique(totals, return_counts=True)
        distribution = tuple((float(v), int(c)) for v, c in zip(values, counts, strict=True))

    items = []
    for j in range(n_items):
        flags: list[str] = []
        if n_answered[j] == 0:
            flags.append(FLAG_NO_RESPONSES)
        else:
            if facility[j] < HARD_FACILITY:
                flags.append(FLAG_HARD)
            if facility[j] > EASY_FACILITY:
                flags.append(FLAG_EASY)
        if not item_var[j] > 0:
            flags.append(FLAG_NO_VARIANCE)
        # NaN item–rest (no variance) is reported as no_variance, not as low discrimination.
        if item_rest[j] < LOW_DISCRIMINATION:
            flags.append(FLAG_LOW_DISCRIMINATION)
        items.append(
            CttItem(
                index=j,
                max_score=float(maxima[j]),
                n_answered=int(n_answered[j]),
                facility=float(facility[j]),
                item_total=float(item_total[j]),
                item_rest=float(item_rest[j]),
                alpha_if_deleted=float(alpha_deleted[j]),
                flags=tuple(flags),
            )
        )

    return CttResult(
        items=tuple(items),
        n_pupils=n_pupils,
        n_items=n_items,
        alpha=float(alpha),
        kr20=kr20,
        sem=sem,
        mean=float(totals.mean()),
        sd=sd,
        max_total=max_total,
        score_distribution=distribution,
        totals=totals,
    )


# ---------------------------------------------------------------------------
# Rasch / partial credit model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RaschItem:
    """Rasch / PCM estimates of one item (logits; the pupils' mean ability is 0)."""

    index: int  # 0-based column
    max_score: int
    status: str  # STATUS_OK or the reason the item could not be estimated
    n_answered: int
    # Dichotomous item: its difficulty. Partial-credit item: the mean of its step
    # difficulties (the usual "item measure"). NaN when not estimable.
    difficulty: float
    difficulty_se: float
    steps: FloatArray  # step difficulties δ_1..δ_max (one value for a 0/1 item)
    steps_se: FloatArray
    infit: float  # information-weighted mean square, expected 1
    outfit: float  # unweighted mean square of standardised residuals, expected 1


@dataclass(frozen=True)
class RaschResult:
    """Marginal maximum likelihood fit (see :func:`rasch`)."""

    items: tuple[RaschItem, ...]
    population_sd: float  # SD of ability (logits); 1 when not estimated
    population_sd_se: float  # NaN when not estimated
    log_likelihood: float
    iterations: int
    converged: bool
    quadrature_points: int
    abilities: FloatArray  # EAP, per pupil
    abilities_se: FloatArray  # posterior SD, per pupil
    wle: FloatArray  # Warm's weighted likelihood estimate, per pupil; NaN if nothing answered
    wle_se: FloatArray  # 1 / sqrt(test information at the WLE)
    # Of the estimated parameters: the steps of the items with status "ok" in column order,
    # then σ if it was estimated.
    covariance: FloatArray


@dataclass
class _Layout:
    """Where each estimated item's categories and steps sit in the flat arrays."""

    items: NDArray[np.int64]  # columns of the estimated items
    maxima: NDArray[np.int64]  # their maximum scores
    width: int  # max categories (max score + 1) over estimated items
    valid: NDArray[np.bool_]  # (items, width): category exists for the item
    step_item: NDArray[np.int64]  # per step parameter: position in `items`
    step_number: NDArray[np.int64]  # per step parameter: 1..max
    category_offset: NDArray[np.int64]  # per item: first column in the one-hot matrix


def _layout(maxima: NDArray[np.int64], items: NDArray[np.int64]) -> _Layout:
    item_maxima = maxima[items]
    width = int(item_maxima.max()) + 1
    valid = np.arange(width)[None, :] <= item_maxima[:, None]
    step_item = np.repeat(np.arange(items.size), item_maxima)
    step_number = np.concatenate([np.arange(1, m + 1) for m in item_maxima])
    offset = np.concatenate([[0], np.cumsum(item_maxima + 1)[:-1]])
    return _Layout(items, item_maxima, width, valid, step_item, step_number, offset)


def _category_log_probs(
    steps: FloatArray, sd: float, nodes: FloatArray, layout: _Layout
) -> FloatArray:
    """log P(X = c | θ = sd·z) for every estimated item, category and node: (items, width, Q)."""
    n_items = layout.items.size
    cumulative = np.zeros((n_items, layout.width))
    # D_c = δ_1 + … + δ_c, D_0 = 0 (Masters' partial credit model).
    np.add.at(cumulative, (layout.step_item, layout.step_number), steps)
    cumulative = np.cumsum(cumulative, axis=1)
    theta = sd * nodes
    eta = np.arange(layout.width)[None, :, None] * theta[None, None, :] - cumulative[:, :, None]
    eta = np.where(layout.valid[:, :, None], eta, -np.inf)
    top = eta.max(axis=1, keepdims=True)
    log_norm = top + np.log(np.exp(eta - top).sum(axis=1, keepdims=True))
    return np.asarray(eta - log_norm)


class _Model:
    """The E-step and the derivatives of the expected complete-data log-likelihood."""

    def __init__(
        self,
        responses: FloatArray,
        layout: _Layout,
        nodes: FloatArray,
        log_weights: FloatArray,
        estimate_sd: bool,
    ) -> None:
        self.layout = layout
        self.nodes = nodes
        self.log_weights = log_weights
        self.estimate_sd = estimate_sd
        n_pupils = responses.shape[0]
        n_columns = int(layout.maxima.sum() + layout.maxima.size)
        # One-hot pupils × (item, category) matrix; a missing response is a row of zeros for
        # that item, which is what leaves it out of the likelihood.
        onehot = np.zeros((n_pupils, n_columns))
        sub = responses[:, layout.items]
        answered = ~np.isnan(sub)
        rows, cols = np.nonzero(answered)
        onehot[rows, layout.category_offset[cols] + sub[rows, cols].astype(np.int64)] = 1.0
        # The raw score and the set of answered items are sufficient for ability: two pupils
        # who share them differ in log-likelihood by a constant over the nodes, and have the
        # same posterior. So the E-step works on one representative per (answered items, raw
        # score) group, plus each pupil's constant (its one-hot difference from the
        # representative, times any one node's log-probabilities).
        raw = np.where(answered, sub, 0.0).sum(axis=1)
        _masks, _raws, group = _score_groups(answered, raw)
        n_groups = int(group.max()) + 1 if group.size else 0
        representative = np.zeros(n_groups, dtype=np.int64)
        representative[group[::-1]] = np.arange(n_pupils)[::-1]  # first pupil of each group
        self.group = group
        self.group_size = np.bincount(group, minlength=n_groups).astype(np.float64)
        self.group_onehot = onehot[representative]
        order = np.argsort(group, kind="stable")
        starts = np.searchsorted(group[order], np.arange(n_groups))
        self.group_onehot_sum = np.add.reduceat(onehot[order], starts, axis=0)
        self.offset_onehot = onehot - self.group_onehot[group]
        self.flat_valid = layout.valid.reshape(-1)

    def n_params(self) -> int:
        return int(self.layout.step_item.size) + (1 if self.estimate_sd else 0)

    def split(self, params: FloatArray) -> tuple[FloatArray, float]:
        n_steps = self.layout.step_item.size
        sd = float(params[n_steps]) if self.estimate_sd else 1.0
        return params[:n_steps], sd

    def estep(self, params: FloatArray) -> tuple[float, FloatArray, FloatArray, FloatArray]:
        """Log-likelihood, posterior over nodes (groups × Q: :meth:`pupil_posterior` gives
        it per pupil), expected counts, log P."""
        steps, sd = self.split(params)
        log_p = _category_log_probs(steps, sd, self.nodes, self.layout)
        flat = log_p.reshape(-1, log_p.shape[2])[self.flat_valid]
        # Vectorised over groups and nodes: one matrix product gives every group's
        # log-likelihood at every node.
        joint = self.group_onehot @ flat + self.log_weights[None, :]
        top = joint.max(axis=1, keepdims=True)
        posterior = np.exp(joint - top)
        marginal = posterior.sum(axis=1, keepdims=True)
        posterior /= marginal
        constants = float((self.offset_onehot @ flat[:, 0]).sum())
        loglik = float((self.group_size * (top[:, 0] + np.log(marginal[:, 0]))).sum()) + constants
        expected = np.zeros((self.flat_valid.size, self.nodes.size))
        expected[self.flat_valid] = self.group_onehot_sum.T @ posterior
        counts = expected.reshape(log_p.shape)
        return loglik, posterior, counts, log_p

    def pupil_posterior(self, posterior: FloatArray) -> FloatArray:
        """The posterior of every pupil (pupils × Q) from the groups' (see :meth:`estep`)."""
        return np.asarray(posterior[self.group])

    def derivatives(self, counts: FloatArray, log_p: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Gradient and Hessian of the expected complete-data log-likelihood.

        ``counts`` and ``log_p`` come from :meth:`estep`. At the parameters the E-step used,
        the gradient is also the gradient of the marginal
        log-likelihood (Fisher's identity).
        """
        layout = self.layout
        prob = np.exp(log_p)  # (items, width, Q)
        answered = counts.sum(axis=1)  # (items, Q): expected pupils answering at each node
        # G_h = P(X ≥ h) and the observed counterpart, for h = 0..width-1.
        at_least = np.flip(np.cumsum(np.flip(prob, axis=1), axis=1), axis=1)
        counts_at_least = np.flip(np.cumsum(np.flip(counts, axis=1), axis=1), axis=1)
        it, hs = layout.step_item, layout.step_number
        g_steps = (answered[it] * at_least[it, hs] - counts_at_least[it, hs]).sum(axis=1)

        n_steps = it.size
        hessian = np.zeros((self.n_params(), self.n_params()))
        # Steps of one item: −Σ_q n_q (G_max(h,l) − G_h G_l); other items do not interact.
        same = it[:, None] == it[None, :]
        high = np.maximum(hs[:, None], hs[None, :])
        pairs = np.argwhere(same)
        a, b = pairs[:, 0], pairs[:, 1]
        ia = it[a]
        block = answered[ia] * (
            at_least[ia, high[a, b]] - at_least[ia, hs[a]] * at_least[ia, hs[b]]
        )
        hessian[a, b] = -block.sum(axis=1)
        gradient = g_steps
        if self.estimate_sd:
            categories = np.arange(layout.width)[None, :, None]
            mean = (prob * categories).sum(axis=1)  # E[X | θ_q]
            var = (prob * categories**2).sum(axis=1) - mean**2
            observed_sum = (counts * categories).sum(axis=1)
            z = self.nodes[None, :]
            g_sd = float((z * (observed_sum - answered * mean)).sum())
            h_sd = float(-(z**2 * answered * var).sum())
            # Cov(X, 1[X ≥ h]) = Σ_{c ≥ h} c P_c − E[X] G_h
            tail_mean = np.flip(np.cumsum(np.flip(prob * categories, axis=1), axis=1), axis=1)
            cov = tail_mean[it, hs] - mean[it] * at_least[it, hs]
            h_cross = (z * answered[it] * cov).sum(axis=1)
            hessian[n_steps, n_steps] = h_sd
            hessian[n_steps, :n_steps] = h_cross
            hessian[:n_steps, n_steps] = h_cross
            gradient = np.append(g_steps, g_sd)
        return gradient, hessian


def _newton_step(gradient: FloatArray, hessian: FloatArray, limit: float = 1.0) -> FloatArray:
    # The complete-data log-likelihood is concave, so −H is positive definite; the cap keeps
    # the first steps from starting values far off from overshooting.
    try:
        step = np.linalg.solve(-hessian, gradient)
    except np.linalg.LinAlgError:
        step = np.linalg.lstsq(-hessian, gradient, rcond=None)[0]
    largest = float(np.abs(step).max()) if step.size else 0.0
    if largest > limit:
        step *= limit / largest
    return np.asarray(step)


def _numerical_hessian(model: _Model, params: FloatArray, gradient: FloatArray) -> FloatArray:
    """Hessian of the marginal log-likelihood: forward differences of its analytic gradient.

    One E-step per parameter (``gradient`` is the gradient at ``params``); the step 1e-5
    leaves a relative error near 1e-5 in the standard errors.
    """
    size = params.size
    hessian = np.empty((size, size))
    for k in range(size):
        h = 1e-5 * max(1.0, abs(float(params[k])))
        shifted = params.copy()
        shifted[k] += h
        _, _, counts, log_p = model.estep(shifted)
        hessian[:, k] = (model.derivatives(counts, log_p)[0] - gradient) / h
    return (hessian + hessian.T) / 2


def _fit(
    model: _Model, params: FloatArray, tolerance: float, max_iterations: int
) -> tuple[FloatArray, FloatArray, int, bool]:
    """Maximise the marginal likelihood; returns parameters, Hessian, iterations, converged.

    EM is robust from poor starting values but slow near the optimum, so it runs to a loose
    tolerance (1e-3); then Newton steps with the observed information, which the standard
    errors need anyway, finish the job at one E-step per iteration (the Hessian is computed
    once: near the optimum it hardly changes). Should the Hessian not be negative definite
    there, EM simply carries on to ``tolerance``.
    """
    iterations = 0

    def em(until: float) -> bool:
        nonlocal params, iterations
        while iterations < max_iterations:
            iterations += 1
            _, _, counts, log_p = model.estep(params)
            gradient, hessian = model.derivatives(counts, log_p)
            step = _newton_step(gradient, hessian)
            params = params + step
            if model.estimate_sd and params[-1] < 1e-3:
                params[-1] = 1e-3  # σ ≥ 0; σ → 0 means no spread of ability in the data
            if float(np.abs(step).max()) < until:
                return True
        return False

    def gradient_at(point: FloatArray) -> FloatArray:
        _, _, counts, log_p = model.estep(point)
        return model.derivatives(counts, log_p)[0]

    if not em(max(tolerance, 1e-3)):
        return params, _numerical_hessian(model, params, gradient_at(params)), iterations, False
    gradient = gradient_at(params)
    hessian = _numerical_hessian(model, params, gradient)
    try:
        factor = np.linalg.cholesky(-hessian)
    except np.linalg.LinAlgError:
        converged = em(tolerance)
        return params, _numerical_hessian(model, params, gradient_at(params)), iterations, converged
    start = params.copy()
    converged = False
    while iterations < max_iterations:
        iterations += 1
        step = np.linalg.solve(factor.T, np.linalg.solve(factor, gradient))
        params = params + step
        if float(np.abs(step).max()) < tolerance:
            converged = True
            break
        gradient = gradient_at(params)
    if float(np.abs(params - start).max()) > 1e-2:
        # Standard errors at the estimates, not where the Newton steps began. Closer than
        # 0.01 logits the information hardly differs (SEs change by about 0.1%, far below
        # their own uncertainty), and recomputing it would cost one E-step per parameter.
        hessian = _numerical_hessian(model, params, gradient_at(params))
    return params, hessian, iterations, converged


def _item_status(column: FloatArray, max_score: int) -> str:
    observed = column[~np.isnan(column)]
    if observed.size == 0:
        return STATUS_NO_RESPONSES
    if np.all(observed == 0):
        return STATUS_ALL_MINIMUM
    if np.all(observed == max_score):
        return STATUS_ALL_MAXIMUM
    present = np.bincount(observed.astype(np.int64), minlength=max_score + 1)
    if np.any(present == 0):
        return STATUS_EMPTY_CATEGORY
    return STATUS_OK


def _starting_steps(responses: FloatArray, layout: _Layout) -> FloatArray:
    # Log ratio of neighbouring category counts: the steps of a pupil of average ability.
    steps: list[float] = []
    for position, column in enumerate(layout.items):
        observed = responses[:, column]
        observed = observed[~np.isnan(observed)].astype(np.int64)
        counts = np.bincount(observed, minlength=layout.maxima[position] + 1) + 0.5
        steps.extend(np.log(counts[:-1] / counts[1:]))
    return np.array(steps)


def rasch(
    scores: ArrayLike,
    max_scores: ArrayLike | None = None,
    quadrature_points: int = 41,
    *,
    estimate_sd: bool = True,
    tolerance: float = 1e-6,
    max_iterations: int = 2000,
) -> RaschResult:
    """Fit the Rasch model (0/1 items) and the partial credit model (items scored 0..max).

    P(X = c | θ) ∝ exp(c·θ − δ_1 − … − δ_c) with θ ~ N(0, σ²); a 0/1 item has one step, its
    difficulty. Identification: the discrimination is fixed at 1 and the pupils' mean ability
    at 0; the ability SD σ is estimated (``estimate_sd=False`` fixes it at 1, the model of R
    ltm's ``rasch(data, constraint = cbind(ncol(data) + 1, 1))``). With σ estimated the fit is
    the same model as ltm's ``rasch(data)`` (common discrimination a, N(0, 1) abilities):
    σ = a and each difficulty here is a times ltm's.

    Estimation: marginal maximum likelihood by EM (Bock & Aitkin 1981) on
    ``quadrature_points`` Gauss–Hermite nodes; each M-step is a Newton step on all
    parameters at once (the expected complete-data log-likelihood is concave). Near the
    optimum Newton steps on the marginal likelihood itself take over (see :func:`_fit`);
    the fit stops when no parameter moves more than ``tolerance`` logits. Standard errors
    come from the observed information: forward differences of the analytic marginal
    gradient (Fisher's identity), inverted.

    Items nobody answered, nobody scored on, everybody got full marks on, or with a score
    0..max that nobody got, have no finite estimate: they are left out of the fit and
    reported with that status and NaN estimates. Abilities are EAP (posterior mean over the
    nodes) with the posterior SD as their standard error, from the estimable items only;
    Warm's weighted likelihood estimates (WLE, finite also for all-right or all-wrong pupils,
    less shrunk towards the mean than EAP) come with them.
    Infit and outfit are posterior expectations (see :func:`_fit_statistics`): expected 1
    under the model, above about 1.2 for a noisy item (guessing, a flawed key), below about
    0.8 for an item that discriminates more than the model assumes.

    Scores must be whole numbers 0..max (``max_scores`` per item, default the observed
    maximum, at least 1); ``NaN`` is a missing response and is left out of the likelihood.
    """
    matrix = _as_scores(scores)
    maxima_float = _max_scores(matrix, max_scores)
    if not np.all(maxima_float == np.round(maxima_float)):
        bad = int(np.flatnonzero(maxima_float != np.round(maxima_float))[0])
        raise ValueError(f"item {bad + 1}: the Rasch model needs a whole-number maximum score")
    fractional = np.argwhere(~np.isnan(matrix) & (matrix != np.round(matrix)))
    if fractional.size:
        row, col = fractional[0]
        raise ValueError(
            f"pupil {row + 1}, item {col + 1}: score {matrix[row, col]} is not a whole number "
            "(the partial credit model needs scores 0, 1, …, max)"
        )
    if quadrature_points < 5:
        raise ValueError(f"quadrature_points must be at least 5, got {quadrature_points}")
    maxima = maxima_float.astype(np.int64)
    n_items = matrix.shape[1]
    statuses = [_item_status(matrix[:, j], int(maxima[j])) for j in range(n_items)]
    estimable = np.array([s == STATUS_OK for s in statuses])
    needed = 2 if estimate_sd else 1
    if estimable.sum() < needed:
        raise ValueError(
            f"only {int(estimable.sum())} item(s) can be estimated (the others have no "
            f"responses, no variance or an empty score category); at least {needed} needed"
        )

    layout = _layout(maxima, np.flatnonzero(estimable))
    x, w = hermgauss(quadrature_points)
    nodes = x * np.sqrt(2.0)  # standard normal nodes and weights
    log_weights = np.log(w / np.sqrt(np.pi))
    model = _Model(matrix, layout, nodes, log_weights, estimate_sd)

    params = _starting_steps(matrix, layout)
    if estimate_sd:
        params = np.append(params, 1.0)
    params, hessian, iterations, converged = _fit(model, params, tolerance, max_iterations)
    if estimate_sd:
        # The likelihood is symmetric in σ (the nodes are), so a Newton step may cross 0.
        params[-1] = abs(params[-1])
    loglik, group_posterior, _, log_p = model.estep(params)
    posterior = model.pupil_posterior(group_posterior)
    information = -hessian
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        covariance = np.full_like(information, np.nan)
    variances = np.diag(covariance)
    with np.errstate(invalid="ignore"):
        standard_errors = np.where(variances > 0, np.sqrt(np.abs(variances)), np.nan)

    steps, sd = model.split(params)
    theta_nodes = sd * nodes
    abilities = posterior @ theta_nodes
    abilities_se = np.sqrt(np.maximum(posterior @ theta_nodes**2 - abilities**2, 0.0))

    infit, outfit = _fit_statistics(matrix, layout, log_p, posterior)
    wle, wle_se = _wle(matrix, layout, steps)

    items: list[RaschItem] = []
    position_of = {int(col): pos for pos, col in enumerate(layout.items)}
    for j in range(n_items):
        answered = int((~np.isnan(matrix[:, j])).sum())
        if j not in position_of:
            nan_steps = np.full(int(maxima[j]), np.nan)
            items.append(
                RaschItem(
                    j, int(maxima[j]), statuses[j], answered, float("nan"), float("nan"),
                    nan_steps, nan_steps.copy(), float("nan"), float("nan"),
                )
            )  # fmt: skip
            continue
        pos = position_of[j]
        which = np.flatnonzero(layout.step_item == pos)
        item_steps = steps[which]
        # The item measure is the mean of its steps; its SE by the delta method.
        block = covariance[np.ix_(which, which)]
        difficulty_se = float(np.sqrt(max(block.sum(), 0.0))) / which.size
        items.append(
            RaschItem(
                index=j,
                max_score=int(maxima[j]),
                status=STATUS_OK,
                n_answered=answered,
                difficulty=float(item_steps.mean()),
                difficulty_se=difficulty_se,
                steps=item_steps.copy(),
                steps_se=standard_errors[which].copy(),
                infit=float(infit[pos]),
                outfit=float(outfit[pos]),
            )
        )

    return RaschResult(
        items=tuple(items),
        population_sd=sd,
        population_sd_se=float(standard_errors[-1]) if estimate_sd else float("nan"),
        log_likelihood=loglik,
        iterations=iterations,
        converged=converged,
        quadrature_points=quadrature_points,
        abilities=abilities,
        abilities_se=abilities_se,
        wle=wle,
        wle_se=wle_se,
        covariance=np.asarray(covariance, dtype=np.float64),
    )


def _fit_statistics(
    matrix: FloatArray, layout: _Layout, log_p: FloatArray, posterior: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Infit and outfit mean squares per estimated item, as posterior expectations.

    Each pupil's squared residual (x − E[X | θ])² and its variance Var(X | θ) are averaged
    over the pupil's posterior on the nodes instead of being taken at a point estimate.
    Under the model both mean squares then have expectation exactly 1 whatever the test
    length; residuals at EAP abilities (shrunk towards the mean) drift below 1 on short
    tests (about 0.8 on 10 items), which would hide misfit.
    """
    prob = np.exp(log_p)  # (items, width, Q)
    categories = np.arange(layout.width)[None, :, None]
    expected = (prob * categories).sum(axis=1)  # (items, Q)
    # Clipped: at far nodes a probability can underflow, and 0 · inf would be NaN.
    variance = np.maximum((prob * categories**2).sum(axis=1) - expected**2, 1e-12)
    observed = matrix[:, layout.items]
    answered = ~np.isnan(observed)
    x = np.where(answered, observed, 0.0)
    # E_post[(x − E)²] = x² − 2x·E_post[E] + E_post[E²]; the same with weights 1/Var for
    # outfit: a few matrix products over the nodes, no pupils × items × nodes array.
    squared = x**2 - 2 * x * (posterior @ expected.T) + posterior @ (expected**2).T
    inverse = 1 / variance
    standardised = (
        x**2 * (posterior @ inverse.T)
        - 2 * x * (posterior @ (expected * inverse).T)
        + posterior @ (expected**2 * inverse).T
    )
    info = np.where(answered, posterior @ variance.T, 0.0)
    squared = np.where(answered, squared, 0.0)
    standardised = np.where(answered, standardised, 0.0)
    infit = squared.sum(axis=0) / info.sum(axis=0)
    outfit = standardised.sum(axis=0) / answered.sum(axis=0)
    return np.asarray(infit), np.asarray(outfit)


def _score_groups(
    answered: NDArray[np.bool_], raw: FloatArray
) -> tuple[NDArray[np.bool_], FloatArray, NDArray[np.int64]]:
    """The (answered items, raw score) pairs that occur: their masks, raw scores, and each
    pupil's pair (in order of first appearance)."""
    keys = np.concatenate(
        [
            np.packbits(answered, axis=1),
            np.round(raw).astype(">u4").view(np.uint8).reshape(-1, 4),
        ],
        axis=1,
    )
    seen: dict[bytes, int] = {}
    group = np.fromiter(
        (seen.setdefault(key.tobytes(), len(seen)) for key in keys),
        dtype=np.int64,
        count=raw.size,
    )
    first = np.zeros(len(seen), dtype=np.int64)
    first[group[::-1]] = np.arange(raw.size)[::-1]
    return answered[first], raw[first], group


def _wle(matrix: FloatArray, layout: _Layout, steps: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Warm's (1989) weighted likelihood estimates of ability, given the item estimates.

    The root of g(θ) = Σ (x − E[X | θ]) + J(θ) / (2 I(θ)) over the answered items, where I is
    the test information (Σ Var) and J its derivative (Σ third central moments); it exists
    for perfect and zero scores too. g falls from positive to negative, so Newton steps kept
    inside a shrinking bracket (bisection whenever a step would leave it) find it for every
    pupil at once.

    The WLE depends only on the raw score and on which items were answered, so it is solved
    once per (set of answered items, raw score) pair that occurs: with no missing responses,
    at most one equation per possible raw score.
    """
    observed = matrix[:, layout.items]
    answered = ~np.isnan(observed)
    raw = np.where(answered, observed, 0.0).sum(axis=1)
    pair_mask, pair_raw, pupil_pair = _score_groups(answered, raw)
    # A pupil who answered none of the items has no likelihood, hence no WLE (NaN below).
    solvable = pair_mask.any(axis=1)
    pair_mask, pair_raw = pair_mask[solvable], pair_raw[solvable]
    pupil_pair = np.maximum(np.cumsum(solvable)[pupil_pair] - 1, 0)

    categories = np.arange(layout.width)[None, :, None]
    weights = pair_mask.T  # (items, pairs)

    def moments(theta: FloatArray) -> tuple[FloatArray, ...]:
        prob = np.exp(_category_log_probs(steps, 1.0, theta, layout))  # (items, width, pairs)
        mean = (prob * categories).sum(axis=1)
        centred = categories - mean[:, None, :]
        # Products, not **: integer powers of float arrays go through the slow pow().
        weighted = prob * centred * centred
        var = weighted.sum(axis=1)
        third = (weighted * centred).sum(axis=1)
        fourth = (weighted * centred * centred).sum(axis=1)
        cumulant4 = fourth - 3 * var**2  # d(third central moment)/dθ
        return tuple((v * weights).sum(axis=0) for v in (mean, var, third, cumulant4))

    low = np.full(pair_raw.size, -20.0)
    high = np.full(pair_raw.size, 20.0)
    theta = np.zeros(pair_raw.size)
    for _ in range(100):
        expected, info, skew, kurt = moments(theta)
        info = np.maximum(info, 1e-300)
        value = pair_raw - expected + skew / (2 * info)
        slope = -info + (kurt * info - skew**2) / (2 * info**2)
        low = np.where(value > 0, theta, low)
        high = np.where(value > 0, high, theta)
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = theta - value / slope
        # Inclusive: at the root Newton stays put, which is also where the bracket closes.
        inside = (slope < 0) & (newton >= low) & (newton <= high)
        updated = np.where(inside, newton, (low + high) / 2)
        done = float(np.abs(updated - theta).max()) < 1e-9
        theta = updated
        if done:
            break
    _, info, _, _ = moments(theta)
    with np.errstate(divide="ignore"):
        se = 1 / np.sqrt(info)
    nothing = ~answered.any(axis=1)
    return (
        np.where(nothing, np.nan, theta[pupil_pair]),
        np.where(nothing, np.nan, se[pupil_pair]),
    )
