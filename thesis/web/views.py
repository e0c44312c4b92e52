"""Documents for the market, study and options pages (the CLI's functions, shaped for a page)."""
from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from thesis.web.core import _round, _ts


# ----------------------------------------------------------------- options
def plan_for_idea(path: Path, source: str | None = None):
    """What `thesis options plan IDEA` runs, with the same defaults (the idea's direction,
    levels, horizon and [options] vol; as of its publication date). An idea without an
    [options] vol uses realized vol of its symbol (the CLI asks for --iv-source then)."""
    from thesis.options.plan import plan_options
    from thesis.spec import load

    spec = load(path)
    published = dt.date.fromisoformat(str(spec.idea.published))
    # Every horizon form (sessions and end dates too), as `thesis options plan IDEA` does; an idea
    # without one gets 180 days here, and the plan's notes say so.
    horizon_days = spec.horizon_days(published) or 180
    iv, iv_source = (spec.options.iv, spec.options.iv_source) if spec.options is not None else (None, None)
    notes = []
    if not spec.idea.horizon:
        notes.append("the idea gives no horizon: 180 days are assumed (`thesis options plan IDEA --horizon-days N`)")
    if iv is None and iv_source is None:
        iv_source = "realized"
        notes.append(f"the idea gives no implied vol: realized vol of {spec.symbol} is used "
                     f"(`thesis options plan IDEA --iv-source realized`)")
    plan = plan_options(spec.direction, spec.entry_price, spec.levels.stop, list(spec.levels.targets), horizon_days,
                        published, spot=None, iv=iv, iv_source=iv_source, symbol=spec.symbol, rate=0.0,
                        div_yield=0.0, style="european", target_days=None, rank_by="reward_risk", open_at="entry",
                        source=source)
    return spec, plan, notes


def options_view(path: Path, source: str | None = None) -> dict:
    from thesis.options.scenario import scenario_grid

    spec, plan, notes = plan_for_idea(path, source)
    doc = {**plan.to_dict(), "chart": None}
    view = {"title": spec.idea.title, "symbol": spec.symbol, "plan": doc, "notes": notes, "grid": None}
    if plan.candidates:
        best = plan.best
        grid = scenario_grid(best.position, plan.asof, plan.open_price, plan.vol.iv, plan.rate, plan.div_yield,
                             plan.style, stop=plan.stop, targets=plan.targets,
                             horizon_date=plan.asof + dt.timedelta(days=plan.horizon_days))
        g = grid.to_dict()
        view["grid"] = g
        view["payoff_svg"] = payoff_svg(g)
    return view


# ----------------------------------------------------------------- small SVG plots
PALETTE = ["#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#d62728"]


def _scale(lo, hi, a, b):
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def payoff_svg(g: dict, width: int = 760, height: int = 340) -> dict:
    """Lines of P&L against the underlying price, one per date of the grid (data for the template)."""
    prices, dates, pnl = g["prices"], g["dates"], g["pnl"]
    lo = min(min(r) for r in pnl)
    hi = max(max(r) for r in pnl)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    left, right, top, bottom = 70, width - 130, 14, height - 36
    sx = _scale(prices[0], prices[-1], left, right)
    sy = _scale(lo, hi, bottom, top)
    lines = []
    for j, d in enumerate(dates):
        pts = " ".join(f"{sx(p):.1f},{sy(v):.1f}" for p, v in zip(prices, pnl[j]))
        lines.append({"points": pts, "color": PALETTE[j % len(PALETTE)], "label": d,
                      "y": top + 14 * j + 6})
    marks = []
    for kind, level in [("stop", g.get("stop"))] + [("target", t) for t in g.get("targets") or []]:
        if level is not None and prices[0] <= level <= prices[-1]:
            marks.append({"x": round(sx(level), 1), "label": f"{kind} {level:g}"})
    yticks = [{"y": round(sy(v), 1), "label": f"{v:,.0f}"} for v in _ticks(lo, hi)]
    xticks = [{"x": round(sx(v), 1), "label": f"{v:g}"} for v in _ticks(prices[0], prices[-1])]
    return {"width": width, "height": height, "lines": lines, "marks": marks, "zero": round(sy(0.0), 1),
            "left": left, "right": right, "top": top, "bottom": bottom, "yticks": yticks, "xticks": xticks,
            "legend_x": right + 10}


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    import math

    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step) * step
    out, v = [], start
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


