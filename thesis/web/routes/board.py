"""The board: ``/`` (the page), ``/board/rows`` (its rows, refreshed live) and ``/api/ideas``,
each one page of the rows (``offset=``, ``limit=``; 200 by default) of the cached ideas document."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from thesis.web.core import board_view
from thesis.web.deps import PAGE_LIMIT, Server, State, board_doc, json_response, page_of, parse_asof, parse_paging
from thesis.web.templating import page

router = APIRouter()


def board_context(st: State, asof, offset: str | None, limit: str | None) -> dict:
    start, size = parse_paging(offset, limit)
    doc = page_of(board_doc(st, asof), start, size)
    rows = board_view(doc, st.folder, st.cache, st.source)   # this page's rows only: titles, sparklines
    return {"doc": doc, "rows": rows, "asof": asof and asof.isoformat(), "paging": paging_links(doc, asof)}


def paging_links(doc: dict, asof) -> dict:
    """What the page's previous / next links need (None where there is no such page)."""
    start, size, total = doc["offset"], doc["limit"], doc["total"]

    def href(at: int) -> str:
        query = {"asof": asof and asof.isoformat(), "offset": at or None, "limit": None if size == PAGE_LIMIT else size}
        return "/?" + "&".join(f"{k}={v}" for k, v in query.items() if v is not None)
    return {"first": start + 1 if total else 0, "last": min(start + size, total), "total": total,
            "prev": href(max(0, start - size)) if start > 0 else None,
            "next": href(start + size) if start + size < total else None}


@router.get("/", response_class=HTMLResponse)
def board_page(request: Request, st: Server, asof: str | None = None, offset: str | None = None,
               limit: str | None = None):
    return page(request, "board.html", title="Ideas", **board_context(st, parse_asof(asof), offset, limit))


@router.get("/board/rows", response_class=HTMLResponse)
def board_rows(request: Request, st: Server, asof: str | None = None, offset: str | None = None,
               limit: str | None = None):
    return page(request, "board_rows.html", **board_context(st, parse_asof(asof), offset, limit))


@router.get("/api/ideas")
def api_board(st: Server, asof: str | None = None, offset: str | None = None, limit: str | None = None):
    """The document `thesis ideas DIR --json [--asof]` prints, one page of its rows: ``ideas`` holds
    rows ``offset`` to ``offset + limit`` (the document's order), ``total`` counts them all."""
    start, size = parse_paging(offset, limit)
    return json_response(page_of(board_doc(st, parse_asof(asof)), start, size))
