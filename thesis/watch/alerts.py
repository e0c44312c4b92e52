"""Alert channels (webhook, SMTP e-mail, apprise) and the outbox delivery loop.

Configuration: ``$THESIS_HOME/alerts.toml`` or ``--alerts FILE``::

    retry_seconds = 60            # first retry delay; doubles per failed attempt (capped at max_retry_seconds)
    [[channels]]
    kind = "webhook"              # "webhook", "smtp" or "apprise"
    url = "http://127.0.0.1:8080/hook"
    # name = "desk"               # default: kind-N
    # events = ["filled", "stopped"]
    # ideas = ["iwm-*"]
    # timeout = 10                # seconds
    [[channels]]
    kind = "smtp"
    url = "smtp://127.0.0.1:8025"  # smtps://... for TLS; user/password keys optional
    to = ["me@example.org"]
    from = "thesis@localhost"
    [[channels]]
    kind = "apprise"
    url = "json://127.0.0.1:8080/apprise"   # any URL apprise supports

The terminal is always a channel (printed, not journaled).  Webhook payload:
``WEBHOOK_SCHEMA`` (see docs/watch.md).
"""
from __future__ import annotations

import fnmatch
import json
import os
import tomllib
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlparse

from thesis.errors import BadInput
from thesis.extras import require
from thesis.watch.journal import Journal, deliveries, now_iso
from thesis.watch.records import DeliveryRecord, EventRecord, Record

WEBHOOK_SCHEMA = "thesis.alert/1"
KINDS = ("webhook", "smtp", "apprise")


class DeliveryError(Exception):
    pass


@dataclass
class Channel:
    name: str
    kind: str
    url: str
    events: list[str] = field(default_factory=list)
    ideas: list[str] = field(default_factory=list)
    timeout: float = 10.0
    to: list[str] = field(default_factory=list)
    sender: str = "thesis@localhost"
    user: str | None = None
    password: str | None = None

    def wants(self, idea: str, kind: str) -> bool:
        if self.events and kind not in self.events:
            return False
        if self.ideas and not any(fnmatch.fnmatchcase(idea, p) for p in self.ideas):
            return False
        return True


@dataclass
class Config:
    channels: list[Channel]
    retry_seconds: float = 60.0
    max_retry_seconds: float = 6 * 3600.0
    snapshots: bool = True
    path: str | None = None


def default_path() -> Path:
    from thesis.paths import default_home

    return default_home() / "alerts.toml"


def load_config(path: str | Path | None = None) -> Config:
    """Read the alerts file. An explicit ``--alerts`` file must exist; the default one may be absent."""
    explicit = path is not None
    path = Path(path) if path else default_path()
    if not path.is_file():
        if explicit:
            raise BadInput(f"{path}: no such alerts file")
        return Config([], path=None)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not valid TOML: {exc}") from None
    allowed = {"channels", "retry_seconds", "max_retry_seconds", "snapshots"}
    unknown = set(raw) - allowed
    if unknown:
        raise BadInput(f"{path}: unknown key(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(allowed))})")
    chans = raw.get("channels", [])
    if not isinstance(chans, list):
        raise BadInput(f"{path}: 'channels' must be an array of tables ([[channels]])")
    out, names = [], set()
    for i, c in enumerate(chans, start=1):
        where = f"{path}, channels[{i}]"
        if not isinstance(c, dict):
            raise BadInput(f"{where}: must be a table")
        ok = {"kind", "url", "name", "events", "ideas", "timeout", "to", "from", "user", "password"}
        bad = set(c) - ok
        if bad:
            raise BadInput(f"{where}: unknown key(s) {', '.join(sorted(bad))}")
        kind = c.get("kind")
        if kind not in KINDS:
            raise BadInput(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}")
        url = c.get("url")
        if not isinstance(url, str) or not url.strip():
            raise BadInput(f"{where}: url is required")
        _check_url(where, kind, url)
        from thesis.watch.engine import KINDS as EVENT_KINDS

        events = list(c.get("events", []))
        wrong = [e for e in events if e not in EVENT_KINDS]
        if wrong:
            raise BadInput(f"{where}: unknown event kind(s) {', '.join(map(repr, wrong))} "
                           f"(known: {', '.join(EVENT_KINDS)})")
        name = str(c.get("name") or f"{kind}-{i}")
        if name in names:
            raise BadInput(f"{where}: channel name {name!r} is used twice")
        names.add(name)
        to = c.get("to", [])
        to = [to] if isinstance(to, str) else list(to)
        if kind == "smtp" and not to:
            raise BadInput(f"{where}: an smtp channel needs 'to' (one address or a list)")
        timeout = c.get("timeout", 10)
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise BadInput(f"{where}: timeout must be a positive number of seconds")
        out.append(Channel(name, kind, url.strip(), events, list(c.get("ideas", [])), float(timeout), to,
                           c.get("from", "thesis@localhost"), c.get("user"), c.get("password")))
    retry = raw.get("retry_seconds", 60)
    if isinstance(retry, bool) or not isinstance(retry, (int, float)) or retry < 0:
        raise BadInput(f"{path}: retry_seconds must be a number >= 0")
    return Config(out, float(retry), float(raw.get("max_retry_seconds", 6 * 3600)), bool(raw.get("snapshots", True)),
                  str(path))


