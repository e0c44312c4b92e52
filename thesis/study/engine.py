"""The work of a study before the statistics: per symbol, find the occurrences and draw
the base-rate dates (``symbol_events``); then simulate every (event, exit rule) pair of many
symbols at once (``simulate_block``) with the replay fill kernel
(thesis.replay.nb.simulate_symbols_nb, which runs the same ``_simulate_one`` per trade as
simulate_trades_nb), so the study and ``thesis replay`` share every fill rule.

Entry: the open of the session after the signal (ENTRY_NEXT_OPEN); on a source
without opens the kernel fills at the signal session's close (flag no_open).
Levels are set from that entry fill price (the reference): a trader enters at
the open, then places the stop and target at the planned distances.  ATR levels
use ATR(14) at the signal session (known at its close).

Events are sessions t with warmup <= t, inside [start, end] (when given).  A signal
on the last bar has no next session: it is reported as pending, not simulated.
Base-rate dates: a seeded random permutation of every eligible session of the
symbol (seed = (study seed, crc32(symbol)), so any worker draws the same dates);
the pool holds base_rate x (largest occurrence count of any zone rule) of them,
and each cell takes a prefix of it matched to its own occurrence count.
"""
from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from thesis.replay import nb as rnb
from thesis.signals import nb as sig
from thesis.signals.scan import scan
from thesis.study import nb
from thesis.study.periods import resample_arrays
from thesis.study.plan import StudyPlan, TriggerPlan
from thesis.study.spec import ATR_LENGTH, ExitRule, ZoneRule

TRADE_FIELDS = ("entry_idx", "entry_price", "exit_idx", "exit_price", "reason", "r", "r_gross", "mfe_r", "mae_r",
                "sessions", "days", "ret_pct", "flags", "stop", "target", "valid")
_CAL = {"d": "days", "w": "weeks", "mo": "months", "y": "years"}


@dataclass
class SymbolData:
    """One symbol's bars as arrays (rows with a missing high/low/close removed)."""

    symbol: str
    dates: np.ndarray          # datetime64[ns]
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray

    @property
    def has_open(self) -> bool:
        return bool(np.isfinite(self.open).any())


def _frame(data: SymbolData) -> pd.DataFrame:
    frame = pd.DataFrame({"open": data.open, "high": data.high, "low": data.low, "close": data.close,
                          "volume": 0.0}, index=pd.DatetimeIndex(data.dates, name="date"))
    frame.attrs = {"symbol": data.symbol, "timeframe": "1d", "has_open": data.has_open}
    return frame


def _timeframe(data: SymbolData, timeframe: str, cache: dict):
    """(o, h, l, c, daily row of each bar, complete mask) for 1d / 1w / 1mo (thesis.study.periods,
    the thesis.data.resample rules: a period is dated at its last session; partial periods never
    fire)."""
    if timeframe not in cache:
        if timeframe == "1d":
            n = len(data.dates)
            cache[timeframe] = (data.open, data.high, data.low, data.close, np.arange(n), np.ones(n, bool))
        else:
            from thesis.data.calendar import calendar_of

            cache[timeframe] = resample_arrays(data.dates, data.open, data.high, data.low, data.close, timeframe,
                                               calendar_of(data.symbol))
    return cache[timeframe]