def histogram_svg(hist: dict, width: int = 520, height: int = 220) -> dict:
    """Bars of the R histogram (edges/counts as the study document gives them)."""
    edges, counts = hist["edges"], hist["counts"]
    left, right, top, bottom = 44, width - 10, 10, height - 30
    peak = max(counts) or 1
    sx = _scale(edges[0], edges[-1], left, right)
    sy = _scale(0, peak, bottom, top)
    bars = [{"x": round(sx(edges[i]), 1), "w": round(sx(edges[i + 1]) - sx(edges[i]) - 1, 1),
             "y": round(sy(c), 1), "h": round(bottom - sy(c), 1), "count": c,
             "color": "#d9534f" if edges[i + 1] <= 0 else "#5cb85c",
             "label": f"{edges[i]:g} to {edges[i + 1]:g} R: {c}"} for i, c in enumerate(counts)]
    xt = [{"x": round(sx(e), 1), "label": f"{e:g}"} for e in edges]
    yt = [{"y": round(sy(v), 1), "label": f"{v:g}"} for v in _ticks(0, peak, 4)]
    return {"width": width, "height": height, "bars": bars, "xticks": xt, "yticks": yt, "bottom": bottom,
            "left": left, "right": right, "zero_x": round(sx(0), 1) if edges[0] < 0 < edges[-1] else None}


def heat_color(value, lo: float, hi: float) -> str:
    """Red (negative) to white to green (positive), for mean R."""
    if value is None:
        return "#eeeeee"
    m = max(abs(lo), abs(hi)) or 1.0
    x = max(-1.0, min(1.0, value / m))
    if x >= 0:
        r, g, b = int(255 - 155 * x), int(255 - 75 * x), int(255 - 155 * x)
    else:
        r, g, b = int(255 + 0 * x), int(255 + 155 * x), int(255 + 155 * x)
    return f"#{r:02x}{g:02x}{b:02x}"


def grid_heatmap(doc: dict) -> dict | None:
    """Two grid axes as rows x columns of cells (mean R, trades, p Holm); further axes are
    shown as separate rows of the table below the map."""
    grid = doc.get("grid")
    if not grid:
        return None
    axes = list(grid["axes"])
    cells = grid["cells"]
    if len(axes) == 1:
        axes = axes + [None]
    ax_r, ax_c = axes[0], axes[1]
    rows = list(dict.fromkeys(str(c.get(ax_r)) for c in cells))
    cols = list(dict.fromkeys(str(c.get(ax_c)) for c in cells)) if ax_c else [""]
    vals = [c["mean_r"] for c in cells if c.get("mean_r") is not None]
    lo, hi = (min(vals), max(vals)) if vals else (0.0, 0.0)
    table = []
    for rv in rows:
        line = []
        for cv in cols:
            match = [c for c in cells if str(c.get(ax_r)) == rv and (ax_c is None or str(c.get(ax_c)) == cv)]
            c = match[0] if match else None
            line.append(None if c is None else {"mean_r": c.get("mean_r"), "signals": c.get("signals"),
                                                "p_holm": c.get("p_holm"), "color": heat_color(c.get("mean_r"), lo, hi)})
        table.append({"label": rv, "cells": line})
    return {"rows_axis": ax_r, "cols_axis": ax_c or "", "cols": cols, "rows": table,
            "warning": grid.get("multiple_comparisons", {}).get("warning")}


# ----------------------------------------------------------------- study jobs
@dataclass
class StudyJob:
    key: tuple
    started: float = field(default_factory=time.time)
    progress: dict = field(default_factory=dict)
    done: threading.Event = field(default_factory=threading.Event)
    doc: dict | None = None
    error: str | None = None


def parse_grid(grid: str | None) -> list[str] | None:
    """'stop=5%,8% target=2R,3R' -> ['stop=5%,8%', 'target=2R,3R'] (validated by the study)."""
    if not grid:
        return None
    return [p for p in grid.replace(";", " ").split() if p]


def study_job(state, idea_id: str, path: Path, grid: str | None) -> StudyJob:
    """Start (or find) the study of one idea with one grid; runs in a thread, reports progress."""
    from thesis.web.core import file_key

    key = ("study", file_key(path), grid or "", state.source)
    with state.jobs_lock:
        job = state.jobs.get(key)
        if job is not None and not (job.error and time.time() - job.started > 5):
            return job
        job = StudyJob(key)
        state.jobs[key] = job
        done = sorted((j for j in state.jobs.values() if j.done.is_set()), key=lambda j: j.started)
        for old in done[: max(0, len(state.jobs) - 16)]:  # keep the last few results, not every grid tried
            state.jobs.pop(old.key, None)

    def progress(phase, done, total):
        job.progress = {"phase": phase, "done": int(done), "total": int(total)}

    def run():
        from thesis.jsonable import to_jsonable
        from thesis.errors import ThesisError
        from thesis.study import study

        try:
            res = study(path, grid=parse_grid(grid), source=state.source, progress=progress, workers=1)
            job.doc = to_jsonable(res.to_dict())
        except ThesisError as exc:
            job.error = str(exc)
        except Exception as exc:  # shown on the page instead of a dead progress bar
            job.error = f"study failed: {type(exc).__name__}: {exc}"
        finally:
            job.done.set()

    threading.Thread(target=run, name=f"study-{idea_id}", daemon=True).start()
    return job


