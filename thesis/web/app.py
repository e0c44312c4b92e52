"""The dashboard: a FastAPI app serving Jinja2 pages and the JSON the CLI prints.

``create_app(ideas_dir, token=None, source=None)``. Pages: ``/`` (board),
``/ideas/{id}``, ``/ideas/{id}/study``, ``/ideas/{id}/options``, ``/market``.
JSON: ``/api/ideas``, ``/api/ideas/{id}`` (+ ``/evaluate``, ``/replay``, ``/chart``,
``/study``, ``/options``), ``/api/market``, ``/api/events`` (server-sent events).
The only write is ``POST /ideas/{id}/notes`` (CSRF token + same-origin check).
See docs/web.md.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from thesis.web.core import Cache, IdeaFolder, NotFound, board_view, file_key, idea_document, ideas_document
from thesis.jit import use_compiled

use_compiled()   # the dashboard serves many ideas: numba kernels (thesis.jit)

HERE = Path(__file__).resolve().parent
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TIMEFRAMES = ("1d", "1w", "1mo")
TOKEN_COOKIE = "thesis_token"


def _json(doc, status: int = 200) -> Response:
    from thesis.jsonable import to_jsonable

    return Response(json.dumps(to_jsonable(doc), allow_nan=False), status_code=status, media_type="application/json")


def script_json(doc) -> str:
    """JSON safe inside <script type="application/json">: no '<', '>' or '&' survive."""
    from thesis.jsonable import to_jsonable

    return script_text(json.dumps(to_jsonable(doc), allow_nan=False, separators=(",", ":")))


def script_text(text: str):
    """JSON text made safe inside <script type="application/json">."""
    from markupsafe import Markup

    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _hostname(host: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:8765' -> '[::1]'."""
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _fmt(value, fmt: str) -> str:
    """A number in a template; '-' for missing values (None, undefined, NaN)."""
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
        return "-"
    return fmt.format(value)


def _price(value, decimals: int = 2, sign: bool = False) -> str:
    """A price (or a price move, ``sign``) at the instrument's decimals: 1.2700 for GBPUSD."""
    return _fmt(value, "{:" + ("+" if sign else "") + ",." + str(int(decimals)) + "f}")


def _heat(value, scale) -> str:
    from thesis.web.views import heat_color

    scale = abs(float(scale or 1.0)) * 3 or 1.0
    return heat_color(value if isinstance(value, (int, float)) else None, -scale, scale)


def spark_points(values, width: int = 120, height: int = 28) -> str:
    vals = [v for v in values or [] if v is not None]
    if len(vals) < 2:
        return ""
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0
    step = (width - 2) / (len(vals) - 1)
    return " ".join(f"{1 + i * step:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}" for i, v in enumerate(vals))


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _asof(value: str | None):
    if value in (None, ""):
        return None
    from thesis.data.dates import parse_date  # the one date parser
    from thesis.errors import BadInput

    try:
        return parse_date(value, "asof").date()
    except BadInput as exc:
        raise BadRequest(str(exc)) from None


def _tf(value: str | None) -> str:
    value = value or "1d"
    if value not in TIMEFRAMES:
        raise BadRequest(f"tf must be 1d, 1w or 1mo, not {value!r}")
    return value


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


