"""Narrow market by hand, kernels against plain pandas on a random matrix, the
combined frame, and universe metadata (survivorship)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thesis.breadth import (SURVIVORSHIP_WARNING, advance_decline, compute_breadth, divergence_spans,
                            load_breadth_universe, narrow_market, new_highs_lows, pct_above_ma,
                            universe_from_frames)
from thesis.breadth.universe import default_universe_source, is_todays_membership
from thesis.errors import BadInput


def test_narrow_market_by_hand():
    d = pd.bdate_range("2024-01-01", periods=6)
    index = pd.Series([100, 102, 101, 103, 99, 102], index=d, dtype=float)
    pct = pd.Series([60, 55, 35, 50, 45, 30], index=d, dtype=float)
    got = narrow_market(index, pct, near_high_pct=2, low_pct=40, drop_points=10, lookback=2, high_window=3)
    # 3-session high: -, -, 102, 103, 103, 103 -> off high: -0.98%, 0, -3.88%, -0.97%
    assert got["near_high"].tolist() == [False, False, True, True, False, True]
    assert got["breadth_low"].tolist() == [False, False, True, False, False, True]
    # d2: 35-60 = -25 pts while index +1%; d5: -20 pts but index fell (102 < 103)
    assert got["breadth_fell"].tolist() == [False, False, True, False, False, False]
    assert got["narrow"].tolist() == [False, False, True, False, False, True]
    assert got["index_off_high"].iloc[4] == pytest.approx(100 * (99 / 103 - 1))



def test_narrow_market_defaults_limits_and_dates():
    # the default high is over 252 sessions, today included: the first session's 200 drops out on the 253rd
    d = pd.bdate_range("2020-01-01", periods=260)
    index = pd.Series(100.0, index=d)
    index.iloc[0] = 200.0
    pct = pd.Series(50.0, index=d)
    got = narrow_market(index, pct)
    assert got["index_high"].iloc[251] == 200.0 and got["index_high"].iloc[252] == 100.0
    assert not got["near_high"].iloc[251] and got["near_high"].iloc[252]
    # the edges of the limits are allowed; beyond them is an error
    narrow_market(index, pct, near_high_pct=0, low_pct=0, drop_points=0, lookback=1, high_window=2)
    narrow_market(index, pct, low_pct=100)
    for bad in (dict(near_high_pct=-1), dict(low_pct=101), dict(low_pct=-1), dict(drop_points=-1),
                dict(lookback=0), dict(high_window=1)):
        with pytest.raises(BadInput, match="narrow_market"):
            narrow_market(index, pct, **bad)
    # the output is on the breadth series' dates, even when the index has other sessions
    fewer = pct.iloc[::2]
    out = narrow_market(index, fewer, lookback=2, high_window=3)
    assert out.index.equals(fewer.index)
    assert out["index_close"].tolist() == index.iloc[::2].tolist()


def test_divergence_spans():
    d = pd.bdate_range("2024-01-01", periods=7)
    flag = pd.Series([True, True, False, False, True, False, True], index=d)
    assert divergence_spans(flag) == [(d[0], d[1]), (d[4], d[4]), (d[6], d[6])]
    assert divergence_spans(flag & False) == []


def _random_universe(seed=7, rows=400, cols=12):
    rng = np.random.default_rng(seed)
    close = np.exp(np.cumsum(rng.normal(0, 0.02, (rows, cols)), axis=0)) * 50
    close[:rng.integers(50, 300), 3] = np.nan     # late listing
    close[100:104, 5] = np.nan                     # a gap
    close[350:, 7] = np.nan                        # delisted
    high = close * (1 + rng.uniform(0, 0.02, close.shape))
    low = close * (1 - rng.uniform(0, 0.02, close.shape))
    idx = pd.bdate_range("2020-01-01", periods=rows)
    cols = [f"S{i}" for i in range(cols)]
    return (pd.DataFrame(close, idx, cols), pd.DataFrame(high, idx, cols), pd.DataFrame(low, idx, cols))


@pytest.mark.parametrize("window", [5, 20, 50])
def test_pct_above_matches_pandas_rolling(window):
    close, _, _ = _random_universe()
    sma = close.rolling(window).mean()   # NaN whenever the window holds a NaN
    valid = sma.notna() & close.notna()
    got = pct_above_ma(close, window)
    assert got["members"].tolist() == valid.sum(axis=1).tolist()
    assert got["above"].tolist() == ((close > sma) & valid).sum(axis=1).tolist()
    expected = 100.0 * ((close > sma) & valid).sum(axis=1) / valid.sum(axis=1).where(valid.sum(axis=1) > 0)
    np.testing.assert_allclose(got["pct"], expected)


def test_pct_above_with_one_member_and_the_window_limits():
    close = pd.DataFrame({"A": [1.0, 2.0, 3.0, 2.0]}, index=pd.bdate_range("2024-01-01", periods=4))
    got = pct_above_ma(close, 2)
    assert got["members"].tolist() == [0, 1, 1, 1]
    np.testing.assert_allclose(got["pct"], [np.nan, 100.0, 100.0, 0.0])
    assert pct_above_ma(close, 1)["members"].tolist() == [1, 1, 1, 1]     # a 1-session window is allowed
    with pytest.raises(BadInput, match="window must be a whole number >= 1"):
        pct_above_ma(close, 0)


def test_new_highs_lows_and_ad_match_pandas():
    close, high, low = _random_universe(seed=11)
    w = 60
    full = (high.notna() & low.notna()).astype(int).rolling(w).sum() == w
    nh = ((high > high.shift(1).rolling(w - 1).max()) & full).sum(axis=1)
    nl = ((low < low.shift(1).rolling(w - 1).min()) & full).sum(axis=1)
    got = new_highs_lows(high, low, w)
    assert got["new_highs"].tolist() == nh.tolist()
    assert got["new_lows"].tolist() == nl.tolist()
    prev = close.shift(1)
    adv = ((close > prev) & prev.notna()).sum(axis=1)
    ad = advance_decline(close)
    assert ad["advances"].tolist() == adv.tolist()
    np.testing.assert_allclose(ad["mean_return"].iloc[1:], (close / prev - 1).mean(axis=1).iloc[1:])


def test_compute_breadth_columns_and_metadata():
    close, high, low = _random_universe()
    uni = universe_from_frames(close, high, low, name="toy", survivorship=True)
    index = close.mean(axis=1)
    out = compute_breadth(uni, index_close=index, fund_close=index)
    for col in ("pct_above_20", "members_200", "ad_line", "mcclellan_osc", "mcclellan_sum", "new_highs",
                "zweig_thrust", "surge", "ew_vs_cw", "narrow", "index_off_high"):
        assert col in out.columns
    # each column is its indicator's output, with the default parameters
    from thesis.breadth import advance_decline, breadth_surge, mcclellan, new_highs_lows, zweig_thrust

    ad = advance_decline(close)
    for w in (20, 50, 200):
        pd.testing.assert_series_equal(out[f"pct_above_{w}"], pct_above_ma(close, w)["pct"], check_names=False)
    pd.testing.assert_series_equal(out["surge"], breadth_surge(ad, 0.9), check_names=False)
    assert 0 < out["surge"].sum() < len(out)
    pd.testing.assert_series_equal(out["mcclellan_sum"], mcclellan(ad)["summation"], check_names=False)
    pd.testing.assert_series_equal(out["zweig_ema"], zweig_thrust(ad)["zweig_ema"], check_names=False)
    pd.testing.assert_series_equal(out["net_new_highs"], new_highs_lows(high, low, 252)["net"], check_names=False)
    assert out.attrs["universe"] == "toy"
    assert out.attrs["warning"] == SURVIVORSHIP_WARNING
    assert out.attrs["params"]["surge_ratio"] == 0.9
    assert (out["members_200"] <= out["members_20"]).all()
    no_index = compute_breadth(universe_from_frames(close))
    assert "narrow" not in no_index.columns and no_index.attrs["warning"] is None


def test_survivorship_detected_from_folder_name(tmp_path):
    for name in ("sp500-constituents", "my-universe"):
        folder = tmp_path / name
        folder.mkdir()
        for sym, base in (("AAA", 10.0), ("BBB", 20.0)):
            rows = "\n".join(f"2024-01-0{d},{base + d + 1},{base + d - 1},{base + d}" for d in range(2, 6))
            (folder / f"{sym}.csv").write_text("date,high,low,close\n" + rows + "\n")
    todays = load_breadth_universe(tmp_path / "sp500-constituents")
    other = load_breadth_universe(f"csv:{tmp_path / 'my-universe'}")
    assert todays.survivorship and todays.warning == SURVIVORSHIP_WARNING
    assert not other.survivorship and other.warning is None
    assert load_breadth_universe(tmp_path / "my-universe", survivorship=True).survivorship
    assert todays.close.shape == (4, 2) and todays.name == "sp500-constituents"
    assert is_todays_membership("csv:/x/sp500-constituents") and not is_todays_membership("/x/etfs")


def test_missing_universe_folder_and_unset_data(tmp_path, monkeypatch):
    with pytest.raises(BadInput, match="does not exist"):
        load_breadth_universe(tmp_path / "nope")
    monkeypatch.delenv("THESIS_DATA")
    with pytest.raises(BadInput, match="THESIS_DATA"):
        default_universe_source()
