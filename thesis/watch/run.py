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
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from thesis.errors import BadInput, IdeaError, ProviderUnavailable, ThesisError
from thesis.watch.clock import last_closed_session
from thesis.watch.engine import TERMINAL, Event, Status, evaluate, event_id, prebuilt
from thesis.watch.journal import Journal, now_iso
from thesis.watch.records import EventRecord, GoneRecord, IdeaRecord, Record, SkippedRecord, parse_as

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
            files += sorted(x for x in p.glob("*.toml") if x.is_file() and _looks_like_idea(x))
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


def _looks_like_idea(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"[idea]" in fh.read(1 << 20)
    except OSError:
        return False


def idea_id(path: Path) -> str:
    return Path(path).stem


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
               snapshots: bool = True, batch: bool = True) -> PassResult:
    """Evaluate every idea under ``paths`` at the last final session; journal and alert (see module doc).
    ``batch`` builds the lifecycles of each symbol's ideas together (``_batch_lifecycles``); False
    builds them idea by idea (the same events: the benchmarks compare the two)."""
    from thesis.data import load_bars

    files = idea_files(paths)
    session = last_closed_session(asof, now)
    calendars: dict[str, pd.Timestamp] = {"XNYS": session}

    def session_for(symbol: str) -> pd.Timestamp:
        """The last final session of the symbol's own calendar (a BTC Saturday, an FX 17:00 New York close)."""
        from thesis.data.instruments import instrument_of

        inst = instrument_of(symbol)
        if inst.calendar not in calendars:
            calendars[inst.calendar] = last_closed_session(asof, now, inst)
        return calendars[inst.calendar]

    journal = journal or Journal()
    channels = config.channels if config is not None else []
    res = PassResult(session)
    bars_cache: dict[tuple, object] = {}

    from thesis.data import default_source

    local = (source or default_source()).startswith("csv:")

    def bars_for(symbol, adjustment):
        key = (symbol, adjustment)
        if key not in bars_cache:
            session = session_for(symbol)
            try:
                if local:       # the folder's frame is cached by the provider: a positional slice is cheapest
                    bars = load_bars(symbol, adjustment, source)
                    bars = bars.iloc[:int(bars.index.searchsorted(session, side="right"))]
                else:
                    bars = load_bars(symbol, adjustment, source, end=session)
                # pandas deep-copies attrs on every column access: keep only the scalar ones (symbol,
                # has_open, source, ...) on the frame the kernel wrappers read ~20 times per idea
                lean = bars.copy(deep=False)
                lean.attrs = {k: v for k, v in bars.attrs.items() if isinstance(v, (str, bool, int, float))}
                bars_cache[key] = lean
            except ThesisError as exc:
                bars_cache[key] = exc
        return bars_cache[key]

    def run(jr: Journal):
        records = jr.records()
        ideas_seen = latest_by_idea(records, IdeaRecord)
        skipped = latest_by_idea(records, SkippedRecord)
        gone = latest_by_idea(records, GoneRecord)
        last_events = last_event_by_idea(records, res.session.date().isoformat())   # the pass (NYSE) session
        watched_dirs = {Path(p).resolve() for p in (paths or [Path(".")]) if Path(p).is_dir()}
        prints: dict[int, tuple] = {}
        batches = SymbolBatches(files, ideas_seen, session_for, bars_for, prints) if batch else None
        for path in files:
            iid = idea_id(path)
            row = IdeaRow(iid, str(path), last_event=last_events.get(iid))
            res.rows.append(row)
            prev = ideas_seen.get(iid)
            try:
                idea = _load(path)
            except IdeaError as exc:
                row.error = str(exc)
                row.kept = prev
                res.messages.append(f"skipped {path}: {exc}" + (" (previous state kept)" if prev else ""))
                h = hashlib.sha1(path.read_bytes()).hexdigest()[:12] if path.exists() else ""
                if write and (iid not in skipped or skipped[iid].hash != h):
                    jr.append([SkippedRecord(idea=iid, file=str(path), hash=h, error=str(exc), at=now_iso())])
                continue
            row.idea = idea
            session = session_for(idea.symbol)
            fp, fph = _fingerprint(idea, prints)
            revision = prev.revision if prev else 0
            if _final(prev, fph, session):
                # ended under these very levels with every variant closed (the signal variant of a
                # limit idea too): final (the kernel is causal); keep the recorded state, skip the kernel
                row.kept = prev
                continue
            out: list[dict] = []
            revised = None
            if prev is not None and prev.fingerprint != fph:
                revision += 1
                changes = diff(prev.levels_fp, fp)
                text = f"idea file revised (revision {revision}): " + "; ".join(changes)
                ev = Event(iid, "idea_revised", session.date().isoformat(), None, None, text, key=fph,
                           revision=revision)
                if ev.id not in jr.event_ids():
                    revised = _event_record(ev, idea, path, None, channels_for(channels, ev), False)
                    out.append(revised)
            bars = bars_for(idea.symbol, idea.idea.adjustment)
            stale = None
            if isinstance(bars, ProviderUnavailable) or (not isinstance(bars, Exception) and len(bars)
                                                         and bars.index[-1] < session
                                                         and pd.Timestamp(idea.idea.published) <= session):
                why = str(bars) if isinstance(bars, Exception) else (
                    f"the last bar of {idea.symbol} is {bars.index[-1].date()}, the session "
                    f"{session.date()} is missing")
                stale = Event(iid, "data_stale", session.date().isoformat(), None, None,
                              f"data for {idea.symbol} is stale: {why}; state unchanged", revision=revision)
                final = prev is not None and prev.fingerprint == fph and prev.state in TERMINAL
                if isinstance(bars, Exception) and not final and stale.id not in jr.event_ids():
                    out.append(_event_record(stale, idea, path, None, channels_for(channels, stale), False))
                if isinstance(bars, Exception):
                    row.kept = prev
                    row.error = str(bars)
                    if prev is None or prev.fingerprint != fph:     # remember the levels seen
                        out.append(IdeaRecord(idea=iid, file=str(path), fingerprint=fph, levels_fp=fp,
                                              revision=revision, state=prev.state if prev else "waiting",
                                              reason=prev.reason if prev else "no data yet",
                                              session=prev.session if prev else None, at=now_iso(),
                                              evaluated=False).to_dict())   # the first look is still to come
                    if write:
                        jr.append(out)
                    res.new_events += [r for r in out if r["t"] == "event"]
                    continue
            if isinstance(bars, Exception):
                row.error = str(bars)
                (res.bad_input if isinstance(bars, BadInput) else res.failures).append(f"{path}: {bars}")
                continue
            try:
                with prebuilt(batches.lifecycle(iid, idea, bars) if batches is not None else None):
                    status = evaluate(idea, bars, iid, revision)
            except ThesisError as exc:
                row.error = str(exc)
                (res.bad_input if isinstance(exc, BadInput) else res.failures).append(f"{path}: {exc}")
                continue
            except Exception as exc:  # noqa: BLE001 - one idea must not stop the others; state kept
                row.error = f"could not evaluate: {type(exc).__name__}: {exc}"
                row.kept = prev
                res.failures.append(f"{path}: {row.error}")
                continue
            row.status = status
            known = jr.event_ids()
            if stale is not None and status.state not in TERMINAL and stale.id not in known:
                # closed ideas are never checked again (docs/watch.md): no data_stale for them
                out.append(_event_record(stale, idea, path, None, channels_for(channels, stale), False))
            if revised is not None:
                _describe_revision(revised, status)
            cutoff = None
            if prev is None or revised is not None or prev.evaluated is False:
                # first look, or a revision: events older than BACKFILL_SESSIONS are history, not alerts
                sess = bars.index[bars.index <= session]
                cutoff = sess[max(0, len(sess) - BACKFILL_SESSIONS)]
            for e in status.events:
                if e.id in known:
                    continue
                backfill = cutoff is not None and pd.Timestamp(e.session) < cutoff
                snap = status.life.snapshot(e.session) if status.life is not None else None
                out.append(_event_record(e, idea, path, snap, [] if backfill else channels_for(channels, e),
                                         backfill))
            # the file's dated notes, up to this session: journaled here too, so a note whose
            # `thesis note` could not journal it (the lock was busy) is never missing; no alert
            for n in idea.notes:
                if n.date <= session.date():
                    ev = note_event(iid, n.date, n.text)
                    if ev.id not in known:
                        rec = _event_record(ev, idea, path, None, [], False)
                        if n.snapshot:
                            rec["snapshot"] = n.snapshot
                        out.append(rec)
            settled = status.life is not None and status.life.settled()
            if prev is None or prev.fingerprint != fph or prev.state != status.state \
                    or prev.file != str(path) or prev.evaluated is False or bool(prev.settled) != settled:
                snap = status.snapshot
                out.append(IdeaRecord(idea=iid, file=str(path), fingerprint=fph, levels_fp=fp, revision=revision,
                                      state=status.state, reason=status.reason, session=status.session,
                                      direction=idea.direction,
                                      realized_r=None if snap is None else _r(snap.realized_r), settled=settled,
                                      position=None if snap is None or not snap.filled else _r(snap.position),
                                      at=now_iso()).to_dict())
            if write and out:
                jr.append(out)
            new = [r for r in out if r["t"] == "event"]
            res.new_events += new
            for rec in new:
                if row.last_event is None or rec["session"] >= row.last_event.session:
                    row.last_event = parse_as(EventRecord, rec)
        # deleted idea files: reported once
        present = {idea_id(f) for f in files}
        for iid, seen in ideas_seen.items():
            f = Path(seen.file)
            if iid in present or f.exists() or f.resolve().parent not in watched_dirs:
                continue
            if iid in gone and gone[iid].file == seen.file and (gone[iid].at or "") >= (seen.at or ""):
                continue
            res.messages.append(f"idea file {f} was removed: no longer watched (journal kept)")
            if write:
                jr.append([GoneRecord(idea=iid, file=str(f), at=now_iso())])
        if write:
            jr.sync()
        res.alerts = [r for r in res.new_events if not r.get("backfill") and r["kind"] != "note"]
        if deliver and write and channels:
            from thesis.watch.alerts import deliver_pending

            ideas = {row.id: row.idea for row in res.rows if row.idea is not None}
            res.deliveries = deliver_pending(jr, config, ideas=ideas, source=source, snapshots=snapshots)
        if channels:
            from thesis.watch.alerts import outcome

            res.outbox = outcome(jr, channels, res.deliveries, {e["id"] for e in res.new_events})

    if write:
        with journal.lock(wait) as jr:
            run(jr)
    else:
        run(journal)
    return res


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
    An idea that does not parse, a symbol without bars and a batch that raises are left out: the
    pass evaluates those idea by idea, each reporting its own error."""

    def __init__(self, files, ideas_seen: dict, session_for, bars_for, prints: dict):
        self.bars_for = bars_for
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
        try:
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
                         "position_r": kept and kept.realized_r, "days_left": None,
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
            "open_part_r": _r(snap.open_part_r), "position_r": _r(snap.position_r), "days_left": days}


def _r(v):
    return None if v is None else round(float(v), 3) + 0.0


def _last(rec: EventRecord | None) -> dict | None:
    if rec is None:
        return None
    return {"id": rec.id, "kind": rec.kind, "session": rec.session, "price": rec.price, "text": rec.text}


def match(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


__all__ = ["watch_pass", "board", "not_yet_published", "PassResult", "idea_files", "event_id"]
