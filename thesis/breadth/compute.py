"""Every breadth indicator of a universe in one frame (one row per session).

``compute_breadth`` runs all kernels once; the result's ``attrs`` carry the
universe name, source, survivorship flag and warning, and the parameters.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from thesis.breadth import divergence, indicators as ind
from thesis.breadth.universe import Universe
from thesis.jit import use_compiled


@dataclass(frozen=True)
class BreadthParams:
    """Every tunable number; defaults are the standard definitions (docs/market.md)."""

    ma_windows: tuple[int, ...] = ind.MA_WINDOWS
    high_low_window: int = ind.HIGH_LOW_WINDOW
    ratio_adjusted: bool = True
    surge_ratio: float = ind.SURGE_RATIO
    near_high_pct: float = divergence.NEAR_HIGH_PCT
    low_pct: float = divergence.LOW_PCT
    drop_points: float = divergence.DROP_POINTS
    lookback: int = divergence.LOOKBACK


def compute_breadth(universe: Universe, index_close: pd.Series | None = None, fund_close: pd.Series | None = None,
                    params: BreadthParams | None = None) -> pd.DataFrame:
    """All breadth columns for ``universe``.

    index_close: price level of the index (e.g. GSPC) for the narrow-market rule;
    fund_close: total-return closes of the index fund (e.g. adjusted SPY) for
    equal- vs cap-weight. Either may be None: those columns are then absent.

    Columns: pct_above_{w} and members_{w} for each MA window; advances,
    declines, unchanged, members, net, ad_ratio, ad_line, mean_return;
    mcclellan_osc, mcclellan_sum; new_highs, new_lows, net_new_highs,
    members_52w; zweig_ema, zweig_thrust; surge; [ew_return, cw_return,
    ew_spread, ew_vs_cw]; [index_close, index_off_high, near_high, pct50_change,
    index_change, breadth_low, breadth_fell, narrow].
    """
    use_compiled()   # 500 symbols x 6,000 sessions: a batch (thesis.jit)
    p = params or BreadthParams()
    cols: dict[str, pd.Series] = {}
    for w in p.ma_windows:
        f = ind.pct_above_ma(universe.close, w)
        cols[f"pct_above_{w}"] = f["pct"]
        cols[f"members_{w}"] = f["members"]
    ad = ind.advance_decline(universe.close)
    for c in ad.columns:
        cols[c] = ad[c]
    mc = ind.mcclellan(ad, ratio_adjusted=p.ratio_adjusted)
    cols["mcclellan_osc"], cols["mcclellan_sum"] = mc["oscillator"], mc["summation"]
    hl = ind.new_highs_lows(universe.high, universe.low, p.high_low_window)
    cols["new_highs"], cols["new_lows"] = hl["new_highs"], hl["new_lows"]
    cols["net_new_highs"], cols["members_52w"] = hl["net"], hl["members"]
    z = ind.zweig_thrust(ad)
    cols["zweig_ema"], cols["zweig_thrust"] = z["zweig_ema"], z["thrust"]
    cols["surge"] = ind.breadth_surge(ad, p.surge_ratio)
    if fund_close is not None:
        ew = ind.equal_vs_cap_weight(ad, fund_close)
        cols.update(ew_return=ew["ew_return"], cw_return=ew["cw_return"], ew_spread=ew["spread"],
                    ew_vs_cw=ew["ew_vs_cw"])
    out = pd.DataFrame(cols, index=universe.close.index)
    if index_close is not None and 50 in p.ma_windows:
        nm = divergence.narrow_market(index_close, out["pct_above_50"], p.near_high_pct, p.low_pct,
                                      p.drop_points, p.lookback)
        for c in ("index_close", "index_off_high", "near_high", "index_change", "breadth_low", "breadth_fell",
                  "narrow"):
            out[c] = nm[c]
        out["pct50_change"] = nm["pct_change"]
    out.attrs = {"universe": universe.name, "source": universe.source, "survivorship": universe.survivorship,
                 "warning": universe.warning, "params": asdict(p)}
    return out
