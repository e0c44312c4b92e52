"""The study's fast paths give the same numbers as the straightforward ones they replace:
many symbols' trades in one fill-kernel call (and on threads, in small chunks) as one call per
symbol, zone references shared by every width, bootstrap resamples split across threads, a grid
cell selected in one pass, and the resampling layout reused across symbols. Equality is exact."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thesis.replay import nb as rnb
from thesis.spec import load
from thesis.study import engine, make_plan, nb, run_study, stats
from thesis.study.analyze import _take, grid_table
from thesis.study.panel import load_symbols
from thesis.study.periods import _LAYOUTS, resample_arrays
from thesis.study.table import occurrence_mask

SEED = Path(__file__).resolve().parents[2] / "examples" / "iwm-no-love-for-small-caps.toml"


@pytest.fixture(scope="module")
def panel():
    return load_symbols(["IWM", "SPY", "QQQ"], "as-traded")


def _random_trades(rng, n, m, k):
    """m trades on n bars: both directions, next-open and limit entries, 1..k legs, holds, breakeven."""
    start = rng.integers(1, n - 5, m)
    sign = rng.choice([-1, 1], m)
    return dict(direction=sign, entry_kind=rng.choice([rnb.ENTRY_LIMIT, rnb.ENTRY_NEXT_OPEN], m),
                start=start, hold=rng.choice([0, 5, 40], m), breakeven=rng.random(m) < 0.5,
                horizon=np.where(rng.random(m) < 0.3, start + rng.integers(1, 60, m), n), k=k,
                stop_pct=rng.uniform(0.01, 0.1, m), tgt_pct=rng.uniform(0.01, 0.2, (m, k)),
                sizes=np.where(np.arange(k) < rng.integers(1, k + 1, m)[:, None], 1.0 / k, 0.0))


def _inputs(tr, close):
    ref = close[tr["start"] - 1]
    sign = tr["direction"]
    targets = ref[:, None] * (1 + sign[:, None] * tr["tgt_pct"])
    targets[tr["sizes"] == 0] = np.nan
    return (sign.astype(np.int64), tr["entry_kind"].astype(np.int64), ref * (1 - sign * 0.005),
            tr["start"].astype(np.int64), ref * (1 - sign * tr["stop_pct"]), targets, tr["sizes"],
            tr["horizon"].astype(np.int64), tr["hold"].astype(np.int64), tr["breakeven"])


def test_many_symbols_in_one_call_equal_one_call_per_symbol(panel):
    rng = np.random.default_rng(7)
    datas = panel.data
    per, flat = [], []
    for d in datas:
        tr = _random_trades(rng, len(d.close), 300, 3)
        args = _inputs(tr, d.close)
        per.append(rnb.simulate_trades_nb(d.open, d.high, d.low, d.close, *args))
        flat.append(args)
    cat = [np.concatenate([a[i] for a in flat]) for i in range(len(flat[0]))]
    bar_off = np.concatenate([[0], np.cumsum([len(d.close) for d in datas])]).astype(np.int64)
    row_off = np.arange(len(datas) + 1, dtype=np.int64) * 300
    o, h, l, c = (np.concatenate([getattr(d, f) for d in datas]) for f in ("open", "high", "low", "close"))
    out = rnb.new_outputs(len(cat[0]), 3)
    rnb.simulate_symbols_nb(0, 1, bar_off, row_off, o, h, l, c, *cat, *out)        # symbol ranges: [0, 1)
    rnb.simulate_symbols_nb(1, len(datas), bar_off, row_off, o, h, l, c, *cat, *out)  # and [1, 3)
    got = rnb.output_fields(*out)
    for f, i in zip(rnb.OUTPUT_FIELDS, range(len(rnb.OUTPUT_FIELDS))):
        want = np.concatenate([p[i] for p in per])
        assert np.array_equal(got[f], want, equal_nan=True), f
    assert (got["reason"] >= 0).sum() > 500 and len(set(got["reason"].tolist())) >= 4   # the sample covers exits


def test_block_on_threads_in_small_chunks_equals_one_chunk(panel, monkeypatch):
    plan = make_plan(load(SEED), grid=["stop=3%,8%", "target=1R,3R"], base_rate=1, slippage_bps=5.0, commission=0.01)
    events = [engine.symbol_events(plan, d) for d in panel.data]
    one = engine.block_result(plan, panel.data, events, 1)
    monkeypatch.setattr(engine, "CHUNK_ROWS", 50)
    many = engine.block_result(plan, panel.data, events, 2)
    assert len(one["t"]) > 100
    for f in engine.TRADE_FIELDS:
        assert np.array_equal(one["trades"][f], many["trades"][f], equal_nan=True), f
    assert np.array_equal(one["exit_dates"], many["exit_dates"])
    # and one symbol alone (simulate_events) gives that symbol's rows
    d, ev = panel.data[1], events[1]
    alone = engine.simulate_events(plan, d, ev["t"])
    lo = len(events[0]["t"])
    for f in engine.TRADE_FIELDS:
        assert np.array_equal(alone[f], one["trades"][f][lo:lo + len(ev["t"])], equal_nan=True), f


@pytest.mark.parametrize("short", [True, False])
def test_zone_reference_gives_relative_zone_for_every_width(panel, short):
    d = panel.data[0]
    ref, atr = nb.zone_ref_nb(d.high, d.low, d.close, 20, 14, short)
    for width in (0.25, 0.5, 1.5):
        lo, hi = nb.relative_zone_nb(d.high, d.low, d.close, 20, width, 14, short)
        assert np.array_equal(ref - width * atr, lo, equal_nan=True)
        assert np.array_equal(ref + width * atr, hi, equal_nan=True)
    assert np.isfinite(ref).sum() > len(ref) - 40


def test_bootstrap_split_across_threads_gives_the_same_means():
    x = np.random.default_rng(3).normal(size=2500)
    whole = nb.bootstrap_means_nb(x, 2000, 11)
    parts = np.empty(2000)
    nb.bootstrap_range_nb(x, 11, 0, 613, parts)
    nb.bootstrap_range_nb(x, 11, 613, 2000, parts)
    assert np.array_equal(parts, whole)
    assert np.array_equal(stats.bootstrap_means(x, 2000, 11), whole)     # 5 M draws: the threaded path
    odd = nb.bootstrap_means_nb(x, 2001, 11)                                # halves of an odd count
    assert np.array_equal(stats.bootstrap_means(x, 2001, 11), odd)
    assert not np.array_equal(nb.bootstrap_means_nb(x, 2000, 12), whole)


@pytest.mark.parametrize("one_at_a_time", [False, True])
def test_grid_cells_equal_the_per_cell_selection(panel, one_at_a_time):
    idea = load(SEED)
    plan = make_plan(idea, grid=["stop=3%,8%", "zone_width=0.5,1.0"], base_rate=1)
    res = run_study(idea, plan, panel, one_at_a_time=one_at_a_time, n_boot=50)
    table = res.table
    rng = np.random.default_rng(1)
    gate = rng.random(len(table.t)) < 0.8
    dates = table.date < np.datetime64("2015-01-01", "ns")
    for g, dm in ((None, None), (gate, dates)):
        rows = grid_table(table, plan, g, one_at_a_time, dm)
        for c, (z, x) in enumerate(plan.cells):
            occ = occurrence_mask(table, z, x, g, one_at_a_time)
            if dm is not None:
                occ = occ & dm
            v = _take(table, occ, x, ("r", "reason"))
            light = stats.light_summary(v["r"], v["reason"])
            assert light["signals"] > 10
            for key, want in light.items():
                assert rows[c][key] == want, (c, key)


def test_resample_layout_is_reused_only_for_equal_dates(panel):
    d = panel.data[0]
    _LAYOUTS.clear()
    first = resample_arrays(d.dates, d.open, d.high, d.low, d.close, "1mo")
    again = resample_arrays(d.dates, d.open, d.high, d.low, d.close, "1mo")
    for a, b in zip(first, again):
        assert np.array_equal(a, b, equal_nan=True)
    # same length, first and last date, one date moved to another month: a new layout
    dates = d.dates.copy()
    dates[len(dates) // 2] = dates[len(dates) // 2 + 25]
    dates = np.sort(dates)
    other = resample_arrays(dates, d.open, d.high, d.low, d.close, "1mo")
    _LAYOUTS.clear()
    fresh = resample_arrays(dates, d.open, d.high, d.low, d.close, "1mo")
    for a, b in zip(other, fresh):
        assert np.array_equal(a, b, equal_nan=True)
