"""The watch journal: an append-only JSON-lines file in ``$THESIS_HOME/watch/``.

Why a file and not a DuckDB table in the store (measured, see docs/watch.md):
appending a few events and fsyncing costs well under a millisecond and reading
10,000 events back takes tens of milliseconds with the standard library, while
DuckDB costs its import and a connection (hundreds of milliseconds) on every
``thesis journal`` and holds the store's single-writer lock for the whole watch
pass, blocking ``thesis data`` meanwhile.  The guarantees we need are simple
with a file:

* every record is one line, written by one ``write`` on an ``O_APPEND``
  descriptor; a process killed mid-write can leave at most one torn last line,
  which readers ignore and the next writer cuts off (the "commit" of a record
  is its newline);
* every event has a deterministic id, and a writer skips ids already present,
  so re-running over the same bars writes nothing and a killed run is finished
  by the next one with no duplicate and no gap (events are derived again from
  the bars, in order);
* one writer at a time: ``flock`` on ``watch/lock``; a second ``thesis watch``
  waits up to ``--wait`` seconds and then refuses, naming the holder's pid.

Record types (key ``t``, one dataclass each in thesis.watch.records, with the schema version ``v``): ``event`` (an event plus its outbox: the channels it
must be delivered to), ``delivery`` (one attempt on one channel: ``sent`` or
``failed`` with the error), ``idea`` (the levels and state last seen for an idea
file, to detect revisions), ``gone`` (an idea file disappeared), ``skipped`` (an
idea file failed to parse), ``external`` (an alert another tool sent in: TradingView's
webhooks through ``thesis serve``, thesis/web/inbound.py; deduplicated by id like events).
Every record is written through its type and read back as its type (``read_records``, one place:
thesis.watch.records.parse), so the views below and every reader work on typed records; a line
that does not fit is an error naming the file and line, never skipped. A line without ``v`` (a
journal written before versions were stamped) reads as version 0, the same fields, and is upgraded
as it is read.
"""
from __future__ import annotations

import json
import os
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

from thesis.errors import StoreError
from thesis.locks import flock_until
from thesis.watch.records import (DeliveryRecord, EventRecord, ExternalRecord, Record, RecordError, as_record,
                                  parse)

SCHEMA = "thesis.journal/1"
T = TypeVar("T")
#: Record types with a deterministic id, written once each.
ONCE = ("event", "external")


def home() -> Path:
    from thesis.paths import default_home

    return default_home() / "watch"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class JournalBusy(StoreError):
    pass


