"""Trend regime per timeframe (daily, weekly, monthly bars) and a combined label.

For each bar, with fast/slow simple moving averages of closes (see SETTINGS):
    stack      +1 if close > fast > slow, -1 if close < fast < slow, else 0
    slope      +1 if slow > slow ``slope`` bars earlier, -1 if lower, else 0
    structure  with H1/L1 = highest high / lowest low of the last ``swing`` bars
               and H0/L0 the same for the ``swing`` bars before them:
               +1 if H1 > H0 and L1 > L0 (higher high and higher low),
               -1 if H1 < H0 and L1 < L0 (lower high and lower low), else 0
    score      stack + slope + structure (-3..3)
    label      "up" if score >= 2, "down" if score <= -2, else "range"
Bars before the slow SMA and both swing blocks exist are labelled "n/a".

Weekly and monthly bars come from ``thesis.data.resample`` of the daily bars up
to the as-of session, so the current (partial) week or month is included with
its close to date and reported as ``partial``. Levels: use as-traded bars.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from thesis.errors import BadInput
from thesis.jsonable import number


@dataclass(frozen=True)
class RegimeSettings:
    fast: int
    slow: int
    slope: int
    swing: int


SETTINGS = {
    "1d": RegimeSettings(fast=20, slow=50, slope=10, swing=20),   # ~1 and ~2.5 months
    "1w": RegimeSettings(fast=10, slow=40, slope=4, swing=13),    # ~50 and ~200 sessions; quarters
    "1mo": RegimeSettings(fast=5, slow=10, slope=3, swing=6),     # 10-month SMA; half-years
}
TIMEFRAMES = tuple(SETTINGS)
# How much daily history a timeframe needs (sessions), with room for holidays.
HISTORY = {"1d": 260, "1w": 5 * 60, "1mo": 22 * 30}


def regime_series(bars: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """Components and label for every bar of ``bars`` (already in ``timeframe``)."""
    if timeframe not in SETTINGS:
        raise BadInput(f"timeframe must be one of {TIMEFRAMES}, got {timeframe!r}")
    s = SETTINGS[timeframe]
    close, high, low = bars["close"].astype(float), bars["high"].astype(float), bars["low"].astype(float)
    high = high.fillna(close)
    low = low.fillna(close)
    fast = close.rolling(s.fast).mean()
    slow = close.rolling(s.slow).mean()
    stack = np.where((close > fast) & (fast > slow), 1, np.where((close < fast) & (fast < slow), -1, 0))
    slope = np.sign((slow - slow.shift(s.slope)).to_numpy())
    h1, l1 = high.rolling(s.swing).max(), low.rolling(s.swing).min()
    h0, l0 = h1.shift(s.swing), l1.shift(s.swing)
    structure = np.where((h1 > h0) & (l1 > l0), 1, np.where((h1 < h0) & (l1 < l0), -1, 0))
    ready = (slow.shift(s.slope).notna() & h0.notna() & l0.notna()).to_numpy()
    score = stack + np.nan_to_num(slope).astype(int) + structure
    label = np.where(score >= 2, "up", np.where(score <= -2, "down", "range"))
    out = pd.DataFrame({"close": close, "fast": fast, "slow": slow, "stack": stack, "slope": slope,
                        "structure": structure, "score": score, "label": np.where(ready, label, "n/a")},
                       index=bars.index)
    if "partial" in bars.columns:
        out["partial"] = bars["partial"].astype(bool)
    return out


def _calendar_of(daily: pd.DataFrame) -> str:
    from thesis.data.calendar import calendar_of

    return calendar_of(daily.attrs.get("symbol"))


def _rule(timeframe: str, cal: str) -> str:
    from thesis.data.resample import period_rule

    return period_rule(timeframe, cal)    # a crypto week runs Monday to Sunday


def regime_history(daily: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """As-of regime of ``timeframe`` for *every* daily session, without lookahead.

    Row d equals ``regime_asof(daily, d, timeframe)``: the weekly/monthly bars
    are the completed periods before d's period plus d's period to date (close
    of d, highest high and lowest low so far). Vectorised, so a replay over
    years costs about as much as one date. ``partial`` is True unless d is the
    last session of its period in the data.
    """
    if timeframe == "1d":
        out = regime_series(daily, "1d")
        out["partial"] = False
        return out
    if timeframe not in SETTINGS:
        raise BadInput(f"timeframe must be one of {TIMEFRAMES}, got {timeframe!r}")
    s = SETTINGS[timeframe]
    close = daily["close"].astype(float)
    high, low = daily["high"].astype(float).fillna(close), daily["low"].astype(float).fillna(close)
    cal = _calendar_of(daily)
    keys = pd.DatetimeIndex(daily.index).to_period(_rule(timeframe, cal)).asi8
    _, k = np.unique(keys, return_inverse=True)
    by = pd.Series(keys, index=daily.index)
    p_close = close.groupby(keys).last().reset_index(drop=True)
    p_high = high.groupby(keys).max().reset_index(drop=True)
    p_low = low.groupby(keys).min().reset_index(drop=True)
    part_high = high.groupby(keys).cummax().to_numpy()
    part_low = low.groupby(keys).cummin().to_numpy()

    def before(series: pd.Series, n: int, how: str) -> np.ndarray:
        """Aggregate of the n completed periods before each day's period."""
        if n == 0:
            return np.full(len(k), np.nan)
        return getattr(series.rolling(n), how)().shift(1).to_numpy()[k]

    c = close.to_numpy()

    def sma_with_today(n: int) -> np.ndarray:
        return c.copy() if n == 1 else (before(p_close, n - 1, "sum") + c) / n

    fast, slow = sma_with_today(s.fast), sma_with_today(s.slow)
    slow_prev = p_close.rolling(s.slow).mean().shift(s.slope).to_numpy()[k]
    h1 = np.maximum(before(p_high, s.swing - 1, "max"), part_high) if s.swing > 1 else part_high
    l1 = np.minimum(before(p_low, s.swing - 1, "min"), part_low) if s.swing > 1 else part_low
    h0 = p_high.rolling(s.swing).max().shift(s.swing).to_numpy()[k]
    l0 = p_low.rolling(s.swing).min().shift(s.swing).to_numpy()[k]
    with np.errstate(invalid="ignore"):
        stack = np.where((c > fast) & (fast > slow), 1, np.where((c < fast) & (fast < slow), -1, 0))
        slope = np.nan_to_num(np.sign(slow - slow_prev)).astype(int)
        structure = np.where((h1 > h0) & (l1 > l0), 1, np.where((h1 < h0) & (l1 < l0), -1, 0))
    ready = ~np.isnan(slow_prev) & ~np.isnan(h0) & ~np.isnan(l0) & ~np.isnan(slow)
    score = stack + slope + structure
    label = np.where(score >= 2, "up", np.where(score <= -2, "down", "range"))
    last_of_period = by.ne(by.shift(-1)).to_numpy().copy()
    if len(by):
        last_of_period[-1] = period_complete(daily.index[-1], timeframe, cal)
    return pd.DataFrame({"close": c, "fast": fast, "slow": slow, "stack": stack, "slope": slope,
                         "structure": structure, "score": score, "label": np.where(ready, label, "n/a"),
                         "partial": ~last_of_period}, index=daily.index)


