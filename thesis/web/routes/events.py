"""Live updates: ``/api/events``, server-sent events the board and idea pages listen to."""
from __future__ import annotations

import asyncio
import json
import time

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from thesis.web.deps import Server

router = APIRouter()


@router.get("/api/events")
async def events(request: Request, st: Server):
    """Server-sent events: 'change' whenever an idea file (or the watch journal) changes."""
    from thesis.web.views import folder_signature

    async def stream():
        last = folder_signature(st.folder)
        yield "retry: 2000\n\n"
        beat = time.monotonic()
        while True:
            if await request.is_disconnected():
                return
            await asyncio.sleep(1.0)
            now = folder_signature(st.folder)
            if now != last:
                last = now
                yield f"event: change\ndata: {json.dumps({'at': time.time()})}\n\n"
            elif time.monotonic() - beat > 15:
                beat = time.monotonic()
                yield ": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
