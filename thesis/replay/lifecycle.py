"""The lifecycle of an idea: the one place that says what happened to it and where it stands.

    life = lifecycle(idea, bars)          # one run of the fill kernel (thesis.replay.trades.replay_trades)
    cut = life.at("2023-06-14")           # what was known at that close: a prefix of the events
    cut.snapshot.state, cut.snapshot.stop, cut.snapshot.position_r, [e.kind for e in cut.events]

From the trades the fill kernel made over the idea's bars (the primary trade, and the signal variant
of a limit idea) it builds an ordered list of dated events (``KINDS``): the entry zone touched,
triggers (before the fill, and the one after a limit fill that opens the signal variant), each fill,
each partial exit at its own price and size, the stop moved to breakeven, the stop, the time exit,
expiry and invalidation.  The state after any session is a fold of the events up to that session
and its close (``Snapshot``), so an as-of view is a cut of this list and cannot see past its date.
Every view (evaluate, replay notes, watch and its board, the dashboard, snapshots, alerts) renders
from here; docs/lifecycle.md describes the model and each R.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from thesis.jsonable import iso_date, number

if TYPE_CHECKING:
    from thesis.spec import Idea

KINDS = ("zone_touched", "trigger", "filled", "target_hit", "stop_moved", "stopped", "time_exit", "expired",
         "invalidated")
STATES = ("waiting", "in zone", "triggered", "in trade", "closed", "expired", "invalidated")
TERMINAL = ("closed", "expired", "invalidated")
EXIT_KINDS = ("target_hit", "stopped", "time_exit")


def _f(x) -> str:
    return f"{x:.2f}"


def _pos(bars: pd.DataFrame, day, side: str = "left") -> int:
    """``bars.index.searchsorted(day, side)`` (a session's position: ``get_loc``) on the raw datetime64
    values; pandas validates the scalar at ~20x the cost of the search, paid several times per idea."""
    return int(bars.index.values.searchsorted(pd.Timestamp(day).to_datetime64(), side=side))


def _day(bars: pd.DataFrame, i: int) -> pd.Timestamp:
    """``bars.index[i]`` (tz-naive daily bars) without pandas' boxing."""
    index = bars.index
    return pd.Timestamp(index.values[i]) if index.tz is None else index[i]


def _pricer(idea):
    """Prices in sentences at the instrument's tick (1.2700 for GBPUSD, 67584.80 for BTC); 2 decimals
    for an idea without one."""
    inst = getattr(idea, "instrument", None)
    return _f if inst is None else inst.price_text


def _mover(idea):
    """A move per unit in the instrument's words (+50.0 pips, +12.3 points, +1.23/share)."""
    inst = getattr(idea, "instrument", None)
    return (lambda d: f"{d:+.2f}/share") if inst is None else inst.move_text




@dataclass(frozen=True)
class LifeEvent:
    """One dated event. ``variant`` names the trade it belongs to ("limit" or "signal"; "" for the
    idea's waiting phase); ``primary`` is False for the signal variant of a limit idea, whose events
    do not move the idea's state. Exits carry their ``size`` (fraction of the position) and ``r``
    (the exit price in R from that variant's fill: |fill - original stop| is 1 R)."""

    kind: str
    session: pd.Timestamp
    price: float | None
    text: str
    variant: str = ""
    key: str = ""
    size: float | None = None
    r: float | None = None
    level: float | None = None
    primary: bool = True
    label: str = ""                   # an exit's name, the one every view shows: "target 2", "breakeven stop" ...

    def to_dict(self) -> dict:
        return {"kind": self.kind, "session": iso_date(self.session), "price": number(self.price), "text": self.text,
                "variant": self.variant, "key": self.key, "size": number(self.size), "r": number(self.r),
                "level": number(self.level), "primary": self.primary, "label": self.label}


@dataclass(frozen=True)
class Position:
    """One variant's trade after a session. R: ``realized_r`` the exits so far (each leg's size x its
    R); ``open_part_r`` the open part's move per share from the fill to the close, in R;
    ``position_r`` the whole position: realized_r + size x open_part_r (the trade's R once closed)."""

    variant: str
    entry: float
    entry_session: pd.Timestamp
    size: float                       # fraction of the position still open (1 at the fill)
    stop: float                       # the stop in force (the entry once moved to breakeven)
    stop_moved: bool
    targets_left: tuple
    realized_r: float | None
    open_part_r: float | None
    position_r: float | None
    closed: bool = False
    exits: int = 0                    # targets hit so far

    def to_dict(self) -> dict:
        return {"variant": self.variant, "entry": number(self.entry), "entry_session": iso_date(self.entry_session),
                "size": number(self.size), "stop": number(self.stop), "stop_moved": self.stop_moved,
                "targets_left": list(self.targets_left), "realized_r": number(self.realized_r),
                "open_part_r": number(self.open_part_r), "position_r": number(self.position_r), "closed": self.closed}


@dataclass(frozen=True)
class Snapshot:
    """The idea after the close of ``session``: its state, the levels in force and the primary
    position (``variants`` holds every variant's position, the signal variant of a limit idea too)."""

    session: pd.Timestamp | None
    close: float | None
    state: str
    reason: str | None
    entry: float                      # the fill once filled, else the planned entry
    filled: bool
    stop: float                       # the stop in force
    stop_moved: bool
    targets_left: tuple
    position: float                   # fraction of the primary position open
    realized_r: float | None
    open_part_r: float | None
    position_r: float | None
    horizon_end: pd.Timestamp | None
    variants: tuple = ()
    entry_session: pd.Timestamp | None = None

    @property
    def next_target(self) -> float | None:
        return self.targets_left[0] if self.targets_left else None

    def to_dict(self) -> dict:
        return {"session": iso_date(self.session), "close": number(self.close), "state": self.state,
                "reason": self.reason, "entry": number(self.entry), "filled": self.filled, "stop": number(self.stop),
                "stop_moved": self.stop_moved, "targets_left": list(self.targets_left),
                "next_target": self.next_target, "position": number(self.position),
                "realized_r": number(self.realized_r), "open_part_r": number(self.open_part_r),
                "position_r": number(self.position_r), "horizon_end": iso_date(self.horizon_end),
                "entry_session": iso_date(self.entry_session), "variants": [v.to_dict() for v in self.variants]}


@dataclass(frozen=True)
class Cut:
    """The lifecycle as known at the close of ``session``: the events up to it and the snapshot."""

    session: pd.Timestamp | None
    events: tuple
    snapshot: Snapshot
    notes: tuple = ()                 # the idea's dated notes up to the session: (date, text)

    def to_dict(self) -> dict:
        return {"session": iso_date(self.session), "state": self.snapshot.to_dict(),
                "events": [e.to_dict() for e in self.events],
                "notes": [{"date": d.isoformat(), "text": t} for d, t in self.notes]}


@dataclass
class Lifecycle:
    idea: Idea
    bars: pd.DataFrame
    start: pd.Timestamp | None                  # first session on/after publication
    trades: list                                # [(variant, Trade)], primary first (replay's trades)
    triggers: pd.DataFrame                      # trigger events on or after ``start``
    events: tuple = ()
    _closes: np.ndarray | None = field(default=None, repr=False)
    _cuts: dict = field(default_factory=dict, repr=False, compare=False)   # at()'s answers by session

    @property
    def primary(self):
        return self.trades[0][1] if self.trades else None

    def session_of(self, date) -> pd.Timestamp | None:
        """The last session on or before ``date`` (None before the first bar)."""
        pos = _pos(self.bars, date, "right")
        return _day(self.bars, pos - 1) if pos else None

    def at(self, date=None) -> Cut:
        """The cut at the close of ``date`` (default: the last bar)."""
        session = self.bars.index[-1] if date is None else self.session_of(date)
        if session is None:
            return Cut(None, (), self._snapshot(None, ()), ())
        hit = self._cuts.get(session)      # a view asks for the same cut several times (state, settled, ...)
        if hit is None or hit[0] is not self.events:
            events = tuple(e for e in self.events if e.session <= session)
            notes = tuple((n.date, n.text) for n in self.idea.notes if pd.Timestamp(n.date) <= session)
            hit = self._cuts[session] = (self.events, Cut(session, events, self._snapshot(session, events), notes))
        return hit[1]

    def snapshot(self, date=None) -> Snapshot:
        return self.at(date).snapshot

    def settled(self, date=None) -> bool:
        """Nothing can happen any more after ``date``: the idea ended, every variant's position is
        closed, and no trigger can still open the signal variant of a limit idea."""
        snap = self.snapshot(date)
        if snap.state not in TERMINAL or any(v.size > 0 for v in snap.variants):
            return False
        if self.idea.entry.order == "signal" or not self.idea.triggers:
            return True
        if any(v.variant == "signal" for v in snap.variants):
            return True
        from thesis.replay.trades import stale_date

        stale = stale_date(self.idea, self.bars, self.start)
        return stale is not None and stale <= snap.session

    # -------------------------------------------------------------- the fold
    def _snapshot(self, session, events) -> Snapshot:
        idea = self.idea
        lv = idea.levels
        planned = idea.entry_price
        if self._closes is None:
            from thesis.signals.frames import ohlc

            self._closes = ohlc(self.bars)[3]
        close = None if session is None else float(self._closes[_pos(self.bars, session)])
        base = dict(session=session, close=close, entry=planned, filled=False, stop=lv.stop, stop_moved=False,
                    targets_left=tuple(lv.targets), position=0.0, realized_r=None, open_part_r=None,
                    position_r=None)
        if session is None:
            return Snapshot(**base, state="waiting", reason="no bars", horizon_end=None)
        if self.start is None or session < self.start:
            return Snapshot(**base, state="waiting", reason="not yet published",
                            horizon_end=None)
        state, reason = "waiting", None
        positions: dict[str, dict] = {}
        sign = -1 if idea.direction == "short" else 1
        for e in events:
            if e.kind == "zone_touched" and state == "waiting":
                state = "in zone"
            elif e.kind == "trigger" and e.primary and state in ("waiting", "in zone"):
                state = "triggered"
            elif e.kind == "filled":
                risk = abs(e.price - lv.stop)
                positions[e.variant] = dict(entry=e.price, entry_session=e.session, size=1.0, stop=lv.stop,
                                            moved=False, left=list(lv.targets), realized=0.0, risk=risk,
                                            closed=False, hits=0)
                if e.primary:
                    state = "in trade"
            elif e.kind == "stop_moved":
                positions[e.variant].update(stop=e.price, moved=True)
            elif e.kind in EXIT_KINDS:
                p = positions[e.variant]
                p["size"] = max(0.0, p["size"] - e.size)
                if p["size"] <= 1e-9:
                    p["size"] = 0.0
                p["realized"] += e.size * (e.r if e.r is not None else math.nan)
                if e.kind == "target_hit":
                    p["hits"] += 1
                    if e.level in p["left"]:
                        p["left"].remove(e.level)
                if p["size"] == 0.0:
                    p["closed"] = True
                    if e.primary:
                        state, reason = "closed", _closed_reason(e.kind, p["hits"], len(lv.targets))
            elif e.kind == "expired" and e.primary:
                state, reason = "expired", "never filled"
            elif e.kind == "invalidated" and e.primary:
                state, reason = "invalidated", e.key or "stop traded before any entry"
        variants = []
        for name, p in positions.items():
            risk = p["risk"]
            realized = p["realized"] if risk else None
            part = sign * (close - p["entry"]) / risk if risk and p["size"] > 0 else None
            whole = (realized + p["size"] * part) if realized is not None and part is not None else realized
            variants.append(Position(name, p["entry"], p["entry_session"], p["size"], p["stop"], p["moved"],
                                     tuple(p["left"]), realized, part, whole, p["closed"], p["hits"]))
        prim = next((v for v in variants if v.variant == self._primary_variant()), None)
        anchor = prim.entry_session if prim is not None else self.start
        horizon = idea.horizon_date(anchor) if idea.idea.horizon else None
        if prim is None:
            return Snapshot(**base, state=state, reason=reason, horizon_end=horizon, variants=tuple(variants))
        return Snapshot(session, close, state, reason, prim.entry, True, prim.stop, prim.stop_moved,
                        prim.targets_left, prim.size, prim.realized_r, prim.open_part_r, prim.position_r, horizon,
                        tuple(variants), prim.entry_session)

    def _primary_variant(self) -> str:
        return self.trades[0][0] if self.trades else ""


def state_text(cut: Cut, idea) -> str:
    """The state of ``cut`` in one sentence (the notes' state column, evaluate's headline)."""
    s = cut.snapshot
    _f = _pricer(idea)
    if s.session is None or s.close is None:
        return "no bars yet"
    if s.reason == "not yet published":
        return f"not yet published (close {_f(s.close)})"
    if s.state in ("waiting", "in zone", "triggered"):
        word = {"waiting": "waiting", "in zone": "in zone", "triggered": "triggered"}[s.state]
        if idea.entry.order == "limit":
            away = (s.entry - s.close) / s.close * 100
            return f"{word}: {_f(s.close)}, limit {_f(s.entry)} is {away:+.1f}% away"
        return f"{word}: {_f(s.close)}, " + ("entry at the next open" if s.state == "triggered"
                                               else "waiting for a trigger")
    exits = [e for e in cut.events if e.primary and e.kind in EXIT_KINDS]
    if s.state == "closed":
        last = exits[-1].session.date() if exits else s.session.date()
        r = f", trade {s.realized_r:+.2f} R" if s.realized_r is not None else ""
        if len(exits) > 1:      # a scale-out: each exit at its own price; the blend only as an average
            parts = ", ".join(f"{e.label} {_f(e.price)} on {e.session.date()} ({e.size:.0%})" for e in exits)
            average = sum(e.size * e.price for e in exits) / sum(e.size for e in exits)
            return f"closed by {s.reason} on {last}: {parts}; average exit {_f(average)}{r}"
        price = f" at {_f(exits[0].price)}" if exits else ""
        return f"closed by {s.reason} on {last}{price}{r}"
    if s.state in ("expired", "invalidated"):
        ev = next((e for e in reversed(cut.events) if e.kind == s.state), None)
        return f"{s.state} on {ev.session.date()}: {s.reason}" if ev is not None else s.state
    filled = next(e for e in cut.events if e.kind == "filled" and e.primary)
    risk = abs(s.entry - idea.levels.stop)
    text = f"in trade since {filled.session.date()} at {_f(s.entry)}"
    if s.position_r is not None:
        text += f": {_mover(idea)(s.position_r * risk)} ({s.position_r:+.2f} R on the position)"
    if exits:
        text += " with " + ", ".join(f"{e.label} taken at {_f(e.price)} on {e.session.date()} "
                                     f"({e.size:.0%})" for e in exits)
        text += f"; {s.position:.0%} still open" + (f" ({s.open_part_r:+.2f} R on the open part)"
                                                     if s.open_part_r is not None else "")
    stop = f"stop {_f(s.stop)}" + (" (moved to breakeven)" if s.stop_moved else "")
    return f"{text}; {stop}"


def _closed_reason(kind: str, hits: int, n: int) -> str:
    after = f" after target {hits} of {n}" if hits else ""
    return {"target_hit": f"target {hits} of {n}", "stopped": "stop" + after, "time_exit": "time" + after}[kind]


# ------------------------------------------------------------------ building the events
def lifecycle(idea, bars: pd.DataFrame, triggers: pd.DataFrame | None = None, trades: list | None = None) -> Lifecycle:
    """The lifecycle of ``idea`` over ``bars`` (closed daily bars; cut them at an as-of date before
    calling). ``triggers`` (events on or after the first session) and ``trades`` (replay's trades)
    are reused when the caller already computed them with the replay's rules."""
    from thesis.replay.trades import replay_trades

    published = pd.Timestamp(idea.idea.published)
    if len(bars) == 0 or bars.index[-1] < published:
        return Lifecycle(idea, bars, None, [], _no_triggers(), ())
    start = _day(bars, _pos(bars, published))
    if triggers is None:
        triggers = _triggers(idea, bars, start)
    else:
        triggers = triggers[triggers["date"] >= start] if len(triggers) else triggers
    if trades is None:
        trades = replay_trades(idea, bars, start, triggers)
    life = Lifecycle(idea, bars, start, trades, triggers)
    life.events = tuple(_events(life))
    return life


def lifecycles(ideas: list, bars: pd.DataFrame) -> list[Lifecycle]:
    """``lifecycle(idea, bars)`` for many ideas on one symbol's ``bars``, the fill kernel run once per
    round for all of them (thesis.replay.trades.replay_trades_many) and the events built by the
    same code as one idea's: each result equals ``lifecycle(idea, bars)`` (tests/replay/
    test_lifecycle_batch.py checks it on every example and on random ideas)."""
    from thesis.replay.trades import replay_trades_many

    out: list[Lifecycle | None] = [None] * len(ideas)
    todo, items = [], []
    shared: dict[tuple, pd.DataFrame] = {}     # triggers once per (trigger spec, direction, start)
    for k, idea in enumerate(ideas):
        published = pd.Timestamp(idea.idea.published)
        if len(bars) == 0 or bars.index[-1] < published:
            out[k] = lifecycle(idea, bars)
            continue
        start = _day(bars, _pos(bars, published))
        todo.append(k)
        key = (_trigger_key(idea), idea.direction, start)
        if key not in shared:
            shared[key] = _triggers(idea, bars, start)
        items.append((idea, start, shared[key]))
    for k, (idea, _, triggers), trades in zip(todo, items, replay_trades_many(items, bars)):
        out[k] = lifecycle(idea, bars, triggers, trades)
    return out  # type: ignore[return-value]


_NO_TRIGGERS = None


def _no_triggers() -> pd.DataFrame:
    global _NO_TRIGGERS
    if _NO_TRIGGERS is None:
        from thesis.signals.detect import empty_events

        _NO_TRIGGERS = empty_events()
    return _NO_TRIGGERS


def _trigger_key(idea) -> str:
    """What decides an idea's trigger events on given bars, besides its direction and start."""
    if not idea.triggers:
        return ""
    import json

    return json.dumps([t.model_dump(mode="json") for t in idea.triggers], sort_keys=True)


def _triggers(idea, bars: pd.DataFrame, start) -> pd.DataFrame:
    if not idea.triggers:
        return _no_triggers()
    from thesis.signals.detect import detect_all

    return detect_all(idea.triggers, bars, idea.direction, since=start)


def _events(life: Lifecycle) -> list[LifeEvent]:
    idea, bars, start = life.idea, life.bars, life.start
    _f = _pricer(idea)
    lv = idea.levels
    variant, t = life.trades[0]
    sign = -1 if idea.direction == "short" else 1
    ev: list[LifeEvent] = []
    last_day = bars.index[-1]
    trig = life.triggers

    # when the waiting part of the idea ended (the replay decided every date below)
    inval_day = None if t.filled else t.invalidated
    stale = None
    if t.filled:
        end_waiting = t.entry_date
    elif inval_day is not None:
        end_waiting = inval_day
    elif t.last_date is not None:
        end_waiting = t.last_date
    else:
        end_waiting = last_day
    if not t.filled and inval_day is None and t.last_date is None:
        from thesis.replay.trades import stale_date

        stale_day = stale_date(idea, bars, start)
        if stale_day is not None and stale_day < start:   # the horizon ended before the first session
            stale = end_waiting = start
        elif idea.entry.order == "signal" and stale_day is not None and last_day >= stale_day:
            fired = len(trig) > 0 and bool((trig["date"] <= stale_day).any())
            if not fired:      # the signal's window passed with no trigger
                stale = end_waiting = _day(bars, _pos(bars, stale_day, "right") - 1)

    from thesis.signals.frames import ohlc

    bar_opens, highs, lows, closes = ohlc(bars)      # built once per bars object, shared by every idea
    lo, hi = lv.entry_zone
    a = _pos(bars, start)
    b = _pos(bars, end_waiting, "right")
    touch = (highs[a:b] >= lo) & (lows[a:b] <= hi)
    if touch.any():
        i = a + int(touch.argmax())
        c = float(closes[i])
        ev.append(LifeEvent("zone_touched", _day(bars, i), c,
                            f"{idea.symbol} traded into the entry zone {_f(lo)}-{_f(hi)} "
                            f"(H {_f(highs[i])}, L {_f(lows[i])}), closed {_f(c)}"))

    signal = dict(life.trades).get("signal") if variant != "signal" else None
    opener = None
    if variant != "signal" and len(trig):      # decided from the bars up to the trigger (no look-ahead)
        from thesis.replay.trades import signal_trigger

        row, _ = signal_trigger(idea, bars, trig, start)
        opener = None if row is None else pd.Timestamp(row["date"])
    for row in (trig.itertuples() if len(trig) else ()):
        day = pd.Timestamp(row.date)
        opens = opener is not None and day == opener
        if day > end_waiting and not opens:
            continue
        text = f"trigger {row.kind} ({row.timeframe}): {row.detail}"
        if opens:
            text += "; opens the signal variant: entry at the next open"
        ev.append(LifeEvent("trigger", day, float(row.price), text, "signal" if opens else "",
                            key="signal" if opens and day > end_waiting else "", primary=day <= end_waiting))
        if opens:
            opener = None            # one trigger opens the variant

    through = t.filled and "entry_beyond_level" in t.flags and t.reason == "stop" and t.exit_date == t.entry_date
    if through:
        ev.append(LifeEvent("invalidated", t.entry_date, t.entry_price,
                            f"opened at {_f(t.entry_price)}, through the stop {_f(lv.stop)}, before the entry could "
                            f"fill: the idea is invalidated", variant, key="stop traded before the fill"))
    elif inval_day is not None:
        i = _pos(bars, inval_day)
        o = float(bar_opens[i])
        gapped = o >= lv.stop if sign < 0 else o <= lv.stop
        ev.append(LifeEvent("invalidated", inval_day, o if gapped else lv.stop,
                            f"{idea.symbol} {'opened at ' + _f(o) + ', through' if gapped else 'traded at'} the stop "
                            f"{_f(lv.stop)} (H {_f(highs[i])}, L {_f(lows[i])}) before any entry: the idea is "
                            f"invalidated", key="stop traded before any entry"))
    elif t.filled:
        ev += _trade_events(idea, variant, t, primary=True)
    elif t.last_date is not None or stale is not None:
        day = t.last_date if t.last_date is not None else stale
        ev.append(LifeEvent("expired", day, float(closes[_pos(bars, day)]),
                            f"the {'limit ' + _f(idea.entry_price) if idea.entry.order == 'limit' else 'signal'} "
                            f"entry never filled within the horizon ({idea.idea.horizon}): the idea expired"))
    if signal is not None and signal.filled:
        ev += _trade_events(idea, "signal", signal, primary=False)
    ev.sort(key=lambda e: (e.session, KINDS.index(e.kind), not e.primary, e.key))
    return ev


def _trade_events(idea, variant: str, t, primary: bool) -> list[LifeEvent]:
    """The fill and every exit leg of one filled trade, each at its own session, price and size."""
    _f = _pricer(idea)
    lv = idea.levels
    sign = -1 if t.direction == "short" else 1
    risk = abs(t.entry_price - lv.stop)
    r_of = (lambda p: sign * (p - t.entry_price) / risk) if risk else (lambda p: None)
    tag = "" if primary else f"{variant}: "
    key = "" if primary else variant
    how = "at the open" if "entry_gap" in t.flags or t.entry_order == "next_open" else "intrabar"
    out = [LifeEvent("filled", t.entry_date, t.entry_price,
                     f"{tag}{'sold short' if sign < 0 else 'bought'} {idea.symbol} at {_f(t.entry_price)} "
                     f"({t.entry_order.replace('_', ' ')}, {how}); stop {_f(lv.stop)}", variant, key=key,
                     primary=primary)]
    n = len(lv.targets)
    hit = 0
    moved = False
    out_size = 0.0
    for leg in t.legs:
        out_size += leg.size
        r = r_of(leg.price)
        rtxt = "" if r is None else f", {r:+.2f} R"
        if leg.kind == "target":
            j = lv.targets.index(leg.level) + 1 if leg.level in lv.targets else hit + 1
            hit += 1
            text = (f"{tag}target {j} of {n} ({_f(leg.level)}) hit at {_f(leg.price)}: "
                    f"{leg.size:.0%} of the position out{rtxt}")
            # the kernel moves the stop after the first target fill, when the fill is tighter
            moves = "moved_to_breakeven" in t.flags and not moved and sign * (t.entry_price - lv.stop) > 0 \
                and out_size < 1 - 1e-9
            if moves:
                text += f"; stop moved to breakeven {_f(t.entry_price)}"
            out.append(LifeEvent("target_hit", leg.date, leg.price, text, variant, key=f"{key}t{j}", size=leg.size,
                                 r=r, level=leg.level, primary=primary, label=f"target {j}" if n > 1 else "target"))
            if moves:
                moved = True
                out.append(LifeEvent("stop_moved", leg.date, t.entry_price,
                                     f"{tag}stop moved from {_f(lv.stop)} to breakeven {_f(t.entry_price)} "
                                     f"(the fill) after target {j}", variant, key=key, level=lv.stop,
                                     primary=primary))
        elif leg.kind == "stop":
            be = moved and leg.level == t.entry_price
            out.append(LifeEvent("stopped", leg.date, leg.price,
                                 f"{tag}stopped at {_f(leg.price)} "
                                 f"({'breakeven stop' if be else 'stop ' + _f(lv.stop)}), {leg.size:.0%} of the "
                                 f"position{rtxt}; trade {t.r_multiple:+.2f} R" if r is not None else
                                 f"{tag}stopped at {_f(leg.price)}", variant, key=key, size=leg.size, r=r,
                                 level=leg.level, primary=primary, label="breakeven stop" if be else "stop"))
        elif leg.kind == "time":
            out.append(LifeEvent("time_exit", leg.date, leg.price,
                                 f"{tag}horizon reached: {leg.size:.0%} of the position closed at {_f(leg.price)}"
                                 + (f", trade {t.r_multiple:+.2f} R" if r is not None else ""),
                                 variant, key=key, size=leg.size, r=r, primary=primary, label="time stop"))
    return out


__all__ = ["lifecycle", "lifecycles", "Lifecycle", "LifeEvent", "Snapshot", "Position", "Cut", "KINDS", "STATES", "TERMINAL"]
