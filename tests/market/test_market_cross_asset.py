"""Cross-asset trend rule, VIX state and realised volatility, by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thesis.market.cross_asset import asset_state, cross_asset_snapshot, realized_vol_pct, trend_state, vix_state


def _s(values, start="2024-01-01"):
    return pd.Series(np.asarray(values, float), index=pd.bdate_range(start, periods=len(values)))


def test_trend_rule_by_hand():
    # SMA3: -, -, 2, 3, 4 ; SMA 1 session earlier: -, -, -, 2, 3
    up = trend_state(_s([1, 2, 3, 4, 5]), window=3, slope_lookback=1)
    assert up["state"].tolist() == ["flat", "flat", "flat", "up", "up"]
    down = trend_state(_s([5, 4, 3, 2, 1]), window=3, slope_lookback=1)
    assert down["state"].tolist()[-2:] == ["down", "down"]
    # close above a falling SMA is neither: 5,4,3,2,2.9 -> SMA 3, 2.33; close 2.9 > 2.33 but SMA fell
    mixed = trend_state(_s([5, 4, 3, 2, 2.9]), window=3, slope_lookback=1)
    assert mixed["state"].iloc[-1] == "flat"


def test_inverted_proxy_mirrors_state():
    falling = _s(np.linspace(120, 90, 80))
    assert asset_state(falling, falling.index[-1])["state"] == "down"
    tlt = asset_state(falling, falling.index[-1], inverted=True)
    assert tlt["fund_state"] == "down" and tlt["state"] == "up"    # TLT down = yields up


def test_asset_state_is_as_of():
    rising_then_falling = _s(list(np.linspace(50, 100, 80)) + list(np.linspace(100, 60, 80)))
    assert asset_state(rising_then_falling, rising_then_falling.index[79])["state"] == "up"
    assert asset_state(rising_then_falling, rising_then_falling.index[-1])["state"] == "down"


def test_vix_state_by_hand():
    vix = _s([20, 10, 30, 25, 15])
    v = vix_state(vix, vix.index[-1], lookback=5, change=2)
    assert v["level"] == 15
    assert v["percentile"] == pytest.approx(40.0)        # 10 and 15 of 5 values are <= 15
    assert v["change_points"] == pytest.approx(-15.0)    # vs 30 two sessions earlier
    assert v["change_pct"] == pytest.approx(-50.0)


def test_realized_vol_of_alternating_returns():
    a = 0.01
    logs = np.cumsum([0.0] + [a, -a] * 10)
    rv = realized_vol_pct(_s(100 * np.exp(logs)), window=4)
    # returns a,-a,a,-a: mean 0, sample variance 4a^2/3
    assert rv.iloc[-1] == pytest.approx(a * np.sqrt(4 / 3) * np.sqrt(252) * 100)
    assert rv.iloc[:4].isna().all()


class _FakeCtx:
    """Only as-traded TLT/USO and adjusted UUP/HYG exist, like the shared data."""

    def __init__(self):
        idx = pd.bdate_range("2023-01-02", periods=120)
        self.frames = {
            ("TLT", "as-traded"): np.linspace(110, 90, 120), ("TLT", "adjusted"): np.linspace(100, 85, 120),
            ("USO", "as-traded"): np.linspace(60, 80, 120), ("USO", "adjusted"): np.linspace(60, 80, 120),
            ("UUP", "adjusted"): np.linspace(25, 28, 120), ("HYG", "adjusted"): np.full(120, 75.0),
        }
        self.idx = idx

    def bars_prefer(self, symbol, prefer):
        for adj in (prefer, "adjusted" if prefer == "as-traded" else "as-traded"):
            if (symbol, adj) in self.frames:
                f = pd.DataFrame({"close": self.frames[(symbol, adj)]}, index=self.idx)
                f.attrs["adjustment"] = adj
                return f
        raise AssertionError(symbol)


def test_snapshot_states_and_adjustments():
    ctx = _FakeCtx()
    snap = cross_asset_snapshot(ctx, ctx.idx[-1])
    assert snap["yields"]["state"] == "up" and snap["yields"]["adjustment"] == "as-traded"
    assert snap["dollar"]["state"] == "up" and snap["dollar"]["adjustment"] == "adjusted"
    assert snap["oil"]["state"] == "up"
    assert snap["credit"]["state"] == "flat" and snap["credit"]["realized_vol_20"] == 0.0
