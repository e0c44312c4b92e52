"""Run `Trigger` specs on daily bars: a table of events (date, kind, timeframe, price, detail).

`date` is the bar's date, i.e. when the event is known (for 1w/1mo the period's
last session); `price` is that bar's close; `detail` says why, in numbers.
"""
from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar

import numpy as np
import pandas as pd

from thesis.signals import triggers as tg
from thesis.signals.frames import check_side, ohlc, timeframe_bars
from thesis.signals.spec import Trigger

EVENT_COLUMNS = ["date", "kind", "timeframe", "price", "detail"]


# The detail texts' prices at the instrument's tick (GBPUSD 1.2700, USDJPY 151.20): set around the
# writing of one call's texts, so the many small text helpers need no extra argument.
_DECIMALS: ContextVar[int] = ContextVar("detail_decimals", default=2)


def _f(x: float) -> str:
    return f"{x:.{_DECIMALS.get()}f}"


def _decimals(bars: pd.DataFrame) -> int:
    from thesis.data.instruments import instrument_of
    from thesis.errors import ThesisError

    symbol = bars.attrs.get("symbol")
    try:
        return instrument_of(symbol).decimals if symbol else 2
    except ThesisError:
        return 2


def _day(ts) -> str:
    ts = pd.Timestamp(ts)
    return f"{ts:%a} {ts.date()}"


def _open_text(o, h, l, c, i) -> str:
    if np.isfinite(o[i]):
        return f"O {_f(o[i])}"
    return f"prev C {_f(c[i - 1])}"


def _outside_text(short, o, h, l, c, i) -> str:
    kind = "bearish" if short else "bullish"
    cmp = "<" if short else ">"
    return (f"{kind} outside bar: H {_f(h[i])} > {_f(h[i - 1])}, L {_f(l[i])} < {_f(l[i - 1])}, "
            f"C {_f(c[i])} {cmp} {_open_text(o, h, l, c, i)}")


def _zone_text(short, lo, hi, h, l, c, i) -> str:
    if short:
        return f"H {_f(h[i])} reached zone {_f(lo)}-{_f(hi)}, C {_f(c[i])} closed below {_f(lo)}"
    return f"L {_f(l[i])} reached zone {_f(lo)}-{_f(hi)}, C {_f(c[i])} closed above {_f(hi)}"


def _breakout_text(short, lo, hi, c, dates, i) -> str:
    b = i - 1
    while b >= 1 and not ((c[b] > hi and c[b - 1] <= hi) if short else (c[b] < lo and c[b - 1] >= lo)):
        b -= 1
    if short:
        return (f"closed above {_f(hi)} on {dates[b].date()} (C {_f(c[b])}), back below {_f(lo)} "
                f"{i - b} bar(s) later (C {_f(c[i])})")
    return (f"closed below {_f(lo)} on {dates[b].date()} (C {_f(c[b])}), back above {_f(hi)} "
            f"{i - b} bar(s) later (C {_f(c[i])})")


def _wick_text(short, o, h, l, c, i) -> str:
    oe = o[i] if np.isfinite(o[i]) else min(max(c[i - 1], l[i]), h[i])
    rng = h[i] - l[i]
    wick = h[i] - max(oe, c[i]) if short else min(oe, c[i]) - l[i]
    body = abs(c[i] - oe)
    ratio = "doji body" if body == 0 else f"{wick / body:.1f}x body"
    return f"{'upper' if short else 'lower'} wick {_f(wick)} = {wick / rng:.0%} of range, {ratio}"


