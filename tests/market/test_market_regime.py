"""Regime labels per timeframe and the combined description."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thesis.data import calendar
from thesis.data.model import make_bars
from thesis.errors import BadInput
from thesis.market.regime import describe, regime_asof, regime_history, regime_report, regime_series


def _bars(close, start="2021-01-04"):
    idx = calendar.sessions(start, "2030-12-31")[: len(close)]
    c = np.asarray(close, float)
    return make_bars(pd.DataFrame({"open": c, "high": c + 1, "low": c - 1, "close": c, "volume": 0.0}, index=idx),
                     "TEST", "memory", "as-traded")


def test_linear_rise_and_fall_on_daily():
    up = regime_series(_bars(100 + np.arange(100.0)), "1d").iloc[-1]
    # close > SMA20 > SMA50, SMA50 rising, last 20 highs/lows above the 20 before
    assert (up["stack"], up["slope"], up["structure"], up["label"]) == (1, 1, 1, "up")
    down = regime_series(_bars(300 - np.arange(100.0)), "1d").iloc[-1]
    assert (down["score"], down["label"]) == (-3, "down")


def test_periodic_series_is_a_range():
    # integer zigzag of period 10: SMA50 is exactly flat, highs/lows repeat
    cycle = [100, 101, 102, 103, 104, 105, 104, 103, 102, 101]
    r = regime_series(_bars(cycle * 12), "1d")
    last = r.iloc[-1]
    assert last["slope"] == 0 and last["structure"] == 0
    assert (r["label"].iloc[60:] == "range").all()


def test_not_enough_bars_is_na():
    r = regime_series(_bars(100 + np.arange(45.0)), "1d")
    assert (r["label"] == "n/a").all()
    with pytest.raises(BadInput):
        regime_series(_bars([1.0, 2.0]), "2h")


def test_bullish_impulse_within_bearish_macro():
    # two and a half years of decline, then a sharp 40-session rally
    n = 753
    close = np.concatenate([np.linspace(200, 100, n - 40), np.linspace(100, 125, 41)[1:]])
    rep = regime_report(_bars(close), "2099-01-01")
    assert rep["1d"]["label"] == "up" and rep["1d"]["score"] == 3
    # monthly: close 125 is above SMA5 but SMA5 < SMA10 (stack 0), SMA10 falling, lower highs and lows
    m = rep["1mo"]
    assert (m["stack"], m["slope"], m["structure"], m["label"]) == (0, -1, -1, "down")
    assert rep["description"].startswith("bullish impulse within bearish macro")


def test_regime_asof_uses_only_past_bars_and_flags_partial_period():
    close = np.concatenate([100 + np.arange(300.0), 400 - np.arange(200.0)])
    bars = _bars(close)
    mid = bars.index[299]
    assert regime_asof(bars, mid, "1d")["label"] == "up"
    assert regime_asof(bars, bars.index[-1], "1d")["label"] == "down"
    wk = regime_asof(bars, bars.index[-1], "1w")
    assert wk["date"] == bars.index[-1].date().isoformat()
    assert isinstance(wk["partial"], bool)
    # a mid-month as-of day gives a partial monthly bar
    mid_month = bars.index[bars.index.day >= 15][0]
    assert regime_asof(bars, mid_month, "1mo")["partial"] is True


def _ends_its_period(day: pd.Timestamp, rule: str) -> bool:
    """Plain re-derivation: the next exchange session falls in another week/month."""
    nxt = calendar.sessions(day + pd.Timedelta(days=1), day + pd.Timedelta(days=20))[0]
    return pd.Timestamp(nxt).to_period(rule) != day.to_period(rule)


@pytest.mark.parametrize("start, end", [("2022-03-28", "2022-04-22"),    # Good Friday: Thursday ends the week
                                        ("2022-06-13", "2022-07-08"),    # Juneteenth and July 4 Mondays
                                        ("2022-11-21", "2022-12-02")])   # Thanksgiving, a month end
def test_partial_flag_is_true_exactly_when_the_period_is_incomplete(start, end):
    bars = _bars(100 + np.sin(np.arange(600) / 7.0) * 5)      # sessions from 2021-01-04 into 2023
    days = bars.loc[start:end].index
    hist = {tf: regime_history(bars, tf)["partial"] for tf in ("1w", "1mo")}
    seen = {True: 0, False: 0}
    for d in days:
        for tf, rule in (("1w", "W-FRI"), ("1mo", "M")):
            expected = not _ends_its_period(d, rule)
            assert regime_asof(bars, d, tf)["partial"] is expected, (tf, d)
            assert bool(hist[tf].loc[d]) is expected, (tf, d)
            # cut the data at d: the flag comes from the calendar, not from the bars after d
            assert bool(regime_history(bars.loc[:d], tf)["partial"].iloc[-1]) is expected, (tf, d)
            seen[expected] += 1
    assert seen[True] > 0 and seen[False] > 0
    assert regime_asof(bars, days[0], "1d")["partial"] is False


def test_describe_texts():
    assert describe({"1d": "up", "1w": "up", "1mo": "up"}).startswith("uptrend on all timeframes")
    assert describe({"1d": "down", "1w": "range", "1mo": "up"}) == \
        "bearish impulse within bullish macro (daily down, weekly range, monthly up)"
    assert describe({"1d": "range", "1w": "down", "1mo": "range"}).startswith("sideways action within ranging")


def test_history_equals_asof_on_synthetic_walk():
    rng = np.random.default_rng(5)
    bars = _bars(100 * np.exp(np.cumsum(rng.normal(0, 0.012, 700))))
    from thesis.market.regime import regime_history

    for tf in ("1d", "1w", "1mo"):
        hist = regime_history(bars, tf)
        for d in bars.index[300::23]:
            one = regime_asof(bars, d, tf)
            row = hist.loc[d]
            assert (row["label"], row["score"], row["stack"], row["slope"], row["structure"], bool(row["partial"])) \
                == (one["label"], one["score"], one["stack"], one["slope"], one["structure"], one["partial"]), (tf, d)
    # the last bar: partial unless it closes its period on the exchange calendar
    last = regime_history(bars, "1mo")["partial"].iloc[-1]
    assert bool(last) == regime_asof(bars, bars.index[-1], "1mo")["partial"]


def test_regime_early_in_history_is_not_available(data_root):
    from thesis.market import MarketContext

    r = MarketContext().regime("USO", "1d", "2006-05-01")
    assert r["label"] == "n/a"