def _rule_mask(tp: TriggerPlan, zone: ZoneRule | None, o, h, l, c, short: bool, zones: dict | None = None
               ) -> np.ndarray:
    """Trigger events on one timeframe's arrays. ``zones`` caches each relative zone (shared by
    every trigger kind measured against it)."""
    p = tp.params
    if tp.zone_mode != "relative":
        extra = {"zone": tp.bounds} if tp.zone_mode == "fixed" else {}
        return scan(tp.kind, o, h, l, c, side=tp.side, **p, **extra)
    assert zone is not None                 # a relative trigger is measured against the plan's zone rule
    if zones is None:
        zones = {}
    key = (id(h), zone.lookback, zone.width, zone.atr_length, short)
    if key not in zones:
        ref_key = (id(h), zone.lookback, zone.atr_length, short)     # shared by every width
        if ref_key not in zones:
            zones[ref_key] = nb.zone_ref_nb(h, l, c, zone.lookback, zone.atr_length, short)
        ref, atr = zones[ref_key]
        step = zone.width * atr                       # = nb.relative_zone_nb, float for float
        zones[key] = (ref - step, ref + step)
    lo, hi = zones[key]
    k = tp.kind
    if k == "zone_rejection":
        return nb.zone_rejection_rel_nb(h, l, c, lo, hi, short)
    if k == "outside_bar_rejection":         # = nb.outside_bar_rejection_rel_nb, the outside bars found once
        bar_key = ("outside_bar", id(h), short)
        if bar_key not in zones:
            zones[bar_key] = sig.outside_bar_nb(o, h, l, c, short)
        return zones[bar_key] & nb.zone_rejection_rel_nb(h, l, c, lo, hi, short)
    if k == "failed_breakout":
        return nb.failed_breakout_rel_nb(c, lo, hi, p.get("within", 5), short)
    if k == "lower_high_breakdown":
        return nb.lower_high_breakdown_rel_nb(h, l, c, lo, hi, p.get("swing_bars", 2), p.get("tolerance", 0.01),
                                              p.get("max_wait", 20), short)
    if k == "long_wick":
        return nb.long_wick_rel_nb(o, h, l, c, lo, hi, p.get("min_wick", 0.5), p.get("min_wick_body", 2.0), short)
    raise AssertionError(k)  # pragma: no cover - plan only makes zone kinds relative


def trigger_mask(tp: TriggerPlan, zone: ZoneRule | None, data: SymbolData, cache: dict) -> np.ndarray:
    """Bool per daily bar: the trigger fired on that session (for 1w/1mo: the period's last
    session, complete periods only)."""
    short = tp.side == "short"
    n = len(data.dates)
    if tp.kind == "low_of_week":
        from thesis.signals.triggers import low_of_week

        return low_of_week(_frame(data), tp.side, tp.params.get("mode", "week_close"),
                           tp.params.get("weekdays")).to_numpy(dtype=bool)
    o, h, l, c, rows, complete = _timeframe(data, tp.timeframe, cache)
    fired = np.asarray(_rule_mask(tp, zone, o, h, l, c, short, cache.setdefault("zones", {})), dtype=bool)
    if tp.timeframe == "1d":            # every bar complete, bar i = session i
        return fired
    fired = fired & complete
    out = np.zeros(n, dtype=bool)
    out[rows[fired]] = True
    return out


def occurrences(plan: StudyPlan, data: SymbolData) -> tuple[np.ndarray, np.ndarray]:
    """(cand, bits): (n, Z) bool, True where any chosen trigger fired under zone rule z, and the
    int64 bitmask of which triggers fired (bit i = plan.triggers[i]). Window/warmup not applied."""
    n = len(data.dates)
    z_count = len(plan.zones)
    bits = np.zeros((n, z_count), dtype=np.int64)
    cache: dict = {}
    for i, tp in enumerate(plan.triggers):
        if tp.zone_mode == "relative":
            for z, zone in enumerate(plan.zones):
                bits[:, z] |= trigger_mask(tp, zone, data, cache).astype(np.int64) << i
        else:
            bits |= (trigger_mask(tp, None, data, cache).astype(np.int64) << i)[:, None]
    return bits != 0, bits


def _eligible(plan: StudyPlan, data: SymbolData) -> np.ndarray:
    n = len(data.dates)
    ok = np.arange(n) >= plan.warmup
    if plan.start is not None:
        ok &= data.dates >= plan.start
    if plan.end is not None:
        ok &= data.dates <= plan.end
    return ok


_UNITS = {"pct": nb.UNIT_PCT, "atr": nb.UNIT_ATR, "r": nb.UNIT_R, "price": nb.UNIT_PRICE}


