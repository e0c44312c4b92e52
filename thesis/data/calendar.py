"""US exchange sessions (XNYS) from exchange_calendars, loaded once per process.

Building the calendar (importing exchange_calendars, computing its holidays) costs about
0.5 s, so the session list is also cached for the day in ``$THESIS_HOME/cache`` (thesis.cache;
keyed by today's date, since the calendar ends a year after it, and the library's version).
"""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

FIRST = "1990-01-02"


@lru_cache(maxsize=1)
def _calendar():
    import exchange_calendars as xcals

    return xcals.get_calendar("XNYS", start=FIRST)


@lru_cache(maxsize=1)
def _all_sessions() -> pd.DatetimeIndex:
    """Every session of the calendar (tz-naive, midnight), from the disk cache when it has today's."""
    from datetime import date
    from importlib.metadata import version

    from thesis.cache import cached_frames

    def build() -> dict:
        idx = _calendar().sessions
        idx = idx.tz_localize(None) if idx.tz is not None else idx
        return {"sessions": pd.DataFrame(index=pd.DatetimeIndex(idx.to_numpy(), name="date"))}

    parts = {"calendar": "XNYS", "first": FIRST, "today": date.today().isoformat(),
             "exchange_calendars": version("exchange_calendars")}
    return pd.DatetimeIndex(cached_frames("calendar", parts, build)["sessions"].index, name="date")


def sessions(start, end) -> pd.DatetimeIndex:
    """XNYS sessions between start and end inclusive (tz-naive, midnight)."""
    every = _all_sessions()
    start = max(pd.Timestamp(start), every[0])
    end = min(pd.Timestamp(end), every[-1])
    if start > end:
        return pd.DatetimeIndex([], name="date")
    return every[every.searchsorted(start): every.searchsorted(end, side="right")]


def last_session() -> pd.Timestamp:
    return _all_sessions()[-1]
