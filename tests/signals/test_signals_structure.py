"""Failed breakout, confirmed swings and the lower-high breakdown on hand-built bars."""
import numpy as np
import pandas as pd

from thesis.signals import failed_breakout, lower_high_breakdown, swing_points


def fired(series):
    return list(np.flatnonzero(series.to_numpy()))


def from_closes(closes):
    return [(c, c + 0.5, c - 0.5, c) for c in closes]


def test_failed_breakout_within_n_bars(mk):
    bars = mk(from_closes([99, 99, 101, 100.5, 99.5, 99]))   # breakout at 2, back below at 4
    assert fired(failed_breakout(bars, 100.0, "short", within=3)) == [4]
    assert fired(failed_breakout(bars, 100.0, "short", within=1)) == []   # 4 - 2 = 2 > 1


def test_failed_breakout_too_late_is_not_an_event(mk):
    bars = mk(from_closes([99, 99, 101, 101, 101, 101, 99.5]))  # back below 4 bars later
    assert fired(failed_breakout(bars, 100.0, "short", within=3)) == []
    assert fired(failed_breakout(bars, 100.0, "short", within=4)) == [6]


def test_failed_breakout_needs_a_cross_from_below(mk):
    # The data starts above the level: there is no breakout bar, so no failure either.
    bars = mk(from_closes([103, 101, 99]))
    assert fired(failed_breakout(bars, 100.0, "short", within=5)) == []


def test_failed_breakout_of_a_zone_needs_a_close_below_the_bottom(mk):
    zone = (100.0, 102.0)
    back_inside = mk(from_closes([99, 101, 103, 101, 101.5]))        # never closes < 100
    back_below = mk(from_closes([99, 101, 103, 101, 99.5]))          # breakout at 2, fails at 4
    assert fired(failed_breakout(back_inside, zone, "short", within=5)) == []
    assert fired(failed_breakout(back_below, zone, "short", within=5)) == [4]


def test_failed_breakdown_is_the_mirror(mk, reflect):
    rows = reflect(from_closes([99, 99, 101, 100.5, 99.5, 99]))      # level 100 -> 100
    assert fired(failed_breakout(mk(rows), 100.0, "long", within=3)) == [4]
    assert fired(failed_breakout(mk(rows), 100.0, "short", within=3)) == []


def test_swing_is_dated_at_confirmation(mk):
    highs = [100, 101, 105, 103, 102, 101]
    rows = [(h - 1, h, h - 2, h - 1) for h in highs]
    sw = swing_points(mk(rows), swing_bars=2)
    dates = sw.index
    assert sw["swing_high_date"].iloc[4] == dates[2]            # pivot at 2 known at 2 + 2
    assert sw["swing_high_date"].iloc[:4].isna().all()
    # With the data cut before the confirmation bar, the swing does not exist yet.
    assert swing_points(mk(rows[:4]), swing_bars=2)["swing_high_date"].isna().all()


# H1 at bar 2 (105.5), trough low 101 at bar 4, H2 at bar 6 (105.2), confirmed at 8, break at 9.
PATTERN = [
    (100.0, 100.5, 99.5, 100.0),
    (101.0, 102.0, 100.5, 101.5),
    (104.5, 105.5, 103.5, 104.0),
    (103.0, 104.0, 102.0, 102.5),
    (102.0, 102.5, 101.0, 101.5),
    (102.0, 103.5, 101.5, 103.0),
    (104.0, 105.2, 103.0, 104.0),
    (103.5, 104.0, 102.5, 103.0),
    (103.0, 103.5, 102.0, 102.5),
    (102.0, 102.5, 100.5, 100.8),
    (100.8, 101.0, 99.0, 99.5),
]
ZONE = (104.0, 106.0)


def test_lower_high_breakdown_fires_on_the_neckline_break(mk):
    bars = mk(PATTERN)
    assert fired(lower_high_breakdown(bars, "short", ZONE, swing_bars=2, tolerance=0.01)) == [9]
    assert fired(lower_high_breakdown(bars, "short", None, swing_bars=2, tolerance=0.01)) == [9]
    # the kernel's pivots and neckline: set on the event bar only, -1 / NaN on every other bar
    from thesis.signals import nb
    from thesis.signals.frames import ohlc

    _, h, low, c = ohlc(bars)
    event, first, second, neck = nb.lower_high_breakdown_nb(h, low, c, *ZONE, 2, 0.01, 20, True)
    assert list(np.flatnonzero(event)) == [9]
    assert (first[9], second[9], neck[9]) == (2, 6, 101.0)
    others = np.arange(len(event)) != 9
    assert (first[others] == -1).all() and (second[others] == -1).all() and np.isnan(neck[others]).all()


def test_lower_high_breakdown_negative_cases(mk):
    far_zone = lower_high_breakdown(mk(PATTERN), "short", (110.0, 112.0), swing_bars=2)
    higher = [list(r) for r in PATTERN]
    higher[6] = [104.0, 107.0, 103.0, 104.0]            # 107 > 105.5 * 1.01: a higher high
    no_break = [list(r) for r in PATTERN[:9]] + [[102.0, 102.5, 101.2, 101.4]]  # close 101.4 > 101
    assert fired(far_zone) == []
    assert fired(lower_high_breakdown(mk(higher), "short", ZONE, swing_bars=2, tolerance=0.01)) == []
    assert fired(lower_high_breakdown(mk(no_break), "short", ZONE, swing_bars=2)) == []


