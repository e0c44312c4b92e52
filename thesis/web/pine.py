"""The idea page's Pine Script: ``GET /ideas/{id}/pine`` is the script ``thesis export pine``
writes for that idea, as plain text (the idea page loads it into a box to copy)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

router = APIRouter()


@router.get("/ideas/{idea_id}/pine", response_class=PlainTextResponse)
def idea_pine(request: Request, idea_id: str):
    from thesis.export.pine import export
    from thesis.spec import load
    from thesis.web.core import file_key

    st = request.app.state.thesis
    path = st.folder.path(idea_id)
    source = st.cache.get(("pine", file_key(path)), lambda: export(load(path), path)[0])
    return PlainTextResponse(source, headers={"Content-Disposition": f'inline; filename="{idea_id}.pine"',
                                              "Cache-Control": "no-store"})
