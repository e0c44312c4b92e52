"""The bar model: a pandas DataFrame indexed by session date with float columns
open, high, low, close, volume, and metadata in ``frame.attrs``:

- ``symbol``: e.g. "IWM"
- ``source``: where the bars came from, e.g. "csv:/path/daily", "yahoo", "store:yahoo"
- ``adjustment``: "as-traded" (split-adjusted only) or "adjusted" (split and dividend)
- ``timeframe``: "1d", "1w" or "1mo"
- ``has_open``: False when the source had no open column (open is then NaN)
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas loads in make_bars: the constants below are read by light code
    import pandas as pd

AS_TRADED = "as-traded"
ADJUSTED = "adjusted"
ADJUSTMENTS = (AS_TRADED, ADJUSTED)
COLUMNS = ["open", "high", "low", "close", "volume"]
TIMEFRAMES = ("1d", "1w", "1mo")


def make_bars(frame: pd.DataFrame, symbol: str, source: str, adjustment: str,
              timeframe: str = "1d") -> pd.DataFrame:
    import pandas as pd

    """Normalise a frame to the bar model and stamp its metadata."""
    if adjustment not in ADJUSTMENTS:
        raise ValueError(f"adjustment must be one of {ADJUSTMENTS}, got {adjustment!r}")
    out = frame.copy()
    for col in COLUMNS:
        if col not in out.columns:
            out[col] = float("nan") if col != "volume" else 0.0
    out = out[COLUMNS].astype("float64")
    out.index = pd.DatetimeIndex(out.index).normalize()
    out.index.name = "date"
    has_open = bool(out["open"].notna().any())
    out.attrs = {"symbol": symbol, "source": source, "adjustment": adjustment,
                 "timeframe": timeframe, "has_open": has_open}
    return out


def describe(bars: pd.DataFrame) -> str:
    a = bars.attrs
    return f"{a.get('symbol')} {a.get('timeframe', '1d')} bars, {a.get('adjustment')}, from {a.get('source')}"
