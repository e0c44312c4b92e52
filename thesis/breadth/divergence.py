"""Narrow market: the index is near its highs while most members are not.

Rule (all parameters are arguments; defaults are round numbers, not fitted):

    near_high     index close >= (1 - near_high_pct/100) * max(index close over
                  the last ``high_window`` = 252 sessions, today included)
    breadth_low   pct of members above their 50-session SMA < ``low_pct`` (40)
    breadth_fell  that pct fell by >= ``drop_points`` (10) over ``lookback`` (20)
                  sessions while the index did not fall over the same sessions
    narrow        near_high and (breadth_low or breadth_fell)

``index_off_high`` is the index's percent distance below that 252-session high
(0 at a new high). The first ``high_window - 1`` index sessions give False.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from thesis.breadth import nb
from thesis.errors import BadInput

NEAR_HIGH_PCT = 5.0
HIGH_WINDOW = 252
LOW_PCT = 40.0
DROP_POINTS = 10.0
LOOKBACK = 20


def narrow_market(index_close: pd.Series, pct_above_50: pd.Series, near_high_pct: float = NEAR_HIGH_PCT,
                  low_pct: float = LOW_PCT, drop_points: float = DROP_POINTS, lookback: int = LOOKBACK,
                  high_window: int = HIGH_WINDOW) -> pd.DataFrame:
    """Narrow-market flags on the breadth series' dates (see module docstring).

    The 252-session high is computed on the index's own sessions, then aligned
    to ``pct_above_50``'s dates. Columns: index_close, index_high, index_off_high,
    near_high, pct_above_50, pct_change (points over ``lookback``), index_change
    (percent over ``lookback``), breadth_low, breadth_fell, narrow.
    """
    if near_high_pct < 0 or not 0 <= low_pct <= 100 or drop_points < 0 or lookback < 1 or high_window < 2:
        raise BadInput("narrow_market: near_high_pct >= 0, 0 <= low_pct <= 100, drop_points >= 0, "
                       "lookback >= 1 and high_window >= 2 are required")
    idx = index_close.dropna().astype("float64")
    high = pd.Series(nb.rolling_max_nb(idx.to_numpy(), int(high_window)), index=idx.index)
    dates = pct_above_50.index
    close = idx.reindex(dates)
    high = high.reindex(dates)
    off = 100.0 * (close / high - 1.0)
    near = (off >= -near_high_pct).fillna(False).astype(bool)
    pct = pct_above_50.astype("float64")
    pct_change = pct - pct.shift(lookback)
    index_change = 100.0 * (close / close.shift(lookback) - 1.0)
    low = (pct < low_pct).fillna(False).astype(bool)
    fell = ((pct_change <= -drop_points) & (index_change >= 0)).fillna(False).astype(bool)
    out = pd.DataFrame({"index_close": close, "index_high": high, "index_off_high": off, "near_high": near,
                        "pct_above_50": pct, "pct_change": pct_change, "index_change": index_change,
                        "breadth_low": low, "breadth_fell": fell}, index=dates)
    out["narrow"] = near & (low | fell)
    return out


def divergence_spans(flag: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs of consecutive True values as (first date, last date) pairs."""
    values = flag.fillna(False).to_numpy(dtype=bool)
    if not values.any():
        return []
    edges = np.diff(np.concatenate([[0], values.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(flag.index[s], flag.index[e]) for s, e in zip(starts, ends)]
