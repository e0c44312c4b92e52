"""`thesis watch --dask ADDRESS`: the watch pass computed on a Dask cluster, journaled by one writer.

    watch_pass_dask(["ideas/"], "tcp://scheduler:8786")    # or a distributed.Client / a cluster

The ideas are partitioned by symbol (every idea of a symbol in one partition, so each symbol's bars
are loaded once and its lifecycles built in one batch); each worker runs the local pass itself
(``watch_pass`` on its partition's files, the batch path) against an in-memory journal holding what
the real journal knows of those ideas (``PartitionJournal``), and returns the records it would have
appended.  This process, the one writer, holds the journal's lock for the whole pass and appends
the records idea by idea in the order of the idea files, exactly what the local pass appends, then
delivers the alerts.  Nothing is written before every partition is computed, so a pass killed
anywhere leaves an ordered prefix the next pass completes (events have deterministic ids).

The idea files and the market data must be readable by the workers at the same paths as here (a
shared filesystem or the same checkout on every machine); the data source is resolved here and
passed to the workers, so their environment need not name it.
"""
from __future__ import annotations

import heapq
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from thesis.extras import dask_client
from thesis.watch.clock import last_closed_session
from thesis.watch.journal import Journal, now_iso
from thesis.watch.records import (EventRecord, ExternalRecord, GoneRecord, IdeaRecord, Record, SkippedRecord,
                                  as_record)
from thesis.watch.run import (IdeaRow, PassResult, idea_files, idea_id, last_event_by_idea, latest_by_idea,
                              removed_files, watch_pass)

FEATURE = "a watch pass on a Dask cluster (--dask)"
#: ideas per partition at most (the work of one task; more partitions than threads keeps all busy)
PARTITION_IDEAS = 20000
#: records per journal write (whole ideas: a write never splits one idea's records)
WRITE_RECORDS = 20000
#: below this many files the symbols are read here rather than by the workers
SNIFF_LOCALLY = 5000
_SYMBOL = re.compile(rb"""^[ \t]*symbol[ \t]*=[ \t]*["']([^"'\r\n]+)["']""", re.M)


@dataclass(frozen=True)
class Task:
    """What every partition's pass is given besides its files and its share of the journal."""
    asof: object
    now: pd.Timestamp
    source: str
    channels: list          # routing only (``routing``)
    batch: bool = True
    rows: bool = True


class PartitionJournal(Journal):
    """An in-memory journal for one partition: reads what the real journal holds about the
    partition's ideas, keeps what the pass appends (``new``) instead of writing it."""

    def __init__(self, records: list[Record], ids: set[str]):
        super().__init__(Path("."))
        self._records = records
        self._ids = ids
        self.new: list[dict] = []

    @contextmanager
    def lock(self, wait: float = 10.0):
        yield self

    def append(self, records) -> int:
        ids = self.event_ids()
        out: list[Record] = []
        for typed in map(as_record, records):
            if isinstance(typed, (EventRecord, ExternalRecord)):    # written once per id
                if typed.id in ids:
                    continue
                ids.add(typed.id)
            out.append(typed)
        self.new += [r.to_dict() for r in out]
        self.records().extend(out)
        return len(out)

    def sync(self) -> None:
        pass


def symbols_of(files: list[str]) -> list[str]:
    """Each file's symbol as written (``symbol = "..."``), "" when none: a partition key only (an
    idea that does not parse is evaluated wherever it lands, and reports its own error)."""
    out = []
    for f in files:
        try:
            with open(f, "rb") as fh:
                m = _SYMBOL.search(fh.read(1 << 20))
        except OSError:
            m = None
        out.append(m.group(1).decode(errors="replace").strip() if m else "")
    return out


