"""Numba kernels of the event study (arrays in, arrays out; no Python per bar).

Conventions: 1-D float64 arrays of one symbol, oldest bar first; ``short`` is a
bool (True = resistance/bearish rule, False = its mirror).  Every kernel is
causal: ``out[t]`` reads bars ``0..t`` only.  NaN anywhere a rule needs a value
means no event.

Relative zones (``relative_zone_nb``) replace an idea's fixed ``[lo, hi]`` by a
zone measured on each symbol's own history, known before bar t opens:

    short: ref[t] = max(high[t-N .. t-1])        (the prior N-session high)
    long:  ref[t] = min(low[t-N .. t-1])         (the prior N-session low)
    atr[t-1] = mean of the true range over bars t-L .. t-1 (L = atr_length);
               TR[i] = max(high[i]-low[i], |high[i]-close[i-1]|, |low[i]-close[i-1]|)
    lo[t] = ref[t] - width * atr[t-1],  hi[t] = ref[t] + width * atr[t-1]

The ``*_rel_nb`` trigger kernels are the rules of thesis.signals.nb with the
scalar zone bounds replaced by these per-bar arrays (with constant arrays they
give exactly the thesis.signals result; tests check it).
"""
from __future__ import annotations

import numpy as np
from thesis.jit import njit

from thesis.signals import nb as sig


@njit(cache=True, nogil=True)
def true_range_nb(high, low, close):
    """TR[i] = max(H-L, |H-C[i-1]|, |L-C[i-1]|); TR[0] = H-L."""
    n = close.shape[0]
    out = np.empty(n)
    for i in range(n):
        hl = high[i] - low[i]
        if i == 0:
            out[i] = hl
        else:
            pc = close[i - 1]
            out[i] = max(hl, abs(high[i] - pc), abs(low[i] - pc))
    return out


@njit(cache=True, nogil=True)
def atr_nb(high, low, close, length):
    """Simple-average ATR: out[t] = mean(TR[t-length+1 .. t]) for t >= length (needs a
    previous close for every TR in the window); NaN before or when a TR is NaN."""
    tr = true_range_nb(high, low, close)
    n = close.shape[0]
    out = np.full(n, np.nan)
    s = 0.0
    bad = 0
    for t in range(1, n):
        v = tr[t]
        if v == v:
            s += v
        else:
            bad += 1
        if t - length >= 1:
            w = tr[t - length]
            if w == w:
                s -= w
            else:
                bad -= 1
        if t >= length and bad == 0:
            out[t] = s / length
    return out


@njit(cache=True, nogil=True)
def relative_zone_nb(high, low, close, lookback, width, atr_length, short):
    """Per-bar zone (lo, hi) from the prior ``lookback`` bars (rule in the module docstring):
    ref -/+ width * atr[t-1] with (ref, atr) from zone_ref_nb."""
    ref, atr = zone_ref_nb(high, low, close, lookback, atr_length, short)
    return ref - width * atr, ref + width * atr


@njit(cache=True, nogil=True)
def zone_ref_nb(high, low, close, lookback, atr_length, short):
    """(ref, atr) per bar for relative_zone_nb: the prior ``lookback`` bars' high (short) or low
    (long) and atr[t-1], NaN where relative_zone_nb gives no zone. Every width's zone is then
    lo = ref - width * atr, hi = ref + width * atr (the same floats as relative_zone_nb), so a grid
    over widths computes the reference once."""
    n = close.shape[0]
    ref_out = np.full(n, np.nan)
    atr_out = np.full(n, np.nan)
    atr = atr_nb(high, low, close, atr_length)
    for t in range(lookback, n):
        a = atr[t - 1]
        if not a == a:
            continue
        ref = -np.inf if short else np.inf
        ok = True
        for i in range(t - lookback, t):
            v = high[i] if short else low[i]
            if not v == v:
                ok = False
                break
            if short:
                if v > ref:
                    ref = v
            elif v < ref:
                ref = v
        if ok:
            ref_out[t] = ref
            atr_out[t] = a
    return ref_out, atr_out


