"""Trigger validation, detect/detect_all tables, and the array-level scan."""
import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from thesis.errors import BadInput
from thesis.signals import EVENT_COLUMNS, KINDS, PARAMS, Trigger, detect, detect_all, outside_bar, scan


def test_trigger_defaults_and_zone():
    t = Trigger(kind="outside_bar_rejection", zone=[188, 190])
    assert (t.timeframe, t.side, t.bounds()) == ("1d", None, (188.0, 190.0))
    assert Trigger(kind="failed_breakout", level=188).bounds() == (188.0, 188.0)
    assert t.resolved_side("short") == "short"
    assert Trigger(kind="outside_bar", side="long").resolved_side("short") == "long"


@pytest.mark.parametrize("fields, message", [
    (dict(kind="zone_rejection", zone=[190, 188]), "zone lo 190 is above hi 188"),
    (dict(kind="zone_rejection"), "needs zone = \\[lo, hi\\] or level"),
    (dict(kind="zone_rejection", zone=[188, 190], level=188), "either zone"),
    (dict(kind="outside_bar", within=3), "kind 'outside_bar' does not take within"),
    (dict(kind="squeeze_release", zone=[1, 2]), "does not take zone"),
    (dict(kind="low_of_week", timeframe="1w"), "timeframe must be '1d'"),
    (dict(kind="outside_bar", colour="red"), "colour"),
    (dict(kind="wick"), "kind"),
    (dict(kind="outside_bar", side="sell"), "side"),
    (dict(kind="failed_breakout", level=188, within=0), "within"),
    (dict(kind="low_of_week", weekdays=["sat"]), "weekdays"),
    (dict(kind="zone_rejection", zone=[188, float("inf")]), "finite"),
])
def test_trigger_rejects_with_a_clear_message(fields, message):
    with pytest.raises(ValidationError, match=message):
        Trigger(**fields)


def test_every_kind_has_a_parameter_list():
    assert set(PARAMS) == set(KINDS)
    assert Trigger(kind="low_of_week", weekdays=["Tue", "wednesday"]).weekdays == ("tue", "wed")


def test_missing_direction_is_bad_input(mk, quiet):
    with pytest.raises(BadInput, match="no side"):
        detect(Trigger(kind="outside_bar"), mk(quiet(3)), None)
    with pytest.raises(BadInput, match="direction"):
        detect(Trigger(kind="outside_bar"), mk(quiet(3)), "up")


def seed_like(mk, quiet):
    # bar 3: bearish outside bar reaching 101.2 zone; bar 5: bullish outside bar.
    rows = quiet(3) + [(100.8, 101.6, 98.0, 98.5), (98.5, 99.5, 98.2, 99.0), (98.9, 100.0, 97.5, 99.8)]
    return mk(rows)


def test_detect_table(mk, quiet):
    bars = seed_like(mk, quiet)
    ev = detect(Trigger(kind="outside_bar_rejection", zone=[101.2, 102]), bars, "short")
    assert list(ev.columns) == EVENT_COLUMNS
    assert list(ev["date"]) == [bars.index[3]]
    assert ev["price"].iloc[0] == 98.5
    assert ev["kind"].iloc[0] == "outside_bar_rejection" and ev["timeframe"].iloc[0] == "1d"
    assert "H 101.60 > 101.00" in ev["detail"].iloc[0] and "closed below 101.20" in ev["detail"].iloc[0]
    empty = detect(Trigger(kind="outside_bar_rejection", zone=[200, 210]), bars, "short")
    assert list(empty.columns) == EVENT_COLUMNS and len(empty) == 0


def test_detect_all_sorts_and_uses_each_side(mk, quiet):
    bars = seed_like(mk, quiet)
    trigs = [Trigger(kind="outside_bar", side="long"), Trigger(kind="outside_bar", label="bear bar")]
    ev = detect_all(trigs, bars, "short")
    assert list(ev["date"]) == [bars.index[3], bars.index[5]]
    assert ev["detail"].iloc[0].startswith("bear bar: short: bearish")
    assert ev["detail"].iloc[1].startswith("long: bullish")
    assert len(detect_all([], bars, "short")) == 0


def test_scan_matches_the_pandas_api(mk):
    rng = np.random.default_rng(3)
    c = 100 + np.cumsum(rng.normal(0, 1, 400))
    o = c + rng.normal(0, 0.5, 400)
    h = np.maximum(o, c) + rng.uniform(0, 1.5, 400)
    l = np.minimum(o, c) - rng.uniform(0, 1.5, 400)
    bars = mk(list(zip(o, h, l, c)))
    got = scan("outside_bar", o, h, l, c, side="short")
    assert got.any()
    assert (got == outside_bar(bars, "short").to_numpy()).all()
    two = scan("outside_bar", np.column_stack([o, o[::-1]]), np.column_stack([h, h[::-1]]),
               np.column_stack([l, l[::-1]]), np.column_stack([c, c[::-1]]), side="short")
    assert two.shape == (400, 2)
    assert (two[:, 0] == got).all()
    assert (two[:, 1] == scan("outside_bar", o[::-1], h[::-1], l[::-1], c[::-1], side="short")).all()


