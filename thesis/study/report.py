"""The study's report folder: one self-contained HTML page (tables, PNG charts inlined as
base64) plus the PNG files beside it. Charts use matplotlib's Agg canvas directly (no
pyplot, no global backend change): R histogram (occurrences vs base rate), equity curve
of taking every signal at 1R each, MFE/MAE scatter, grid heat map (when a grid ran).
"""
from __future__ import annotations

from thesis import display
import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COLORS = {"target": "#2e7d32", "stop": "#c62828", "time": "#1565c0", "open": "#9e9e9e"}


def figure_png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def _closed(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["outcome"].isin(["stop", "target", "time"])]


def r_histogram(res) -> bytes:
    fig = Figure(figsize=(7, 3.6))
    ax = fig.add_subplot()
    r = _closed(res.occurrences)["r"].to_numpy()
    base = res.base_r if res.base_r is not None else np.zeros(0)
    both = np.concatenate([r, base]) if len(base) else r
    lo = np.floor(min(both.min(initial=-1.0), -1.0) * 4) / 4
    hi = np.ceil(max(both.max(initial=1.0), 1.0) * 4) / 4
    bins = np.arange(lo, hi + 0.25, 0.25).tolist()
    ax.hist(r, bins=bins, density=True, alpha=0.65, color="#1565c0", label=f"occurrences (n={len(r)})")
    if len(base):
        ax.hist(base, bins=bins, density=True, histtype="step", lw=1.8, color="#ef6c00",
                label=f"random entries (n={len(base)})")
    ax.axvline(0, color="k", lw=0.8)
    ax.set_xlabel("R per trade")
    ax.set_ylabel("density")
    ax.set_title("Distribution of R")
    ax.legend(frameon=False)
    return figure_png(fig)


def equity_curve(res) -> bytes:
    fig = Figure(figsize=(7, 3.6))
    ax = fig.add_subplot()
    closed = _closed(res.occurrences).sort_values(["exit_date", "date"])
    ax.plot(closed["exit_date"], closed["r"].cumsum(), color="#1565c0", lw=1.4,
            label="every occurrence, 1R each")
    if res.base_rate and res.base_rate.get("mean_r") is not None and len(closed):
        ax.plot(closed["exit_date"], np.arange(1, len(closed) + 1) * res.base_rate["mean_r"], color="#ef6c00",
                lw=1.2, ls="--", label="same count at the base-rate mean R")
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("cumulative R")
    ax.set_title("Equity of taking every signal (by exit date)")
    ax.legend(frameon=False)
    fig.autofmt_xdate()
    return figure_png(fig)


SCATTER_MAX = 3000   # above this many trades, points hide each other: show density instead


def mfe_mae(res) -> bytes:
    return figure_png(mfe_mae_figure(res))


def mfe_mae_figure(res) -> Figure:
    """MAE vs MFE per trade: a scatter coloured by outcome for a few thousand trades; past
    SCATTER_MAX a hexbin of trade counts (log scale) with the outcome shares in the title."""
    fig = Figure(figsize=(6, 4.5))
    ax = fig.add_subplot()
    frame = res.occurrences
    ok = frame[np.isfinite(frame["mae_r"]) & np.isfinite(frame["mfe_r"])]
    if len(ok) > SCATTER_MAX:
        hb = ax.hexbin(ok["mae_r"], ok["mfe_r"], gridsize=60, bins="log", cmap="viridis", mincnt=1)
        fig.colorbar(hb, ax=ax, label="trades per cell (log)")
        shares = ", ".join(f"{o} {np.mean(ok['outcome'] == o):.0%}" for o in COLORS if (ok["outcome"] == o).any())
        ax.set_title(f"Excursions per trade ({len(ok):,} trades: {shares})", fontsize=9)
    else:
        for outcome, color in COLORS.items():
            part = ok[ok["outcome"] == outcome]
            if len(part):
                ax.scatter(part["mae_r"], part["mfe_r"], s=8, alpha=0.5, color=color,
                           label=f"{outcome} ({len(part)})")
        ax.set_title("Excursions per trade")
        ax.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_xlabel("MAE (R, worst move against)")
    ax.set_ylabel("MFE (R, best move in favour)")
    return fig


