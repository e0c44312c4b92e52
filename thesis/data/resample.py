"""Weekly and monthly bars aligned to the instrument's calendar (XNYS, 24/7, 24/5, CMES ...).

A week is Monday to Friday (Monday to Sunday on a 7-day calendar: a crypto week
has 7 bars) and a month is a calendar month, both made of the sessions that fall
in them. Each period is labelled by its last session in
the data; ``partial`` is True when the calendar has sessions of that period
after the last bar (the current week or month, or a gap at the end).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from thesis.data import calendar

RULES = {"1w": "W-FRI", "1mo": "M"}
SEVEN_DAY_WEEK = "W-SUN"


def period_rule(timeframe: str, cal: str = calendar.DEFAULT) -> str:
    """The pandas period of a weekly or monthly bar on calendar ``cal`` (W-SUN for a 7-day week)."""
    return SEVEN_DAY_WEEK if timeframe == "1w" and cal == "24/7" else RULES[timeframe]


def _period_keys(index: pd.DatetimeIndex, timeframe: str, cal: str = calendar.DEFAULT) -> np.ndarray:
    return index.to_period(period_rule(timeframe, cal)).asi8


def resample(bars: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    """Aggregate daily bars: first open, max high, min low, last close, summed volume."""
    if timeframe == "1d":
        out = bars.copy()
        out["partial"] = False
        return out
    if timeframe not in RULES:
        raise ValueError(f"timeframe must be 1d, 1w or 1mo, got {timeframe!r}")
    if bars.empty:
        out = bars.copy()
        out["partial"] = pd.Series(dtype=bool)
        return out
    idx = pd.DatetimeIndex(bars.index)
    cal = calendar.calendar_of(bars.attrs.get("symbol"))
    keys = _period_keys(idx, timeframe, cal)
    grouped = bars.groupby(keys, sort=True)
    out = pd.DataFrame({
        "open": grouped["open"].first() if bars["open"].notna().any() else np.nan,
        "high": grouped["high"].max(),
        "low": grouped["low"].min(),
        "close": grouped["close"].last(),
        "volume": grouped["volume"].sum(),
    })
    last_dates = pd.Series(idx, index=keys).groupby(level=0).max()
    out.index = pd.DatetimeIndex(last_dates.loc[out.index].to_numpy(), name="date")
    # A period is complete when the calendar has no later session inside it.
    last_bar = idx[-1]
    span_end = last_bar + pd.Timedelta(days=31)
    days = calendar.sessions(idx[0], span_end, cal)
    cal_last = pd.Series(days, index=_period_keys(days, timeframe, cal)).groupby(level=0).max()
    expected_last = cal_last.reindex(last_dates.index).to_numpy()
    out["partial"] = pd.notna(expected_last) & (last_dates.to_numpy() < expected_last)
    out.attrs = dict(bars.attrs)
    out.attrs["timeframe"] = timeframe
    return out
