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


def _symbol_rows(arrays, specs: list[dict], draws: int, rng) -> np.ndarray:
    """R of every (idea, draw) on one symbol: shape (len(specs), draws); NaN = not filled."""
    o, h, l, c = arrays
    n = len(c)
    m_ideas = len(specs)
    k = max(len(s["targets"]) for s in specs)
    rows = m_ideas * draws
    start = np.empty(rows, np.int64)
    direction = np.empty(rows, np.int64)
    kind = np.empty(rows, np.int64)
    entry = np.full(rows, np.nan)
    stop = np.empty(rows)
    targets = np.full((rows, k), np.nan)
    sizes = np.zeros((rows, k))
    horizon = np.empty(rows, np.int64)
    hold = np.zeros(rows, np.int64)
    breakeven = np.zeros(rows, np.bool_)
    for i, s in enumerate(specs):
        sl = slice(i * draws, (i + 1) * draws)
        span = s["sessions"] or 0
        last_start = n - span if span else n - 2
        if last_start < 1:
            start[sl] = -1
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
        horizon[sl] = st + span - 1 if span else n
        hold[sl] = span
        breakeven[sl] = s["breakeven"]
    ok = start >= 1
    r = np.full(rows, np.nan)
    if ok.any():
        idx = np.flatnonzero(ok)
        out = dict(zip(rnb.OUTPUT_FIELDS, rnb.simulate_trades_nb(
            o, h, l, c, direction[idx], kind[idx], entry[idx], start[idx], stop[idx], targets[idx], sizes[idx],
            horizon[idx], hold[idx], breakeven[idx])))
        r[idx] = out["r_multiple"]
        # A limit that filled after its start session holds for its own horizon counted from the
        # fill (as replay does): run those rows again with the time stop moved.
        late = (kind[idx] == rnb.ENTRY_LIMIT) & (hold[idx] > 0) & (out["entry_idx"] > start[idx])
        if late.any():
            j = idx[late]
            again = dict(zip(rnb.OUTPUT_FIELDS, rnb.simulate_trades_nb(
                o, h, l, c, direction[j], kind[j], entry[j], start[j], stop[j], targets[j], sizes[j],
                out["entry_idx"][late] + hold[j] - 1, hold[j], breakeven[j])))
            r[j] = again["r_multiple"]
    return r.reshape(m_ideas, draws)


def random_r(specs: list[dict | None], bars_of, draws: int = 1000, seed: int = 0) -> np.ndarray:
    """R of each idea under ``draws`` random entry dates: (len(specs), draws), NaN where a
    draw did not fill or the idea takes no part (spec None). ``bars_of(symbol, adjustment)``
    returns the bars frame (open may be NaN)."""
    out = np.full((len(specs), draws), np.nan)
    groups: dict[tuple, list[int]] = {}
    for i, s in enumerate(specs):
        if s is not None:
            groups.setdefault((s["symbol"], s["adjustment"]), []).append(i)
    for (symbol, adjustment), members in sorted(groups.items()):
        bars = bars_of(symbol, adjustment)
        arrays = tuple(np.ascontiguousarray(bars[col].to_numpy(dtype="float64"))
                       for col in ("open", "high", "low", "close"))
        rng = np.random.default_rng([seed, zlib.crc32(f"{symbol}/{adjustment}".encode())])
        out[members] = _symbol_rows(arrays, [specs[i] for i in members], draws, rng)
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
