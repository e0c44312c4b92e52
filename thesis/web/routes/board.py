"""The board: ``/`` (the page), ``/board/rows`` (its rows, refreshed live) and ``/api/ideas``."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from thesis.web.core import board_view
from thesis.web.deps import Server, State, board_doc, json_response, parse_asof
from thesis.web.templating import page

router = APIRouter()


def board_context(st: State, asof) -> dict:
    doc = board_doc(st, asof)
    return {"doc": doc, "rows": board_view(doc, st.folder, st.cache, st.source), "asof": asof and asof.isoformat()}


@router.get("/", response_class=HTMLResponse)
def board_page(request: Request, st: Server, asof: str | None = None):
    return page(request, "board.html", title="Ideas", **board_context(st, parse_asof(asof)))


@router.get("/board/rows", response_class=HTMLResponse)
def board_rows(request: Request, st: Server, asof: str | None = None):
    return page(request, "board_rows.html", **board_context(st, parse_asof(asof)))


@router.get("/api/ideas")
def api_board(st: Server, asof: str | None = None):
    """The document `thesis ideas DIR --json [--asof]` prints."""
    return json_response(board_doc(st, parse_asof(asof)))
