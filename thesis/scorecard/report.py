"""The scorecard's HTML report: one page per run, charts inlined, one row per idea linking
to its replay snapshot (PNG files beside the page)."""
from __future__ import annotations

from thesis import display
import base64
import html
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from thesis.study.report import CSS, figure_png

OUTCOME_COLORS = {"target": "#2e7d32", "stop": "#c62828", "time": "#1565c0", "open": "#9e9e9e"}


def equity_chart(group: dict, name: str) -> bytes:
    """Running sum of R, following every filled idea at 1R in publication order."""
    fig = Figure(figsize=(7, 3.4))
    ax = fig.add_subplot()
    eq = group["equity_r"]
    x = np.arange(1, len(eq) + 1)
    cum = [p["cum_r"] for p in eq]
    ax.step(x, cum, where="post", color="#1565c0", lw=1.6)
    ax.plot(x, cum, "o", color="#1565c0", ms=3.5)
    ax.axhline(0, color="k", lw=0.8)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("filled ideas, in publication order")
    ax.set_ylabel("cumulative R")
    ax.set_title(f"{name}: every idea at 1R (worst drawdown {group['worst_drawdown_r']:.2f} R)")
    ax.grid(alpha=0.25)
    return figure_png(fig)


def skill_chart(group: dict, means: np.ndarray, r: list[float], name: str) -> bytes:
    """Left: the author's R per trade. Right: random-entry mean R with the author's mean marked."""
    fig = Figure(figsize=(10, 3.4))
    left, right = fig.subplots(1, 2)
    taken = np.asarray([v for v in r if v is not None], dtype="float64")
    if len(taken):
        lo, hi = np.floor(min(taken.min(), -1.0) * 2) / 2, np.ceil(max(taken.max(), 1.0) * 2) / 2
        left.hist(taken, bins=np.arange(lo, hi + 0.5, 0.5).tolist(), color="#1565c0", alpha=0.75, edgecolor="white")
    left.axvline(0, color="k", lw=0.8)
    left.set_xlabel("R per trade")
    left.set_ylabel("trades")
    left.set_title(f"{name}: R of each filled idea (n={len(taken)})")
    means = means[np.isfinite(means)]
    skill = group["skill"]
    if len(means):
        right.hist(means, bins=40, color="#ef6c00", alpha=0.7, edgecolor="white")
        if skill.get("author_mean_r") is not None:
            right.axvline(skill["author_mean_r"], color="#1565c0", lw=2.2,
                          label=f"author {skill['author_mean_r']:+.2f} R (percentile {skill['percentile']:.0f})")
            right.legend(frameon=False, loc="upper left")
            lo = min(float(means.min()), skill["author_mean_r"])
            hi = max(float(means.max()), skill["author_mean_r"])
            pad = 0.08 * (hi - lo or 1.0)
            right.set_xlim(lo - pad, hi + pad)
    right.set_xlabel("mean R of one random-entry draw")
    right.set_ylabel("draws")
    right.set_title(f"Random entries, same levels ({len(means)} draws)")
    fig.tight_layout()
    return figure_png(fig)


def _img(data: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(data).decode()}">'


def _fmt(v, fmt="{:+.2f}") -> str:
    return display.fmt(v, fmt, "")


