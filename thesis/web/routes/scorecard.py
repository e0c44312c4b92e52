"""The folder's scorecard: the page (``/scorecard``) and ``/api/scorecard``."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from thesis.web.deps import Server, json_response, parse_asof, scorecard_result
from thesis.web.templating import page

router = APIRouter()


@router.get("/scorecard", response_class=HTMLResponse)
def scorecard_page(request: Request, st: Server, asof: str | None = None):
    from thesis.web.views import scorecard_view

    result = scorecard_result(st, parse_asof(asof))
    return page(request, "scorecard.html", v=scorecard_view(result, set(st.folder.ids())), title="Scorecard")


@router.get("/api/scorecard")
def api_scorecard(st: Server, asof: str | None = None):
    """The document `thesis scorecard FOLDER --json [--asof]` prints (the folder's own idea files)."""
    return json_response(scorecard_result(st, parse_asof(asof)).to_dict())
