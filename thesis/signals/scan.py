"""`scan`: any trigger kind on plain arrays, for event studies over many symbols.

    scan("outside_bar_rejection", o, h, l, c, side="short", zone=(188, 190))
    scan("squeeze_release", None, H, L, C, side="long")      # 2-D: dates x symbols

Arrays are 1-D (one symbol) or 2-D (time on axis 0, one column per symbol, as
load_universe returns); the result is a bool array of the same shape. No
resampling: pass bars of the timeframe you want. `open` may be None (sources
with high/low/close only): kinds that read the open (outside_bar,
outside_bar_rejection, long_wick) then use the previous close, clipped into the
bar's range, as the open (documented fallback, see thesis.signals.nb).
Parameters are those of `Trigger` for that kind (validated the same way).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import ValidationError

from thesis.errors import BadInput
from thesis.signals import nb
from thesis.signals.spec import Trigger


def _trigger(kind: str, side: str, params: dict) -> Trigger:
    try:
        return Trigger.model_validate({"kind": kind, "side": side, **params})
    except ValidationError as exc:
        msgs = "; ".join(f"{'.'.join(map(str, e['loc'])) or kind}: {e['msg']}" for e in exc.errors())
        raise BadInput(f"scan({kind!r}): {msgs}") from None


def _column(trig: Trigger, short: bool, o, h, l, c, week_id, week_end) -> np.ndarray:
    bounds = trig.bounds()
    lo, hi = bounds if bounds is not None else (-np.inf, np.inf)
    k = trig.kind
    if k == "outside_bar":
        return nb.outside_bar_nb(o, h, l, c, short)
    if k == "zone_rejection":
        return nb.zone_rejection_nb(h, l, c, lo, hi, short)
    if k == "outside_bar_rejection":
        return nb.outside_bar_rejection_nb(o, h, l, c, lo, hi, short)
    if k == "failed_breakout":
        return nb.failed_breakout_nb(c, lo, hi, trig.within, short)
    if k == "lower_high_breakdown":
        return nb.lower_high_breakdown_nb(h, l, c, lo, hi, trig.swing_bars, trig.tolerance, trig.max_wait, short)[0]
    if k == "squeeze_release":
        return nb.squeeze_release_nb(h, l, c, trig.length, trig.bb_mult, trig.kc_mult) == (-1 if short else 1)
    if k == "long_wick":
        return nb.long_wick_nb(o, h, l, c, lo, hi, trig.min_wick, trig.min_wick_body, short)
    if k == "low_of_week":
        if trig.mode == "week_close":
            return nb.period_extreme_nb(l, h, week_id, week_end, short) >= 0
        return nb.running_period_extreme_nb(l, h, week_id, short)
    raise AssertionError(k)  # pragma: no cover


Columns = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _columns(o: np.ndarray, h: np.ndarray, l: np.ndarray, c: np.ndarray) -> list[Columns]:
    """(open, high, low, close) of each instrument, contiguous: one for 1-D arrays, one per column for 2-D."""
    flat = np.ascontiguousarray
    if o.ndim == 1:
        return [(flat(o), flat(h), flat(l), flat(c))]
    return [(flat(o[:, j]), flat(h[:, j]), flat(l[:, j]), flat(c[:, j])) for j in range(o.shape[1])]


def _weeks(dates, n: int) -> tuple[np.ndarray, np.ndarray]:
    if dates is None:
        raise BadInput("scan('low_of_week') needs dates=... (one session date per row) to find the weeks")
    idx = pd.DatetimeIndex(dates)
    if len(idx) != n:
        raise BadInput(f"dates has {len(idx)} rows but the price arrays have {n}")
    from thesis.signals.triggers import week_keys

    frame = pd.DataFrame({"high": 1.0, "low": 1.0, "close": 1.0}, index=idx)
    return week_keys(frame)


def scan(kind: str, open, high, low, close, *, side: str, dates=None, **params) -> np.ndarray:
    """Bool array, True on the bars where the trigger `kind` fires (rules: docs/triggers.md).

    side: "short" or "long". dates: session dates (needed by low_of_week only).
    low_of_week's "week_close" events sit on the last session of each complete week
    (XNYS calendar); the weekdays filter is not applied here.
    """
    trig = _trigger(kind, side, params)
    short = trig.side == "short"
    arrs = [np.asarray(a, dtype="float64") for a in (high, low, close)]
    shape = arrs[0].shape
    if any(a.shape != shape for a in arrs) or len(shape) not in (1, 2):
        raise BadInput(f"high, low, close must be 1-D or 2-D arrays of one shape, got "
                       f"{[a.shape for a in arrs]}")
    o = np.full(shape, np.nan) if open is None else np.asarray(open, dtype="float64")
    if o.shape != shape:
        raise BadInput(f"open has shape {o.shape}, expected {shape} (or pass open=None)")
    if trig.weekdays:
        raise BadInput("scan('low_of_week') does not take weekdays; filter the result by date instead")
    week_id = week_end = np.zeros(shape[0], dtype=np.int64)
    if kind == "low_of_week":
        week_id, week_end = _weeks(dates, shape[0])
    week_end = np.asarray(week_end, dtype=np.bool_)
    out = [np.asarray(_column(trig, short, *col, week_id, week_end), dtype=np.bool_)
           for col in _columns(o, *arrs)]
    return out[0] if len(shape) == 1 else np.column_stack(out) if out else np.zeros(shape, dtype=bool)