def write_report(card, directory, source: str | None = None, snapshots: bool = True) -> Path:
    """index.html, per-group charts and one replay snapshot per graded idea in ``directory``."""
    from thesis.errors import ParameterError, ThesisError

    out = Path(directory)
    if out.exists() and not out.is_dir():
        raise ParameterError("report", f"{directory}: is a file; give a folder to write the report into")
    out.mkdir(parents=True, exist_ok=True)
    doc = card.to_dict()
    key = doc["by"]
    parts = [f"<h1>Scorecard: {html.escape(doc['folder'])}</h1>",
             f"<p>{len(doc['ideas'])} ideas graded by {html.escape(key)}; skill test with {doc['settings']['draws']} "
             "random-entry draws (same levels, same fill rules).</p>"]
    snaps = {}
    if snapshots:
        from thesis.chart import chart
        from thesis.spec import load

        (out / "snapshots").mkdir(exist_ok=True)
        for g in card.grades:
            if g.outcome == "error" or not g.file:
                continue
            target = out / "snapshots" / f"{g.id}.png"
            try:
                chart(load(g.file), target, source=source, asof=card.asof)
                snaps[g.id] = f"snapshots/{g.id}.png"
            except (ThesisError, OSError):
                pass
    for gi, group in enumerate(doc["authors"]):
        name = str(group[key])
        rows = [i for i, g in enumerate(card.grades) if str(getattr(g, key)) == name]
        means = np.zeros(0)
        if card.random_r is not None:
            sub = card.random_r[[i for i in rows if card.grades[i].skill is not None]]
            with np.errstate(invalid="ignore"):
                counts = np.sum(np.isfinite(sub), axis=0)
                means = np.where(counts > 0, np.nansum(sub, axis=0) / np.maximum(counts, 1), np.nan)
        eq = equity_chart(group, name)
        sk = skill_chart(group, means, [card.grades[i].r for i in rows if card.grades[i].filled], name)
        (out / f"equity-{gi + 1}.png").write_bytes(eq)
        (out / f"skill-{gi + 1}.png").write_bytes(sk)
        s = group["skill"]
        figures = [
            ("ideas / filled / closed / open", f"{group['ideas']} / {group['filled']} / {group['closed']} / {group['open']}"),
            ("fill rate", _fmt(group["fill_rate"], "{:.0%}")),
            ("hit rate (Wilson 95%)", f"{_fmt(group['hit_rate'], '{:.0%}')} {_ci(group['hit_rate_ci'], '{:.0%}')}"),
            ("win rate", _fmt(group["win_rate"], "{:.0%}")),
            ("mean R (bootstrap 95%)", f"{_fmt(group['mean_r'])} {_ci(group['mean_r_ci'])}"),
            ("expectancy", f"{_fmt(group['expectancy_r'])} R, {_fmt(group['expectancy_pct'])}% per trade"),
            ("total R / worst drawdown", f"{_fmt(group['total_r'])} R / {_fmt(group['worst_drawdown_r'], '{:.2f}')} R"),
            ("claims held", f"{group['claims_held']} of {group['claims']}"),
            ("median days held vs stated", f"{_fmt(group['median_days_used'], '{:.0f}')} vs "
                                           f"{_fmt(group['median_days_stated'], '{:.0f}')}"),
            ("skill: percentile, p", f"{_fmt(s.get('percentile'), '{:.0f}')}, {_fmt(s.get('p_value'), '{:.3f}')}"),
        ]
        parts += [f"<h2>{html.escape(name)}</h2>", f"<p><b>Verdict:</b> {html.escape(s['verdict'])}</p>",
                  _table([[a, b] for a, b in figures], ["figure", "value"]), _img(eq, "equity"), _img(sk, "skill")]
        head = ["published", "symbol", "side", "outcome", "R", "MFE R", "MAE R", "days", "claims", "snapshot"]
        body = []
        for i in rows:
            g = card.grades[i]
            claims = "" if not g.claims else f"{sum(c['held'] for c in g.claims)}/{len(g.claims)} held"
            link = (f'<a href="{html.escape(snaps[g.id])}">{html.escape(g.id)}</a>' if g.id in snaps
                    else html.escape(g.id))
            outcome = g.outcome if not g.error else f"error: {g.error}"
            color = OUTCOME_COLORS.get(outcome.split()[0], "#222")
            body.append([html.escape(g.published), html.escape(g.symbol), g.direction,
                         f'<span style="color:{color}">{html.escape(outcome)}</span>', _fmt(g.r), _fmt(g.mfe_r),
                         _fmt(g.mae_r), "" if g.days_to_outcome is None else str(g.days_to_outcome), claims, link])
        parts.append(_table(body, head, escape=False))
    if doc["skipped"]:
        parts.append("<h2>Not graded</h2>" + _table(
            [[s["file"], s["reason"], ", ".join(s.get("missing") or [])] for s in doc["skipped"]],
            ["file", "reason", "lacks"]))
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>thesis scorecard</title>"
            f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>")
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _ci(ci, fmt="{:+.2f}") -> str:
    return "" if not ci or ci[0] is None else f"[{fmt.format(ci[0])}, {fmt.format(ci[1])}]"


def _table(rows, head, escape: bool = True) -> str:
    esc = html.escape if escape else (lambda s: s)
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    trs = "".join("<tr>" + "".join(f"<td>{esc(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><tr>{th}</tr>{trs}</table>"
