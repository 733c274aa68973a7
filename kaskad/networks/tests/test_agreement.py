"""Tests for kaskad.networks.agreement (pure numpy, no Django needed).

Expected values come from published worked examples, cited at each test:

* Shrout & Fleiss (1979), Psychological Bulletin 86(2), 420-428, Table 2
  (6 targets x 4 judges) for the mean squares and the six ICCs, and the
  output of ``psych::ICC`` on the same table (F tests, p-values and 95 %
  limits) as printed in D. Wollschläger's RExRepos, "Inter-rater-reliability
  and Intra-class-correlation" (github.com/dwoll/RExRepos, md/interRaterICC.md).
* The same RExRepos page for ``irr::kappa2`` (unweighted and "equal", i.e.
  linear, weights) with its z statistic and ``irr::agree`` percent agreement.
* Gwet's irrCAC package (README and ``kappa2.table`` help page) for Cohen's
  kappa with its standard error and the quadratic-weighted kappa on the
  ``cont3x3abstractors`` table (Gwet 2014, Handbook of Inter-Rater
  Reliability, 4th ed.).
* An F distribution table with four decimals (atozmath.com, "F Distribution
  table") for the F quantiles, plus closed forms derived in the tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kaskad.networks.agreement import (
    agreement_by_element,
    exact_and_adjacent_agreement,
    f_cdf,
    f_quantile,
    f_sf,
    icc,
    regularized_incomplete_beta,
    weighted_kappa,
)

# Shrout & Fleiss (1979), Table 2: rows are the 6 targets, columns the 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]


def _expand(table: list[list[int]]) -> tuple[list[int], list[int]]:
    """Turn a contingency table (rows = observer a) into two rating lists."""
    a: list[int] = []
    b: list[int] = []
    for i, row in enumerate(table):
        for j, count in enumerate(row):
            a.extend([i] * count)
            b.extend([j] * count)
    return a, b


# --- F distribution -------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "df1", "df2", "expected"),
    [
        # atozmath.com F table, 4 decimals (upper-tail area 0.05 / 0.025 / 0.01).
        (0.95, 1, 1, 161.4476),
        (0.95, 3, 2, 19.1643),
        (0.975, 1, 2, 38.5063),
        (0.975, 2, 2, 39.0000),
        (0.975, 1, 3, 17.4434),
        (0.975, 3, 3, 15.4392),
        (0.975, 10, 3, 14.4189),
        (0.99, 10, 2, 99.3992),
        (0.95, 1000, 2, 19.4947),
    ],
)
def test_f_quantile_matches_published_table(p, df1, df2, expected):
    assert f_quantile(p, df1, df2) == pytest.approx(expected, abs=6e-5)


@pytest.mark.parametrize(
    ("p", "df1", "df2", "expected"),
    [
        # Commonly tabulated values for the ICC-sized degrees of freedom.
        # F(0.975; 5, 15) = 3.5764 is also pinned down by the psych::ICC interval
        # below: ICC(3,1) lower limit 0.342 = (F/Fq - 1)/(F/Fq + 3) with F = 11.03.
        (0.975, 5, 15, 3.5764),
        (0.95, 3, 15, 3.2874),
        (0.975, 15, 5, 6.4277),
    ],
)
def test_f_quantile_icc_sized_degrees_of_freedom(p, df1, df2, expected):
    assert f_quantile(p, df1, df2) == pytest.approx(expected, abs=6e-5)


def test_f_quantile_large_denominator_df_tends_to_chi_square():
    # df1 * F(p; df1, df2) -> chi-square(p; df1) as df2 grows; the chi-square
    # table gives 9.348 for p = 0.975 with 3 degrees of freedom.
    assert 3 * f_quantile(0.975, 3, 1e7) == pytest.approx(9.348, abs=5e-4)


@given(
    p=st.floats(min_value=0.001, max_value=0.999),
    df2=st.floats(min_value=0.5, max_value=200),
)
@settings(deadline=None, max_examples=60)
def test_f_quantile_two_numerator_df_closed_form(p, df2):
    # With df1 = 2 the F cdf is 1 - (1 + 2f/df2)^(-df2/2), which inverts to
    # f = df2/2 * ((1 - p)^(-2/df2) - 1): an exact reference for any df2.
    exact = df2 / 2 * ((1 - p) ** (-2 / df2) - 1)
    assert f_quantile(p, 2, df2) == pytest.approx(exact, rel=1e-9)


@given(
    p=st.floats(min_value=0.001, max_value=0.999),
    df1=st.floats(min_value=0.5, max_value=100),
    df2=st.floats(min_value=0.5, max_value=100),
)
@settings(deadline=None, max_examples=60)
def test_f_quantile_inverts_cdf_and_reciprocal_symmetry(p, df1, df2):
    q = f_quantile(p, df1, df2)
    assert f_cdf(q, df1, df2) == pytest.approx(p, abs=1e-9)
    assert f_sf(q, df1, df2) == pytest.approx(1 - p, abs=1e-9)
    # F(p; d1, d2) = 1 / F(1 - p; d2, d1).
    assert q * f_quantile(1 - p, df2, df1) == pytest.approx(1.0, rel=1e-7)


def test_incomplete_beta_closed_forms():
    # I_x(1, 1) = x; I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b.
    assert regularized_incomplete_beta(1, 1, 0.3) == pytest.approx(0.3)
    assert regularized_incomplete_beta(2.5, 1, 0.7) == pytest.approx(0.7**2.5)
    assert regularized_incomplete_beta(1, 4, 0.2) == pytest.approx(1 - 0.8**4)
    assert regularized_incomplete_beta(3, 3, 0.5) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: f_quantile(1.0, 3, 4), "probability"),
        (lambda: f_quantile(0.5, 0, 4), "degrees of freedom"),
        (lambda: regularized_incomplete_beta(1, 1, 1.5), "x must lie"),
        (lambda: regularized_incomplete_beta(-1, 1, 0.5), "positive"),
    ],
)
def test_f_helpers_reject_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- ICC: Shrout & Fleiss (1979) -------------------------------------------


def test_icc_mean_squares_match_shrout_fleiss_table_2():
    result = icc(SHROUT_FLEISS)
    # Shrout & Fleiss (1979), Table 2 analysis of variance.
    assert result.bms == pytest.approx(11.24, abs=0.005)
    assert result.wms == pytest.approx(6.26, abs=0.005)
    assert result.jms == pytest.approx(32.49, abs=0.005)
    assert result.ems == pytest.approx(1.02, abs=0.005)
    assert (result.n_targets, result.n_judges) == (6, 4)


def test_icc_values_match_shrout_fleiss_table_2():
    result = icc(SHROUT_FLEISS)
    # Shrout & Fleiss (1979), published to two decimals.
    assert result.icc1_1.value == pytest.approx(0.17, abs=0.005)
    assert result.icc2_1.value == pytest.approx(0.29, abs=0.005)
    assert result.icc3_1.value == pytest.approx(0.71, abs=0.005)
    assert result.icc1_k.value == pytest.approx(0.44, abs=0.005)
    assert result.icc2_k.value == pytest.approx(0.62, abs=0.005)
    assert result.icc3_k.value == pytest.approx(0.91, abs=0.005)


# psych::ICC on the Shrout & Fleiss table (RExRepos interRaterICC.md):
#                          type  ICC    F df1 df2       p lower bound upper bound
# Single_raters_absolute   ICC1 0.17  1.8   5  18 0.16477      -0.133        0.72
# Single_random_raters     ICC2 0.29 11.0   5  15 0.00013       0.019        0.76
# Single_fixed_raters      ICC3 0.71 11.0   5  15 0.00013       0.342        0.95
# Average_raters_absolute ICC1k 0.44  1.8   5  18 0.16477      -0.884        0.91
# Average_random_raters   ICC2k 0.62 11.0   5  15 0.00013       0.071        0.93
# Average_fixed_raters    ICC3k 0.91 11.0   5  15 0.00013       0.676        0.99
PSYCH_OUTPUT = {
    "icc1_1": (1.8, 5, 18, 0.16477, -0.133, 0.72),
    "icc2_1": (11.0, 5, 15, 0.00013, 0.019, 0.76),
    "icc3_1": (11.0, 5, 15, 0.00013, 0.342, 0.95),
    "icc1_k": (1.8, 5, 18, 0.16477, -0.884, 0.91),
    "icc2_k": (11.0, 5, 15, 0.00013, 0.071, 0.93),
    "icc3_k": (11.0, 5, 15, 0.00013, 0.676, 0.99),
}


@pytest.mark.parametrize("name", list(PSYCH_OUTPUT))
def test_icc_f_tests_and_intervals_match_psych(name):
    f, df1, df2, p, low, high = PSYCH_OUTPUT[name]
    estimate = getattr(icc(SHROUT_FLEISS), name)
    assert estimate.f == pytest.approx(f, abs=0.05)
    assert (estimate.df1, estimate.df2) == (df1, df2)
    assert estimate.p_value == pytest.approx(p, abs=5e-6)
    assert estimate.ci_low == pytest.approx(low, abs=5e-4)
    assert estimate.ci_high == pytest.approx(high, abs=5e-3)
    assert estimate.ci_low < estimate.value < estimate.ci_high


def test_icc_wider_interval_for_higher_confidence():
    narrow = icc(SHROUT_FLEISS, confidence=0.90).icc2_1
    wide = icc(SHROUT_FLEISS, confidence=0.99).icc2_1
    assert wide.ci_low < narrow.ci_low < narrow.ci_high < wide.ci_high


def test_icc_of_perfect_agreement_is_one():
    ratings = [[1, 1, 1], [2, 2, 2], [4, 4, 4]]
    result = icc(ratings)
    for name in ("icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k"):
        estimate = getattr(result, name)
        assert estimate.value == pytest.approx(1.0)
        assert (estimate.ci_low, estimate.ci_high) == (1.0, 1.0)
        assert estimate.f == math.inf
        assert estimate.p_value == 0.0


def test_icc2_interval_when_observers_differ_only_by_an_offset():
    # Zero residual: consistency is perfect, absolute agreement is not. The
    # interval is the EMS -> 0 limit of Shrout & Fleiss' formulas, no 0/0.
    result = icc([[1, 2, 3], [2, 3, 4], [4, 5, 6]])
    assert result.ems == pytest.approx(0.0, abs=1e-12)
    assert result.icc3_1.value == pytest.approx(1.0)
    estimate = result.icc2_1
    assert 0.0 < estimate.ci_low < estimate.value < estimate.ci_high <= 1.0


def test_icc_undefined_when_lessons_do_not_differ():
    # Every lesson got the same scores: nothing to be reliable about.
    result = icc([[3, 4], [3, 4], [3, 4]])
    assert math.isnan(result.icc3_1.value)


@pytest.mark.parametrize(
    ("ratings", "message"),
    [
        ([[1, 2], [3, float("nan")]], r"missing value.*row 1, column 1"),
        ([[1, 2], [3, float("inf")]], r"finite.*row 1, column 1"),
        ([[1, 2, 3]], r"at least 2 lessons"),
        ([[1], [2], [3]], r"at least 2 observers"),
        ([1, 2, 3], r"2-D"),
        ([[1, 2], [3]], r"rectangular"),
        ([["a", "b"], ["c", "d"]], r"rectangular"),
    ],
)
def test_icc_rejects_bad_tables_naming_the_problem(ratings, message):
    with pytest.raises(ValueError, match=message):
        icc(ratings)


def test_icc_rejects_bad_confidence():
    with pytest.raises(ValueError, match="confidence"):
        icc(SHROUT_FLEISS, confidence=1.0)


ratings_tables = st.integers(min_value=3, max_value=8).flatmap(
    lambda n: st.integers(min_value=2, max_value=5).flatmap(
        lambda k: st.lists(
            st.lists(st.integers(min_value=1, max_value=7), min_size=k, max_size=k),
            min_size=n,
            max_size=n,
        )
    )
)


def _values(result):
    return np.array(
        [
            getattr(result, name).value
            for name in ("icc1_1", "icc2_1", "icc3_1", "icc1_k", "icc2_k", "icc3_k")
        ]
    )


@given(table=ratings_tables, shift=st.integers(min_value=-10, max_value=10))
@settings(deadline=None, max_examples=60)
def test_icc_invariant_to_adding_a_constant_to_all_ratings(table, shift):
    base = icc(table)
    assume(base.bms > 1e-9 and base.ems > 1e-9)
    # Near a pole (a denominator such as BMS + (JMS - EMS)/n that is exactly 0)
    # the value is rounding noise, so there is nothing to compare.
    assume(np.all(np.abs(_values(base)) < 1e3))
    shifted = icc(np.asarray(table) + shift)
    np.testing.assert_allclose(_values(shifted), _values(base), rtol=1e-9, atol=1e-9)


@given(table=ratings_tables, shift=st.integers(min_value=1, max_value=5))
@settings(deadline=None, max_examples=60)
def test_icc_consistency_ignores_one_observers_offset_but_agreement_drops(table, shift):
    base = icc(table)
    assume(base.bms > 1e-9 and base.ems > 1e-9 and base.icc2_1.value > 1e-6)
    x = np.asarray(table, dtype=float)
    # The first observer is systematically harsher...
    x[:, 0] -= 3 * shift
    lenient = icc(x)
    # ...which consistency (ICC 3) does not see...
    assert lenient.icc3_1.value == pytest.approx(base.icc3_1.value, rel=1e-9, abs=1e-12)
    assert lenient.ems == pytest.approx(base.ems, rel=1e-9, abs=1e-12)
    # ...but absolute agreement (ICC 2) sees once it widens the observers' spread.
    if lenient.jms > base.jms:
        assert lenient.icc2_1.value < base.icc2_1.value


# --- Kappa -----------------------------------------------------------------

# Gwet's irrCAC, cont3x3abstractors (Ectopic / AIU / NIU, 100 pregnancies):
# kappa2.table -> Cohen's kappa 0.7964094, se 0.05891072;
# kappa2.table(weights = quadratic.weights(1:3)) -> 0.8921569.
ABSTRACTORS = [[13, 0, 0], [0, 20, 7], [0, 4, 56]]

# RExRepos interRaterICC.md, irr::kappa2 on a 3-category table of 100 subjects:
# Kappa = 0.429, z = 5.46; irr::agree: %-agree = 70.
THREE_CATEGORIES = [[53, 5, 2], [11, 14, 5], [1, 6, 3]]

# RExRepos interRaterICC.md, irr::kappa2(weight = "equal") on six ordered
# classes (<10% ... >50%): Kappa = 0.316, z = 5.38.
SIX_ORDERED = [
    [5, 8, 1, 2, 4, 2],
    [3, 5, 3, 5, 5, 0],
    [1, 2, 6, 11, 2, 1],
    [0, 1, 5, 4, 3, 3],
    [0, 0, 1, 2, 5, 2],
    [0, 0, 1, 2, 1, 4],
]


def test_unweighted_kappa_and_standard_error_match_irrcac():
    a, b = _expand(ABSTRACTORS)
    result = weighted_kappa(a, b, [0, 1, 2], weights="none")
    assert result.kappa == pytest.approx(0.7964094, abs=5e-8)
    # irrCAC's standard error for Cohen's kappa is Fleiss, Cohen & Everitt's.
    assert result.se == pytest.approx(0.05891072, abs=5e-9)
    assert result.observed_agreement == pytest.approx(0.89)
    assert result.n == 100


def test_quadratic_weighted_kappa_matches_irrcac():
    a, b = _expand(ABSTRACTORS)
    labels = ["Ectopic", "AIU", "NIU"]
    result = weighted_kappa([labels[i] for i in a], [labels[i] for i in b], labels)
    assert result.kappa == pytest.approx(0.8921569, abs=5e-8)


def test_unweighted_kappa_and_z_match_irr():
    a, b = _expand(THREE_CATEGORIES)
    labels = ["V", "N", "P"]
    result = weighted_kappa([labels[i] for i in a], [labels[i] for i in b], labels, weights="none")
    assert result.kappa == pytest.approx(0.429, abs=5e-4)
    # irr's z is kappa over the null-hypothesis standard error of Fleiss,
    # Cohen & Everitt (1969).
    assert result.z == pytest.approx(5.46, abs=5e-3)
    exact, _adjacent = exact_and_adjacent_agreement(a, b)
    assert exact == pytest.approx(0.70)


def test_linear_weighted_kappa_and_z_match_irr():
    a, b = _expand(SIX_ORDERED)
    result = weighted_kappa(a, b, range(6), weights="linear")
    assert result.kappa == pytest.approx(0.316, abs=5e-4)
    assert result.z == pytest.approx(5.38, abs=5e-3)


@pytest.mark.parametrize("weights", ["linear", "quadratic"])
def test_unused_category_still_counts(weights):
    # Nobody used 3, but it lies between 2 and 4: a 2-versus-4 disagreement is
    # two steps apart on the real scale, not one.
    a = [1, 2, 4, 5, 2, 4, 1, 5]
    b = [1, 4, 4, 5, 2, 2, 2, 5]
    full_scale = weighted_kappa(a, b, [1, 2, 3, 4, 5], weights)
    used_only = weighted_kappa(a, b, [1, 2, 4, 5], weights)
    # Reference: Cohen's definition with distances taken on the 1-5 scale.
    expected = _reference_kappa([x - 1 for x in a], [y - 1 for y in b], 5, weights)
    assert full_scale.kappa == pytest.approx(expected, abs=1e-12)
    assert full_scale.kappa != pytest.approx(used_only.kappa)


def test_kappa_rejects_rating_outside_categories_naming_value_and_position():
    with pytest.raises(ValueError, match=r"rating 7 of observer b at position 2"):
        weighted_kappa([1, 2, 3], [1, 2, 7], [1, 2, 3, 4])


@pytest.mark.parametrize(
    ("a", "b", "categories", "weights", "message"),
    [
        ([1, 2], [1], [1, 2], "quadratic", "same lessons"),
        ([], [], [1, 2], "quadratic", "no ratings"),
        ([1], [1], [1], "quadratic", "at least 2"),
        ([1], [1], [1, 1, 2], "quadratic", "listed twice"),
        ([1], [1], [1, 2], "cubic", "weights must be"),
    ],
)
def test_kappa_rejects_bad_arguments(a, b, categories, weights, message):
    with pytest.raises(ValueError, match=message):
        weighted_kappa(a, b, categories, weights)


def test_kappa_undefined_when_both_observers_use_one_category():
    result = weighted_kappa([2, 2, 2], [2, 2, 2], [1, 2, 3])
    assert math.isnan(result.kappa)


def _reference_kappa(a, b, k, weights):
    """Straightforward re-implementation of Cohen's (1968) definition.

    Loops over every pair of lessons, counting disagreement weights
    v_ij = |i - j|^power directly: kappa_w = 1 - sum(v * observed) /
    sum(v * expected). Independent of the module's matrix form, which works
    with agreement weights 1 - v/v_max.
    """
    n = len(a)
    power = {"none": 0, "linear": 1, "quadratic": 2}[weights]

    def v(i, j):
        if i == j:
            return 0.0
        return 1.0 if power == 0 else abs(i - j) ** power

    observed = sum(v(x, y) for x, y in zip(a, b, strict=True)) / n
    expected = sum(v(x, y) for x in a for y in b) / (n * n)
    return 1 - observed / expected


ratings_pairs = st.integers(min_value=2, max_value=6).flatmap(
    lambda k: st.tuples(
        st.just(k),
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=k - 1),
                st.integers(min_value=0, max_value=k - 1),
            ),
            min_size=1,
            max_size=40,
        ),
    )
)


@given(data=ratings_pairs, weights=st.sampled_from(["none", "linear", "quadratic"]))
@settings(deadline=None, max_examples=60)
def test_kappa_matches_independent_reimplementation(data, weights):
    k, pairs = data
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    result = weighted_kappa(a, b, range(k), weights)
    assume(not math.isnan(result.kappa))
    assert result.kappa == pytest.approx(_reference_kappa(a, b, k, weights), abs=1e-9)


@given(data=ratings_pairs, weights=st.sampled_from(["none", "linear", "quadratic"]))
@settings(deadline=None, max_examples=60)
def test_kappa_symmetric_and_bounded(data, weights):
    k, pairs = data
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    ab = weighted_kappa(a, b, range(k), weights)
    ba = weighted_kappa(b, a, range(k), weights)
    assume(not math.isnan(ab.kappa))
    assert ab.kappa == pytest.approx(ba.kappa, abs=1e-12)
    # Compared as variances: a variance of 0 +- 1e-16 has a square root of 1e-8.
    assert ab.se**2 == pytest.approx(ba.se**2, abs=1e-12)
    assert -1 - 1e-12 <= ab.kappa <= 1 + 1e-12
    assert ab.se >= 0


@given(data=ratings_pairs, weights=st.sampled_from(["none", "linear", "quadratic"]))
@settings(deadline=None, max_examples=60)
def test_kappa_is_one_for_identical_ratings(data, weights):
    k, pairs = data
    a = [x for x, _ in pairs]
    assume(len(set(a)) > 1)
    result = weighted_kappa(a, a, range(k), weights)
    assert result.kappa == pytest.approx(1.0)
    # Compared as a variance: rounding leaves 0 +- 1e-13, whose square root is about 3e-7.
    assert result.se**2 == pytest.approx(0.0, abs=1e-12)


# --- Exact and adjacent agreement ------------------------------------------


def test_exact_and_adjacent_agreement_counts():
    a = [1, 2, 3, 4, 4]
    b = [1, 3, 1, 4, 2]
    # Equal: lessons 0 and 3. Within one point: also lesson 1.
    assert exact_and_adjacent_agreement(a, b) == (pytest.approx(0.4), pytest.approx(0.6))


@pytest.mark.parametrize(
    ("a", "b", "message"),
    [
        ([1, 2], [1], "same lessons"),
        ([], [], "no ratings"),
        ([1, float("nan")], [1, 2], r"observer a at position 1"),
        ([1, "x"], [1, 2], "numbers"),
    ],
)
def test_exact_and_adjacent_agreement_rejects_bad_input(a, b, message):
    with pytest.raises(ValueError, match=message):
        exact_and_adjacent_agreement(a, b)


# --- Per element -----------------------------------------------------------


def test_agreement_by_element_pairs_only_elements_both_observers_scored():
    pairs = [
        ({"planning": 3, "questioning": 2}, {"planning": 3, "questioning": 4}),
        ({"planning": 2, "questioning": 1}, {"planning": 2}),
        ({"planning": 4, "feedback": 1}, {"planning": 3, "questioning": 2}),
    ]
    results = agreement_by_element(pairs, categories=[1, 2, 3, 4])
    by_element = {r.element: r for r in results}
    assert list(by_element) == ["planning", "questioning"]
    planning = by_element["planning"]
    assert planning.n == 3
    assert planning.exact == pytest.approx(2 / 3)
    assert planning.adjacent == pytest.approx(1.0)
    assert planning.kappa.kappa == pytest.approx(
        weighted_kappa([3, 2, 4], [3, 2, 3], [1, 2, 3, 4]).kappa
    )
    assert by_element["questioning"].n == 1


def test_agreement_by_element_names_the_element_in_errors():
    pairs = [({"planning": 9}, {"planning": 3})]
    with pytest.raises(ValueError, match=r"element 'planning': rating 9 of observer a"):
        agreement_by_element(pairs, categories=[1, 2, 3, 4])