def create_app(ideas_dir: Path | str | None = None, token: str | None = None, source: str | None = None,
               host: str = "127.0.0.1", prewarm: bool = False) -> FastAPI:
    from thesis.web.core import default_ideas_dir

    st = State(Path(ideas_dir) if ideas_dir else default_ideas_dir(), token or None, source, host)
    app = FastAPI(title="thesis dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.thesis = st
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["script_json"] = script_json
    env.filters["num"] = lambda v, fmt="{:.2f}": _fmt(v, fmt)
    env.filters["signed"] = lambda v, fmt="{:+.2f}": _fmt(v, fmt)
    env.filters["spark_points"] = spark_points
    env.filters["heat"] = lambda v, scale: _heat(v, scale)
    env.filters["pct"] = lambda v, fmt="{:.1%}": _fmt(v, fmt)
    env.filters["price"] = _price

    def page(name: str, request: Request, **ctx) -> HTMLResponse:
        ctx.setdefault("folder", str(st.folder.root))
        return HTMLResponse(env.get_template(name).render(request=request, **ctx))

    # ------------------------------------------------------------ security
    @app.middleware("http")
    async def guard(request: Request, call_next):
        host = _hostname(request.headers.get("host") or "")
        if st.token is None and host not in LOOPBACK and host != st.host:
            # A loopback server answers loopback names only (no DNS rebinding).
            return PlainTextResponse("forbidden host", status_code=403)
        set_cookie = False
        if st.token is not None:
            given = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
                or request.cookies.get(TOKEN_COOKIE, "") or request.query_params.get("token", "")
            if not hmac.compare_digest(given.encode(), st.token.encode()):
                return PlainTextResponse("a token is required (?token=... once, or Authorization: Bearer)",
                                         status_code=401)
            set_cookie = request.query_params.get("token") is not None
        try:
            response = await call_next(request)
        except Exception:  # never a traceback to the browser; the server's log has it
            import logging

            logging.getLogger("thesis.web").exception("%s %s failed", request.method, request.url.path)
            return PlainTextResponse("internal error", status_code=500)
        if set_cookie:
            response.set_cookie(TOKEN_COOKIE, st.token, httponly=True, samesite="strict")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" would send Origin: null
        return response

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound):
        if request.url.path.startswith("/api/"):
            return _json({"error": "not found"}, 404)
        return HTMLResponse(env.get_template("error.html").render(request=request, status=404,
                                                                     message="No such idea in this folder."),
                            status_code=404)

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest):
        if request.url.path.startswith("/api/"):
            return _json({"error": str(exc)}, exc.status)
        return HTMLResponse(env.get_template("error.html").render(request=request, status=exc.status,
                                                                     message=str(exc)), status_code=exc.status)

    from thesis.errors import ThesisError

    @app.exception_handler(ThesisError)
    async def thesis_error(request: Request, exc: ThesisError):
        status = 422 if getattr(exc, "exit_code", 1) == 2 else 500
        if request.url.path.startswith("/api/"):
            return _json({"error": str(exc)}, status)
        return HTMLResponse(env.get_template("error.html").render(request=request, status=status, message=str(exc)),
                            status_code=status)

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    from thesis.web import inbound, pine; app.include_router(inbound.router); app.include_router(pine.router)  # noqa: E702

    # ------------------------------------------------------------ documents
    def journal_key() -> tuple:
        """The watch journal's version (an idea page shows its events)."""
        from thesis.web.views import _journal_path

        path = _journal_path()
        try:
            s = path.stat() if path is not None else None
        except OSError:
            s = None
        return () if s is None else (s.st_mtime_ns, s.st_size)

    def idea_doc(idea_id: str, asof, tf: str) -> dict:
        path = st.folder.path(idea_id)
        key = ("idea", file_key(path), journal_key(), str(asof), tf, st.source)
        return st.docs.get(key, lambda: idea_document(idea_id, path, asof=asof, timeframe=tf, source=st.source))

    def idea_text(idea_id: str, asof, tf: str) -> str:
        """The idea document as JSON text, serialised once per version (it is large: every bar)."""
        path = st.folder.path(idea_id)
        key = ("idea-text", file_key(path), journal_key(), str(asof), tf, st.source)
        return st.docs.get(key, lambda: json.dumps(idea_doc(idea_id, asof, tf), allow_nan=False,
                                                    separators=(",", ":")))

    def board(asof=None) -> dict:
        from thesis.web.views import folder_signature

        sig = folder_signature(st.folder)
        key = ("ideas", sig, str(asof), st.source)
        return st.cache.get(key, lambda: ideas_document(st.folder, asof=asof, source=st.source, cache=st.cache,
                                                        journal_sig=tuple(x for x in sig if x[0] == "journal")))

    def board_page_ctx(asof) -> dict:
        doc = board(asof)
        return {"doc": doc, "rows": board_view(doc, st.folder, st.cache, st.source), "asof": asof and asof.isoformat()}

    # ------------------------------------------------------------ pages
    @app.get("/", response_class=HTMLResponse)
    def board_page(request: Request, asof: str | None = None):
        return page("board.html", request, title="Ideas", **board_page_ctx(_asof(asof)))

    @app.get("/board/rows", response_class=HTMLResponse)
    def board_rows(request: Request, asof: str | None = None):
        return page("board_rows.html", request, **board_page_ctx(_asof(asof)))

    @app.get("/ideas/{idea_id}", response_class=HTMLResponse)
    def idea_page(request: Request, idea_id: str, asof: str | None = None, tf: str | None = None):
        doc = idea_doc(idea_id, _asof(asof), _tf(tf))
        return page("idea.html", request, doc=doc, doc_json=script_text(idea_text(idea_id, _asof(asof), _tf(tf))),
                    title=doc["title"], csrf=st.csrf(idea_id), tf=_tf(tf))

    @app.get("/ideas/{idea_id}/panel", response_class=HTMLResponse)
    def idea_panel(request: Request, idea_id: str, asof: str | None = None, tf: str | None = None):
        doc = idea_doc(idea_id, _asof(asof), _tf(tf))
        return page("idea_panel.html", request, doc=doc)

    @app.post("/ideas/{idea_id}/notes")
    async def add_note(request: Request, idea_id: str):
        path = st.folder.path(idea_id)
        _same_origin(request)
        body = (await request.body())[:20_000].decode("utf-8", errors="replace")
        form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
        if not hmac.compare_digest(form.get("csrf", "").encode(), st.csrf(idea_id).encode()):
            raise BadRequest("the form's token is missing or wrong: reload the page and try again", 403)
        from starlette.concurrency import run_in_threadpool

        from thesis.web.notes import add_note as write

        # in a thread: waiting for another writer of the file must not stall the other requests
        await run_in_threadpool(write, path, form.get("date", ""), form.get("text", ""))  # new file version: new cache keys
        return RedirectResponse(f"/ideas/{idea_id}#notes", status_code=303)

    def _same_origin(request: Request) -> None:
        origin = request.headers.get("origin") or request.headers.get("referer")
        if not origin:
            return  # no header to check (a non-browser client): the CSRF token still decides
        host = request.headers.get("host", "")
        if urlsplit(origin).netloc != host:
            raise BadRequest("cross-site request refused", 403)

    @app.get("/ideas/{idea_id}/study", response_class=HTMLResponse)
    def study_page(request: Request, idea_id: str, grid: str | None = None):
        path = st.folder.path(idea_id)
        from thesis.spec import load

        idea = load(path)
        return page("study.html", request, idea_id=idea_id, idea=idea, grid=grid or "", title=f"Study: {idea.idea.title}")

    @app.get("/ideas/{idea_id}/study/result", response_class=HTMLResponse)
    def study_result(request: Request, idea_id: str, grid: str | None = None):
        from thesis.spec import load
        from thesis.web.views import study_job, study_view

        path = st.folder.path(idea_id)
        job = study_job(st, idea_id, path, grid)
        job.done.wait()
        if job.error:
            raise BadRequest(job.error, 422)
        return page("study_result.html", request, doc=job.doc, view=study_view(job.doc), idea=load(path),
                    idea_id=idea_id)

    @app.get("/ideas/{idea_id}/options", response_class=HTMLResponse)
    def options_page(request: Request, idea_id: str):
        from thesis.web.views import options_view

        path = st.folder.path(idea_id)
        view = st.cache.get(("options", file_key(path), st.source), lambda: options_view(path, st.source))
        return page("options.html", request, idea_id=idea_id, v=view, title=f"Options: {view['title']}")

    @app.get("/market", response_class=HTMLResponse)
    def market_page(request: Request, asof: str | None = None):
        from thesis.web.views import market_view

        when = _asof(asof)
        view = market_view(st.market_context(), when)
        return page("market.html", request, v=view, title="Market")

    def card(asof=None):
        """`thesis scorecard FOLDER` over the ideas the board shows (the folder's own files)."""
        from thesis.web.views import folder_signature

        key = ("scorecard", folder_signature(st.folder), str(asof), st.source)

        def run():
            from thesis.scorecard import scorecard

            return scorecard(st.folder.root, asof=asof, source=st.source, recursive=False)
        return st.cache.get(key, run)

    @app.get("/scorecard", response_class=HTMLResponse)
    def scorecard_page(request: Request, asof: str | None = None):
        from thesis.web.views import scorecard_view

        result = card(_asof(asof))
        return page("scorecard.html", request, v=scorecard_view(result, set(st.folder.ids())), title="Scorecard")

    # ------------------------------------------------------------ JSON
    @app.get("/api/scorecard")
    def api_scorecard(asof: str | None = None):
        """The document `thesis scorecard FOLDER --json [--asof]` prints (the folder's own idea files)."""
        return _json(card(_asof(asof)).to_dict())

    @app.get("/api/ideas")
    def api_board(asof: str | None = None):
        """The document `thesis ideas DIR --json [--asof]` prints."""
        return _json(board(_asof(asof)))

    @app.get("/api/ideas/{idea_id}")
    def api_idea(idea_id: str, asof: str | None = None, tf: str | None = None):
        return Response(idea_text(idea_id, _asof(asof), _tf(tf)), media_type="application/json")

    @app.get("/api/ideas/{idea_id}/chart")
    def api_chart(idea_id: str, asof: str | None = None, tf: str | None = None):
        return _json(idea_doc(idea_id, _asof(asof), _tf(tf))["chart"])

    @app.get("/api/ideas/{idea_id}/evaluate")
    def api_evaluate(idea_id: str, asof: str | None = None):
        """The document `thesis evaluate IDEA --json [--asof]` prints."""
        path = st.folder.path(idea_id)
        from thesis.evaluate import evaluate

        when = _asof(asof)
        return _json(st.cache.get(("evaluate", file_key(path), str(when), st.source),
                                  lambda: evaluate(path, asof=when, source=st.source)))

    @app.get("/api/ideas/{idea_id}/replay")
    def api_replay(idea_id: str):
        """The document `thesis replay IDEA --json` prints."""
        path = st.folder.path(idea_id)
        from thesis.replay import replay

        return _json(st.cache.get(("replay", file_key(path), st.source),
                                  lambda: replay(path, source=st.source).to_dict()))

    @app.get("/api/ideas/{idea_id}/options")
    def api_options(idea_id: str):
        """The document `thesis options plan IDEA --json` prints."""
        from thesis.web.views import options_view

        path = st.folder.path(idea_id)
        view = st.cache.get(("options", file_key(path), st.source), lambda: options_view(path, st.source))
        return _json(view["plan"])

    @app.get("/api/ideas/{idea_id}/study")
    def api_study(idea_id: str, grid: str | None = None, wait: int = 1):
        """The document `thesis study IDEA --json [--grid ...]` prints; with wait=0 a running
        study answers 202 with its progress."""
        from thesis.web.views import study_job

        path = st.folder.path(idea_id)
        job = study_job(st, idea_id, path, grid)
        if not wait:
            if job.error:
                return _json({"error": job.error}, 422)
            if not job.done.is_set():
                return _json({"state": "running", "progress": job.progress}, 202)
        job.done.wait()
        if job.error:
            return _json({"error": job.error}, 422)
        return _json(job.doc)

    @app.get("/api/market")
    def api_market(asof: str | None = None):
        """The document `thesis market --json [--asof]` prints."""
        from thesis.web.views import market_doc

        return _json(market_doc(st.market_context(), _asof(asof)))

    @app.get("/api/market/series")
    def api_market_series(asof: str | None = None):
        from thesis.web.views import market_series

        return _json(market_series(st.market_context(), _asof(asof)))

    @app.get("/api/events")
    async def events(request: Request):
        """Server-sent events: 'change' whenever an idea file (or the watch journal) changes."""
        from thesis.web.views import folder_signature

        async def stream():
            last = folder_signature(st.folder)
            yield "retry: 2000\n\n"
            beat = time.monotonic()
            while True:
                if await request.is_disconnected():
                    return
                await asyncio.sleep(1.0)
                now = folder_signature(st.folder)
                if now != last:
                    last = now
                    yield f"event: change\ndata: {json.dumps({'at': time.time()})}\n\n"
                elif time.monotonic() - beat > 15:
                    beat = time.monotonic()
                    yield ": keep-alive\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    if prewarm:
        threading.Thread(target=_prewarm, args=(st, board, idea_doc), name="thesis-prewarm", daemon=True).start()
    return app


def _prewarm(st: State, board, idea_doc) -> None:
    """Compute the board and each idea's page (latest, daily) in the background, so the
    first visit does not wait for imports, compiled kernels and the replays."""
    import logging

    try:
        board(None)
        for idea_id in st.folder.ids()[:50]:
            idea_doc(idea_id, None, "1d")
    except Exception:  # a broken idea shows its error when visited
        logging.getLogger("thesis.web").debug("prewarm stopped", exc_info=True)
