"""Is a number a plausible level for a symbol? Within BAND times of the symbol's close on the publication
date (from the same data source the replay reads). `thesis draft` drops a number outside the band (a year,
a P&L figure, a level misread 1,000x off), and `thesis check` warns about an idea file whose levels are.
"""
from __future__ import annotations

from datetime import date, timedelta

BAND = 3.0          # a level more than 3x above the price, or under a third of it, is not this symbol's
STALE_DAYS = 31     # a close older than this before the date says nothing about the price on it


def reference_price(symbol: str, day: date, source: str | None = None) -> tuple[float, date] | None:
    """(close, its date): the last close on or before ``day``; None when the source has no such bar."""
    from thesis.data import load_bars
    from thesis.errors import ThesisError

    try:
        bars = load_bars(symbol, source=source)
    except ThesisError:
        return None
    before = bars.loc[:str(day)]
    if before.empty:
        return None
    when = before.index[-1].date()
    if day - when > timedelta(days=STALE_DAYS):
        return None
    close = float(before["close"].iloc[-1])
    return (close, when) if close > 0 else None


def times_off(value: float, ref: float) -> float:
    """How many times ``value`` is from ``ref`` (>= 1; inf for a non-positive value)."""
    if value <= 0 or ref <= 0:
        return float("inf")
    return max(value / ref, ref / value)


def plausible(value: float, ref: float) -> bool:
    return times_off(value, ref) <= BAND


def _times(x: float) -> str:
    return f"{x:,.0f}x" if x >= 10 else f"{x:.1f}x"


def level_warning(symbol: str, day: date, levels: list[float], source: str | None = None) -> str | None:
    """'levels are 1,000x from IWM's price on 2023-06-04 (180.2)' when any level lies outside the band."""
    found = reference_price(symbol, day, source)
    if found is None or not levels:
        return None
    ref, when = found
    worst = max(levels, key=lambda v: times_off(v, ref))
    off = times_off(worst, ref)
    if off <= BAND:
        return None
    return (f"levels are {_times(off)} from {symbol}'s price on {day.isoformat()} ({ref:g}, the close of "
            f"{when.isoformat()}): {worst:g} is not a plausible {symbol} price (misread decimals? another symbol?)")
