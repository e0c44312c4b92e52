"""The live-idea state machine.

An idea moves through states on closed daily bars only::

    waiting -> in zone -> triggered -> in trade -> closed (target n of m | stop | time)
        \\           \\          \\-> expired      (the entry never filled within the horizon)
         \\-----------\\----------> invalidated  (the stop level traded before any fill)

``evaluate(idea, bars)`` gives the state and every event up to the last bar of
``bars``.  It builds the trade with the replay's own code (``thesis.replay.run``:
the same horizon rule, the same signal rule, the same numba fill kernel) so
``watch`` can never disagree with ``replay(idea, asof=D)``.

``step(state, bar, idea) -> (state, events)`` is the pure one-bar transition:
the state carries the bars seen so far and the events already emitted, the
step appends one closed bar, re-runs the kernel over the bars and returns only
the events that are new.  The kernel is causal (a bar never changes what an
earlier bar decided), so the events form a growing prefix, which the tests
check session by session against ``replay(asof=D)``.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

STATES = ("waiting", "in zone", "triggered", "in trade", "closed", "expired", "invalidated")
TERMINAL = ("closed", "expired", "invalidated")
KINDS = ("zone_touched", "trigger", "filled", "target_hit", "stopped", "time_exit", "expired", "invalidated",
         "note", "idea_revised", "data_stale")


def event_id(idea: str, kind: str, session: str, key: str = "", revision: int = 0) -> str:
    """Deterministic id: the same event (idea, kind, session[, leg], revision) is one id."""
    raw = f"{idea}|{kind}|{session}|{key}" + (f"|r{revision}" if revision else "")
    return hashlib.sha1(raw.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Event:
    idea: str
    kind: str
    session: str               # ISO date of the session the event belongs to
    price: float | None
    r: float | None            # distance from the entry in R (None before a fill / without a stop)
    text: str
    key: str = ""              # tells apart events of one kind on one session (target legs, notes)
    revision: int = 0

    @property
    def id(self) -> str:
        return event_id(self.idea, self.kind, self.session, self.key, self.revision)

    def to_dict(self) -> dict:
        return {"id": self.id, "idea": self.idea, "kind": self.kind, "session": self.session,
                "price": _num(self.price), "r": _num(self.r), "text": self.text, "key": self.key,
                "revision": self.revision}


@dataclass(frozen=True)
class Status:
    """Where an idea stands after the last bar, with every event so far."""

    idea: str
    state: str
    reason: str | None
    session: str | None        # last bar's date
    price: float | None        # last close
    events: tuple[Event, ...] = ()
    entry: float | None = None         # fill price (planned entry while unfilled)
    filled: bool = False
    stop: float | None = None
    next_target: float | None = None
    open_r: float | None = None
    horizon_end: str | None = None     # last session/date of the horizon, when known
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"idea": self.idea, "state": self.state, "reason": self.reason, "session": self.session,
                "price": _num(self.price), "entry": _num(self.entry), "filled": self.filled, "stop": self.stop,
                "next_target": self.next_target, "open_r": _num(self.open_r), "horizon_end": self.horizon_end,
                "events": [e.to_dict() for e in self.events]}


def _num(v):
    if v is None:
        return None
    v = float(v)
    return round(v, 6) if math.isfinite(v) else None


def _iso(ts) -> str:
    return pd.Timestamp(ts).date().isoformat()


def _f(x) -> str:
    return f"{x:.2f}"


# ------------------------------------------------------------------ the trade, by the replay's own rules
def trades_for(idea, bars: pd.DataFrame, start: pd.Timestamp, trigger_events: pd.DataFrame):
    """The replay's trades (primary first) for ``idea`` on ``bars``: the replay's own function."""
    from thesis.replay.run import replay_trades

    return replay_trades(idea, bars, start, trigger_events)


_NO_TRIGGERS = None


def _triggers(idea, bars: pd.DataFrame, start) -> pd.DataFrame:
    global _NO_TRIGGERS
    from thesis.signals.detect import _empty, detect_all

    if not idea.triggers:
        if _NO_TRIGGERS is None:
            _NO_TRIGGERS = _empty()
        return _NO_TRIGGERS
    return detect_all(idea.triggers, bars, idea.direction, since=start)


# ------------------------------------------------------------------ evaluate
def evaluate(idea, bars: pd.DataFrame, idea_id: str, revision: int = 0) -> Status:
    """State and events of ``idea`` after the last bar of ``bars`` (bars up to 'now', closed only)."""
    lv = idea.levels
    sign = -1 if idea.direction == "short" else 1
    published = pd.Timestamp(idea.idea.published)
    if len(bars) == 0 or bars.index[-1] < published:
        last = bars.index[-1] if len(bars) else None
        return Status(idea_id, "waiting", "not yet published" if last is not None else "no bars",
                      _iso(last) if last is not None else None,
                      float(bars["close"].iloc[-1]) if len(bars) else None, (), idea.entry_price, False, lv.stop,
                      lv.targets[0], None, None)
    start = bars.index[int(bars.index.searchsorted(published, side="left"))]
    trig = _triggers(idea, bars, start)
    trades = trades_for(idea, bars, start, trig)
    t = trades[0][1]
    ev: list[Event] = []
    mk = lambda kind, day, price, r, text, key="": Event(idea_id, kind, _iso(day), _num(price), _num(r), text,  # noqa: E731
                                                         key, revision)
    last_day = bars.index[-1]
    close = float(bars["close"].iloc[-1])
    entry = t.entry_price if t.filled else idea.entry_price
    risk = abs(entry - lv.stop)
    r_of = lambda p: sign * (p - entry) / risk if risk else None  # noqa: E731
    n_targets = len(lv.targets)

    # when the waiting/working part of the idea ended
    inval_day = None if t.filled else t.invalidated    # the replay's rule: the stop traded before any entry
    if t.filled:
        end_waiting = t.entry_date
    elif inval_day is not None:
        end_waiting = inval_day
    elif t.last_date is not None:
        end_waiting = t.last_date
    else:
        end_waiting = last_day
    stale = stale_date = None
    if not t.filled and inval_day is None and t.last_date is None:
        from thesis.replay.run import _stale_date      # the replay's own "too late to enter" day

        stale_date = _stale_date(idea, bars, start)
        if stale_date is not None and stale_date < start:
            # the horizon ended before the first session: the order never worked (limit or signal)
            stale = end_waiting = start
    if stale is None and not t.filled and inval_day is None and idea.entry.order == "signal":
        # expired: the signal's window passed with no trigger (a trigger on its last day still fills at
        # the next open: that idea is "triggered", not expired)
        fired = stale_date is not None and len(trig) > 0 and bool((trig["date"] <= stale_date).any())
        if stale_date is not None and last_day >= stale_date and not fired:
            stale = bars.index[bars.index <= stale_date][-1]
            end_waiting = stale

    # zone touched: first session on/after publication whose range reaches the entry zone
    lo, hi = lv.entry_zone
    a = int(bars.index.searchsorted(start, side="left"))
    b = int(bars.index.searchsorted(end_waiting, side="right"))
    highs = bars["high"].to_numpy(dtype="float64")
    lows = bars["low"].to_numpy(dtype="float64")
    touch = (highs[a:b] >= lo) & (lows[a:b] <= hi)
    if touch.any():
        i = a + int(np.argmax(touch))
        day = bars.index[i]
        c = float(bars["close"].iloc[i])
        ev.append(mk("zone_touched", day, c, None,
                     f"{idea.symbol} traded into the entry zone {_f(lo)}-{_f(hi)} "
                     f"(H {_f(highs[i])}, L {_f(lows[i])}), closed {_f(c)}"))
    # triggers before the entry (or before the idea ended)
    trig_before = trig[trig["date"] <= end_waiting] if len(trig) else trig
    if len(trig_before):
        for row in trig_before.itertuples():
            ev.append(mk("trigger", row.date, row.price, None,
                         f"trigger {row.kind} ({row.timeframe}): {row.detail}"))
    invalidated = (t.filled and "entry_beyond_level" in t.flags and t.reason == "stop"
                   and t.exit_date == t.entry_date)
    reason = None
    state = "waiting"
    if touch.any():
        state = "in zone"
    if len(trig_before):
        state = "triggered"
    if invalidated:
        ev.append(mk("invalidated", t.entry_date, t.entry_price, None,
                     f"opened at {_f(t.entry_price)}, through the stop {_f(lv.stop)}, before the entry could "
                     f"fill: the idea is invalidated"))
        state, reason = "invalidated", "stop traded before the fill"
    elif inval_day is not None:
        i = bars.index.get_loc(inval_day)
        o = float(bars["open"].iloc[i])
        gapped = o >= lv.stop if sign < 0 else o <= lv.stop
        ev.append(mk("invalidated", inval_day, o if gapped else lv.stop, None,
                     f"{idea.symbol} {'opened at ' + _f(o) + ', through' if gapped else 'traded at'} the stop "
                     f"{_f(lv.stop)} (H {_f(highs[i])}, L {_f(lows[i])}) before any entry: the idea is invalidated"))
        state, reason = "invalidated", "stop traded before any entry"
    elif t.filled:
        how = "at the open" if "entry_gap" in t.flags or t.entry_order == "next_open" else "intrabar"
        ev.append(mk("filled", t.entry_date, t.entry_price, 0.0,
                     f"{'sold short' if sign < 0 else 'bought'} {idea.symbol} at {_f(t.entry_price)} "
                     f"({t.entry_order.replace('_', ' ')}, {how}); stop {_f(lv.stop)}"))
        state = "in trade"
        hit = 0
        for leg in t.legs:
            r = r_of(leg.price)
            if leg.kind == "target":
                j = lv.targets.index(leg.level) + 1 if leg.level in lv.targets else hit + 1
                hit += 1
                ev.append(mk("target_hit", leg.date, leg.price, r,
                             f"target {j} of {n_targets} ({_f(leg.level)}) hit at {_f(leg.price)}: "
                             f"{leg.size:.0%} of the position out, {r:+.2f} R", key=f"t{j}"))
            elif leg.kind == "stop":
                ev.append(mk("stopped", leg.date, leg.price, r,
                             f"stopped at {_f(leg.price)} ({'breakeven stop' if leg.level == t.entry_price and hit else 'stop ' + _f(lv.stop)}), "
                             f"{r:+.2f} R on the rest; trade {t.r_multiple:+.2f} R"))
            elif leg.kind == "time":
                ev.append(mk("time_exit", leg.date, leg.price, r,
                             f"horizon reached: closed at {_f(leg.price)}, trade {t.r_multiple:+.2f} R"))
        if t.reason in ("stop", "target", "time"):
            state = "closed"
            reason = {"target": f"target {hit} of {n_targets}",
                      "stop": "stop" + (f" after target {hit} of {n_targets}" if hit else ""),
                      "time": "time" + (f" after target {hit} of {n_targets}" if hit else "")}[t.reason]
    elif t.last_date is not None or stale is not None:
        day = t.last_date if t.last_date is not None else stale
        ev.append(mk("expired", day, float(bars.at[day, "close"]), None,
                     f"the {'limit ' + _f(idea.entry_price) if idea.entry.order == 'limit' else 'signal'} entry "
                     f"never filled within the horizon ({idea.idea.horizon}): the idea expired"))
        state, reason = "expired", "never filled"
    ev.sort(key=lambda e: (e.session, KINDS.index(e.kind), e.key))
    filled = t.filled and not invalidated
    hit_levels = {leg.level for leg in t.legs if leg.kind == "target"}
    nxt = next((x for x in lv.targets if x not in hit_levels), None)
    open_r = r_of(close) if state == "in trade" else None
    horizon = None
    if t.last_date is not None:
        horizon = _iso(t.last_date)
    elif state not in TERMINAL and idea.idea.horizon:
        end = idea.horizon_date(t.entry_date if filled else start)
        horizon = _iso(end) if end is not None else None
    return Status(idea_id, state, reason, _iso(last_day), close, tuple(ev), entry, filled, lv.stop, nxt, open_r,
                  horizon, tuple(t.flags))


# ------------------------------------------------------------------ the pure one-bar step
@dataclass(frozen=True)
class WatchState:
    idea_id: str
    symbol: str
    bars: tuple = ()                       # ((date, open, high, low, close), ...), closed bars only
    status: Status | None = None
    emitted: frozenset = field(default_factory=frozenset)
    revision: int = 0


def initial(idea, idea_id: str, history: pd.DataFrame | None = None, revision: int = 0) -> WatchState:
    """A state before any bar; ``history`` are bars before publication (the triggers' look-back)."""
    rows = ()
    if history is not None and len(history):
        rows = tuple(zip(history.index, *(history[c].to_numpy(dtype="float64")
                                          for c in ("open", "high", "low", "close"))))
    return WatchState(idea_id, idea.symbol, rows, None, frozenset(), revision)


def frame(rows, symbol: str) -> pd.DataFrame:
    idx = pd.DatetimeIndex([r[0] for r in rows], name="date")
    data = np.array([r[1:5] for r in rows], dtype="float64").reshape(len(rows), 4)
    out = pd.DataFrame(data, index=idx, columns=["open", "high", "low", "close"])
    out.attrs["symbol"] = symbol
    return out


def step(state: WatchState, bar, idea) -> tuple[WatchState, list[Event]]:
    """Add one closed bar ``(date, open, high, low, close)``; return the new state and the new events."""
    day = pd.Timestamp(bar[0])
    if state.bars and day <= pd.Timestamp(state.bars[-1][0]):
        raise ValueError(f"bar {day.date()} is not after the last bar {pd.Timestamp(state.bars[-1][0]).date()}")
    rows = state.bars + ((day, *map(float, bar[1:5])),)
    status = evaluate(idea, frame(rows, state.symbol), state.idea_id, state.revision)
    new = [e for e in status.events if e.id not in state.emitted]
    return replace(state, bars=rows, status=status, emitted=state.emitted | {e.id for e in new}), new
