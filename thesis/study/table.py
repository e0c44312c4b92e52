"""All symbols' events in one flat table, and the selections a cell is made of.

Rows are events (symbol, signal session), sorted by symbol (in the study's order) then
date. Columns: ``cand`` (E, Z) occurrence under zone rule z, ``pool_rank`` (E,) rank in
the symbol's base-rate permutation (-1: not drawn), and the simulated trade of every
exit rule x in (E, X) arrays.

A cell (z, x):
- occurrences = cand[:, z] & confirmations gate & a valid filled trade under exit x;
  with one_at_a_time, an occurrence whose signal session is not after the exit session
  of the previous kept trade of the same symbol is dropped;
- base rate = the first base_rate x (occurrences of that symbol) events of the symbol's
  permutation, with valid trades under exit x (every symbol matched one for one);
- statistics use closed trades (stop, target or time); trades still open when the data
  ends are listed but not counted.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from thesis.study import nb
from thesis.study.engine import TRADE_FIELDS

CLOSED = (0, 1, 2)


@dataclass
class EventTable:
    symbols: list[str]
    sym: np.ndarray
    t: np.ndarray
    date: np.ndarray
    cand: np.ndarray
    bits: np.ndarray
    pool_rank: np.ndarray
    trades: dict
    entry_date: np.ndarray
    exit_date: np.ndarray
    has_open: np.ndarray
    n_bars: np.ndarray
    pending: list = field(default_factory=list)   # (symbol, zone index, date)

    def closed(self, x: int) -> np.ndarray:
        reason = self.trades["reason"][:, x]
        return (reason >= CLOSED[0]) & (reason <= CLOSED[-1])   # CLOSED is the run 0, 1, 2


def assemble(blocks: list[dict], z_count: int, x_count: int) -> EventTable:
    """The event table from blocks of symbols (thesis.study.engine.run_chunk), in order. One block
    (the local run) is used as it is, without a copy."""
    blocks = [b for b in blocks if len(b["symbols"])]
    sizes = np.concatenate([b["sizes"] for b in blocks]) if blocks else np.zeros(0, np.int64)
    sym = np.repeat(np.arange(len(sizes)), sizes)
    full = [b for b in blocks if len(b["t"])]

    def cat(get, shape_tail, dtype):
        parts = [get(b) for b in full]
        if not parts:
            return np.zeros((0, *shape_tail), dtype=dtype)
        return (parts[0] if len(parts) == 1 else np.concatenate(parts)).astype(dtype, copy=False)

    trades = {}
    for f in TRADE_FIELDS:
        parts = [b["trades"][f] for b in full]
        trades[f] = (parts[0] if len(parts) == 1 else np.concatenate(parts)) if parts else np.zeros((0, x_count))
    return EventTable(
        symbols=[s for b in blocks for s in b["symbols"]], sym=sym, t=cat(lambda b: b["t"], (), np.int64),
        date=cat(lambda b: b["dates"], (), "datetime64[ns]"), cand=cat(lambda b: b["cand"], (z_count,), bool),
        bits=cat(lambda b: b["bits"], (z_count,), np.int64), pool_rank=cat(lambda b: b["pool_rank"], (), np.int64),
        trades=trades, entry_date=cat(lambda b: b["entry_dates"], (x_count,), "datetime64[ns]"),
        exit_date=cat(lambda b: b["exit_dates"], (x_count,), "datetime64[ns]"),
        has_open=np.array([h for b in blocks for h in b["has_open"]], dtype=bool),
        n_bars=np.array([n for b in blocks for n in b["n_bars"]], dtype=np.int64),
        pending=[p for b in blocks for p in b["pending"]])


def occurrence_mask(table: EventTable, z: int, x: int, gate: np.ndarray | None = None,
                    one_at_a_time: bool = False) -> np.ndarray:
    keep = table.cand[:, z] & table.trades["valid"][:, x].astype(bool)
    if gate is not None:
        keep &= gate
    if one_at_a_time and keep.any():
        keep = nb.one_at_a_time_nb(table.sym, table.t, table.trades["exit_idx"][:, x].astype(np.int64), keep)
    return keep


def base_mask(table: EventTable, occ: np.ndarray, x: int, base_rate: int) -> np.ndarray:
    if base_rate <= 0:
        return np.zeros(len(occ), dtype=bool)
    per_symbol = np.bincount(table.sym[occ], minlength=len(table.symbols)) * base_rate
    return (table.pool_rank >= 0) & (table.pool_rank < per_symbol[table.sym]) & \
        table.trades["valid"][:, x].astype(bool)
