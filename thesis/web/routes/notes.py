"""The dashboard's only write: ``POST /ideas/{id}/notes`` (CSRF token + same-origin check)."""
from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from thesis.web.deps import BadRequest, Server

router = APIRouter()


@router.post("/ideas/{idea_id}/notes")
async def add_note(request: Request, st: Server, idea_id: str):
    path = st.folder.path(idea_id)
    same_origin(request)
    body = (await request.body())[:20_000].decode("utf-8", errors="replace")
    form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
    if not hmac.compare_digest(form.get("csrf", "").encode(), st.csrf(idea_id).encode()):
        raise BadRequest("the form's token is missing or wrong: reload the page and try again", 403)
    from starlette.concurrency import run_in_threadpool

    from thesis.web.notes import add_note as write

    # in a thread: waiting for another writer of the file must not stall the other requests
    await run_in_threadpool(write, path, form.get("date", ""), form.get("text", ""))  # new file version: new cache keys
    return RedirectResponse(f"/ideas/{idea_id}#notes", status_code=303)


def same_origin(request: Request) -> None:
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return  # no header to check (a non-browser client): the CSRF token still decides
    host = request.headers.get("host", "")
    if urlsplit(origin).netloc != host:
        raise BadRequest("cross-site request refused", 403)
