"""US exchange sessions (XNYS) from exchange_calendars, loaded once per process."""
from __future__ import annotations

from functools import lru_cache

import pandas as pd

FIRST = "1990-01-02"


@lru_cache(maxsize=1)
def _calendar():
    import exchange_calendars as xcals

    return xcals.get_calendar("XNYS", start=FIRST)


def sessions(start, end) -> pd.DatetimeIndex:
    """XNYS sessions between start and end inclusive (tz-naive, midnight)."""
    cal = _calendar()
    start = max(pd.Timestamp(start), pd.Timestamp(cal.first_session))
    end = min(pd.Timestamp(end), pd.Timestamp(cal.last_session))
    if start > end:
        return pd.DatetimeIndex([], name="date")
    idx = cal.sessions_in_range(start, end)
    return pd.DatetimeIndex(idx.tz_localize(None) if idx.tz is not None else idx, name="date")


def last_session() -> pd.Timestamp:
    return pd.Timestamp(_calendar().last_session)
