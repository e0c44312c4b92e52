"""The board's order: every row of the ideas document sorted by one column, before it is cut into
pages (so the first page of a sort is the top of the whole board, not of the rows on screen)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


Value = Callable[[dict], Any]


def _text(name: str) -> Value:
    return lambda r: (r.get(name) or "").casefold() or None


def _number(name: str) -> Value:
    return lambda r: r.get(name)


def _distance(name: str) -> Value:
    """A distance cell ({"level", "pct", "r"}) in R."""
    return lambda r: (r.get(name) or {}).get("r")


#: Column -> its value in a row (None: no value, listed last whichever the direction).
SORT_KEYS: dict[str, Value] = {
    "title": lambda r: (r.get("title") or r["id"]).casefold(),
    "symbol": _text("symbol"),
    "direction": _text("direction"),
    "state": _text("state"),
    "price": _number("price"),
    "zone": _distance("zone"),
    "stop": _distance("stop"),
    "next_target": _distance("next_target"),
    "position_r": _number("position_r"),
    "days_left": _number("days_left"),
    "last_event": lambda r: (r.get("last_event") or {}).get("session"),
}
DIRECTIONS = ("asc", "desc")


def ordered(rows: list[dict], key: str, descending: bool = False) -> list[dict]:
    """``rows`` sorted by column ``key``; rows without a value last; ties keep the document's order."""
    value = SORT_KEYS[key]
    known: list[tuple] = []
    unknown: list[tuple] = []
    for r in rows:
        v = value(r)
        (unknown if v is None else known).append((v, r))
    known.sort(key=lambda pair: pair[0], reverse=descending)   # stable both ways
    return [r for _, r in known] + [r for _, r in unknown]
