"""The skill test: the author's own levels, entered at random dates on the same symbols.

For each idea the levels are kept as fractions of an anchor price, the last close before
the order could first fill (the price at publication for a limit; the close of the signal
session for a signal entry). A random draw picks, per idea, a random session of that
symbol's history as the new start, rebuilds the levels from the close before it, and runs
the very same fill kernel as ``thesis replay`` (``thesis.replay.nb.simulate_trades_nb``)
with the same order type, horizon (in sessions), scale-out sizes and breakeven rule.
One draw gives one mean R over the trades that filled; ``draws`` of them give the
distribution the author's mean R is placed in.
"""
from __future__ import annotations

import math
import zlib

import numpy as np

from thesis.replay import nb as rnb
from thesis.jit import use_compiled


_OFFSET = {"d": "days", "w": "weeks", "mo": "months", "y": "years"}


def _ends(dates: np.ndarray, idx: np.ndarray, horizon) -> np.ndarray:
    """Last session index of the horizon counted from session ``idx`` (as replay counts it:
    N sessions including the first, or the last session on or before first + calendar span)."""
    unit, n = horizon
    if unit == "s":
        return idx + n - 1
    import pandas as pd

    end = (pd.DatetimeIndex(dates[idx]) + pd.DateOffset(**{_OFFSET[unit]: n})).values
    return np.searchsorted(dates, end, side="right") - 1


def _symbol_rows(arrays, dates: np.ndarray, specs: list[dict], draws: int, rng) -> np.ndarray:
    """R of every (idea, draw) on one symbol: shape (len(specs), draws); NaN = not filled."""
    o, h, l, c = arrays
    n = len(c)
    m_ideas = len(specs)
    k = max(len(s["targets"]) for s in specs)
    rows = m_ideas * draws
    start = np.full(rows, -1, np.int64)
    direction = np.ones(rows, np.int64)
    kind = np.zeros(rows, np.int64)
    entry = np.full(rows, np.nan)
    stop = np.full(rows, np.nan)
    targets = np.full((rows, k), np.nan)
    sizes = np.zeros((rows, k))
    horizon = np.full(rows, n, np.int64)
    breakeven = np.zeros(rows, np.bool_)
    for i, s in enumerate(specs):
        sl = slice(i * draws, (i + 1) * draws)
        # A draw must leave room for one horizon before the data ends (so its trade can close).
        span = s["sessions"] or 1
        last_start = n - span if s["horizon"] else n - 2
        if last_start < 1:
            continue
        st = rng.integers(1, last_start + 1, size=draws)
        anchor = c[st - 1]
        start[sl] = st
        direction[sl] = s["direction"]
        kind[sl] = rnb.ENTRY_LIMIT if s["kind"] == "limit" else rnb.ENTRY_NEXT_OPEN
        if s["kind"] == "limit":
            entry[sl] = anchor * (1.0 + s["entry"])
        stop[sl] = anchor * (1.0 + s["stop"])
        for j, (t, z) in enumerate(zip(s["targets"], s["sizes"])):
            targets[sl, j] = anchor * (1.0 + t)
            sizes[sl, j] = z
        if s["horizon"]:
            horizon[sl] = _ends(dates, st, s["horizon"])
        breakeven[sl] = s["breakeven"]
    r = np.full(rows, np.nan)
    idx = np.flatnonzero(start >= 1)
    if not len(idx):
        return r.reshape(m_ideas, draws)
    hold = np.zeros(len(idx), np.int64)
    out = dict(zip(rnb.OUTPUT_FIELDS, rnb.simulate_trades_nb(
        o, h, l, c, direction[idx], kind[idx], entry[idx], start[idx], stop[idx], targets[idx], sizes[idx],
        horizon[idx], hold, breakeven[idx])))
    r[idx] = out["r_multiple"]
    # As replay does: the limit works for one horizon from the start; once it fills, the time
    # stop is one horizon counted from the fill. Rows that filled after their start run again
    # with the time stop moved (the fill itself is unchanged: the same first touch).
    late = np.flatnonzero((kind[idx] == rnb.ENTRY_LIMIT) & (out["entry_idx"] > start[idx]))
    late = late[[specs[i // draws]["horizon"] is not None for i in idx[late]]] if len(late) else late
    if len(late):
        rerun = idx[late]
        fill = out["entry_idx"][late]
        new_end = np.empty(len(rerun), np.int64)
        for spec_i in np.unique(rerun // draws):
            mask = (rerun // draws) == spec_i
            new_end[mask] = _ends(dates, fill[mask], specs[spec_i]["horizon"])
        again = dict(zip(rnb.OUTPUT_FIELDS, rnb.simulate_trades_nb(
            o, h, l, c, direction[rerun], kind[rerun], entry[rerun], start[rerun], stop[rerun], targets[rerun],
            sizes[rerun], new_end, np.zeros(len(rerun), np.int64), breakeven[rerun])))
        r[rerun] = again["r_multiple"]
    return r.reshape(m_ideas, draws)


def random_r(specs: list[dict | None], bars_of, draws: int = 1000, seed: int = 0) -> np.ndarray:
    """R of each idea under ``draws`` random entry dates: (len(specs), draws), NaN where a
    draw did not fill or the idea takes no part (spec None). ``bars_of(symbol, adjustment)``
    returns the bars frame (open may be NaN)."""
    use_compiled()   # a batch: the numba kernels (thesis.jit)
    out = np.full((len(specs), draws), np.nan)
    groups: dict[tuple, list[tuple[int, dict]]] = {}
    for i, s in enumerate(specs):
        if s is not None:
            groups.setdefault((s["symbol"], s["adjustment"]), []).append((i, s))
    for (symbol, adjustment), taking_part in sorted(groups.items(), key=lambda kv: kv[0]):
        members = [i for i, _ in taking_part]
        bars = bars_of(symbol, adjustment)
        arrays = tuple(np.ascontiguousarray(bars[col].to_numpy(dtype="float64"))
                       for col in ("open", "high", "low", "close"))
        rng = np.random.default_rng([seed, zlib.crc32(f"{symbol}/{adjustment}".encode())])
        dates = bars.index.values
        out[members] = _symbol_rows(arrays, dates, [s for _, s in taking_part], draws, rng)
    return out


def place(author_mean: float, means: np.ndarray) -> dict:
    """Where the author's mean R falls among the random means (percentile, one-sided p)."""
    means = means[np.isfinite(means)]
    if not len(means) or author_mean is None or not math.isfinite(author_mean):
        return {"percentile": None, "p_value": None, "draws": int(len(means)), "random_mean_r": None,
                "random_mean_r_90": None}
    below = float(np.sum(means < author_mean)) + 0.5 * float(np.sum(means == author_mean))
    at_least = int(np.sum(means >= author_mean))
    return {"percentile": round(100.0 * below / len(means), 2),
            "p_value": round((1 + at_least) / (1 + len(means)), 4),
            "draws": int(len(means)), "random_mean_r": round(float(np.mean(means)), 4),
            "random_mean_r_90": [round(float(np.quantile(means, 0.05)), 4),
                                 round(float(np.quantile(means, 0.95)), 4)]}
