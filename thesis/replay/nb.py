"""Numba kernel: simulate many trades over one symbol's bars in one call.

Every rule below is also written out in plain words in docs/fills.md.

Mirroring.  A short is simulated as a long on negated prices (open -> -open,
high -> -low, low -> -high, close -> -close, every level -> -level), so long
and short follow one code path and are exact mirrors.  Comments speak of a long:
"adverse" is down (the low), "favourable" is up (the high).

Entry (one per trade, from bar ``start`` up to the horizon bar):
- ENTRY_LIMIT at L: fills on the first bar whose low <= L, at min(L, open).
  Opening at or through L fills at the open ("at the open": the whole bar is
  after the fill); otherwise it fills at L during the bar ("intrabar").
- ENTRY_NEXT_OPEN: fills at the open of bar ``start`` (whole bar after the fill).
  With no open (NaN) it fills at the previous bar's close (flag NO_OPEN |
  PREV_CLOSE_ENTRY); with neither, the trade is never filled.

Each bar from the entry bar on, in this order:
1. At the open (skipped on an intrabar entry bar and when the open is NaN):
   open <= stop -> whole remainder exits at the open (worse than the stop);
   otherwise every unfilled target with open >= target fills at the open (better).
2. Inside the bar: low <= stop -> remainder exits at the stop.  The stop is
   checked before targets, so a bar reaching both is a stop (conservative).
3. Inside the bar (not on an intrabar entry bar, whose high may predate the
   fill): every unfilled target with high >= target fills at the target.
4. If this is the horizon bar, the remainder exits at its close (time stop).
   The horizon is the caller's last bar, or entry bar + hold - 1 if a holding
   period is given and ends earlier.
If the data ends before the horizon, the remainder is marked at the last close
(reason OPEN).  A NaN stop means no stop; NaN targets (or size 0) are padding.

Move to breakeven: after the first target fill the stop becomes the entry price
(if that is tighter).  A fill at the open moves it at once (the rest of the bar is
after the fill); an intrabar fill moves it from the next bar on.

Excursions (MFE/MAE): extreme favourable/adverse prices from entry to exit bar
inclusive, starting at the entry price, counting only what is known to happen
while the trade is on: intrabar entry bar -> favourable side is max(entry, close);
exit bar of a stop inside the bar -> adverse = stop, favourable = open (adverse
move first); exit at the open -> the open only; target exit inside the bar ->
favourable = the last target filled.  The index is the first bar reaching it.

P&L per share = size-weighted exit price - entry (sign flipped for a short);
R = P&L / |entry - original stop| (NaN without a stop).
"""
from __future__ import annotations

import numpy as np
from thesis.jit import njit

ENTRY_LIMIT = 0
ENTRY_NEXT_OPEN = 1

REASON_NONE = -1
REASON_STOP = 0
REASON_TARGET = 1
REASON_TIME = 2
REASON_OPEN = 3
REASON_NAMES = {REASON_NONE: "none", REASON_STOP: "stop", REASON_TARGET: "target", REASON_TIME: "time",
                REASON_OPEN: "open"}

FLAG_NO_OPEN = 1            # a fill happened on a bar without an open: gap fills could not be modelled
FLAG_ENTRY_GAP = 2          # the limit entry filled at a better open
FLAG_STOP_GAP = 4           # the stop filled at a worse open
FLAG_TARGET_GAP = 8         # a target filled at a better open
FLAG_BREAKEVEN = 16         # the stop was moved to the entry price
FLAG_ENTRY_BEYOND_LEVEL = 32  # the entry price was already at/through the stop or a target
FLAG_PREV_CLOSE_ENTRY = 64  # next-open entry without an open: filled at the previous close
FLAG_NAMES = {FLAG_NO_OPEN: "no_open", FLAG_ENTRY_GAP: "entry_gap", FLAG_STOP_GAP: "stop_gap",
              FLAG_TARGET_GAP: "target_gap", FLAG_BREAKEVEN: "moved_to_breakeven",
              FLAG_ENTRY_BEYOND_LEVEL: "entry_beyond_level", FLAG_PREV_CLOSE_ENTRY: "prev_close_entry"}

