"""Item analysis: hand-computed CTT, published Rasch estimates, parameter recovery."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kaskad.monitoring.psychometrics import (
    FLAG_EASY,
    FLAG_HARD,
    FLAG_LOW_DISCRIMINATION,
    FLAG_NO_RESPONSES,
    FLAG_NO_VARIANCE,
    STATUS_ALL_MAXIMUM,
    STATUS_ALL_MINIMUM,
    STATUS_EMPTY_CATEGORY,
    STATUS_NO_RESPONSES,
    STATUS_OK,
    ctt,
    rasch,
)

# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


def lsat() -> np.ndarray:
    """LSAT section 6 (Bock & Lieberman 1970): 1,000 examinees, 5 items, 32 patterns.

    Pattern frequencies in the order 00000, 00001, …, 11111 (item 1 is the leftmost bit), as
    in ltm's ``LSAT`` and the BUGS "Lsat" example (cumulative counts ``culm`` = 3, 9, 11,
    22, …, 702, 1000); the patterns 01010 and 01100 did not occur.
    """
    frequencies = [
        3, 6, 2, 11, 1, 1, 3, 4, 1, 8, 0, 16, 0, 3, 2, 15,
        10, 29, 14, 81, 3, 28, 15, 80, 16, 56, 21, 173, 11, 61, 28, 298,
    ]  # fmt: skip
    patterns = np.array([[(i >> (4 - k)) & 1 for k in range(5)] for i in range(32)])
    return np.repeat(patterns, frequencies, axis=0).astype(float)


def simulate_pcm(
    rng: np.random.Generator, theta: np.ndarray, steps: list[list[float]]
) -> np.ndarray:
    """Draw responses from Masters' partial credit model (a 0/1 item has one step)."""
    scores = np.empty((theta.size, len(steps)))
    for j, item_steps in enumerate(steps):
        cumulative = np.concatenate([[0.0], np.cumsum(item_steps)])
        eta = np.arange(len(item_steps) + 1)[None, :] * theta[:, None] - cumulative[None, :]
        prob = np.exp(eta - eta.max(axis=1, keepdims=True))
        prob /= prob.sum(axis=1, keepdims=True)
        scores[:, j] = (rng.random(theta.size)[:, None] > np.cumsum(prob, axis=1)).sum(axis=1)
    return scores


def simulate_rasch(
    rng: np.random.Generator, theta: np.ndarray, difficulties: np.ndarray
) -> np.ndarray:
    p = 1 / (1 + np.exp(-(theta[:, None] - difficulties[None, :])))
    return (rng.random(p.shape) < p).astype(float)


def kr20(matrix: np.ndarray) -> float:
    """KR-20 straight from its definition: k/(k−1) · (1 − Σ p·q / σ²_total)."""
    k = matrix.shape[1]
    p = matrix.mean(axis=0)
    return k / (k - 1) * (1 - float((p * (1 - p)).sum()) / float(matrix.sum(axis=1).var()))


# ---------------------------------------------------------------------------
# classical test theory
# ---------------------------------------------------------------------------

HAND = np.array(
    [
        [1, 1, 1],
        [1, 1, 0],
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 0],
    ],
    dtype=float,
)