def test_lower_high_breakdown_waits_for_confirmation(mk):
    early = [list(r) for r in PATTERN[:10]]
    early[7] = [103.5, 104.0, 100.5, 100.8]            # closes below 101 before H2 is confirmed
    early[8] = [100.8, 101.5, 100.2, 100.9]            # confirmation bar, still below 101
    early[9] = [100.9, 101.2, 100.0, 100.5]
    got = fired(lower_high_breakdown(mk(early), "short", ZONE, swing_bars=2))
    assert got == [8]                                  # known at bar 8 = H2 + 2, not at bar 7


def test_lower_high_breakdown_max_wait(mk):
    wait = [list(r) for r in PATTERN[:9]] + [[102.5, 103.0, 102.0, 102.5]] * 4 + [[102.0, 102.5, 100.5, 100.8]]
    # break at bar 13, i.e. 7 bars after H2 (bar 6)
    assert fired(lower_high_breakdown(mk(wait), "short", ZONE, max_wait=7)) == [13]
    assert fired(lower_high_breakdown(mk(wait), "short", ZONE, max_wait=6)) == []


def test_higher_low_breakout_is_the_mirror(mk, reflect):
    rows = reflect(PATTERN)                              # zone [104, 106] -> [94, 96]
    assert fired(lower_high_breakdown(mk(rows), "long", (94.0, 96.0), swing_bars=2)) == [9]
    assert fired(lower_high_breakdown(mk(rows), "short", (94.0, 96.0), swing_bars=2)) == []


def test_swing_points_columns_are_dates(mk):
    sw = swing_points(mk(PATTERN), swing_bars=2)
    assert list(sw.columns) == ["swing_high_date", "swing_low_date"]
    assert pd.api.types.is_datetime64_any_dtype(sw["swing_high_date"])


def test_failed_breakout_detail_names_the_breakout_bar_on_both_sides(mk, reflect):
    """The event's text dates the breakout (or breakdown) bar, not the bar just before the event:
    two closes beyond the zone, then the failure."""
    from thesis.signals import Trigger, detect

    closes = [99, 99, 101, 100.8, 99.5]                  # breakout on bar 2, two bars above, fails on 4
    bars = mk(from_closes(closes))
    ev = detect(Trigger(kind="failed_breakout", level=100), bars, "short")
    assert list(ev["date"]) == [bars.index[4]]
    assert ev["detail"].iloc[0].startswith(f"short: closed above 100.00 on {bars.index[2].date()}")
    assert "2 bar(s) later" in ev["detail"].iloc[0]
    mirrored = mk(reflect(from_closes(closes)))          # 101 -> 99, 100.8 -> 99.2: breakdown on bar 2
    ev = detect(Trigger(kind="failed_breakout", level=100), mirrored, "long")
    assert list(ev["date"]) == [mirrored.index[4]]
    assert ev["detail"].iloc[0].startswith(f"long: closed below 100.00 on {mirrored.index[2].date()}")
    assert "2 bar(s) later" in ev["detail"].iloc[0]


def test_a_swing_needs_k_bars_on_each_side(mk):
    """Fractal(k): H[p] > each of the k highs before and >= each of the k after; a bar with fewer
    than k bars before it is never a swing, and a higher bar k sessions later cancels one."""
    def rows(highs):
        return [(h - 1, h, h - 2, h - 1) for h in highs]

    bars = mk(rows([100, 101, 105, 104, 106, 103, 102]))
    later_higher = swing_points(bars, swing_bars=2)                 # bar 4 (106) is 2 after bar 2 (105)
    assert later_higher["swing_high_date"].dropna().tolist() == [bars.index[4]]
    assert swing_points(mk(rows([100, 101, 105, 104, 103.5, 103])), swing_bars=2)["swing_high_date"].notna().any()
    too_early = swing_points(mk(rows([104, 106, 105, 104, 103, 107])), swing_bars=2)
    assert too_early["swing_high_date"].isna().all()                 # bar 1 has one bar before it
    lows = [(l + 1, l + 2, l, l + 1) for l in [100, 99, 95, 96, 94, 97, 98]]
    assert swing_points(mk(lows), swing_bars=2)["swing_low_date"].dropna().tolist() == [mk(lows).index[4]]
    early_low = [(l + 1, l + 2, l, l + 1) for l in [96, 94, 95, 96, 97, 93]]
    assert swing_points(mk(early_low), swing_bars=2)["swing_low_date"].isna().all()


def test_lower_high_breakdown_with_one_bar_between_the_highs(mk):
    """swing_bars = 1 lets the two highs stand two bars apart (one bar, the neckline, between)."""
    rows = [(100.0, 101.0, 99.0, 100.0),
            (104.0, 105.0, 103.0, 104.0),     # H1 = 105 (bar 1)
            (102.5, 103.0, 102.0, 102.5),     # the neckline: low 102
            (104.0, 104.8, 103.5, 104.0),     # H2 = 104.8 (bar 3), confirmed on bar 4
            (103.5, 104.0, 102.5, 103.0),
            (102.5, 103.0, 101.0, 101.5)]     # close 101.5 < 102: the event
    got = lower_high_breakdown(mk(rows), "short", (104.0, 106.0), swing_bars=1, tolerance=0.01)
    assert fired(got) == [5]
