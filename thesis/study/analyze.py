"""From the event table to figures: one cell's summary and base rate, the grid with its
multiple-comparisons correction, and the walk-forward split.

Grid correction (documented choice): every cell gets the one-sided t-test p-value of
"mean R > 0"; the p-values of all cells are Holm-adjusted (Holm 1979, step-down,
controls the family-wise error rate). The report states how many cells were tried and
the best cell's raw and Holm-adjusted p-values: if the adjusted value is not small,
the best cell's edge is what trying many cells produces by chance.

Best cell: the highest mean R among cells with at least ``MIN_TRADES`` closed trades
(or among all cells when none has that many).
"""
from __future__ import annotations

from thesis import display
import warnings

import numpy as np

from thesis.study import stats
from thesis.study.table import EventTable, base_mask, occurrence_mask

MIN_TRADES = 20


FIELDS = ("r", "reason", "sessions", "days", "mfe_r", "mae_r", "ret_pct")


def _take(table: EventTable, mask: np.ndarray, x: int, keys=FIELDS) -> dict:
    closed = mask & table.closed(x)
    tr = table.trades
    return {key: tr[key][:, x][closed] for key in keys}


def full_summary(table: EventTable, mask: np.ndarray, x: int, n_boot: int, seed: int, boot_means=None) -> dict:
    v = _take(table, mask, x)
    out = stats.summarize(v["r"], v["reason"], v["sessions"], v["days"], v["mfe_r"], v["mae_r"], v["ret_pct"],
                          n_boot=n_boot, seed=seed, boot_means=boot_means)
    out["open_trades"] = int(np.sum(mask & (table.trades["reason"][:, x] == 3)))
    out["symbols_with_signals"] = int(len(np.unique(table.sym[mask])))
    return out


def edge(r_signal, r_base, boot_signal, boot_base) -> dict:
    """Mean R of the signal minus mean R of the base rate: percentile interval of the difference
    of the two samples' bootstrap means (drawn independently) and Welch one-sided p-value."""
    a = np.asarray(r_signal, dtype="float64")
    b = np.asarray(r_base, dtype="float64")
    if len(a) < 2 or len(b) < 2:
        return {"mean_r_diff": None, "mean_r_diff_ci": [None, None], "p_signal_better": None}
    lo, hi = stats.percentile_interval(np.asarray(boot_signal) - np.asarray(boot_base))
    from scipy import stats as sps

    with warnings.catch_warnings():   # near-identical samples: scipy warns, the p-value stands
        warnings.simplefilter("ignore", RuntimeWarning)
        t = sps.ttest_ind(a, b, equal_var=False, alternative="greater")
    return {"mean_r_diff": float(a.mean() - b.mean()), "mean_r_diff_ci": [lo, hi], "p_signal_better": float(t.pvalue)}


def cell_figures(table: EventTable, plan, gate, one_at_a_time: bool, n_boot: int, seed: int, z: int, x: int,
                 date_mask: np.ndarray | None = None) -> dict:
    """Summary, base rate and edge of one cell (optionally restricted to some dates). Bootstrap
    seeds: ``seed`` for the occurrences, ``seed + 1`` for the base rate."""
    occ = occurrence_mask(table, z, x, gate, one_at_a_time)
    if date_mask is not None:
        occ = occ & date_mask
    r_occ = _take(table, occ, x, ("r",))["r"]
    boot_occ = stats.bootstrap_means(r_occ, n_boot, seed)
    out = {"summary": full_summary(table, occ, x, n_boot, seed, boot_occ), "occurrences": occ}
    if plan.base_rate > 0:
        base = base_mask(table, occ, x, plan.base_rate)
        if date_mask is not None:
            base = base & date_mask
        r_base = _take(table, base, x, ("r",))["r"]
        boot_base = stats.bootstrap_means(r_base, n_boot, seed + 1)
        out["base"] = full_summary(table, base, x, n_boot, seed + 1, boot_base)
        out["base_mask"] = base
        out["edge"] = edge(r_occ, r_base, boot_occ, boot_base)
    return out


