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


def assemble(results: list[dict], z_count: int, x_count: int) -> EventTable:
    sizes = [len(r["t"]) for r in results]
    sym = np.repeat(np.arange(len(results)), sizes)

    def cat(key, shape_tail=(), dtype=None):
        parts = [r[key] for r in results if len(r["t"])]
        if not parts:
            return np.zeros((0, *shape_tail), dtype=dtype or "float64")
        return np.concatenate(parts)

    trades = {}
    for f in TRADE_FIELDS:
        parts = [r["trades"][f] for r in results if len(r["t"])]
        trades[f] = np.concatenate(parts) if parts else np.zeros((0, x_count))
    pending = [(r["symbol"], z, d) for r in results for z, d in r["pending"]]
    return EventTable(
        symbols=[r["symbol"] for r in results], sym=sym, t=cat("t", dtype="int64").astype(np.int64),
        date=cat("dates", dtype="datetime64[ns]").astype("datetime64[ns]"),
        cand=cat("cand", (z_count,), bool).astype(bool), bits=cat("bits", (z_count,), "int64").astype(np.int64),
        pool_rank=cat("pool_rank", dtype="int64").astype(np.int64), trades=trades,
        entry_date=cat("entry_dates", (x_count,), "datetime64[ns]").astype("datetime64[ns]"),
        exit_date=cat("exit_dates", (x_count,), "datetime64[ns]").astype("datetime64[ns]"),
        has_open=np.array([r["has_open"] for r in results], dtype=bool),
        n_bars=np.array([r["n_bars"] for r in results], dtype=np.int64), pending=pending)


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
