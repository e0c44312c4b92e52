"""The local dashboard (``thesis serve``): FastAPI app, page views and the notes form.

Needs the ``web`` extra (fastapi, uvicorn, Jinja2)."""
