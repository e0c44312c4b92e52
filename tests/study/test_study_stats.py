"""Statistics of a study, checked on cases small enough to work out by hand."""
import math

import numpy as np
import pytest

from thesis.study import nb
from thesis.study.stats import (bootstrap_mean_ci, bootstrap_means, holm, mean_gt0_pvalue, profit_factor, summarize,
                                wilson_interval)

Z95 = 1.959963984540054


def test_wilson_zero_hits_has_closed_form():
    # p = 0: lower bound 0, upper bound z^2 / (n + z^2).
    lo, hi = wilson_interval(0, 10)
    assert lo == 0.0
    assert hi == pytest.approx(Z95 ** 2 / (10 + Z95 ** 2), rel=1e-9)


def test_wilson_half_is_symmetric_and_matches_formula():
    n, k = 10, 5
    lo, hi = wilson_interval(k, n)
    centre = (0.5 + Z95 ** 2 / (2 * n)) / (1 + Z95 ** 2 / n)
    half = Z95 * math.sqrt(0.25 / n + Z95 ** 2 / (4 * n * n)) / (1 + Z95 ** 2 / n)
    assert (lo, hi) == pytest.approx((centre - half, centre + half), rel=1e-9)
    assert lo + hi == pytest.approx(1.0)
    assert (lo, hi) == pytest.approx((0.2366, 0.7634), abs=1e-4)   # the textbook value


def test_wilson_all_hits_mirrors_zero_hits():
    lo0, hi0 = wilson_interval(0, 7)
    lo1, hi1 = wilson_interval(7, 7)
    assert (lo1, hi1) == pytest.approx((1 - hi0, 1 - lo0))
    assert all(math.isnan(v) for v in wilson_interval(0, 0))


def test_bootstrap_of_a_constant_is_that_constant():
    assert bootstrap_mean_ci([2.5] * 7, 500, seed=1) == (2.5, 2.5)


def test_bootstrap_two_points_covers_both_ends():
    # Resample means of [0, 1] are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4.
    means = bootstrap_means(np.array([0.0, 1.0]), 8000, seed=5)
    values, counts = np.unique(means, return_counts=True)
    assert list(values) == [0.0, 0.5, 1.0]
    assert counts / 8000 == pytest.approx([0.25, 0.5, 0.25], abs=0.02)
    assert bootstrap_mean_ci([0.0, 1.0], 4000, seed=3) == (0.0, 1.0)


def test_bootstrap_one_in_four():
    # Resample mean of [0,0,0,1] is k/4 with k ~ Binomial(4, 1/4): P(k=0) = 0.316 > 2.5 %,
    # P(k <= 2) = 0.949 < 97.5 % <= P(k <= 3) = 0.996, so the 95 % interval is [0, 0.75].
    assert bootstrap_mean_ci([0.0, 0.0, 0.0, 1.0], 4000, seed=11) == (0.0, 0.75)


def test_bootstrap_is_seeded():
    x = np.arange(30, dtype=float) ** 1.5
    a = bootstrap_means(x, 300, seed=7)
    assert np.array_equal(a, bootstrap_means(x, 300, seed=7))
    assert not np.array_equal(a, bootstrap_means(x, 300, seed=8))
    # The spread of resampled means is the standard error of the mean (ddof 0), within noise.
    means = bootstrap_means(x, 4000, seed=2)
    assert means.std() == pytest.approx(x.std() / math.sqrt(len(x)), rel=0.08)
    assert all(math.isnan(v) for v in bootstrap_mean_ci([], 100))


def test_bootstrap_kernel_index_stream_is_uniform():
    # Every index is drawn about equally often: resampling x = e_i (one-hot) has mean 1/n.
    n = 5
    for i in range(n):
        x = np.zeros(n)
        x[i] = 1.0
        assert nb.bootstrap_means_nb(x, 4000, 99).mean() == pytest.approx(1 / n, abs=0.01)


def test_t_test_two_degrees_of_freedom_closed_form():
    # x = [1, 2, 3]: mean 2, sd 1, t = 2 * sqrt(3); for 2 df, P(T > t) = 1/2 - t / (2 sqrt(t^2 + 2)).
    t = 2 * math.sqrt(3)
    assert mean_gt0_pvalue([1.0, 2.0, 3.0]) == pytest.approx(0.5 - t / (2 * math.sqrt(t * t + 2)), rel=1e-9)
    assert math.isnan(mean_gt0_pvalue([1.0]))
    assert mean_gt0_pvalue([1.0, 1.0]) == 0.0 and mean_gt0_pvalue([-1.0, -1.0]) == 1.0


