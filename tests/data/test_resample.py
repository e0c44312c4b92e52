import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from thesis.data import load_bars, make_bars, resample


def test_weekly_iwm_week_of_2023_06_12(data_root):
    daily = load_bars("IWM", start="2023-06-01", end="2023-06-30")
    week = resample(daily, "1w").loc["2023-06-16"]
    days = daily.loc["2023-06-12":"2023-06-16"]
    assert week["open"] == days["open"].iloc[0]
    assert week["high"] == days["high"].max() and week["low"] == days["low"].min()
    assert week["close"] == days["close"].iloc[-1] and week["volume"] == days["volume"].sum()
    assert not week["partial"]


def test_holiday_week_labelled_by_last_session(data_root):
    # Good Friday 2023-04-07: the week ends on Thursday.
    weekly = resample(load_bars("IWM", start="2023-04-01", end="2023-04-30"), "1w")
    assert pd.Timestamp("2023-04-06") in weekly.index
    assert not weekly.loc["2023-04-06", "partial"]


def test_partial_last_month_and_week(data_root):
    daily = load_bars("IWM", start="2023-05-01", end="2023-06-14")  # a Wednesday
    monthly = resample(daily, "1mo")
    assert monthly.index[-1] == pd.Timestamp("2023-06-14") and monthly["partial"].iloc[-1]
    assert not monthly["partial"].iloc[0] and monthly.index[0] == pd.Timestamp("2023-05-31")
    weekly = resample(daily, "1w")
    assert weekly["partial"].iloc[-1] and weekly["partial"].sum() == 1
    assert weekly.attrs["timeframe"] == "1w"


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=5, max_value=120), st.integers(min_value=0, max_value=10_000))
def test_resample_invariants(n, seed):
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2022-01-03", periods=n)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    open_ = close * (1 + rng.normal(0, 0.003, n))
    high = np.maximum(open_, close) * (1 + rng.random(n) * 0.01)
    low = np.minimum(open_, close) * (1 - rng.random(n) * 0.01)
    bars = make_bars(pd.DataFrame({"open": open_, "high": high, "low": low, "close": close,
                                   "volume": rng.integers(1, 100, n)}, index=dates), "X", "test", "as-traded")
    for tf in ("1w", "1mo"):
        out = resample(bars, tf)
        assert out["volume"].sum() == bars["volume"].sum()
        assert out["high"].max() == bars["high"].max() and out["low"].min() == bars["low"].min()
        assert out["close"].iloc[-1] == bars["close"].iloc[-1] and out["open"].iloc[0] == bars["open"].iloc[0]
        assert out.index.isin(bars.index).all()  # labelled by a real session
        assert (out["high"] >= out[["open", "close"]].max(axis=1)).all()