def test_ctt_hand_computed_example():
    # Totals 3, 2, 1, 1, 0: mean 1.4, deviations 1.6, .6, −.4, −.4, −1.4, squares sum 5.2,
    # population variance 5.2/5 = 1.04, sample SD sqrt(5.2/4) = sqrt(1.3).
    # Facilities p = 3/5, 3/5, 1/5; item variances p·q = .24, .24, .16 (sum .64).
    # alpha = 3/2 · (1 − .64/1.04) = 3/2 · 5/13 = 15/26.
    # SEM = sqrt(1.3) · sqrt(1 − 15/26) = sqrt(1.3 · 11/26) = sqrt(.55).
    # Item 1 rest (items 2+3) = 2, 1, 0, 1, 0: mean .8, variance 1.2 − .64 = .56;
    #   cov(item 1, rest) = mean(2, 1, 0, 0, 0) − .6·.8 = .6 − .48 = .12;
    #   item–rest = .12 / sqrt(.24 · .56) = sqrt(3/28).
    #   item–total: cov = .12 + .24 = .36, r = .36 / sqrt(.24 · 1.04).
    # Item 3 rest (items 1+2) = 2, 2, 1, 1, 0: mean 1.2, variance 2 − 1.44 = .56;
    #   cov = mean(2, 0, 0, 0, 0) − .2·1.2 = .4 − .24 = .16; r = .16/sqrt(.16·.56) = sqrt(2/7).
    #   alpha without item 3: 2 · (1 − .48/.56) = 2/7.
    result = ctt(HAND)
    assert result.n_pupils == 5
    assert result.n_items == 3
    assert result.mean == pytest.approx(1.4)
    assert result.sd == pytest.approx(math.sqrt(1.3))
    assert result.alpha == pytest.approx(15 / 26)
    assert result.kr20 == pytest.approx(15 / 26)
    assert result.sem == pytest.approx(math.sqrt(0.55))
    assert [i.facility for i in result.items] == pytest.approx([0.6, 0.6, 0.2])
    assert result.items[0].item_rest == pytest.approx(math.sqrt(3 / 28))
    assert result.items[1].item_rest == pytest.approx(math.sqrt(3 / 28))
    assert result.items[2].item_rest == pytest.approx(math.sqrt(2 / 7))
    assert result.items[0].item_total == pytest.approx(0.36 / math.sqrt(0.24 * 1.04))
    assert result.items[2].alpha_if_deleted == pytest.approx(2 / 7)
    assert result.score_distribution == ((0.0, 1), (1.0, 2), (2.0, 1), (3.0, 1))
    assert list(result.totals) == [3, 2, 1, 1, 0]
    # p = .2 is not below .2, and every item–rest is above .2: no flags.
    assert all(item.flags == () for item in result.items)


def test_ctt_kr20_equals_alpha_on_dichotomous_items():
    rng = np.random.default_rng(11)
    scores = simulate_rasch(rng, rng.normal(0, 1, 300), np.linspace(-1.5, 1.5, 12))
    result = ctt(scores)
    assert result.kr20 is not None
    assert result.alpha == pytest.approx(kr20(scores), abs=1e-12)
    assert result.kr20 == pytest.approx(result.alpha, abs=1e-12)
    assert 0.5 < result.alpha < 1


def test_ctt_kr20_only_for_dichotomous_tests():
    scores = np.array([[0, 2], [1, 1], [2, 2], [0, 0]], dtype=float)
    assert ctt(scores).kr20 is None


def test_ctt_alpha_if_deleted_matches_recomputing_on_reduced_matrix():
    rng = np.random.default_rng(5)
    scores = simulate_pcm(rng, rng.normal(0, 1, 200), [[-1.0], [0.3, 0.5], [0.0], [-0.5, 0.2, 1.0]])
    maxima = [1, 2, 1, 3]
    result = ctt(scores, max_scores=maxima)
    for j in range(4):
        keep = [k for k in range(4) if k != j]
        reduced = ctt(scores[:, keep], max_scores=[maxima[k] for k in keep])
        assert result.items[j].alpha_if_deleted == pytest.approx(reduced.alpha, abs=1e-12)


def test_ctt_partial_credit_facility_uses_the_maximum():
    scores = np.array([[0, 3], [1, 2], [1, 1], [0, 0]], dtype=float)
    result = ctt(scores, max_scores=[1, 4])
    # Item 2: mean score 6/4 = 1.5 of a maximum 4.
    assert result.items[1].facility == pytest.approx(1.5 / 4)
    assert result.max_total == 5
    # Totals 3, 3, 2, 0: every score 0..5 is listed, unreached ones with 0 pupils.
    assert result.score_distribution == tuple(
        (float(score), count) for score, count in enumerate([1, 0, 1, 2, 0, 0])
    )


