"""Per-author figures over graded ideas. Definitions (also in docs/scorecard.md):

- fill rate: filled ideas / ideas graded (ideas whose entry window is still open count as not filled);
- hit rate: closed trades whose last target filled / closed trades (Wilson 95% interval);
- win rate: closed trades with R > 0 / closed trades;
- mean R: over filled trades, open ones marked at the last close (seeded bootstrap 95% interval);
- expectancy: mean R per idea taken, in R and in percent of the entry price;
- worst drawdown: the deepest fall of the running sum of R, following every filled idea at
  1R in publication order;
- claims held: claims consistent with the idea's own levels / claims made.
"""
from __future__ import annotations

import math

import numpy as np

from thesis.scorecard.skill import place

MIN_IDEAS_FOR_SKILL = 10


def _round(v, nd=4):
    return None if v is None or not math.isfinite(v) else round(float(v), nd)


def worst_drawdown(r_in_order) -> float:
    """Deepest drop of the cumulative R from its running peak (the peak starts at 0)."""
    cum = np.cumsum(np.asarray(r_in_order, dtype="float64"))
    if not len(cum):
        return 0.0
    peak = np.maximum.accumulate(np.concatenate([[0.0], cum]))[1:]
    return float(np.max(peak - cum, initial=0.0))


def author_summary(author: str, grades: list, rand: np.ndarray | None, rows: list[int], seed: int = 0) -> dict:
    from thesis.study.stats import bootstrap_mean_ci, wilson_interval

    ordered = sorted(grades, key=lambda g: (g.published, g.file))
    filled = [g for g in ordered if g.filled and g.r is not None]
    closed = [g for g in filled if g.closed]    # "open after target 1/2" is still open
    hits = sum(1 for g in closed if g.outcome.startswith("target"))
    r = np.array([g.r for g in filled], dtype="float64")
    r_closed = np.array([g.r for g in closed], dtype="float64")
    claims = [c for g in ordered for c in g.claims]
    used = [g.days_to_outcome for g in closed if g.days_to_outcome is not None]
    stated = [g.horizon_stated_days for g in ordered if g.horizon_stated_days is not None]
    pct = [g.return_pct for g in filled if g.return_pct is not None]
    doc = {
        "author": author,
        "ideas": len(ordered),
        "graded": sum(1 for g in ordered if g.outcome != "error"),
        "filled": len(filled),
        "fill_rate": _round(len(filled) / len(ordered)) if ordered else None,
        "closed": len(closed),
        "open": len(filled) - len(closed),
        "hits": hits,
        "hit_rate": _round(hits / len(closed)) if closed else None,
        "hit_rate_ci": [_round(x) for x in wilson_interval(hits, len(closed))] if closed else None,
        "win_rate": _round(float(np.mean(r_closed > 0))) if len(r_closed) else None,
        "mean_r": _round(float(np.mean(r))) if len(r) else None,
        "mean_r_ci": [_round(x) for x in bootstrap_mean_ci(r, 2000, seed=seed)] if len(r) >= 2 else None,
        "expectancy_r": _round(float(np.mean(r))) if len(r) else None,
        "expectancy_pct": _round(float(np.mean(pct))) if pct else None,
        "total_r": _round(float(np.sum(r))) if len(r) else 0.0,
        "worst_drawdown_r": _round(worst_drawdown(r)),
        "claims": len(claims),
        "claims_held": sum(1 for c in claims if c["held"]),
        "claims_held_share": _round(sum(1 for c in claims if c["held"]) / len(claims)) if claims else None,
        "median_days_used": _round(float(np.median(used)), 1) if used else None,
        "median_days_stated": _round(float(np.median(stated)), 1) if stated else None,
        "equity_r": [{"published": g.published, "id": g.id, "r": g.r,
                      "cum_r": _round(float(np.sum(r[:i + 1])))} for i, g in enumerate(filled)],
    }
    doc["money"] = money_totals(filled)
    doc["skill"] = skill_test(grades, rand, rows)
    return doc


def money_totals(filled: list) -> dict | None:
    """The group's P&L in the account currency over the filled ideas whose size is known (each sized
    to the same risk); None without an account. Ideas whose rate could not be had, and ideas where one
    unit (a futures contract) risks more than the budget, are counted apart."""
    sized = [g.money for g in filled if g.money is not None]
    if not sized:
        return None
    known = [m for m in sized if "error" not in m and m["units"] > 0]
    too_big = sum(1 for m in sized if "error" not in m and m["units"] == 0)
    return {"currency": sized[0]["currency"], "ideas_sized": len(known),
            "ideas_unsized": len(sized) - len(known) - too_big, "ideas_below_one_unit": too_big,
            "total_pnl": _round(sum(m["pnl_position"] for m in known), 2) if known else None,
            "max_loss_total": _round(sum(m["max_loss"] for m in known), 2) if known else None}


def skill_test(grades: list, rand: np.ndarray | None, rows: list[int]) -> dict:
    """Author's mean R over the ideas in the test, placed among the random-entry means."""
    if rand is None or not rows:
        return {"percentile": None, "p_value": None, "draws": 0, "ideas_in_test": 0,
                "verdict": "no idea could be tested (no entry to time against)"}
    picked = [grades[i] for i in range(len(grades)) if i in set(rows)]
    author_r = np.array([g.r for g in picked if g.filled and g.r is not None], dtype="float64")
    sub = rand[rows]
    with np.errstate(invalid="ignore"):
        counts = np.sum(np.isfinite(sub), axis=0)
        means = np.where(counts > 0, np.nansum(sub, axis=0) / np.maximum(counts, 1), np.nan)
    author_mean = float(np.mean(author_r)) if len(author_r) else math.nan
    out = place(author_mean, means)
    out.update({"ideas_in_test": len(rows), "filled_in_test": int(len(author_r)),
                "author_mean_r": _round(author_mean)})
    out["verdict"] = verdict(out)
    return out


def verdict(s: dict) -> str:
    n = s.get("filled_in_test", 0)
    if s.get("p_value") is None:
        return "no filled idea to test"
    if n < MIN_IDEAS_FOR_SKILL:
        return (f"too few filled ideas ({n}, fewer than {MIN_IDEAS_FOR_SKILL}) to tell skill from luck; "
                f"percentile {s['percentile']:.0f} is shown for information only")
    if s["p_value"] <= 0.05:
        return (f"better than random entries with the same levels: percentile {s['percentile']:.0f}, "
                f"p = {s['p_value']:.3f}")
    if s["percentile"] <= 5:
        return f"worse than random entries with the same levels: percentile {s['percentile']:.0f}"
    return (f"not distinguishable from random entries with the same levels (percentile "
            f"{s['percentile']:.0f}, p = {s['p_value']:.2f})")
