"""`study`: every historical occurrence of an idea's setup, simulated and summarised.

    study("examples/iwm-no-love-for-small-caps.toml", start="2000-01-01")
    study(idea, universe="csv:/data/sp500-constituents", grid=["stop=5%,8% target=2R,3R"])

Method and limits: docs/study.md.  Steps: load bars -> plan (cells) -> per-symbol
work (threads or Dask) -> event table -> optional confirmations gate -> figures.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thesis.errors import BadInput, ParameterError
from thesis.study import analyze
from thesis.study.execute import run_all
from thesis.study.panel import Panel, load_symbols, load_universe_panel, split_symbols
from thesis.study.plan import StudyPlan, make_plan
from thesis.study.result import StudyResult, no_open_count, occurrence_frame
from thesis.study.table import assemble
from thesis.jit import use_compiled


def _idea(idea):
    from thesis.spec import Idea, load

    return idea if isinstance(idea, Idea) else load(Path(idea))


def load_panel(idea, symbols=None, universe=None, source=None, levels="relative") -> Panel:
    """Bars for the study: a universe folder, a list of symbols, or the idea's own symbol."""
    syms = split_symbols(symbols)
    if levels == "fixed":
        if universe is not None or any(s != idea.symbol for s in syms):
            raise ParameterError("levels", f"fixed uses the idea's own prices, which only mean something on "
                                           f"{idea.symbol}; use {{name}} relative to study other symbols")
    if universe is not None:
        return load_universe_panel(universe, syms or None)
    return load_symbols(syms or [idea.symbol], idea.idea.adjustment, source)


MAX_BOOTSTRAP = 100_000