def _exit_codes(exits: Sequence[ExitRule], k: int) -> tuple:
    """The exit rules' levels as arrays for nb.exit_levels_nb (computed once per plan)."""
    x_count = len(exits)
    t_unit = np.full((x_count, k), nb.UNIT_PRICE, dtype=np.int64)
    t_value = np.full((x_count, k), np.nan)
    t_size = np.zeros((x_count, k))
    for x, ex in enumerate(exits):
        for j, (lv, size) in enumerate(zip(ex.targets, ex.sizes)):
            t_unit[x, j], t_value[x, j], t_size[x, j] = _UNITS[lv.unit], lv.value, size
    return (np.array([_UNITS[ex.stop.unit] for ex in exits], dtype=np.int64),
            np.array([ex.stop.value for ex in exits], dtype=np.float64), t_unit, t_value, t_size,
            np.array([len(ex.targets) for ex in exits], dtype=np.int64))


def _hold_arrays(hold, data: SymbolData, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(horizon, hold) of one time-stop rule for events at signal bars t (as exit_arrays)."""
    m, n = len(t), len(data.dates)
    horizon = np.full(m, n, dtype=np.int64)
    bars = np.zeros(m, dtype=np.int64)
    if hold.sessions:
        bars[:] = hold.sessions
    elif hold.offset:
        num = int("".join(ch for ch in hold.offset if ch.isdigit()))
        unit = hold.offset[len(str(num)):]
        ends = pd.DatetimeIndex(data.dates[t + 1]) + pd.DateOffset(**{_CAL[unit]: num})
        ends = ends.to_numpy().astype("datetime64[ns]")
        horizon = np.searchsorted(data.dates, ends, side="right").astype(np.int64) - 1
        horizon[ends > data.dates[-1]] = n
    return horizon, bars


def _exit_plan(plan: StudyPlan) -> tuple:
    """(k, level codes, distinct time-stop rules, each exit rule's index into them, breakeven per exit
    rule), computed once per plan."""
    cached = plan.__dict__.get("_exit_plan")
    if cached is None or cached[0] != plan.exits:
        k = max(len(ex.targets) for ex in plan.exits)
        holds = list(dict.fromkeys(ex.hold for ex in plan.exits))
        cached = (plan.exits, (k, _exit_codes(plan.exits, k), holds,
                               np.array([holds.index(ex.hold) for ex in plan.exits], dtype=np.int64),
                               np.array([ex.breakeven for ex in plan.exits], dtype=np.bool_)))
        plan.__dict__["_exit_plan"] = cached
    return cached[1]


def event_inputs(plan: StudyPlan, data: SymbolData, t: np.ndarray) -> dict:
    """What the simulation needs of one symbol's events at signal bars t: the entry reference
    (next open, else the signal close), the ATR at the signal bar and each time-stop rule's
    (horizon, hold) arrays."""
    atr = nb.atr_nb(data.high, data.low, data.close, ATR_LENGTH)
    nxt = data.open[t + 1]
    holds = _exit_plan(plan)[2]
    return {"ref": np.where(np.isfinite(nxt), nxt, data.close[t]), "atr": atr[t],
            "holds": [_hold_arrays(h, data, t) for h in holds]}


CHUNK_ROWS = 100_000     # trades simulated per symbol range (a few MB of kernel inputs and outputs)


def _split_ranges(row_off: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """Contiguous symbol ranges with about the same number of trade rows each."""
    n_sym = len(row_off) - 1
    if parts <= 1 or n_sym <= 1:
        return [(0, n_sym)]
    cuts = np.searchsorted(row_off, np.linspace(0, row_off[-1], parts + 1)[1:-1])
    edges = np.unique(np.concatenate([[0], np.clip(cuts, 0, n_sym), [n_sym]]))
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def simulate_block(plan: StudyPlan, datas: list[SymbolData], ts: list[np.ndarray], inputs: list[dict],
                   workers: int = 1) -> tuple[dict, np.ndarray, np.ndarray]:
    """Every exit rule for every event of several symbols, with ONE fill kernel (thesis.replay.nb
    simulate_symbols_nb: the replay fill rules, trade by trade) over the symbols' concatenated bars.
    Symbols go in ranges of about CHUNK_ROWS trades (levels, fills and trade fields per range, so the
    kernel's scratch arrays stay small and are reused), on ``workers`` threads (the kernels release
    the GIL). Returns (trades: TRADE_FIELDS as (E, X) arrays, entry dates, exit dates), rows in
    symbol order."""
    x_count = len(plan.exits)
    k, codes, holds, hold_of, breakeven = _exit_plan(plan)
    sizes = np.array([len(t) for t in ts], dtype=np.int64)
    m = int(sizes.sum())
    if m == 0:
        empty = {f: np.zeros((0, x_count)) for f in TRADE_FIELDS}
        return empty, np.zeros((0, x_count), "datetime64[ns]"), np.zeros((0, x_count), "datetime64[ns]")
    lengths = np.array([len(d.dates) for d in datas], dtype=np.int64)
    bar_off = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    o, h, l, c = (np.concatenate([getattr(d, f) for d in datas]) for f in ("open", "high", "low", "close"))
    dates = np.concatenate([d.dates for d in datas]).view(np.int64)
    ev_off = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    t = np.concatenate(ts).astype(np.int64, copy=False)
    ref = np.concatenate([i["ref"] for i in inputs])
    atr = np.concatenate([i["atr"] for i in inputs])
    hz = [np.concatenate([i["holds"][j][0] for i in inputs]) for j in range(len(holds))]
    hb = [np.concatenate([i["holds"][j][1] for i in inputs]) for j in range(len(holds))]
    first = np.repeat(bar_off[:-1], sizes)          # each event's symbol's first bar
    last = np.repeat(lengths - 1, sizes)
    ints = np.empty((len(nb.TF_INT), m, x_count), dtype=np.int64)
    floats = np.empty((len(nb.TF_FLOAT), m, x_count))
    ok = np.empty((m, x_count), dtype=np.bool_)
    slip, comm2, day = plan.slippage_bps / 1e4, 2.0 * plan.commission, np.int64(86_400 * 10**9)

    def run(s0: int, s1: int) -> None:
        e0, e1 = int(ev_off[s0]), int(ev_off[s1])
        n_ev = e1 - e0
        if not n_ev:
            return
        rows = n_ev * x_count                          # row e * X + x: event e, exit rule x
        stop, targets, tsizes, valid = nb.exit_levels_nb(ref[e0:e1], atr[e0:e1], plan.sign, *codes, True)
        horizon = np.empty((n_ev, x_count), dtype=np.int64)
        hold = np.empty((n_ev, x_count), dtype=np.int64)
        for j in range(len(holds)):
            for x in np.flatnonzero(hold_of == j):
                horizon[:, x] = hz[j][e0:e1]
                hold[:, x] = hb[j][e0:e1]
        out = rnb.new_outputs(rows, k)
        rnb.simulate_symbols_nb(0, s1 - s0, bar_off[s0:s1 + 1], (ev_off[s0:s1 + 1] - e0) * x_count, o, h, l, c,
                                np.full(rows, plan.sign, dtype=np.int64),
                                np.full(rows, rnb.ENTRY_NEXT_OPEN, dtype=np.int64), np.full(rows, np.nan),
                                np.repeat(t[e0:e1] + 1, x_count), stop, targets, tsizes, horizon.reshape(-1),
                                hold.reshape(-1), np.tile(breakeven, n_ev), *out)
        nb.trade_fields_nb(out[0], out[1], stop, targets, valid, x_count, plan.sign, slip, comm2, first[e0:e1],
                           last[e0:e1], dates, day, e0, ints, floats, ok)

    ranges = _split_ranges(ev_off, max(1, -(-m * x_count // CHUNK_ROWS)))
    if workers > 1 and len(ranges) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(lambda r: run(*r), ranges))
    else:
        for r in ranges:
            run(*r)
    trades: dict[str, np.ndarray] = dict(zip(nb.TF_INT, ints))
    trades.update(zip(nb.TF_FLOAT, floats))
    trades["valid"] = ok
    trades = {f: trades[f] for f in TRADE_FIELDS}
    return trades, ints[6].view("datetime64[ns]"), ints[7].view("datetime64[ns]")


def simulate_events(plan: StudyPlan, data: SymbolData, t: np.ndarray) -> dict[str, np.ndarray]:
    """Every exit rule for every event bar of one symbol in one kernel call. Returns (E, X) arrays
    (TRADE_FIELDS)."""
    t = np.asarray(t, dtype=np.int64)
    return simulate_block(plan, [data], [t], [event_inputs(plan, data, t)])[0]


def symbol_events(plan: StudyPlan, data: SymbolData) -> dict:
    """Occurrences, base-rate pool and simulation inputs of one symbol (plain arrays)."""
    n = len(data.dates)
    cand, bits = occurrences(plan, data)
    ok = _eligible(plan, data)
    cand &= ok[:, None]
    pending = np.flatnonzero(cand[n - 1]) if n else np.zeros(0, np.int64)
    if n:
        cand[n - 1] = False
    tradable = ok.copy()
    if n:
        tradable[n - 1] = False
    pool_rank = np.full(n, -1, dtype=np.int64)
    if plan.base_rate > 0 and n:
        want = plan.base_rate * int(cand.sum(axis=0).max(initial=0))
        eligible = np.flatnonzero(tradable)
        rng = np.random.default_rng([plan.seed, zlib.crc32(data.symbol.encode())])
        perm = rng.permutation(eligible)[:want]
        pool_rank[perm] = np.arange(len(perm))
    rows = np.flatnonzero(cand.any(axis=1) | (pool_rank >= 0))
    return {"symbol": data.symbol, "n_bars": n, "has_open": data.has_open, "t": rows, "dates": data.dates[rows],
            "cand": cand[rows], "bits": bits[rows], "pool_rank": pool_rank[rows],
            "pending": [(int(z), data.dates[n - 1]) for z in pending], "inputs": event_inputs(plan, data, rows)}


def block_result(plan: StudyPlan, chunk: list[SymbolData], events: list[dict], workers: int = 1) -> dict:
    trades, entry_dates, exit_dates = simulate_block(plan, chunk, [e["t"] for e in events],
                                                     [e["inputs"] for e in events], workers)
    z_count = len(plan.zones)

    def cat(key, tail, dtype):
        parts = [e[key] for e in events]
        return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros((0, *tail), dtype)

    return {"symbols": [e["symbol"] for e in events], "sizes": np.array([len(e["t"]) for e in events], np.int64),
            "n_bars": [e["n_bars"] for e in events], "has_open": [e["has_open"] for e in events],
            "t": cat("t", (), np.int64), "dates": cat("dates", (), "datetime64[ns]"),
            "cand": cat("cand", (z_count,), bool), "bits": cat("bits", (z_count,), np.int64),
            "pool_rank": cat("pool_rank", (), np.int64),
            "pending": [(e["symbol"], z, d) for e in events for z, d in e["pending"]],
            "trades": trades, "entry_dates": entry_dates, "exit_dates": exit_dates}


def run_chunk(plan: StudyPlan, chunk: list[SymbolData]) -> dict:
    """The unit of parallel work on a cluster: a few symbols, in order, as one block of the event
    table (thesis.study.table.assemble joins the blocks)."""
    return block_result(plan, chunk, [symbol_events(plan, data) for data in chunk])


def run_symbol(plan: StudyPlan, data: SymbolData) -> dict:
    """One symbol's block of the event table."""
    return run_chunk(plan, [data])
