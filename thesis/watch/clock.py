"""Which daily bar is final: the instrument's calendar (exchange_calendars) decides.

A session's bar is final once its close has passed: NYSE 16:00 New York (half-days close early,
holidays have no session); for other instruments their daily close (thesis.data.instruments:
crypto 00:00 UTC, so Saturday's bar is final at Sunday 00:00 UTC; FX 17:00 New York; CME
futures 16:00 Chicago).  ``--asof D`` (or ``THESIS_ASOF``) replays "now" as the evening of D:
the last session of the calendar on or before D is the last final bar.
"""
from __future__ import annotations

import os

import pandas as pd

from thesis.errors import BadInput, ParameterError


def _cal():
    from thesis.data.calendar import exchange_calendar

    return exchange_calendar()


def parse_asof(value) -> pd.Timestamp | None:
    if value is None or value == "":
        value = os.environ.get("THESIS_ASOF") or None
        if value is None:
            return None
    from thesis.data.dates import parse_date  # the one date parser

    return parse_date(value, "asof")


def last_closed_session(asof=None, now: pd.Timestamp | None = None, instrument=None) -> pd.Timestamp:
    """The last session whose bar is final at ``asof`` (evening of that date) or at ``now``.

    ``instrument`` (thesis.data.instruments.Instrument; None = a US stock) picks the calendar and
    the daily close.

    The session list comes from ``thesis.data.calendar`` (cached on disk for the day), so a pass
    builds the exchange_calendars calendar (about 0.5 s) only when today is a session and its
    close may not have passed yet (before 16:00 New York time: half-days close earlier)."""
    from thesis.data.calendar import all_sessions, last_final_session

    if instrument is not None and instrument.calendar != "XNYS":
        every = all_sessions(instrument.calendar)
        day = parse_asof(asof)
        if day is not None:
            if day < every[0] or day > every[-1]:
                raise ParameterError("asof", f"{day.date()} is outside the {instrument.calendar} calendar "
                                     f"({every[0].date()} to {every[-1].date()})")
            return pd.Timestamp(every[int(every.searchsorted(day, side="right")) - 1])
        return last_final_session(instrument, pd.Timestamp.now(tz="UTC") if now is None else now)
    every = all_sessions()
    first, last = pd.Timestamp(every[0]), pd.Timestamp(every[-1])
    day = parse_asof(asof)
    if day is not None:
        if day < first or day > last:
            raise ParameterError("asof", f"{day.date()} is outside the market calendar ({first.date()} to {last.date()})")
        return pd.Timestamp(every[int(every.searchsorted(day, side="right")) - 1])
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    if now.tzinfo is None:
        now = now.tz_localize("UTC")
    local = now.tz_convert("America/New_York").tz_localize(None)
    today = local.normalize()
    if today > last:
        raise BadInput(f"today ({today.date()}) is beyond the market calendar (last session {last.date()}): "
                       f"upgrade exchange_calendars")
    i = int(every.searchsorted(today, side="right")) - 1
    session = pd.Timestamp(every[i])
    if session == today and local.hour < 16:      # today's close (16:00, or earlier on a half-day) may be ahead
        if _cal().session_close(session) > now:
            session = pd.Timestamp(every[i - 1])
    return session


def next_close(now: pd.Timestamp | None = None, instruments=None) -> pd.Timestamp:
    """UTC time of the next session close after ``now`` (for ``--every``): NYSE's, or with
    ``instruments`` the first daily bar of any of them to become final, each on its own calendar and
    close (a BTC bar at 00:00 UTC every day, an FX bar at 17:00 New York on weekdays)."""
    now = pd.Timestamp.now(tz="UTC") if now is None else pd.Timestamp(now)
    others = {i.calendar: i for i in instruments or () if i.calendar != "XNYS"}
    if others:
        nyse = [_nyse_close(now)] if any(i.calendar == "XNYS" for i in instruments) else []
        return min(nyse + [_next_final(i, now) for i in others.values()])
    return _nyse_close(now)


def _next_final(instrument, now: pd.Timestamp) -> pd.Timestamp:
    """The first moment after ``now`` a daily bar of ``instrument``'s calendar becomes final."""
    from thesis.data.calendar import bar_final_at, sessions

    day = now.tz_convert("UTC").tz_localize(None).normalize()
    for session in sessions(day - pd.Timedelta(days=2), day + pd.Timedelta(days=10), instrument.calendar):
        final = bar_final_at(instrument, session)
        if final > now:
            return final
    raise BadInput(f"no {instrument.calendar} session closes in the 10 days after {now}: upgrade exchange_calendars")


def _nyse_close(now: pd.Timestamp) -> pd.Timestamp:
    cal = _cal()
    today = now.tz_convert("America/New_York").tz_localize(None).normalize()
    session = pd.Timestamp(cal.date_to_session(today, direction="next"))
    close = cal.session_close(session)
    if close <= now:
        close = cal.session_close(cal.next_session(session))
    return close
