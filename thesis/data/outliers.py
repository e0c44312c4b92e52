"""The bad-print rule: bars that jump far beyond the recent true range and revert.

Policy: **report, never repair.** A flagged bar stays in the data exactly as the
source printed it (a trade's levels may depend on it); the flag travels with the
bars (``attrs["flagged"]``, see ``thesis.data.flagged_dates``), is listed by
``thesis data check`` and printed as a warning, and replay says when a fill
happened on a flagged bar.

The scale is ``S``, the median true range of the previous 20 sessions (at least 5
needed; none is flagged before). With ``K = 20`` and a floor of 3 % of the close,
``T = max(K * S, 0.03 * close)``:

| kind | the bar | and it reverts: the next session |
| --- | --- | --- |
| high spike | high - max(open, close, previous close) > T | does not reach the upper half of the spike |
| low spike | min(open, close, previous close) - low > T | does not reach the lower half of the spike |
| close spike | abs(close - previous close) > T | closes back within half the jump of the previous close |
| volume spike | volume > 1000 x the median volume of the previous 20 sessions | trades less than a quarter of it |

Per instrument (thesis.data.instruments: ``print_k`` and ``print_floor``): K and the floor follow
the market: crypto's floor is 15% (it moves 10% in a day), FX's 2% (EURUSD moving 10% is a bad
print); continuous futures use K = 40 (the front month jumps at rolls and expiry squeezes: CL=F's
-37.63 of 2020-04-20 is 20 x S and real) and have no volume rule (volume jumps at every roll).

A wick spike on the last bar is flagged (its own close already reverted); a
close spike on the last bar cannot be confirmed and is not. Tuned on
``../shared/market-data`` (16 ETFs and indices since 1927, 19 adjusted series,
503 stocks): genuine moves (October 1987, March 2020, the VIX spikes of
February 2018 and August 2024) stay at 10-16 x S and are not flagged; the rule
flags UUP's highs of 2007-06-20 (49 x S) and 2007-07-27 (31 x S), two lows of
the 2015-08-24 open (HCA, KKR) and five bars of SW's flat-bar history.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

WINDOW = 20
MIN_PERIODS = 5
K = 20.0
FLOOR = 0.03
VOLUME_K = 1000.0


@dataclass(frozen=True)
class Flag:
    index: int  # row position in the frame given
    date: pd.Timestamp
    kind: str  # "high spike", "low spike", "close spike", "volume spike"
    column: str
    value: float
    multiple: float  # how many times the recent scale (S, or median volume)

    def message(self) -> str:
        scale = "median volume" if self.kind == "volume spike" else "recent true range"
        return (f"{self.column} {self.value:,.6g} is {self.multiple:,.0f}x the {scale} and reverts the next "
                f"session; kept as printed")


def _rolling_median_before(values: np.ndarray) -> np.ndarray:
    return pd.Series(values).rolling(WINDOW, min_periods=MIN_PERIODS).median().shift(1).to_numpy()


def find_outliers(dates, open_, high, low, close, volume=None, floor: float = FLOOR, k: float = K) -> list[Flag]:
    """Flags for one bar series (arrays in date order). Never changes the data.

    ``floor``: the smallest move ever flagged, as a fraction of the close (the instrument's
    ``print_floor``: 3% for stocks, 15% for crypto, 2% for FX; thesis.data.instruments); ``k`` the
    multiple of the recent true range (``print_k``: 20, 40 for continuous futures)."""
    h = np.asarray(high, dtype="float64")
    lo = np.asarray(low, dtype="float64")
    c = np.asarray(close, dtype="float64")
    o = np.asarray(open_, dtype="float64") if open_ is not None else np.full(len(c), np.nan)
    n = len(c)
    if n < MIN_PERIODS + 1:
        return []
    dates = pd.DatetimeIndex(dates)
    pc = np.r_[np.nan, c[:-1]]
    with np.errstate(invalid="ignore"):
        tr = np.fmax(h, pc) - np.fmin(lo, pc)
        scale = _rolling_median_before(tr)
        valid = np.isfinite(scale) & (scale > 0)
        thr = np.where(valid, np.fmax(k * scale, floor * np.abs(c)), np.inf)
        top = np.fmax(np.fmax(o, c), pc)
        bot = np.fmin(np.fmin(o, c), pc)
        up, down, jump = h - top, bot - lo, np.abs(c - pc)
        nh, nl, nc = np.r_[h[1:], np.nan], np.r_[lo[1:], np.nan], np.r_[c[1:], np.nan]
        safe = np.where(valid, scale, 1.0)
        rules = [
            ("high spike", "high", h, up / safe, (up > thr) & ~(nh >= h - 0.5 * up)),
            ("low spike", "low", lo, down / safe, (down > thr) & ~(nl <= lo + 0.5 * down)),
            ("close spike", "close", c, jump / safe, (jump > thr) & (np.abs(nc - pc) < 0.5 * jump)),
        ]
        if volume is not None:
            v = np.asarray(volume, dtype="float64")
            med = _rolling_median_before(v)
            nv = np.r_[v[1:], np.nan]
            ratio = np.where(med > 0, v / np.where(med > 0, med, 1.0), 0.0)
            rules.append(("volume spike", "volume", v, ratio, (med > 0) & (ratio > VOLUME_K) & ~(nv >= v / 4)))
    flags = []
    for kind, column, values, multiple, mask in rules:
        for i in np.flatnonzero(mask):
            flags.append(Flag(int(i), dates[i], kind, column, float(values[i]), float(multiple[i])))
    flags.sort(key=lambda f: (f.index, f.kind))
    return flags


def flags_of_bars(bars: pd.DataFrame) -> list[Flag]:
    """``find_outliers`` on a bar frame (the model of thesis.data.model), at its instrument's floor."""
    from thesis.data.instruments import instrument_of

    inst = instrument_of(bars.attrs.get("symbol"))
    has_volume = "volume" in bars.columns and bars["volume"].notna().any() and inst.checks_volume
    return find_outliers(bars.index, bars["open"] if "open" in bars.columns else None, bars["high"], bars["low"],
                         bars["close"], bars["volume"] if has_volume else None, floor=inst.print_floor,
                         k=inst.print_k)
