"""One check for every date range a user gives (``start``/``end``, ``asof``...; the command line
passes its flags as the names, ``--from``/``--to``).

    start, end = check_range(from_, to)                       # BadInput (exit 2) when unusable
    start, end = check_range(from_, to, last=bars.index[-1])  # also knows where the data ends
    msg = empty_range_message("IWM", start, end, bars)        # "no bars of IWM between ..."

A range is bad input when a date does not parse or lies outside 1800-01-01 ..
2200-12-31, when it is reversed (start after end), or when it lies wholly after
today (and after the last bar, when that is known): no data can exist there.
A range that is merely empty (a weekend, before the first bar, after the last
bar but not after today) is not an error: say so with ``empty_range_message``.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, overload

from thesis.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd

# pandas loads on first use: `thesis journal --since D` checks its plain date without it (parse_day)
EARLIEST_DAY = date(1800, 1, 1)
LATEST_DAY = date(2200, 12, 31)
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}(?:[ T]|$)")
_PLAIN = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}")   # ASCII digits, years 1000-9999


def __getattr__(name: str):
    """EARLIEST and LATEST as midnight Timestamps (PEP 562: built when asked, with pandas)."""
    if name in ("EARLIEST", "LATEST"):
        import pandas as pd

        return pd.Timestamp(EARLIEST_DAY if name == "EARLIEST" else LATEST_DAY)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_day(value, name: str = "date") -> date | None:
    """``parse_date(value, name).date()``: a plain ``YYYY-MM-DD`` text is checked with the standard
    library (the same answers and messages; tests/data/test_dates.py compares the two), anything
    else goes through parse_date."""
    text = value.strip() if isinstance(value, str) else None
    if text is None or not _PLAIN.fullmatch(text):
        stamp = parse_date(value, name)
        return None if stamp is None else stamp.date()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ParameterError(name, f"{text[:32]!r} is not a date: use YYYY-MM-DD") from None
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ParameterError(name, f"{day} is outside the dates thesis accepts ({EARLIEST_DAY} to {LATEST_DAY})")
    return day


def check_since(value, name: str = "since", today: date | None = None) -> date | None:
    """``check_range(value, None, names=(name, ...), today=today)[0]`` as a date, pandas-free for a
    plain date: a start that does not parse, or lies after today, is bad input naming the flag."""
    day = parse_day(value, name)
    now = today or date.today()
    if day is not None and day > now:
        raise ParameterError(name, f"{day} is in the future (today is {now})")
    return day


@overload
def parse_date(value: None, name: str = "date") -> None: ...
@overload
def parse_date(value: date | str, name: str = "date") -> pd.Timestamp: ...
@overload
def parse_date(value: object, name: str = "date") -> pd.Timestamp | None: ...


def parse_date(value: object, name: str = "date") -> pd.Timestamp | None:
    """None, a date, a datetime, a Timestamp or ``YYYY-MM-DD`` text -> a midnight Timestamp, or BadInput."""
    if value is None:
        return None
    import numpy as np
    import pandas as pd

    earliest, latest = pd.Timestamp(EARLIEST_DAY), pd.Timestamp(LATEST_DAY)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, (pd.Timestamp, datetime, date)):
        text = str(value)[:10]
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise ParameterError(name, f"must be a date (YYYY-MM-DD), got {type(value).__name__}")
    if not _ISO.match(text):   # "2023" or "June 5" would parse, to a day the user did not mean
        raise ParameterError(name, f"{text[:32]!r} is not a date: use YYYY-MM-DD")
    try:
        stamp = pd.Timestamp(text[:32])
    except (ValueError, TypeError, OverflowError) as exc:
        raise ParameterError(name, f"{text[:32]!r} is not a date: use YYYY-MM-DD") from exc
    if stamp is pd.NaT:
        raise ParameterError(name, "is empty: use YYYY-MM-DD")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    stamp = stamp.normalize()
    if not earliest <= stamp <= latest:
        raise ParameterError(name, f"{stamp.isoformat()[:10]} is outside the dates thesis accepts "   # year 0 has no .date()
                                   f"({EARLIEST_DAY} to {LATEST_DAY})")
    return stamp.as_unit("ns")


def check_range(start=None, end=None, *, first=None, last=None, today=None,
                names: tuple[str, str] = ("start", "end")) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """Validated ``(start, end)`` (midnight Timestamps or None), or BadInput saying what is wrong.

    ``first``/``last``: the data's first and last bar when known (for the message and the
    "wholly after the data" test); ``today`` defaults to the clock (tests pass one).
    """
    import pandas as pd

    a, b = parse_date(start, names[0]), parse_date(end, names[1])
    if a is not None and b is not None and a > b:
        raise ParameterError(names[0], f"{a.date()} is after {{{names[1]}}} {b.date()}: the range is reversed",
                             mentions=(names[1],))
    now = parse_date(today, "today") if today is not None else pd.Timestamp.today().normalize()
    last = parse_date(last, "last bar") if last is not None else None
    if a is not None and a > now and (last is None or a > last):
        ends = f"; the data ends {last.date()}" if last is not None else ""
        raise ParameterError(names[0], f"{a.date()} is in the future (today is {now.date()}{ends})")
    return a, b


def empty_range_message(symbol: str, start, end, bars: pd.DataFrame | None = None) -> str:
    """Why a range selected no bars, naming what the data covers."""
    import pandas as pd

    a = "the start" if start is None else str(pd.Timestamp(start).date())
    b = "the end" if end is None else str(pd.Timestamp(end).date())
    msg = f"no bars of {symbol} between {a} and {b}"
    if bars is not None and len(bars):
        first, last = pd.Timestamp(bars.index[0]), pd.Timestamp(bars.index[-1])
        if start is not None and pd.Timestamp(start) > last:
            msg += f": the data ends {last.date()}"
        elif end is not None and pd.Timestamp(end) < first:
            msg += f": the data starts {first.date()}"
        else:
            msg += f" (no session in that range; the data covers {first.date()} to {last.date()})"
    return msg
