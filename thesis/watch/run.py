"""One watch pass: evaluate every idea on the final bars, journal new events, deliver alerts.

    result = watch_pass(["examples/"], asof="2023-06-14")

Order of work (what makes a crash harmless): for each idea the new events are
derived from the bars, then appended to the journal in one write together with
their outbox (the channels to deliver to); only after the whole pass is
journaled and fsynced are alerts delivered, each delivery recorded as it
happens.  A run killed anywhere is finished by the next one: events are derived
again (same ids, skipped when present) and undelivered outbox entries are retried.
"""
from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from thesis.errors import BadInput, IdeaError, ProviderUnavailable, ThesisError
from thesis.watch.clock import last_closed_session
from thesis.watch.engine import TERMINAL, Event, Status, evaluate, event_id, prebuilt
from thesis.watch.journal import Journal, now_iso
from thesis.watch.records import (EventRecord, ExternalRecord, GoneRecord, IdeaRecord, Record, RecordError,
                                  SkippedRecord, parse, parse_as)

if TYPE_CHECKING:
    from thesis.replay.lifecycle import Lifecycle
    from thesis.spec import Idea

#: On the first pass over an idea, events older than this many sessions are
#: journaled as history without alerts (no flood of old alerts).
BACKFILL_SESSIONS = 5
R = TypeVar("R", IdeaRecord, SkippedRecord, GoneRecord, EventRecord)


@dataclass
class IdeaRow:
    id: str
    file: str
    status: Status | None = None
    idea: Idea | None = None
    error: str | None = None
    kept: IdeaRecord | None = None    # previous state kept when the file stopped parsing
    last_event: EventRecord | None = None


@dataclass
class PassResult:
    session: pd.Timestamp
    rows: list[IdeaRow] = field(default_factory=list)
    new_events: list[dict] = field(default_factory=list)
    alerts: list[dict] = field(default_factory=list)       # new events that go out (with their channels)
    deliveries: list[dict] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    bad_input: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    outbox: dict | None = None        # what delivery did: retried, delivered, failed, still pending (alerts.outcome)


def idea_files(paths) -> list[Path]:
    files: list[Path] = []
    for p in paths or [Path(".")]:
        p = Path(p)
        if p.is_dir():      # idea files only: pyproject.toml, alerts.toml and the like are not ideas
            files += _folder_ideas(p)
        elif p.is_file():
            files.append(p)
        else:
            raise BadInput(f"{p}: no such idea file or folder")
    seen: set[str] = set()
    out: list[Path] = []
    ids: dict[str, Path] = {}
    for f in files:
        key = os.path.abspath(f)         # no symlink resolution: one syscall-free call per file
        if key not in seen:
            seen.add(key)
            if f.stem in ids:
                raise BadInput(f"two idea files have the id {f.stem!r} (the file name): {ids[f.stem]} and {f}; "
                               f"rename one")
            ids[f.stem] = f
            out.append(f)
    return out


_IDEAS: dict = {}


def _load(path: Path):
    """Parse an idea file, reusing the parse while its size and mtime are unchanged (``--every`` loops)."""
    from thesis.spec import load

    try:
        st = path.stat()
    except OSError:
        return load(path)
    key = (os.path.abspath(path), st.st_mtime_ns, st.st_size)
    hit = _IDEAS.get(key)
    if hit is None:
        hit = load(path)
        if len(_IDEAS) > 50000:
            _IDEAS.clear()
        _IDEAS[key] = hit
    return hit


_LOOKS: dict[tuple, bool] = {}


def _folder_ideas(folder: Path) -> list[Path]:
    """The idea files (``*.toml`` with an ``[idea]`` table) in ``folder``, sorted; a file's answer is
    kept while its size and mtime are unchanged (a pass over 100,000 files would read each)."""
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.name.endswith(".toml") or not entry.is_file():
                continue
            try:
                st = entry.stat()
            except OSError:
                continue
            key = (entry.path, st.st_mtime_ns, st.st_size, st.st_ino)
            looks = _LOOKS.get(key)
            if looks is None:
                looks = _looks_like_idea(Path(entry.path))
                if len(_LOOKS) > 200_000:
                    _LOOKS.clear()
                _LOOKS[key] = looks
            if looks:
                out.append(entry.name)
    return [folder / name for name in sorted(out)]