def test_ctt_missing_counts_zero_in_totals_but_not_in_facility():
    scores = np.array(
        [
            [1, 1, np.nan],
            [1, 0, 1],
            [0, np.nan, np.nan],
            [1, 1, 0],
        ]
    )
    result = ctt(scores)
    assert list(result.totals) == [2, 2, 0, 2]
    assert [i.n_answered for i in result.items] == [4, 3, 2]
    # Item 3: 1 of the 2 who answered, not 1 of 4.
    assert result.items[2].facility == pytest.approx(0.5)
    filled = ctt(np.nan_to_num(scores))
    assert result.alpha == pytest.approx(filled.alpha)
    assert filled.items[2].facility == pytest.approx(0.25)


def test_ctt_flags_hard_easy_and_weak_items():
    rng = np.random.default_rng(8)
    scores = simulate_rasch(rng, rng.normal(0, 1, 500), np.array([-4.5, -0.5, 0.0, 0.5, 3.0]))
    scores = np.column_stack([scores, rng.random(500) < 0.5])  # noise: no discrimination
    result = ctt(scores)
    assert FLAG_EASY in result.items[0].flags
    assert FLAG_HARD in result.items[4].flags
    assert FLAG_LOW_DISCRIMINATION in result.items[5].flags
    assert result.items[2].flags == ()


def test_ctt_zero_variance_item_gets_nan_and_a_flag_not_a_crash():
    scores = np.array([[1, 1, 0], [1, 0, 0], [1, 1, 1], [1, 0, 1]], dtype=float)
    result = ctt(scores)
    item = result.items[0]
    assert math.isnan(item.item_total)
    assert math.isnan(item.item_rest)
    assert FLAG_NO_VARIANCE in item.flags
    assert FLAG_EASY in item.flags
    assert FLAG_LOW_DISCRIMINATION not in item.flags
    assert math.isfinite(result.alpha)


def test_ctt_item_nobody_answered():
    scores = np.array([[1, np.nan, 0], [0, np.nan, 1], [1, np.nan, 1]], dtype=float)
    item = ctt(scores).items[1]
    assert item.n_answered == 0
    assert math.isnan(item.facility)
    assert FLAG_NO_RESPONSES in item.flags


def test_ctt_all_totals_equal_gives_nan_alpha():
    result = ctt(np.ones((4, 3)))
    assert math.isnan(result.alpha)
    assert math.isnan(result.sem)


