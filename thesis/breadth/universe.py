"""A breadth universe: close/high/low matrices plus who they are.

The default universe is ``$THESIS_DATA/sp500-constituents``. A folder whose
name contains "constituents" holds *today's* members only, so breadth built
from it has survivorship bias (stocks that left the index are missing); such
a universe carries ``SURVIVORSHIP_WARNING``. Pass ``survivorship`` to override
the detection.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from thesis.errors import BadInput

DEFAULT_FOLDER = "sp500-constituents"
SURVIVORSHIP_WARNING = ("survivorship bias: the universe is today's membership, so members that left the "
                        "index are missing; breadth is a close proxy, not the official figure")


@dataclass(frozen=True)
class Universe:
    """Aligned dates x symbols matrices (treat as read-only: they are cached)."""

    name: str
    source: str
    close: pd.DataFrame
    high: pd.DataFrame
    low: pd.DataFrame
    survivorship: bool

    @property
    def warning(self) -> str | None:
        return SURVIVORSHIP_WARNING if self.survivorship else None


def default_universe_source() -> str:
    """``csv:$THESIS_DATA/sp500-constituents``; BadInput when THESIS_DATA is unset."""
    root = os.environ.get("THESIS_DATA")
    if not root:
        raise BadInput("no breadth universe: set THESIS_DATA or pass a universe folder (csv:DIR)")
    return f"csv:{Path(root) / DEFAULT_FOLDER}"


def normalise_source(source: str | os.PathLike | None) -> str:
    if source is None:
        return default_universe_source()
    if isinstance(source, (list, tuple)):
        source = "symbols:" + ",".join(source)
    text = str(source)
    if text == "store" or text.startswith("symbols:"):
        return text
    path = Path(text[4:] if text.startswith("csv:") else text).expanduser()
    if not path.is_dir():
        raise BadInput(f"universe folder {path} does not exist")
    return f"csv:{path.resolve()}"


def is_todays_membership(source: str) -> bool:
    """True when the folder name says it lists current constituents."""
    return "constituents" in Path(source[4:] if source.startswith("csv:") else source).name.lower()


def _from_symbols(source: str, start, end) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, bool]:
    """A universe named by symbols (``symbols:A,B,C``) or by what the store holds (``store``).

    Each member is read with load_bars, adjusted bars preferred (breadth counts returns),
    as-traded where a member has no adjusted series.
    """
    from thesis.data import ADJUSTED, AS_TRADED, Store, load_bars
    from thesis.errors import SymbolNotFound

    if source == "store":
        names, where = Store().symbols(), "store"
    else:
        names, where = [s.strip().upper() for s in source[8:].split(",") if s.strip()], None
    if not names:
        raise BadInput(f"universe {source} names no symbols")
    closes, highs, lows = {}, {}, {}
    for sym in names:
        for adj in (ADJUSTED, AS_TRADED):
            try:
                bars = load_bars(sym, adj, where, start, end)
                break
            except SymbolNotFound:
                continue
        else:
            raise SymbolNotFound(sym, source, "no adjusted or as-traded bars")
        closes[sym], highs[sym], lows[sym] = bars["close"], bars["high"], bars["low"]
    frame = lambda d: pd.DataFrame(d).sort_index().rename_axis(columns="symbol")  # noqa: E731
    return frame(closes), frame(highs), frame(lows), False


@lru_cache(maxsize=4)
def _load(source: str, start, end) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, bool]:
    from thesis.data import load_fields

    if source == "store" or source.startswith("symbols:"):
        return _from_symbols(source, start, end)

    fields = load_fields(source, ("high", "low", "close"), start=start, end=end)
    close = fields["close"]
    return close, fields["high"], fields["low"], bool(close.attrs.get("survivorship", is_todays_membership(source)))


def load_breadth_universe(source: str | os.PathLike | None = None, start=None, end=None,
                          survivorship: bool | None = None) -> Universe:
    """Load (and cache per process) a universe folder's high/low/close matrices."""
    norm = normalise_source(source)
    start = None if start is None else pd.Timestamp(start)
    end = None if end is None else pd.Timestamp(end)
    close, high, low, detected = _load(norm, start, end)
    if close.empty:
        raise BadInput(f"universe {norm} has no bars between {start} and {end}")
    flag = detected if survivorship is None else bool(survivorship)
    name = Path(norm[4:]).name if norm.startswith("csv:") else norm.split(":")[0]
    return Universe(name=name, source=norm, close=close, high=high, low=low, survivorship=flag)


def universe_from_frames(close: pd.DataFrame, high: pd.DataFrame | None = None, low: pd.DataFrame | None = None,
                         name: str = "custom", survivorship: bool = False) -> Universe:
    """Wrap matrices built in code (tests, other sources); high/low default to close."""
    return Universe(name=name, source="memory", close=close, high=close if high is None else high,
                    low=close if low is None else low, survivorship=survivorship)
