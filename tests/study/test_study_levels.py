"""Relative zones and levels on synthetic series worked out by hand, and the relative trigger
kernels against thesis.signals with constant zones."""
import numpy as np
import pandas as pd
import pytest

from thesis.data import load_bars, resample
from thesis.signals import nb as sig
from thesis.spec import parse
from thesis.study import make_plan, nb, run_study
from thesis.study.engine import SymbolData
from thesis.study.panel import Panel
from thesis.study.periods import resample_arrays

IDEA = """
schema_version = 1
[idea]
title = "synthetic rejection"
symbol = "TEST"
published = 2024-01-01
direction = "short"
horizon = "20s"
[levels]
entry_zone = [100.0, 100.0]
stop = 105.0
targets = [90.0]
[[triggers]]
kind = "outside_bar_rejection"
zone = [100.0, 101.0]
"""


def synthetic(n_after=12, open_=True):
    """30 quiet bars (O=C=100, H=101, L=99: TR 2, ATR14 2, prior high 101), then at bar 30 a
    bearish outside bar into the zone [101 - 0.5*2, 101 + 0.5*2] = [100, 102] closing at 99.5,
    then a slide: bar 31 opens 99 (the entry), bar k > 31 trades 99 - (k-31) +- 0.5."""
    rows = [(100.0, 101.0, 99.0, 100.0)] * 30 + [(100.5, 101.5, 98.5, 99.5), (99.0, 99.4, 98.2, 98.5)]
    for k in range(1, n_after):
        mid = 99.0 - k
        rows.append((mid + 0.2, mid + 0.5, mid - 0.5, mid - 0.2))
    a = np.array(rows, dtype=float)
    dates = pd.bdate_range("2024-01-01", periods=len(a)).to_numpy().astype("datetime64[ns]")
    o = a[:, 0] if open_ else np.full(len(a), np.nan)
    return SymbolData("TEST", dates, o.copy(), a[:, 1].copy(), a[:, 2].copy(), a[:, 3].copy())


def run(data, **kw):
    idea = parse(IDEA)
    plan = make_plan(idea, base_rate=0, **kw)
    return run_study(idea, plan, Panel([data], "synthetic", "as-traded"), workers=1, n_boot=100)


def test_relative_zone_by_hand():
    d = synthetic()
    lo, hi = nb.relative_zone_nb(d.high, d.low, d.close, 20, 0.5, 14, True)
    assert np.isnan(lo[:20]).all()                     # not enough history
    assert (lo[30], hi[30]) == pytest.approx((100.0, 102.0))
    # bar 31 sees bar 30's high 101.5 and ATR (13 * 2 + 3) / 14
    atr = (13 * 2 + 3) / 14
    assert (lo[31], hi[31]) == pytest.approx((101.5 - 0.5 * atr, 101.5 + 0.5 * atr))
    llo, lhi = nb.relative_zone_nb(d.high, d.low, d.close, 20, 1.0, 14, False)
    assert (llo[30], lhi[30]) == pytest.approx((97.0, 101.0))   # prior low 99 +- 1 x ATR 2
    assert nb.atr_nb(d.high, d.low, d.close, 14)[30] == pytest.approx(atr)


def test_study_finds_the_rejection_and_sets_levels_from_the_entry():
    res = run(synthetic(), stop="5%", target="2R")
    occ = res.occurrences
    assert list(occ["date"]) == [pd.Timestamp(synthetic().dates[30])]
    row = occ.iloc[0]
    assert row["entry_price"] == 99.0                        # next session's open
    assert row["stop"] == pytest.approx(99.0 * 1.05)          # +5 % of the entry
    assert row["target"] == pytest.approx(99.0 - 2 * 99.0 * 0.05)  # 2R below
    # the slide reaches 89.1 on bar 41 (low 99 - 10 - 0.5 = 88.5; bar 40's low 89.5 is not enough)
    assert row["outcome"] == "target" and row["r"] == pytest.approx(2.0)
    assert row["exit_date"] == pd.Timestamp(synthetic().dates[41])
    assert row["sessions"] == 41 - 31 + 1


def test_atr_stop_and_time_stop():
    res = run(synthetic(), stop="2atr", target="10R", hold="10")
    row = res.occurrences.iloc[0]
    atr = (13 * 2 + 3) / 14                                   # ATR(14) at the signal bar 30
    assert row["stop"] == pytest.approx(99.0 + 2 * atr)
    # a 10-session time stop: the trade ends at the close of bar 31 + 9 = 40
    assert row["outcome"] == "time"
    assert row["exit_date"] == pd.Timestamp(synthetic().dates[40])
    assert row["exit_price"] == pytest.approx(99.0 - 9 - 0.2)
    assert row["r"] == pytest.approx((99.0 - row["exit_price"]) / (2 * atr))