def period_complete(day: pd.Timestamp, timeframe: str, cal: str = "XNYS") -> bool:
    """True when ``day`` is the last session of its week/month on calendar ``cal`` (the instrument's:
    a BTC Friday is mid-week, an FX Thursday before Good Friday is not the week's last session)."""
    from thesis.data import calendar

    nxt = calendar.sessions(day + pd.Timedelta(days=1), day + pd.Timedelta(days=40), cal)
    if len(nxt) == 0:
        return True
    rule = _rule(timeframe, cal)
    return pd.Timestamp(nxt[0]).to_period(rule) != pd.Timestamp(day).to_period(rule)


def regime_asof(daily: pd.DataFrame, asof, timeframe: str) -> dict:
    """Regime of ``timeframe`` bars built from daily bars up to ``asof``."""
    from thesis.data import resample

    asof = pd.Timestamp(asof)
    part = daily.loc[:asof]
    if part.empty:
        return {"timeframe": timeframe, "label": "n/a", "date": None}
    # HISTORY counts 5-session weeks: a 7-day calendar (crypto) needs 7/5 as many daily bars
    per_week = 7 if _calendar_of(daily) == "24/7" else 5
    part = part.iloc[-(HISTORY[timeframe] * per_week // 5):]
    bars = part if timeframe == "1d" else resample(part, timeframe)
    row = regime_series(bars, timeframe).iloc[-1]
    s = SETTINGS[timeframe]
    return {"timeframe": timeframe, "date": part.index[-1].date().isoformat(), "label": str(row["label"]),
            "score": int(row["score"]), "stack": int(row["stack"]), "slope": int(row["slope"]) if
            pd.notna(row["slope"]) else 0, "structure": int(row["structure"]), "close": float(row["close"]),
            f"sma{s.fast}": number(row["fast"]), f"sma{s.slow}": number(row["slow"]),
            "partial": bool(row.get("partial", False))}


IMPULSE = {"up": "bullish impulse", "down": "bearish impulse", "range": "sideways action", "n/a": "no read"}
MACRO = {"up": "bullish macro", "down": "bearish macro", "range": "ranging macro", "n/a": "unknown macro"}


def describe(labels: dict[str, str]) -> str:
    """Combined text, short-term impulse against the monthly ("macro") trend, e.g.
    "bullish impulse within bearish macro (daily up, weekly range, monthly down)";
    "uptrend on all timeframes" / "downtrend on all timeframes" when all agree."""
    d, w, m = (labels.get(tf, "n/a") for tf in TIMEFRAMES)
    detail = f"(daily {d}, weekly {w}, monthly {m})"
    if d == w == m and d in ("up", "down"):
        return f"{d}trend on all timeframes {detail}"
    return f"{IMPULSE[d]} within {MACRO[m]} {detail}"


def regime_report(daily: pd.DataFrame, asof) -> dict:
    """Per-timeframe regimes and the combined description for one symbol."""
    out: dict[str, Any] = {tf: regime_asof(daily, asof, tf) for tf in TIMEFRAMES}
    out["description"] = describe({tf: out[tf]["label"] for tf in TIMEFRAMES})
    out["symbol"] = daily.attrs.get("symbol")
    return out
