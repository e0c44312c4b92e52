"""Pandas-facing triggers: daily bars in, a bool Series of events out.

Every function takes DAILY bars (thesis.data bar model; `open` may be NaN) and a
`timeframe` ("1d", "1w", "1mo"). For 1w/1mo the bars are resampled with
thesis.data.resample, so each row is dated at the period's LAST session: the
event is known at that bar's close. Events on partial periods (not complete in
the data) are never emitted. A result at date t depends only on bars up to t.

The exact rules live in thesis.signals.nb (kernel docstrings) and docs/triggers.md.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from thesis.errors import BadInput
from thesis.signals import nb
from thesis.signals.frames import check_side, complete_only, ohlc, timeframe_bars

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def as_bounds(zone) -> tuple[float, float]:
    """A zone [lo, hi] or a single level L (-> (L, L)) as floats; BadInput when lo > hi."""
    if zone is None:
        raise BadInput("a zone [lo, hi] or a level is required")
    if np.ndim(zone) == 0:         # a level: a number (or numeric text)
        lo = hi = float(zone)
    else:
        try:
            lo, hi = (float(z) for z in zone)
        except (TypeError, ValueError) as exc:
            raise BadInput(f"zone must be [lo, hi] or a number, got {zone!r}") from exc
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise BadInput(f"zone bounds must be finite, got [{lo}, {hi}]")
    if lo > hi:
        raise BadInput(f"zone lo {lo:g} is above hi {hi:g}; write [lo, hi]")
    return lo, hi


def outside_bar(bars: pd.DataFrame, side: str = "short", timeframe: str = "1d") -> pd.Series:
    """Bearish (short) / bullish (long) outside bar; rule in nb.outside_bar_nb."""
    frame = timeframe_bars(bars, timeframe)
    return complete_only(frame, nb.outside_bar_nb(*ohlc(frame), check_side(side)))


def zone_rejection(bars: pd.DataFrame, zone, side: str = "short", timeframe: str = "1d") -> pd.Series:
    """Traded into the zone and closed back out (below lo for short, above hi for long)."""
    short = check_side(side)
    lo, hi = as_bounds(zone)
    frame = timeframe_bars(bars, timeframe)
    _, h, low, c = ohlc(frame)
    return complete_only(frame, nb.zone_rejection_nb(h, low, c, lo, hi, short))


def outside_bar_rejection(bars: pd.DataFrame, zone, side: str = "short", timeframe: str = "1d") -> pd.Series:
    """Outside bar that reached the zone and closed beyond it and against its open (the seed's signal)."""
    short = check_side(side)
    lo, hi = as_bounds(zone)
    frame = timeframe_bars(bars, timeframe)
    return complete_only(frame, nb.outside_bar_rejection_nb(*ohlc(frame), lo, hi, short))


def failed_breakout(bars: pd.DataFrame, zone, side: str = "short", within: int = 5,
                    timeframe: str = "1d") -> pd.Series:
    """Close above the zone top then back below the zone bottom within `within` bars (short);
    mirrored failed breakdown for long. A level L is the zone [L, L]."""
    short = check_side(side)
    lo, hi = as_bounds(zone)
    if int(within) < 1:
        raise BadInput(f"within must be >= 1 bar, got {within}")
    frame = timeframe_bars(bars, timeframe)
    return complete_only(frame, nb.failed_breakout_nb(ohlc(frame)[3], lo, hi, int(within), short))


def lower_high_arrays(frame: pd.DataFrame, side: str, zone=None, swing_bars: int = 2,
                      tolerance: float = 0.01, max_wait: int = 20):
    """Kernel output of nb.lower_high_breakdown_nb on an already-timeframed frame."""
    short = check_side(side)
    lo, hi = as_bounds(zone) if zone is not None else (-np.inf, np.inf)
    if int(swing_bars) < 1:
        raise BadInput(f"swing_bars must be >= 1, got {swing_bars}")
    if not 0 <= tolerance < 0.5:
        raise BadInput(f"tolerance is a fraction of price in [0, 0.5), got {tolerance}")
    _, h, low, c = ohlc(frame)
    return nb.lower_high_breakdown_nb(h, low, c, lo, hi, int(swing_bars), float(tolerance),
                                      int(max_wait), short)


def lower_high_breakdown(bars: pd.DataFrame, side: str = "short", zone=None, swing_bars: int = 2,
                         tolerance: float = 0.01, max_wait: int = 20, timeframe: str = "1d") -> pd.Series:
    """Held at the zone, made another (lower or equal) high, closed below the neckline (short);
    mirror for long. Swings are fractal(swing_bars) and used only once confirmed."""
    frame = timeframe_bars(bars, timeframe)
    event = lower_high_arrays(frame, side, zone, swing_bars, tolerance, max_wait)[0]
    return complete_only(frame, event)


def swing_points(bars: pd.DataFrame, swing_bars: int = 2, timeframe: str = "1d") -> pd.DataFrame:
    """Confirmed fractal swings: rows dated at the CONFIRMATION bar; columns swing_high_date /
    swing_low_date (the pivot's date, NaT when none is confirmed on that bar)."""
    frame = timeframe_bars(bars, timeframe)
    _, h, low, _ = ohlc(frame)
    highs, lows = nb.confirmed_swings_nb(h, low, int(swing_bars))
    dates = frame.index.to_numpy()
    nat = np.datetime64("NaT")
    out = pd.DataFrame({"swing_high_date": np.where(highs >= 0, dates[np.maximum(highs, 0)], nat),
                        "swing_low_date": np.where(lows >= 0, dates[np.maximum(lows, 0)], nat)},
                       index=frame.index)
    partial = frame["partial"].to_numpy(dtype=bool)
    out.loc[partial, :] = pd.NaT
    return out


def squeeze(bars: pd.DataFrame, length: int = 20, bb_mult: float = 2.0, kc_mult: float = 1.5,
            timeframe: str = "1d") -> pd.Series:
    """In-squeeze state (Bollinger(length, bb_mult) inside Keltner(length, kc_mult*ATR)); False
    where undefined."""
    frame = timeframe_bars(bars, timeframe)
    _, h, low, c = ohlc(frame)
    return complete_only(frame, nb.squeeze_state_nb(h, low, c, int(length), float(bb_mult), float(kc_mult)) == 1)


def squeeze_release(bars: pd.DataFrame, side: str = "short", length: int = 20, bb_mult: float = 2.0,
                    kc_mult: float = 1.5, timeframe: str = "1d") -> pd.Series:
    """First bar out of a squeeze whose close is below (short) / above (long) the mean close."""
    short = check_side(side)
    if int(length) < 2:
        raise BadInput(f"squeeze length must be >= 2, got {length}")
    frame = timeframe_bars(bars, timeframe)
    _, h, low, c = ohlc(frame)
    release = nb.squeeze_release_nb(h, low, c, int(length), float(bb_mult), float(kc_mult))
    return complete_only(frame, release == (-1 if short else 1))


def long_wick(bars: pd.DataFrame, side: str = "short", zone=None, min_wick: float = 0.5,
              min_wick_body: float = 2.0, timeframe: str = "1d") -> pd.Series:
    """Long upper wick (short) / lower wick (long); optional zone the wick must reach."""
    short = check_side(side)
    lo, hi = as_bounds(zone) if zone is not None else (-np.inf, np.inf)
    frame = timeframe_bars(bars, timeframe)
    return complete_only(frame, nb.long_wick_nb(*ohlc(frame), lo, hi, float(min_wick),
                                                float(min_wick_body), short))


def week_keys(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(week id per daily bar, True on the last session of a COMPLETE week).

    Weeks are Monday-Friday (as thesis.data.resample); completeness is from the XNYS
    calendar via resample's `partial` column, so a week's end is known on its last
    session without reading any later bar."""
    frame = timeframe_bars(bars, "1d")
    week_id = frame.index.to_period("W-FRI").asi8
    weekly = timeframe_bars(bars, "1w")
    ends = weekly.index[~weekly["partial"].to_numpy(dtype=bool)]
    return np.ascontiguousarray(week_id), np.asarray(frame.index.isin(ends))


def week_extremes(bars: pd.DataFrame, side: str = "long") -> pd.DataFrame:
    """Per complete week, dated at its last session: extreme_date (the session that made the
    week's low for long / high for short; earliest on ties) and extreme (that price)."""
    short = check_side(side)
    frame = timeframe_bars(bars, "1d")
    _, h, low, _ = ohlc(frame)
    week_id, week_end = week_keys(bars)
    idx = nb.period_extreme_nb(low, h, week_id, week_end, short)
    rows = np.flatnonzero(idx >= 0)
    src = idx[rows]
    return pd.DataFrame({"extreme_date": frame.index[src], "extreme": (h if short else low)[src]},
                        index=frame.index[rows])


def _weekday_ok(dates: pd.DatetimeIndex, weekdays) -> np.ndarray:
    if not weekdays:
        return np.ones(len(dates), dtype=bool)
    wanted = {WEEKDAY_NAMES.index(d[:3].lower()) for d in weekdays}
    return np.isin(dates.weekday, list(wanted))


def low_of_week(bars: pd.DataFrame, side: str = "long", mode: str = "week_close",
                weekdays=None) -> pd.Series:
    """Low of the week (long) / high of the week (short), daily bars only.

    mode "week_close": event on the last session of each complete week, when the session
    that made the week's low (high) falls on one of `weekdays` (all when None).
    mode "running": event on a session that undercuts (exceeds) every earlier session of
    its week (never the week's first session), if that session is one of `weekdays`.
    """
    short = check_side(side)
    frame = timeframe_bars(bars, "1d")
    if mode == "week_close":
        ext = week_extremes(bars, side)
        hit = _weekday_ok(pd.DatetimeIndex(ext["extreme_date"]), weekdays)
        return pd.Series(frame.index.isin(ext.index[hit]), index=frame.index, name="event")
    if mode == "running":
        _, h, low, _ = ohlc(frame)
        week_id, _ = week_keys(bars)
        mask = nb.running_period_extreme_nb(low, h, week_id, short) & _weekday_ok(frame.index, weekdays)
        return pd.Series(mask, index=frame.index, name="event")
    raise BadInput(f"low_of_week mode must be 'week_close' or 'running', got {mode!r}")
