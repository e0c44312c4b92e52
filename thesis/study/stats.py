"""Statistics of a set of trade outcomes (R multiples), with exact definitions.

- hit rate: trades that reached their (last) target / closed trades; Wilson score interval.
- win rate: trades with R > 0 / closed trades.
- mean R, with a seeded percentile bootstrap interval (resample the trades with replacement).
- expectancy (in R) = win rate x mean winning R - loss rate x mean |losing R| (= mean R);
  expectancy_pct = mean return per trade in percent of the entry price (after costs).
- profit factor = sum of winning R / |sum of losing R| (None when there is no loss).
- p-value of mean R > 0: one-sided Student t test (trades treated as independent).
- Holm step-down adjustment for many cells (``holm``).
"""
from __future__ import annotations

import math
import os

import numpy as np
from thesis.study import nb

REASONS = {0: "stop", 1: "target", 2: "time", 3: "open", -1: "none"}


def wilson_interval(hits: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion hits/n ((nan, nan) when n = 0)."""
    if n <= 0:
        return (math.nan, math.nan)
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2.0))
    p = hits / n
    den = 1.0 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, mid - half), min(1.0, mid + half))


def bootstrap_means(x, n_boot: int = 2000, seed: int = 0) -> np.ndarray:
    """Means of ``n_boot`` resamples of x with replacement (thesis.study.nb.bootstrap_means_nb,
    seeded: the same seed and sample give the same means)."""
    x = np.ascontiguousarray(x, dtype="float64")
    if len(x) == 0 or n_boot <= 0:
        return np.zeros(0)
    n_boot, seed = int(n_boot), int(seed) % (2**32)
    workers = min(os.cpu_count() or 1, 2)
    if workers < 2 or n_boot * len(x) < 4_000_000:
        return nb.bootstrap_means_nb(x, n_boot, seed)
    # Large samples: the resamples in two halves on two threads (the same means: see bootstrap_range_nb).
    from concurrent.futures import ThreadPoolExecutor

    out = np.empty(n_boot)
    half = n_boot // 2
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda r: nb.bootstrap_range_nb(x, seed, r[0], r[1], out), [(0, half), (half, n_boot)]))
    return out


def percentile_interval(means, confidence: float = 0.95) -> tuple[float, float]:
    if len(means) == 0:
        return (math.nan, math.nan)
    a = (1.0 - confidence) / 2.0
    return (float(np.quantile(means, a)), float(np.quantile(means, 1.0 - a)))


def bootstrap_mean_ci(x, n_boot: int = 2000, confidence: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean ((nan, nan) for an empty sample)."""
    return percentile_interval(bootstrap_means(x, n_boot, seed), confidence)


def mean_gt0_pvalue(x) -> float:
    """One-sided t-test p-value of mean > 0 (nan with fewer than 2 trades; 0 or 1 when the
    sample has no spread)."""
    x = np.asarray(x, dtype="float64")
    n = len(x)
    if n < 2:
        return math.nan
    sd = float(np.std(x, ddof=1))
    m = float(np.mean(x))
    if sd == 0:
        return 0.0 if m > 0 else 1.0
    from scipy.stats import t as student

    return float(student.sf(m / (sd / math.sqrt(n)), n - 1))


def holm(pvalues) -> np.ndarray:
    """Holm step-down adjusted p-values (NaN stays NaN and is not counted)."""
    p = np.asarray(pvalues, dtype="float64")
    out = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if not m:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


def profit_factor(r) -> float | None:
    r = np.asarray(r, dtype="float64")
    loss = -r[r < 0].sum()
    return None if loss == 0 else float(r[r > 0].sum() / loss)


def _quantiles(x) -> dict:
    x = np.asarray(x, dtype="float64")
    if not len(x):
        return {}
    qs = np.quantile(x, [0.05, 0.25, 0.5, 0.75, 0.95])
    return {"min": float(x.min()), "p5": float(qs[0]), "p25": float(qs[1]), "median": float(qs[2]),
            "p75": float(qs[3]), "p95": float(qs[4]), "max": float(x.max())}


def histogram(x, bins=None) -> dict:
    x = np.asarray(x, dtype="float64")
    if bins is None:
        lo = math.floor(min(x.min(), -1.0) * 2) / 2 if len(x) else -1.0
        hi = math.ceil(max(x.max(), 1.0) * 2) / 2 if len(x) else 1.0
        bins = np.arange(lo, hi + 0.5, 0.5)
    counts, edges = np.histogram(x, bins=bins)
    return {"edges": [float(e) for e in edges], "counts": [int(c) for c in counts]}


def light_summary(r, reason) -> dict:
    """Count, hit rate, mean R and p-value (what a grid cell needs)."""
    r = np.asarray(r, dtype="float64")
    n = len(r)
    hits = int(np.sum(np.asarray(reason) == 1))
    return {"signals": n, "hit_rate": hits / n if n else None, "mean_r": float(r.mean()) if n else None,
            "p_mean_r_gt0": mean_gt0_pvalue(r), "profit_factor": profit_factor(r) if n else None}


def light_summaries(samples) -> list[dict]:
    """light_summary of many (r, reason) samples (a grid's cells), with one vectorised Student t
    call for all the p-values (the same figures as light_summary, cell for cell)."""
    out: list[dict] = []
    t_stat: list[float] = []
    dof: list[int] = []
    at: list[int] = []
    for r, reason in samples:
        r = np.asarray(r, dtype="float64")
        n = len(r)
        hits = int(np.sum(np.asarray(reason) == 1))
        row = {"signals": n, "hit_rate": hits / n if n else None, "mean_r": float(r.mean()) if n else None,
               "p_mean_r_gt0": math.nan, "profit_factor": profit_factor(r) if n else None}
        if n >= 2:                                  # mean_gt0_pvalue, its t statistic kept for one call
            sd = float(np.std(r, ddof=1))
            m = float(np.mean(r))
            if sd == 0:
                row["p_mean_r_gt0"] = 0.0 if m > 0 else 1.0
            else:
                t_stat.append(m / (sd / math.sqrt(n)))
                dof.append(n - 1)
                at.append(len(out))
        out.append(row)
    if at:
        from scipy.stats import t as student

        for i, p in zip(at, np.atleast_1d(student.sf(np.array(t_stat), np.array(dof)))):
            out[i]["p_mean_r_gt0"] = float(p)
    return out


def summarize(r, reason, sessions, days, mfe_r, mae_r, ret_pct, n_boot: int = 2000, seed: int = 0,
              boot_means=None) -> dict:
    """Full summary of closed trades (see module docstring for each figure). ``boot_means``:
    bootstrap means already drawn for r (else drawn here with ``seed``)."""
    r = np.asarray(r, dtype="float64")
    reason = np.asarray(reason)
    n = len(r)
    hits = int(np.sum(reason == 1))
    out = light_summary(r, reason)
    out["hit_rate_ci"] = list(wilson_interval(hits, n))
    means = bootstrap_means(r, n_boot, seed) if boot_means is None else boot_means
    out["mean_r_ci"] = list(percentile_interval(means))
    wins, losses = r[r > 0], r[r < 0]
    win_rate = len(wins) / n if n else None
    out.update({
        "win_rate": win_rate,
        "avg_win_r": float(wins.mean()) if len(wins) else None,
        "avg_loss_r": float(losses.mean()) if len(losses) else None,
        "expectancy": (len(wins) / n * (wins.mean() if len(wins) else 0.0) + (len(losses) / n) *
                       (losses.mean() if len(losses) else 0.0)) if n else None,
        "expectancy_pct": float(np.mean(ret_pct)) if n else None,
        "outcomes": {REASONS[k]: int(np.sum(reason == k)) for k in (1, 0, 2)},
        "r_quantiles": _quantiles(r),
        "r_histogram": histogram(r) if n else {"edges": [], "counts": []},
        "sessions_to_outcome": _quantiles(sessions),
        "days_to_outcome": _quantiles(days),
        "days_to_outcome_by_reason": {REASONS[k]: _quantiles(np.asarray(days)[reason == k]) for k in (1, 0, 2)},
        "mfe_r": _quantiles(mfe_r),
        "mae_r": _quantiles(mae_r),
    })
    return out
