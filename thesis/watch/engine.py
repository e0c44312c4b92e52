"""The live-idea view: watch's events and Status, rendered from the idea's lifecycle.

An idea moves through states on closed daily bars only (thesis.replay.lifecycle owns them)::

    waiting -> in zone -> triggered -> in trade -> closed (target n of m | stop | time)
        \\           \\          \\-> expired      (the entry never filled within the horizon)
         \\-----------\\----------> invalidated  (the stop level traded before any fill)

``evaluate(idea, bars)`` is the lifecycle's cut at the last bar of ``bars``, its events given
the journal's deterministic ids.  ``step(state, bar, idea) -> (state, events)`` is the pure
one-bar transition: it appends one closed bar, re-computes the lifecycle and returns only the
events that are new.  The kernel is causal (a bar never changes what an earlier bar decided), so
the events form a growing prefix, which the tests check session by session.
"""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from thesis.jsonable import iso_date, number
from thesis.replay.lifecycle import KINDS as LIFE_KINDS
from thesis.replay.lifecycle import STATES, TERMINAL  # noqa: F401 - the watch's names for them
from thesis.replay.lifecycle import Lifecycle, Snapshot

KINDS = LIFE_KINDS + ("note", "idea_revised", "data_stale")


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
                "price": number(self.price), "r": number(self.r), "text": self.text, "key": self.key,
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
    open_r: float | None = None        # open R of the open part (see Snapshot.open_part_r)
    horizon_end: str | None = None     # last session/date of the horizon, when known
    flags: tuple[str, ...] = ()
    snapshot: Snapshot | None = None   # the lifecycle's Snapshot (levels in force, position, each R)
    life: Lifecycle | None = field(default=None, repr=False, compare=False)   # the Lifecycle it was cut from

    def to_dict(self) -> dict:
        return {"idea": self.idea, "state": self.state, "reason": self.reason, "session": self.session,
                "price": number(self.price), "entry": number(self.entry), "filled": self.filled, "stop": self.stop,
                "next_target": self.next_target, "open_part_r": number(self.open_r),
                "lifecycle": self.snapshot.to_dict() if self.snapshot is not None else None,
                "horizon_end": self.horizon_end, "events": [e.to_dict() for e in self.events]}






def _f(x) -> str:
    return f"{x:.2f}"


# ------------------------------------------------------------------ evaluate
_PREBUILT: ContextVar = ContextVar("thesis_watch_prebuilt_lifecycle", default=None)


@contextmanager
def prebuilt(life):
    """Inside the block, ``evaluate`` of the lifecycle's own idea on its own bars uses ``life`` (the
    watch pass builds each symbol's lifecycles in one batch) instead of building it again."""
    token = _PREBUILT.set(life)
    try:
        yield
    finally:
        _PREBUILT.reset(token)


def evaluate(idea, bars: pd.DataFrame, idea_id: str, revision: int = 0, life=None) -> Status:
    """State and events of ``idea`` after the last bar of ``bars`` (bars up to 'now', closed only):
    the lifecycle's cut at the last bar (thesis.replay.lifecycle), with the watch's event ids."""
    from thesis.replay.lifecycle import lifecycle

    lv = idea.levels
    if len(bars) == 0:
        return Status(idea_id, "waiting", "no bars", None, None, (), idea.entry_price, False, lv.stop,
                      lv.targets[0], None, None)
    if life is None:
        ready = _PREBUILT.get()
        life = ready if ready is not None and ready.idea is idea and ready.bars is bars else lifecycle(idea, bars)
    cut = life.at(bars.index[-1])
    return replace(status_of(cut, idea, idea_id, revision, life.primary), life=life)


def _session(ts: pd.Timestamp) -> str:
    """An event's session as YYYY-MM-DD (thesis.jsonable's rule; a lifecycle event always has one)."""
    return str(iso_date(ts))


def status_of(cut, idea, idea_id: str, revision: int = 0, trade=None) -> Status:
    """The watch's Status of a lifecycle cut (events as journal events of ``idea_id``)."""
    s = cut.snapshot
    events = tuple(Event(idea_id, e.kind, _session(e.session), number(e.price), number(e.r), e.text, e.key, revision)
                   for e in cut.events)
    return Status(idea_id, s.state, s.reason, iso_date(s.session) if s.session is not None else None,
                  s.close, events, s.entry, s.filled, s.stop, s.next_target, s.open_part_r,
                  iso_date(s.horizon_end) if s.horizon_end is not None else None,
                  tuple(trade.flags) if trade is not None and s.filled else (), s)


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
    rows: tuple = ()
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
