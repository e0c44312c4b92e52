"""`thesis serve`: the local web dashboard (board, ideas on charts, market, studies, options)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

import typer

from thesis.cli._common import console, esc, handle_errors

TOKEN_ENV = "THESIS_SERVE_TOKEN"
INBOUND_ENV = "THESIS_INBOUND_SECRET"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


@handle_errors
def serve(ideas: Optional[Path] = typer.Option(None, "--ideas", help="Ideas folder (default: examples/ in a "
                                                                     "checkout, else ./ideas)"),
          host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; anything but loopback needs --token"),
          port: int = typer.Option(8765, "--port", help="TCP port"),
          token: Optional[str] = typer.Option(None, "--token", envvar=TOKEN_ENV, show_envvar=True,
                                              help="Secret every request must carry (?token=... once sets a "
                                                   "cookie; or Authorization: Bearer)"),
          source: Optional[str] = typer.Option(None, "--source", help="csv:DIR, yahoo or store "
                                                                      "(default: csv:$THESIS_DATA when set)"),
          inbound_secret: Optional[str] = typer.Option(None, "--inbound-secret", envvar=INBOUND_ENV,
                                                       show_envvar=True,
                                                       help="Take TradingView alerts at /inbound/tradingview/SECRET "
                                                            "into the journal (docs/pine.md); off without it")):
    """Serve the dashboard: the ideas board, each idea on an interactive chart, market, study and options pages."""
    from thesis.errors import BadInput
    from thesis.extras import require
    from thesis.web.core import default_ideas_dir

    for package in ("fastapi", "jinja2"):
        require(package, "thesis serve (the dashboard)")
    uvicorn = require("uvicorn", "thesis serve (the dashboard)")
    folder = ideas if ideas is not None else default_ideas_dir()
    if folder.is_file():
        raise BadInput(f"--ideas {folder} is a file: give the folder that holds the idea files")
    if not folder.is_dir():
        raise BadInput(f"--ideas {folder}: no such folder (put idea files in ./ideas or pass --ideas DIR)")
    if source is not None:
        from thesis.data import get_provider

        get_provider(source)  # an unknown source is refused now, not on the first page
    if not 1 <= port <= 65535:
        raise BadInput(f"--port must be 1-65535, not {port}")
    if token is not None and len(token) < 16:
        raise BadInput("--token must be at least 16 characters (try: python -c 'import secrets; "
                       "print(secrets.token_urlsafe())')")
    if inbound_secret is not None and len(inbound_secret) < 16:
        raise BadInput("--inbound-secret must be at least 16 characters (try: python -c 'import secrets; "
                       "print(secrets.token_urlsafe())')")
    if host not in LOOPBACK_HOSTS and not token:
        raise BadInput(f"--host {host} is not loopback: a trading journal is private, so give --token "
                       f"(or ${TOKEN_ENV}) as well; refusing to start")
    import socket

    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
            probe.bind((host, port))
    except OSError as exc:
        raise BadInput(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    from thesis.web.app import create_app

    _log_to_stderr()
    app = create_app(folder, token=token, source=source, host=host, prewarm=True)
    app.state.inbound_secret = inbound_secret
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token and host not in LOOPBACK_HOSTS else "")
    console.print(f"thesis dashboard for {esc(str(folder.resolve()))}\n  {esc(url)}\n(Ctrl+C stops it)",
                  highlight=False)
    if inbound_secret:
        console.print("TradingView alerts: POST to /inbound/tradingview/<the secret> (docs/pine.md)", highlight=False)
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("THESIS_SERVE_LOG", "warning"),
                access_log=False)


def _log_to_stderr() -> None:
    """The dashboard's own lines (a long board build's progress) on stderr, beside uvicorn's."""
    import logging

    log = logging.getLogger("thesis.web")
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("thesis serve: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
