"""All breadth indicators over sp500-constituents (503 symbols x ~11 years).

Ours: thesis.breadth.compute_breadth (numba kernels), compiled before timing.
Peer: the same indicators written with plain pandas rolling/ewm/diff,
measured in the same run on the same matrices. Loading is not timed.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._timing import best_time
from thesis.breadth import compute_breadth, load_breadth_universe
from thesis.data import load_bars



def pandas_breadth(close: pd.DataFrame, high: pd.DataFrame, low: pd.DataFrame, index_close: pd.Series,
                   fund_close: pd.Series) -> pd.DataFrame:
    """Plain pandas version of compute_breadth's main columns (the peer)."""
    out = {}
    for w in (20, 50, 100, 200):
        sma = close.rolling(w).mean()
        valid = sma.notna() & close.notna()
        out[f"pct_above_{w}"] = 100 * (close > sma).where(valid, False).sum(axis=1) / valid.sum(axis=1)
        out[f"members_{w}"] = valid.sum(axis=1)
    prev = close.shift(1)
    both = close.notna() & prev.notna()
    adv = ((close > prev) & both).sum(axis=1)
    dec = ((close < prev) & both).sum(axis=1)
    out.update(advances=adv, declines=dec, ad_line=(adv - dec).cumsum())
    out["mean_return"] = (close / prev - 1).mean(axis=1)
    rana = 1000 * (adv - dec) / (adv + dec).replace(0, np.nan)
    out["mcclellan_osc"] = rana.ewm(span=19, adjust=False).mean() - rana.ewm(span=39, adjust=False).mean()
    prior_hi = high.shift(1).rolling(251).max()
    prior_lo = low.shift(1).rolling(251).min()
    full = high.notna().rolling(252).sum() == 252
    out["new_highs"] = ((high > prior_hi) & full).sum(axis=1)
    out["new_lows"] = ((low < prior_lo) & full).sum(axis=1)
    ratio = adv / (adv + dec).replace(0, np.nan)
    z = ratio.ewm(span=10, adjust=False).mean()
    was_low = (z < 0.40).astype(float).shift(1).rolling(10, min_periods=1).max() > 0
    out["zweig_thrust"] = (z > 0.615) & (z.shift(1) <= 0.615) & was_low
    out["surge"] = ratio >= 0.90
    cw = fund_close.reindex(close.index).pct_change()
    out["ew_vs_cw"] = (1 + out["mean_return"].fillna(0)).cumprod() / (1 + cw.fillna(0)).cumprod()
    idx = index_close.reindex(close.index)
    near = idx >= 0.95 * index_close.rolling(252).max().reindex(close.index)
    p50 = out["pct_above_50"]
    out["narrow"] = near & ((p50 < 40) | ((p50 - p50.shift(20) <= -10) & (idx >= idx.shift(20))))
    return pd.DataFrame(out)


def run() -> list[dict]:
    root = Path(os.environ["THESIS_DATA"])
    uni = load_breadth_universe(f"csv:{root / 'sp500-constituents'}")
    index_close = load_bars("GSPC")["close"]
    fund_close = load_bars("SPY", adjustment="adjusted")["close"]
    ours = compute_breadth(uni, index_close, fund_close)
    peer = pandas_breadth(uni.close, uni.high, uni.low, index_close, fund_close)
    agree = all((ours[f"members_{w}"] == peer[f"members_{w}"]).all() and
                (ours[f"pct_above_{w}"] - peer[f"pct_above_{w}"]).abs().max() < 0.5 for w in (20, 50, 100, 200))
    agree &= bool((ours["advances"] == peer["advances"]).all() and (ours["new_highs"] == peer["new_highs"]).all())
    t_ours = best_time(lambda: compute_breadth(uni, index_close, fund_close))
    t_peer = best_time(lambda: pandas_breadth(uni.close, uni.high, uni.low, index_close, fund_close), repeat=2)
    n_dates, n_syms = uni.close.shape
    return [{"name": f"all breadth indicators, {n_syms} symbols x {n_dates} sessions"
                     f" (results agree with peer: {'yes' if agree else 'NO'})",
             "value": t_ours, "unit": "s", "peer": "plain pandas rolling/ewm implementation",
             "peer_value": t_peer, "target": "< 1 s", "met": t_ours < 1.0 and agree}]


if __name__ == "__main__":
    for row in run():
        print(row)
