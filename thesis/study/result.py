"""StudyResult: what a study found, as Python objects and as one JSON-ready dict."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from thesis.replay.nb import FLAG_NAMES, FLAG_NO_OPEN
from thesis.study.stats import REASONS
from thesis.jsonable import iso_date

if TYPE_CHECKING:
    from thesis.spec import Idea
    from thesis.study.plan import StudyPlan

STUDY_SCHEMA = "thesis.study/1"


@dataclass
class StudyResult:
    idea: Idea
    plan: StudyPlan
    symbols: list[str]
    source: str
    summary: dict
    occurrences: pd.DataFrame
    base_rate: dict | None = None
    edge: dict | None = None
    cell: int = 0
    grid: list[dict] | None = None
    grid_axes: dict | None = None
    multiple_comparisons: dict | None = None
    split: dict | None = None
    confirmations: dict | None = None
    pending: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gap_fills_modelled: bool = True
    base_r: np.ndarray | None = None
    settings: dict = field(default_factory=dict)
    timing: dict = field(default_factory=dict)
    table: object = field(default=None, repr=False)   # thesis.study.table.EventTable (all cells)

    @property
    def signals(self) -> int:
        return self.summary["signals"]

    def to_dict(self) -> dict:
        s = self.summary
        doc = {
            "schema": STUDY_SCHEMA,
            "idea": {"title": self.idea.idea.title, "symbol": self.idea.symbol, "direction": self.idea.direction,
                     "file": self.idea.path},
            "settings": self.settings,
            "data": {"source": self.source, "symbols": len(self.symbols),
                     "symbol_list": self.symbols if len(self.symbols) <= 50 else None,
                     "gap_fills_modelled": self.gap_fills_modelled},
            "cell": {"index": self.cell, **self.plan.cell_specs[self.cell].params()},
            "signals": s["signals"], "hit_rate": s["hit_rate"], "hit_rate_ci": s["hit_rate_ci"],
            "win_rate": s["win_rate"], "mean_r": s["mean_r"], "mean_r_ci": s["mean_r_ci"],
            "expectancy": s["expectancy"], "expectancy_pct": s["expectancy_pct"],
            "profit_factor": s["profit_factor"], "p_mean_r_gt0": s["p_mean_r_gt0"],
            "summary": s,
            "base_rate": self.base_rate, "edge": self.edge,
            "grid": None if self.grid is None else {"axes": self.grid_axes, "cells": self.grid,
                                                    "multiple_comparisons": self.multiple_comparisons},
            "split": self.split, "confirmations": self.confirmations,
            "pending": [{"symbol": s_, "date": iso_date(d)} for s_, d in self.pending],
            "warnings": self.warnings, "notes": self.notes, "timing": self.timing,
        }
        doc = _clean(doc)
        doc["occurrences"] = occurrence_records(self.occurrences)
        return doc


def occurrence_frame(table, mask, x: int, trigger_names: list[str], z: int, split=None) -> pd.DataFrame:
    """One row per occurrence of the cell (closed and open trades), in symbol then date order."""
    rows = np.flatnonzero(mask)
    tr = table.trades
    # Per-row texts from a table of the few distinct values (the cell may hold 100,000 rows).
    ub, bits_at = np.unique(table.bits[rows, z], return_inverse=True)
    label = [", ".join(n for i, n in enumerate(trigger_names) if b >> i & 1) for b in ub.tolist()]
    names = [label[i] for i in bits_at.tolist()]
    uf, flags_at = np.unique(tr["flags"][rows, x].astype(np.int64), return_inverse=True)
    flag_names = [[nm for bit, nm in FLAG_NAMES.items() if f & bit] for f in uf.tolist()]
    ur, reason_at = np.unique(tr["reason"][rows, x], return_inverse=True)
    outcome = [REASONS[int(v)] for v in ur.tolist()]
    frame = pd.DataFrame({
        "symbol": np.asarray(table.symbols, dtype=object)[table.sym[rows]],
        "date": pd.DatetimeIndex(table.date[rows]),
        "trigger": names,
        "entry_date": pd.DatetimeIndex(table.entry_date[rows, x]),
        "entry_price": tr["entry_price"][rows, x], "stop": tr["stop"][rows, x], "target": tr["target"][rows, x],
        "exit_date": pd.DatetimeIndex(table.exit_date[rows, x]), "exit_price": tr["exit_price"][rows, x],
        "outcome": [outcome[i] for i in reason_at.tolist()],
        "r": tr["r"][rows, x], "r_gross": tr["r_gross"][rows, x], "mfe_r": tr["mfe_r"][rows, x],
        "mae_r": tr["mae_r"][rows, x], "sessions": tr["sessions"][rows, x].astype(np.int64),
        "days": tr["days"][rows, x].astype(np.int64), "ret_pct": tr["ret_pct"][rows, x],
        "flags": [list(flag_names[i]) for i in flags_at.tolist()],
    })
    if split is not None:
        frame["sample"] = np.where(frame["date"] < split, "in", "out")
    return frame


def no_open_count(table, mask, x) -> int:
    return int(np.sum((table.trades["flags"][mask, x].astype(np.int64) & FLAG_NO_OPEN) != 0))


def occurrence_records(frame: pd.DataFrame) -> list[dict]:
    """Occurrences as JSON-ready dicts: ISO dates, floats rounded to 6 places, NaN -> None."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            text = series.dt.strftime("%Y-%m-%d")
            out[col] = text.astype(object).where(series.notna(), None)
        elif pd.api.types.is_float_dtype(series):
            vals = series.to_numpy(dtype="float64").round(6)
            out[col] = pd.Series([None if v != v or v in (np.inf, -np.inf) else float(v) for v in vals.tolist()],
                                 index=out.index, dtype=object)
        elif pd.api.types.is_integer_dtype(series):
            out[col] = pd.Series(series.to_numpy().tolist(), index=out.index, dtype=object)
    return out.to_dict(orient="records")


def study_json(doc: dict) -> str:
    """The JSON document, indented, with one compact line per occurrence (a universe study can
    list tens of thousands)."""
    import json

    rest = {k: v for k, v in doc.items() if k != "occurrences"}
    head = json.dumps(rest, indent=2)
    occ = doc.get("occurrences", [])
    lines = ",\n    ".join(json.dumps(o, separators=(", ", ": ")) for o in occ)
    body = f'[\n    {lines}\n  ]' if occ else "[]"
    return head[:-2] + f',\n  "occurrences": {body}\n}}'


def _clean(obj):
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating, float)):
        v = float(obj)
        return None if not math.isfinite(v) else v
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.bool_):
        return bool(obj)
    if isinstance(obj, (pd.Timestamp, np.datetime64)):
        return iso_date(obj)
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    return obj
