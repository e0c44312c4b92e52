"""An idea's whole history, computed once and cut at any date.

    h = history(idea, bars)              # every bar: the triggers and the lifecycle, computed once
    known = h.until("2023-06-14")        # the bars, triggers and lifecycle as known at that close

Every view of an idea as of a date D (``thesis evaluate --asof``, the dashboard's idea page and
chart JSON, the snapshot, ``thesis ideas --asof`` and the board) is a cut of this one history,
not a replay of the bars up to D: the fill kernel is causal and a trigger is dated by the close
that completes it (a weekly or monthly one only once its period is complete), so the replay of
the bars up to D equals the history cut at D, and a view built from the cut cannot see past D
(tests/replay/test_lifecycle_cut.py checks the equality as a property on random ideas and bars,
tests/replay/test_lifecycle_views.py on every example at 40 dates).

One history per (idea content, bars content), kept in a small LRU shared by the threads of a
server: an edited idea file (a new note, moved levels) or new bars make a new history.
"""
from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, replace

import pandas as pd

from thesis.replay.lifecycle import Lifecycle, lifecycle, lifecycles

#: Histories kept (about 150 KiB each with a daily trigger's table on 30 years of bars; the bars are
#: shared per symbol).
SIZE = 256


@dataclass(frozen=True)
class Known:
    """What was known at the close of a session: the bars and trigger events up to it (every
    trigger, the replay's table, before publication too) and the idea's lifecycle cut there."""

    bars: pd.DataFrame
    triggers: pd.DataFrame
    life: Lifecycle


@dataclass
class History:
    idea: object
    bars: pd.DataFrame               # every bar
    life: Lifecycle                  # on every bar
    _origin: History | None = None   # the cached history this one shares (same idea and bars content)
    _triggers: pd.DataFrame | None = None

    @property
    def triggers(self) -> pd.DataFrame:
        """Every trigger event on the bars by date, before publication too (the replay's table;
        the lifecycle holds those from the first session on): detected once, when first asked."""
        if self._triggers is None:
            self._triggers = self._origin.triggers if self._origin is not None else trigger_table(self.idea, self.bars)
        return self._triggers

    def sharing(self, idea, bars: pd.DataFrame) -> History:
        """This history for the caller's parse of the same idea and its frame of the same bars (which
        carries its own volume and attrs); the trigger table, once detected, is shared."""
        return History(idea, bars, replace(self.life, idea=idea, bars=bars), self, self._triggers)

    def until(self, date=None, bars: pd.DataFrame | None = None) -> Known:
        """The history as known at the close of ``date`` (None: the last bar); ``bars``: the prefix
        of the bars up to that session when the caller already cut it."""
        if not len(self.bars):
            return Known(self.bars, self.triggers, self.life)
        life = self.life.until(self.bars.index[-1] if date is None else date, bars)
        trig = self.triggers
        if len(life.bars) < len(self.bars) and len(trig):
            end = int(trig["date"].searchsorted(life.bars.index[-1], side="right")) if len(life.bars) else 0
            trig = trig.iloc[:end]
        return Known(life.bars, trig, life)


_LOCK = threading.Lock()
_HISTORIES: OrderedDict = OrderedDict()
_BARS_KEYS: dict = {}


def history(idea, bars: pd.DataFrame) -> History:
    """The history of ``idea`` over ``bars`` (every bar), computed once per (idea, bars) content,
    with its trigger table (the replay's: the lifecycle takes its triggers from it, one detection)."""
    key = (idea_key(idea), bars_key(bars))
    with _LOCK:
        hit = _HISTORIES.get(key)
        if hit is not None:
            _HISTORIES.move_to_end(key)
    if hit is not None:
        return hit if hit.idea is idea and hit.bars is bars else hit.sharing(idea, bars)
    table = trigger_table(idea, bars)
    made = History(idea, bars, lifecycle(idea, bars, table), _triggers=table)
    _keep({key: made})
    return made


def histories(ideas: list, bars: pd.DataFrame) -> list[History]:
    """``history`` of many ideas on one symbol's bars: the lifecycles not yet known are built in one
    batch (thesis.replay.lifecycle.lifecycles, the kernel once per round for all of them)."""
    bkey = bars_key(bars)
    keys = [(idea_key(idea), bkey) for idea in ideas]
    out: list[History | None] = []
    with _LOCK:
        for key in keys:
            hit = _HISTORIES.get(key)
            if hit is not None:
                _HISTORIES.move_to_end(key)
            out.append(hit)
    for k, (idea, hit) in enumerate(zip(ideas, out)):
        if hit is not None and (hit.idea is not idea or hit.bars is not bars):
            # the same content: the caller's own objects (its bars carry their volume and attrs)
            out[k] = hit.sharing(idea, bars)
    todo = [k for k, h in enumerate(out) if h is None]
    if todo:
        for k, life in zip(todo, lifecycles([ideas[k] for k in todo], bars)):
            out[k] = History(ideas[k], bars, life)
        _keep({keys[k]: out[k] for k in todo})
    return out  # type: ignore[return-value]


def trigger_table(idea, bars: pd.DataFrame) -> pd.DataFrame:
    """Every trigger event of ``idea`` on ``bars``, by date (the replay's table)."""
    from thesis.signals.detect import detect_all, empty_events

    return detect_all(idea.triggers, bars, idea.direction) if idea.triggers else empty_events()


def _keep(made: dict) -> None:
    with _LOCK:
        _HISTORIES.update(made)
        while len(_HISTORIES) > SIZE:
            _HISTORIES.popitem(last=False)


def clear() -> None:
    with _LOCK:
        _HISTORIES.clear()


def idea_key(idea) -> bytes:
    """The idea's content (levels, triggers, notes ...): a parse of an edited file is a new key."""
    return hashlib.blake2b(idea.model_dump_json().encode(), digest_size=16).digest()


def bars_key(bars: pd.DataFrame) -> tuple:
    """The bars' content (dates, open/high/low/close, symbol, source, adjustment), hashed once per frame
    object (the providers hand out the same frame while the data is unchanged)."""
    hit = _BARS_KEYS.get(id(bars))
    if hit is not None and hit[0]() is bars:
        return hit[1]
    from thesis.signals.frames import ohlc

    h = hashlib.blake2b(digest_size=16)
    h.update(bars.index.asi8.tobytes())
    for a in ohlc(bars):
        h.update(a.tobytes())
    attrs = bars.attrs
    key = (h.digest(), str(attrs.get("symbol")), str(attrs.get("source")), str(attrs.get("adjustment")))
    _BARS_KEYS[id(bars)] = (weakref.ref(bars, _forget(id(bars))), key)
    return key


def _forget(frame_id: int):
    """The callback that drops a frame's key when the frame is gone (its id may then be reused)."""
    return lambda _ref: _BARS_KEYS.pop(frame_id, None)


__all__ = ["History", "Known", "history", "histories", "clear", "SIZE"]
