"""The board: ``/`` (the page), ``/board/rows`` (its rows, refreshed live) and ``/api/ideas``,
each one page of the rows (``offset=``, ``limit=``; 200 by default) of the cached ideas document,
in its own order or sorted by a column over every row (``sort=COLUMN``, ``dir=asc|desc``)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from thesis.web.core import board_view
from thesis.web.deps import (PAGE_LIMIT, Server, State, board_rows, json_response, page_of, parse_asof,
                             parse_paging, parse_sort)
from thesis.web.ordering import SORT_KEYS
from thesis.web.templating import page

router = APIRouter()


class Query:
    """One board request: as-of date, order and page, validated (400 naming the parameter)."""

    def __init__(self, asof: str | None, offset: str | None, limit: str | None, sort: str | None,
                 order: str | None):
        self.asof = parse_asof(asof)
        self.start, self.size = parse_paging(offset, limit)
        self.sort, self.descending = parse_sort(sort, order)

    def doc(self, st: State) -> dict:
        doc = page_of(board_rows(st, self.asof, self.sort, self.descending), self.start, self.size)
        if self.sort is not None:
            doc |= {"sort": self.sort, "dir": "desc" if self.descending else "asc"}
        return doc

    def href(self, offset: int | None = None, sort: str | None = None, descending: bool | None = None) -> str:
        """This board's URL with another page or order (the defaults left out)."""
        sort = self.sort if sort is None else sort
        descending = self.descending if descending is None else descending
        query = {"asof": self.asof and self.asof.isoformat(), "sort": sort, "dir": "desc" if sort and descending else None,
                 "offset": offset or None, "limit": None if self.size == PAGE_LIMIT else self.size}
        return "/?" + "&".join(f"{k}={v}" for k, v in query.items() if v is not None)


def board_context(st: State, q: Query) -> dict:
    doc = q.doc(st)
    rows = board_view(doc, st.folder, st.cache, st.source)   # this page's rows only: titles, sparklines
    return {"doc": doc, "rows": rows, "asof": q.asof and q.asof.isoformat(), "paging": paging_links(doc, q),
            "columns": column_links(q), "sort": q.sort, "dir": "desc" if q.descending else "asc"}


def paging_links(doc: dict, q: Query) -> dict:
    """What the page's previous / next links need (None where there is no such page)."""
    start, size, total = doc["offset"], doc["limit"], doc["total"]
    return {"first": start + 1 if total else 0, "last": min(start + size, total), "total": total,
            "prev": q.href(max(0, start - size)) if start > 0 else None,
            "next": q.href(start + size) if start + size < total else None}


def column_links(q: Query) -> dict:
    """Each column header's link: sort the whole board by it from the first page (ascending; the
    column already sorted ascending flips to descending), and its current direction if sorted."""
    return {key: {"href": q.href(0, key, key == q.sort and not q.descending),
                  "now": ("desc" if q.descending else "asc") if key == q.sort else None} for key in SORT_KEYS}


@router.get("/", response_class=HTMLResponse)
def board_page(request: Request, st: Server, asof: str | None = None, offset: str | None = None,
               limit: str | None = None, sort: str | None = None, dir: str | None = None):
    return page(request, "board.html", title="Ideas", **board_context(st, Query(asof, offset, limit, sort, dir)))


@router.get("/board/rows", response_class=HTMLResponse)
def board_rows_part(request: Request, st: Server, asof: str | None = None, offset: str | None = None,
                    limit: str | None = None, sort: str | None = None, dir: str | None = None):
    return page(request, "board_rows.html", **board_context(st, Query(asof, offset, limit, sort, dir)))


@router.get("/api/ideas")
def api_board(st: Server, asof: str | None = None, offset: str | None = None, limit: str | None = None,
              sort: str | None = None, dir: str | None = None):
    """The document `thesis ideas DIR --json [--asof]` prints, one page of its rows: ``ideas`` holds
    rows ``offset`` to ``offset + limit`` (the document's order, or every row sorted by ``sort`` in
    ``dir`` first), ``total`` counts them all; a sorted page also says ``sort`` and ``dir``."""
    return json_response(Query(asof, offset, limit, sort, dir).doc(st))