def _check_url(where: str, kind: str, url: str) -> None:
    p = urlparse(url)
    if kind == "webhook" and (p.scheme not in ("http", "https") or not p.hostname):
        raise BadInput(f"{where}: webhook url {url!r} is not an http(s)://host/... URL")
    if kind == "smtp" and (p.scheme not in ("smtp", "smtps") or not p.hostname):
        raise BadInput(f"{where}: smtp url {url!r} is not smtp://host[:port] or smtps://host[:port]")
    if kind == "apprise":
        apprise = require("apprise", "an apprise alert channel")

        if apprise.Apprise.instantiate(url) is None:
            raise BadInput(f"{where}: apprise does not understand the url {url!r}")


# ------------------------------------------------------------------ payload
def payload(event: EventRecord) -> dict:
    return {"schema": WEBHOOK_SCHEMA, "id": event.id, "idea": event.idea, "file": event.file,
            "symbol": event.symbol, "kind": event.kind, "session": event.session,
            "price": event.price, "r": event.r, "distance_r": event.distance_r,
            "text": event.text, "state": event.state,
            "levels": event.levels or {}, "revision": event.revision, "snapshot": event.snapshot,
            "recorded": event.recorded}


def subject(event: EventRecord) -> str:
    return f"[thesis] {event.idea}: {event.kind.replace('_', ' ')} on {event.session}"


def body(event: EventRecord) -> str:
    lv = event.levels or {}
    lines = [event.text, ""]
    if lv:
        lines.append(f"zone {lv.get('entry_zone')}, entry {lv.get('entry')}, stop {lv.get('stop')}, "
                     f"targets {lv.get('targets')}")
    if event.distance_r is not None:
        lines.append(f"distance from the entry: {event.distance_r:+.2f} R")
    if event.snapshot:
        lines.append(f"snapshot: {event.snapshot}")
    lines.append(f"event id {event.id} (idea file {event.file})")
    return "\n".join(lines)


# ------------------------------------------------------------------ senders
def send(channel: Channel, event: EventRecord) -> None:
    """Deliver one event on one channel; raise DeliveryError with a clear reason."""
    try:
        if channel.kind == "webhook":
            _webhook(channel, event)
        elif channel.kind == "smtp":
            _smtp(channel, event)
        else:
            _apprise(channel, event)
    except DeliveryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a channel is recorded, never raised
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


def _webhook(channel: Channel, event: EventRecord) -> None:
    import urllib.error
    import urllib.request

    data = json.dumps(payload(event)).encode()
    req = urllib.request.Request(channel.url, data=data, method="POST",
                                 headers={"Content-Type": "application/json", "Idempotency-Key": event.id,
                                          "User-Agent": "thesis-watch"})
    try:
        with urllib.request.urlopen(req, timeout=channel.timeout) as resp:
            if not 200 <= resp.status < 300:
                raise DeliveryError(f"HTTP {resp.status} from {channel.url}")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code} from {channel.url}") from None
    except urllib.error.URLError as exc:
        raise DeliveryError(f"{channel.url} unreachable: {exc.reason}") from None
    except TimeoutError:
        raise DeliveryError(f"{channel.url} timed out after {channel.timeout:g} s") from None


