"""Faults of a vendor's series that no single row shows: reported, never repaired.

- **Unreliable opens**: the open equals the close on most rows of a span (EURUSD=X since 2022:
  the vendor's FX feed repeats one price). Found per calendar year: the earliest year from which
  every year has the open equal to the close (on a bar with a range) on at least ``OPEN_SHARE``
  of its rows. Gap rules and entries at the next open mislead there: ``open_unreliable_since``
  (ISO date) travels in the bars' ``attrs`` and rules that use the open warn (``open_warning``).
- **Flat, volume-less bars**: open = high = low = close with volume under ``THIN_VOLUME`` on at
  least ``FLAT_MIN`` rows and 1% of the series (GC=F's illiquid front month, mostly before about
  2012; a close-only index record). The report says how many fall before and after the year by
  which three quarters of them are past.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from thesis.data.instruments import Instrument

OPEN_SHARE = 0.30
MIN_YEAR_ROWS = 60      # a year with fewer rows says little; the span needs two such years' worth
THIN_VOLUME = 100
FLAT_MIN = 20


def unreliable_open_since(frame: pd.DataFrame) -> tuple[pd.Timestamp, float] | None:
    """(first session of the span, share of its rows with open == close), or None."""
    if "open" not in frame.columns or not frame["open"].notna().any():
        return None
    dates = pd.DatetimeIndex(frame["date"])
    o, c = frame["open"].to_numpy(), frame["close"].to_numpy()
    ranged = frame["high"].to_numpy() != frame["low"].to_numpy()
    same = (o == c) & ranged
    years = dates.year.to_numpy()
    since = None
    for year in np.unique(years)[::-1]:
        rows = years == year
        if rows.sum() < MIN_YEAR_ROWS:    # a short first or last year says little
            continue
        if same[rows].mean() < OPEN_SHARE:
            break
        since = year
    span = years >= (since if since is not None else years.max() + 1)
    if since is None or span.sum() < 2 * MIN_YEAR_ROWS:
        return None
    return pd.Timestamp(dates[np.flatnonzero(span)[0]]), float(same[span].mean())


def open_warning(bars: pd.DataFrame, symbol: str | None = None) -> str | None:
    """The warning for a rule that uses the open on these bars (None when the opens are sound)."""
    since = bars.attrs.get("open_unreliable_since")
    if not since:
        return None
    who = symbol or bars.attrs.get("symbol", "this series")
    return (f"{who}'s opens are unreliable since {since} (the vendor's open equals its close): rules that use "
            f"the open (gap fills, entries at the next open) mislead on this series")


def vendor_faults(frame: pd.DataFrame, inst: Instrument) -> list[tuple[int | None, str, str]]:
    """(row index or None, kind, message) for each fault of the series."""
    out: list[tuple[int | None, str, str]] = []
    opens = unreliable_open_since(frame)
    if opens is not None:
        day, share = opens
        i = int(np.flatnonzero(pd.DatetimeIndex(frame["date"]) == day)[0])
        out.append((i, "unreliable opens", f"open equals close on {share:.0%} of rows since {day.year}: opens are "
                                           f"unreliable (gap and open-based rules mislead)"))
    flat = _flat_bars(frame)
    if flat is not None:
        out.append(flat)
    return out


def _flat_bars(frame: pd.DataFrame) -> tuple[int, str, str] | None:
    if "open" not in frame.columns:
        return None
    o, h, lo, c = (frame[k].to_numpy() for k in ("open", "high", "low", "close"))
    vol = frame["volume"].to_numpy() if "volume" in frame.columns else np.zeros(len(c))
    flat = (o == h) & (h == lo) & (lo == c) & ~(vol >= THIN_VOLUME)
    n = int(flat.sum())
    if n < FLAT_MIN or n < 0.01 * len(c):
        return None
    rows = np.flatnonzero(flat)
    dates = pd.DatetimeIndex(frame["date"])
    split = pd.Timestamp(dates[rows[int(0.75 * (n - 1))]]).year + 1
    before = int((dates[rows].year < split).sum())
    return (int(rows[0]), "flat bars",
            f"{n:,} flat, volume-less bars (open = high = low = close, volume under {THIN_VOLUME}) from "
            f"{dates[rows[0]].date()} to {dates[rows[-1]].date()}, {before:,} of them before {split} and "
            f"{n - before:,} since: no real range on those days (an illiquid front month or a close-only record)")
