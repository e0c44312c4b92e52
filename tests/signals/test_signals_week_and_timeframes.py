"""Low of the week, and weekly / monthly dating of every trigger."""
import numpy as np
import pandas as pd

from thesis.signals import (Trigger, detect, low_of_week, outside_bar, outside_bar_rejection, week_extremes,
                            zone_rejection)


def bar(low, high=None):
    high = low + 2 if high is None else high
    return (low + 1, high, low, low + 1)


# Sessions from Mon 2024-01-08: week 1 = Jan 8-12, week 2 = Jan 16-19 (Jan 15 is a holiday),
# week 3 = Jan 22-24 (cut on Wednesday: partial).
LOWS = [99, 97, 98, 99, 99,   # week 1: low on Tue Jan 9; high 101 first on Mon (ties -> earliest)
        95, 96, 94, 96,       # week 2: low on Thu Jan 18
        99, 98, 97]           # week 3 (partial): new lows Tue and Wed


def week_bars(mk):
    return mk([bar(v) for v in LOWS], start="2024-01-08")


def test_week_extremes_known_at_week_close(mk):
    ext = week_extremes(week_bars(mk), "long")
    assert list(ext.index) == [pd.Timestamp("2024-01-12"), pd.Timestamp("2024-01-19")]   # week 3 partial
    assert list(ext["extreme_date"]) == [pd.Timestamp("2024-01-09"), pd.Timestamp("2024-01-18")]
    assert list(ext["extreme"]) == [97.0, 94.0]


def test_low_of_week_close_mode_and_weekday_filter(mk):
    bars = week_bars(mk)
    all_weeks = low_of_week(bars, "long")
    assert list(all_weeks.index[all_weeks]) == [pd.Timestamp("2024-01-12"), pd.Timestamp("2024-01-19")]
    tue_wed = low_of_week(bars, "long", weekdays=["tue", "wed"])
    assert list(tue_wed.index[tue_wed]) == [pd.Timestamp("2024-01-12")]   # week 2's low was a Thursday


def test_low_of_week_running_mode(mk):
    got = low_of_week(week_bars(mk), "long", mode="running")
    expected = ["2024-01-09", "2024-01-18", "2024-01-23", "2024-01-24"]   # never a week's first session
    assert list(got.index[got]) == [pd.Timestamp(d) for d in expected]


def test_high_of_week_is_the_short_mirror(mk, reflect):
    bars = mk(reflect([bar(v) for v in LOWS]), start="2024-01-08")
    ext = week_extremes(bars, "short")
    assert list(ext["extreme_date"]) == [pd.Timestamp("2024-01-09"), pd.Timestamp("2024-01-18")]
    det = detect(Trigger(kind="low_of_week", weekdays=["tue"]), bars, "short")
    assert list(det["date"]) == [pd.Timestamp("2024-01-12")]
    assert "week high" in det["detail"].iloc[0] and "Tue 2024-01-09" in det["detail"].iloc[0]


def daily_from_weeks(mk, weeks, start):
    """Each week given as (open, high, low, close) is spread over its sessions: the open on the
    first session, the high on the second, the low on the third, the close on the last."""
    rows = []
    for o, h, l, c in weeks:
        mid = (h + l) / 2
        rows += [(o, max(o, mid) + 0.1, min(o, mid) - 0.1, mid), (mid, h, mid - 0.1, mid),
                 (mid, mid + 0.1, l, mid), (mid, mid + 0.1, mid - 0.1, mid), (mid, max(mid, c) + 0.1,
                                                                            min(mid, c) - 0.1, c)]
    return mk(rows, start=start)


