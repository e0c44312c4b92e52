"""A DuckDB index beside the journal, so a large journal answers queries without reading it all.

The JSON-lines file stays the authority; ``journal.index.duckdb`` is a cache of where each record of
a prefix of it is (byte offset and length) and the fields queries filter on:

    events(pos, id, idea, session, kind, off, len)      one row per event record, pos in file order
    deliveries(event, channel, status, off, len)        one row per delivery record
    outbox(event, channel, pos, off, len)               the channels each event must reach (and where it is)
    externals(pos, idea, session, off, len)             alerts another tool sent in (TradingView)
    meta(key, value)                                    covered bytes and fingerprints of the prefix
    unsent(pos, off, len)                               derived: events with a channel no delivery reports sent
    last_event(idea, off, len)                          derived: the last event record of each idea

The two derived tables are computed again at the end of every update (one anti-join and one group-by
in DuckDB, a fraction of a second at a million events), so ``--pending`` and the board's last-event
column read a few thousand rows instead of joining the million at every question.

Queries (``--since``, ``--idea``, ``--pending``, the last event of each idea) run in DuckDB and then
read and parse only the matching lines from the JSONL file into their types (``records.parse``, as
the scan does), so their answers are the file's own records, and the delivery views are computed
by the same code as a plain scan (``thesis.watch.journal.deliveries``).

Staleness and crashes. The index records how many bytes of the file it covers and a CRC of the
first and of the last 4 KiB of that prefix. Before every query it is checked: a file that grew is
folded in (only the new complete lines are parsed); a file that shrank, or whose covered bytes
changed (replaced, edited), or an index that is missing or unreadable, is rebuilt from the file.
Every update is written to a temporary copy and moved into place with ``os.replace``, so a process
killed mid-update leaves the previous index (still a valid cache of a shorter prefix) and the file
is never touched: no event can be lost or duplicated by the index. Two processes updating at once
each write a complete index; the last rename wins and both are valid.

Small journals are scanned (``INDEX_MIN_BYTES``): below about a megabyte, reading the file is faster
than importing DuckDB.
"""
from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from thesis.errors import StoreError
from thesis.watch.records import RecordError, parse, record_at

if TYPE_CHECKING:
    import duckdb

    from thesis.watch.records import DeliveryRecord, EventRecord, ExternalRecord

INDEX_MIN_BYTES = 1 << 20
INDEX_VERSION = "4"
_FINGERPRINT = 4096
_BATCH = 200_000

_SCHEMA = """
create table events(pos bigint, id varchar, idea varchar, session varchar, kind varchar, off bigint, len integer);
create table deliveries(event varchar, channel varchar, status varchar, off bigint, len integer);
create table outbox(event varchar, channel varchar, pos bigint, off bigint, len integer);
create table externals(pos bigint, idea varchar, session varchar, off bigint, len integer);
create table meta(key varchar, value varchar);
create table unsent(pos bigint, off bigint, len integer);
create table last_event(idea varchar, off bigint, len integer);
"""

# The derived tables, rebuilt after each ingest (an event's delivery may come in a later update).
_DERIVE = """
delete from unsent;
insert into unsent select distinct o.pos, o.off, o.len from outbox o
    anti join (select event, channel from deliveries where status = 'sent') d
    on d.event = o.event and d.channel = o.channel;
delete from last_event;
insert into last_event select idea, arg_max(off, pos), arg_max(len, pos) from events group by idea;
"""


def index_path(journal_path: Path) -> Path:
    return journal_path.with_name(journal_path.stem + ".index.duckdb")


def wanted(journal_path: Path) -> bool:
    try:
        return journal_path.stat().st_size >= INDEX_MIN_BYTES
    except OSError:
        return False


def _fingerprint(fh, covered: int) -> tuple[str, str]:
    fh.seek(0)
    head = fh.read(min(covered, _FINGERPRINT))
    fh.seek(max(0, covered - _FINGERPRINT))
    tail = fh.read(min(covered, _FINGERPRINT))
    return str(zlib.crc32(head)), str(zlib.crc32(tail))