def _looks_like_idea(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"[idea]" in fh.read(1 << 20)
    except OSError:
        return False


def idea_id(path: Path) -> str:
    return path.stem if isinstance(path, Path) else Path(path).stem


def fingerprint(idea) -> dict:
    """What decides the idea's state: a change here is a revision."""
    d = idea.model_dump(mode="json")
    return {"idea": {k: d["idea"][k] for k in ("symbol", "published", "direction", "horizon", "adjustment")},
            "levels": d["levels"], "entry": d["entry"], "triggers": d["triggers"]}


def _fp_hash(fp: dict) -> str:
    return hashlib.sha1(json.dumps(fp, sort_keys=True).encode()).hexdigest()[:12]


def diff(old: dict, new: dict, prefix: str = "") -> list[str]:
    out = []
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if isinstance(a, dict) and isinstance(b, dict):
            out += diff(a, b, f"{prefix}{k}.")
        elif a != b:
            out.append(f"{prefix}{k}: {json.dumps(a)} -> {json.dumps(b)}")
    return out


def last_event_by_idea(records: list[Record], until: str) -> dict[str, EventRecord]:
    """Each idea's journaled event of the latest session on or before ``until`` (an as-of pass never
    shows an event journaled for a later session)."""
    out: dict[str, EventRecord] = {}
    for r in records:
        if isinstance(r, EventRecord) and r.session <= until:
            old = out.get(r.idea)
            if old is None or r.session >= old.session:
                out[r.idea] = r
    return out


def latest_by_idea(records: list[Record], kind: type[R]) -> dict[str, R]:
    """Each idea's last record of type ``kind`` (IdeaRecord, SkippedRecord, GoneRecord, EventRecord)."""
    out: dict[str, R] = {}
    for r in records:
        if isinstance(r, kind):
            out[r.idea] = r
    return out


def _event_record(e: Event, idea, path: Path, snap, outbox: list[str], backfill: bool) -> dict:
    """The journal record of ``e``; ``snap`` is the lifecycle's Snapshot after the event's session
    (its state, the stop in force and the position then), None for events outside the lifecycle."""
    lv = idea.levels if idea is not None else None
    rec = EventRecord(**e.to_dict(), file=str(path), recorded=now_iso(), outbox=outbox).to_dict()
    if lv is not None:
        rec["levels"] = {"entry_zone": list(lv.entry_zone), "entry": idea.entry_price, "stop": lv.stop,
                         "targets": list(lv.targets)}
        rec["symbol"] = idea.symbol
        rec["state"] = snap.state if snap is not None else None
        if snap is not None:
            rec["levels"].update(stop_in_force=snap.stop, stop_moved=snap.stop_moved,
                                 targets_left=list(snap.targets_left))
            rec["position"] = {"entry": snap.entry, "filled": snap.filled, "size": _r(snap.position),
                               "realized_r": _r(snap.realized_r), "open_part_r": _r(snap.open_part_r),
                               "position_r": _r(snap.position_r)}
            # the event's price in R from the entry then (the fill once filled, else the planned entry)
            risk = abs(snap.entry - lv.stop)
            if e.price is not None and risk:
                sign = -1 if idea.direction == "short" else 1
                rec["distance_r"] = round(sign * (e.price - snap.entry) / risk, 4)
    if backfill:
        rec["backfill"] = True
    return rec


def _describe_revision(rec: dict, status: Status) -> None:
    """The idea_revised alert carries the new state and R (from the lifecycle, not re-derived)."""
    snap = status.snapshot
    position_r = None if snap is None else snap.position_r      # the whole position (docs/lifecycle.md)
    rec["state"] = status.state
    rec["r"] = None if position_r is None else round(position_r, 4)
    now = status.state + (f" ({status.reason})" if status.reason else "")
    if position_r is not None:
        now += f", position {position_r:+.2f} R"
    last = status.events[-1] if status.events else None
    rec["text"] += f"; now {now}" + (f"; last event {last.session} {last.kind}: {last.text}" if last else "")


def note_event(iid: str, day, text: str) -> Event:
    """A dated note as an event; the same id whether `thesis note` or a watch pass journals it."""
    key = hashlib.sha1(text.strip().encode()).hexdigest()[:8]
    return Event(iid, "note", day.isoformat(), None, None, text.strip(), key=key)


def channels_for(channels, e: Event) -> list[str]:
    return [c.name for c in channels if c.wants(e.idea, e.kind)]


def watch_pass(paths, asof=None, source: str | None = None, config=None, journal: Journal | None = None,
               wait: float = 10.0, deliver: bool = True, write: bool = True, now=None,
               snapshots: bool = True, batch: bool = True, progress=None) -> PassResult:
    """Evaluate every idea under ``paths`` at the last final session; journal and alert (see module doc).
    ``batch`` builds the lifecycles of each symbol's ideas together (``SymbolBatches``); False
    builds them idea by idea (the same events: the benchmarks compare the two). ``progress(done,
    total)`` is called before each idea file (the dashboard logs a long first pass)."""
    files = idea_files(paths)
    journal = journal or Journal()
    clock = SessionClock(asof, now)
    res = PassResult(clock.session)

    def run(jr: Journal) -> None:
        ctx = pass_context(jr, res, clock, files, source, config, write, batch)
        watch_files(ctx, files, progress)
        _report_removed(ctx, paths, files)
        if write:
            jr.sync()
        _deliver(ctx, config, deliver, source, snapshots)

    if write:
        with journal.lock(wait) as jr:
            run(jr)
    else:
        run(journal)
    return res


class SessionClock:
    """The pass's session (NYSE) and the last final session of each symbol's own calendar (a BTC
    Saturday, an FX 17:00 New York close), each calendar asked once per pass."""

    def __init__(self, asof=None, now=None):
        self.asof, self.now = asof, now
        self.session = last_closed_session(asof, now)
        self.calendars: dict[str, pd.Timestamp] = {"XNYS": self.session}
        self.symbols: dict[str, pd.Timestamp] = {}

    def __call__(self, symbol: str) -> pd.Timestamp:
        hit = self.symbols.get(symbol)
        if hit is None:
            from thesis.data.instruments import instrument_of

            inst = instrument_of(symbol)
            if inst.calendar not in self.calendars:
                self.calendars[inst.calendar] = last_closed_session(self.asof, self.now, inst)
            hit = self.symbols[symbol] = self.calendars[inst.calendar]
        return hit


class BarsCache:
    """Each (symbol, adjustment)'s bars up to its last final session, loaded once per pass (or the
    ThesisError the load raised)."""

    def __init__(self, source: str | None, session_for):
        from thesis.data import default_source

        self.source = source
        self.session_for = session_for
        self.local = (source or default_source()).startswith("csv:")
        self.frames: dict[tuple, object] = {}
        self.whole: dict[tuple, pd.DataFrame] = {}    # every bar loaded (an as-of pass cuts histories on them)

    def __call__(self, symbol: str, adjustment: str):
        key = (symbol, adjustment)
        if key not in self.frames:
            try:
                self.frames[key] = self._load(symbol, adjustment)
            except ThesisError as exc:
                self.frames[key] = exc
        return self.frames[key]

    def _load(self, symbol: str, adjustment: str) -> pd.DataFrame:
        from thesis.data import load_bars

        session = self.session_for(symbol)
        if self.local:       # the folder's frame is cached by the provider: a positional slice is cheapest
            bars = self.whole[(symbol, adjustment)] = load_bars(symbol, adjustment, self.source)
            bars = bars.iloc[:int(bars.index.searchsorted(session, side="right"))]
        else:
            bars = self.whole[(symbol, adjustment)] = load_bars(symbol, adjustment, self.source, end=session)
        # pandas deep-copies attrs on every column access: keep only the scalar ones (symbol,
        # has_open, source, ...) on the frame the kernel wrappers read ~20 times per idea
        lean = bars.copy(deep=False)
        lean.attrs = {k: v for k, v in bars.attrs.items() if isinstance(v, (str, bool, int, float))}
        return lean


@dataclass
class JournalState:
    """What the journal knows before a pass: each idea's last ``idea``, ``skipped`` and ``gone``
    records and its latest event up to the pass's session."""

    ideas: dict[str, IdeaRecord]
    skipped: dict[str, SkippedRecord]
    gone: dict[str, GoneRecord]
    last_events: dict[str, EventRecord]

    @classmethod
    def read(cls, records: list[Record], session: pd.Timestamp) -> JournalState:
        return cls(latest_by_idea(records, IdeaRecord), latest_by_idea(records, SkippedRecord),
                   latest_by_idea(records, GoneRecord), last_event_by_idea(records, session.date().isoformat()))


# An event line as Journal.append writes it (EventRecord's field order): its id, idea and session
# are read without parsing the line; any other shape is parsed in full.
_EVENT_HEAD = re.compile(rb'\{"t":"event","v":1,"id":"([^"\\]*)","idea":"([^"\\]*)","kind":"[^"\\]*",'
                         rb'"session":"([^"\\]*)"')


def scan_journal(path: Path, session: pd.Timestamp) -> tuple[JournalState, set[str]] | None:
    """The JournalState and the journaled ids (events, externals) of the journal file at ``path``,
    as ``JournalState.read(read_records(path))`` gives them, parsing in full only the records the
    pass reads (ideas, skipped, gone; each idea's latest event up to ``session``), not the
    event lines in bulk. None: the file has a line the scan does not read (the caller reads every
    record, which names a bad line)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return JournalState({}, {}, {}, {}), set()
    except OSError:
        return None
    until = session.date().isoformat().encode()
    ideas: dict[str, IdeaRecord] = {}
    skipped: dict[str, SkippedRecord] = {}
    gone: dict[str, GoneRecord] = {}
    last: dict[bytes, tuple[bytes, bytes]] = {}       # idea -> (session, line) of its latest event
    ids: set[str] = set()
    head = _EVENT_HEAD.match
    for line in data.split(b"\n")[:-1]:         # the part after the last newline is torn or empty
        m = head(line)
        if m is not None and line.endswith(b"}"):
            ids.add(m[1].decode())
            day = m[3]
            if day <= until:
                old = last.get(m[2])
                if old is None or day >= old[0]:
                    last[m[2]] = (day, line)
            continue
        if not line.strip():
            continue
        try:
            rec = parse(json.loads(line))
        except (ValueError, RecordError):
            return None
        if isinstance(rec, (EventRecord, ExternalRecord)):
            ids.add(rec.id)
        if isinstance(rec, EventRecord):
            day = rec.session.encode()
            idea = rec.idea.encode()
            old = last.get(idea)
            if day <= until and (old is None or day >= old[0]):
                last[idea] = (day, line)
        elif isinstance(rec, IdeaRecord):
            ideas[rec.idea] = rec
        elif isinstance(rec, SkippedRecord):
            skipped[rec.idea] = rec
        elif isinstance(rec, GoneRecord):
            gone[rec.idea] = rec
    events: dict[str, EventRecord] = {}
    for _, line in last.values():
        try:
            event = parse_as(EventRecord, json.loads(line))
        except (ValueError, RecordError):      # an event head whose line does not fit: the full read names it
            return None
        events[event.idea] = event
    return JournalState(ideas, skipped, gone, events), ids


@dataclass
class PassContext:
    """What every idea's step of one pass reads (the journal then, the sessions, the bars) and
    where it writes (the journal under its lock, the pass's result)."""

    jr: Journal
    res: PassResult
    state: JournalState
    session_for: SessionClock
    bars_for: BarsCache
    channels: list
    write: bool
    prints: dict[int, tuple] = field(default_factory=dict)
    batches: SymbolBatches | None = None
    cutoffs: dict[tuple, pd.Timestamp | None] = field(default_factory=dict)


def pass_context(jr: Journal, res: PassResult, clock: SessionClock, files: list[Path], source: str | None,
                 config=None, write: bool = True, batch: bool = True) -> PassContext:
    """The context of a pass over ``files`` on journal ``jr`` (read now, before any append)."""
    scanned = scan_journal(jr.path, res.session) if jr.on_disk else None
    if scanned is not None:
        state, ids = scanned
        jr.seed_ids(ids)
    else:
        state = JournalState.read(jr.records(), res.session)
    ctx = PassContext(jr, res, state, clock, BarsCache(source, clock),
                      config.channels if config is not None else [], write)
    if batch:
        ctx.batches = SymbolBatches(files, state.ideas, clock, ctx.bars_for, ctx.prints,
                                    cut_histories=clock.asof is not None)
    return ctx


def watch_files(ctx: PassContext, files: list[Path], progress=None) -> None:
    """The per-partition step: evaluate ``files`` (for the batch path, every idea of a symbol in
    one call: ``ctx.batches`` groups them) and journal each idea's new records in file order;
    rows and new events go to ``ctx.res``; ``progress(done, total)`` before each file."""
    for done, path in enumerate(files):
        if progress is not None:
            progress(done, len(files))
        _watch_file(ctx, path)


def _watch_file(ctx: PassContext, path: Path) -> None:
    iid = idea_id(path)
    row = IdeaRow(iid, str(path), last_event=ctx.state.last_events.get(iid))
    ctx.res.rows.append(row)
    prev = ctx.state.ideas.get(iid)
    try:
        idea = _load(path)
    except IdeaError as exc:
        _unparsed(ctx, row, path, prev, exc)
        return
    row.idea = idea
    session = ctx.session_for(idea.symbol)
    fp, fph = _fingerprint(idea, ctx.prints)
    if _final(prev, fph, session):
        # ended under these very levels with every variant closed (the signal variant of a
        # limit idea too): final (the kernel is causal); keep the recorded state, skip the kernel
        row.kept = prev
        return
    revision, revised = _revision(ctx, iid, idea, path, prev, fp, fph, session)
    out = [revised] if revised is not None else []
    bars = ctx.bars_for(idea.symbol, idea.idea.adjustment)
    stale = _stale_event(iid, idea, bars, session, revision)
    if isinstance(bars, Exception):
        _without_bars(ctx, row, path, idea, bars, prev, fp, fph, revision, stale, out)
        return
    status = _status(ctx, row, path, iid, idea, bars, revision, prev)
    if status is None:
        return
    row.status = status
    known = ctx.jr.event_ids()
    if stale is not None and status.state not in TERMINAL and stale.id not in known:
        # closed ideas are never checked again (docs/watch.md): no data_stale for them
        out.append(_event_record(stale, idea, path, None, channels_for(ctx.channels, stale), False))
    if revised is not None:
        _describe_revision(revised, status)
    cutoff = _backfill_cutoff(ctx, bars, session) \
        if prev is None or revised is not None or prev.evaluated is False else None
    out += _lifecycle_records(ctx, path, idea, status, known, cutoff)
    out += _note_records(iid, path, idea, session, known)
    out += _idea_record(iid, path, idea, fp, fph, revision, status, prev)
    _journal(ctx, row, out)


def _unparsed(ctx: PassContext, row: IdeaRow, path: Path, prev: IdeaRecord | None, exc: IdeaError) -> None:
    """An idea file that does not parse: its previous state is kept; journaled once per version."""
    row.error = str(exc)
    row.kept = prev
    ctx.res.messages.append(f"skipped {path}: {exc}" + (" (previous state kept)" if prev else ""))
    h = hashlib.sha1(path.read_bytes()).hexdigest()[:12] if path.exists() else ""
    skipped = ctx.state.skipped
    if ctx.write and (row.id not in skipped or skipped[row.id].hash != h):
        ctx.jr.append([SkippedRecord(idea=row.id, file=str(path), hash=h, error=str(exc), at=now_iso())])


def _revision(ctx: PassContext, iid: str, idea, path: Path, prev: IdeaRecord | None, fp: dict, fph: str,
              session: pd.Timestamp) -> tuple[int, dict | None]:
    """The idea's revision number and, when its levels changed since the last pass, the
    ``idea_revised`` event's record (None when unchanged or already journaled)."""
    revision = prev.revision if prev else 0
    if prev is None or prev.fingerprint == fph:
        return revision, None
    revision += 1
    changes = diff(prev.levels_fp, fp)
    text = f"idea file revised (revision {revision}): " + "; ".join(changes)
    ev = Event(iid, "idea_revised", session.date().isoformat(), None, None, text, key=fph, revision=revision)
    if ev.id in ctx.jr.event_ids():
        return revision, None
    return revision, _event_record(ev, idea, path, None, channels_for(ctx.channels, ev), False)


def _stale_event(iid: str, idea, bars, session: pd.Timestamp, revision: int) -> Event | None:
    """``data_stale`` when the provider did not answer or the symbol's bars stop before the session
    (for an idea published by then)."""
    if isinstance(bars, ProviderUnavailable):
        why = str(bars)
    elif not isinstance(bars, Exception) and len(bars) and bars.index[-1] < session \
            and pd.Timestamp(idea.idea.published) <= session:
        why = f"the last bar of {idea.symbol} is {bars.index[-1].date()}, the session {session.date()} is missing"
    else:
        return None
    return Event(iid, "data_stale", session.date().isoformat(), None, None,
                 f"data for {idea.symbol} is stale: {why}; state unchanged", revision=revision)


def _without_bars(ctx: PassContext, row: IdeaRow, path: Path, idea, error: Exception, prev: IdeaRecord | None, fp: dict,
                  fph: str, revision: int, stale: Event | None, out: list[dict]) -> None:
    """No bars for the idea: bad input is reported; an unavailable provider journals ``data_stale``
    (not for a final idea) and the levels seen, keeping the previous state."""
    row.error = str(error)
    if stale is None:
        (ctx.res.bad_input if isinstance(error, BadInput) else ctx.res.failures).append(f"{path}: {error}")
        return
    final = prev is not None and prev.fingerprint == fph and prev.state in TERMINAL
    if not final and stale.id not in ctx.jr.event_ids():
        out.append(_event_record(stale, idea, path, None, channels_for(ctx.channels, stale), False))
    row.kept = prev
    if prev is None or prev.fingerprint != fph:     # remember the levels seen
        out.append(IdeaRecord(idea=row.id, file=str(path), fingerprint=fph, levels_fp=fp, revision=revision,
                              state=prev.state if prev else "waiting",
                              reason=prev.reason if prev else "no data yet",
                              session=prev.session if prev else None, at=now_iso(),
                              evaluated=False).to_dict())   # the first look is still to come
    if ctx.write:
        ctx.jr.append(out)
    ctx.res.new_events += [r for r in out if r["t"] == "event"]


def _status(ctx: PassContext, row: IdeaRow, path: Path, iid: str, idea, bars, revision: int,
            prev: IdeaRecord | None) -> Status | None:
    """The idea's Status (its batch lifecycle's cut when the batch built one); None when the
    lifecycle refused the idea (the error is on the row and in the pass's result)."""
    try:
        with prebuilt(ctx.batches.lifecycle(iid, idea, bars) if ctx.batches is not None else None):
            return evaluate(idea, bars, iid, revision)
    except ThesisError as exc:
        row.error = str(exc)
        (ctx.res.bad_input if isinstance(exc, BadInput) else ctx.res.failures).append(f"{path}: {exc}")
    except Exception as exc:  # noqa: BLE001 - one idea must not stop the others; state kept
        row.error = f"could not evaluate: {type(exc).__name__}: {exc}"
        row.kept = prev
        ctx.res.failures.append(f"{path}: {row.error}")
    return None


def _backfill_cutoff(ctx: PassContext, bars: pd.DataFrame, session: pd.Timestamp) -> pd.Timestamp | None:
    """On a first look (or a revision), events before this session are history, not alerts: the
    BACKFILL_SESSIONS-th last session of ``bars`` up to ``session`` (once per bars and session)."""
    key = (id(bars), len(bars), session)
    if key not in ctx.cutoffs:
        upto = int(bars.index.searchsorted(session, side="right"))
        ctx.cutoffs[key] = bars.index[max(0, upto - BACKFILL_SESSIONS)] if upto else None
    return ctx.cutoffs[key]


def _lifecycle_records(ctx: PassContext, path: Path, idea, status: Status, known, cutoff) -> list[dict]:
    """The journal records of the lifecycle's events not journaled yet, each with the lifecycle's
    snapshot after its session; events before ``cutoff`` are backfill (journaled, never alerted)."""
    out = []
    snaps: dict[str, object] = {}          # one fold per session (several events may share one)
    for e in status.events:
        if e.id in known:
            continue
        backfill = cutoff is not None and pd.Timestamp(e.session) < cutoff
        if e.session not in snaps:
            snaps[e.session] = status.life.snapshot(e.session) if status.life is not None else None
        snap = snaps[e.session]
        out.append(_event_record(e, idea, path, snap, [] if backfill else channels_for(ctx.channels, e), backfill))
    return out


def _note_records(iid: str, path: Path, idea, session: pd.Timestamp, known) -> list[dict]:
    """The file's dated notes up to the session, journaled here too (no alert), so a note whose
    `thesis note` could not journal it (the lock was busy) is never missing."""
    out = []
    for n in idea.notes:
        if n.date <= session.date():
            ev = note_event(iid, n.date, n.text)
            if ev.id not in known:
                rec = _event_record(ev, idea, path, None, [], False)
                if n.snapshot:
                    rec["snapshot"] = n.snapshot
                out.append(rec)
    return out


def _idea_record(iid: str, path: Path, idea, fp: dict, fph: str, revision: int, status: Status,
                 prev: IdeaRecord | None) -> list[dict]:
    """The idea's record (levels and state seen) when something in it changed since the last one."""
    settled = status.life is not None and status.life.settled()
    if prev is not None and prev.fingerprint == fph and prev.state == status.state \
            and prev.file == str(path) and prev.evaluated is not False and bool(prev.settled) == settled:
        return []
    snap = status.snapshot
    return [IdeaRecord(idea=iid, file=str(path), fingerprint=fph, levels_fp=fp, revision=revision,
                       state=status.state, reason=status.reason, session=status.session, direction=idea.direction,
                       realized_r=None if snap is None else _r(snap.realized_r), settled=settled,
                       position=None if snap is None or not snap.filled else _r(snap.position),
                       at=now_iso()).to_dict()]


def _journal(ctx: PassContext, row: IdeaRow, out: list[dict]) -> None:
    """Append one idea's records in one write; its new events join the pass's result."""
    if ctx.write and out:
        ctx.jr.append(out)
    new = [r for r in out if r["t"] == "event"]
    ctx.res.new_events += new
    for rec in new:
        if row.last_event is None or rec["session"] >= row.last_event.session:
            row.last_event = parse_as(EventRecord, rec)


def removed_files(paths, files, ideas_seen: dict[str, IdeaRecord], gone: dict[str, GoneRecord]) -> list[tuple[str, Path]]:
    """(id, file) of each journaled idea whose file left a watched folder, not yet reported gone."""
    watched_dirs = {Path(p).resolve() for p in (paths or [Path(".")]) if Path(p).is_dir()}
    present = {idea_id(f) for f in files}
    out = []
    for iid, seen in ideas_seen.items():
        f = Path(seen.file)
        if iid in present or f.exists() or f.resolve().parent not in watched_dirs:
            continue
        if iid in gone and gone[iid].file == seen.file and (gone[iid].at or "") >= (seen.at or ""):
            continue
        out.append((iid, f))
    return out


def _report_removed(ctx: PassContext, paths, files: list[Path]) -> None:
    """Deleted idea files: reported once."""
    for iid, f in removed_files(paths, files, ctx.state.ideas, ctx.state.gone):
        ctx.res.messages.append(f"idea file {f} was removed: no longer watched (journal kept)")
        if ctx.write:
            ctx.jr.append([GoneRecord(idea=iid, file=str(f), at=now_iso())])


def _deliver(ctx: PassContext, config, deliver: bool, source: str | None, snapshots: bool) -> None:
    """After the pass is journaled: deliver the pending alerts and sum up the outbox."""
    res, jr, channels = ctx.res, ctx.jr, ctx.channels
    res.alerts = [r for r in res.new_events if not r.get("backfill") and r["kind"] != "note"]
    if deliver and ctx.write and channels:
        from thesis.watch.alerts import deliver_pending

        ideas = {row.id: row.idea for row in res.rows if row.idea is not None}
        res.deliveries = deliver_pending(jr, config, ideas=ideas, source=source, snapshots=snapshots)
    if channels:
        from thesis.watch.alerts import outcome

        res.outbox = outcome(jr, channels, res.deliveries, {e["id"] for e in res.new_events})


def _fingerprint(idea, prints: dict[int, tuple]) -> tuple[dict, str]:
    """(fingerprint, its hash) of a parsed idea, once per pass."""
    hit = prints.get(id(idea))
    if hit is None or hit[0] is not idea:
        fp = fingerprint(idea)
        hit = prints[id(idea)] = (idea, fp, _fp_hash(fp))
    return hit[1], hit[2]


def _final(prev: IdeaRecord | None, fph: str, session: pd.Timestamp) -> bool:
    """Ended under these very levels with every variant closed (the signal variant of a limit idea
    too) by a session on or before ``session``: final (the kernel is causal), never evaluated again."""
    return bool(prev is not None and prev.fingerprint == fph and prev.settled
                and prev.session and prev.session <= session.date().isoformat())


class SymbolBatches:
    """The lifecycles of the ideas a pass evaluates, built per symbol in one batch the first time the
    pass reaches one of the symbol's ideas (thesis.replay.lifecycle.lifecycles: the fill kernel
    once per round for all the symbol's ideas), so journal writes still follow each symbol's work.
    As of a date (``cut_histories``) each is the idea's whole history, cached (thesis.replay.history),
    cut at the pass's session: a board moved along the dates does not replay its ideas again.
    An idea that does not parse, a symbol without bars and a batch that raises are left out: the
    pass evaluates those idea by idea, each reporting its own error."""

    def __init__(self, files, ideas_seen: dict, session_for, bars_for, prints: dict, cut_histories: bool = False):
        self.bars_for = bars_for
        self.cut_histories = cut_histories
        self.groups: dict[tuple, list] = {}
        self.group_of: dict[str, tuple] = {}
        self.lives: dict[str, Lifecycle] = {}
        for path in files:
            try:
                idea = _load(path)
            except IdeaError:
                continue
            iid = idea_id(path)
            if _final(ideas_seen.get(iid), _fingerprint(idea, prints)[1], session_for(idea.symbol)):
                continue
            key = (idea.symbol, idea.idea.adjustment)
            self.groups.setdefault(key, []).append((iid, idea))
            self.group_of[iid] = key

    def lifecycle(self, iid: str, idea, bars):
        """The batch's lifecycle of ``idea`` on ``bars`` (None: evaluate it alone)."""
        key = self.group_of.pop(iid, None)
        if key is not None and key in self.groups:
            self._build(key)
        life = self.lives.pop(iid, None)
        return life if life is not None and life.idea is idea and life.bars is bars else None

    def _build(self, key: tuple) -> None:
        from thesis.replay.lifecycle import lifecycles

        members = self.groups.pop(key)
        bars = self.bars_for(*key)
        if isinstance(bars, Exception) or not len(bars):
            return
        whole = getattr(self.bars_for, "whole", {}).get(key) if self.cut_histories else None
        try:
            if whole is not None:
                from thesis.replay.history import histories

                built = [h.until(bars.index[-1], bars).life for h in histories([idea for _, idea in members], whole)]
            else:
                built = lifecycles([idea for _, idea in members], bars)
        except Exception:  # noqa: BLE001 - the per-idea path reports each idea's own error
            return
        self.lives.update((iid, life) for (iid, _), life in zip(members, built))


def _published_after(row: IdeaRow, res: PassResult) -> bool:
    """The idea was published after the session the pass looks at (an as-of board): its lifecycle
    has not started (thesis.replay.lifecycle says "not yet published")."""
    if row.idea is None:
        return False
    snap = row.status.snapshot if row.status is not None else None
    if snap is not None:
        return snap.reason == "not yet published"
    return pd.Timestamp(row.idea.idea.published) > res.session


def not_yet_published(res: PassResult) -> list[dict]:
    """The ideas a board as of the pass's session leaves out: published after it (id, publication date)."""
    return [{"id": row.id, "published": row.idea.idea.published.isoformat()}
            for row in res.rows if row.idea is not None and _published_after(row, res)]


def board(res: PassResult) -> list[dict]:
    """One row per idea, rendered from its lifecycle: state, last price, the levels in force with
    their distances, the position and its R (named: realized_r, open_part_r, position_r), days left,
    last event. A closed, expired or invalidated idea shows no distances, and the R it made.
    An idea published after the pass's session (an as-of board) has no row: on that date it did
    not exist yet, so it has no state, levels or price to show (``not_yet_published`` lists it)."""
    rows = []
    for row in res.rows:
        if _published_after(row, res):
            continue
        s = row.status
        idea = row.idea
        info = getattr(idea, "idea", None)
        base = {"id": row.id, "file": row.file, "title": getattr(info, "title", None),
                "symbol": getattr(info, "symbol", None), "adjustment": getattr(info, "adjustment", None),
                "direction": getattr(info, "direction", None)}
        if s is None:
            kept = row.kept
            rows.append({**base, "direction": base["direction"] or (kept and kept.direction),
                         "state": kept.state if kept else "error", "reason": kept and kept.reason,
                         "session": kept and kept.session, "price": None, "zone": None, "stop": None,
                         "stop_moved": None, "next_target": None, "position": kept and kept.position,
                         "realized_r": kept and kept.realized_r, "open_part_r": None,
                         "position_r": kept and kept.realized_r, "days_left": None, "variants": None,
                         "revision": kept.revision if kept else 0, "error": row.error,
                         "last_event": _last(row.last_event)})
            continue
        rows.append({**base, **board_cells(s.snapshot, idea, res.session), "revision": s.events[0].revision if s.events else 0,
                     "last_event": _last(row.last_event), "error": row.error})
    return rows


def board_cells(snap, idea, session) -> dict:
    """A board row's cells from a lifecycle Snapshot: distances in % of the close and in R from the
    entry (the fill once filled; |entry - original stop| is 1 R)."""
    close = snap.close
    risk = abs(snap.entry - idea.levels.stop)
    live = snap.state not in TERMINAL

    def dist(level):
        if level is None or close is None or not live:
            return None
        return {"level": level, "pct": round((level - close) / close * 100, 2),
                "r": round(abs(level - close) / risk, 2) if risk else None}

    lo, hi = idea.levels.entry_zone
    zone = None
    if not snap.filled and close is not None:
        zone = dist(lo if close < lo else hi if close > hi else close)
    days = None
    if snap.horizon_end is not None and live:
        days = (pd.Timestamp(snap.horizon_end) - pd.Timestamp(session)).days
    return {"state": snap.state, "reason": snap.reason,
            "session": None if snap.session is None else snap.session.date().isoformat(), "price": close,
            "zone": zone, "stop": dist(snap.stop), "stop_moved": snap.stop_moved,
            "next_target": dist(snap.next_target) if snap.filled or live else None,
            "position": _r(snap.position) if snap.filled else None, "realized_r": _r(snap.realized_r),
            "open_part_r": _r(snap.open_part_r), "position_r": _r(snap.position_r), "days_left": days,
            "variants": other_variants(snap, idea)}


def other_variants(snap, idea) -> list[dict]:
    """The positions beside the idea's own (the row's): a limit idea's signal variant, opened by a
    trigger (after the limit filled, too), with its entry, the part still open and each R."""
    own = "limit" if idea.entry.order == "limit" else "signal"
    return [{"variant": v.variant, "entry": v.entry, "entry_session": v.entry_session.date().isoformat(),
             "position": _r(v.size), "realized_r": _r(v.realized_r), "open_part_r": _r(v.open_part_r),
             "position_r": _r(v.position_r), "closed": v.closed}
            for v in snap.variants if v.variant != own]


def _r(v):
    return None if v is None else round(float(v), 3) + 0.0


def _last(rec: EventRecord | None) -> dict | None:
    if rec is None:
        return None
    return {"id": rec.id, "kind": rec.kind, "session": rec.session, "price": rec.price, "text": rec.text}


def match(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


__all__ = ["watch_pass", "board", "not_yet_published", "PassResult", "idea_files", "event_id", "watch_files",
           "pass_context", "PassContext", "JournalState", "SessionClock", "BarsCache", "scan_journal",
           "removed_files"]