OUTPUT_FIELDS = ("entry_idx", "entry_price", "exit_idx", "exit_price", "reason", "mfe_price", "mfe_idx",
                 "mae_price", "mae_idx", "pnl", "r_multiple", "flags", "rest_size", "rest_price",
                 "leg_idx", "leg_price")

_EPS = 1e-9


@njit(cache=True, nogil=True)
def _bar(sign, open_, high, low, close, i):
    """(open, favourable extreme, adverse extreme, close) of bar i in long space."""
    if sign > 0:
        return open_[i], high[i], low[i], close[i]
    return -open_[i], -low[i], -high[i], -close[i]


@njit(cache=True, nogil=True)
def _fill_entry(sign, kind, limit, start, last, open_, high, low, close):
    """Returns (entry bar, entry price in long space, whole bar after fill?, flags); bar -1 = no fill."""
    if kind == ENTRY_LIMIT:
        for i in range(start, last + 1):
            o, hi, lo, c = _bar(sign, open_, high, low, close, i)
            if lo <= limit:
                if o == o:
                    if o <= limit:
                        return i, o, True, (FLAG_ENTRY_GAP if o < limit else 0)
                    return i, limit, False, 0
                return i, limit, False, FLAG_NO_OPEN
        return -1, np.nan, True, 0
    o = sign * open_[start]
    if o == o:
        return start, o, True, 0
    if start > 0 and close[start - 1] == close[start - 1]:
        return start, sign * close[start - 1], True, FLAG_NO_OPEN | FLAG_PREV_CLOSE_ENTRY
    return -1, np.nan, True, FLAG_NO_OPEN


