"""An idea's options plan: the page (``/ideas/{id}/options``) and ``/api/ideas/{id}/options``."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from thesis.web.deps import Server, json_response, options_view_of
from thesis.web.templating import page

router = APIRouter()


@router.get("/ideas/{idea_id}/options", response_class=HTMLResponse)
def options_page(request: Request, st: Server, idea_id: str):
    view = options_view_of(st, idea_id)
    return page(request, "options.html", idea_id=idea_id, v=view, title=f"Options: {view['title']}")


@router.get("/api/ideas/{idea_id}/options")
def api_options(st: Server, idea_id: str):
    """The document `thesis options plan IDEA --json` prints."""
    return json_response(options_view_of(st, idea_id)["plan"])
