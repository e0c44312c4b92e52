"""One idea: its page (``/ideas/{id}``, ``/panel``) and its documents (``/api/ideas/{id}``,
``/chart``, ``/evaluate``, ``/replay``)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from thesis.web.core import file_key
from thesis.web.deps import Server, idea_doc, idea_text, json_response, parse_asof, parse_tf
from thesis.web.templating import page, script_text

router = APIRouter()


@router.get("/ideas/{idea_id}", response_class=HTMLResponse)
def idea_page(request: Request, st: Server, idea_id: str, asof: str | None = None, tf: str | None = None):
    when, frame = parse_asof(asof), parse_tf(tf)
    doc = idea_doc(st, idea_id, when, frame)
    return page(request, "idea.html", doc=doc, doc_json=script_text(idea_text(st, idea_id, when, frame)),
                title=doc["title"], csrf=st.csrf(idea_id), tf=frame)


@router.get("/ideas/{idea_id}/panel", response_class=HTMLResponse)
def idea_panel(request: Request, st: Server, idea_id: str, asof: str | None = None, tf: str | None = None):
    return page(request, "idea_panel.html", doc=idea_doc(st, idea_id, parse_asof(asof), parse_tf(tf)))


@router.get("/api/ideas/{idea_id}")
def api_idea(st: Server, idea_id: str, asof: str | None = None, tf: str | None = None):
    return Response(idea_text(st, idea_id, parse_asof(asof), parse_tf(tf)), media_type="application/json")


@router.get("/api/ideas/{idea_id}/chart")
def api_chart(st: Server, idea_id: str, asof: str | None = None, tf: str | None = None):
    return json_response(idea_doc(st, idea_id, parse_asof(asof), parse_tf(tf))["chart"])


@router.get("/api/ideas/{idea_id}/evaluate")
def api_evaluate(st: Server, idea_id: str, asof: str | None = None):
    """The document `thesis evaluate IDEA --json [--asof]` prints."""
    path = st.folder.path(idea_id)
    from thesis.evaluate import evaluate

    when = parse_asof(asof)
    return json_response(st.cache.get(("evaluate", file_key(path), str(when), st.source),
                                      lambda: evaluate(path, asof=when, source=st.source)))  # type: ignore[arg-type]  # a path: the verb loads it


@router.get("/api/ideas/{idea_id}/replay")
def api_replay(st: Server, idea_id: str):
    """The document `thesis replay IDEA --json` prints."""
    path = st.folder.path(idea_id)
    from thesis.replay import replay

    return json_response(st.cache.get(("replay", file_key(path), st.source),
                                      lambda: replay(path, source=st.source).to_dict()))  # type: ignore[arg-type]  # a path