@njit(cache=True, nogil=True)
def _simulate_one(r, sign, kind, limit_px, start, stop_px, tgt_row, size_row, horizon, hold, breakeven,
                  open_, high, low, close, out_i, out_f, leg_idx, leg_price):
    """Simulate trade r; writes out_i[r] = (entry_idx, exit_idx, reason, mfe_idx, mae_idx, flags) and
    out_f[r] = (entry_price, exit_price, mfe_price, mae_price, pnl, r_multiple, rest_size, rest_price)."""
    n = close.shape[0]
    k = tgt_row.shape[0]
    last = min(horizon, n - 1)
    if start < 0 or start > last:
        return
    entry_i, e, whole_bar, flags = _fill_entry(sign, kind, sign * limit_px, start, last, open_, high, low, close)
    out_i[r, 5] = flags
    if entry_i < 0:
        return
    if hold > 0 and entry_i + hold - 1 < horizon:
        horizon = entry_i + hold - 1
        last = min(horizon, n - 1)
    stop0 = sign * stop_px
    stop = stop0
    # Target j in long space is sign * tgt_row[j]; it is active when finite with a size > 0 (a NaN
    # target fails every comparison, so "size > 0 and price >= target" tests both; no per-trade arrays).
    for j in range(k):
        if size_row[j] > 0.0 and e >= sign * tgt_row[j]:
            flags |= FLAG_ENTRY_BEYOND_LEVEL
    if stop == stop and e <= stop:
        flags |= FLAG_ENTRY_BEYOND_LEVEL

    rest = 1.0
    legs_value = 0.0          # sum of size_j * fill_j (long space)
    moved = False
    pending_be = False
    mfe, mfe_i, mae, mae_i = e, entry_i, e, entry_i
    reason = REASON_OPEN
    exit_i = n - 1
    final = sign * close[n - 1]
    for i in range(entry_i, last + 1):
        o, hi, lo, c = _bar(sign, open_, high, low, close, i)
        intrabar_entry = i == entry_i and not whole_bar
        has_open = o == o
        if pending_be:
            stop = e if (stop != stop or e > stop) else stop
            pending_be = False
        fav = hi
        adv = lo
        if intrabar_entry:
            fav = c if c > e else e
        done = False
        # 1. at the open
        if has_open and not intrabar_entry:
            if stop == stop and o <= stop:
                final, reason, done = o, REASON_STOP, True
                if o < stop:
                    flags |= FLAG_STOP_GAP
                fav = o
                adv = o
            else:
                for j in range(k):
                    tj = sign * tgt_row[j]
                    if o >= tj and size_row[j] > 0.0 and leg_idx[r, j] < 0:
                        leg_idx[r, j] = i
                        leg_price[r, j] = sign * o
                        legs_value += size_row[j] * o
                        rest -= size_row[j]
                        if o > tj:
                            flags |= FLAG_TARGET_GAP
                        if breakeven and not moved:
                            moved = True
                            flags |= FLAG_BREAKEVEN
                            stop = e if (stop != stop or e > stop) else stop
                if rest <= _EPS:
                    rest, reason, done = 0.0, REASON_TARGET, True
                    fav = o
                    adv = o
        # 2. stop inside the bar (before targets)
        if not done and stop == stop and lo <= stop:
            final, reason, done = stop, REASON_STOP, True
            if not has_open:
                flags |= FLAG_NO_OPEN
            adv = stop
            fav = o if (has_open and not intrabar_entry) else e
        # 3. targets inside the bar
        if not done and not intrabar_entry:
            best = -np.inf
            for j in range(k):
                tj = sign * tgt_row[j]
                if hi >= tj and size_row[j] > 0.0 and leg_idx[r, j] < 0:
                    leg_idx[r, j] = i
                    leg_price[r, j] = sign * tj
                    legs_value += size_row[j] * tj
                    rest -= size_row[j]
                    best = max(best, tj)
                    if not has_open:
                        flags |= FLAG_NO_OPEN
                    if breakeven and not moved:
                        moved = True
                        flags |= FLAG_BREAKEVEN
                        pending_be = True
            if rest <= _EPS:
                rest, reason, done = 0.0, REASON_TARGET, True
                fav = best
        # 4. time stop
        if not done and i == horizon:
            final, reason, done = c, REASON_TIME, True
        if fav > mfe:
            mfe, mfe_i = fav, i
        if adv < mae:
            mae, mae_i = adv, i
        if done:
            exit_i = i
            break
    if rest <= _EPS:
        rest = 0.0
    exit_value = legs_value + (rest * final if rest > 0.0 else 0.0)
    pnl = exit_value - e
    risk = abs(e - stop0)
    out_i[r, 0] = entry_i
    out_i[r, 1] = exit_i
    out_i[r, 2] = reason
    out_i[r, 3] = mfe_i
    out_i[r, 4] = mae_i
    out_i[r, 5] = flags
    out_f[r, 0] = sign * e
    out_f[r, 1] = sign * exit_value
    out_f[r, 2] = sign * mfe
    out_f[r, 3] = sign * mae
    out_f[r, 4] = pnl
    out_f[r, 5] = pnl / risk if (risk == risk and risk > 0.0) else np.nan
    out_f[r, 6] = rest
    out_f[r, 7] = sign * final if rest > 0.0 else np.nan


