"""Pure layout rules: window, date -> bar, y-range, ticks, label spots."""
import numpy as np
import pandas as pd
import pytest

from thesis.errors import BadInput
from thesis.plotting._layout import (BARS_AFTER, BARS_BEFORE, FALLBACK_BARS, MIN_BAR_SHARE, PAD, bar_position,
                                     default_window, free_spot, price_range, time_ticks, to_timestamp)

DAYS = pd.bdate_range("2023-01-02", periods=300)


def test_bar_position_exact_weekend_and_outside():
    assert bar_position(DAYS, pd.Timestamp("2023-01-04")) == 2
    # Saturday 2023-01-07 belongs to the next session, Monday 2023-01-09 (position 5)
    assert bar_position(DAYS, pd.Timestamp("2023-01-07")) == 5
    assert bar_position(DAYS, DAYS[-1] + pd.Timedelta(days=1)) is None
    assert bar_position(DAYS, pd.Timestamp("2022-12-01")) is None


def test_bar_position_weekly_labels_hold_their_week():
    weeks = pd.DatetimeIndex(["2023-06-02", "2023-06-09", "2023-06-16"])  # Fridays
    assert bar_position(weeks, pd.Timestamp("2023-06-05")) == 1  # Monday of the week ending 06-09
    assert bar_position(weeks, pd.Timestamp("2023-05-31")) == 0  # inside the first week


def test_default_window_around_notable_dates():
    first, last = DAYS[100], DAYS[150]
    assert default_window(DAYS, [last, first]) == (100 - BARS_BEFORE, 150 + BARS_AFTER + 1)


def test_default_window_clips_and_falls_back():
    assert default_window(DAYS, [DAYS[5], DAYS[295]]) == (0, 300)
    assert default_window(DAYS, []) == (300 - FALLBACK_BARS, 300)


def test_default_window_start_end_win():
    lo, hi = default_window(DAYS, [DAYS[100]], start=DAYS[10], end=DAYS[20])
    assert (lo, hi) == (10, 21)
    lo, hi = default_window(DAYS, [DAYS[100]], start=DAYS[90])
    assert (lo, hi) == (90, 100 + BARS_AFTER + 1)


def test_default_window_empty_raises():
    with pytest.raises(BadInput, match="no bars"):
        default_window(DAYS, [], start=pd.Timestamp("2030-01-01"))


def test_price_range_takes_in_near_levels():
    low, high = np.array([100.0, 101.0]), np.array([110.0, 112.0])
    lo, hi, off = price_range(low, high, [120.0, 95.0])
    span = 120 - 95
    assert off == []
    assert lo == pytest.approx(95 - PAD * span) and hi == pytest.approx(120 + PAD * span)


def test_price_range_far_target_still_shown_when_bars_keep_their_share():
    low, high = np.array([180.0]), np.array([200.0])  # bar span 20
    lo, hi, off = price_range(low, high, [212.0, 130.0])  # 20/82 = 24% >= 20%
    assert off == [] and lo < 130 < 212 < hi


def test_price_range_absurd_level_left_off_scale():
    low, high = np.array([180.0]), np.array([200.0])
    lo, hi, off = price_range(low, high, [210.0, 1.0])  # 20/209 < MIN_BAR_SHARE
    assert off == [1.0]
    assert lo > 1.0 and hi > 210.0
    assert 20 / (210 - 180) >= MIN_BAR_SHARE


def test_time_ticks_months_with_year_on_first_and_new_year():
    index = pd.bdate_range("2023-10-16", "2024-02-20")
    ticks, labels = time_ticks(index)
    assert labels == ["Nov 2023", "Dec", "Jan 2024", "Feb"]
    assert [index[i].strftime("%Y-%m-%d") for i in ticks] == ["2023-11-01", "2023-12-01", "2024-01-01", "2024-02-01"]


def test_time_ticks_coarsen_for_long_spans():
    index = pd.bdate_range("2000-01-03", "2020-12-31")
    ticks, labels = time_ticks(index, max_ticks=14)
    assert len(ticks) <= 14 and all(len(s) == 4 for s in labels)


def test_free_spot_avoids_bars_and_boxes():
    high = np.array([10, 10, 5, 5, 5, 5, 5, 5, 10, 10], dtype=float)
    low = high - 1
    # label at price 9..9.5: bars 0,1 and 8,9 are in the way (and their neighbours 2, 7)
    assert free_spot(low, high, 9.0, 9.5, 3, "left") == 3
    assert free_spot(low, high, 9.0, 9.5, 3, "right") == 4
    # a label box over bars 3..4 at that price pushes it right
    assert free_spot(low, high, 9.0, 9.5, 2, "left", boxes=[(3, 4, 8.0, 9.2)]) == 5


def test_to_timestamp_rejects_garbage():
    assert to_timestamp("2023-07-31", "x") == pd.Timestamp("2023-07-31")
    with pytest.raises(BadInput, match="entry 1"):
        to_timestamp("not a date", "entry 1")
