"""Trading calendars from exchange_calendars, loaded once per process and per calendar.

Every function takes a calendar name (an exchange_calendars name: ``XNYS`` the default for US
stocks, ``24/7`` crypto, ``24/5`` FX, ``CMES`` CME futures, ``ICEUS`` ...); ``calendar_of(symbol)``
gives a symbol's (thesis.data.instruments). Building a calendar (importing exchange_calendars,
computing its holidays) costs about 0.5 s, so each session list is also cached for the day in
``$THESIS_HOME/cache`` (thesis.cache; keyed by today's date, since a calendar ends a year after
it, and the library's version).

When a daily bar is final: ``bar_final_at(instrument, session)``: the instrument's close time in
its zone (crypto 00:00 UTC ends the day, so Saturday's bar is final at Sunday 00:00 UTC; FX
17:00 New York; NYSE 16:00, or the calendar's early close on a half-day).
"""
from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from thesis.data.instruments import Instrument

FIRST = "1990-01-02"
DEFAULT = "XNYS"


@lru_cache(maxsize=8)
def exchange_calendar(name: str = DEFAULT):
    import exchange_calendars as xcals

    return xcals.get_calendar(name, start=FIRST)


@lru_cache(maxsize=8)
def all_sessions(name: str = DEFAULT) -> pd.DatetimeIndex:
    """Every session of the calendar (tz-naive, midnight), from the disk cache when it has today's."""
    from datetime import date
    from importlib.metadata import version

    from thesis.cache import cached_frames

    def build() -> dict:
        idx = exchange_calendar(name).sessions
        idx = idx.tz_localize(None) if idx.tz is not None else idx
        return {"sessions": pd.DataFrame(index=pd.DatetimeIndex(idx.to_numpy(), name="date"))}

    parts = {"calendar": name, "first": FIRST, "today": date.today().isoformat(),
             "exchange_calendars": version("exchange_calendars")}
    return pd.DatetimeIndex(cached_frames("calendar", parts, build)["sessions"].index, name="date")


def calendar_of(symbol: str | None) -> str:
    """The calendar name of a thesis symbol (XNYS for US stocks and names the table cannot place)."""
    if not symbol:
        return DEFAULT
    from thesis.data.instruments import lookup
    from thesis.errors import BadInput

    try:
        return lookup(symbol).calendar
    except BadInput:
        return DEFAULT


def sessions(start, end, calendar: str = DEFAULT) -> pd.DatetimeIndex:
    """Sessions of ``calendar`` between start and end inclusive (tz-naive, midnight)."""
    every = all_sessions(calendar)
    start = max(pd.Timestamp(start), every[0])
    end = min(pd.Timestamp(end), every[-1])
    if start > end:
        return pd.DatetimeIndex([], name="date")
    return every[every.searchsorted(start): every.searchsorted(end, side="right")]


def last_session(calendar: str = DEFAULT) -> pd.Timestamp:
    return all_sessions(calendar)[-1]


def first_session(calendar: str = DEFAULT) -> pd.Timestamp:
    return all_sessions(calendar)[0]


def bar_final_at(instrument: Instrument, session) -> pd.Timestamp:
    """The UTC time at which the daily bar of ``session`` is final for ``instrument``."""
    day = pd.Timestamp(session).normalize().tz_localize(None)
    if instrument.calendar == DEFAULT:   # the exchange's close, early on a half-day
        return pd.Timestamp(exchange_calendar(DEFAULT).session_close(day))
    hour, minute = (int(x) for x in instrument.close_time.split(":"))
    local = day + pd.Timedelta(hours=hour, minutes=minute)
    if hour == 0 and minute == 0:        # a close at midnight ends the day: the next midnight
        local += pd.Timedelta(days=1)
    return local.tz_localize(instrument.close_zone).tz_convert("UTC")


def last_final_session(instrument: Instrument, now: pd.Timestamp) -> pd.Timestamp:
    """The last session of the instrument's calendar whose bar is final at ``now`` (UTC)."""
    now = pd.Timestamp(now)
    now = now.tz_localize("UTC") if now.tzinfo is None else now.tz_convert("UTC")
    every = all_sessions(instrument.calendar)
    # sessions dated up to two days after now's UTC date can't be final; scan back from there
    i = int(every.searchsorted(now.tz_localize(None).normalize() + pd.Timedelta(days=1), side="right")) - 1
    while i >= 0 and bar_final_at(instrument, every[i]) > now:
        i -= 1
    if i < 0:
        from thesis.errors import BadInput

        raise BadInput(f"no {instrument.calendar} session is final at {now}")
    return pd.Timestamp(every[i])


# Calendars whose exchange trades an abbreviated session on US holidays without a settlement.
SETTLES_ON_US_DAYS = ("CMES", "ICEUS")


@lru_cache(maxsize=8)
def _early_closes(name: str) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(exchange_calendar(name).early_closes)
    return idx.tz_localize(None) if idx.tz is not None else idx


def holiday_closures(days, calendar: str) -> pd.DatetimeIndex:
    """Of ``days`` (sessions of ``calendar`` that have no bar), those a daily source leaves out because
    the exchange publishes no settlement: US holidays (a weekday NYSE is closed: Labor Day,
    Thanksgiving, July 4) and the calendar's early closes (the day after Thanksgiving, Christmas Eve).
    CME Globex trades a shortened session on those days, so exchange_calendars keeps them as CMES
    sessions, but there is no daily settlement and Yahoo has no bar: closed, not missing data."""
    days = pd.DatetimeIndex(days)
    if calendar not in SETTLES_ON_US_DAYS or not len(days):
        return days[:0]
    nyse = all_sessions(DEFAULT)
    us_holiday = (days >= nyse[0]) & (days <= nyse[-1]) & ~days.isin(nyse) & (days.dayofweek < 5)
    return days[us_holiday | days.isin(_early_closes(calendar))]


def holiday_name(day) -> str:
    """The US holiday of ``day`` as exchange_calendars names it (NYSE's), else "early close"."""
    day = pd.Timestamp(day)
    names = exchange_calendar(DEFAULT).regular_holidays.holidays(day, day, return_name=True)
    if len(names):
        return str(names.iloc[0])
    return "NYSE closed" if day not in all_sessions(DEFAULT) else "early close"
