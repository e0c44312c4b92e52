"""Bars the caller already holds, for the verbs: ``replay(idea, bars=df)`` and
``evaluate(idea, bars={"IWM": iwm, "SPY": spy})`` take a user's frames the way backtesting.py and
vectorbt take data. Every frame goes through the same validation as a CSV file
(``thesis.data.adapters.frames``): bad rows are rejected naming the parameter, the symbol and the
row; repairs travel as warnings."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def with_user_bars(symbol: str, adjustment: str, bars: Any, source: Any) -> tuple[Any, Any]:
    """(bars, source) for a verb that accepts ``bars=``: a DataFrame becomes the idea's validated
    bars (the source still serves other symbols); a mapping becomes a ``Frames`` source (falling
    back to ``source`` only when one was given) and the idea's bars are loaded from it."""
    if bars is None:
        return None, source
    if isinstance(bars, Mapping):
        from thesis.data import get_provider
        from thesis.data.adapters.frames import Frames

        fallback = get_provider(source) if source is not None else None
        return None, Frames(bars, fallback=fallback)
    from thesis.data.adapters.frames import frame_to_bars, is_bars

    if is_bars(bars):
        return bars, source
    return frame_to_bars(bars, symbol, adjustment), source
