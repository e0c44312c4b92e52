"""Pure helpers deciding what the snapshot shows: window, date -> bar, y-range, ticks."""
from __future__ import annotations

import numpy as np
import pandas as pd

from thesis.errors import BadInput

BARS_BEFORE = 60     # default window starts this many bars before the first notable date
BARS_AFTER = 30      # ... and ends this many bars after the last one
FALLBACK_BARS = 180  # window when there is no notable date: the last 180 bars
MIN_BAR_SHARE = 0.2  # bars keep at least this share of the price axis height
PAD = 0.04           # headroom above/below the covered range, as a share of it


def to_timestamp(value, what: str) -> pd.Timestamp:
    """Parse a date-like value into a tz-naive midnight Timestamp; BadInput names `what`
    (the one date parser: thesis.data.dates.parse_date)."""
    from thesis.data.dates import parse_date

    ts = parse_date(value, what)
    if ts is None:
        raise BadInput(f"{what}: date is missing")
    return ts


def bar_position(index: pd.DatetimeIndex, when: pd.Timestamp) -> int | None:
    """Position of the bar that holds date `when`.

    Bars are labelled by their last session (daily bars by their own date), so this is
    the first bar dated on or after `when`. None when `when` is after the last bar, or
    earlier than the first bar by a full typical bar spacing or more (not in the data).
    """
    pos = int(index.searchsorted(when, side="left"))
    if pos >= len(index):
        return None
    if pos == 0 and when < index[0]:
        spacing = _typical_spacing(index)
        if index[0] - when >= spacing:
            return None
    return pos


def _typical_spacing(index: pd.DatetimeIndex) -> pd.Timedelta:
    if len(index) < 2:
        return pd.Timedelta(days=1)
    return pd.Timedelta(np.median(np.diff(index.values)))


def default_window(index: pd.DatetimeIndex, notable: list[pd.Timestamp],
                   start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> tuple[int, int]:
    """Positional window [lo, hi) of the bars to draw.

    Rules: `start`/`end` (inclusive dates) win for their side. Otherwise the window runs
    from BARS_BEFORE bars before the first notable date to BARS_AFTER bars after the last
    one (clipped to the data); with no notable date inside the data it is the last
    FALLBACK_BARS bars up to `end` (or the data end).
    """
    n = len(index)
    positions = sorted(p for p in (bar_position(index, d) for d in notable) if p is not None)
    hi = n if end is None else int(index.searchsorted(end, side="right"))
    lo = 0 if start is None else int(index.searchsorted(start, side="left"))
    if positions:
        if end is None:
            hi = min(n, positions[-1] + BARS_AFTER + 1)
        if start is None:
            lo = max(0, positions[0] - BARS_BEFORE)
    elif start is None:
        lo = max(0, hi - FALLBACK_BARS)
    if hi <= lo:
        raise BadInput(f"no bars between {index[lo] if lo < n else start} and {end}: "
                       f"data covers {index[0].date()} to {index[-1].date()}")
    return lo, hi


def price_range(low: np.ndarray, high: np.ndarray, levels: list[float]) -> tuple[float, float, list[float]]:
    """Y-limits covering the visible bars plus every level, and the levels left off scale.

    Rules: start from min(low)..max(high) of the visible bars and widen it to take in
    each level, nearest first; a level is left off scale (returned in the list, to be
    drawn as an edge marker) only if taking it in would leave the bars less than
    MIN_BAR_SHARE of the height. PAD of the final span is added on both sides.
    """
    lo, hi = float(np.nanmin(low)), float(np.nanmax(high))
    if not np.isfinite(lo) or not np.isfinite(hi):
        raise BadInput("bars have no finite high/low in the window")
    bar_span = max(hi - lo, abs(hi) * 1e-3, 1e-9)
    off: list[float] = []
    for level in sorted((float(x) for x in levels if np.isfinite(x)), key=lambda x: min(abs(x - lo), abs(x - hi))):
        new_lo, new_hi = min(lo, level), max(hi, level)
        if bar_span / (new_hi - new_lo) >= MIN_BAR_SHARE:
            lo, hi = new_lo, new_hi
        else:
            off.append(level)
    span = max(hi - lo, bar_span)
    return lo - PAD * span, hi + PAD * span, sorted(off)


def time_ticks(index: pd.DatetimeIndex, max_ticks: int = 14) -> tuple[list[int], list[str]]:
    """Tick positions (bar numbers) and labels at calendar boundaries.

    Rules: pick the finest of week, month, quarter, year, 2/5/10 years whose number of
    boundaries inside the window is <= max_ticks; a tick sits on the first bar of each new
    period. Labels are "Jun 05" for weeks, "Jun" for months and quarters, with the year on
    the first tick and where the year changes ("Jan 2024", "Jan 01, 2024"); "2024" for years.
    """
    if len(index) == 0:
        return [], []
    steps = [("W", 1), ("M", 1), ("M", 3), ("Y", 1), ("Y", 2), ("Y", 5), ("Y", 10)]
    for unit, every in steps:
        keys = _period_keys(index, unit, every)
        starts = [i for i in range(1, len(index)) if keys[i] != keys[i - 1]]
        if len(starts) <= max_ticks:
            break
    labels, last_year = [], None
    for i in starts:
        d = index[i]
        if unit == "Y":
            labels.append(str(d.year))
        elif unit == "W":
            labels.append(d.strftime("%b %d, %Y") if last_year is None or d.year != last_year else d.strftime("%b %d"))
        else:
            labels.append(d.strftime("%b %Y") if last_year is None or d.year != last_year else d.strftime("%b"))
        last_year = d.year
    return starts, labels


def _period_keys(index: pd.DatetimeIndex, unit: str, every: int) -> np.ndarray:
    if unit == "W":
        return np.asarray(index.to_period("W-SUN").asi8)
    if unit == "M":
        return np.asarray((index.year * 12 + index.month - 1) // every)
    return np.asarray(index.year // every)


def free_spot(low: np.ndarray, high: np.ndarray, y0: float, y1: float, width: int, prefer: str = "left",
              boxes=()) -> int:
    """First bar of the `width`-bar stretch where a label spanning prices y0..y1 covers the
    fewest bars (a bar is covered when its low..high meets y0..y1). Ties go to the
    leftmost stretch, or the rightmost with prefer="right". Bars with NaN range never count;
    a covered bar also counts for its two neighbours (keeps a bar's gap around labels).
    `boxes` are other labels (x0, x1, b0, b1) in bars and prices: bars from x0 to x1 count
    as covered when b0..b1 meets y0..y1."""
    n = len(high)
    width = max(1, min(int(width), n))
    core = (high >= y0) & (low <= y1)
    hit = core.copy()
    hit[1:] |= core[:-1]
    hit[:-1] |= core[1:]
    for x0, x1, b0, b1 in boxes:
        if b0 <= y1 and b1 >= y0:
            hit[max(0, int(np.floor(x0))): max(0, int(np.ceil(x1)) + 1)] = True
    counts = np.convolve(hit.astype(int), np.ones(width, dtype=int), mode="valid")
    best = counts.min()
    spots = np.flatnonzero(counts == best)
    return int(spots[0] if prefer == "left" else spots[-1])
