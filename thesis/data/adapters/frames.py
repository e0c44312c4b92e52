"""DataFrames the caller already holds as a source: ``frame_to_bars`` validates one frame as a CSV
file is validated; ``Frames`` serves a mapping of symbols to frames (what ``bars={...}`` of
replay/evaluate becomes, and what ``get_provider`` makes of a mapping)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from thesis.data.adapters.base import DateLike, Provider, clip_dates
from thesis.data.symbols import validate_symbol
from thesis.errors import BadInput, SymbolNotFound

if TYPE_CHECKING:
    import pandas as pd


NAME = "frames"
PRICE_COLUMNS = ("open", "high", "low", "close")


def frame_to_bars(frame: pd.DataFrame, symbol: str, adjustment: str = "as-traded",
                  parameter: str = "bars") -> pd.DataFrame:
    """A user's daily frame -> validated bars (thesis.data.model). Columns are matched without
    regard to case (``Open`` or ``open``); the index, or a ``date`` column, holds the dates;
    ``volume`` and ``open`` may be missing. Errors name ``parameter`` and the symbol."""
    import pandas as pd

    from thesis.data.model import make_bars
    from thesis.data.validate import ensure_loadable, validate_frame

    if not isinstance(frame, pd.DataFrame):
        raise BadInput(f"{parameter} for {symbol} must be a pandas DataFrame, got {type(frame).__name__}")
    cols = {str(c).lower(): c for c in frame.columns}
    missing = [c for c in ("high", "low", "close") if c not in cols]
    if missing:
        raise BadInput(f"{parameter} for {symbol} has no {', '.join(missing)} column "
                       f"(columns: {', '.join(map(str, frame.columns)) or 'none'})")
    dates = frame[cols["date"]] if "date" in cols else frame.index
    try:
        index = pd.DatetimeIndex(dates)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{parameter} for {symbol}: the dates (index or a 'date' column) are not dates ({exc})") from None
    if index.tz is not None:
        index = index.tz_localize(None)
    body = {}
    for name in (*PRICE_COLUMNS, "volume"):
        if name in cols:
            try:
                body[name] = pd.to_numeric(frame[cols[name]], errors="raise").to_numpy(dtype="float64")
            except (TypeError, ValueError) as exc:
                raise BadInput(f"{parameter} for {symbol}: column {cols[name]!r} is not numeric ({exc})") from None
        else:
            body[name] = float("nan") if name == "open" else 0.0
    table = pd.DataFrame(body)
    table.insert(0, "date", index.normalize())
    where = f"{parameter}[{symbol}]"
    table, report = validate_frame(table, symbol, where)
    ensure_loadable(report, where, symbol)
    bars = make_bars(table.set_index("date"), symbol, NAME, adjustment)
    bars.attrs["warnings"] = [p.text() for p in report.problems]
    bars.attrs["flagged"] = report.flagged
    return bars


def is_bars(frame: object) -> bool:
    """True for bars thesis itself built (load_bars, a provider): they are used as they are."""
    attrs = getattr(frame, "attrs", None) or {}
    return bool(attrs.get("symbol")) and "warnings" in attrs and "adjustment" in attrs


class Frames(Provider):
    """A mapping of symbols to frames as a source. A symbol it lacks comes from ``fallback`` (a
    Provider) when one is given, else it is not found (a confirmation then reports "no data")."""

    name = NAME

    def __init__(self, frames: Mapping[str, pd.DataFrame], fallback: Provider | None = None,
                 parameter: str = "bars"):
        self.parameter, self.fallback = parameter, fallback
        self._raw = {validate_symbol(s): f for s, f in frames.items()}
        self._bars: dict[tuple[str, str], pd.DataFrame] = {}

    def fetch(self, symbol: str, adjustment: str, start: DateLike = None, end: DateLike = None) -> pd.DataFrame:
        symbol = validate_symbol(symbol)
        if symbol not in self._raw:
            if self.fallback is not None:
                return self.fallback.fetch(symbol, adjustment, start, end)
            raise SymbolNotFound(symbol, f"the frames passed as {self.parameter}",
                                 f"it holds {', '.join(sorted(self._raw)) or 'nothing'}")
        key = (symbol, adjustment)
        if key not in self._bars:
            raw = self._raw[symbol]
            self._bars[key] = raw if is_bars(raw) else frame_to_bars(raw, symbol, adjustment, self.parameter)
        bars = self._bars[key]
        out = clip_dates(bars, start, end)
        out.attrs = dict(bars.attrs)
        return out

    def symbols(self, adjustment: str | None = None) -> list[str]:
        return sorted(self._raw)
