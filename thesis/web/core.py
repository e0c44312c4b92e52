"""What the dashboard shows, computed by the same functions the CLI calls.

Idea ids map only to ``*.toml`` files directly inside the ideas folder: an id is a
file stem made of letters, digits, ``.``, ``_`` and ``-`` (no ``..``), and the file's
real path (symlinks resolved) must still be inside the folder. Anything else is
"not found" (404), never an error that tells what exists outside.
"""
from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Any

ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
WEB_IDEA_SCHEMA = "thesis.web.idea/1"
BOARD_SCHEMA = "thesis.web.board/1"


class NotFound(Exception):
    """An idea id that does not name an idea file inside the folder."""


def default_ideas_dir() -> Path:
    """``examples/`` of a source checkout, else ``./ideas``."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "examples").is_dir():
        return root / "examples"
    return Path("ideas")


class IdeaFolder:
    def __init__(self, folder: Path):
        self.root = Path(folder).expanduser().resolve()

    def _inside(self, path: Path) -> bool:
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return False
        return real.is_file() and real.parent == self.root

    def ids(self) -> list[str]:
        return [idea_id for idea_id, _, _ in self.files()]

    def files(self) -> list[tuple[str, str, tuple]]:
        """(id, path, version) of every idea file, by name; the version is ``file_key``'s. One
        directory scan and one stat per file: only a symlink's target is resolved (10,000 files)."""
        root = str(self.root)
        try:
            with os.scandir(root) as it:
                entries = sorted((e for e in it if e.name.endswith(".toml")), key=lambda e: e.name)
        except OSError:
            return []
        out = []
        for e in entries:
            stem = e.name[:-5]
            if not ID_RE.match(stem) or ".." in stem:
                continue
            try:
                st = e.stat(follow_symlinks=False)
                if S_ISLNK(st.st_mode):              # the target's version, if it stays in the folder
                    if not self._inside(Path(e.path)):
                        continue
                    st = e.stat()
                elif not S_ISREG(st.st_mode):
                    continue
            except OSError:
                continue
            out.append((stem, e.path, (e.path, st.st_mtime_ns, st.st_size)))
        return out

    def path(self, idea_id: str) -> Path:
        if not isinstance(idea_id, str) or not ID_RE.match(idea_id) or ".." in idea_id:
            raise NotFound(idea_id)
        p = self.root / f"{idea_id}.toml"
        if not self._inside(p):
            raise NotFound(idea_id)
        return p