def _smtp(channel: Channel, event: EventRecord) -> None:
    import smtplib
    from email.message import EmailMessage

    p = urlparse(channel.url)
    host = p.hostname or ""              # load_config refuses an smtp url without a host
    msg = EmailMessage()
    msg["Subject"] = subject(event)
    msg["From"] = channel.sender
    msg["To"] = ", ".join(channel.to)
    msg["X-Thesis-Event"] = event.id
    msg.set_content(body(event))
    snap = event.snapshot
    if snap and Path(snap).is_file():
        msg.add_attachment(Path(snap).read_bytes(), maintype="image", subtype="png", filename=Path(snap).name)
    cls = smtplib.SMTP_SSL if p.scheme == "smtps" else smtplib.SMTP
    try:
        with cls(host, p.port or (465 if p.scheme == "smtps" else 25), timeout=channel.timeout) as s:
            if channel.user:
                s.login(channel.user, channel.password or "")
            s.send_message(msg)
    except smtplib.SMTPException as exc:
        raise DeliveryError(f"SMTP server {p.hostname}:{p.port} refused: {exc}") from None
    except OSError as exc:
        raise DeliveryError(f"SMTP server {p.hostname}:{p.port} unreachable: {exc}") from None


def _apprise(channel: Channel, event: EventRecord) -> None:
    apprise = require("apprise", "an apprise alert channel")

    ap = apprise.Apprise()
    if not ap.add(channel.url):
        raise DeliveryError(f"apprise does not understand {channel.url!r}")
    snap = event.snapshot
    ok = ap.notify(body=body(event), title=subject(event),
                   attach=snap if snap and Path(snap).is_file() else None)
    if not ok:
        raise DeliveryError(f"apprise could not deliver to {channel.url}")


# ------------------------------------------------------------------ outbox
def _parse(ts: str | None):
    return datetime.fromisoformat(ts) if ts else None


def pending(journal: Journal, config_channels=None, now: datetime | None = None) -> list[dict]:
    """Outbox entries not yet sent: one dict per (event, channel) with status and next try (the
    event is its EventRecord)."""
    now = now or datetime.now(timezone.utc)
    records = journal.records()
    dmap = deliveries(records)
    names = None if config_channels is None else {c.name for c in config_channels}
    resting = resting_channels(records)
    out = []
    for ev in records:
        if not isinstance(ev, EventRecord):
            continue
        for ch in ev.outbox:
            d = dmap.get((ev.id, ch))
            if d and d["status"] == "sent":
                continue
            next_try = max(filter(None, (d.get("next_try") if d else None, resting.get(ch))), default=None)
            nt = _parse(next_try)
            out.append({"event": ev, "channel": ch, "attempts": d["attempts"] if d else 0,
                        "error": d["error"] if d else None, "next_try": next_try,
                        "due": nt is None or nt <= now,
                        "configured": names is None or ch in names})
    return out


def resting_channels(records: list[Record] | list[DeliveryRecord]) -> dict[str, str]:
    """Channel -> next try, for channels whose last attempt failed: every alert waiting for such a
    channel waits until then (a pass tries a failing channel once, see deliver_pending)."""
    last: dict[str, DeliveryRecord] = {}
    for r in records:
        if isinstance(r, DeliveryRecord):
            last[r.channel] = r
    return {ch: r.next_try for ch, r in last.items() if r.status == "failed" and r.next_try}


