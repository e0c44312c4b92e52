"""What the dashboard's routers share: the server's State (on ``app.state.thesis``, reached with
the ``Server`` dependency), request parsing, the JSON response, and the cached documents several
pages show (the board, an idea's document, the folder's scorecard)."""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from thesis.web.core import Cache, IdeaFolder, file_key, idea_document, ideas_document

TIMEFRAMES = ("1d", "1w", "1mo")


class State:
    """Everything one server keeps: the folder, caches, the market context, study jobs."""

    def __init__(self, ideas_dir: Path, token: str | None, source: str | None, host: str):
        self.folder = IdeaFolder(ideas_dir)
        self.token = token
        self.source = source
        self.host = host
        self.cache = Cache()
        self.docs = Cache(size=48)  # idea pages: a few MB each (every bar), one per as-of date
        self.secret = secrets.token_bytes(32)
        self._market = None
        self._market_lock = threading.Lock()
        self.jobs: dict = {}
        self.jobs_lock = threading.Lock()

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


def parse_tf(value: str | None) -> str:
    value = value or "1d"
    if value not in TIMEFRAMES:
        raise BadRequest(f"tf must be 1d, 1w or 1mo, not {value!r}")
    return value


def json_response(doc, status: int = 200) -> Response:
    from thesis.jsonable import to_jsonable

    return Response(json.dumps(to_jsonable(doc), allow_nan=False), status_code=status, media_type="application/json")


# ------------------------------------------------------------ cached documents
def journal_key() -> tuple:
    """The watch journal's version (an idea page shows its events)."""
    from thesis.web.views import journal_path

    path = journal_path()
    try:
        s = path.stat() if path is not None else None
    except OSError:
        s = None
    return () if s is None else (s.st_mtime_ns, s.st_size)


def idea_doc(st: State, idea_id: str, asof, tf: str) -> dict:
    path = st.folder.path(idea_id)
    key = ("idea", file_key(path), journal_key(), str(asof), tf, st.source)
    return st.docs.get(key, lambda: idea_document(idea_id, path, asof=asof, timeframe=tf, source=st.source))


def idea_text(st: State, idea_id: str, asof, tf: str) -> str:
    """The idea document as JSON text, serialised once per version (it is large: every bar)."""
    path = st.folder.path(idea_id)
    key = ("idea-text", file_key(path), journal_key(), str(asof), tf, st.source)
    return st.docs.get(key, lambda: json.dumps(idea_doc(st, idea_id, asof, tf), allow_nan=False,
                                                separators=(",", ":")))


def board_doc(st: State, asof=None) -> dict:
    from thesis.web.views import folder_signature

    sig = folder_signature(st.folder)
    key = ("ideas", sig, str(asof), st.source)
    return st.cache.get(key, lambda: ideas_document(st.folder, asof=asof, source=st.source, cache=st.cache,
                                                    journal_sig=tuple(x for x in sig if x[0] == "journal")))


def scorecard_result(st: State, asof=None):
    """`thesis scorecard FOLDER` over the ideas the board shows (the folder's own files)."""
    from thesis.web.views import folder_signature

    key = ("scorecard", folder_signature(st.folder), str(asof), st.source)

    def run():
        from thesis.scorecard import scorecard

        return scorecard(st.folder.root, asof=asof, source=st.source, recursive=False)
    return st.cache.get(key, run)


def options_view_of(st: State, idea_id: str) -> dict:
    from thesis.web.views import options_view

    path = st.folder.path(idea_id)
    return st.cache.get(("options", file_key(path), st.source), lambda: options_view(path, st.source))