def grid_table(table: EventTable, plan, gate, one_at_a_time: bool, date_mask=None) -> list[dict]:
    """Light figures of every cell (count, hit rate, mean R, p, Holm-adjusted p, base mean R).
    Every cell's selection (occurrence_mask, then its closed trades) comes from one pass of
    nb.grid_select_nb over the table; the p-values are one vectorised call (stats.light_summaries)."""
    from thesis.study import nb

    tr = table.trades
    cand = table.cand.astype(bool, copy=False)
    valid = tr["valid"].astype(bool, copy=False)
    exit_idx = tr["exit_idx"].astype(np.int64, copy=False)
    reason = tr["reason"].astype(np.int64, copy=False)
    r_all = tr["r"]
    sym, t = table.sym.astype(np.int64, copy=False), table.t.astype(np.int64, copy=False)
    no = np.zeros(0, dtype=bool)
    gate_a = no if gate is None else np.asarray(gate, dtype=bool)
    date_a = no if date_mask is None else np.asarray(date_mask, dtype=bool)
    columns: dict = {}      # per exit rule, for the base rate only: closed mask and R column

    def column(x):
        if x not in columns:
            columns[x] = (table.closed(x), np.ascontiguousarray(r_all[:, x]))
        return columns[x]

    cell_z = np.array([z for z, _ in plan.cells], dtype=np.int64)
    cell_x = np.array([x for _, x in plan.cells], dtype=np.int64)
    occ_all, sel_all = nb.grid_select_nb(cand, valid, exit_idx, reason, sym, t, gate_a, gate is not None, date_a,
                                         date_mask is not None, one_at_a_time, cell_z, cell_x)
    rows, samples = [], []
    for c, (_z, x) in enumerate(plan.cells):
        occ, sel = occ_all[c], np.flatnonzero(sel_all[c])
        samples.append((r_all[sel, x], reason[sel, x]))    # = _take(table, occ, x): closed trades only
        row = {"cell": c, **plan.cell_specs[c].values}
        if plan.base_rate > 0:
            closed, r_x = column(x)
            base = base_mask(table, occ, x, plan.base_rate)
            if date_mask is not None:
                base &= date_mask
            br = r_x[base & closed]
            row["base_mean_r"] = float(br.mean()) if len(br) else None
        rows.append(row)
    for row, light in zip(rows, stats.light_summaries(samples)):
        base_r = row.pop("base_mean_r", False)
        row.update(light)
        if base_r is not False:
            row["base_mean_r"] = base_r
            row["edge_r"] = (row["mean_r"] - base_r) if (row["mean_r"] is not None and base_r is not None) else None
    adjusted = stats.holm([np.nan if r["p_mean_r_gt0"] is None else r["p_mean_r_gt0"] for r in rows])
    for row, p in zip(rows, adjusted):
        row["p_holm"] = None if not np.isfinite(p) else float(p)
    return rows


def best_cell(rows: list[dict]) -> int:
    pool = [r for r in rows if r["signals"] >= MIN_TRADES and r["mean_r"] is not None]
    pool = pool or [r for r in rows if r["mean_r"] is not None]
    if not pool:
        return 0
    return max(pool, key=lambda r: (r["mean_r"], -r["cell"]))["cell"]


def multiple_comparisons(rows: list[dict], best: int) -> dict:
    row = rows[best]
    tried = len(rows)
    raw, adj = row.get("p_mean_r_gt0"), row.get("p_holm")
    warning = (f"{tried} cells were tried; the best cell's mean R is selected from all of them. Its one-sided "
               f"p-value of mean R > 0 is {_fmt(raw)} before and {_fmt(adj)} after the Holm adjustment for "
               f"{tried} comparisons" + ("" if adj is None or adj < 0.05 else
                                          ": not significant once the search is accounted for") + ".")
    return {"cells_tried": tried, "method": "Holm step-down adjustment of one-sided t-test p-values (mean R > 0)",
            "best_cell": best, "best_p_raw": raw, "best_p_holm": adj, "warning": warning}


def _fmt(p) -> str:
    return display.fmt(None if p is None else float(p), ".3g", "n/a")