def partitions(symbols: list[str], n: int) -> list[list[int]]:
    """File indexes in ``n`` partitions at most, each symbol's files in one, the largest symbols
    placed first on the lightest partition; each partition in file order."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(symbols):
        groups[s].append(i)
    n = max(1, min(n, len(groups)))
    heap = [(0, k) for k in range(n)]
    parts: list[list[int]] = [[] for _ in range(n)]
    for s in sorted(groups, key=lambda s: (-len(groups[s]), s)):
        size, k = heapq.heappop(heap)
        parts[k] += groups[s]
        heapq.heappush(heap, (size + len(groups[s]), k))
    return [sorted(p) for p in parts if p]


def partition_pass(files: list[str], task: Task, seed: list[Record], ids: set[str]) -> dict:
    """A worker's share: the local pass over ``files`` on a PartitionJournal seeded with the journal's
    records of these ideas (``seed``) and their event ids; returns what it appended and (``rows``) its
    rows, each Status without its Lifecycle (the bars stay on the worker)."""
    from thesis.watch.alerts import Config

    jr = PartitionJournal(seed, ids)
    res = watch_pass([Path(f) for f in files], asof=task.asof, source=task.source, journal=jr, deliver=False,
                     config=Config(task.channels) if task.channels else None, now=task.now, batch=task.batch)
    lean = [replace(r, status=replace(r.status, life=None)) if r.status is not None else r
            for r in res.rows] if task.rows else []
    return {"session": res.session, "records": jr.new, "rows": lean, "messages": res.messages,
            "bad_input": res.bad_input, "failures": res.failures}


def routing(config) -> list:
    """The channels as the workers need them: names and filters (which events go where), no address
    or password (delivery happens here)."""
    if config is None:
        return []
    return [replace(c, url="", user=None, password=None) for c in config.channels]


def watch_pass_dask(paths, dask, asof=None, source: str | None = None, config=None, journal: Journal | None = None,
                    wait: float = 10.0, deliver: bool = True, write: bool = True, now=None, snapshots: bool = True,
                    batch: bool = True, rows: bool = True) -> PassResult:
    """``watch_pass`` computed on a Dask cluster (see the module doc); the same result and journal.
    ``rows=False`` leaves ``res.rows`` empty (no board, no idea objects for the alerts' snapshots): a
    pass over a million ideas journals and alerts without holding a million rows here."""
    from thesis.data import default_source

    files = idea_files(paths)
    now = pd.Timestamp.now(tz="UTC") if now is None else now
    source = source or default_source()
    res = PassResult(last_closed_session(asof, now))
    journal = journal or Journal()
    task = Task(asof, now, source, routing(config), batch, rows)
    client, owned = dask_client(dask, FEATURE)
    try:
        if write:
            with journal.lock(wait) as jr:
                _run(client, jr, res, paths, files, task, config, deliver, write, snapshots)
        else:
            _run(client, journal, res, paths, files, task, config, deliver, write, snapshots)
    finally:
        if owned:
            client.close()
    return res


def _run(client, jr: Journal, res: PassResult, paths, files: list[Path], task: Task, config, deliver: bool,
         write: bool, snapshots: bool) -> None:
    records = jr.records()
    ideas_seen = latest_by_idea(records, IdeaRecord)
    gone = latest_by_idea(records, GoneRecord)
    outputs = _compute(client, records, ideas_seen, res.session, files, task)
    by_idea: dict[str, list[dict]] = defaultdict(list)
    rows: dict[str, IdeaRow] = {}
    for out in outputs:
        if out["session"] != res.session:
            raise RuntimeError(f"a worker's session {out['session'].date()} is not this pass's "
                               f"{res.session.date()}: are the workers' calendars older?")
        for rec in out["records"]:
            by_idea[rec["idea"]].append(rec)
        rows.update((r.id, r) for r in out["rows"])
        res.messages += out["messages"]
        res.bad_input += out["bad_input"]
        res.failures += out["failures"]
    res.rows = [rows[idea_id(f)] for f in files if idea_id(f) in rows]
    chunk: list[dict] = []
    for f in files:                      # the local pass's order; each write holds whole ideas
        recs = by_idea.get(idea_id(f), ())
        res.new_events += [r for r in recs if r["t"] == "event"]
        chunk += recs
        if write and len(chunk) >= WRITE_RECORDS:
            jr.append(chunk)
            chunk = []
    if write and chunk:
        jr.append(chunk)
    for iid, f in removed_files(paths, files, ideas_seen, gone):
        res.messages.append(f"idea file {f} was removed: no longer watched (journal kept)")
        if write:
            jr.append([GoneRecord(idea=iid, file=str(f), at=now_iso()).to_dict()])
    if write:
        jr.sync()
    res.alerts = [r for r in res.new_events if not r.get("backfill") and r["kind"] != "note"]
    channels = config.channels if config is not None else []
    if deliver and write and channels:
        from thesis.watch.alerts import deliver_pending

        ideas = {row.id: row.idea for row in res.rows if row.idea is not None}
        res.deliveries = deliver_pending(jr, config, ideas=ideas, source=task.source, snapshots=snapshots)
    if channels:
        from thesis.watch.alerts import outcome

        res.outbox = outcome(jr, channels, res.deliveries, {e["id"] for e in res.new_events})


def _compute(client, records: list[Record], ideas_seen: dict[str, IdeaRecord], session, files: list[Path],
             task: Task) -> list[dict]:
    """Every partition's output, computed on the cluster, in partition order."""
    if not files:
        return []
    names = [str(f) for f in files]
    if len(names) <= SNIFF_LOCALLY:
        symbols = symbols_of(names)
    else:
        step = -(-len(names) // (4 * _threads(client)))
        chunks = [names[i:i + step] for i in range(0, len(names), step)]
        symbols = [s for part in client.gather(client.map(symbols_of, chunks, pure=False)) for s in part]
    n = max(2 * _threads(client), -(-len(names) // PARTITION_IDEAS))
    parts = partitions(symbols, n)
    seeds = _seeds(records, ideas_seen, session, files, parts)
    futures = [client.submit(partition_pass, [names[i] for i in part], task, seed, ids, pure=False)
               for part, (seed, ids) in zip(parts, seeds)]
    return client.gather(futures)


def _seeds(records: list[Record], ideas_seen: dict[str, IdeaRecord], session, files: list[Path],
           parts: list[list[int]]) -> list[tuple[list[Record], set[str]]]:
    """Per partition, what the pass reads of the journal for its ideas: each one's last ``idea`` and
    ``skipped`` records and last event up to the session, and the ids of its events (what is new)."""
    skipped = latest_by_idea(records, SkippedRecord)
    last_events = last_event_by_idea(records, session.date().isoformat())
    event_ids: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if isinstance(r, (EventRecord, ExternalRecord)):
            event_ids[r.idea].append(r.id)
    out = []
    for part in parts:
        iids = [idea_id(files[i]) for i in part]
        seed: list[Record] = [m[iid] for m in (ideas_seen, skipped, last_events) for iid in iids if iid in m]
        out.append((seed, {x for iid in iids for x in event_ids.get(iid, ())}))
    return out


def _threads(client) -> int:
    return max(1, sum(client.nthreads().values()))

