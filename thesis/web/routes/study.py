"""An idea's study: the page (``/ideas/{id}/study``), its result fragment and ``/api/ideas/{id}/study``."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from thesis.web.deps import BadRequest, Server, json_response
from thesis.web.templating import page

router = APIRouter()


@router.get("/ideas/{idea_id}/study", response_class=HTMLResponse)
def study_page(request: Request, st: Server, idea_id: str, grid: str | None = None):
    path = st.folder.path(idea_id)
    from thesis.spec import load

    idea = load(path)
    return page(request, "study.html", idea_id=idea_id, idea=idea, grid=grid or "", title=f"Study: {idea.idea.title}")


@router.get("/ideas/{idea_id}/study/result", response_class=HTMLResponse)
def study_result(request: Request, st: Server, idea_id: str, grid: str | None = None):
    from thesis.spec import load
    from thesis.web.views import study_job, study_view

    path = st.folder.path(idea_id)
    job = study_job(st, idea_id, path, grid)
    job.done.wait()
    if job.error or job.doc is None:
        raise BadRequest(job.error or "the study gave no result", 422)
    return page(request, "study_result.html", doc=job.doc, view=study_view(job.doc), idea=load(path),
                idea_id=idea_id)


@router.get("/api/ideas/{idea_id}/study")
def api_study(st: Server, idea_id: str, grid: str | None = None, wait: int = 1):
    """The document `thesis study IDEA --json [--grid ...]` prints; with wait=0 a running
    study answers 202 with its progress."""
    from thesis.web.views import study_job

    path = st.folder.path(idea_id)
    job = study_job(st, idea_id, path, grid)
    if not wait:
        if job.error:
            return json_response({"error": job.error}, 422)
        if not job.done.is_set():
            return json_response({"state": "running", "progress": job.progress}, 202)
    job.done.wait()
    if job.error:
        return json_response({"error": job.error}, 422)
    return json_response(job.doc)