def study_view(doc: dict) -> dict:
    s = doc["summary"]
    return {"histogram": histogram_svg(s["r_histogram"]) if s.get("r_histogram") else None,
            "heatmap": grid_heatmap(doc)}


# ----------------------------------------------------------------- market
def market_doc(ctx, asof=None) -> dict:
    """The document `thesis market --json [--asof]` prints."""
    from thesis.market import market_report
    from thesis.market.report import resolve_asof

    when = resolve_asof(asof.isoformat() if asof else None, ctx)
    return market_report(when, context=ctx)


def market_view(ctx, asof=None) -> dict:
    doc = market_doc(ctx, asof)
    return {"doc": doc, "series": market_series(ctx, asof)}


def market_series(ctx, asof=None) -> dict:
    """Time series for the market page's panes, up to the as-of session: the index,
    % above 20/50/200, the A/D line, McClellan oscillator, net new highs, VIX."""
    import pandas as pd

    from thesis.errors import ThesisError

    out: dict = {"asof": None, "index": None, "panes": {}, "vix": None}
    try:
        b = ctx.breadth()
    except ThesisError as exc:
        out["error"] = str(exc)
        return out
    if len(b):
        out["range"] = [b.index[0].date().isoformat(), b.index[-1].date().isoformat()]
    if asof is not None:
        b = b[b.index <= pd.Timestamp(asof)]
    if not len(b):
        return out
    out["asof"] = b.index[-1].date().isoformat()
    t = [_ts(d) for d in b.index]

    def series(col, digits=3):
        vals = b[col].astype("float64")
        keep = vals.notna().to_numpy()
        return {"t": [x for x, k in zip(t, keep) if k], "v": _round(vals[keep], digits)}

    if "index_close" in b:
        out["index"] = series("index_close", 2)
    out["panes"] = {
        "pct_above": {w: series(f"pct_above_{w}", 2) for w in (20, 50, 200)},
        "ad_line": series("ad_line", 0),
        "mcclellan": series("mcclellan_osc", 2),
        "net_new_highs": series("net_new_highs", 0),
    }
    try:
        vix = ctx.bars_prefer("VIX", "as-traded")["close"]
        vix = vix[(vix.index >= b.index[0]) & (vix.index <= b.index[-1])]
        out["vix"] = {"t": [_ts(d) for d in vix.index], "v": _round(vix, 2)}
    except ThesisError:
        pass
    return out


# ----------------------------------------------------------------- live updates
def folder_signature(folder) -> tuple:
    """Names, sizes and mtimes of the idea files (and of the watch journal when there is one)."""
    items = []
    try:
        for p in sorted(folder.root.glob("*.toml")):
            try:
                s = p.stat()
            except OSError:
                continue
            items.append((p.name, s.st_mtime_ns, s.st_size))
    except OSError:
        pass
    journal = journal_path()
    if journal is not None:
        try:
            s = journal.stat()
            items.append(("journal", s.st_mtime_ns, s.st_size))
        except OSError:
            pass
    return tuple(items)


def journal_path():
    from thesis.watch.journal import Journal

    return Journal().path


def scorecard_view(result, page_ids: set[str]) -> dict:
    """What the scorecard page shows: per group the figures, the verdict and the two charts of
    the HTML report (inline PNG), and one row per idea linking to its page."""
    import base64

    import numpy as np

    from thesis.scorecard.report import equity_chart, skill_chart

    doc = result.to_dict()
    key = doc["by"]
    groups = []
    for group in doc["authors"]:
        name = str(group[key])
        rows = [i for i, g in enumerate(result.grades) if str(getattr(g, key)) == name]
        means = np.zeros(0)
        tested = [i for i in rows if result.grades[i].skill is not None]
        if result.random_r is not None and tested:
            sub = result.random_r[tested]
            with np.errstate(invalid="ignore"):
                counts = np.sum(np.isfinite(sub), axis=0)
                means = np.where(counts > 0, np.nansum(sub, axis=0) / np.maximum(counts, 1), np.nan)
        png = {"equity": equity_chart(group, name),
               "skill": skill_chart(group, means, [result.grades[i].r for i in rows if result.grades[i].filled], name)}
        ideas = []
        for i in rows:
            g = result.grades[i].to_dict()
            g["link"] = g["id"] if g["id"] in page_ids else None
            g["claims_text"] = "" if not g["claims"] else f"{sum(c['held'] for c in g['claims'])}/{len(g['claims'])} held"
            ideas.append(g)
        groups.append({"name": name, "g": group, "ideas": ideas,
                       "img": {k: "data:image/png;base64," + base64.b64encode(v).decode() for k, v in png.items()}})
    return {"doc": doc, "groups": groups}