def _mask_and_details(trig: Trigger, bars: pd.DataFrame, side: str, since=None):
    """(frame, event rows, list of detail strings aligned with the rows); rows dated before
    ``since`` are dropped before their texts are written."""
    short = check_side(side)
    tf, kind, zone = trig.timeframe, trig.kind, trig.bounds()
    lo, hi = zone if zone is not None else (float("nan"), float("nan"))   # the zone kinds always have one
    frame = timeframe_bars(bars, tf)     # resampled once; the trigger functions accept it as is
    o, h, l, c = ohlc(frame)
    dates = frame.index
    if kind == "outside_bar":
        mask = tg.outside_bar(frame, side, tf)
        text = lambda i: _outside_text(short, o, h, l, c, i)  # noqa: E731
    elif kind == "zone_rejection":
        mask = tg.zone_rejection(frame, zone, side, tf)
        text = lambda i: _zone_text(short, lo, hi, h, l, c, i)  # noqa: E731
    elif kind == "outside_bar_rejection":
        mask = tg.outside_bar_rejection(frame, zone, side, tf)
        text = lambda i: _outside_text(short, o, h, l, c, i) + "; " + _zone_text(short, lo, hi, h, l, c, i)  # noqa: E731
    elif kind == "failed_breakout":
        mask = tg.failed_breakout(frame, zone, side, trig.within, tf)
        text = lambda i: _breakout_text(short, lo, hi, c, dates, i)  # noqa: E731
    elif kind == "lower_high_breakdown":
        ev, p1, p2, neck = tg.lower_high_arrays(frame, side, zone, trig.swing_bars, trig.tolerance, trig.max_wait)
        mask = tg.complete_only(frame, ev)
        px = h if short else l
        what = "highs" if short else "lows"

        def text(i):
            a, b = int(p1[i]), int(p2[i])
            return (f"swing {what} {_f(px[a])} ({dates[a].date()}) and {_f(px[b])} ({dates[b].date()}), "
                    f"C {_f(c[i])} {'below' if short else 'above'} neckline {_f(neck[i])}")
    elif kind == "squeeze_release":
        mask = tg.squeeze_release(frame, side, trig.length, trig.bb_mult, trig.kc_mult, tf)
        n = trig.length

        def text(i):
            mean = float(np.mean(c[i - n + 1: i + 1]))
            return (f"squeeze (BB {n},{trig.bb_mult:g} inside KC {n},{trig.kc_mult:g} ATR) released "
                    f"{'down' if short else 'up'}: C {_f(c[i])} {'<' if short else '>'} mean {_f(mean)}")
    elif kind == "long_wick":
        mask = tg.long_wick(frame, side, zone, trig.min_wick, trig.min_wick_body, tf)
        text = lambda i: _wick_text(short, o, h, l, c, i)  # noqa: E731
    elif kind == "low_of_week":
        mask = tg.low_of_week(bars, side, trig.mode, trig.weekdays)
        word = "high" if short else "low"
        if trig.mode == "week_close":
            ext = tg.week_extremes(bars, side)

            def text(i):
                row = ext.loc[dates[i]]
                return f"week {word} {_f(row['extreme'])} set on {_day(row['extreme_date'])}"
        else:
            def text(i):
                return f"new {word} of the week {_f(h[i] if short else l[i])} on {_day(dates[i])}"
    else:  # pragma: no cover - Trigger validates kind
        raise AssertionError(kind)
    rows = np.flatnonzero(mask.to_numpy(dtype=bool))
    if since is not None and len(rows):
        rows = rows[dates[rows] >= pd.Timestamp(since)]
    token = _DECIMALS.set(_decimals(bars))
    try:
        return frame, rows, [text(int(i)) for i in rows]
    finally:
        _DECIMALS.reset(token)


def empty_events() -> pd.DataFrame:
    """An event table with no rows (built once; each caller gets its own copy)."""
    global _EMPTY
    if _EMPTY is None:
        _EMPTY = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "kind": pd.Series(dtype=object),
                               "timeframe": pd.Series(dtype=object), "price": pd.Series(dtype="float64"),
                               "detail": pd.Series(dtype=object)})
    return _EMPTY.copy()


_EMPTY = None


def detect(trigger: Trigger, bars: pd.DataFrame, direction: str | None, since=None) -> pd.DataFrame:
    """Events of one trigger on daily `bars`; side = trigger.side or else `direction`.

    Columns: date (bar date = when known), kind, timeframe, price (close of that bar), detail.
    ``since``: leave out events dated before it (the rule still reads all the bars before it;
    only the listing is shorter).
    """
    if not isinstance(trigger, Trigger):
        trigger = Trigger.model_validate(trigger)
    side = trigger.resolved_side(direction)
    frame, rows, details = _mask_and_details(trigger, bars, side, since)
    if len(rows) == 0:
        return empty_events()
    label = f"{trigger.label}: " if trigger.label else ""
    return pd.DataFrame({
        "date": pd.DatetimeIndex(frame.index[rows]),
        "kind": trigger.kind,
        "timeframe": trigger.timeframe,
        "price": frame["close"].to_numpy(dtype="float64")[rows],
        "detail": [f"{label}{side}: {d}" for d in details],
    })


def detect_all(triggers: Iterable[Trigger], bars: pd.DataFrame, direction: str | None, since=None) -> pd.DataFrame:
    """Events of every trigger, sorted by date (stable: ties keep the triggers' order);
    ``since`` as in `detect`."""
    parts = [detect(t, bars, direction, since) for t in triggers]
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty_events()
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values("date", kind="stable").reset_index(drop=True)