def heatmap(res) -> bytes | None:
    if not res.grid:
        return None
    cells = pd.DataFrame(res.grid)
    axes = list(res.grid_axes)
    col_key = axes[-1]
    row_keys = axes[:-1]
    cells["row"] = cells[row_keys].astype(str).agg(" ".join, axis=1) if row_keys else "all"
    table = cells.pivot_table(index="row", columns=col_key, values="mean_r", sort=False, aggfunc="first")
    counts = cells.pivot_table(index="row", columns=col_key, values="signals", sort=False, aggfunc="first")
    data = table.to_numpy(dtype="float64")
    fig = Figure(figsize=(1.2 + 0.9 * data.shape[1], 1.0 + 0.38 * data.shape[0]))
    ax = fig.add_subplot()
    lim = np.nanmax(np.abs(data)) if np.isfinite(data).any() else 1.0
    im = ax.imshow(data, cmap="RdYlGn", vmin=-lim, vmax=lim, aspect="auto")
    ax.set_xticks(range(data.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(data.shape[0]), [str(i) for i in table.index], fontsize=7)
    ax.set_xlabel(col_key)
    ax.set_ylabel(" / ".join(row_keys) if row_keys else "")
    if data.size <= 400:
        for i in range(data.shape[0]):
            for j in range(data.shape[1]):
                if np.isfinite(data[i, j]):
                    ax.text(j, i, f"{data[i, j]:+.2f}\nn={int(counts.iloc[i, j])}", ha="center", va="center",
                            fontsize=6)
    fig.colorbar(im, ax=ax, label="mean R")
    ax.set_title(f"Mean R per cell ({len(cells)} cells tried)")
    return figure_png(fig)


def _num(v, fmt="{:.3f}") -> str:
    return display.fmt(v, fmt, "n/a")


def _ci(ci, fmt="{:.3f}") -> str:
    return f"[{_num(ci[0], fmt)}, {_num(ci[1], fmt)}]" if ci else "n/a"


def _table(rows: list[list], head: list[str]) -> str:
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>")
    return "\n".join(out) + "</table>"


# What p_mean_r_gt0 is: a p-value (small = evidence of a positive mean), not the chance that mean R > 0.
P_LABEL = "p-value, mean R > 0 (one-sided t-test)"


def cell_text(cell: dict) -> str:
    """The exit/zone settings of a study cell in words (not a raw dict)."""
    if not isinstance(cell, dict):
        return str(cell)
    target = cell.get("target")
    target = "+".join(map(str, target)) if isinstance(target, (list, tuple)) else target
    width = cell.get("zone_width")
    width = f"{width:g}" if isinstance(width, (int, float)) else width
    parts = [f"#{cell['index']}:" if "index" in cell else "", f"stop {cell.get('stop')}", f"target {target}",
             f"hold {cell.get('hold')}", f"zone {cell.get('zone_lookback')}-session extreme +- {width} ATR"]
    return " ".join(p for p in parts[:1] if p) + (" " if parts[0] else "") + ", ".join(parts[1:])


def _summary_rows(doc: dict) -> list[list]:
    s, b, e = doc["summary"], doc.get("base_rate") or {}, doc.get("edge") or {}
    pct = "{:.1%}"
    return [
        ["closed trades", s["signals"], b.get("signals", "")],
        ["hit rate (target reached)", f"{_num(s['hit_rate'], pct)} {_ci(s['hit_rate_ci'], pct)}",
         f"{_num(b.get('hit_rate'), pct)} {_ci(b.get('hit_rate_ci'), pct)}" if b else ""],
        ["win rate (R > 0)", _num(s["win_rate"], pct), _num(b.get("win_rate"), pct) if b else ""],
        ["mean R (95% bootstrap)", f"{_num(s['mean_r'])} {_ci(s['mean_r_ci'])}",
         f"{_num(b.get('mean_r'))} {_ci(b.get('mean_r_ci'))}" if b else ""],
        ["expectancy (R)", _num(s["expectancy"]), _num(b.get("expectancy")) if b else ""],
        ["expectancy (% of entry)", _num(s["expectancy_pct"], "{:.2f}%"),
         _num(b.get("expectancy_pct"), "{:.2f}%") if b else ""],
        ["profit factor", _num(s["profit_factor"], "{:.2f}"), _num(b.get("profit_factor"), "{:.2f}") if b else ""],
        [P_LABEL, _num(s["p_mean_r_gt0"], "{:.3g}"), _num(b.get("p_mean_r_gt0"), "{:.3g}") if b else ""],
        ["outcomes target/stop/time", "/".join(str(s["outcomes"][k]) for k in ("target", "stop", "time")),
         "/".join(str(b["outcomes"][k]) for k in ("target", "stop", "time")) if b else ""],
        ["median sessions to outcome", _num(s["sessions_to_outcome"].get("median"), "{:.0f}"),
         _num(b.get("sessions_to_outcome", {}).get("median"), "{:.0f}") if b else ""],
        ["edge: mean R minus base", f"{_num(e.get('mean_r_diff'))} {_ci(e.get('mean_r_diff_ci'))}"
         if e else "", f"p = {_num(e.get('p_signal_better'), '{:.3g}')}" if e else ""],
    ]


def write_report(res, directory: str | Path) -> Path:
    """Write index.html and the PNG charts into ``directory`` (created); returns the HTML path."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    doc = res.to_dict()
    charts = {"r_histogram.png": r_histogram(res), "equity.png": equity_curve(res), "mfe_mae.png": mfe_mae(res)}
    heat = heatmap(res)
    if heat is not None:
        charts["grid_heatmap.png"] = heat
    for name, data in charts.items():
        (out / name).write_bytes(data)
    img = {k: f'<img alt="{k}" src="data:image/png;base64,{base64.b64encode(v).decode()}">' for k, v in charts.items()}
    parts = [f"<h1>Study: {html.escape(doc['idea']['title'])}</h1>",
             f"<p>{html.escape(doc['idea']['direction'])} setup, {doc['data']['symbols']} symbol(s) from "
             f"{html.escape(str(doc['data']['source']))}; cell {html.escape(cell_text(doc['cell']))}</p>"]
    for w in doc["warnings"] + doc["notes"]:
        parts.append(f'<p class="warn">{html.escape(w)}</p>')
    parts.append("<h2>Summary</h2>" + _table(_summary_rows(doc), ["figure", "occurrences", "random entries"]))
    parts += ["<h2>Charts</h2>", img["r_histogram.png"], img["equity.png"], img["mfe_mae.png"]]
    if doc["grid"]:
        mc = doc["grid"]["multiple_comparisons"]
        parts += ["<h2>Grid</h2>", f'<p class="warn">{html.escape(mc["warning"])}</p>', img["grid_heatmap.png"]]
        cells = sorted(doc["grid"]["cells"], key=lambda r: -(r["mean_r"] if r["mean_r"] is not None else -1e9))
        keys = list(doc["grid"]["axes"])
        parts.append(_table([[r["cell"], *[r.get(k) for k in keys], r["signals"], _num(r["hit_rate"], "{:.1%}"),
                              _num(r["mean_r"]), _num(r.get("base_mean_r")), _num(r["p_mean_r_gt0"], "{:.3g}"),
                              _num(r["p_holm"], "{:.3g}")] for r in cells[:30]],
                            ["cell", *keys, "trades", "hit", "mean R", "base mean R", "p", "p Holm"]))
    if doc["split"]:
        sp = doc["split"]
        rows = [[name, part["summary"]["signals"], _num(part["summary"]["mean_r"]), _ci(part["summary"]["mean_r_ci"]),
                 _num((part.get("base_rate") or {}).get("mean_r"))]
                for name, part in (("in sample", sp["in_sample"]), ("out of sample", sp["out_of_sample"]))]
        parts += [f"<h2>Walk-forward split at {sp['date']}</h2>",
                  _table(rows, ["sample", "trades", "mean R", "95% CI", "base mean R"])]
        if sp.get("selection"):
            parts.append(f"<p>{html.escape(sp['selection'])}</p>")
    occ = doc["occurrences"]
    shown = occ[-300:]
    parts.append(f"<h2>Occurrences ({len(occ)}; last {len(shown)} shown)</h2>")
    cols = ["symbol", "date", "trigger", "entry_date", "entry_price", "stop", "target", "exit_date", "exit_price",
            "outcome", "r", "mfe_r", "mae_r", "sessions"]
    parts.append(_table([[_cell(o.get(c)) for c in cols] for o in shown], cols))
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>thesis study</title><style>{CSS}</style>"
            f"</head><body>{''.join(parts)}</body></html>")
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _cell(v):
    if isinstance(v, float):
        return f"{v:.2f}"
    return "" if v is None else v


CSS = """body{font-family:system-ui,sans-serif;margin:24px;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}td,th{border:1px solid #ccc;padding:3px 7px;
text-align:right}th{background:#f3f3f3}img{max-width:100%;display:block;margin:10px 0}
.warn{background:#fff8e1;border-left:4px solid #f9a825;padding:6px 10px}"""