class JournalIndex:
    """Open (building or refreshing as needed) the index of ``journal_path``; use as a context manager."""

    def __init__(self, journal_path: Path):
        self.journal = Path(journal_path)
        self.path = index_path(self.journal)
        self.con: duckdb.DuckDBPyConnection | None = None
        self.rebuilt = False      # for tests: the last open had to rebuild from the file

    def __enter__(self) -> JournalIndex:
        self.con = self._fresh()
        return self

    def _db(self) -> duckdb.DuckDBPyConnection:
        if self.con is None:
            raise StoreError(f"{self.path}: the journal index is used outside its `with` block")
        return self.con

    def __exit__(self, *exc: object) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None

    # ------------------------------------------------------------ freshness
    def _fresh(self):
        import duckdb

        try:
            size = self.journal.stat().st_size
        except FileNotFoundError:
            size = 0
        con, state = self._open()
        if state is not None:
            covered, head, tail = state
            if covered <= size:
                with open(self.journal, "rb") as fh:
                    same = (head, tail) == _fingerprint(fh, covered)
                if same and covered == _complete_end(self.journal, covered, size):
                    return con                      # fresh: the one connection answers
                if same:
                    con.close()
                    return self._extend(duckdb, covered)
        if con is not None:
            con.close()
        self.rebuilt = True
        return self._extend(duckdb, None)

    def _open(self):
        """(read-only connection, (covered, head crc, tail crc)) or (None, None) when missing or unreadable."""
        import duckdb

        if not self.path.exists():
            return None, None
        con = None
        try:
            con = duckdb.connect(str(self.path), read_only=True)
            meta = dict(con.execute("select key, value from meta").fetchall())
            if meta.get("version") != INDEX_VERSION:
                con.close()
                return None, None
            return con, (int(meta["covered"]), meta["head"], meta["tail"])
        except (duckdb.Error, KeyError, ValueError, OSError):   # unreadable or foreign: rebuild
            if con is not None:
                con.close()
            return None, None

    def _extend(self, duckdb, covered: int | None):
        """A new index file: a copy of the current one plus the lines after ``covered`` (None: from scratch)."""
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
            leftover.unlink(missing_ok=True)
        try:
            start = self._copy_of_current(duckdb, tmp) if covered is not None else None
            con = duckdb.connect(str(tmp))
            try:
                if start is None:
                    con.execute(_SCHEMA)
                    start, pos = 0, 0
                else:
                    pos = con.execute("select coalesce(max(pos) + 1, 0) from events").fetchall()[0][0]
                end = _ingest(con, self.journal, start, pos)
                con.execute(_DERIVE)
                with open(self.journal, "rb") as fh:
                    head, tail = _fingerprint(fh, end)
                con.execute("delete from meta")
                con.executemany("insert into meta values (?, ?)",
                                [("version", INDEX_VERSION), ("covered", str(end)), ("head", head), ("tail", tail)])
                con.execute("checkpoint")
            finally:
                con.close()
            os.replace(tmp, self.path)
        except OSError as exc:      # a read-only home: answer from the temporary copy or scan
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot write the journal index {self.path}: {exc.strerror}") from exc
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        return duckdb.connect(str(self.path), read_only=True)

    def _copy_of_current(self, duckdb, tmp: Path) -> int | None:
        """Copy the index to ``tmp`` and return the bytes the copy covers (another process may have
        replaced the index since we looked: the copy's own meta is what counts), or None (start afresh)
        when the copy is unreadable or no longer a prefix of the file."""
        try:
            _copy(self.path, tmp)
        except FileNotFoundError:
            return None
        con = None
        try:
            con = duckdb.connect(str(tmp))
            meta = dict(con.execute("select key, value from meta").fetchall())
            covered = int(meta["covered"])
            with open(self.journal, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                if meta.get("version") == INDEX_VERSION and covered <= fh.tell() \
                        and (meta["head"], meta["tail"]) == _fingerprint(fh, covered):
                    return covered
        except (duckdb.Error, KeyError, ValueError):
            pass
        finally:
            if con is not None:
                con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        self.rebuilt = True
        return None

    # -------------------------------------------------------------- queries
    def _lines(self, rows) -> list[Any]:
        """The typed records at (offset, length) ``rows`` (one mapping of the file, no read per line);
        a line that does not fit its type is an error naming it, as the scan's."""
        import mmap

        if not rows:
            return []
        with open(self.journal, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            lines = [mm[off:off + length] for off, length in rows]
        try:     # one parse of all the lines as a JSON array, then each into its type
            return [parse(rec) for rec in json.loads(b"[" + b",".join(lines) + b"]")]
        except (json.JSONDecodeError, RecordError):     # read again line by line: the error names the line
            return [record_at(self.journal, line, off) for line, (off, _) in zip(lines, rows)]

    def events(self, idea: str | None = None, since: str | None = None,
               table: str = "events") -> list[EventRecord | ExternalRecord]:
        """Event records (``table="externals"``: external alerts) in file order, of one idea and/or with
        session >= since."""
        where, args = [], []
        if idea is not None:
            where.append("idea = ?")
            args.append(idea)
        if since is not None:
            where.append("session >= ?")
            args.append(since)
        sql = f"select off, len from {table}" + (" where " + " and ".join(where) if where else "") + " order by pos"
        return self._lines(self._db().execute(sql, args).fetchall())

    def ideas(self) -> set[str]:
        return {r[0] for r in self._db().execute("select idea from events union select idea from externals").fetchall()}

    def pending_events(self) -> list[EventRecord]:
        """Events with a channel in their outbox that no delivery record reports as sent, in file order
        (the derived table ``unsent``: no join at question time)."""
        return self._lines(self._db().execute("select off, len from unsent order by pos").fetchall())

    def has_idea(self, idea: str) -> bool:
        return bool(self._db().execute("select exists (select 1 from events where idea = ?) "
                                     "or exists (select 1 from externals where idea = ?)", [idea, idea]).fetchall()[0][0])

    def deliveries_of(self, event_ids) -> list[DeliveryRecord]:
        """The delivery records of these events, in file order."""
        ids = sorted(set(event_ids))
        if not ids:
            return []
        rows = self._db().execute("select d.off, d.len from deliveries d semi join (select unnest(?::varchar[]) as id) w "
                                "on d.event = w.id order by d.off", [ids]).fetchall()
        return self._lines(rows)

    def last_deliveries(self) -> list[DeliveryRecord]:
        """The last delivery record of each channel, in file order."""
        rows = self._db().execute("select max(off), arg_max(len, off) from deliveries group by channel").fetchall()
        return self._lines(sorted(rows))

    def last_events(self) -> dict[str, EventRecord]:
        """The last event record of each idea (what ``latest_by_idea(records, "event")`` gives)."""
        rows = self._db().execute("select off, len from last_event order by off").fetchall()
        return {rec.idea: rec for rec in self._lines(rows)}


def _copy(src: Path, dst: Path) -> None:
    import shutil

    shutil.copyfile(src, dst)


def _complete_end(journal: Path, start: int, size: int) -> int:
    """The end of the last complete line at or after ``start`` (``start`` when none was added)."""
    if size <= start:
        return start
    with open(journal, "rb") as fh:
        fh.seek(start)
        data = fh.read(size - start)
    k = data.rfind(b"\n")
    return start if k < 0 else start + k + 1


def _ingest(con, journal: Path, start: int, pos: int) -> int:
    """Index the complete lines from byte ``start``; returns the byte after the last one indexed."""
    with open(journal, "rb") as fh:
        fh.seek(start)
        data = fh.read()
    end = data.rfind(b"\n") + 1            # a torn last line (a writer killed mid-write) is left out
    events: list[tuple[Any, ...]] = []
    deliveries: list[tuple[Any, ...]] = []
    outbox: list[tuple[Any, ...]] = []
    externals: list[tuple[Any, ...]] = []
    off = start
    line_no = None
    for raw in data[:end].split(b"\n")[:-1]:
        length = len(raw)
        if raw.strip():
            try:
                rec = json.loads(raw)
            except json.JSONDecodeError:
                if line_no is None:
                    with open(journal, "rb") as fh:
                        line_no = fh.read(off).count(b"\n") + 1
                raise StoreError(f"{journal}, line {line_no}: not a journal record (the file was edited by hand?)") \
                    from None
            t = rec.get("t")
            if t == "event":
                events.append((pos, rec["id"], rec.get("idea"), rec.get("session"), rec.get("kind"), off, length))
                outbox.extend((rec["id"], ch, pos, off, length) for ch in rec.get("outbox") or ())
                pos += 1
            elif t == "delivery":
                deliveries.append((rec.get("event"), rec.get("channel"), rec.get("status"), off, length))
            elif t == "external":
                externals.append((pos, rec.get("idea"), rec.get("session"), off, length))
                pos += 1
        off += length + 1
        if len(events) + len(deliveries) + len(externals) >= _BATCH:
            _insert(con, events, deliveries, outbox, externals)
            events, deliveries, outbox, externals = [], [], [], []
    _insert(con, events, deliveries, outbox, externals)
    return start + end


def _insert(con, events, deliveries, outbox, externals) -> None:
    """Bulk insert through numpy columns (DuckDB scans them without a per-row Python call)."""
    import numpy as np

    numbers = {"pos", "off", "len"}
    for table, rows, names in (("events", events, ("pos", "id", "idea", "session", "kind", "off", "len")),
                               ("deliveries", deliveries, ("event", "channel", "status", "off", "len")),
                               ("outbox", outbox, ("event", "channel", "pos", "off", "len")),
                               ("externals", externals, ("pos", "idea", "session", "off", "len"))):
        if not rows:
            continue
        cols = list(zip(*rows))
        frame = {name: np.array(col, dtype=np.int64 if name in numbers else object)
                 for name, col in zip(names, cols)}
        con.register("batch", frame)
        con.execute(f"insert into {table} select {', '.join(names)} from batch")
        con.unregister("batch")
