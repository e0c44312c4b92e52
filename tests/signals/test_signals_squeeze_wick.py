"""Squeeze state and release, long wicks."""
import numpy as np
import pandas as pd

from thesis.signals import long_wick, squeeze, squeeze_release


def fired(series):
    return list(np.flatnonzero(series.to_numpy()))


def test_squeeze_release_up_by_hand(mk, quiet):
    # 25 quiet bars: sd = 0 < KC half-width 1.5 * ATR(2) -> in squeeze from bar 20 (first full window).
    # Bar 25 jumps to 110: sd = sqrt(4.75) = 2.18 -> BB half 4.36 > KC half 1.5 * 2.425 = 3.64.
    rows = quiet(25) + [(100.0, 110.5, 100.0, 110.0)]
    bars = mk(rows)
    state = squeeze(bars)
    assert not state.iloc[:20].any()                  # undefined before a full window
    assert state.iloc[20:25].all()
    assert not state.iloc[25]
    assert fired(squeeze_release(bars, "long")) == [25]
    assert fired(squeeze_release(bars, "short")) == []


def test_squeeze_release_down_is_the_mirror(mk, quiet, reflect):
    rows = reflect(quiet(25) + [(100.0, 110.5, 100.0, 110.0)])
    assert fired(squeeze_release(mk(rows), "short")) == [25]
    assert fired(squeeze_release(mk(rows), "long")) == []


def test_squeeze_state_matches_an_independent_pandas_formula(mk):
    rng = np.random.default_rng(7)
    close = 100 + np.cumsum(rng.normal(0, 1, 300))
    high = close + rng.uniform(0.1, 2.0, 300)
    low = close - rng.uniform(0.1, 2.0, 300)
    bars = mk(list(zip(close, high, low, close)))
    c, h, l = bars["close"], bars["high"], bars["low"]
    mid = c.rolling(20).mean()
    sd = c.rolling(20).std(ddof=0)
    pc = c.shift(1)
    tr = pd.concat([h - l, (h - pc).abs(), (l - pc).abs()], axis=1).max(axis=1, skipna=False)
    atr = tr.rolling(20).mean()
    expected = ((mid + 2 * sd) < (mid + 1.5 * atr)) & ((mid - 2 * sd) > (mid - 1.5 * atr))
    got = squeeze(bars)
    assert expected.iloc[20:].any() and (~expected.iloc[20:]).any()   # both states occur
    assert (got.iloc[20:] == expected.iloc[20:]).all()
    released = expected.shift(1, fill_value=False) & ~expected
    released.iloc[:21] = False
    up = released & (c > mid)
    assert fired(squeeze_release(bars, "long")) == list(np.flatnonzero(up.to_numpy()))


def test_long_upper_and_lower_wicks(mk, quiet):
    rows = quiet(1) + [
        (100.0, 105.0, 99.5, 100.5),   # 1: upper wick 4.5 = 82% of range, 9x body -> short
        (100.0, 101.0, 95.0, 100.5),   # 2: lower wick 5 = 83% of range, 10x body -> long
        (100.0, 105.0, 99.0, 103.0),   # 3: upper wick 2 = 33% of range -> nothing
        (100.0, 104.0, 99.0, 102.5),   # 4: upper wick 1.5 = 30%: nothing
    ]
    bars = mk(rows)
    assert fired(long_wick(bars, "short")) == [1]
    assert fired(long_wick(bars, "long")) == [2]
    # wick >= 0.3 of range but body rule: bar 3 upper 2 < 2 * body 3
    assert fired(long_wick(bars, "short", min_wick=0.3)) == [1]
    assert fired(long_wick(bars, "short", min_wick=0.3, min_wick_body=0.5)) == [1, 3, 4]


def test_long_wick_zone_must_be_reached(mk, quiet):
    bars = mk(quiet(1) + [(100.0, 105.0, 99.5, 100.5)])
    assert fired(long_wick(bars, "short", zone=(104.0, 106.0))) == [1]
    assert fired(long_wick(bars, "short", zone=(105.5, 106.0))) == []
    assert fired(long_wick(bars, "short", zone=(105.0, 106.0))) == [1]      # H == lo reaches it
    mirrored = mk(quiet(1) + [(100.0, 100.5, 95.0, 99.5)])                 # the long mirror: L == hi
    assert fired(long_wick(mirrored, "long", zone=(94.0, 95.0))) == [1]
    assert fired(long_wick(mirrored, "long", zone=(94.0, 94.5))) == []


def test_long_wick_without_open_uses_previous_close(mk):
    # prev close 100.5: body 100.5 -> 100.6, upper wick 4.4 of range 5.5.
    rows = [(np.nan, 101.0, 100.0, 100.5), (np.nan, 105.0, 99.5, 100.6)]
    bars = mk(rows, has_open=False)
    assert fired(long_wick(bars, "short")) == [1]
    assert fired(long_wick(bars, "long")) == []


def test_weekly_long_wick_is_dated_at_the_week_close(mk):
    # Week of 2024-01-08 (Mon) .. 01-12 (Fri): spike to 110 on Tuesday, closes the week at 100.3.
    rows = [(100.0, 100.5, 99.5, 100.0), (100.0, 110.0, 99.8, 100.2), (100.2, 100.6, 99.9, 100.1),
            (100.1, 100.5, 99.6, 100.2), (100.2, 100.6, 99.7, 100.3)]
    bars = mk(rows, start="2024-01-08")
    weekly = long_wick(bars, "short", timeframe="1w")
    assert list(weekly.index[weekly]) == [pd.Timestamp("2024-01-12")]
    # With the week cut on Thursday it is partial: nothing is emitted.
    assert not long_wick(bars.iloc[:4], "short", timeframe="1w").any()


def test_squeeze_release_detail_quotes_the_mean_known_on_that_bar(mk, quiet):
    """The detail's mean is the last `length` closes up to the release bar, never a later one."""
    from thesis.signals import Trigger, detect

    rows = quiet(25) + [(100.0, 110.5, 100.0, 110.0), (110.0, 200.5, 110.0, 200.0)]
    ev = detect(Trigger(kind="squeeze_release"), mk(rows), "long")
    assert list(ev.index if "date" not in ev else ev["date"])[0] == mk(rows).index[25]
    assert ev["detail"].iloc[0].endswith("C 110.00 > mean 100.50")     # (19 x 100 + 110) / 20
