"""Relative strength: ratio, trend slope, percentile, beta/correlation, performance."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thesis.errors import BadInput
from thesis.market.relative import (performance_table, ratio_series, ratio_trend, relative_strength,
                                    rolling_beta_corr)


def _series(values, name, start="2024-01-01"):
    return pd.Series(np.asarray(values, float), index=pd.bdate_range(start, periods=len(values)), name=name)


def test_ratio_uses_common_sessions_only():
    a = _series([10, 20, 30, 40, 50], "A")
    b = _series([1, 2, 4, 5, 10], "B", start="2024-01-02")
    r = ratio_series(a, b)
    assert r.name == "A/B"
    assert r.tolist() == [20 / 1, 30 / 2, 40 / 4, 50 / 5]
    with pytest.raises(BadInput):
        ratio_series(a, _series([1, 2], "C", start="2025-01-01"))


def test_trend_of_exponential_ratio():
    t = np.arange(120)
    up = ratio_trend(pd.Series(np.exp(0.01 * t), index=pd.bdate_range("2024-01-01", periods=120)), 50, 100)
    last = up.iloc[-1]
    assert last["slope_pct"] == pytest.approx(1.0)            # ln ratio rises 0.01 a session
    assert last["slope_window_pct"] == pytest.approx(50.0)
    assert last["trend"] == "stronger" and last["percentile"] == pytest.approx(100.0)
    assert up["trend"].iloc[10] == "n/a"
    down = ratio_trend(pd.Series(np.exp(-0.02 * t), index=up.index), 50, 100).iloc[-1]
    assert down["slope_pct"] == pytest.approx(-2.0)
    assert down["trend"] == "weaker" and down["percentile"] == pytest.approx(1.0)   # 1 of 100 values <= today


def test_beta_and_correlation_of_power_and_inverse():
    rng = np.random.default_rng(3)
    b = _series(100 * np.exp(np.cumsum(rng.normal(0, 0.01, 200))), "B")
    twice = rolling_beta_corr((b / 100) ** 2, b, window=60).iloc[-1]     # log returns doubled
    assert twice["beta"] == pytest.approx(2.0) and twice["corr"] == pytest.approx(1.0)
    inverse = rolling_beta_corr(1 / b, b, window=60).iloc[-1]
    assert inverse["beta"] == pytest.approx(-1.0) and inverse["corr"] == pytest.approx(-1.0)


def test_performance_table_by_hand():
    dates = pd.to_datetime(["2022-12-30", "2023-03-01", "2023-11-30", "2024-02-01", "2024-02-23", "2024-03-01"])
    a = pd.Series([100, 110, 120, 125, 130, 143], index=dates, dtype=float)
    late = pd.Series([50, 55], index=pd.to_datetime(["2024-02-01", "2024-03-01"]), dtype=float)
    t = performance_table({"A": a, "LATE": late}, "2024-03-03", since="2022-12-30")
    assert list(t.columns) == ["1W", "1M", "3M", "YTD", "1Y", "since"]
    row = t.loc["A"]
    assert row["1W"] == pytest.approx(10.0)        # from 2024-02-23 (130)
    assert row["1M"] == pytest.approx(14.4)        # from 2024-02-01 (125)
    assert row["3M"] == pytest.approx(100 * (143 / 120 - 1))   # 2023-12-01 -> last close 2023-11-30
    assert row["YTD"] == pytest.approx(100 * (143 / 120 - 1))  # last close of 2023
    assert row["1Y"] == pytest.approx(30.0)        # from 2023-03-01 (110)
    assert row["since"] == pytest.approx(43.0)
    assert t.loc["LATE", "1M"] == pytest.approx(10.0) and np.isnan(t.loc["LATE", "1Y"])


def test_relative_strength_summary_is_as_of():
    t = np.arange(300)
    a = pd.Series(np.exp(0.002 * t), index=pd.bdate_range("2023-01-02", periods=300), name="AAA")
    b = pd.Series(np.exp(0.001 * t), index=a.index, name="BBB")
    asof = a.index[200]
    rs = relative_strength(a, b, asof)
    assert rs["pair"] == "AAA/BBB" and rs["date"] == asof.date().isoformat()
    assert rs["trend"] == "stronger" and rs["slope_pct_per_session"] == pytest.approx(0.1)
    assert rs["ratio"] == pytest.approx(np.exp(0.001 * 200), rel=1e-6)
    assert rs["relative_return_pct"]["1M"] > 0