@njit(cache=True, nogil=True)
def simulate_trades_nb(open_, high, low, close, direction, entry_kind, entry_price, start_idx, stop,
                       targets, sizes, horizon_idx, hold_bars, move_to_breakeven):
    """Simulate m trades (one row each) over one symbol's float64 bar arrays.

    direction int (+1 long, -1 short); entry_kind ENTRY_LIMIT/ENTRY_NEXT_OPEN; entry_price the
    limit (ignored for next open); start_idx first bar the order works; stop (NaN = none);
    targets, sizes (m, k) float64 (NaN/0 padding); horizon_idx last bar for the order and the
    trade (>= n: none, the trade may end "open"); hold_bars > 0 also ends the trade at the close
    of bar entry_idx + hold_bars - 1 if that is earlier (0 = no such limit); move_to_breakeven bool.
    Returns arrays in OUTPUT_FIELDS order; leg_idx/leg_price are (m, k) per-target fills
    (-1/NaN when unfilled); rest_size/rest_price the part that exited by stop/time/open.
    """
    m = direction.shape[0]
    k = targets.shape[1]
    out_i = np.full((m, 6), -1, dtype=np.int64)
    out_i[:, 5] = 0
    out_f = np.full((m, 8), np.nan)
    leg_idx = np.full((m, k), -1, dtype=np.int64)
    leg_price = np.full((m, k), np.nan)
    for r in range(m):
        _simulate_one(r, 1 if direction[r] > 0 else -1, entry_kind[r], entry_price[r], start_idx[r], stop[r],
                      targets[r], sizes[r], horizon_idx[r], hold_bars[r], move_to_breakeven[r], open_, high, low, close,
                      out_i, out_f, leg_idx, leg_price)
    return (out_i[:, 0].copy(), out_f[:, 0].copy(), out_i[:, 1].copy(), out_f[:, 1].copy(), out_i[:, 2].copy(),
            out_f[:, 2].copy(), out_i[:, 3].copy(), out_f[:, 3].copy(), out_i[:, 4].copy(), out_f[:, 4].copy(),
            out_f[:, 5].copy(), out_i[:, 5].copy(), out_f[:, 6].copy(), out_f[:, 7].copy(), leg_idx, leg_price)


def new_outputs(m: int, k: int) -> tuple:
    """Output arrays for m trades with k target slots, initialised as simulate_trades_nb does
    (for simulate_symbols_nb, which writes into arrays the caller owns)."""
    out_i = np.full((m, 6), -1, dtype=np.int64)
    out_i[:, 5] = 0
    return out_i, np.full((m, 8), np.nan), np.full((m, k), -1, dtype=np.int64), np.full((m, k), np.nan)


def output_fields(out_i, out_f, leg_idx, leg_price) -> dict:
    """The arrays of new_outputs as a dict in OUTPUT_FIELDS order (column views, no copy)."""
    return dict(zip(OUTPUT_FIELDS, (out_i[:, 0], out_f[:, 0], out_i[:, 1], out_f[:, 1], out_i[:, 2], out_f[:, 2],
                                    out_i[:, 3], out_f[:, 3], out_i[:, 4], out_f[:, 4], out_f[:, 5], out_i[:, 5],
                                    out_f[:, 6], out_f[:, 7], leg_idx, leg_price)))


@njit(cache=True, nogil=True)
def simulate_symbols_nb(s0, s1, bar_off, row_off, open_, high, low, close, direction, entry_kind, entry_price,
                        start_idx, stop, targets, sizes, horizon_idx, hold_bars, move_to_breakeven,
                        out_i, out_f, leg_idx, leg_price):
    """simulate_trades_nb for many symbols in one call (the same _simulate_one per trade).

    The symbols' bars are concatenated: symbol s owns bars bar_off[s] .. bar_off[s+1]-1 and trade
    rows row_off[s] .. row_off[s+1]-1; bar indices (start_idx, horizon_idx and the outputs) are
    relative to the symbol's first bar, as in simulate_trades_nb. Simulates symbols s0 .. s1-1
    into the caller's arrays from new_outputs (disjoint symbol ranges may run on threads)."""
    for s in range(s0, s1):
        a = bar_off[s]
        b = bar_off[s + 1]
        o = open_[a:b]
        h = high[a:b]
        lo = low[a:b]
        c = close[a:b]
        for r in range(row_off[s], row_off[s + 1]):
            _simulate_one(r, 1 if direction[r] > 0 else -1, entry_kind[r], entry_price[r], start_idx[r], stop[r],
                          targets[r], sizes[r], horizon_idx[r], hold_bars[r], move_to_breakeven[r], o, h, lo, c,
                          out_i, out_f, leg_idx, leg_price)
