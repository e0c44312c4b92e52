"""What the dashboard's routers share: the server's State (on ``app.state.thesis``, reached with
the ``Server`` dependency), request parsing, the JSON response, and the cached documents several
pages show (the board, an idea's document, the folder's scorecard)."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from thesis.web.core import Cache, IdeaFolder, file_key, idea_document, ideas_document
from thesis.web.versions import Clock, JournalVersions

TIMEFRAMES = ("1d", "1w", "1mo")
#: Seconds a folder signature (a stat of every idea file) is reused: 10,000 files take ~0.2 s.
SIGNATURE_TTL = 1.0
#: Rows of the board per page (``/``, ``/board/rows``, ``/api/ideas``) unless ``limit=`` says.
PAGE_LIMIT = 200
MAX_LIMIT = 10_000


class State:
    """Everything one server keeps: the folder, caches, the market context, study jobs."""

    def __init__(self, ideas_dir: Path, token: str | None, source: str | None, host: str):
        self.folder = IdeaFolder(ideas_dir)
        self.token = token
        self.source = source
        self.host = host
        self.cache = Cache(size=100_000)  # small entries, one row per idea file: 10,000 ideas must fit
        self.docs = Cache(size=48)  # idea pages: a few MB each (every bar), one per as-of date
        self.clock = Clock()               # the last closed sessions (thesis.web.versions)
        self.journal = JournalVersions()   # the watch journal's version of each idea
        self.secret = secrets.token_bytes(32)
        self._market = None
        self._market_lock = threading.Lock()
        self.jobs: dict = {}
        self.jobs_lock = threading.Lock()
        self._signature: tuple[float, tuple, str] | None = None
        self._signature_lock = threading.Lock()

    def signature(self) -> tuple[tuple, str]:
        """The folder signature and its digest, re-read at most every SIGNATURE_TTL seconds (every
        request and every live-update poll shares one stat walk)."""
        from thesis.web.views import folder_signature

        with self._signature_lock:
            now = time.monotonic()
            if self._signature is None or now - self._signature[0] >= SIGNATURE_TTL:
                sig = folder_signature(self.folder)
                self._signature = (now, sig, hashlib.blake2b(repr(sig).encode(), digest_size=16).hexdigest())
            return self._signature[1], self._signature[2]

    def market_context(self):
        with self._market_lock:
            if self._market is None:
                from thesis.market import MarketContext

                self._market = MarketContext(source=self.source)
            return self._market

    def csrf(self, idea_id: str) -> str:
        return hmac.new(self.secret, f"note:{idea_id}".encode(), hashlib.sha256).hexdigest()


def server_state(request: Request) -> State:
    return request.app.state.thesis


#: A route's parameter ``st: Server`` is the app's State.
Server = Annotated[State, Depends(server_state)]


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def parse_asof(value: str | None):
    if value in (None, ""):
        return None
    from thesis.data.dates import parse_date  # the one date parser
    from thesis.errors import BadInput

    try:
        when = parse_date(value, "asof")
    except BadInput as exc:
        raise BadRequest(str(exc)) from None
    return None if when is None else when.date()


def parse_paging(offset: str | None, limit: str | None) -> tuple[int, int]:
    """(offset, limit) of a board page; a clear 400 naming the parameter otherwise."""
    def whole(name: str, value: str | None, default: int, low: int, high: int) -> int:
        if value in (None, ""):
            return default
        try:
            n = int(value)
        except ValueError:
            raise BadRequest(f"{name} must be a whole number, not {value!r}") from None
        if not low <= n <= high:
            raise BadRequest(f"{name} must be between {low:,} and {high:,}, not {n:,}")
        return n
    return whole("offset", offset, 0, 0, 10**9), whole("limit", limit, PAGE_LIMIT, 1, MAX_LIMIT)


def parse_sort(sort: str | None, order: str | None) -> tuple[str | None, bool]:
    """(column or None, descending) of a board sort (``sort=``, ``dir=asc|desc``); a clear 400 otherwise."""
    from thesis.web.ordering import DIRECTIONS, SORT_KEYS

    if order not in (None, "") and order not in DIRECTIONS:
        raise BadRequest(f"dir must be asc or desc, not {order!r}")
    if sort in (None, ""):
        return None, False
    if sort not in SORT_KEYS:
        raise BadRequest(f"sort must be one of {', '.join(SORT_KEYS)}, not {sort!r}")
    return sort, order == "desc"


def page_of(doc: dict, offset: int, limit: int) -> dict:
    """The board document cut to one page of its rows (in the document's order), with the total."""
    rows = doc["ideas"]
    return {**doc, "ideas": rows[offset:offset + limit], "total": len(rows), "offset": offset, "limit": limit}


def parse_tf(value: str | None) -> str:
    value = value or "1d"
    if value not in TIMEFRAMES:
        raise BadRequest(f"tf must be 1d, 1w or 1mo, not {value!r}")
    return value


def json_response(doc, status: int = 200) -> Response:
    from thesis.jsonable import to_jsonable

    return Response(json.dumps(to_jsonable(doc), allow_nan=False), status_code=status, media_type="application/json")


# ------------------------------------------------------------ cached documents
def journal_path() -> Path | None:
    from thesis.web.views import journal_path as path

    return path()


def journal_key() -> tuple:
    """The watch journal's version (an idea page shows its events)."""
    path = journal_path()
    try:
        s = path.stat() if path is not None else None
    except OSError:
        s = None
    return () if s is None else (s.st_mtime_ns, s.st_size)


def latest(st: State, asof) -> int | None:
    """What a document as of ``asof`` depends on besides its files: for a latest one (no as-of), the
    clock's epoch (it moves when a new bar becomes final); None for a fixed as-of date."""
    return st.clock.version() if asof is None else None


def idea_doc(st: State, idea_id: str, asof, tf: str) -> dict:
    path = st.folder.path(idea_id)
    clock = latest(st, asof)
    key = ("idea", file_key(path), journal_key(), str(asof), tf, st.source, clock)
    return st.docs.get(key, lambda: idea_document(idea_id, path, asof=asof, timeframe=tf, source=st.source,
                                                  version=clock))


def idea_text(st: State, idea_id: str, asof, tf: str) -> str:
    """The idea document as JSON text, serialised once per version (it is large: every bar)."""
    path = st.folder.path(idea_id)
    key = ("idea-text", file_key(path), journal_key(), str(asof), tf, st.source, latest(st, asof))
    return st.docs.get(key, lambda: json.dumps(idea_doc(st, idea_id, asof, tf), allow_nan=False,
                                                separators=(",", ":")))


#: A board build longer than this many seconds logs its progress (thesis.web's logger).
PROGRESS_EVERY = 5.0


def board_version(st: State, asof=None) -> tuple:
    """The board document's version: the folder's (every idea file's name, size and mtime, and the
    watch journal's) and, for the latest board, the clock."""
    return st.signature()[1], latest(st, asof)


def board_doc(st: State, asof=None) -> dict:
    """The ideas document (every row), built once per board_version (per as-of date and source). A row
    is kept per idea file version, the journal's version of that idea and the clock, so a new
    version of one idea recomputes one row."""
    return versioned_board(st, asof)[1]


def versioned_board(st: State, asof=None) -> tuple[tuple, dict]:
    """(board_version, the ideas document of that version)."""
    version = board_version(st, asof)
    return version, st.cache.current(("ideas", str(asof), st.source), version, lambda: build_board(st, asof))


def build_board(st: State, asof) -> dict:
    import logging

    log = logging.getLogger("thesis.web")
    started, said = time.time(), [time.monotonic()]
    clock = latest(st, asof)
    generation, counts = st.journal.versions(journal_path())

    def progress(done: int, total: int) -> None:
        if time.monotonic() - said[0] >= PROGRESS_EVERY:
            said[0] = time.monotonic()
            log.info("building the board: %s of %s ideas (%d%%), %.0f s so far", f"{done:,}", f"{total:,}",
                     100 * done // max(total, 1), time.time() - started)

    doc = ideas_document(st.folder, asof=asof, source=st.source, cache=st.cache,
                         version=lambda iid: (generation, counts.get(iid, 0), clock), progress=progress)
    if asof is None:
        st.clock.see((r.get("symbol") for r in doc["ideas"]), started)
    if time.time() - started >= PROGRESS_EVERY:
        log.info("board of %s ideas built in %.1f s", f"{len(doc['ideas']):,}", time.time() - started)
    return doc


def board_rows(st: State, asof=None, sort: str | None = None, descending: bool = False) -> dict:
    """The board document with its rows in the order asked (every row sorted, kept per board version)."""
    version, doc = versioned_board(st, asof)
    if sort is None:
        return doc
    from thesis.web.ordering import ordered

    return st.cache.current(("ideas-order", str(asof), st.source, sort, descending), version,
                            lambda: {**doc, "ideas": ordered(doc["ideas"], sort, descending)})


def scorecard_result(st: State, asof=None):
    """`thesis scorecard FOLDER` over the ideas the board shows (the folder's own files)."""
    key = ("scorecard", st.signature()[1], str(asof), st.source, latest(st, asof))

    def run():
        from thesis.scorecard import scorecard

        return scorecard(st.folder.root, asof=asof, source=st.source, recursive=False)
    return st.cache.get(key, run)


def options_view_of(st: State, idea_id: str) -> dict:
    from thesis.web.views import options_view

    path = st.folder.path(idea_id)
    return st.cache.get(("options", file_key(path), st.source), lambda: options_view(path, st.source))
