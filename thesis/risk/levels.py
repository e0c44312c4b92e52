"""Validation of a trade's levels: direction, entry, stop, targets and scale-out sizes.

Rules (each violation raises ``thesis.errors.BadInput`` naming the value at fault):

- direction is "long" or "short" (case-insensitive).
- entry, stop and every target are finite prices above zero.
- long: stop < entry < every target.  short: stop > entry > every target.
  A target on the stop's side of the entry is rejected; if it also lies beyond
  the stop the message says so.
- sizes (scale-out fractions) match the targets one for one, are each > 0 and sum
  to 1 within ``SIZE_SUM_TOLERANCE``.  ``sizes=None`` splits the position equally.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import SupportsFloat, cast

from thesis.errors import BadInput

#: a price or figure as a caller may give it (a number, numpy scalar or its text); validated here
Num = SupportsFloat | str

DIRECTIONS = ("long", "short")
SIZE_SUM_TOLERANCE = 1e-6


def direction_sign(direction: str) -> int:
    """+1 for "long", -1 for "short"."""
    if not isinstance(direction, str) or direction.strip().lower() not in DIRECTIONS:
        raise BadInput(f"direction must be 'long' or 'short', got {direction!r}")
    return 1 if direction.strip().lower() == "long" else -1


def check_price(name: str, value: Num | None) -> float:
    """A finite price above zero, as float (None, a missing price, is refused by name too)."""
    if value is None:
        raise BadInput(f"{name} must be a number, got None")
    try:
        price = float(value)
    except (TypeError, ValueError):
        raise BadInput(f"{name} must be a number, got {value!r}") from None
    if not math.isfinite(price) or price <= 0:
        raise BadInput(f"{name} must be a finite price above zero, got {value!r}")
    return price


def price_text(value: float) -> str:
    """A level as written, with at least 2 decimals: 100 -> 100.00, 1.2705 -> 1.2705 (an FX pip), 185.08."""
    text = repr(float(value))
    places = len(text.split(".")[1]) if "." in text and "e" not in text else 2
    return f"{float(value):.{min(max(places, 2), 8)}f}"


def check_stop(direction: str, entry: float, stop: float) -> None:
    """The stop must sit on the losing side of the entry."""
    sign = direction_sign(direction)
    side = "below" if sign > 0 else "above"
    if stop == entry or (stop - entry) * sign > 0:
        raise BadInput(f"stop {price_text(stop)} must be {side} the entry {price_text(entry)} for a "
                       f"{'long' if sign > 0 else 'short'} trade")


def check_targets_vs(direction: str, reference: float, stop: float | None, targets: Sequence[float],
                     reference_name: str = "entry") -> None:
    """Every target must lie on the winning side of ``reference`` (the entry, or the stop
    when the entry price is not known in advance)."""
    sign = direction_sign(direction)
    word = "long" if sign > 0 else "short"
    side = "above" if sign > 0 else "below"
    for n, target in enumerate(targets, start=1):
        if (target - reference) * sign > 0:
            continue
        beyond = stop is not None and reference_name == "entry" and (target - stop) * sign <= 0
        extra = f" (it is even beyond the stop {price_text(stop)})" if beyond and stop is not None else ""
        raise BadInput(f"target {n} ({price_text(target)}) must be {side} the {reference_name} "
                       f"{price_text(reference)} for a {word} trade{extra}")


def check_sizes(targets: Sequence[float], sizes: Sequence[float] | None) -> tuple[float, ...]:
    """Scale-out fractions for the targets; None means equal parts."""
    if sizes is None:
        return tuple(1.0 / len(targets) for _ in targets) if targets else ()
    sizes = tuple(float(s) for s in sizes)
    if len(sizes) != len(targets):
        raise BadInput(f"sizes has {len(sizes)} entries but there are {len(targets)} targets")
    for n, size in enumerate(sizes, start=1):
        if not math.isfinite(size) or size <= 0 or size > 1:
            raise BadInput(f"size {n} must be a fraction in (0, 1], got {size!r}")
    total = sum(sizes)
    if abs(total - 1.0) > SIZE_SUM_TOLERANCE:
        raise BadInput(f"sizes must sum to 1 (the whole position), they sum to {total:.6g}")
    return sizes


def check_levels(direction: str, entry: Num, stop: Num, targets: Num | Sequence[Num],
                 sizes: Sequence[float] | None = None
                 ) -> tuple[int, float, float, tuple[float, ...], tuple[float, ...]]:
    """Validate a full plan. Returns (sign, entry, stop, targets, sizes)."""
    sign = direction_sign(direction)
    entry_price, stop_price = check_price("entry", entry), check_price("stop", stop)
    items = cast("Sequence[Num]", [targets] if isinstance(targets, (int, float)) else targets)
    prices = tuple(check_price(f"target {n}", t) for n, t in enumerate(items, start=1))
    if not prices:
        raise BadInput("at least one target is needed")
    check_stop(direction, entry_price, stop_price)
    check_targets_vs(direction, entry_price, stop_price, prices)
    return sign, entry_price, stop_price, prices, check_sizes(prices, sizes)