class Journal:
    """Read (any time) and append (under ``lock()``) journal records."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder else home()
        self.path = self.folder / "journal.jsonl"
        self._records: list[Record] | None = None
        self._ids: set[str] | None = None
        self._fd: int | None = None

    # ---------------------------------------------------------- reading
    def records(self) -> list[Record]:
        """Every record, typed, in file order (read once, then kept up to date by ``append``)."""
        if self._records is None:
            self._records = list(read_records(self.path))
        return self._records

    def event_ids(self) -> set[str]:
        if self._ids is None:
            self._ids = {r.id for r in self.records() if isinstance(r, (EventRecord, ExternalRecord))}
        return self._ids

    def seed_ids(self, ids: set[str]) -> None:
        """The ids of the records in the file, read from it by the caller (the watch pass's scan,
        thesis.watch.run.scan_journal), so appends skip them without parsing every record."""
        if self._ids is None:
            self._ids = ids

    @property
    def on_disk(self) -> bool:
        """The records are this journal's file (not an in-memory subclass's), none read yet."""
        return type(self) is Journal and self._records is None

    def events(self) -> list[EventRecord]:
        return [r for r in self.records() if isinstance(r, EventRecord)]

    # ---------------------------------------------------------- writing
    @contextmanager
    def lock(self, wait: float = 10.0):
        """Hold the single-writer lock; wait up to ``wait`` s, then refuse with the holder's pid."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open the watch journal in {self.folder}: {exc.strerror}") from exc
        deadline = time.monotonic() + max(wait, 0.0)

        def busy() -> JournalBusy:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            return JournalBusy(f"another thesis watch (pid {holder}) is writing the journal "
                               f"{self.path}; waited {wait:g} s; try again when it has finished")

        try:
            flock_until(fd, deadline, busy, poll=0.05)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self._repair()
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self._records = None
            self._ids = None
            yield self
        finally:
            if self._fd is not None:
                os.fsync(self._fd)
                os.close(self._fd)
                self._fd = None
            os.close(fd)          # releases the flock

    def _repair(self) -> None:
        """Cut a torn last line left by a killed writer (under the lock)."""
        if not self.path.exists():
            return
        with open(self.path, "rb+") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size == 0:
                return
            fh.seek(max(0, size - 1))
            if fh.read(1) == b"\n":
                return
            # find the last newline
            pos = size
            chunk = 65536
            while pos > 0:
                start = max(0, pos - chunk)
                fh.seek(start)
                data = fh.read(pos - start)
                k = data.rfind(b"\n")
                if k >= 0:
                    fh.truncate(start + k + 1)
                    return
                pos = start
            fh.truncate(0)

    def append(self, records: Sequence[Record | dict[str, Any]]) -> int:
        """Append records in one write, each through its type (thesis.watch.records: a dict is parsed,
        so a missing or unknown field is refused before anything is written); events whose id is
        already journaled are skipped. Returns the number of records written."""
        if self._fd is None:
            raise RuntimeError("append() needs the journal lock")
        ids = self.event_ids()
        out: list[Record] = []
        for typed in map(as_record, records):
            if isinstance(typed, (EventRecord, ExternalRecord)):     # the ONCE kinds: written once per id
                if typed.id in ids:
                    continue
                ids.add(typed.id)
            out.append(typed)
        if not out:
            return 0
        data = "".join(json.dumps(r.to_dict(), separators=(",", ":"), default=str) + "\n" for r in out).encode()
        os.write(self._fd, data)
        if self._records is not None:
            self._records.extend(out)
        return len(out)

    def sync(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)


def read_records(path: Path) -> Iterator[Record]:
    """Every complete record, typed (thesis.watch.records.parse); a torn last line (a writer killed
    mid-write) is ignored; a line that is not a record of a known kind and version is a StoreError
    naming the file and the line."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError(f"cannot read the watch journal {path}: {exc.strerror}") from exc
    lines = data.split(b"\n")
    complete, tail = lines[:-1], lines[-1]   # tail: bytes after the last newline (torn or empty)
    del tail
    for n, line in enumerate(complete, start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise StoreError(f"{path}, line {n}: not a journal record (the file was edited by hand?)") from None
        try:
            yield parse(rec)
        except RecordError as exc:
            raise StoreError(f"{path}, line {n}: {exc}") from None



# ---------------------------------------------------------------- views
#: An event of ``thesis journal``: one of thesis's own, or an alert another tool sent in.
Entry = EventRecord | ExternalRecord


def deliveries(records: Iterable[Record]) -> dict[tuple[str, str], dict[str, Any]]:
    """(event id, channel) -> {"status", "at", "error", "attempts"} from the delivery records."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for r in records:
        if not isinstance(r, DeliveryRecord):
            continue
        d = out.setdefault((r.event, r.channel), {"status": "pending", "attempts": 0, "at": None, "error": None})
        if d["status"] == "sent":
            continue
        d["attempts"] += 1
        d["at"] = r.at
        d["status"] = r.status
        d["error"] = r.error
        d["next_try"] = r.next_try
    return out