def test_weekly_outside_bar_rejection_dated_at_week_close(mk):
    # Week 2 engulfs week 1, reaches the 105 zone, closes below it and below its open.
    bars = daily_from_weeks(mk, [(100, 103, 98, 101), (102, 106, 96, 97)], start="2024-02-05")
    weekly = outside_bar_rejection(bars, (105, 107), "short", timeframe="1w")
    assert list(weekly.index[weekly]) == [pd.Timestamp("2024-02-16")]   # Friday of week 2
    ev = detect(Trigger(kind="outside_bar_rejection", zone=[105, 107], timeframe="1w"), bars, "short")
    assert list(ev["date"]) == [pd.Timestamp("2024-02-16")]
    assert ev["price"].iloc[0] == bars.loc["2024-02-16", "close"] == 97
    assert ev["timeframe"].iloc[0] == "1w"
    # On daily bars there is no such outside bar.
    assert not outside_bar_rejection(bars, (105, 107), "short").any()


def test_partial_week_emits_nothing(mk):
    bars = daily_from_weeks(mk, [(100, 103, 98, 101), (102, 106, 96, 97)], start="2024-02-05")
    assert outside_bar(bars, "short", "1w").any()
    cut = bars.loc[:"2024-02-15"]                              # Thursday: week 2 incomplete
    assert not outside_bar(cut, "short", "1w").any()


def test_monthly_zone_rejection_dated_at_last_session_of_month(mk):
    # February 2024: 20 sessions; high 106 mid-month, closes the month at 103 under the 105 zone.
    rows = [(100, 101, 99, 100)] * 10 + [(100, 106, 99, 104)] + [(103, 104, 102, 103)] * 9
    bars = mk(rows, start="2024-02-01")
    assert bars.index[-1] == pd.Timestamp("2024-02-29")
    monthly = zone_rejection(bars, (105, 107), "short", timeframe="1mo")
    assert list(monthly.index[monthly]) == [pd.Timestamp("2024-02-29")]
    daily = zone_rejection(bars, (105, 107), "short")
    assert list(daily.index[daily]) == [bars.index[10]]
    assert not zone_rejection(bars.iloc[:-1], (105, 107), "short", timeframe="1mo").any()


def test_monthly_events_without_open_column(mk):
    rows = [(np.nan, 101, 99, 100)] * 20 + [(np.nan, 103, 97, 98)] * 20   # Feb: 99-101, Mar: 97-103
    bars = mk(rows, start="2024-02-01", has_open=False)
    monthly = outside_bar(bars, "short", "1mo")
    # March closes at 98 < February's close 100 (fallback: previous close, open is missing).
    assert list(monthly.index[monthly]) == [pd.Timestamp("2024-03-28")]


def test_a_week_whose_extreme_is_the_first_bar_of_the_data(mk):
    """The first session of the data can make its week's low: that week is reported like any other."""
    bars = mk([bar(v) for v in [90, 97, 98, 99, 99, 95, 96, 94, 96]], start="2024-01-08")
    ext = week_extremes(bars, "long")
    assert list(ext["extreme_date"]) == [pd.Timestamp("2024-01-08"), pd.Timestamp("2024-01-18")]
    assert list(ext["extreme"]) == [90.0, 94.0]


def test_weekday_names_may_be_written_out_in_the_python_api(mk):
    bars = week_bars(mk)
    short_names = low_of_week(bars, "long", weekdays=["tue", "wed"])
    long_names = low_of_week(bars, "long", weekdays=["Tuesday", "WEDNESDAY"])
    assert list(long_names.index[long_names]) == list(short_names.index[short_names]) == [pd.Timestamp("2024-01-12")]


def test_running_mode_needs_a_new_extreme_not_a_tie(mk, reflect):
    """"Undercuts (exceeds) every earlier session of its week": equalling the week's low (high) so
    far is not an event, on either side."""
    lows = [99, 97, 97, 96, 96]                       # Mon 8 .. Fri 12 Jan 2024: ties on Wed and Fri
    got = low_of_week(mk([bar(v) for v in lows], start="2024-01-08"), "long", mode="running")
    assert list(got.index[got]) == [pd.Timestamp("2024-01-09"), pd.Timestamp("2024-01-11")]
    highs = low_of_week(mk(reflect([bar(v) for v in lows]), start="2024-01-08"), "short", mode="running")
    assert list(highs.index[highs]) == [pd.Timestamp("2024-01-09"), pd.Timestamp("2024-01-11")]
