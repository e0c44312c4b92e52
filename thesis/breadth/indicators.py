"""Breadth indicators over a dates x symbols matrix (pandas in, pandas out).

All functions take matrices as returned by ``thesis.data.load_universe``:
rows are sessions (ascending), columns are members, NaN = no bar. Every
output is indexed like the input rows. Rules are stated per function and in
docs/market.md; the heavy lifting is in ``thesis.breadth.nb``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from thesis.breadth import nb
from thesis.errors import BadInput

MA_WINDOWS = (20, 50, 100, 200)
HIGH_LOW_WINDOW = 252          # 52 weeks of sessions
MCCLELLAN_FAST, MCCLELLAN_SLOW = 19, 39
ZWEIG_SPAN, ZWEIG_LOW, ZWEIG_HIGH, ZWEIG_WITHIN = 10, 0.40, 0.615, 10
SURGE_RATIO = 0.90             # "90% up day", counted by issues (no volume here)


def _matrix(frame: pd.DataFrame, what: str) -> np.ndarray:
    if not isinstance(frame, pd.DataFrame):
        raise BadInput(f"{what} must be a dates x symbols DataFrame, got {type(frame).__name__}")
    if not frame.index.is_monotonic_increasing:
        raise BadInput(f"{what}: dates must be in ascending order")
    return np.asfortranarray(frame.to_numpy(dtype="float64"))


def _check_window(window: int, name: str = "window", minimum: int = 1) -> int:
    if int(window) != window or window < minimum:
        raise BadInput(f"{name} must be a whole number >= {minimum}, got {window!r}")
    return int(window)


def pct_above_ma(close: pd.DataFrame, window: int) -> pd.DataFrame:
    """Percent of members whose close is above their own ``window``-session SMA.

    Columns: ``above`` (count), ``members`` (members with ``window`` present
    closes ending that session), ``pct`` = 100 * above / members (NaN when
    no member qualifies). Strictly above; a close within 1e-10 relative of
    its SMA counts as not above.
    """
    window = _check_window(window)
    above, counted = nb.pct_above_sma_nb(_matrix(close, "close"), window, nb.TIE_TOLERANCE)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(counted > 0, 100.0 * above / np.maximum(counted, 1), np.nan)
    return pd.DataFrame({"above": above, "members": counted, "pct": pct}, index=close.index)


def advance_decline(close: pd.DataFrame) -> pd.DataFrame:
    """Daily advances/declines versus the previous session (row) of the matrix.

    Columns: advances, declines, unchanged, members (= their sum: members with
    a close on both sessions), net (= advances - declines), ad_ratio (=
    advances / (advances + declines), NaN when both are 0), ad_line (cumulative
    net from the first row; its level is arbitrary, only its direction
    matters), mean_return (equal-weight average simple return of the members).
    """
    adv, dec, unch, mean_ret = nb.daily_changes_nb(_matrix(close, "close"))
    net = adv - dec
    both = adv + dec
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(both > 0, adv / np.maximum(both, 1), np.nan)
    return pd.DataFrame({"advances": adv, "declines": dec, "unchanged": unch, "members": adv + dec + unch,
                         "net": net, "ad_ratio": ratio, "ad_line": np.cumsum(net), "mean_return": mean_ret},
                        index=close.index)


def ema(series: pd.Series, span: int) -> pd.Series:
    """EMA with alpha = 2/(span+1), seeded with the first value (pandas adjust=False)."""
    return pd.Series(nb.ema_nb(series.to_numpy(dtype="float64"), float(span)), index=series.index)


def mcclellan(ad: pd.DataFrame, ratio_adjusted: bool = True, fast: int = MCCLELLAN_FAST,
              slow: int = MCCLELLAN_SLOW) -> pd.DataFrame:
    """McClellan oscillator and summation index from an ``advance_decline`` frame.

    Input series: ratio-adjusted net advances, 1000 * (A - D) / (A + D), when
    ``ratio_adjusted`` (default; makes values comparable while the member
    count changes), else raw net advances A - D. Sessions where A + D = 0 (the
    first row) are skipped. oscillator = EMA(fast=19) - EMA(slow=39) of that
    series (alpha 0.10 and 0.05, seeded with the first value); summation =
    cumulative sum of the oscillator from 0 (no +1000 base).
    """
    adv = ad["advances"].to_numpy(dtype="float64")
    dec = ad["declines"].to_numpy(dtype="float64")
    both = adv + dec
    with np.errstate(invalid="ignore", divide="ignore"):
        net = np.where(both > 0, (adv - dec) * (1000.0 / both if ratio_adjusted else 1.0), np.nan)
    osc = nb.ema_nb(net, float(fast)) - nb.ema_nb(net, float(slow))
    summation = np.where(np.isnan(osc), np.nan, np.nancumsum(osc))
    return pd.DataFrame({"net_input": net, "oscillator": osc, "summation": summation}, index=ad.index)


def new_highs_lows(high: pd.DataFrame, low: pd.DataFrame, window: int = HIGH_LOW_WINDOW) -> pd.DataFrame:
    """New ``window``-session (default 252 = 52-week) highs and lows.

    New high: today's high is strictly above every high of the previous
    window-1 sessions; new low likewise below every low. A member counts only
    with ``window`` consecutive present bars. Pass the close matrix for both
    when the source has no high/low. Columns: new_highs, new_lows, net, members.
    """
    window = _check_window(window, minimum=2)
    if not high.index.equals(low.index) or not high.columns.equals(low.columns):
        raise BadInput("high and low matrices must have the same dates and symbols")
    hi, lo, counted = nb.new_highs_lows_nb(_matrix(high, "high"), _matrix(low, "low"), window)
    return pd.DataFrame({"new_highs": hi, "new_lows": lo, "net": hi - lo, "members": counted}, index=high.index)


def zweig_thrust(ad: pd.DataFrame, span: int = ZWEIG_SPAN, low: float = ZWEIG_LOW, high: float = ZWEIG_HIGH,
                 within: int = ZWEIG_WITHIN) -> pd.DataFrame:
    """Zweig breadth thrust: ``zweig_ema`` = 10-session EMA of A/(A+D) (skipping
    sessions with A+D = 0); ``thrust`` True on the session the EMA crosses above
    0.615 having been below 0.40 within the previous 10 sessions."""
    e = nb.ema_nb(ad["ad_ratio"].to_numpy(dtype="float64"), float(span))
    return pd.DataFrame({"zweig_ema": e, "thrust": nb.thrust_nb(e, low, high, int(within))}, index=ad.index)


def breadth_surge(ad: pd.DataFrame, threshold: float = SURGE_RATIO) -> pd.Series:
    """One-day breadth surge: A/(A+D) >= ``threshold`` (default 0.90, i.e. at
    least nine advancers per decliner: the issues version of Lowry's "90% up
    day", which uses volume that a constituent folder lacks)."""
    if not 0 < threshold <= 1:
        raise BadInput(f"surge threshold must be in (0, 1], got {threshold}")
    return (ad["ad_ratio"] >= threshold).rename("surge")


def equal_vs_cap_weight(ad: pd.DataFrame, index_close: pd.Series) -> pd.DataFrame:
    """Members' equal-weight daily return versus the index fund's.

    ``ew_return`` = ``ad.mean_return``; ``cw_return`` = the fund's close-to-close
    return (pass total-return closes, e.g. SPY from daily-adjusted), both on
    the universe's sessions (fund closes are aligned by date, a missing fund
    close gives NaN). ``spread`` = ew - cw; ``ew_index``/``cw_index`` compound
    the returns from 1.0 (NaN returns count as 0); ``ew_vs_cw`` = ew_index /
    cw_index (falling = the average member lags the cap-weighted index).
    """
    cw_close = index_close.reindex(ad.index)
    cw = cw_close / cw_close.shift(1) - 1.0
    ew = ad["mean_return"]
    ew_idx = (1.0 + ew.fillna(0.0)).cumprod()
    cw_idx = (1.0 + cw.fillna(0.0)).cumprod()
    return pd.DataFrame({"ew_return": ew, "cw_return": cw, "spread": ew - cw, "ew_index": ew_idx,
                         "cw_index": cw_idx, "ew_vs_cw": ew_idx / cw_idx}, index=ad.index)
