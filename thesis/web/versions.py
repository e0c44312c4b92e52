"""What makes a cached dashboard document old, so the caches are keyed on it instead of a timer:

- ``Clock``: the last closed session of each calendar (and daily close) the board's ideas trade on.
  A latest (no as-of) document is current until the next of those bars becomes final
  (thesis.watch.clock.next_close); it is not re-read before then.
- ``JournalVersions``: a version per idea id of the watch journal, read incrementally (only the
  lines appended since the last look), so a line about one idea (a note, a watch pass's events for
  it) makes that idea's board row old and no other.

An idea file's own version is its name, size and mtime (thesis.web.core.file_key).
"""
from __future__ import annotations

import os
import re
import threading
import time
from collections import Counter
from pathlib import Path

#: When the next bar's close cannot be placed (a calendar the installed exchange_calendars does not
#: reach), the sessions are re-read after this many seconds.
RECHECK_SECONDS = 3600.0


class Clock:
    """An epoch that moves when the last closed session of a calendar (and daily close) the board's
    ideas trade on moves: read again only when the next of their bars becomes final."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._instruments: dict[tuple, object] = {}
        self._sessions: dict[tuple, str] = {}
        self._until = 0.0
        self._epoch = 0

    def version(self) -> int:
        """The epoch a latest (no as-of) document computed now belongs to."""
        with self._lock:
            now = time.time()
            if now >= self._until:
                if not self._instruments:
                    self._add([_us_stock()], now)
                sessions = {k: _session(i, now) for k, i in self._instruments.items()}
                if sessions != self._sessions:
                    self._epoch += 1
                self._sessions = sessions
                self._until = _next_close(list(self._instruments.values()), now)
            return self._epoch

    def see(self, symbols, at: float) -> None:
        """Follow the calendars of ``symbols`` too (a board's rows), their sessions as of ``at`` (when
        the build that saw them started): when one of them closes a new bar, the epoch moves."""
        from thesis.data.instruments import instrument_of

        with self._lock:
            self._add([instrument_of(s) for s in set(symbols) - {None}], at)

    def _add(self, instruments, at: float) -> None:
        new = []
        for inst in instruments:
            key = (inst.calendar, inst.close_time, inst.close_zone)
            if key not in self._instruments:
                self._instruments[key] = inst
                self._sessions[key] = _session(inst, at)
                new.append(inst)
        if new:
            self._until = min(self._until, _next_close(new, at)) if self._until else _next_close(new, at)


def _us_stock():
    from thesis.data.instruments import instrument_of

    return instrument_of("SPY")


def _session(inst, at: float) -> str:
    import pandas as pd

    from thesis.watch.clock import last_closed_session

    return last_closed_session(None, pd.Timestamp(at, unit="s", tz="UTC"), inst).date().isoformat()


def _next_close(instruments, at: float) -> float:
    """Epoch seconds of the first moment after ``at`` one of the instruments' bars becomes final."""
    import pandas as pd

    from thesis.errors import ThesisError
    from thesis.watch.clock import next_close

    try:
        return next_close(pd.Timestamp(at, unit="s", tz="UTC"), instruments).timestamp()
    except ThesisError:
        return at + RECHECK_SECONDS


class JournalVersions:
    """A version for each idea id of the watch journal (``versions()[iid]``; ids without records are
    absent), kept current by reading only the bytes appended since the last look. A journal that
    shrank or was replaced (its first bytes differ) is read again from the start, under a new
    generation, so every idea's version changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._offset = 0
        self._head = b""
        self._generation = 0
        self._counts: dict[str, int] = {}

    def versions(self, path: Path | None) -> tuple[int, dict[str, int]]:
        """(generation, {idea id: records about it so far}) of the journal at ``path``."""
        with self._lock:
            if path != self._path:
                self._reset(path)
            if path is not None:
                self._catch_up(path)
            return self._generation, self._counts

    def _reset(self, path: Path | None) -> None:
        self._path, self._offset, self._head = path, 0, b""
        self._generation += 1
        self._counts = {}

    def _catch_up(self, path: Path) -> None:
        try:
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                head = fh.read(64)
                if size < self._offset or head[:len(self._head)] != self._head:
                    self._reset(path)        # cut or replaced: every idea's version changes
                self._head = head
                if size == self._offset:
                    return
                fh.seek(self._offset)
                counts = dict(self._counts)  # readers hold the previous dict: never change it in place
                while self._offset < size:
                    data = fh.read(min(CHUNK, size - self._offset))
                    end = data.rfind(b"\n") + 1       # a torn last line is read once it is whole
                    if end == 0:
                        break
                    for idea, n in Counter(IDEA.findall(data, 0, end)).items():
                        key = idea.decode()
                        counts[key] = counts.get(key, 0) + n
                    self._offset += end
                    fh.seek(self._offset)
                self._counts = counts
        except FileNotFoundError:
            if self._offset:
                self._reset(path)


#: Bytes of the journal read at a time (a journal of a million events is a few hundred MB).
CHUNK = 1 << 24


#: A record's idea id, as the journal writes it (one JSON object a line; an id is a file stem of
#: letters, digits, ".", "_" and "-", so it needs no escapes). Inside a string (a note's text) the
#: quotes would be escaped, so only a record's own ``"idea"`` field matches; a match too many only
#: makes that idea's row computed again.
IDEA = re.compile(rb'"idea":\s*"([A-Za-z0-9._-]+)"')
