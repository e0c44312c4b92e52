"""Is a number a plausible level for a symbol? Within BAND times of the symbol's close on the publication
date (from the same data source the replay reads). `thesis draft` drops a number outside the band (a year,
a P&L figure, a level misread 1,000x off), and `thesis check` warns about an idea file whose levels are.
"""
from __future__ import annotations

from datetime import date, timedelta

BAND = 3.0          # a level more than 3x above the price, or under a third of it, is not this symbol's
STALE_DAYS = 31     # a close older than this before the date says nothing about the price on it


def reference_price(symbol: str, day: date, source: str | None = None,
                    light: bool = False) -> tuple[float, date] | None:
    """(close, its date): the last close on or before ``day``; None when the source has no such bar.
    ``light`` reads a CSV folder's file with the standard library only (`thesis check` stays instant
    and never imports pandas) and says nothing for other sources."""
    from thesis.errors import ThesisError

    try:
        found = _from_csv(symbol, day, source) if light else _from_bars(symbol, day, source)
    except (ThesisError, OSError, ValueError):
        return None
    if found is None or day - found[1] > timedelta(days=STALE_DAYS) or found[0] <= 0:
        return None
    return found


def _from_bars(symbol: str, day: date, source: str | None) -> tuple[float, date] | None:
    from thesis.data import load_bars

    before = load_bars(symbol, source=source).loc[:str(day)]
    if before.empty:
        return None
    return float(before["close"].iloc[-1]), before.index[-1].date()


def _from_csv(symbol: str, day: date, source: str | None) -> tuple[float, date] | None:
    import csv

    from thesis.data import default_source, get_provider

    provider = get_provider(source or default_source())
    if not hasattr(provider, "path_for"):
        return None
    last = None
    with open(provider.path_for(symbol, "as-traded"), newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            when = date.fromisoformat(row["date"][:10])
            if when > day:
                break
            last = (float(row["close"]), when)
    return last


def times_off(value: float, ref: float) -> float:
    """How many times ``value`` is from ``ref`` (>= 1; inf for a non-positive value)."""
    if value <= 0 or ref <= 0:
        return float("inf")
    return max(value / ref, ref / value)


def plausible(value: float, ref: float) -> bool:
    return times_off(value, ref) <= BAND


def _times(x: float) -> str:
    return f"{x:,.0f}x" if x >= 10 else f"{x:.1f}x"


def level_warning(symbol: str, day: date, levels: list[float], source: str | None = None,
                  light: bool = False) -> str | None:
    """'levels are 1,000x from IWM's price on 2023-06-04 (180.2)' when any level lies outside the band."""
    found = reference_price(symbol, day, source, light)
    if found is None or not levels:
        return None
    ref, when = found
    worst = max(levels, key=lambda v: times_off(v, ref))
    off = times_off(worst, ref)
    if off <= BAND:
        return None
    return (f"levels are {_times(off)} from {symbol}'s price on {day.isoformat()} ({ref:g}, the close of "
            f"{when.isoformat()}): {worst:g} is not a plausible {symbol} price (misread decimals? another symbol?)")
