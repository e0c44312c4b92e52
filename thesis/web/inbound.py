"""Alerts coming in: TradingView webhooks posted to ``thesis serve`` (docs/pine.md).

``POST /inbound/tradingview/{secret}`` (or ``/inbound/tradingview`` with ``"secret"`` in the
JSON body: TradingView cannot set headers) takes the JSON that the scripts of ``thesis export
pine`` send (schema ``thesis.alert/1``: idea id, kind, key, price, time) and journals it as an
``external`` record beside thesis's own events, so ``thesis journal`` shows both. The same alert
sent twice (TradingView re-sends) has one id and is journaled once.

Refused: everything while no secret is configured (``thesis serve --inbound-secret``), a wrong
or missing secret (403), a body that is not JSON (400), a message that is not an alert of an
idea in the served folder (422/404), more than ``RATE`` requests in ``PER`` seconds (429,
counted before the secret is checked so guessing it is slow too). The server stays on loopback
unless started with --host and --token, like every other page.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import threading
import time
from datetime import datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

SCHEMA = "thesis.alert/1"
SECRET_ENV = "THESIS_INBOUND_SECRET"
KINDS = ("zone_touched", "trigger", "stopped", "target_hit")
RATE, PER = 30, 60.0                # requests per window (a burst of RATE, refilled over PER seconds)
MAX_BODY = 16_384
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$")
KEY = re.compile(r"^[A-Za-z0-9_: .-]{0,80}$")

router = APIRouter()


class TokenBucket:
    """``rate`` requests at once, refilled at rate/per per second. Written here rather than adding
    a rate-limit package: one endpoint, one counter, a dozen lines."""

    def __init__(self, rate: int = RATE, per: float = PER):
        self.rate, self.per = rate, per
        self.tokens = float(rate)
        self.at = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0 when a request may go ahead, else the seconds until one may."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.rate, self.tokens + (now - self.at) * self.rate / self.per)
            self.at = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0.0
            return (1 - self.tokens) * self.per / self.rate


def _answer(code: int, **doc) -> JSONResponse:
    return JSONResponse(doc, status_code=code)


def _settings(app):
    st = app.state
    if not hasattr(st, "inbound_bucket"):
        st.inbound_bucket = TokenBucket(*getattr(st, "inbound_rate", (RATE, PER)))
    secret = getattr(st, "inbound_secret", None) or os.environ.get(SECRET_ENV) or None
    return secret, st.inbound_bucket


def alert_record(msg: dict) -> dict:
    """The journal record of one TradingView alert; ValueError naming what is wrong."""
    if msg.get("schema") != SCHEMA:
        raise ValueError(f"schema must be {SCHEMA!r}, got {str(msg.get('schema'))[:40]!r}")
    idea, kind, key = msg.get("idea"), msg.get("kind"), msg.get("key", "")
    if not isinstance(idea, str) or not re.fullmatch(r"[^/\\\x00]{1,200}", idea) or idea in (".", ".."):
        raise ValueError("idea must be the idea's id (its file name without .toml)")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {str(kind)[:40]!r}")
    if not isinstance(key, str) or not KEY.match(key):
        raise ValueError("key must be short text (letters, digits, ':', '.', '-', '_', space)")
    price = msg.get("price")
    if isinstance(price, bool) or not isinstance(price, (int, float)) or not math.isfinite(price) or price <= 0:
        raise ValueError("price must be a positive number")
    when = msg.get("time")
    if not isinstance(when, str) or not TIME.match(when):
        raise ValueError("time must be TradingView's {{time}}, e.g. 2023-06-14T13:30:00Z")
    try:
        moment = datetime.fromisoformat(when.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"time {when!r} is not a date and time") from None
    from zoneinfo import ZoneInfo

    session = moment.astimezone(ZoneInfo("America/New_York")).date().isoformat()
    raw = f"tradingview|{idea}|{kind}|{key}|{moment.isoformat()}"
    from thesis.watch.records import ExternalRecord

    return ExternalRecord(id=hashlib.sha1(raw.encode()).hexdigest()[:16], source="tradingview", idea=idea,
                          kind=kind, key=key, session=session, time=when, price=float(price),
                          symbol=str(msg.get("symbol") or "")[:21] or None,
                          recorded=datetime.now(timezone.utc).isoformat(timespec="seconds")).to_dict()


def _journal(record: dict) -> bool:
    """Append under the journal's writer lock; False when the same alert was journaled before."""
    from thesis.watch.journal import Journal

    with Journal().lock(10.0) as jr:
        return jr.append([record]) == 1


@router.post("/inbound/tradingview")
@router.post("/inbound/tradingview/{secret}")
async def tradingview(request: Request, secret: str | None = None):
    expected, bucket = _settings(request.app)
    wait = bucket.take()
    if wait:
        return JSONResponse({"error": "too many requests"}, status_code=429,
                            headers={"Retry-After": str(math.ceil(wait))})
    if not expected:
        return _answer(403, error="inbound alerts are off: start thesis serve with --inbound-secret "
                                  f"(or ${SECRET_ENV})")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _answer(413, error=f"an alert is at most {MAX_BODY:,} bytes")
    try:
        msg = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _answer(400, error=f"the body is not JSON: {str(exc)[:120]}")
    if not isinstance(msg, dict):
        return _answer(400, error="the body must be a JSON object")
    given = secret if secret is not None else msg.pop("secret", None)
    if not isinstance(given, str) or not hmac.compare_digest(given.encode(), expected.encode()):
        return _answer(403, error="the secret is missing or wrong")
    msg.pop("secret", None)
    try:
        record = alert_record(msg)
    except ValueError as exc:
        return _answer(422, error=str(exc))
    from thesis.web.core import NotFound

    try:
        request.app.state.thesis.folder.path(record["idea"])
    except NotFound:
        return _answer(404, error=f"no idea {record['idea']!r} in the folder this server shows")
    from starlette.concurrency import run_in_threadpool

    from thesis.errors import StoreError

    try:
        new = await run_in_threadpool(_journal, record)
    except StoreError as exc:
        return _answer(503, error=str(exc))
    return _answer(200, status="journaled" if new else "duplicate", id=record["id"],
                   session=record["session"])
