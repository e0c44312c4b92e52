"""What the dashboard shows, computed by the same functions the CLI calls.

Idea ids map only to ``*.toml`` files directly inside the ideas folder: an id is a
file stem made of letters, digits, ``.``, ``_`` and ``-`` (no ``..``), and the file's
real path (symlinks resolved) must still be inside the folder. Anything else is
"not found" (404), never an error that tells what exists outside.
"""
from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

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
        if not self.root.is_dir():
            return []
        out = []
        for p in sorted(self.root.glob("*.toml")):
            if ID_RE.match(p.stem) and ".." not in p.stem and self._inside(p):
                out.append(p.stem)
        return out

    def path(self, idea_id: str) -> Path:
        if not isinstance(idea_id, str) or not ID_RE.match(idea_id) or ".." in idea_id:
            raise NotFound(idea_id)
        p = self.root / f"{idea_id}.toml"
        if not self._inside(p):
            raise NotFound(idea_id)
        return p


class Cache:
    """A small thread-safe memo: key -> (value, time). Keys include the idea file's
    mtime and size, so an edited idea (a new note) is recomputed; entries also
    expire after ``ttl`` seconds so new bars show up."""

    def __init__(self, ttl: float = 300.0, size: int = 2048):
        self.ttl, self.size = ttl, size
        self._d: dict = {}
        self._lock = threading.Lock()

    def get(self, key, make):
        now = time.monotonic()
        with self._lock:
            hit = self._d.get(key)
            if hit is not None and now - hit[1] < self.ttl:
                return hit[0]
        value = make()
        self.put(key, value)
        return value

    def peek(self, key):
        """The live value for ``key``, or None."""
        with self._lock:
            hit = self._d.get(key)
        return hit[0] if hit is not None and time.monotonic() - hit[1] < self.ttl else None

    def put(self, key, value) -> None:
        with self._lock:
            if len(self._d) >= self.size:  # drop the oldest quarter
                for k in sorted(self._d, key=lambda k: self._d[k][1])[: self.size // 4]:
                    del self._d[k]
            self._d[key] = (value, time.monotonic())

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


def _round(values, digits: int = 4) -> list:
    return [None if v is None or not math.isfinite(v) else round(float(v), digits) for v in values]


# ----------------------------------------------------------------- chart data
REASON_WORD = {"stop": "stop", "target": "target", "time": "time stop", "open": "still open"}


def chart_document(idea, res, timeframe: str = "1d", source: str | None = None) -> dict:
    """Candles, volume, ratio lines, the levels and every marker of one idea, ready for
    lightweight-charts (times in seconds, prices as numbers)."""
    import pandas as pd

    from thesis.data import load_bars, resample
    from thesis.errors import ThesisError

    bars = res.bars
    shown = resample(bars, timeframe) if timeframe != "1d" else bars
    t = [_ts(d) for d in shown.index]
    doc = {
        "timeframe": timeframe,
        "symbol": idea.symbol,
        # the price axis at the instrument's precision: EURUSD 1.3200 (pips), USDJPY 151.20, BTC 67584.80
        "precision": idea.instrument.decimals, "tick": idea.instrument.tick_size,
        "bars": {"t": t, "o": _round(shown["open"]), "h": _round(shown["high"]), "l": _round(shown["low"]),
                 "c": _round(shown["close"]), "v": _round(shown["volume"], 0)},
        "zone": list(idea.levels.entry_zone),
        "stop": idea.levels.stop,
        "targets": list(idea.levels.targets),
        "entry": idea.entry_price,
        "direction": idea.direction,
        "published": _ts(idea.idea.published),
    }
    ratios = {}
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
        ratios[sym] = {"t": [x for x, k in zip(t, keep) if k], "v": _round(r[keep], 6)}
    doc["ratios"] = ratios

    def bar_time(d) -> int:
        """The shown bar that holds session ``d`` (weekly/monthly bars are labelled by their last session)."""
        d = pd.Timestamp(d)
        pos = shown.index.searchsorted(d, side="left")
        return t[min(pos, len(t) - 1)]

    markers = []
    published = pd.Timestamp(idea.idea.published)
    for r in res.triggers.itertuples():
        d = pd.Timestamp(r.date)
        if d < published - pd.Timedelta(days=365):
            continue
        markers.append({"kind": "trigger", "date": d.date().isoformat(), "time": bar_time(d),
                        "price": None if pd.isna(r.price) else float(r.price), "label": str(r.kind),
                        "timeframe": str(r.timeframe)})
    for variant, tr in res.trades:
        if not tr.filled:
            continue
        markers.append({"kind": "entry", "date": tr.entry_date.date().isoformat(), "time": bar_time(tr.entry_date),
                        "price": float(tr.entry_price), "label": f"{variant} entry {tr.entry_price:.2f}",
                        "variant": variant})
        if tr.exit_date is not None and tr.reason != "open":
            markers.append({"kind": "exit", "date": tr.exit_date.date().isoformat(), "time": bar_time(tr.exit_date),
                            "price": float(tr.exit_price), "variant": variant,
                            "label": f"{variant}: {REASON_WORD.get(tr.reason, tr.reason)} {tr.exit_price:.2f}"})
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


# ----------------------------------------------------------------- the idea page
def idea_document(idea_id: str, path: Path, asof=None, timeframe: str = "1d", source: str | None = None) -> dict:
    """Everything the idea page shows as of ``asof``: the evaluate and replay documents
    (the same the CLI prints), the chart data and the slider's sessions."""
    import pandas as pd

    from thesis.cli._common import to_jsonable
    from thesis.evaluate import evaluate
    from thesis.replay import replay
    from thesis.spec import load

    idea = load(path)
    res = replay(idea, source=source, asof=asof)
    rep = res.to_dict()
    ev = evaluate(idea, asof=asof, source=source)
    full_last = _last_session(idea, source)
    published = pd.Timestamp(idea.idea.published)
    return to_jsonable({
        "schema": WEB_IDEA_SCHEMA,
        "id": idea_id,
        "file": str(path),
        "title": idea.idea.title,
        "asof": ev["asof"],
        "evaluate": ev,
        "replay": rep,
        "chart": chart_document(idea, res, timeframe, source),
        "slider": {"first": published.date().isoformat(), "last": full_last,
                   "notes": [n.date.isoformat() for n in idea.notes]},
        "journal": journal_timeline(idea_id, idea, rep),
    })


def _last_session(idea, source) -> str:
    from thesis.data import load_bars

    return load_bars(idea.symbol, idea.idea.adjustment, source).index[-1].date().isoformat()


def journal_timeline(idea_id: str, idea, replay_doc: dict) -> dict:
    """The idea's timeline: from the watch journal when thesis.watch provides one,
    else derived from the replay (triggers, fills, exits) and the idea's notes."""
    events = _watch_events(idea_id)
    if events is not None:
        # The journal's events, and the file's notes that `thesis note` did not journal.
        seen = {(e["date"], (e.get("text") or "").strip()) for e in events if e["kind"] == "note"}
        notes = [{"date": n.date.isoformat(), "kind": "note", "text": n.text, "price": None, "r": None,
                  "history": False} for n in idea.notes
                 if (n.date.isoformat(), n.text.strip()) not in seen and not any(
                     e["kind"] == "note" and e["date"] == n.date.isoformat() and n.text.strip() in (e.get("text") or "")
                     for e in events)]
        merged = sorted(events + notes, key=lambda e: (e["date"] or "", e["kind"] != "note"))
        return {"source": "journal", "events": merged}
    out = []
    last = replay_doc["data"]["last"]
    for n in idea.notes:  # the note's own words (replay's note rows carry the state sentence)
        if n.date.isoformat() <= last:
            out.append({"date": n.date.isoformat(), "kind": "note", "text": n.text})
    for tr in replay_doc["triggers"]:
        if tr["after_published"]:
            out.append({"date": tr["date"], "kind": "trigger", "text": f"{tr['kind']} ({tr['timeframe']})"})
    for t in replay_doc["trades"]:
        if t["filled"]:
            out.append({"date": t["entry"]["date"], "kind": "filled",
                        "text": f"{t['variant']}: entry at {t['entry']['price']:.2f}"})
            if t["exit"]["reason"] and t["exit"]["reason"] != "open":
                out.append({"date": t["exit"]["date"], "kind": t["exit"]["reason"],
                            "text": f"{t['variant']}: exit by {t['exit']['reason']} at {t['exit']['price']:.2f} "
                                    f"({t['pnl']['r']:+.2f} R)" if t["pnl"]["r"] is not None else
                                    f"{t['variant']}: exit by {t['exit']['reason']}"})
    out.sort(key=lambda e: (e["date"] or "", e["kind"]))
    return {"source": "replay", "events": out}


def _watch_events(idea_id: str):
    """Journal events of one idea from thesis.watch, if that module offers them."""
    try:
        from thesis.watch.journal import Journal
    except ImportError:
        return None
    jr = Journal()
    if not jr.path.exists():
        return None
    events = [e for e in jr.events() if e.get("idea") == idea_id]
    if not events:
        return None
    return [{"date": e.get("session"), "kind": e.get("kind"), "text": e.get("text"), "price": e.get("price"),
             "r": e.get("r"), "history": bool(e.get("backfill"))} for e in sorted(events, key=lambda e: e.get("session") or "")]


# ----------------------------------------------------------------- the board
def board_row(idea_id: str, path: Path, asof=None, source: str | None = None) -> dict:
    """One row of the board in the shape of `thesis ideas --json`, derived from the replay
    (used only when thesis.watch is not available)."""
    import pandas as pd

    from thesis.errors import ThesisError
    from thesis.replay import replay
    from thesis.replay.run import state_on
    from thesis.spec import load

    row = {"id": idea_id, "file": str(path), "source": "replay"}
    try:
        idea = load(path)
        res = replay(idea, source=source, asof=asof, with_confirmations=False, with_options=False)
    except ThesisError as exc:
        return {**row, "state": "error", "reason": None, "error": str(exc), "last_event": None}
    bars = res.bars
    session = bars.index[-1]
    close = float(bars["close"].iloc[-1])
    tr = res.primary
    st = state_on(tr, bars, session)
    lv = idea.levels
    entry = tr.entry_price if tr.filled and session >= tr.entry_date else idea.entry_price
    risk = abs(entry - lv.stop)

    def dist(level):
        if level is None:
            return None
        return {"level": level, "pct": round((level - close) / close * 100, 2),
                "r": round(abs(level - close) / risk, 2) if risk else None}

    filled = st["state"] != "waiting"
    hit = sum(1 for leg in tr.legs if leg.kind == "target" and leg.date <= session) if filled else 0
    left = list(lv.targets)[hit:]
    lo, hi = lv.entry_zone
    state = st["state"]
    if state == "waiting" and lo <= close <= hi:
        state = "in zone"
    reason = tr.reason if state == "closed" else None
    last_date = tr.last_date if filled else (idea.horizon_end(tr.start_date) if tr.start_date is not None else None)
    days = None
    if state != "closed" and last_date is not None and not pd.isna(last_date):
        days = int((pd.Timestamp(last_date) - session).days)
    events = [(n.date.isoformat(), "note", n.text, None) for n in idea.notes if pd.Timestamp(n.date) <= session]
    pub = pd.Timestamp(idea.idea.published)
    for r in res.triggers.itertuples():
        if pub <= pd.Timestamp(r.date) <= session:
            events.append((pd.Timestamp(r.date).date().isoformat(), "trigger", str(r.kind), None))
    if filled:
        events.append((tr.entry_date.date().isoformat(), "filled", f"entry at {tr.entry_price:.2f}", tr.entry_price))
        if state == "closed":
            events.append((tr.exit_date.date().isoformat(), tr.reason, f"exit at {tr.exit_price:.2f}", tr.exit_price))
    last = max(events, key=lambda e: e[0]) if events else None
    return {**row, "symbol": idea.symbol, "direction": idea.direction, "state": state, "reason": reason,
            "session": session.date().isoformat(), "price": close,
            "zone": None if filled else dist(lo if close < lo else hi if close > hi else close),
            "stop": dist(lv.stop), "next_target": dist(left[0]) if left else None,
            "open_r": st.get("open_r"), "days_left": days, "revision": 0,
            "last_event": None if last is None else {"id": None, "kind": last[1], "session": last[0],
                                                     "price": last[3], "text": last[2]},
            "error": None}


def ideas_document(folder: IdeaFolder, asof=None, source: str | None = None, cache: Cache | None = None,
                   journal_sig=None) -> dict:
    """What `thesis ideas DIR --json [--asof]` prints (thesis.watch), or the same shape
    derived from the replay when thesis.watch is not there.

    Each idea file is evaluated on its own and kept in ``cache`` per file version (and
    journal version), so an edited idea (a new note) costs one idea, not the folder.
    Only files inside the folder count (a symlink out of it is not an idea here)."""
    when = None if asof is None else str(asof)[:10]
    try:
        from thesis.watch.run import board, watch_pass
    except ImportError:
        board = watch_pass = None
    cache = cache or Cache()
    if watch_pass is not None:
        def key(path):
            return ("ideas-row", file_key(path), journal_sig, when, source)

        paths = [folder.path(i) for i in folder.ids()]
        todo = [p for p in paths if cache.peek(key(p)) is None]
        if len(todo) > 1:
            # One pass over every file not yet known (the pass reads each symbol's bars once),
            # then kept per file: a later edit recomputes that file alone.
            res = watch_pass(todo, asof=when, source=source, write=False, deliver=False)
            errors = res.bad_input + res.failures
            by_id = {}
            for row in board(res):
                by_id.setdefault(row["id"], []).append(row)
            for p in todo:
                mine = [e for e in errors if p.name in e]
                cache.put(key(p), (res.session.date().isoformat(), by_id.get(p.stem, []), mine))

        def one(path):
            res = watch_pass([path], asof=when, source=source, write=False, deliver=False)
            return res.session.date().isoformat(), board(res), res.bad_input + res.failures

        session, rows, errors = None, [], []
        for path in paths:
            s, r, e = cache.get(key(path), lambda p=path: one(p))
            session = s
            rows += r
            errors += e
        if session is None:
            from thesis.watch.clock import last_closed_session

            session = last_closed_session(when).date().isoformat()
        return {"schema": "thesis.ideas/1", "session": session, "ideas": rows, "errors": errors}
    rows = [cache.get(("board-row", file_key(folder.path(i)), when, source),
                      lambda i=i: board_row(i, folder.path(i), when, source)) for i in folder.ids()]
    sessions = [r["session"] for r in rows if r.get("session")]
    return {"schema": "thesis.ideas/1", "session": max(sessions) if sessions else None, "ideas": rows,
            "errors": [r["error"] for r in rows if r.get("error")]}


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
        out.append({**r, **extra})
    return out


def watch_available() -> bool:
    try:
        from thesis.watch.run import board, watch_pass  # noqa: F401
    except ImportError:
        return False
    return True
