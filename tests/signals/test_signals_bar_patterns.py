"""Outside bar, zone rejection, outside-bar rejection on hand-built bars."""
import numpy as np
import pytest

from thesis.errors import BadInput
from thesis.signals import outside_bar, outside_bar_rejection, zone_rejection


def fired(series):
    return list(np.flatnonzero(series.to_numpy()))


def test_bearish_outside_bar(mk, quiet):
    rows = quiet(3) + [(100.5, 101.5, 98.5, 99.0)]      # engulfs 101/99, closes below open
    bars = mk(rows)
    assert fired(outside_bar(bars, "short")) == [3]
    assert fired(outside_bar(bars, "long")) == []


def test_bullish_outside_bar(mk, quiet):
    rows = quiet(3) + [(99.5, 101.5, 98.5, 101.0)]
    assert fired(outside_bar(mk(rows), "long")) == [3]
    assert fired(outside_bar(mk(rows), "short")) == []


def test_outside_bar_needs_both_extremes_strictly(mk, quiet):
    equal_high = quiet(3) + [(100.5, 101.0, 98.5, 99.0)]    # high == prev high: not outside
    inside_low = quiet(3) + [(100.5, 101.5, 99.0, 99.0)]    # low == prev low: not outside
    assert fired(outside_bar(mk(equal_high), "short")) == []
    assert fired(outside_bar(mk(inside_low), "short")) == []


def test_outside_bar_without_open_uses_previous_close(mk, quiet):
    # prev close 100; close 99 < 100 -> bearish; close 100.5 > 100 -> bullish.
    down = mk(quiet(3) + [(np.nan, 101.5, 98.5, 99.0)], has_open=False)
    up = mk(quiet(3) + [(np.nan, 101.5, 98.5, 100.5)], has_open=False)
    assert fired(outside_bar(down, "short")) == [3] and fired(outside_bar(down, "long")) == []
    assert fired(outside_bar(up, "long")) == [3] and fired(outside_bar(up, "short")) == []


def test_zone_rejection_short_and_long(mk, quiet):
    rows = quiet(2) + [
        (100, 106, 99, 104.0),    # 2: reaches 105 zone but closes 104 < 105: short rejection
        (100, 104.9, 99, 100.0),  # 3: never reaches 105: nothing
        (100, 108, 99, 105.5),    # 4: closes inside the zone: not a rejection
        (100, 101, 94, 96.5),     # 5: low 94 reaches support zone [95, 96], closes 96.5 > 96: long rejection
        (100, 101, 95.5, 95.8),   # 6: closes inside support zone: nothing
    ]
    bars = mk(rows)
    assert fired(zone_rejection(bars, (105, 107), "short")) == [2]
    assert fired(zone_rejection(bars, (95, 96), "long")) == [5]


def test_zone_rejection_through_the_zone_counts(mk, quiet):
    # high above the whole zone, close back below its bottom: still a rejection (documented).
    bars = mk(quiet(2) + [(104, 110, 103, 104.5)])
    assert fired(zone_rejection(bars, (105, 107), "short")) == [2]


def test_outside_bar_rejection_requires_all_parts(mk, quiet):
    prev = quiet(2)                                   # prev bar 99..101, close 100
    ok = mk(prev + [(100.8, 101.6, 98.0, 98.5)])      # outside, high >= 101.2, close < 101.2 and < open
    no_zone = mk(prev + [(100.8, 101.1, 98.0, 98.5)])  # outside but high 101.1 < zone 101.2
    up_close = mk(prev + [(98.2, 101.6, 98.0, 99.5)])  # close > open: not bearish
    not_outside = mk(prev + [(100.8, 101.6, 99.2, 99.3)])       # low 99.2 > prev low 99
    zone = (101.2, 102.0)
    assert fired(outside_bar_rejection(ok, zone, "short")) == [2]
    for bars in (no_zone, up_close, not_outside):
        assert fired(outside_bar_rejection(bars, zone, "short")) == []


def test_outside_bar_rejection_long_is_the_mirror(mk, quiet, reflect):
    short_rows = quiet(2) + [(100.8, 101.6, 98.0, 98.5)]
    long_rows = reflect(short_rows)                    # zone [101.2, 102] -> [98, 98.8]
    assert fired(outside_bar_rejection(mk(long_rows), (98.0, 98.8), "long")) == [2]
    assert fired(outside_bar_rejection(mk(long_rows), (98.0, 98.8), "short")) == []


def test_level_is_a_zone_of_width_zero(mk, quiet):
    bars = mk(quiet(2) + [(100, 103, 99, 101.9)])
    assert fired(zone_rejection(bars, 102.0, "short")) == [2]
    assert fired(zone_rejection(bars, 101.9, "short")) == []   # close == level is not below


def test_bad_zone_and_side_are_named(mk, quiet):
    bars = mk(quiet(3))
    with pytest.raises(BadInput, match="lo 190 is above hi 188"):
        zone_rejection(bars, (190, 188), "short")
    with pytest.raises(BadInput, match="side/direction"):
        zone_rejection(bars, (188, 190), "sell")
    with pytest.raises(BadInput, match="timeframe"):
        outside_bar(bars, "short", timeframe="4h")