@njit(cache=True, nogil=True)
def zone_rejection_rel_nb(high, low, close, lo, hi, short):
    """short: high[t] >= lo[t] and close[t] < lo[t]; long: low[t] <= hi[t] and close[t] > hi[t]."""
    n = close.shape[0]
    out = np.zeros(n, dtype=np.bool_)
    for t in range(n):
        if short:
            out[t] = high[t] >= lo[t] and close[t] < lo[t]
        else:
            out[t] = low[t] <= hi[t] and close[t] > hi[t]
    return out


@njit(cache=True, nogil=True)
def outside_bar_rejection_rel_nb(open_, high, low, close, lo, hi, short):
    """thesis.signals outside bar (with its close-vs-open rule) AND the per-bar zone rejection."""
    return sig.outside_bar_nb(open_, high, low, close, short) & zone_rejection_rel_nb(high, low, close, lo, hi, short)


@njit(cache=True, nogil=True)
def long_wick_rel_nb(open_, high, low, close, lo, hi, min_wick, min_wick_body, short):
    """thesis.signals long wick (anywhere) AND the wick reached the per-bar zone:
    short high[t] >= lo[t], long low[t] <= hi[t]."""
    wick = sig.long_wick_nb(open_, high, low, close, -np.inf, np.inf, min_wick, min_wick_body, short)
    n = close.shape[0]
    for t in range(n):
        if wick[t]:
            wick[t] = high[t] >= lo[t] if short else low[t] <= hi[t]
    return wick


@njit(cache=True, nogil=True)
def failed_breakout_rel_nb(close, lo, hi, within, short):
    """thesis.signals failed breakout with per-bar bounds: breakout bar b has close[b] > hi[b]
    and close[b-1] <= hi[b]; the event is the first later t with close[t] < lo[t], if t - b <=
    within (long: the mirror with lo/hi swapped). The rule itself is the one kernel in
    thesis.signals.nb."""
    return sig.failed_breakout_band_nb(close, lo, hi, within, short)


@njit(cache=True, nogil=True)
def lower_high_breakdown_rel_nb(high, low, close, lo, hi, k, tolerance, max_wait, short):
    """thesis.signals lower_high_breakdown with a per-bar band: a swing pivot p counts when
    lo[p]*(1-tolerance) <= pivot price <= hi[p]*(1+tolerance), the zone as known at the pivot
    bar.  The rule itself is the one kernel in thesis.signals.nb."""
    return sig.lower_high_breakdown_band_nb(high, low, close, lo * (1.0 - tolerance), hi * (1.0 + tolerance), k,
                                            tolerance, max_wait, short)[0]


@njit(cache=True, nogil=True)
def one_at_a_time_nb(symbol, signal_idx, exit_idx, keep):
    """Rows sorted by (symbol, signal_idx). Among rows with keep[r], keep a row only if its
    signal bar comes after the exit bar of the last kept row of the same symbol (one
    position per symbol at a time; a trade still open at the data's end blocks the rest).
    Returns the new keep mask."""
    m = symbol.shape[0]
    out = np.zeros(m, dtype=np.bool_)
    cur = -1
    last_exit = -1
    for r in range(m):
        if symbol[r] != cur:
            cur = symbol[r]
            last_exit = -1
        if not keep[r]:
            continue
        if signal_idx[r] > last_exit:
            out[r] = True
            last_exit = exit_idx[r]
    return out