def test_scan_without_open_uses_previous_close(mk):
    h = np.array([101.0, 101.5, 102.0])
    l = np.array([99.0, 98.5, 98.0])
    c = np.array([100.0, 99.0, 99.5])
    assert list(scan("outside_bar", None, h, l, c, side="short")) == [False, True, False]
    assert list(scan("outside_bar", None, h, l, c, side="long")) == [False, False, True]


def test_scan_errors_are_named():
    x = np.ones(5)
    with pytest.raises(BadInput, match="within"):
        scan("failed_breakout", None, x, x, x, side="short", level=1.0, within=0)
    with pytest.raises(BadInput, match="needs zone"):
        scan("zone_rejection", None, x, x, x, side="short")
    with pytest.raises(BadInput, match="dates"):
        scan("low_of_week", None, x, x, x, side="long")
    with pytest.raises(BadInput, match="shape"):
        scan("outside_bar", None, x, x, np.ones(4), side="short")


def test_scan_low_of_week_with_dates(mk):
    lows = [99, 97, 98, 99, 99, 95, 96, 94, 96]
    bars = mk([(v + 1, v + 2, v, v + 1) for v in lows], start="2024-01-08")
    got = scan("low_of_week", None, bars["high"], bars["low"], bars["close"], side="long", dates=bars.index)
    assert list(bars.index[got]) == [pd.Timestamp("2024-01-12"), pd.Timestamp("2024-01-19")]


def test_parameter_defaults_are_the_ones_the_readme_gives():
    """Each default in the trigger table of docs/triggers.md ("`within` (5 bars)") is the model's
    default: the docs are what users read, and a default changed on one side only moves every scan
    silently."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "docs" / "triggers.md").read_text()
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|.*\| ([^|]*) \|$", readme, re.M)
            if m.group(1) in KINDS}
    documented = {}
    for kind in ("failed_breakout", "lower_high_breakdown", "squeeze_release", "long_wick"):
        for name, value in re.findall(r"`(\w+)` \(([-\d.]+)", rows[kind]):
            documented[name] = float(value)
    assert set(documented) == {"within", "swing_bars", "tolerance", "max_wait", "length", "bb_mult",
                               "kc_mult", "min_wick", "min_wick_body"}
    for name, value in documented.items():
        assert Trigger.model_fields[name].default == value, name


@pytest.mark.parametrize("fields, ok", [
    # the documented limits: within >= 1, swing_bars 1-50, 0 <= tolerance < 0.5, length >= 2,
    # 0 < min_wick <= 1, max_wait >= 0, band multiples > 0, min_wick_body >= 0; each edge both ways
    (dict(kind="failed_breakout", level=1, within=1), True),
    (dict(kind="lower_high_breakdown", swing_bars=1), True),
    (dict(kind="lower_high_breakdown", swing_bars=50), True),
    (dict(kind="lower_high_breakdown", swing_bars=51), False),
    (dict(kind="lower_high_breakdown", swing_bars=0), False),
    (dict(kind="lower_high_breakdown", tolerance=0), True),
    (dict(kind="lower_high_breakdown", tolerance=0.499), True),
    (dict(kind="lower_high_breakdown", tolerance=0.5), False),
    (dict(kind="lower_high_breakdown", tolerance=-0.01), False),
    (dict(kind="lower_high_breakdown", max_wait=0), True),
    (dict(kind="lower_high_breakdown", max_wait=-1), False),
    (dict(kind="squeeze_release", length=2), True),
    (dict(kind="squeeze_release", length=1), False),
    (dict(kind="squeeze_release", bb_mult=0), False),
    (dict(kind="squeeze_release", kc_mult=0), False),
    (dict(kind="squeeze_release", kc_mult=0.01), True),
    (dict(kind="long_wick", min_wick=1), True),
    (dict(kind="long_wick", min_wick=1.01), False),
    (dict(kind="long_wick", min_wick=0), False),
    (dict(kind="long_wick", min_wick_body=0), True),
    (dict(kind="long_wick", min_wick_body=-1), False),
    (dict(kind="zone_rejection", zone=[188, 188]), True),      # lo == hi is a level
    (dict(kind="outside_bar"), True),                          # needs no zone
    (dict(kind="low_of_week", timeframe="1d"), True),
])
def test_parameter_limits_at_their_edges(fields, ok):
    if ok:
        t = Trigger(**fields)
        assert all(getattr(t, k) == (tuple(v) if isinstance(v, list) else v) for k, v in fields.items())
    else:
        with pytest.raises(ValidationError, match=next(k for k in fields if k != "kind")):
            Trigger(**fields)


def test_daily_frame_marks_no_bar_partial(mk, quiet):
    from thesis.signals.frames import timeframe_bars

    frame = timeframe_bars(mk(quiet(5)), "1d")
    assert frame["partial"].dtype == bool and not frame["partial"].any()
    assert frame.attrs["timeframe"] == "1d"