def test_idea_levels_become_percent_and_r():
    # idea: entry 100, stop 105 (+5 %), target 90 (2 R): the same as stop=5% target=2R
    res = run(synthetic())
    assert res.plan.exits[0].stop.value == pytest.approx(0.05)
    assert res.plan.exits[0].targets[0].value == pytest.approx(2.0)
    assert res.occurrences.iloc[0]["r"] == pytest.approx(2.0)


def test_no_open_fills_at_the_signal_close_and_is_flagged():
    res = run(synthetic(open_=False), stop="5%", target="2R")
    row = res.occurrences.iloc[0]
    assert row["entry_price"] == 99.5                          # the signal session's close
    assert "no_open" in row["flags"] and "prev_close_entry" in row["flags"]
    assert not res.gap_fills_modelled
    assert any("gap fills could not be modelled" in n for n in res.notes)


def test_costs_reduce_r():
    gross = run(synthetic(), stop="5%", target="2R").occurrences.iloc[0]
    net = run(synthetic(), stop="5%", target="2R", slippage_bps=10, commission=0.01).occurrences.iloc[0]
    risk = 99.0 * 0.05
    cost = 10 / 1e4 * (99.0 + gross["exit_price"]) + 2 * 0.01
    assert net["r"] == pytest.approx(gross["r"] - cost / risk)
    assert net["r_gross"] == gross["r"]


def test_one_at_a_time_by_hand():
    sym = np.array([0, 0, 0, 0, 1, 1])
    sig_ = np.array([5, 7, 9, 12, 3, 4])
    exit_ = np.array([9, 8, 11, 20, 10, 6])
    keep = np.ones(6, dtype=bool)
    # symbol 0: 5 (exit 9) kept; 7 <= 9 and 9 <= 9 skipped; 12 > 9 kept. symbol 1: 3 kept; 4 skipped.
    assert list(nb.one_at_a_time_nb(sym, sig_, exit_, keep)) == [True, False, False, True, True, False]
    keep[0] = False   # an unkept row blocks nothing: 7 (exit 8) is then kept, 9 too
    assert list(nb.one_at_a_time_nb(sym, sig_, exit_, keep)) == [False, True, True, True, True, False]


def _random_bars(seed, n=400):
    rng = np.random.default_rng(seed)
    c = 100 * np.exp(np.cumsum(rng.normal(0, 0.012, n)))
    o = np.r_[c[0], c[:-1]] * np.exp(rng.normal(0, 0.004, n))
    h = np.maximum(o, c) * np.exp(np.abs(rng.normal(0, 0.006, n)))
    lo = np.minimum(o, c) * np.exp(-np.abs(rng.normal(0, 0.006, n)))
    return o, h, lo, c


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("short", [True, False])
def test_relative_kernels_equal_signals_kernels_with_a_constant_zone(seed, short):
    o, h, l, c = _random_bars(seed)
    zlo, zhi = float(np.median(c)), float(np.median(c) * 1.02)
    lo, hi = np.full(len(c), zlo), np.full(len(c), zhi)
    assert np.array_equal(nb.zone_rejection_rel_nb(h, l, c, lo, hi, short), sig.zone_rejection_nb(h, l, c, zlo, zhi,
                                                                                                   short))
    assert np.array_equal(nb.outside_bar_rejection_rel_nb(o, h, l, c, lo, hi, short),
                          sig.outside_bar_rejection_nb(o, h, l, c, zlo, zhi, short))
    assert np.array_equal(nb.failed_breakout_rel_nb(c, lo, hi, 5, short), sig.failed_breakout_nb(c, zlo, zhi, 5,
                                                                                                 short))
    assert np.array_equal(nb.long_wick_rel_nb(o, h, l, c, lo, hi, 0.5, 2.0, short),
                          sig.long_wick_nb(o, h, l, c, zlo, zhi, 0.5, 2.0, short))
    wide_lo, wide_hi = float(c.min()) * 0.9, float(c.max()) * 1.1
    got = nb.lower_high_breakdown_rel_nb(h, l, c, np.full(len(c), wide_lo), np.full(len(c), wide_hi), 2, 0.01, 20,
                                         short)
    want = sig.lower_high_breakdown_nb(h, l, c, wide_lo, wide_hi, 2, 0.01, 20, short)[0]
    assert np.array_equal(got, want)
    assert want.any() or not got.any()


@pytest.mark.parametrize("symbol", ["IWM", "VIX"])
@pytest.mark.parametrize("timeframe", ["1w", "1mo"])
def test_period_bars_equal_thesis_resample(symbol, timeframe):
    b = load_bars(symbol)
    want = resample(b, timeframe)
    o, h, lo, c, rows, complete = resample_arrays(b.index.to_numpy().astype("datetime64[ns]"),
                                                  *(b[k].to_numpy() for k in ("open", "high", "low", "close")),
                                                  timeframe)
    assert (b.index[rows] == want.index).all()
    for got, col in zip((o, h, lo, c), ("open", "high", "low", "close")):
        assert np.array_equal(got, want[col].to_numpy(), equal_nan=True)
    assert np.array_equal(complete, ~want["partial"].to_numpy(dtype=bool))