@njit(cache=True, nogil=True)
def grid_select_nb(cand, valid, exit_idx, reason, sym, t, gate, use_gate, date_mask, use_date, one_at_a_time,
                   cell_z, cell_x):
    """Every grid cell c (zone rule cell_z[c], exit rule cell_x[c]) in one pass over the event table
    (rows outer, so each row's columns are read once for all cells). Returns (occ, sel), (C, E) bool:
    occ the occurrence mask of thesis.study.table.occurrence_mask (candidate under z, valid trade
    under x, passing the gate; with one_at_a_time the rule of one_at_a_time_nb; then restricted to
    date_mask), sel its closed trades (reason stop, target or time)."""
    n_cells = cell_z.shape[0]
    e_count = cand.shape[0]
    occ = np.zeros((n_cells, e_count), dtype=np.bool_)
    sel = np.zeros((n_cells, e_count), dtype=np.bool_)
    last_exit = np.full(n_cells, -1, dtype=np.int64)
    cur = -1
    for r in range(e_count):
        if sym[r] != cur:
            cur = sym[r]
            last_exit[:] = -1
        if use_gate and not gate[r]:
            continue
        in_dates = not use_date or date_mask[r]
        for c in range(n_cells):
            x = cell_x[c]
            if not (cand[r, cell_z[c]] and valid[r, x]):
                continue
            if one_at_a_time:
                if t[r] > last_exit[c]:
                    last_exit[c] = exit_idx[r, x]
                else:
                    continue
            if not in_dates:
                continue
            occ[c, r] = True
            rs = reason[r, x]
            sel[c, r] = rs >= 0 and rs <= 2
    return occ, sel


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True, nogil=True)
def bootstrap_means_nb(x, n_boot, seed):
    """Means of n_boot resamples of x drawn with replacement.

    Indices come from a SplitMix64 stream started at ``seed`` (index = high 32 bits of
    each draw times n, shifted right 32 bits): the same seed and sample give the same means
    on any machine and thread, and no global random state is touched."""
    out = np.empty(n_boot)
    bootstrap_range_nb(x, seed, 0, n_boot, out)
    return out


@njit(cache=True, nogil=True)
def bootstrap_range_nb(x, seed, i0, i1, out):
    """Resamples i0 .. i1-1 of bootstrap_means_nb into out[i0:i1]: the stream is counter based
    (draw d of the whole run is state seed + (d + 1) x golden), so resample i starts at state
    seed + i n golden and disjoint ranges can run on threads with the same means."""
    n = x.shape[0]
    nn = np.uint64(n)
    state = np.uint64(seed) + np.uint64(i0) * nn * _GOLDEN
    for i in range(i0, i1):
        s = 0.0
        for _ in range(n):
            state = state + _GOLDEN
            z = state
            z = (z ^ (z >> np.uint64(30))) * _MIX1
            z = (z ^ (z >> np.uint64(27))) * _MIX2
            z = z ^ (z >> np.uint64(31))
            s += x[np.int64(((z >> np.uint64(32)) * nn) >> np.uint64(32))]
        out[i] = s / n
    return out


@njit(cache=True, nogil=True)
def first_finite_nb(values, starts, ends):
    """Per group [starts[g], ends[g]]: the first finite value (NaN when none), as pandas'
    groupby().first() does."""
    g = starts.shape[0]
    out = np.full(g, np.nan)
    for i in range(g):
        for j in range(starts[i], ends[i] + 1):
            if values[j] == values[j]:
                out[i] = values[j]
                break
    return out


# Level units of thesis.study.spec.Level, as codes for exit_levels_nb.
UNIT_PCT, UNIT_ATR, UNIT_R, UNIT_PRICE = 0, 1, 2, 3


@njit(cache=True, nogil=True, inline="always")
def _level_nb(unit, value, ref, atr, risk, sgn):
    """One level: pct ref * (1 + s v), atr ref + s v atr, r ref + s v risk, price v."""
    if unit == UNIT_PCT:
        return ref * (1.0 + sgn * value)
    if unit == UNIT_ATR:
        return ref + sgn * value * atr
    if unit == UNIT_R:
        return ref + sgn * value * risk
    return value


@njit(cache=True, nogil=True)
def exit_levels_nb(ref, atr, sign, stop_unit, stop_value, target_unit, target_value, target_size, n_targets,
                   event_major=False):
    """Stops, targets, sizes and validity of X exit rules for m events in one pass (row x * m + e,
    the order in which the rules' arrays are concatenated; with ``event_major`` row e * X + x, so
    that the rows reshape to (m, X)). ``ref`` is each event's entry reference
    (next open, else the signal close), ``atr`` the ATR at the signal bar. A trade is valid when the
    stop is finite, on the losing side and at a positive distance, and every target is on the
    winning side of the reference."""
    m = ref.shape[0]
    x_count = stop_unit.shape[0]
    k = target_unit.shape[1]
    stop = np.empty(x_count * m)
    targets = np.full((x_count * m, k), np.nan)
    sizes = np.zeros((x_count * m, k))
    valid = np.zeros(x_count * m, dtype=np.bool_)
    for x in range(x_count):
        for e in range(m):
            row = e * x_count + x if event_major else x * m + e
            rf = ref[e]
            s = _level_nb(stop_unit[x], stop_value[x], rf, atr[e], 0.0, -sign)
            stop[row] = s
            risk = abs(rf - s)
            ok = np.isfinite(s) and risk > 0 and (rf - s) * sign > 0
            for j in range(n_targets[x]):
                tv = _level_nb(target_unit[x, j], target_value[x, j], rf, atr[e], risk, sign)
                targets[row, j] = tv
                sizes[row, j] = target_size[x, j]
                if not ((tv - rf) * sign > 0):
                    ok = False
            valid[row] = ok
    return stop, targets, sizes, valid


