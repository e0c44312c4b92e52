"""The trades a replay makes for an idea: the limit, the signal variant, the horizon and invalidation.

One place decides which trades an idea's bars produce (thesis.replay.run builds the replay document
from them, thesis.replay.lifecycle the idea's events and states); both import this module, which
imports neither.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from thesis.errors import ThesisError
from thesis.replay.fills import Trade, simulate
from thesis.spec import Idea


def stale_date(idea: Idea, bars: pd.DataFrame, start) -> pd.Timestamp | None:
    """The last day an order placed at ``start`` may still fill: one horizon (any form) after it."""
    sessions = idea.horizon_sessions()
    if sessions:
        first = _pos(bars, start, "left")
        return _day(bars, first + sessions - 1) if len(bars) - first >= sessions else None
    return known_end(bars, idea.horizon_end(start), idea_calendar(idea))


def _pos(bars: pd.DataFrame, day, side: str) -> int:
    """``bars.index.searchsorted(day, side)`` on the raw values (pandas' scalar checks cost ~20x the search)."""
    return int(bars.index.values.searchsorted(pd.Timestamp(day).to_datetime64(), side=side))


def _day(bars: pd.DataFrame, i: int) -> pd.Timestamp:
    """``bars.index[i]`` for tz-naive daily bars, without pandas' boxing."""
    return pd.Timestamp(bars.index.values[i]) if bars.index.tz is None else bars.index[i]


def idea_calendar(idea: Idea) -> str:
    """The exchange_calendars name of the idea's instrument (24/7 crypto, 24/5 FX, CMES, XNYS ...)."""
    from thesis.data.calendar import calendar_of as of_symbol

    return of_symbol(idea.symbol)


def known_end(bars: pd.DataFrame, end, calendar: str = "XNYS") -> pd.Timestamp | None:
    """A calendar end date as the bars can know it: when the bars stop before ``end`` and no session
    of the instrument's ``calendar`` lies after their last bar up to ``end`` (a horizon ending on a
    weekend or a holiday of that market), the last bar is the horizon's last session, known at its
    close. Without this an as-of view learnt that a limit had expired (or a time stop had struck)
    only on the next bar, while the full history dated it a session earlier. The calendar is the
    instrument's: a bitcoin horizon ending on a Saturday ends on that Saturday's session, an FX one
    ending on a US holiday on that day's FX session, not on the NYSE's last session before it."""
    if end is None:
        return None
    end = pd.Timestamp(end)
    last = bars.index[-1]
    if end <= last:
        return end
    return last if _no_session_between(last, end, calendar) else end


_QUIET: dict[tuple, bool] = {}


def _no_session_between(last: pd.Timestamp, end: pd.Timestamp, calendar: str) -> bool:
    """No session of ``calendar`` after ``last`` up to ``end`` (inclusive), within the calendar's
    range. Many ideas of one pass ask the same question: answered once per (last, end, calendar)."""
    key = (last, end, calendar)
    hit = _QUIET.get(key)
    if hit is None:
        from thesis.data.calendar import last_session, sessions

        hit = not (end > last_session(calendar) or len(sessions(last + pd.Timedelta(days=1), end, calendar)))
        if len(_QUIET) > 100_000:
            _QUIET.clear()
        _QUIET[key] = hit
    return hit


def _never(idea: Idea, start, note: str, order: str | None = None):
    from thesis.replay import nb

    lv = idea.levels
    signal = (order or idea.entry.order) == "signal"
    return Trade(idea.symbol, idea.direction, "next_open" if signal else "limit",
                 None if signal else idea.entry_price, lv.stop, list(lv.targets),
                 list(lv.sizes or [1.0 / len(lv.targets)] * len(lv.targets)), start, None, "none",
                 nb.REASON_NONE, notes=[note])


def stop_traded(idea: Idea, bars: pd.DataFrame, start, until=None) -> pd.Timestamp | None:
    """The first session from ``start`` to ``until`` (inclusive; None: the last bar) whose range reached
    the stop level (a short's high at or above it, a long's low at or below it), or None."""
    from thesis.signals.frames import ohlc

    a = _pos(bars, start, "left")
    b = len(bars) if until is None else _pos(bars, until, "right")
    if b <= a:
        return None
    stop = idea.levels.stop
    _, high, low, _ = ohlc(bars)
    hit = high[a:b] >= stop if idea.direction == "short" else low[a:b] <= stop
    return _day(bars, a + int(np.argmax(hit))) if hit.any() else None


def _invalidated(idea: Idea, start, day, order: str = "signal") -> Trade:
    t = _never(idea, start, f"invalidated: stop traded on {pd.Timestamp(day).date()} before any entry", order)
    t.invalidated = pd.Timestamp(day)
    return t


def _simulate_with_horizon(idea: Idea, bars: pd.DataFrame, entry: dict, start) -> Trade:
    """A limit entry working from ``start``: unfilled after one horizon (any form) it is stale;
    once filled, the time stop is one horizon after the entry session."""
    lv = idea.levels
    common = dict(bars=bars, direction=idea.direction, entry=entry, start_date=start, stop=lv.stop,
                  targets=lv.targets, sizes=lv.sizes, move_stop_to_breakeven=lv.move_stop_to_breakeven)
    sessions = idea.horizon_sessions()
    if sessions:
        first = simulate(**common, horizon_sessions=sessions)
        if not first.filled:
            return first
        return simulate(**common, hold_sessions=sessions)
    stale = known_end(bars, idea.horizon_end(start), idea_calendar(idea))
    if stale is not None and stale < pd.Timestamp(start):  # an end date before the first session
        return _never(idea, start, f"the horizon ends on {stale.date()}, before the first session "
                                   f"{pd.Timestamp(start).date()}: no entry")
    first = simulate(**common, end_date=stale)
    if not first.filled or stale is None:
        return first
    return simulate(**common, end_date=known_end(bars, idea.horizon_end(first.entry_date), idea_calendar(idea)))


def replay_trades(idea: Idea, bars: pd.DataFrame, start, events: pd.DataFrame) -> list[tuple[str, Trade]]:
    """The replay's trades (primary first) for ``idea`` on ``bars``: the limit (when the entry is a
    limit) and the signal variant; an unfilled signal trade when no trigger fired in time.
    ``events`` are the trigger events on or after ``start``."""
    trades: list[tuple[str, Trade]] = []
    if idea.entry.order == "limit":
        trades.append(("limit", _simulate_with_horizon(idea, bars, {"order": "limit", "price": idea.entry_price},
                                                       start)))
    signal_trade = _signal_trade(idea, bars, events, start)
    if signal_trade is not None:
        trades.append(("signal", signal_trade))
    if not trades:  # a signal idea whose trigger never fired: an unfilled trade
        trades.append(("signal", _never(idea, start, "no trigger fired within the horizon: no entry")))
    return trades


def signal_trigger(idea: Idea, bars: pd.DataFrame, events: pd.DataFrame, start):
    """(the trigger row that opens the signal entry or None, the session the stop traded first
    before it or None): the first trigger within one horizon of ``start``; none once the stop has
    traded. Decided from the bars up to the trigger's session only (no look-ahead)."""
    stale = stale_date(idea, bars, start)
    first = None        # the position of the first trigger within the horizon, in the events' order
    if len(events):
        dates = events["date"].to_numpy()
        usable = dates <= stale.to_datetime64() if stale is not None else np.ones(len(dates), dtype=bool)
        first = int(usable.argmax()) if usable.any() else None
    if first is not None:
        until = pd.Timestamp(dates[first])
    elif idea.entry.order != "signal":
        return None, None
    else:
        until = stale
    if until is None or until >= pd.Timestamp(start):
        day = stop_traded(idea, bars, start, until)
        if day is not None:
            return None, day
    return (events.iloc[first] if first is not None else None), None


def _signal_trade(idea: Idea, bars: pd.DataFrame, events: pd.DataFrame, start) -> Trade | None:
    """The signal entry: the open after the first trigger within one horizon of ``start``.

    Invalidation (one rule, used by ``thesis watch`` too): a signal does not enter once the stop level
    has traded since publication; a stop that trades on or before the trigger's session invalidates
    the idea, reported as a never-filled trade (``invalidated`` = that session).  For a signal idea
    this holds while no trigger has fired yet as well; a limit idea's signal variant is only reported
    when a trigger fired."""
    row, stopped = signal_trigger(idea, bars, events, start)
    if stopped is not None:
        return _invalidated(idea, start, stopped)
    if row is None:
        return None
    # row is the first trigger of its session in the events' order: its kind names the signal
    signal_date = pd.Timestamp(row["date"])
    if signal_date >= bars.index[-1]:
        return None
    nxt = _day(bars, _pos(bars, signal_date, "right"))
    lv = idea.levels
    common = dict(bars=bars, direction=idea.direction, entry={"order": "next_open", "signal_date": signal_date},
                  stop=lv.stop, targets=lv.targets, sizes=lv.sizes, move_stop_to_breakeven=lv.move_stop_to_breakeven)
    sessions = idea.horizon_sessions()
    if sessions:
        trade = simulate(**common, hold_sessions=sessions)
    else:
        end = known_end(bars, idea.horizon_end(nxt), idea_calendar(idea))
        if end is not None and end < nxt:  # an end-date horizon that passes before the entry session
            return None
        trade = simulate(**common, end_date=end)
    trade.notes.append(f"signal: {row['kind']} on {signal_date.date()}")
    return trade


# ------------------------------------------------------------------ many ideas on one symbol
def batchable(idea: Idea) -> bool:
    """An idea whose trades the batch builds: a limit entry without triggers (no signal variant)."""
    return idea.entry.order == "limit" and not idea.triggers


def replay_trades_many(items: list[tuple[Idea, pd.Timestamp, pd.DataFrame]],
                       bars: pd.DataFrame) -> list[list[tuple[str, Trade]]]:
    """``replay_trades`` for many (idea, start, trigger events) on one symbol's ``bars`` on one symbol's ``bars``: the limit ideas without
    triggers (``batchable``) go through the fill kernel in one call per round (the fill, then the
    exits under the time stop the fill decides, exactly as ``_simulate_with_horizon`` orders them);
    any other idea, and a round that raises (bad levels, a missing bar), is replayed idea by idea so
    each idea gets its own error. The same kernel and the same rules: the trades are identical
    (tests/replay/test_lifecycle_batch.py)."""
    out: list[list[tuple[str, Trade]] | None] = [None] * len(items)
    batch = [k for k, item in enumerate(items) if batchable(item[0])]
    try:
        for k, trade in zip(batch, _limit_trades(items, batch, bars)):
            out[k] = [("limit", trade)]
    except ThesisError:
        pass
    for k, (idea, start, events) in enumerate(items):
        if out[k] is None:
            out[k] = replay_trades(idea, bars, start, events)
    return out  # type: ignore[return-value]


def _limit_trades(items, batch: list[int], bars: pd.DataFrame) -> list[Trade]:
    """Round one: each limit working from its start until its horizon; round two: the filled ones
    again with the time stop counted from their fill."""
    from thesis.replay.fills import simulate_many

    trades: dict[int, Trade] = {}
    first: list[tuple[int, dict]] = []
    for k in batch:
        idea, start, _ = items[k]
        spec = _limit_spec(idea, start)
        sessions = idea.horizon_sessions()
        if sessions:
            spec["horizon_sessions"] = sessions
        else:
            stale = known_end(bars, idea.horizon_end(start))
            if stale is not None and stale < pd.Timestamp(start):
                trades[k] = _never(idea, start, f"the horizon ends on {stale.date()}, before the first session "
                                                f"{pd.Timestamp(start).date()}: no entry")
                continue
            spec["end_date"] = stale
        first.append((k, spec))
    second: list[tuple[int, dict]] = []
    for (k, spec), trade in zip(first, simulate_many(bars, [s for _, s in first])):
        idea, start, _ = items[k]
        if not trade.filled or (spec.get("end_date") is None and not idea.horizon_sessions()):
            trades[k] = trade
            continue
        spec = _limit_spec(idea, start)
        sessions = idea.horizon_sessions()
        if sessions:
            spec["hold_sessions"] = sessions
        else:
            spec["end_date"] = known_end(bars, idea.horizon_end(trade.entry_date))
        second.append((k, spec))
    for (k, _), trade in zip(second, simulate_many(bars, [s for _, s in second])):
        trades[k] = trade
    return [trades[k] for k in batch]


def _limit_spec(idea: Idea, start) -> dict:
    lv = idea.levels
    return dict(direction=idea.direction, entry={"order": "limit", "price": idea.entry_price}, start_date=start,
                stop=lv.stop, targets=lv.targets, sizes=lv.sizes, move_stop_to_breakeven=lv.move_stop_to_breakeven)
