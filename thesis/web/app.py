"""The dashboard: a FastAPI app serving Jinja2 pages and the JSON the CLI prints.

``create_app(ideas_dir, token=None, source=None)`` builds the server's State (``app.state.thesis``,
thesis.web.deps), the security middleware and error pages, and includes one APIRouter per page group
(thesis/web/routes/): board (``/``, ``/api/ideas``), idea (``/ideas/{id}``, ``/api/ideas/{id}`` +
``/chart``, ``/evaluate``, ``/replay``), notes (``POST /ideas/{id}/notes``, the only write: CSRF token
+ same-origin check), study, options, market, scorecard, events (``/api/events``, server-sent events),
plus the Pine script (thesis/web/pine.py) and the inbound webhook (thesis/web/inbound.py).
See docs/web.md.
"""
from __future__ import annotations

import hmac
import threading
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from thesis.jit import use_compiled
from thesis.web.core import NotFound
from thesis.web.deps import BadRequest, State, board_doc, idea_doc, json_response
from thesis.web.templating import HERE, error_page, make_env

use_compiled()   # the dashboard serves many ideas: numba kernels (thesis.jit)

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
TOKEN_COOKIE = "thesis_token"


def create_app(ideas_dir: Path | str | None = None, token: str | None = None, source: str | None = None,
               host: str = "127.0.0.1", prewarm: bool = False) -> FastAPI:
    from thesis.errors import ThesisError
    from thesis.web import inbound, pine
    from thesis.web.core import default_ideas_dir
    from thesis.web.routes import board, events, idea, market, notes, options, scorecard, study

    st = State(Path(ideas_dir) if ideas_dir else default_ideas_dir(), token or None, source, host)
    app = FastAPI(title="thesis dashboard", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.thesis = st
    app.state.templates = make_env()
    app.middleware("http")(guard)
    app.add_exception_handler(NotFound, not_found)
    app.add_exception_handler(BadRequest, bad_request)
    app.add_exception_handler(ThesisError, thesis_error)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    for module in (inbound, pine, board, idea, notes, study, options, market, scorecard, events):
        app.include_router(module.router)
    if prewarm:
        threading.Thread(target=_prewarm, args=(st,), name="thesis-prewarm", daemon=True).start()
    return app


# ------------------------------------------------------------ security
async def guard(request: Request, call_next):
    st: State = request.app.state.thesis
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
    if set_cookie and st.token is not None:
        response.set_cookie(TOKEN_COOKIE, st.token, httponly=True, samesite="strict")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"  # "no-referrer" would send Origin: null
    return response


def _hostname(host: str) -> str:
    """'127.0.0.1:8765' -> '127.0.0.1'; '[::1]:8765' -> '[::1]'."""
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


# ------------------------------------------------------------ errors: JSON under /api/, else a page
async def not_found(request: Request, exc: Exception):
    if request.url.path.startswith("/api/"):
        return json_response({"error": "not found"}, 404)
    return error_page(request, 404, "No such idea in this folder.")


async def bad_request(request: Request, exc: Exception):
    status = exc.status if isinstance(exc, BadRequest) else 400
    if request.url.path.startswith("/api/"):
        return json_response({"error": str(exc)}, status)
    return error_page(request, status, str(exc))


async def thesis_error(request: Request, exc: Exception):
    status = 422 if getattr(exc, "exit_code", 1) == 2 else 500
    if request.url.path.startswith("/api/"):
        return json_response({"error": str(exc)}, status)
    return error_page(request, status, str(exc))


def _prewarm(st: State) -> None:
    """Compute the board and each idea's page (latest, daily) in the background, so the
    first visit does not wait for imports, compiled kernels and the replays."""
    import logging

    try:
        board_doc(st, None)
        for idea_id in st.folder.ids()[:50]:
            idea_doc(st, idea_id, None, "1d")
    except Exception:  # a broken idea shows its error when visited
        logging.getLogger("thesis.web").debug("prewarm stopped", exc_info=True)