# Rows of trade_fields_nb's stacked outputs (each an (E, X) array).
TF_INT = ("entry_idx", "exit_idx", "reason", "flags", "sessions", "days", "entry_date", "exit_date")
TF_FLOAT = ("entry_price", "exit_price", "r", "r_gross", "mfe_r", "mae_r", "ret_pct", "stop", "target")


@njit(cache=True, nogil=True, error_model="numpy")
def trade_fields_nb(out_i, out_f, stop, targets, valid, x_count, sign, slip, comm2, first, last, dates, day,
                    e0, ints, floats, ok):
    """The study's trade fields from the fill kernel's outputs (thesis.replay.nb new_outputs, rows
    e * X + x) in one pass, written to events e0 + e of ``ints`` (TF_INT, int64), ``floats``
    (TF_FLOAT) and ``ok`` (valid), with the same operations as the numpy expressions they replace:
    cost = slip * (entry + exit) + comm2 (slip = bps / 1e4, comm2 = 2 x commission),
    pnl = kernel pnl - cost, risk = |entry - stop|, r = pnl / risk, mfe_r = sign * (mfe - entry) / risk,
    ret_pct = 100 * pnl / entry; sessions and days (whole days between the entry and exit dates) are
    0 for an unfilled trade; valid = levels valid and filled; entry/exit dates (int64 ns) at the
    index clipped into the symbol. ``first``/``last``: each event's symbol's first bar in ``dates``
    (int64 ns) and last bar index; ``day`` = one day in ns."""
    m = first.shape[0]
    for e in range(m):
        f0 = first[e]
        hi = last[e]
        g = e0 + e
        for x in range(x_count):
            row = e * x_count + x
            ei = out_i[row, 0]
            xi = out_i[row, 1]
            rs = out_i[row, 2]
            en = out_f[row, 0]
            ex = out_f[row, 1]
            st = stop[row]
            risk = abs(en - st)
            cost = slip * (en + ex) + comm2
            pnl = out_f[row, 4] - cost
            filled = rs >= 0
            ints[0, g, x] = ei
            ints[1, g, x] = xi
            ints[2, g, x] = rs
            ints[3, g, x] = out_i[row, 5]
            ints[4, g, x] = xi - ei + 1 if filled else 0
            ints[5, g, x] = (dates[f0 + max(xi, 0)] - dates[f0 + max(ei, 0)]) // day if filled else 0
            ints[6, g, x] = dates[f0 + min(max(ei, 0), hi)]
            ints[7, g, x] = dates[f0 + min(max(xi, 0), hi)]
            floats[0, g, x] = en
            floats[1, g, x] = ex
            floats[2, g, x] = pnl / risk
            floats[3, g, x] = out_f[row, 5]
            floats[4, g, x] = sign * (out_f[row, 2] - en) / risk
            floats[5, g, x] = sign * (out_f[row, 3] - en) / risk
            floats[6, g, x] = 100.0 * pnl / en
            floats[7, g, x] = st
            floats[8, g, x] = targets[row, 0]
            ok[g, x] = valid[row] and filled


@njit(cache=True, nogil=True)
def read_bars_floor_nb(open_, high, low, close, start_idx, end_idx):
    """The benchmark's floor: read, for every trade, the same bars the simulation reads
    (entry session to exit session, all four fields) and nothing else."""
    acc = 0.0
    for r in range(start_idx.shape[0]):
        for i in range(start_idx[r], end_idx[r] + 1):
            acc += open_[i] + high[i] + low[i] + close[i]
    return acc