def deliver_pending(journal: Journal, config, ideas: dict | None = None, source=None, snapshots: bool = True,
                    now: datetime | None = None) -> list[dict]:
    """Try every due outbox entry once; record each attempt. Returns the attempts, plus one
    ``skipped`` entry (not journaled: still pending, due next pass) per entry left untried.

    Channels are served concurrently, one thread each, so a hanging one holds up no other; after a
    channel's first failure in a pass its other entries are skipped, so a dead channel costs one
    timeout per pass however many alerts wait for it.  Takes the journal's writer lock unless the
    caller holds it."""
    if journal._fd is None:
        with journal.lock(10.0) as held:
            return deliver_pending(held, config, ideas, source, snapshots, now)
    cfg = config if isinstance(config, Config) else Config(list(config))
    by_name = {c.name: c for c in cfg.channels}
    queues: dict[str, list[tuple[int, dict, EventRecord]]] = {}
    snaps: dict[tuple, str | None] = {}
    for n, item in enumerate(pending(journal, cfg.channels, now)):
        if not item["due"] or not item["configured"]:
            continue
        ev = item["event"]
        if cfg.snapshots and snapshots:          # drawn here, in one thread: matplotlib is not thread-safe
            key = (ev.idea, ev.session)
            if key not in snaps:
                snaps[key] = render_snapshot(ev, (ideas or {}).get(ev.idea), source)
            ev = replace(ev, snapshot=snaps[key])
        queues.setdefault(item["channel"], []).append((n, item, ev))
    if not queues:
        return []
    for q in queues.values():      # alerts never tried first: one that always fails cannot starve the rest
        q.sort(key=lambda x: x[1]["attempts"])
    from concurrent.futures import ThreadPoolExecutor
    from threading import Lock

    write = Lock()

    def serve(name: str) -> list[tuple[int, dict]]:
        ch, out, down = by_name[name], [], None
        for n, item, ev in queues[name]:
            if down is not None:
                out.append((n, DeliveryRecord(event=ev.id, channel=name, status="skipped",
                                              error=f"not tried: {name} failed earlier in this pass ({down})")
                            .to_dict()))
                continue
            rec = _attempt(ch, ev, item["attempts"], cfg)
            if rec["status"] == "failed":
                down = rec["error"]
            with write:
                journal.append([rec])
                journal.sync()
            out.append((n, rec))
        return out

    with ThreadPoolExecutor(max_workers=len(queues), thread_name_prefix="thesis-alerts") as pool:
        done = [r for rs in pool.map(serve, list(queues)) for r in rs]
    return [rec for _, rec in sorted(done, key=lambda x: x[0])]


def _attempt(ch: Channel, ev: EventRecord, attempts: int, cfg: Config) -> dict:
    at = datetime.now(timezone.utc)
    try:
        send(ch, ev)
        return DeliveryRecord(event=ev.id, channel=ch.name, status="sent", at=at.isoformat(timespec="seconds"),
                              snapshot=ev.snapshot).to_dict()
    except DeliveryError as exc:
        attempts += 1
        delay = min(cfg.retry_seconds * 2 ** (attempts - 1), cfg.max_retry_seconds)
        return DeliveryRecord(event=ev.id, channel=ch.name, status="failed", at=at.isoformat(timespec="seconds"),
                              error=str(exc), attempt=attempts,
                              next_try=(at + timedelta(seconds=delay)).isoformat(timespec="seconds")).to_dict()


def outcome(journal: Journal, channels, results: list[dict], new_ids=()) -> dict:
    """What a pass did with the outbox: retried (alerts of earlier passes tried again), delivered,
    failed, skipped, and what is still pending afterwards (with the earliest next try)."""
    still = [p for p in pending(journal, channels) if p["configured"]]
    tries = [p["next_try"] for p in still if p["next_try"] and not p["due"]]
    old = [r for r in results if r["event"] not in set(new_ids) and r["status"] != "skipped"]
    return {"retried": len(old), "retried_sent": sum(1 for r in old if r["status"] == "sent"),
            "delivered": sum(1 for r in results if r["status"] == "sent"),
            "failed": [r for r in results if r["status"] == "failed"],
            "skipped": sum(1 for r in results if r["status"] == "skipped"),
            "pending": len(still), "next_try": min(tries) if tries else None}


def render_snapshot(event: EventRecord, idea, source=None) -> str | None:
    """The idea's chart as of the event's session, under $THESIS_HOME/watch/snapshots (cached on disk)."""
    from thesis.watch.journal import home

    path = home() / "snapshots" / event.idea / f"{event.session}.png"
    if path.is_file():
        return str(path)
    try:
        from thesis.chart import chart

        if idea is None:
            from thesis.spec import load

            if event.file is None:
                return None
            idea = load(event.file)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp.png")
        chart(idea, tmp, asof=event.session, source=source)
        os.replace(tmp, path)
        return str(path)
    except Exception:  # noqa: BLE001 - an alert goes out without its picture rather than not at all
        return None


__all__ = ["Channel", "Config", "load_config", "deliver_pending", "outcome", "pending", "payload", "send", "now_iso"]