def test_holm_by_hand():
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> running max 0.06.
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    out = holm([0.5, np.nan, 0.4])
    assert out[0] == pytest.approx(0.8) and math.isnan(out[1]) and out[2] == pytest.approx(0.8)
    assert holm([0.9, 0.8]) == pytest.approx([1.0, 1.0])


def test_profit_factor_and_expectancy_by_hand():
    r = np.array([2.0, -1.0, -1.0, 3.0, 0.0])
    assert profit_factor(r) == pytest.approx(5.0 / 2.0)
    assert profit_factor([1.0, 2.0]) is None
    reason = np.array([1, 0, 0, 1, 2])
    s = summarize(r, reason, [3, 4, 5, 6, 7], [3, 4, 5, 6, 7], [1, 0, 0, 1, 0], [0, -1, -1, 0, -0.5],
                  r * 2, n_boot=200)
    assert s["signals"] == 5 and s["hit_rate"] == pytest.approx(0.4) and s["win_rate"] == pytest.approx(0.4)
    # 0.4 * 2.5 (mean win) + 0.4 * -1 (mean loss) = 0.6 = mean R
    assert s["expectancy"] == pytest.approx(0.6) and s["mean_r"] == pytest.approx(0.6)
    assert s["expectancy_pct"] == pytest.approx(1.2)
    assert s["outcomes"] == {"target": 2, "stop": 2, "time": 1}
    assert s["sessions_to_outcome"]["median"] == 5
    assert sum(s["r_histogram"]["counts"]) == 5


def test_wilson_bounds_never_leave_zero_to_one():
    # the formula's rounding gives 1 + 2e-16 for 16 hits of 16 (and below 0 for 0 of 21): clamped
    for n in range(1, 200):
        assert wilson_interval(n, n)[1] <= 1.0 and wilson_interval(0, n)[0] >= 0.0
        assert wilson_interval(n, n)[1] == pytest.approx(1.0) and wilson_interval(0, n)[0] == pytest.approx(0.0)


def test_one_bootstrap_resample_is_one_mean():
    x = np.array([1.0, 2.0, 3.0])
    one = bootstrap_means(x, n_boot=1, seed=3)
    assert one.shape == (1,) and one[0] in {np.mean(c) for c in np.array(np.meshgrid(x, x, x)).T.reshape(-1, 3)}
    assert bootstrap_means(x, n_boot=0).shape == (0,)


def test_histogram_bins_are_half_r_wide_and_cover_minus_one_to_one():
    from thesis.study.stats import histogram

    h = histogram([-0.7, 0.2, 2.2])
    assert h["edges"] == [-1.0, -0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5] and h["counts"] == [1, 0, 1, 0, 0, 0, 1]
    h = histogram([-2.3, 0.1])
    assert h["edges"][0] == -2.5 and h["edges"][-1] == 1.0 and sum(h["counts"]) == 2
    assert histogram([]) == {"edges": [-1.0, -0.5, 0.0, 0.5, 1.0], "counts": [0, 0, 0, 0]}


def test_a_cell_whose_trades_all_have_the_same_r_has_a_certain_p_value():
    from thesis.study.stats import light_summaries, mean_gt0_pvalue

    for value, p in ((0.5, 0.0), (-0.5, 1.0), (0.0, 1.0)):
        r = [value] * 4
        assert light_summaries([(r, [1, 1, 1, 1])])[0]["p_mean_r_gt0"] == mean_gt0_pvalue(r) == p


def test_a_zero_r_trade_is_neither_a_win_nor_a_loss():
    r = np.array([1.0, 0.0, -1.0, -1.0])
    reason = np.array([1, 2, 0, 0])
    s = summarize(r, reason, [1, 2, 3, 4], [1, 2, 3, 4], [1, 0, 0, 0], [0, 0, -1, -1], [1, 0, -1, -1], n_boot=50)
    assert (s["win_rate"], s["avg_win_r"], s["avg_loss_r"]) == (0.25, 1.0, -1.0)
    assert s["expectancy"] == pytest.approx(r.mean())
    assert set(s["days_to_outcome_by_reason"]) == {"target", "stop", "time"}
    assert s["days_to_outcome_by_reason"]["time"]["median"] == 2.0
    assert s["outcomes"] == {"target": 1, "stop": 2, "time": 1}