def study(idea, symbols=None, universe=None, start=None, end=None, grid=None, base_rate: int = 1, dask=None,
          levels: str = "relative", split=None, confirm: bool = False, one_at_a_time: bool = False, stop=None,
          target=None, hold=None, zone_width=None, zone_lookback=None, triggers=None, slippage_bps: float = 0.0,
          commission: float = 0.0, seed: int = 0, n_boot: int = 2000, workers: int | None = None,
          source: str | None = None, progress=None) -> StudyResult:
    """Run an event study of ``idea`` (an Idea or a path): every past occurrence of its setup,
    simulated with the replay's fill kernel and compared with random entries (docs/study.md).

    Args:
        idea: an ``Idea`` or the path of an idea file.
        symbols: symbols to study (a list or "IWM,SPY"); default the idea's own symbol.
        universe: a folder source (``csv:DIR``) whose every symbol is studied instead.
        start, end: the first and last signal date (trades may run past ``end``).
        grid: axes to vary, e.g. ``["stop=5%,8%", "target=2R,3R", "hold=20,60"]``.
        base_rate: random entries per occurrence for the base rate (0 = none).
        dask: a ``distributed.Client`` or a scheduler address; needs the ``dask`` extra.
        levels: "relative" (zones and levels measured from each occurrence) or "fixed" (the
            idea's own prices, on its own symbol only).
        split: a date splitting the sample into in- and out-of-sample halves.
        confirm: also measure the idea's confirmations on each occurrence.
        one_at_a_time: skip occurrences while a trade of the same symbol is open.
        stop, target, hold, zone_width, zone_lookback: the base cell's rules (``"8%"``,
            ``"2R"``, ``"20"`` sessions or ``"6mo"``, ATR multiples, sessions).
        triggers: which of the idea's triggers to use (indexes or kinds); default all.
        slippage_bps, commission: costs per trade (basis points; per share).
        seed: the random draws' seed (the same seed gives the same study).
        n_boot: bootstrap resamples for the confidence intervals (0 = none).
        workers: threads for the simulation (default: all cores).
        source: the bar source (``csv:DIR``, ``yahoo``, ``store``, a Provider or a mapping).
        progress: ``progress(phase, done, total)`` as work advances (phases "load",
            "simulate", "confirmations"); the CLI turns it into progress bars.

    Returns a ``StudyResult``; ``.to_dict()`` is the ``thesis.study/1`` document. Bad values raise
    ``thesis.errors.ParameterError`` naming the parameter.
    """
    t0 = time.perf_counter()
    if isinstance(n_boot, bool) or not isinstance(n_boot, int) or not 0 <= n_boot <= MAX_BOOTSTRAP:
        raise ParameterError("n_boot", f"must be a whole number from 0 to {MAX_BOOTSTRAP}, got {n_boot!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= 1024):
        raise ParameterError("workers", f"must be a whole number from 1 to 1024, got {workers!r}")
    idea = _idea(idea)
    plan = make_plan(idea, levels, grid, start, end, base_rate, seed, slippage_bps, commission, triggers, stop,
                     target, hold, zone_width, zone_lookback)
    split_ts = _split(split)
    if progress:
        progress("load", 0, 1)
    panel = load_panel(idea, symbols, universe, source, levels)
    if progress:
        progress("load", 1, 1)
    result = run_study(idea, plan, panel, dask=dask, workers=workers, split=split_ts, confirm=confirm,
                       one_at_a_time=one_at_a_time, n_boot=n_boot, source=source, progress=progress,
                       grid_axes=grid)
    result.timing["total_s"] = round(time.perf_counter() - t0, 3)
    result.settings.update({"from": start and str(pd.Timestamp(start).date()),
                            "to": end and str(pd.Timestamp(end).date()), "universe": universe})
    return result


def _split(split):
    from thesis.study.plan import option_date

    return option_date("split", split)


def run_study(idea, plan: StudyPlan, panel: Panel, dask=None, workers=None, split=None, confirm=False,
              one_at_a_time=False, n_boot=2000, source=None, progress=None, grid_axes=None) -> StudyResult:
    """The study on bars already loaded (the benchmark times this)."""
    use_compiled()   # a batch: the numba kernels (thesis.jit)
    if not panel.data:
        raise BadInput("the study has no symbols with data")
    t0 = time.perf_counter()
    step = (lambda d, n: progress("simulate", d, n)) if progress else None
    results = run_all(plan, panel.data, dask=dask, workers=workers, progress=step)
    table = assemble(results, len(plan.zones), len(plan.exits))
    t_sim = time.perf_counter() - t0
    gate, conf_info = None, None
    if confirm and idea.confirmations:
        from thesis.study.confirm import confirmation_gate

        any_cand = table.cand.any(axis=1)
        rows = np.flatnonzero(any_cand)
        conf_step = (lambda d, n: progress("confirmations", d, n)) if progress else None
        passed, conf_info = confirmation_gate(idea, np.asarray(table.symbols, dtype=object)[table.sym[rows]],
                                              table.date[rows], source, conf_step)
        gate = np.ones(len(table.sym), dtype=bool)
        gate[rows] = passed
    date_in = None if split is None else table.date < split
    gridded = len(plan.cells) > 1
    grid_rows = mc = None
    cell = 0
    if gridded:
        grid_rows = analyze.grid_table(table, plan, gate, one_at_a_time)
        if split is not None:
            in_rows = analyze.grid_table(table, plan, gate, one_at_a_time, date_in)
            cell = analyze.best_cell(in_rows)
            for row, r_in in zip(grid_rows, in_rows):
                row["in_sample_mean_r"] = r_in["mean_r"]
                row["in_sample_signals"] = r_in["signals"]
        else:
            cell = analyze.best_cell(grid_rows)
        mc = analyze.multiple_comparisons(grid_rows, cell)
    z, x = plan.cells[cell]
    fig = analyze.cell_figures(table, plan, gate, one_at_a_time, n_boot, plan.seed, z, x)
    occ = fig["occurrences"]
    names = [tp.name for tp in plan.triggers]
    frame = occurrence_frame(table, occ, x, names, z, split)
    split_doc = None
    if split is not None:
        split_doc = _split_doc(table, plan, gate, one_at_a_time, n_boot, z, x, split, date_in, gridded, cell)
    no_open = no_open_count(table, occ, x)
    has_open = bool(table.has_open.all()) if len(table.has_open) else True
    result = StudyResult(
        idea=idea, plan=plan, symbols=panel.symbols, source=panel.source, summary=fig["summary"], occurrences=frame,
        base_rate=fig.get("base"), edge=fig.get("edge"), cell=cell, grid=grid_rows,
        grid_axes=_axes_doc(plan, grid_axes) if gridded else None, multiple_comparisons=mc, split=split_doc,
        confirmations=conf_info,
        pending=[(s, d) for s, zz, d in table.pending if zz == z], warnings=list(panel.warnings),
        gap_fills_modelled=has_open and no_open == 0,
        base_r=table.trades["r"][fig["base_mask"] & table.closed(x), x] if "base_mask" in fig else None)
    if not result.gap_fills_modelled:
        result.notes.append(f"{no_open} of the trades filled on sessions without an open: gap fills could not be "
                            "modelled (orders filled at their levels)")
    result.notes.append("R is per trade at 1R risk; overlapping trades make the intervals optimistic"
                        if not one_at_a_time else "one position per symbol at a time")
    result.settings = {"levels": plan.levels, "base_rate": plan.base_rate, "seed": plan.seed,
                       "one_at_a_time": one_at_a_time, "confirm": bool(confirm), "slippage_bps": plan.slippage_bps,
                       "commission_per_share": plan.commission, "triggers": names, "bootstrap": n_boot,
                       "split": None if split is None else str(pd.Timestamp(split).date()),
                       "entry": "next session's open (signal session's close when the source has no open)"}
    result.timing = {"simulate_s": round(t_sim, 3), "analyse_s": round(time.perf_counter() - t0 - t_sim, 3)}
    result.table = table
    return result


def _axes_doc(plan, grid_axes) -> dict:
    axes: dict = {}
    for c in plan.cell_specs:
        for k, v in c.values.items():
            axes.setdefault(k, [])
            if v not in axes[k]:
                axes[k].append(v)
    return axes


def _split_doc(table, plan, gate, one_at_a_time, n_boot, z, x, split, date_in, gridded, cell) -> dict:
    ins = analyze.cell_figures(table, plan, gate, one_at_a_time, n_boot, plan.seed, z, x, date_in)
    outs = analyze.cell_figures(table, plan, gate, one_at_a_time, n_boot, plan.seed, z, x, ~date_in)
    doc: dict[str, Any] = {"date": str(pd.Timestamp(split).date()),
           "in_sample": {"summary": ins["summary"], "base_rate": ins.get("base"), "edge": ins.get("edge")},
           "out_of_sample": {"summary": outs["summary"], "base_rate": outs.get("base"), "edge": outs.get("edge")}}
    if gridded:
        out_rows = analyze.grid_table(table, plan, gate, one_at_a_time, ~date_in)
        ranked = sorted((r for r in out_rows if r["mean_r"] is not None), key=lambda r: -r["mean_r"])
        rank = next((i + 1 for i, r in enumerate(ranked) if r["cell"] == cell), None)
        doc["selection"] = (f"cell {cell} was chosen on the in-sample dates (best mean R); out of sample it "
                            f"ranks {rank} of {len(ranked)} cells")
        doc["out_of_sample_rank"] = rank
    return doc