@pytest.mark.parametrize(
    ("scores", "max_scores", "message"),
    [
        ([1, 0, 1], None, "2-D"),
        ([[[1, 0]], [[0, 1]]], None, "2-D"),
        ([[1], [0], [1]], None, "at least 2 items"),
        ([[1, 0, 1]], None, "at least 2 pupils"),
        ([[1, -1], [0, 1]], None, "pupil 1, item 2: score -1.0 is negative"),
        ([[1, 0], [0, 3]], [1, 2], "pupil 2, item 2: score 3.0 is above the item's maximum 2"),
        ([[1, 0], [0, 1]], [1, 2, 3], "one maximum per item"),
        ([[1, 0], [0, 1]], [1, 0], "item 2: maximum score must be a positive number"),
        ([[1, np.inf], [0, 1]], None, "pupil 1, item 2: score is infinite"),
        ([["a", 0], [0, 1]], None, "must be numbers"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(scores, max_scores, message):
    for function in (ctt, rasch):
        with pytest.raises(ValueError, match=message.replace("(", r"\(")):
            function(scores, max_scores=max_scores)


score_matrices = st.integers(3, 25).flatmap(
    lambda n: st.integers(2, 7).flatmap(
        lambda k: hnp.arrays(np.float64, (n, k), elements=st.sampled_from([0.0, 1.0, 2.0, 3.0]))
    )
)


@settings(max_examples=60, deadline=None)
@given(scores=score_matrices, seed=st.integers(0, 2**32 - 1))
def test_ctt_properties(scores, seed):
    result = ctt(scores, max_scores=[3] * scores.shape[1])
    assert math.isnan(result.alpha) or result.alpha <= 1 + 1e-12
    for item in result.items:
        assert 0 <= item.facility <= 1
        for r in (item.item_total, item.item_rest):
            assert math.isnan(r) or -1 - 1e-12 <= r <= 1 + 1e-12
    # Statistics of pupils, not of their order: permuting the rows changes nothing.
    order = np.random.default_rng(seed).permutation(scores.shape[0])
    shuffled = ctt(scores[order], max_scores=[3] * scores.shape[1])
    np.testing.assert_allclose(
        [(i.item_total, i.item_rest, i.alpha_if_deleted, i.facility) for i in shuffled.items],
        [(i.item_total, i.item_rest, i.alpha_if_deleted, i.facility) for i in result.items],
        atol=1e-9,
    )
    assert (math.isnan(shuffled.alpha) and math.isnan(result.alpha)) or shuffled.alpha == (
        pytest.approx(result.alpha)
    )


# ---------------------------------------------------------------------------
# Rasch: published LSAT estimates
# ---------------------------------------------------------------------------

# R ltm, ``summary(rasch(LSAT))`` (21 Gauss–Hermite points; common discrimination, N(0, 1)
# abilities): log.Lik −2466.938; Dffclt −3.6153 (0.3266), −1.3224 (0.1422), −0.3176
# (0.0977), −1.7301 (0.1691), −2.7802 (0.2510); Dscrmn 0.7551 (0.0694). The same model as
# ours with σ = Dscrmn and our difficulty = Dscrmn · Dffclt.
LTM_DIFFICULTY = [-3.6153, -1.3224, -0.3176, -1.7301, -2.7802]
LTM_DIFFICULTY_SE = [0.3266, 0.1422, 0.0977, 0.1691, 0.2510]
LTM_DISCRIMINATION, LTM_DISCRIMINATION_SE = 0.7551, 0.0694
LTM_LOGLIK = -2466.938


def test_rasch_reproduces_ltm_on_lsat():
    result = rasch(lsat(), quadrature_points=21)
    assert result.converged
    assert result.population_sd == pytest.approx(LTM_DISCRIMINATION, abs=1e-4)
    assert result.population_sd_se == pytest.approx(LTM_DISCRIMINATION_SE, abs=1e-4)
    assert result.log_likelihood == pytest.approx(LTM_LOGLIK, abs=1e-3)
    sd = result.population_sd
    covariance = result.covariance  # five difficulties, then σ
    for j, item in enumerate(result.items):
        assert item.status == STATUS_OK
        # ltm's difficulty is ours over σ; its SE by the delta method.
        assert item.difficulty / sd == pytest.approx(LTM_DIFFICULTY[j], abs=1e-4)
        gradient = np.zeros(6)
        gradient[j], gradient[5] = 1 / sd, -item.difficulty / sd**2
        se = math.sqrt(gradient @ covariance @ gradient)
        assert se == pytest.approx(LTM_DIFFICULTY_SE[j], abs=2e-4)


def test_rasch_default_quadrature_agrees_with_21_points_on_lsat():
    coarse = rasch(lsat(), quadrature_points=21)
    fine = rasch(lsat())
    np.testing.assert_allclose(
        [i.difficulty for i in fine.items], [i.difficulty for i in coarse.items], atol=1e-3
    )


# irtQ's ``est_irt(data = LSAT6, D = 1, model = "1PLM", fix.a.1pl = TRUE, a.val.1pl = 1)``
# (slope fixed at 1, N(0, 1) abilities, 49 rectangular points): log-likelihood −2473.054;
# difficulties −2.87 (0.13), −1.06 (0.08), −0.26 (0.08), −1.39 (0.09), −2.22 (0.11).
# Printed to 2 decimals; our SE of item 5 is 0.1048, which irtQ's own information matrix
# rounds to 0.11 (our observed-information SEs match ltm to 4 decimals above), hence the
# wider tolerance on the standard errors.
IRTQ_DIFFICULTY = [-2.87, -1.06, -0.26, -1.39, -2.22]
IRTQ_DIFFICULTY_SE = [0.13, 0.08, 0.08, 0.09, 0.11]


def test_rasch_with_unit_sd_reproduces_irtq_on_lsat():
    result = rasch(lsat(), estimate_sd=False)
    assert result.population_sd == 1
    assert math.isnan(result.population_sd_se)
    assert result.covariance.shape == (5, 5)
    assert result.log_likelihood == pytest.approx(-2473.054, abs=1e-3)
    assert [i.difficulty for i in result.items] == pytest.approx(IRTQ_DIFFICULTY, abs=0.005)
    assert [i.difficulty_se for i in result.items] == pytest.approx(IRTQ_DIFFICULTY_SE, abs=0.006)


# ---------------------------------------------------------------------------
# Rasch: recovery, partial credit, missing and extreme data, fit
# ---------------------------------------------------------------------------


def test_rasch_recovers_simulated_difficulties():
    rng = np.random.default_rng(20261204)
    difficulties = np.linspace(-2, 2, 20)
    rng.shuffle(difficulties)
    theta = rng.normal(0, 1.2, 2000)
    result = rasch(simulate_rasch(rng, theta, difficulties))
    estimates = np.array([i.difficulty for i in result.items])
    errors = np.array([i.difficulty_se for i in result.items])
    assert result.converged
    # SE ≈ 0.06 with 2,000 pupils: 0.2 logits is over 3 SE.
    assert np.abs(estimates - difficulties).max() < 0.2
    assert np.corrcoef(estimates, difficulties)[0, 1] > 0.98
    assert result.population_sd == pytest.approx(1.2, abs=0.1)
    # The standard errors are honest: most estimates lie within 2 SE of the truth.
    assert np.mean(np.abs(estimates - difficulties) < 2 * errors) >= 0.8
    assert 0.04 < errors.mean() < 0.09
    # EAP abilities track the true ones.
    assert np.corrcoef(result.abilities, theta)[0, 1] > 0.9
    assert abs(result.abilities.mean()) < 0.1
    assert np.all(result.abilities_se > 0)
    # Items simulated from the model fit it.
    for item in result.items:
        assert 0.85 < item.infit < 1.15
        assert 0.8 < item.outfit < 1.2


STEPS = [
    [-1.0],
    [0.5],
    [-0.5, 0.8],
    [0.0, -0.6],
    [-1.2, 0.3, 1.1],
    [-0.4, 0.2, 0.9],
    [1.0],
    [-1.5],
    [0.2, 1.0],
    [-0.8, -0.2, 0.7],
]


def test_partial_credit_model_recovers_step_difficulties_with_missing_responses():
    rng = np.random.default_rng(7)
    scores = simulate_pcm(rng, rng.normal(0, 1, 3000), STEPS)
    scores[rng.random(scores.shape) < 0.1] = np.nan  # 10% missing at random
    result = rasch(scores, max_scores=[len(s) for s in STEPS])
    truth = np.concatenate(STEPS)
    estimates = np.concatenate([item.steps for item in result.items])
    assert result.converged
    assert np.abs(estimates - truth).max() < 0.25
    assert np.corrcoef(estimates, truth)[0, 1] > 0.98
    for item, item_steps in zip(result.items, STEPS, strict=True):
        assert item.max_score == len(item_steps)
        assert item.steps.shape == item.steps_se.shape == (len(item_steps),)
        assert np.all(item.steps_se > 0)
        # The item measure is the mean of its steps.
        assert item.difficulty == pytest.approx(item.steps.mean())
        assert 0.85 < item.infit < 1.15


def test_dichotomous_items_are_the_special_case_of_the_partial_credit_model():
    # A 0–2 item whose middle category nobody uses is not estimable (its steps are ±inf),
    # but the same responses scored 0/1 give an ordinary Rasch item.
    rng = np.random.default_rng(3)
    scores = simulate_rasch(rng, rng.normal(0, 1, 500), np.array([-1.0, 0.0, 0.5, 1.0]))
    as_pcm = rasch(np.column_stack([scores[:, :3], scores[:, 3] * 2]), max_scores=[1, 1, 1, 2])
    assert as_pcm.items[3].status == STATUS_EMPTY_CATEGORY
    plain = rasch(scores)
    assert plain.items[3].status == STATUS_OK


def test_missing_responses_are_left_out_of_the_likelihood():
    rng = np.random.default_rng(12)
    difficulties = np.linspace(-1.5, 1.5, 10)
    scores = simulate_rasch(rng, rng.normal(0, 1, 1500), difficulties)
    full = rasch(scores)
    holed = scores.copy()
    holed[rng.random(scores.shape) < 0.2] = np.nan
    holed[0] = np.nan  # a pupil who answered nothing
    fitted = rasch(holed)
    a = np.array([i.difficulty for i in full.items])
    b = np.array([i.difficulty for i in fitted.items])
    assert np.abs(a - b).max() < 0.15
    assert [i.n_answered for i in fitted.items] == list((~np.isnan(holed)).sum(axis=0))
    # Fewer responses, larger standard errors.
    assert all(
        m.difficulty_se > f.difficulty_se for m, f in zip(fitted.items, full.items, strict=True)
    )
    # Nothing answered: the posterior is the prior.
    assert fitted.abilities[0] == pytest.approx(0, abs=1e-9)
    assert fitted.abilities_se[0] == pytest.approx(fitted.population_sd, rel=1e-6)
    # Scoring the missing responses as wrong instead would bias every difficulty upwards.
    zero_filled = rasch(np.nan_to_num(holed))
    assert all(
        z.difficulty > f.difficulty for z, f in zip(zero_filled.items, fitted.items, strict=True)
    )


def test_extreme_items_are_reported_not_estimated():
    rng = np.random.default_rng(4)
    scores = simulate_rasch(rng, rng.normal(0, 1, 400), np.linspace(-1, 1, 8))
    scores[:, 0] = 0  # nobody right
    scores[:, 1] = 1  # everybody right
    scores[:, 2] = np.nan  # nobody answered
    result = rasch(scores)
    statuses = [item.status for item in result.items]
    assert statuses[:3] == [STATUS_ALL_MINIMUM, STATUS_ALL_MAXIMUM, STATUS_NO_RESPONSES]
    assert set(statuses[3:]) == {STATUS_OK}
    for item in result.items[:3]:
        assert math.isnan(item.difficulty)
        assert math.isnan(item.difficulty_se)
        assert np.isnan(item.steps).all()
    for item in result.items[3:]:
        assert math.isfinite(item.difficulty)
        assert math.isfinite(item.difficulty_se)
    assert np.isfinite(result.abilities).all()
    # Pupils with every estimable item right or wrong still get finite EAP abilities.
    assert np.isfinite(result.abilities_se).all()


def test_top_category_nobody_reached_is_reported():
    rng = np.random.default_rng(6)
    scores = simulate_pcm(rng, rng.normal(0, 1, 400), [[-0.5], [0.0], [0.5], [-0.2, 0.4]])
    scores[:, 3] = np.minimum(scores[:, 3], 1)  # nobody got the full 2 marks
    result = rasch(scores, max_scores=[1, 1, 1, 2])
    assert result.items[3].status == STATUS_EMPTY_CATEGORY
    assert result.items[3].steps.shape == (2,)


def test_too_few_estimable_items_is_an_error():
    scores = np.array([[0, 1, 1], [0, 1, 0], [0, 1, 1], [0, 1, 0]], dtype=float)
    with pytest.raises(ValueError, match="only 1 item"):
        rasch(scores)


def test_rasch_needs_whole_number_scores():
    with pytest.raises(ValueError, match=r"pupil 2, item 1: score 0.5 is not a whole number"):
        rasch(np.array([[1, 0], [0.5, 1], [0, 1]]))
    with pytest.raises(ValueError, match="quadrature_points must be at least 5"):
        rasch([[1, 0], [0, 1], [0, 1]], quadrature_points=3)


def test_infit_and_outfit_flag_misfitting_items():
    rng = np.random.default_rng(3)
    n, k = 2000, 20
    difficulties = np.linspace(-2, 2, k)
    theta = rng.normal(0, 1, n)
    slopes = np.ones(k)
    slopes[1] = 3.0  # discriminates far more than the model allows: overfit
    slopes[2] = 0.3  # hardly related to ability: underfit
    p = 1 / (1 + np.exp(-slopes * (theta[:, None] - difficulties[None, :])))
    scores = (rng.random(p.shape) < p).astype(float)
    scores[:, 0] = rng.random(n) < 0.5  # pure guessing
    result = rasch(scores)
    noisy, overfit, weak = result.items[0], result.items[1], result.items[2]
    assert noisy.infit > 1.2 and noisy.outfit > 1.2
    assert weak.infit > 1.1 and weak.outfit > 1.2
    assert overfit.infit < 0.95 and overfit.outfit < 0.7
    for item in result.items[3:]:
        assert 0.85 < item.infit < 1.15


def warm_equation(theta: float, responses: np.ndarray, difficulties: np.ndarray) -> float:
    """Warm's estimating equation for 0/1 items: r − Σp + Σ p·q·(1 − 2p) / (2 Σ p·q)."""
    answered = ~np.isnan(responses)
    p = 1 / (1 + np.exp(-(theta - difficulties[answered])))
    info = float((p * (1 - p)).sum())
    skew = float((p * (1 - p) * (1 - 2 * p)).sum())
    return float(np.nansum(responses)) - float(p.sum()) + skew / (2 * info)


@pytest.mark.parametrize("missing", [0.0, 0.15])
def test_wle_solves_warms_equation_for_every_pupil(missing):
    # Without missing responses the WLE is solved once per raw score, with them once per
    # pupil: both paths must satisfy the same equation.
    rng = np.random.default_rng(21)
    scores = simulate_rasch(rng, rng.normal(0, 1, 600), np.linspace(-2, 2, 12))
    scores[rng.random(scores.shape) < missing] = np.nan
    result = rasch(scores)
    difficulties = np.array([i.difficulty for i in result.items])
    for n in range(scores.shape[0]):
        assert warm_equation(result.wle[n], scores[n], difficulties) == pytest.approx(0, abs=1e-8)
    p = 1 / (1 + np.exp(-(result.wle[:, None] - difficulties[None, :])))
    info = np.where(np.isnan(scores), 0, p * (1 - p)).sum(axis=1)
    np.testing.assert_allclose(result.wle_se, 1 / np.sqrt(info), rtol=1e-6)


def test_wle_is_finite_for_perfect_and_zero_scores_and_less_shrunk_than_eap():
    rng = np.random.default_rng(22)
    scores = simulate_rasch(rng, rng.normal(0, 1.5, 2000), np.linspace(-1, 1, 10))
    result = rasch(scores)
    raw = scores.sum(axis=1)
    assert (raw == 10).any() and (raw == 0).any()
    assert np.isfinite(result.wle).all()
    assert np.isfinite(result.wle_se).all()
    # Same raw score, same WLE; higher raw score, higher WLE.
    by_score = [float(np.unique(result.wle[raw == r])[0]) for r in range(11)]
    assert by_score == sorted(by_score)
    assert result.wle.std() > result.abilities.std()


def test_wle_of_a_pupil_who_answered_nothing_is_nan():
    rng = np.random.default_rng(23)
    scores = simulate_rasch(rng, rng.normal(0, 1, 300), np.linspace(-1, 1, 6))
    scores[5] = np.nan
    result = rasch(scores)
    assert math.isnan(result.wle[5]) and math.isnan(result.wle_se[5])
    assert np.isfinite(np.delete(result.wle, 5)).all()


def test_no_spread_of_ability_gives_a_non_negative_sd():
    # Responses unrelated to any ability: σ goes to its boundary 0, never below.
    rng = np.random.default_rng(0)
    result = rasch((rng.random((300, 10)) < 0.6).astype(float))
    assert 0 <= result.population_sd < 0.2
    assert all(math.isfinite(item.difficulty) for item in result.items)