class Cache:
    """A small thread-safe memo. Nothing expires on a timer: an entry is read only at the version it
    was made for (an idea file's size and mtime, the journal's lines about the idea, the last closed
    sessions: thesis.web.versions). ``current(slot, version, make)`` keeps one entry per slot, the
    latest version replacing the one before (no old version lingers); ``get(key, make)`` is the same
    with the version in the key. When the cache is full the oldest quarter goes. Concurrent callers
    of one missing entry wait for one computation (a 10,000-idea board is built once, not once per
    request)."""

    def __init__(self, size: int = 2048):
        self.size = size
        self._d: dict = {}          # slot -> (version, value, when stored)
        self._making: dict = {}
        self._lock = threading.Lock()

    def get(self, key, make):
        return self.current(key, None, make)

    def current(self, slot, version, make):
        """The value of ``slot`` at ``version``: the one kept, or ``make()`` (then kept instead)."""
        while True:
            with self._lock:
                hit = self._d.get(slot)
                if hit is not None and hit[0] == version:
                    return hit[1]
                gate = self._making.get(slot)
                if gate is None:
                    gate = self._making[slot] = threading.Lock()
                    gate.acquire()
                    break
            with gate:       # another thread computes it: wait, then read it (or compute if it failed)
                pass
        try:
            value = make()
            self.put(slot, value, version)
            return value
        finally:
            with self._lock:
                del self._making[slot]
            gate.release()

    def peek(self, slot, version=None):
        """The value of ``slot`` at ``version``, or None."""
        with self._lock:
            hit = self._d.get(slot)
        return hit[1] if hit is not None and hit[0] == version else None

    def put(self, slot, value, version=None) -> None:
        with self._lock:
            if slot not in self._d and len(self._d) >= self.size:  # drop the oldest quarter
                for k in sorted(self._d, key=lambda k: self._d[k][2])[: self.size // 4]:
                    del self._d[k]
            self._d[slot] = (version, value, time.monotonic())

    def clear(self) -> None:
        with self._lock:
            self._d.clear()


def file_key(path: Path) -> tuple:
    st = path.stat()
    return (str(path), st.st_mtime_ns, st.st_size)


def _ts(d) -> int:
    """Chart time: seconds since the epoch at UTC midnight of the session."""
    import pandas as pd

    return int(pd.Timestamp(d).normalize().value // 1_000_000_000)


def _times(index) -> list[int]:
    """``_ts`` of every session of a DatetimeIndex, at once (a chart holds thousands of bars)."""
    import pandas as pd

    return pd.DatetimeIndex(index).normalize().as_unit("s").asi8.tolist()


def _round(values, digits: int = 4) -> list:
    """Values rounded to ``digits``, NaN and None as None (vectorized: a chart holds thousands)."""
    import numpy as np

    arr = np.asarray(values, dtype="float64")
    finite = np.isfinite(arr)
    out = np.round(arr, digits).tolist()
    if not finite.all():
        out = [v if ok else None for v, ok in zip(out, finite.tolist())]
    return out


# ----------------------------------------------------------------- chart data
def chart_document(idea, res, timeframe: str = "1d", source: str | None = None) -> dict:
    """Candles, volume, ratio lines, the levels and every marker of one idea, ready for
    lightweight-charts (times in seconds, prices as numbers)."""
    import pandas as pd

    from thesis.data import load_bars, resample
    from thesis.errors import ThesisError

    bars = res.bars
    shown = resample(bars, timeframe) if timeframe != "1d" else bars
    t = _times(shown.index)
    cut = res.lifecycle.at(bars.index[-1])
    doc = {
        "timeframe": timeframe,
        "symbol": idea.symbol,
        # the price axis at the instrument's precision: EURUSD 1.3200 (pips), USDJPY 151.20, BTC 67584.80
        "precision": idea.instrument.decimals, "tick": idea.instrument.tick_size,
        "bars": {"t": t, "o": _round(shown["open"]), "h": _round(shown["high"]), "l": _round(shown["low"]),
                 "c": _round(shown["close"]), "v": _round(shown["volume"], 0)},
        "zone": list(idea.levels.entry_zone),
        "stop": cut.snapshot.stop,                 # the stop in force (the fill once moved to breakeven)
        "stop_moved": cut.snapshot.stop_moved, "planned_stop": idea.levels.stop,
        "targets": list(idea.levels.targets),
        "entry": idea.entry_price,
        "direction": idea.direction,
        "published": _ts(idea.idea.published),
    }
    ratios: dict[str, dict[str, Any]] = {}
    close = shown["close"]
    for sym in idea.idea.compare:
        try:
            other = load_bars(sym, idea.idea.adjustment, source, end=bars.index[-1])
        except ThesisError as exc:
            ratios[sym] = {"error": str(exc)}
            continue
        theirs = other["close"].reindex(other.index.union(shown.index)).ffill().reindex(shown.index)
        r = (close / theirs).astype("float64")
        keep = r.notna().to_numpy()
        ratios[sym] = {"t": _times(shown.index[keep]), "v": _round(r[keep], 6)}
    doc["ratios"] = ratios

    def bar_time(d) -> int:
        """The shown bar that holds session ``d`` (weekly/monthly bars are labelled by their last session)."""
        d = pd.Timestamp(d)
        pos = shown.index.searchsorted(d, side="left")
        return t[min(pos, len(t) - 1)]

    markers = trigger_markers(res.triggers, pd.Timestamp(idea.idea.published), shown.index, t)
    markers += lifecycle_markers(cut, bar_time, idea.instrument)
    last = bars.index[-1]
    for i, n in enumerate(idea.notes):
        d = pd.Timestamp(n.date)
        if d > last or d < bars.index[0]:
            continue
        markers.append({"kind": "note", "id": f"note-{i}", "date": d.date().isoformat(), "time": bar_time(d),
                        "price": None, "label": f"note {d.date().isoformat()}", "text": n.text})
    markers.sort(key=lambda m: (m["time"], m["kind"]))
    doc["markers"] = markers
    return doc



def trigger_markers(events, published, index, times: list[int]) -> list[dict]:
    """A marker per trigger event from a year before publication on, on the shown bar that holds
    its session (columns read at once: a daily trigger on a long history fires hundreds of times)."""
    import numpy as np
    import pandas as pd

    if not len(events):
        return []
    ev = events[events["date"] >= published - pd.Timedelta(days=365)]
    at = np.minimum(index.searchsorted(pd.DatetimeIndex(ev["date"]), side="left"), len(times) - 1).tolist()
    prices = [None if p != p else p for p in ev["price"].astype("float64").tolist()]      # NaN: no price
    return [{"kind": "trigger", "date": day, "time": times[i], "price": price, "label": str(kind),
             "timeframe": str(tf)}
            for day, i, price, kind, tf in zip(ev["date"].dt.strftime("%Y-%m-%d").tolist(), at, prices,
                                               ev["kind"].tolist(), ev["timeframe"].tolist())]


def lifecycle_markers(cut, bar_time, inst=None) -> list[dict]:
    """The chart's fill, exit, stop-move and open-position markers of a lifecycle cut: each exit leg
    at its own session, price and size (never a blended price); an open position at the last close."""
    from thesis.replay.lifecycle import EXIT_KINDS

    out = []
    px = inst.price_text if inst is not None else "{:.2f}".format
    for e in cut.events:
        day = e.session.date().isoformat()
        if e.kind == "filled":
            out.append({"kind": "entry", "date": day, "time": bar_time(e.session), "price": float(e.price),
                        "label": f"{e.variant} entry {px(e.price)}", "variant": e.variant})
        elif e.kind in EXIT_KINDS:             # each leg named by the lifecycle ("target 2", "breakeven stop")
            word = e.label
            out.append({"kind": "exit", "date": day, "time": bar_time(e.session), "price": float(e.price),
                        "variant": e.variant, "size": e.size, "r": e.r, "name": word,
                        "label": f"{e.variant}: {word} {px(e.price)} ({e.size:.0%})"})
        elif e.kind == "stop_moved":
            out.append({"kind": "stop_moved", "date": day, "time": bar_time(e.session), "price": float(e.price),
                        "variant": e.variant, "label": f"{e.variant}: stop to breakeven {px(e.price)}"})
    snap = cut.snapshot
    for v in snap.variants:
        if v.size > 0 and snap.session is not None:
            r = f", open part {v.open_part_r:+.2f} R, position {v.position_r:+.2f} R" if v.open_part_r is not None else ""
            out.append({"kind": "open", "date": snap.session.date().isoformat(), "time": bar_time(snap.session),
                        "price": snap.close, "variant": v.variant, "size": v.size,
                        "label": f"{v.variant}: {v.size:.0%} open at the close {px(snap.close)}{r}"})
    return out


_REPLAYS = Cache(size=256)


def replayed(path: Path, asof=None, source: str | None = None, version=None):
    """One replay per (idea file version, as-of, source, ``version``: what else it depends on, the
    last closed sessions for a latest one). As of a date it is a cut of the idea's one cached
    history (thesis.replay.history), so moving the page's date slider replays nothing."""
    from thesis.replay import replay
    from thesis.spec import load

    return _REPLAYS.get(("replay", file_key(path), None if asof is None else str(asof)[:10], source, version),
                        lambda: replay(load(path), source=source, asof=asof))


# ----------------------------------------------------------------- the idea page
def idea_document(idea_id: str, path: Path, asof=None, timeframe: str = "1d", source: str | None = None,
                  version=None) -> dict:
    """Everything the idea page shows as of ``asof``: the evaluate and replay documents
    (the same the CLI prints), the chart data and the slider's sessions. ``version``: see replayed."""
    import pandas as pd

    from thesis.jsonable import to_jsonable
    from thesis.evaluate import evaluate

    res = replayed(path, asof, source, version)
    idea = res.idea
    rep = res.to_dict()
    ev = evaluate(idea, asof=asof, source=source, replayed=res)
    full_last = _last_session(idea, source)
    published = pd.Timestamp(idea.idea.published)
    chart = chart_document(idea, res, timeframe, source)
    # plain ints and floats already (_times, _round): not walked again (thousands of bars)
    bars, ratios = chart.pop("bars"), chart.pop("ratios")
    doc = to_jsonable({
        "schema": WEB_IDEA_SCHEMA,
        "id": idea_id,
        "file": str(path),
        "title": idea.idea.title,
        "asof": ev["asof"],
        "evaluate": ev,
        "replay": rep,
        "chart": chart,
        "slider": {"first": published.date().isoformat(), "last": full_last,
                   "notes": [n.date.isoformat() for n in idea.notes]},
        "journal": journal_timeline(idea_id, idea, res.lifecycle.at(res.bars.index[-1])),
        "instrument": instrument_words(idea.instrument),
    })
    doc["chart"]["bars"], doc["chart"]["ratios"] = bars, ratios
    return doc


def instrument_words(inst) -> dict:
    """What the idea page needs to print prices and moves in the instrument's words."""
    return {"decimals": inst.decimals, "unit_word": inst.unit_word, "unit_label": inst.unit_label(),
            "unit_size": inst.unit_size,
            # pips or bp beside a price move; a point of size 1 would repeat the price itself
            "counted": inst.unit != "price" and inst.unit_size != 1.0}


def _last_session(idea, source) -> str:
    from thesis.data import load_bars

    return load_bars(idea.symbol, idea.idea.adjustment, source).index[-1].date().isoformat()


def journal_timeline(idea_id: str, idea, cut) -> dict:
    """The idea's timeline up to the cut's session: the lifecycle's events, the file's notes, and
    what only the watch journal knows (notes added by `thesis note`, revisions, stale data), never
    an event journaled for a later session. ``source`` is "journal" when the journal has events of
    this idea up to then, else "replay"."""
    until = cut.session.date().isoformat() if cut.session is not None else ""
    journaled = [e for e in _watch_events(idea_id) if (e["date"] or "") <= until]
    history = {(e["date"], e["kind"]) for e in journaled if e["history"]}
    out = [{"date": e.session.date().isoformat(), "kind": e.kind, "text": e.text, "price": e.price, "r": e.r,
            "variant": e.variant, "history": (e.session.date().isoformat(), e.kind) in history}
           for e in cut.events]
    from thesis.replay.lifecycle import KINDS

    out += [e for e in journaled if e["kind"] not in KINDS]
    seen = {(e["date"], (e.get("text") or "").strip()) for e in out if e["kind"] == "note"}
    out += [{"date": d.isoformat(), "kind": "note", "text": t, "price": None, "r": None, "history": False}
            for d, t in cut.notes if (d.isoformat(), t.strip()) not in seen and not any(
                e["kind"] == "note" and e["date"] == d.isoformat() and t.strip() in (e.get("text") or "")
                for e in out)]
    out.sort(key=lambda e: (e["date"] or "", e["kind"] != "note"))
    return {"source": "journal" if journaled else "replay", "events": out}


def _watch_events(idea_id: str) -> list[dict]:
    """Journal events of one idea (none without a journal); a large journal answers from its index."""
    from thesis.watch.journal import Journal, query
    from thesis.watch.records import EventRecord

    jr = Journal()
    if not jr.path.exists():
        return []
    events = sorted((e for e in query(jr, idea_id)[0] if isinstance(e, EventRecord)), key=lambda e: e.session)
    return [{"date": e.session, "kind": e.kind, "text": e.text, "price": e.price, "r": e.r,
             "history": bool(e.backfill)} for e in events]


# ----------------------------------------------------------------- the board
def ideas_document(folder: IdeaFolder, asof=None, source: str | None = None, cache: Cache | None = None,
                   version=None, progress=None) -> dict:
    """What `thesis ideas DIR --json [--asof]` prints (thesis.watch's board, rendered from each
    idea's lifecycle).

    Each idea file's row is kept in ``cache`` at its file version and ``version(idea id)`` (what else
    the row depends on: the journal's records about the idea, the last closed sessions), one entry
    per file, so an edited idea (a new note) costs one row, not the folder. The rows not yet known are computed in
    one watch pass (its batch path: each symbol's bars read once, its ideas' lifecycles built
    together); ``progress(done, total)`` follows that pass. Only files inside the folder count (a
    symlink out of it is not an idea here)."""
    from thesis.watch.run import board, not_yet_published, watch_pass

    when = None if asof is None else str(asof)[:10]
    cache = cache or Cache()
    version = version or (lambda iid: None)
    files = folder.files()
    slots = {iid: ("ideas-row", path, when, source) for iid, path, _ in files}
    wants = {iid: (key, version(iid)) for iid, _, key in files}
    todo = [(iid, path) for iid, path, _ in files if cache.peek(slots[iid], wants[iid]) is None]
    fresh: dict = {}   # this call's results, whatever the cache has room for
    if len(todo) > 1:
        # One pass over every file not yet known, then kept per file: a later edit recomputes that file alone.
        res = watch_pass([Path(path) for _, path in todo], asof=when, source=source, write=False, deliver=False,
                         progress=progress)
        errors_of = _errors_by_file(res.bad_input + res.failures)
        by_id: dict = {}
        for row in board(res):
            by_id.setdefault(row["id"], []).append(row)
        later = {r["id"]: r for r in not_yet_published(res)}
        for iid, path in todo:
            fresh[iid] = (res.session.date().isoformat(), by_id.get(iid, []), errors_of.get(path, []),
                          [later[iid]] if iid in later else [])
            cache.put(slots[iid], fresh[iid], wants[iid])

    def one(path: str):
        res = watch_pass([Path(path)], asof=when, source=source, write=False, deliver=False)
        return res.session.date().isoformat(), board(res), res.bad_input + res.failures, not_yet_published(res)

    session, rows, errors, unpublished = None, [], [], []
    for iid, path, _ in files:
        s, r, e, u = fresh.get(iid) or cache.current(slots[iid], wants[iid], lambda p=path: one(p))
        session = s
        rows += r
        errors += e
        unpublished += u
    if session is None:
        from thesis.watch.clock import last_closed_session

        session = last_closed_session(when).date().isoformat()
    # an as-of board leaves out ideas published after its session (thesis.watch.run.board)
    from thesis.watch.document import IdeasDocument

    return IdeasDocument.model_validate({"session": session, "ideas": rows, "not_yet_published": unpublished,
                                         "errors": errors}).to_dict()


def _errors_by_file(errors: list[str]) -> dict[str, list[str]]:
    """The pass's errors ("FILE: message", FILE an idea file) by file."""
    out: dict[str, list[str]] = {}
    for e in errors:
        out.setdefault(e.partition(".toml: ")[0] + ".toml", []).append(e)
    return out


def board_view(doc: dict, folder: IdeaFolder, cache: Cache, source: str | None = None) -> list[dict]:
    """The board's rows for the page: the ideas document plus each idea's title and a
    sparkline of the last 60 closes up to the row's session."""
    from thesis.data import load_bars
    from thesis.errors import ThesisError
    from thesis.spec import load

    out = []
    for r in doc["ideas"]:
        extra = {"title": r.get("title") or r["id"], "sparkline": None}
        try:
            if r.get("title") and r.get("adjustment"):      # the watch rows carry what the page needs
                symbol, adjustment = r["symbol"], r["adjustment"]
            else:
                path = folder.path(r["id"])
                spec = cache.get(("spec", file_key(path)), lambda p=path: load(p))
                extra["title"], symbol, adjustment = spec.idea.title, spec.symbol, spec.idea.adjustment
            if r.get("session"):
                key = ("spark", symbol, adjustment, r["session"], source)

                def spark(symbol=symbol, adjustment=adjustment, r=r):
                    bars = load_bars(symbol, adjustment, source, end=r["session"])
                    return _round(bars["close"].iloc[-60:], 4)

                extra["sparkline"] = cache.get(key, spark)
        except (NotFound, OSError, ThesisError):
            pass
        out.append({**r, **extra, "decimals": _decimals(r.get("symbol"))})
    return out


def _decimals(symbol) -> int:
    """Decimals that show ``symbol``'s prices at its tick (GBPUSD 4, BTC 2); 2 when unknown."""
    from thesis.data.instruments import instrument_of
    from thesis.errors import ThesisError

    try:
        return instrument_of(symbol).decimals if symbol else 2
    except ThesisError:
        return 2
