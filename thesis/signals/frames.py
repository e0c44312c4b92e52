"""Input checks and timeframe handling shared by the pandas-facing trigger functions."""
from __future__ import annotations

import weakref
from functools import partial

import numpy as np
import pandas as pd

from thesis.errors import BadInput

TIMEFRAMES = ("1d", "1w", "1mo")
SIDES = ("short", "long")


def check_side(side: str) -> bool:
    """Return True for "short", False for "long"; BadInput for anything else."""
    if not isinstance(side, str) or side.strip().lower() not in SIDES:
        raise BadInput(f"side/direction must be 'short' or 'long', got {side!r}")
    return side.strip().lower() == "short"


def check_daily_bars(bars: pd.DataFrame) -> None:
    """Bars must be daily, indexed by increasing unique dates, with high/low/close columns."""
    if not isinstance(bars, pd.DataFrame):
        raise BadInput(f"bars must be a pandas DataFrame, got {type(bars).__name__}")
    missing = [c for c in ("high", "low", "close") if c not in bars.columns]
    if missing:
        raise BadInput(f"bars have no column(s) {', '.join(missing)}")
    tf = bars.attrs.get("timeframe", "1d")
    if tf != "1d":
        raise BadInput(f"triggers take daily bars and resample them; got {tf!r} bars "
                       f"({bars.attrs.get('symbol', '?')})")
    if not isinstance(bars.index, pd.DatetimeIndex):
        raise BadInput("bars must be indexed by date (DatetimeIndex)")
    if not bars.index.is_monotonic_increasing or not bars.index.is_unique:
        raise BadInput(f"bar dates of {bars.attrs.get('symbol', '?')} must be increasing and unique")


def timeframe_bars(bars: pd.DataFrame, timeframe: str = "1d") -> pd.DataFrame:
    """Daily bars as bars of `timeframe`, with a bool `partial` column.

    "1d" returns the bars themselves (partial all False). "1w"/"1mo" use
    thesis.data.resample: each row is labelled by the period's LAST session
    date, i.e. the date the bar is known, and `partial` marks periods not yet
    complete in the data. A frame that is already at `timeframe` (it has the
    `partial` column and attrs["timeframe"] == timeframe, as this function and
    resample return) is used as it is.
    """
    if timeframe not in TIMEFRAMES:
        raise BadInput(f"timeframe must be one of {', '.join(TIMEFRAMES)}, got {timeframe!r}")
    if "partial" in getattr(bars, "columns", ()) and bars.attrs.get("timeframe", "1d") == timeframe:
        return bars
    check_daily_bars(bars)
    # Many ideas on one symbol (a board, a watch pass, a scorecard) ask for the same frame of the
    # same bars object: build it once per (bars object, timeframe) while that object lives.
    # Bars are treated as immutable once loaded (as every loader returns them): a frame edited in
    # place after a first call would need a copy to be seen afresh; a new frame always is.
    key = (id(bars), timeframe, len(bars), bars.index[0] if len(bars) else None,
           bars.index[-1] if len(bars) else None)
    hit = _MEMO.get(key)
    if hit is not None and hit[0]() is bars:
        return hit[1]
    frame = _timeframe_frame(bars, timeframe)
    try:
        ref = weakref.ref(bars, partial(_forget, _MEMO, key))
    except TypeError:       # an object without weak references: not memoised
        return frame
    _MEMO[key] = (ref, frame)
    return frame


_MEMO: dict = {}


def _forget(memo: dict, key: tuple, _ref: object) -> None:
    """A memoised object was collected: drop what was built from it (``memo`` bound when the
    callback is made: at interpreter exit the module's globals may be gone)."""
    memo.pop(key, None)


def _timeframe_frame(bars: pd.DataFrame, timeframe: str) -> pd.DataFrame:
    frame = bars.copy()
    if "open" not in frame.columns:
        frame["open"] = np.nan
    if "volume" not in frame.columns:
        frame["volume"] = 0.0
    if timeframe == "1d":
        frame["partial"] = False
        frame.attrs["timeframe"] = "1d"
    else:
        from thesis.data import resample

        frame = resample(frame, timeframe)
    # pandas deep-copies attrs on every column access: the trigger rules read only the scalar ones
    frame.attrs = {k: v for k, v in frame.attrs.items() if isinstance(v, (str, bool, int, float))}
    return frame


def ohlc(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(open, high, low, close) as contiguous float64 arrays (built once per frame object, like
    timeframe_bars; read-only views, so a caller cannot change them for the next one)."""
    key = ("ohlc", id(frame), len(frame))
    hit = _MEMO.get(key)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    o, h, l, c = (np.ascontiguousarray(frame[c].to_numpy(dtype="float64", na_value=np.nan))
                  for c in ("open", "high", "low", "close"))
    arrays = (o, h, l, c)
    for a in arrays:
        a.flags.writeable = False
    try:
        ref = weakref.ref(frame, partial(_forget, _MEMO, key))
    except TypeError:
        return arrays
    _MEMO[key] = (ref, arrays)
    return arrays


def complete_only(frame: pd.DataFrame, mask: np.ndarray) -> pd.Series:
    """Bool Series on the frame's dates; False on partial periods (not known yet)."""
    partial = frame["partial"].to_numpy(dtype=bool) if "partial" in frame.columns else False
    return pd.Series(np.asarray(mask, dtype=bool) & ~partial, index=frame.index, name="event")
