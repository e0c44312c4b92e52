"""Which bar is final: the XNYS calendar (half-days, holidays, the calendar's range)."""
from __future__ import annotations

import pandas as pd
import pytest

from thesis.errors import BadInput
from thesis.watch.clock import last_closed_session, next_close


def utc(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")


def test_a_bar_is_final_only_after_its_close_and_half_days_close_early():
    # 2023-11-24 is a half day (close 13:00 New York = 18:00 UTC); 2023-11-23 is Thanksgiving
    assert last_closed_session(now=utc("2023-11-24 17:59")) == pd.Timestamp("2023-11-22")
    assert last_closed_session(now=utc("2023-11-24 18:01")) == pd.Timestamp("2023-11-24")
    # a normal day closes at 16:00 New York (21:00 UTC in winter)
    assert last_closed_session(now=utc("2023-12-01 20:59")) == pd.Timestamp("2023-11-30")
    assert last_closed_session(now=utc("2023-12-01 21:01")) == pd.Timestamp("2023-12-01")
    assert next_close(utc("2023-11-24 12:00")) == utc("2023-11-24 18:00")


def test_asof_is_the_evening_of_that_date():
    assert last_closed_session("2023-06-14") == pd.Timestamp("2023-06-14")
    assert last_closed_session("2023-07-04") == pd.Timestamp("2023-07-03")     # holiday: no bar
    assert last_closed_session("2023-06-18") == pd.Timestamp("2023-06-16")     # Sunday


def test_asof_env_variable(monkeypatch):
    monkeypatch.setenv("THESIS_ASOF", "2023-06-14")
    assert last_closed_session() == pd.Timestamp("2023-06-14")


@pytest.mark.parametrize("bad, match", [("2099-01-01", "outside the market calendar"),
                                        ("1980-01-01", "outside the market calendar"),
                                        ("2023-02-30", "not a date"), ("soon", "not a date")])
def test_dates_outside_the_calendar_are_clear_errors(bad, match):
    with pytest.raises(BadInput, match=match):
        last_closed_session(bad)


def test_the_calendar_object_is_built_only_to_read_todays_close(monkeypatch):
    """--asof, weekends and evenings use the cached session list; the calendar (about 0.5 s to
    build) is asked only on a session day before 16:00 New York time."""
    import thesis.watch.clock as clock

    asked = []
    real = clock._cal
    monkeypatch.setattr(clock, "_cal", lambda: asked.append(1) or real())
    assert last_closed_session("2023-07-04") == pd.Timestamp("2023-07-03")
    assert last_closed_session(now=utc("2023-12-02 15:00")) == pd.Timestamp("2023-12-01")   # Saturday
    assert last_closed_session(now=utc("2023-12-01 21:01")) == pd.Timestamp("2023-12-01")   # 16:01 New York
    assert asked == []
    assert last_closed_session(now=utc("2023-12-01 20:59")) == pd.Timestamp("2023-11-30")   # 15:59: ask
    assert asked == [1]


def test_the_calendars_last_session_is_still_inside_it():
    from thesis.data.calendar import last_session

    last = last_session()
    evening = (last + pd.Timedelta(hours=22)).tz_localize("America/New_York").tz_convert("UTC")
    assert last_closed_session(now=evening) == last
    with pytest.raises(BadInput, match="beyond the market calendar"):
        last_closed_session(now=evening + pd.Timedelta(days=7))
