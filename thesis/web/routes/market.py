"""The market context: the page (``/market``), ``/api/market`` and its chart series."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from thesis.web.deps import Server, json_response, parse_asof
from thesis.web.templating import page

router = APIRouter()


@router.get("/market", response_class=HTMLResponse)
def market_page(request: Request, st: Server, asof: str | None = None):
    from thesis.web.views import market_view

    view = market_view(st.market_context(), parse_asof(asof))
    return page(request, "market.html", v=view, title="Market")


@router.get("/api/market")
def api_market(st: Server, asof: str | None = None):
    """The document `thesis market --json [--asof]` prints."""
    from thesis.web.views import market_doc

    return json_response(market_doc(st.market_context(), parse_asof(asof)))


@router.get("/api/market/series")
def api_market_series(st: Server, asof: str | None = None):
    from thesis.web.views import market_series

    return json_response(market_series(st.market_context(), parse_asof(asof)))
