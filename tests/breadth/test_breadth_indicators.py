"""Each breadth indicator against a small case worked out by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thesis.breadth import (advance_decline, breadth_surge, ema, equal_vs_cap_weight, mcclellan, new_highs_lows,
                            pct_above_ma, zweig_thrust)
from thesis.errors import BadInput

NAN = np.nan
DATES = pd.bdate_range("2024-01-01", periods=6)


def matrix() -> pd.DataFrame:
    """A rises then falls; B is flat; C lists on day 2; D has a gap on day 2."""
    return pd.DataFrame({
        "A": [1, 2, 3, 4, 3, 2],
        "B": [5, 5, 5, 5, 5, 5],
        "C": [NAN, NAN, 10, 11, 12, 9],
        "D": [1, 2, NAN, 4, 5, 6],
    }, index=DATES, dtype=float)


def test_pct_above_sma_by_hand():
    # SMA3 A: d2 2 (3 above), d3 3 (4 above), d4 10/3 (3 below), d5 3 (2 below)
    # B flat: close == SMA, a tie, never above
    # C: d4 SMA 11 (12 above), d5 32/3 (9 below); D: only d5 has 3 closes (4,5,6 -> 6 above 5)
    got = pct_above_ma(matrix(), 3)
    assert got["members"].tolist() == [0, 0, 2, 2, 3, 4]
    assert got["above"].tolist() == [0, 0, 1, 1, 1, 1]   # A, A, C, D
    assert got["pct"].iloc[:2].isna().all()
    np.testing.assert_allclose(got["pct"].iloc[2:], [50.0, 50.0, 100 / 3, 25.0])


def test_short_history_is_excluded_not_counted_below():
    close = matrix()
    got = pct_above_ma(close, 3)
    # C has only 2 closes on day 3: it is left out (members 2), not counted as "below" (members 3)
    assert got.loc[DATES[3], "members"] == 2
    without_c = pct_above_ma(close.drop(columns="C"), 3)
    assert got.loc[DATES[3], "pct"] == without_c.loc[DATES[3], "pct"]


def test_window_longer_than_history_gives_no_members():
    got = pct_above_ma(matrix(), 10)
    assert (got["members"] == 0).all() and got["pct"].isna().all()


def test_advance_decline_by_hand():
    got = advance_decline(matrix())
    assert got["advances"].tolist() == [0, 2, 1, 2, 2, 1]
    assert got["declines"].tolist() == [0, 0, 0, 0, 1, 2]
    assert got["unchanged"].tolist() == [0, 1, 1, 1, 1, 1]
    assert got["members"].tolist() == [0, 3, 2, 3, 4, 4]
    assert got["ad_line"].tolist() == [0, 2, 3, 5, 6, 5]
    np.testing.assert_allclose(got["ad_ratio"].iloc[1:], [1, 1, 1, 2 / 3, 1 / 3])
    assert np.isnan(got["ad_ratio"].iloc[0])
    # day 1: A +100%, B 0, D +100% ; day 4: A -25%, B 0, C +1/11, D +25%
    assert got["mean_return"].iloc[1] == pytest.approx(2 / 3)
    assert got["mean_return"].iloc[4] == pytest.approx((1 / 11) / 4)


def _ad(adv, dec) -> pd.DataFrame:
    adv, dec = np.asarray(adv, float), np.asarray(dec, float)
    both = adv + dec
    ratio = np.where(both > 0, adv / np.where(both > 0, both, 1), np.nan)
    return pd.DataFrame({"advances": adv, "declines": dec, "ad_ratio": ratio},
                        index=pd.bdate_range("2024-01-01", periods=len(adv)))


def test_mcclellan_ratio_adjusted_by_hand():
    ad = _ad([0, 3, 1, 2], [0, 1, 1, 0])
    # input 1000*(A-D)/(A+D): NaN, 500, 0, 1000; EMA span 1 = input; EMA span 3 (alpha .5): 500, 250, 625
    got = mcclellan(ad, ratio_adjusted=True, fast=1, slow=3)
    np.testing.assert_allclose(got["oscillator"].iloc[1:], [0.0, -250.0, 375.0])
    np.testing.assert_allclose(got["summation"].iloc[1:], [0.0, -250.0, 125.0])
    assert np.isnan(got["oscillator"].iloc[0])


def test_mcclellan_raw_and_default_spans():
    ad = _ad([0, 3, 1, 2], [0, 1, 1, 0])
    raw = mcclellan(ad, ratio_adjusted=False, fast=1, slow=3)
    np.testing.assert_allclose(raw["oscillator"].iloc[1:], [0.0, -1.0, 0.5])   # 2,0,2 vs 2,1,1.5
    std = mcclellan(ad)  # 19/39: alpha 0.10 and 0.05, seeded with 500
    f = [500.0]
    s = [500.0]
    for x in (0.0, 1000.0):
        f.append(f[-1] + 0.10 * (x - f[-1]))
        s.append(s[-1] + 0.05 * (x - s[-1]))
    np.testing.assert_allclose(std["oscillator"].iloc[1:], np.array(f) - np.array(s))


def test_ema_matches_recursive_formula_and_skips_nan():
    x = pd.Series([NAN, 2.0, 4.0, NAN, 8.0])
    got = ema(x, 3)  # alpha 0.5
    assert np.isnan(got.iloc[0])
    np.testing.assert_allclose(got.iloc[1:], [2.0, 3.0, 3.0, 5.5])


def test_new_highs_lows_by_hand():
    dates = pd.bdate_range("2024-01-01", periods=6)
    high = pd.DataFrame({"A": [5, 6, 7, 6, 8, 8], "B": [NAN, NAN, 5, 6, 7, 4]}, index=dates, dtype=float)
    low = pd.DataFrame({"A": [4, 5, 6, 3, 7, 7], "B": [NAN, NAN, 5, 6, 7, 4]}, index=dates, dtype=float)
    got = new_highs_lows(high, low, window=3)
    # A: d2 7 > max(5,6); d3 low 3 < min(5,6); d4 8 > max(7,6); d5 8 ties 8: not new
    # B: counted from d4 (3 bars): d4 7 > max(5,6); d5 low 4 < min(6,7)
    assert got["new_highs"].tolist() == [0, 0, 1, 0, 2, 0]
    assert got["new_lows"].tolist() == [0, 0, 0, 1, 0, 1]
    assert got["members"].tolist() == [0, 0, 1, 1, 2, 2]
    assert got["net"].tolist() == [0, 0, 1, -1, 2, -1]


def test_new_highs_lows_rejects_mismatched_frames():
    m = matrix()
    with pytest.raises(BadInput):
        new_highs_lows(m, m.iloc[:-1], 3)
    with pytest.raises(BadInput):
        new_highs_lows(m, m, 1)


def _ema10(values):
    out, prev = [], None
    for v in values:
        prev = v if prev is None else prev + (2 / 11) * (v - prev)
        out.append(prev)
    return np.array(out)


def test_zweig_thrust_fast_rise_fires_once():
    ratios = [0.3] * 5 + [1.0] * 6
    adv = [r * 100 for r in ratios]
    ad = _ad(adv, [100 - a for a in adv])
    got = zweig_thrust(ad)
    expected = _ema10(ratios)
    np.testing.assert_allclose(got["zweig_ema"], expected)
    # last EMA < 0.40 is day 4; EMA first exceeds 0.615 on day 7 (1 - 0.7*(9/11)**3 = 0.6166)
    assert expected[6] <= 0.615 < expected[7]
    assert got["thrust"].tolist() == [i == 7 for i in range(11)]


def test_zweig_thrust_slow_rise_does_not_fire():
    ratios = [0.3] * 5 + [0.64] * 25
    adv = [r * 100 for r in ratios]
    got = zweig_thrust(_ad(adv, [100 - a for a in adv]))
    e = _ema10(ratios)
    assert e.max() > 0.615                      # it does cross ...
    cross = int(np.argmax(e > 0.615))
    last_low = max(i for i in range(len(e)) if e[i] < 0.40)
    assert cross - last_low > 10                # ... but too slowly
    assert not got["thrust"].any()


def test_breadth_surge_threshold():
    ad = _ad([90, 89, 95, 0], [10, 11, 5, 0])
    assert breadth_surge(ad).tolist() == [True, False, True, False]
    assert breadth_surge(ad, 0.95).tolist() == [False, False, True, False]
    assert breadth_surge(ad, 1).tolist() == [False, False, False, False]     # (0, 1]: 1 is allowed
    for bad in (1.5, 0, -0.1):
        with pytest.raises(BadInput, match=r"surge threshold must be in \(0, 1\]"):
            breadth_surge(ad, bad)


def test_equal_vs_cap_weight_by_hand():
    dates = pd.bdate_range("2024-01-01", periods=3)
    close = pd.DataFrame({"A": [10, 11, 11], "B": [20, 18, 27]}, index=dates, dtype=float)
    fund = pd.Series([100.0, 101.0, 99.99], index=dates)
    got = equal_vs_cap_weight(advance_decline(close), fund)
    # day 1: (+10% - 10%)/2 = 0 vs +1%; day 2: (0 + 50%)/2 = 25% vs -1%
    np.testing.assert_allclose(got["ew_return"].iloc[1:], [0.0, 0.25], atol=1e-12)
    np.testing.assert_allclose(got["cw_return"].iloc[1:], [0.01, -0.01])
    np.testing.assert_allclose(got["spread"].iloc[1:], [-0.01, 0.26])
    assert got["ew_vs_cw"].iloc[-1] == pytest.approx(1.25 / (1.01 * 0.99))


def test_unsorted_dates_rejected():
    with pytest.raises(BadInput, match="ascending"):
        pct_above_ma(matrix().iloc[::-1], 3)


def test_the_rolling_sma_stays_exact_after_a_huge_close_leaves_the_window():
    """The window sum is compensated (Neumaier): a close of 1e6 followed by closes near 0.001 that
    differ from the one before by 1e-9 relative is still compared with its true SMA. A plain running
    sum keeps an error of about 1e-10 (the rounding of 1e6 + 0.001), 1e-7 of such an SMA."""
    import math

    rng = np.random.default_rng(5)
    n, members, window = 60, 40, 2
    close = np.empty((n, members))
    close[0] = 1e6
    for t in range(1, n):
        close[t] = 1e-3 * (1 + rng.integers(-3, 4, members) * 1e-9) if t % 2 else 1e-3
    frame = pd.DataFrame(close, index=pd.bdate_range("2024-01-01", periods=n))
    got = pct_above_ma(frame, window)
    expected = [sum(t >= window - 1 and close[t, j] > math.fsum(close[t - window + 1:t + 1, j]) / window * (1 + 1e-10)
                    for j in range(members)) for t in range(n)]
    assert got["above"].tolist() == expected
    assert sum(expected) > 100                                     # the comparisons are not all "no"


def test_thrust_at_its_edges():
    from thesis.breadth import nb

    # from exactly 0.615 to above is a cross; the rise may take exactly `within` sessions
    e = np.array([0.35, 0.5, 0.55, 0.6, 0.615, 0.62])
    assert nb.thrust_nb(e, 0.40, 0.615, 10).tolist() == [False] * 5 + [True]
    slow = np.array([0.39] + [0.5] * 9 + [0.62])                   # below 0.40 at 0, above 0.615 at 10
    assert nb.thrust_nb(slow, 0.40, 0.615, 10)[10] and not nb.thrust_nb(slow, 0.40, 0.615, 9)[10]


def test_rolling_max_restarts_after_a_missing_value():
    from thesis.breadth import nb

    got = nb.rolling_max_nb(np.array([1.0, 5.0, np.nan, 2.0, 3.0, 1.0, 0.5]), 2)
    np.testing.assert_array_equal(got, [np.nan, 5.0, np.nan, np.nan, 3.0, 3.0, 1.0])