def delivery_view(event: Entry, dmap: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Channel -> its delivery of ``event``: pending, sent (when) or failed (the error, the next try)."""
    view: dict[str, dict[str, Any]] = {}
    for ch in event.outbox if isinstance(event, EventRecord) else ():
        d = dmap.get((event.id, ch))
        if d is None:
            view[ch] = {"status": "pending", "attempts": 0}
        elif d["status"] == "sent":
            view[ch] = {"status": "sent", "at": d["at"], "attempts": d["attempts"]}
        else:
            view[ch] = {"status": "failed", "error": d["error"], "attempts": d["attempts"], "at": d["at"],
                        "next_try": d.get("next_try")}
    return view


Answer = tuple[list[Entry], dict[tuple[str, str], dict[str, Any]], set[str] | None]


def query(journal: Journal, idea: str | None = None, since: str | None = None, pending: bool = False,
          use_index: bool | None = None) -> Answer:
    """The event records of ``thesis journal`` in file order, then the external alerts in file order
    (one idea, sessions >= ``since`` (YYYY-MM-DD), only events with an undelivered channel when
    ``pending``), the delivery map for them (``deliveries``), and the journal's ideas when ``idea``
    is not among them (else None).

    A large journal answers from its index (thesis.watch.journal_index), a small one by a scan;
    both give the same answer (tests/watch/test_journal_index.py)."""
    answer = _from_index(journal, use_index, lambda ix: query_index(ix, idea, since, pending))
    if answer is not None:
        return answer
    records = journal.records()
    events: list[Entry] = [r for r in records if isinstance(r, EventRecord)]
    events += [r for r in records if isinstance(r, ExternalRecord)]
    if idea is not None:
        known = {e.idea for e in events}
        if idea not in known:
            return [], {}, known
        events = [e for e in events if e.idea == idea]
    if since is not None:
        events = [e for e in events if e.session >= since]
    return _pending_only(events, deliveries(records), pending)


def timeline(journal: Journal, idea: str | None = None, since: str | None = None, pending: bool = False,
             use_index: bool | None = None) -> tuple[list[Entry], dict[tuple[str, str], dict[str, Any]],
                                                      set[str] | None, list[DeliveryRecord]]:
    """What ``thesis journal`` shows: ``query``'s three answers plus ``last_deliveries``, from one
    opening of the index (each opening checks the index against the file)."""
    answer = _from_index(journal, use_index, lambda ix: (*query_index(ix, idea, since, pending), ix.last_deliveries()))
    if answer is not None:
        return answer
    return (*query(journal, idea, since, pending, use_index=False), last_deliveries(journal, use_index=False))


def _from_index(journal: Journal, use_index: bool | None, ask: Callable[[Any], T]) -> T | None:
    """``ask(index)`` when the journal is large enough for its index (or ``use_index`` says so), else None
    (the caller scans). A home where the index cannot be written is answered by the scan too; a
    malformed line raises from the scan, which names it."""
    from thesis.watch import journal_index

    if use_index is None:
        use_index = journal_index.wanted(journal.path)
    if not use_index or not journal.path.exists():
        return None
    try:
        with journal_index.JournalIndex(journal.path) as ix:
            return ask(ix)
    except StoreError:
        return None


def query_index(ix: Any, idea: str | None = None, since: str | None = None, pending: bool = False) -> Answer:
    """``query`` answered by an open ``JournalIndex``."""
    if idea is not None and not ix.has_idea(idea):
        return [], {}, ix.ideas()
    events: list[Entry]
    if pending:       # external alerts have no outbox: never pending
        events = [e for e in ix.pending_events()
                  if (idea is None or e.idea == idea) and (since is None or e.session >= since)]
    else:
        events = ix.events(idea, since) + ix.events(idea, since, table="externals")
    return _pending_only(events, deliveries(ix.deliveries_of(e.id for e in events if isinstance(e, EventRecord))),
                         pending)


def _pending_only(events: list[Entry], dmap: dict[tuple[str, str], dict[str, Any]], pending: bool) -> Answer:
    if pending:
        events = [e for e in events if any(v["status"] != "sent" for v in delivery_view(e, dmap).values())]
    return events, dmap, None


def last_deliveries(journal: Journal, use_index: bool | None = None) -> list[DeliveryRecord]:
    """The last delivery record of each channel, in file order (all that ``resting_channels`` reads)."""
    answer = _from_index(journal, use_index, lambda ix: ix.last_deliveries())
    if answer is not None:
        return answer
    last: dict[str, DeliveryRecord] = {}
    for r in journal.records():
        if isinstance(r, DeliveryRecord):
            last.pop(r.channel, None)
            last[r.channel] = r
    return list(last.values())       # popped and re-added: in the file order of each channel's last record


def last_events(journal: Journal, use_index: bool | None = None) -> dict[str, EventRecord]:
    """The last event record of each idea (the board's last-event column), from the index when large."""
    answer = _from_index(journal, use_index, lambda ix: ix.last_events())
    if answer is not None:
        return answer
    out: dict[str, EventRecord] = {}
    for r in journal.records():
        if isinstance(r, EventRecord):
            out[r.idea] = r
    return out
