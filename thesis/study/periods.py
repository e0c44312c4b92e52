"""Weekly and monthly bars from one symbol's daily arrays, built exactly as
thesis.data.resample builds them, without a DataFrame per symbol (it is the hot path of
universe studies with 1w/1mo triggers).

A week is Saturday-Friday (pandas "W-FRI"; Monday-Sunday on the 7-day ``24/7`` calendar), a
month a calendar month.  A period has the first finite open, the highest high, the lowest low,
the last close, and is dated at its last session in the data.  It is partial when the symbol's
calendar (XNYS by default) has a later session inside it than the last one in the data (the
current week, or a gap at the end of a period).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from thesis.study import nb

DAY = np.timedelta64(1, "D")


def period_keys(dates: np.ndarray, timeframe: str, calendar: str = "XNYS") -> np.ndarray:
    """int64 key per date, equal within one period and increasing with time."""
    if timeframe == "1mo":
        return dates.astype("datetime64[M]").astype(np.int64)
    if timeframe == "1w":
        days = dates.astype("datetime64[D]").astype(np.int64)
        if calendar == "24/7":
            return (days + 3) // 7      # 1970-01-05 (a Monday) starts week 1: Monday-Sunday
        return (days + 5) // 7          # 1970-01-03 (a Saturday) starts week 1
    raise ValueError(f"timeframe must be 1w or 1mo, got {timeframe!r}")


def _groups(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(keys)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if n else np.zeros(0, np.int64)
    ends = np.r_[starts[1:] - 1, n - 1] if n else np.zeros(0, np.int64)
    return starts.astype(np.int64), ends.astype(np.int64)


@lru_cache(maxsize=256)
def _calendar_last(first: np.datetime64, last: np.datetime64, timeframe: str,
                   name: str = "XNYS") -> tuple[np.ndarray, np.ndarray]:
    """(period keys, last session of each) of calendar ``name``, from ``first`` to ``last`` + 31 days."""
    from thesis.data import calendar

    cal = calendar.sessions(first, last + 31 * DAY, name).to_numpy().astype("datetime64[ns]")
    keys = period_keys(cal, timeframe, name)
    starts, ends = _groups(keys)
    return keys[starts], cal[ends]


_LAYOUTS: dict = {}      # (timeframe, n, first, last) -> (dates, starts, ends, complete); see _layout


def _layout(dates, timeframe: str, calendar: str = "XNYS"):
    """(starts, ends, complete) of the periods of ``dates``. A universe's symbols mostly share one
    date list: the last few layouts are kept and reused when the dates are equal."""
    key = (timeframe, len(dates), dates[0], dates[-1], calendar)
    hit = _LAYOUTS.get(key)
    if hit is not None and np.array_equal(hit[0], dates):
        return hit[1:]
    keys = period_keys(dates, timeframe, calendar)
    starts, ends = _groups(keys)
    cal_keys, cal_last = _calendar_last(np.datetime64(dates[0], "ns"), np.datetime64(dates[-1], "ns"), timeframe,
                                        calendar)
    pos = np.searchsorted(cal_keys, keys[starts])
    found = (pos < len(cal_keys)) & (cal_keys[np.minimum(pos, len(cal_keys) - 1)] == keys[starts])
    expected = np.where(found, cal_last[np.minimum(pos, len(cal_keys) - 1)], np.datetime64("NaT", "ns"))
    partial = found & (dates[ends] < expected)
    if len(_LAYOUTS) >= 16:
        _LAYOUTS.clear()
    _LAYOUTS[key] = (dates.copy(), starts, ends, ~partial)
    return starts, ends, ~partial


def resample_arrays(dates, open_, high, low, close, timeframe: str, calendar: str = "XNYS"):
    """(open, high, low, close, daily row of each period's last session, complete mask)."""
    if not len(dates):
        empty = np.zeros(0)
        return empty, empty, empty, empty, np.zeros(0, np.int64), np.zeros(0, bool)
    starts, ends, complete = _layout(dates, timeframe, calendar)
    o = nb.first_finite_nb(open_, starts, ends)
    h = np.maximum.reduceat(high, starts)
    lo = np.minimum.reduceat(low, starts)
    c = close[ends]
    return (np.ascontiguousarray(o), np.ascontiguousarray(h), np.ascontiguousarray(lo), np.ascontiguousarray(c),
            ends, complete)
