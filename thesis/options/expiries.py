"""Listed monthly expiries: the third Friday of each month, moved to the previous XNYS
session when that Friday is an exchange holiday (e.g. Good Friday 2025-04-18 -> Thursday
2025-04-17). Beyond the XNYS calendar's range (about a year ahead) the Friday is kept.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pandas as pd

from thesis.errors import BadInput


@lru_cache(maxsize=1)
def _xnys():
    import exchange_calendars as xcals

    return xcals.get_calendar("XNYS", start="1990-01-02")


def third_friday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(4 - first.weekday()) % 7 + 14)


def previous_session(day: dt.date) -> dt.date:
    """``day`` if it is an XNYS session, else the session before it (weekdays off-calendar)."""
    from thesis.data.calendar import all_sessions   # the same XNYS sessions, cached on disk for the day

    every = all_sessions()
    ts = pd.Timestamp(day)
    if every[0] <= ts <= every[-1]:
        return every[every.searchsorted(ts, side="right") - 1].date()
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def monthly_expiry(year: int, month: int) -> dt.date:
    return previous_session(third_friday(year, month))


def monthly_expiries(start: dt.date, end: dt.date) -> list[dt.date]:
    """Monthly expiries with start <= expiry <= end, oldest first."""
    out = []
    y, m = start.year, start.month
    while dt.date(y, m, 1) <= end:
        exp = monthly_expiry(y, m)
        if start <= exp <= end:
            out.append(exp)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def expiries_covering(asof: dt.date, horizon_days: int, count: int = 3) -> list[dt.date]:
    """The first ``count`` monthly expiries on or after ``asof + horizon_days``."""
    if horizon_days < 1:
        raise BadInput(f"horizon_days must be >= 1, got {horizon_days!r}")
    if count < 1:
        raise BadInput(f"expiry count must be >= 1, got {count!r}")
    first = asof + dt.timedelta(days=int(horizon_days))
    return monthly_expiries(first, first + dt.timedelta(days=31 * count + 31))[:count]
