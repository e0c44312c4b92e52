"""Properties: no look-ahead (truncation never changes past signals) and long/short mirror symmetry."""
import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from thesis.signals import KINDS, Trigger, detect, scan
from thesis.signals.frames import timeframe_bars

TICK = 0.25
STARTS = ["2023-01-03", "2023-06-01", "2024-02-01", "2024-12-02"]


@st.composite
def walks(draw, min_bars=40, max_bars=110):
    """Random walks on a 0.25 grid (so equal highs/lows happen), opens sometimes missing."""
    n = draw(st.integers(min_bars, max_bars))
    steps = draw(st.lists(st.integers(-6, 6), min_size=n, max_size=n))
    gaps = draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
    ups = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    downs = draw(st.lists(st.integers(0, 8), min_size=n, max_size=n))
    no_open = draw(st.booleans())
    start = draw(st.sampled_from(STARTS))
    close = 100 + TICK * np.cumsum(steps)
    open_ = np.concatenate([[100.0], close[:-1]]) + TICK * np.asarray(gaps)
    high = np.maximum(open_, close) + TICK * np.asarray(ups)
    low = np.minimum(open_, close) - TICK * np.asarray(downs)
    return open_, high, low, close, no_open, start


def to_bars(mk, walk):
    o, h, l, c, no_open, start = walk
    return mk(list(zip(o, h, l, c)), start=start, has_open=not no_open)


def triggers_for(close):
    """One trigger per kind (and timeframe) with a zone in the middle of the walk."""
    mid = float(np.quantile(close, 0.6))
    zone = [mid - 1.0, mid + 0.5]
    per_kind = {
        "outside_bar": {}, "zone_rejection": {"zone": zone}, "outside_bar_rejection": {"zone": zone},
        "failed_breakout": {"zone": zone, "within": 4},
        "lower_high_breakdown": {"zone": zone, "swing_bars": 2, "tolerance": 0.01},
        "squeeze_release": {"length": 5}, "long_wick": {"min_wick": 0.4, "min_wick_body": 1.0},
        "low_of_week": {"weekdays": ["tue", "wed", "thu"]},
    }
    assert set(per_kind) == set(KINDS)
    out = []
    for kind, params in per_kind.items():
        for tf in (("1d",) if kind == "low_of_week" else ("1d", "1w", "1mo")):
            if kind == "lower_high_breakdown" and tf != "1d":
                params = {**params, "swing_bars": 1}           # few weekly/monthly bars
            out.append(Trigger(kind=kind, timeframe=tf, **params))
    out.append(Trigger(kind="low_of_week", mode="running"))
    return out


def upto(events: pd.DataFrame, day) -> pd.DataFrame:
    return events[events["date"] <= day].reset_index(drop=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(walk=walks(), cut=st.floats(0.2, 0.95), side=st.sampled_from(["short", "long"]))
def test_truncating_after_t_never_changes_signals_up_to_t(mk, walk, cut, side):
    bars = to_bars(mk, walk)
    t = int(cut * (len(bars) - 1))
    day = bars.index[t]
    short_bars = bars.iloc[: t + 1]
    # Resample each data set once per timeframe (detect does the same on its own; this only
    # saves time): the truncated weekly/monthly bars come from the truncated daily bars.
    full_tf = {tf: timeframe_bars(bars, tf) for tf in ("1d", "1w", "1mo")}
    cut_tf = {tf: timeframe_bars(short_bars, tf) for tf in ("1d", "1w", "1mo")}
    for trig in triggers_for(walk[3]):
        daily = trig.kind == "low_of_week"
        full = upto(detect(trig, bars if daily else full_tf[trig.timeframe], side), day)
        cut_events = detect(trig, short_bars if daily else cut_tf[trig.timeframe], side)
        assert (cut_events["date"] <= day).all()
        pd.testing.assert_frame_equal(full, upto(cut_events, day), check_dtype=False,
                                      obj=f"{trig.kind} {trig.timeframe}")


@settings(max_examples=150, deadline=None)
@given(walk=walks(20, 80), cut=st.floats(0.0, 1.0), kind=st.sampled_from(KINDS),
       side=st.sampled_from(["short", "long"]))
def test_scan_kernels_are_causal(walk, cut, kind, side):
    o, h, l, c, no_open, start = walk
    o = None if no_open else o
    t = int(cut * (len(c) - 1))
    params = dict(zone=(float(np.median(c)) - 0.5, float(np.median(c)) + 0.5)) if kind in (
        "zone_rejection", "outside_bar_rejection", "failed_breakout", "lower_high_breakdown") else {}
    if kind == "squeeze_release":
        params = {"length": 4}
    if kind == "low_of_week":
        from thesis.data import calendar
        params = {"dates": calendar.sessions(start, pd.Timestamp(start) + pd.Timedelta(days=200))[: len(c)]}
    full = scan(kind, o, h, l, c, side=side, **params)
    if kind == "low_of_week":
        params["dates"] = params["dates"][: t + 1]
    part = scan(kind, None if o is None else o[: t + 1], h[: t + 1], l[: t + 1], c[: t + 1], side=side, **params)
    assert (full[: t + 1] == part).all()


def test_the_generator_makes_every_kind_fire(mk):
    """Guards the properties against being vacuous: each trigger fires on some of these walks."""
    rng = np.random.default_rng(11)
    counts: dict[tuple[str, str], int] = {}
    for _ in range(20):
        n = 110
        close = 100 + TICK * np.cumsum(rng.integers(-6, 7, n))
        open_ = np.concatenate([[100.0], close[:-1]]) + TICK * rng.integers(-3, 4, n)
        high = np.maximum(open_, close) + TICK * rng.integers(0, 9, n)
        low = np.minimum(open_, close) - TICK * rng.integers(0, 9, n)
        bars = to_bars(mk, (open_, high, low, close, False, "2023-01-03"))
        frames = {tf: timeframe_bars(bars, tf) for tf in ("1w", "1mo")}
        for trig in triggers_for(close):
            key = (trig.kind, trig.timeframe)
            data = frames.get(trig.timeframe, bars)
            counts[key] = counts.get(key, 0) + len(detect(trig, data, "short")) + len(detect(trig, data, "long"))
    assert not [k for k, v in counts.items() if v == 0 and k[1] == "1d"]
    for kind in KINDS:
        if kind != "low_of_week":
            assert counts[(kind, "1w")] + counts[(kind, "1mo")] > 0, kind


MIRROR_AXIS = 300.0


@settings(max_examples=120, deadline=None)
@given(walk=walks(30, 90), kind=st.sampled_from([k for k in KINDS if k != "squeeze_release"]))
def test_long_rule_is_the_short_rule_on_mirrored_prices(walk, kind):
    o, h, l, c, no_open, start = walk
    o = None if no_open else o
    lo, hi = float(np.median(c)) - 0.5, float(np.median(c)) + 0.75
    params = {}
    if kind in ("zone_rejection", "outside_bar_rejection", "failed_breakout", "lower_high_breakdown", "long_wick"):
        params["zone"] = (lo, hi)
    if kind == "lower_high_breakdown":
        params["tolerance"] = 0.0
    if kind == "low_of_week":
        from thesis.data import calendar
        params["dates"] = calendar.sessions(start, pd.Timestamp(start) + pd.Timedelta(days=200))[: len(c)]
    short = scan(kind, o, h, l, c, side="short", **params)
    m = MIRROR_AXIS
    if "zone" in params:
        params["zone"] = (m - hi, m - lo)
    long_ = scan(kind, None if o is None else m - o, m - l, m - h, m - c, side="long", **params)
    assert (short == long_).all()
