"""Alerts: outbox, per-channel delivery records, backoff across runs, against real local servers
(an HTTP receiver from pytest-httpserver, an SMTP server from aiosmtpd, apprise's json:// target)."""
from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from email import message_from_bytes
from pathlib import Path

import pytest
from werkzeug.wrappers import Response

from thesis.errors import BadInput
from thesis.watch.alerts import WEBHOOK_SCHEMA, deliver_pending, load_config, pending
from thesis.watch.journal import Journal, read_records
from thesis.watch.run import watch_pass

ASOF = "2023-03-31"


def prime(idea_dir):
    """A first look before the ideas' events: later events are live (alerted), not history."""
    watch_pass([idea_dir], asof="2022-07-29")


def config(tmp_path, body: str) -> Path:
    p = tmp_path / "alerts.toml"
    p.write_text(body)
    return p


class Receiver:
    """A webhook endpoint that can fail (5xx), hang (timeout) or work."""

    def __init__(self, httpserver, path="/hook"):
        self.mode = "ok"
        self.release = threading.Event()
        self.got: list[dict] = []
        self.url = httpserver.url_for(path)
        httpserver.expect_request(path, method="POST").respond_with_handler(self.handle)

    def handle(self, request):
        if self.mode == "fail":
            return Response("down", status=503)
        if self.mode == "hang":                     # answers late (after the client gave up)
            self.release.wait(2.0)
            return Response("late", status=504)
        if self.mode == "slow":
            time.sleep(0.15)
        body = json.loads(request.data)
        assert request.headers["Idempotency-Key"] == body["id"]
        self.got.append(body)
        return Response("{}", status=200, content_type="application/json")


def test_minimal_file_from_the_issue_works_as_written(tmp_path, idea_dir, httpserver):
    rec = Receiver(httpserver)
    cfg = load_config(config(tmp_path, f"""
[[channels]]
kind = "webhook"                 # or "smtp", "apprise"
url = "{rec.url}"
# events = ["filled", "stopped"] # optional filter by kind; ideas = ["iwm-*"] by idea id
"""))
    prime(idea_dir)
    res = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    assert res.new_events and len(rec.got) == len(res.new_events)
    p = rec.got[0]
    assert p["schema"] == WEBHOOK_SCHEMA and {"id", "idea", "kind", "session", "price", "text", "levels"} <= set(p)
    assert p["levels"]["stop"] > 0
    assert all(isinstance(q["distance_r"], float) for q in rec.got if q["kind"] != "idea_revised")
    assert all(d["status"] == "sent" for d in res.deliveries)
    # a second pass over the same bars sends nothing
    watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    assert len(rec.got) == len(res.new_events)


def test_failure_timeout_backoff_and_recovery(tmp_path, idea_dir, httpserver, private_home):
    rec = Receiver(httpserver)
    cfg = load_config(config(tmp_path, f"""
retry_seconds = 600
[[channels]]
kind = "webhook"
name = "desk"
url = "{rec.url}"
timeout = 0.3
events = ["filled", "stopped"]
"""))
    prime(idea_dir)
    rec.mode = "fail"
    res = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    wanted = [e for e in res.new_events if e["kind"] in ("filled", "stopped")]
    assert wanted and len(res.new_events) > len(wanted)          # the filter holds back other kinds
    # the channel refuses: tried once, its other alerts wait for the same next try
    [failed] = [d for d in res.deliveries if d["status"] != "skipped"]
    assert failed["status"] == "failed" and "503" in failed["error"]
    assert len(res.deliveries) == len(wanted)
    jr = Journal()
    assert len(pending(jr)) == len(wanted)
    assert {p["next_try"] for p in pending(jr)} == {failed["next_try"]}
    # backoff across runs: the next run is before next_try, nothing is attempted
    rec.mode = "ok"
    again = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    assert again.deliveries == [] and rec.got == []
    # later (now past next_try) the endpoint hangs: one timeout, recorded; the rest wait again
    rec.mode = "hang"
    later = datetime.now(timezone.utc) + timedelta(seconds=601)
    out = deliver_pending(Journal(), cfg, snapshots=False, now=later)
    [timed_out] = [d for d in out if d["status"] != "skipped"]
    assert "timed out" in timed_out["error"] and len(out) == len(wanted)
    # the alert that failed before is tried after those never tried; its own delay doubles when it fails
    assert timed_out["event"] != failed["event"] and timed_out["attempt"] == 1
    first_try = datetime.fromisoformat(timed_out["at"])
    assert datetime.fromisoformat(timed_out["next_try"]) - first_try >= timedelta(seconds=599)
    rec.mode = "fail"
    twice = deliver_pending(Journal(), cfg, snapshots=False, now=later + timedelta(seconds=2000))
    again_failed = [d for d in twice if d["status"] == "failed"]
    assert len(again_failed) == 1 and again_failed[0]["attempt"] == 1      # a never-tried one first
    # once all were tried, the repeat offender's delay has doubled
    for k in range(len(wanted)):
        deliver_pending(Journal(), cfg, snapshots=False, now=later + timedelta(seconds=4000 * (k + 2)))
    d = next(p for p in pending(Journal()) if p["event"].id == failed["event"])
    assert d["attempts"] >= 2
    delays = [datetime.fromisoformat(r.next_try) - datetime.fromisoformat(r.at)
              for r in read_records(jr.path) if r.t == "delivery" and r.event == failed["event"]]
    assert delays[0] == timedelta(seconds=600) and delays[1] == timedelta(seconds=1200)
    # it recovers: everything pending is delivered once, then nothing is pending
    rec.mode = "ok"
    rec.release.set()
    out = deliver_pending(Journal(), cfg, snapshots=False, now=later + timedelta(seconds=1300))
    assert [d["status"] for d in out] == ["sent"] * len(wanted)
    # requests that timed out on our side may still reach the receiver late (at-least-once): it
    # de-duplicates by the Idempotency-Key header, which is the event id
    assert {p["id"] for p in rec.got} == {e["id"] for e in wanted}
    assert pending(Journal()) == []


def test_one_failing_channel_does_not_swallow_the_others(tmp_path, idea_dir, httpserver):
    good = Receiver(httpserver, "/good")
    bad = Receiver(httpserver, "/bad")
    bad.mode = "fail"
    cfg = load_config(config(tmp_path, f"""
[[channels]]
kind = "webhook"
name = "bad"
url = "{bad.url}"
[[channels]]
kind = "webhook"
name = "good"
url = "{good.url}"
ideas = ["idea-0[0-3]"]
"""))
    prime(idea_dir)
    res = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    by = Counter((d["channel"], d["status"]) for d in res.deliveries)
    mine = [e for e in res.new_events if e["idea"] in ("idea-00", "idea-01", "idea-02", "idea-03")]
    assert by[("good", "sent")] == len(mine) > 0
    # the refusing channel is tried once; its other alerts stay pending for the next pass
    assert by[("bad", "failed")] == 1 and by[("bad", "skipped")] == len(res.new_events) - 1
    assert len(pending(Journal(), cfg.channels)) == len(res.new_events)
    assert {p["idea"] for p in good.got} <= {"idea-00", "idea-01", "idea-02", "idea-03"}


def test_a_crash_mid_delivery_resends_nothing_already_delivered(tmp_path, idea_dir, httpserver, private_home):
    rec = Receiver(httpserver)
    rec.mode = "slow"
    cfg = load_config(config(tmp_path, f"""
[[channels]]
kind = "webhook"
url = "{rec.url}"
"""))
    jr_path = private_home / "watch" / "journal.jsonl"
    prime(idea_dir)
    # the child journals the events with their outbox, then is killed half-way through delivering
    pid = os.fork()
    if pid == 0:
        try:
            watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
        finally:
            os._exit(0)
    deadline = time.monotonic() + 20
    while len(rec.got) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sent_before = {r.event for r in read_records(jr_path) if r.t == "delivery" and r.status == "sent"}
    assert len(sent_before) >= 2
    total = len([r for r in read_records(jr_path) if r.t == "event" and r.outbox])
    assert len(rec.got) < total, "the kill landed after every delivery: nothing was tested"
    rec.mode = "ok"
    watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    counts = Counter(p["id"] for p in rec.got)
    assert set(counts) == {r.id for r in read_records(jr_path) if r.t == "event" and r.outbox}
    assert all(counts[i] == 1 for i in sent_before)                # recorded as sent: never sent again
    assert sum(c - 1 for c in counts.values()) <= 1                # at most the one in flight at the kill


def test_smtp_delivery_with_snapshot_and_a_refusing_server(tmp_path, idea_dir):
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self):
            self.messages = []
            self.refuse = False

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            if self.refuse:
                return "550 mailbox unavailable"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(message_from_bytes(envelope.content))
            return "250 Message accepted"

    handler = Handler()
    with socket.socket() as probe:                      # a free port on 127.0.0.1
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        cfg = load_config(config(tmp_path, f"""
[[channels]]
kind = "smtp"
url = "smtp://127.0.0.1:{port}"
to = "trader@example.org"
events = ["filled"]
ideas = ["idea-01"]
"""))
        prime(idea_dir)
        handler.refuse = True
        res = watch_pass([idea_dir], asof=ASOF, config=cfg)
        assert len(res.deliveries) == 1 and res.deliveries[0]["status"] == "failed"
        assert "refused" in res.deliveries[0]["error"] and "550" in res.deliveries[0]["error"]
        from thesis.watch.journal import home
        # a pass draws the event's snapshot unless told not to (even when the server then refuses)
        assert list((home() / "snapshots" / "idea-01").glob("*.png"))
        handler.refuse = False
        out = deliver_pending(Journal(), cfg, now=datetime.now(timezone.utc) + timedelta(hours=1))
        assert [d["status"] for d in out] == ["sent"]
        [msg] = handler.messages
        assert "idea-01" in msg["Subject"] and "filled" in msg["Subject"]
        parts = list(msg.walk())
        text = next(p for p in parts if p.get_content_type() == "text/plain").get_payload(decode=True).decode()
        assert "bought SPY" in text and "stop" in text
        png = next(p for p in parts if p.get_content_type() == "image/png")
        assert png.get_payload(decode=True)[:8] == b"\x89PNG\r\n\x1a\n"
        assert Path(out[0]["snapshot"]).is_file()
    finally:
        ctl.stop()


def test_apprise_channel_to_a_local_json_target(tmp_path, idea_dir, httpserver):
    got = []

    def handle(request):
        got.append(json.loads(request.data))
        return Response("{}", status=200, content_type="application/json")

    httpserver.expect_request("/apprise", method="POST").respond_with_handler(handle)
    url = httpserver.url_for("/apprise").replace("http://", "json://")
    cfg = load_config(config(tmp_path, f"""
[[channels]]
kind = "apprise"
url = "{url}"
events = ["stopped"]
"""))
    prime(idea_dir)
    res = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    stopped = [e for e in res.new_events if e["kind"] == "stopped"]
    assert stopped and len(got) == len(stopped)
    assert all("stopped" in g["title"] and "stopped at" in g["message"] for g in got)


@pytest.mark.parametrize("body, match", [
    ('[[channels]]\nkind = "webhook"\nurl = "ftp://x/y"\n', "webhook url 'ftp://x/y'"),
    ('[[channels]]\nkind = "pager"\nurl = "http://x"\n', "kind must be one of"),
    ('[[channels]]\nkind = "smtp"\nurl = "smtp://127.0.0.1:1"\n', "needs 'to'"),
    ('[[channels]]\nkind = "webhook"\nurl = "http://x/"\nevents = ["fill"]\n', "unknown event kind"),
    ('[[channels]]\nkind = "apprise"\nurl = "nonsense://"\n', "apprise does not understand"),
    ('channels = [\n', "not valid TOML"),
])
def test_bad_alert_files_are_named_errors(tmp_path, body, match):
    with pytest.raises(BadInput, match=match) as exc:
        load_config(config(tmp_path, body))
    assert "alerts.toml" in str(exc.value)


def test_a_missing_explicit_alerts_file_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="no such alerts file"):
        load_config(tmp_path / "nope.toml")
    assert load_config(None).channels == []          # the default file may be absent


def test_an_unknown_top_level_key_in_the_alerts_file_is_refused(tmp_path):
    from thesis.errors import BadInput

    with pytest.raises(BadInput, match=r"unknown key\(s\) retry_secs \(allowed: channels, max_retry_seconds"):
        load_config(config(tmp_path, "retry_secs = 30\n"))


class Sleeper:
    """A webhook receiver that accepts the connection and then sleeps past any client timeout."""

    def __init__(self, seconds: float = 6.0):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.started: list[float] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.started.append(time.monotonic())
                time.sleep(seconds)
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass                    # the client gave up long ago

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Stamped(Receiver):
    def handle(self, request):
        self.at = getattr(self, "at", []) + [time.monotonic()]
        return super().handle(request)


def test_a_hanging_channel_costs_one_timeout_per_pass_and_holds_up_no_other(tmp_path, idea_dir, httpserver):
    dead, good = Sleeper(), Stamped(httpserver, "/good")
    try:
        cfg = load_config(config(tmp_path, f"""
retry_seconds = 0
[[channels]]
kind = "webhook"
name = "dead"
url = "{dead.url}"
timeout = 2
[[channels]]
kind = "webhook"
name = "good"
url = "{good.url}"
"""))
        prime(idea_dir)
        t0 = time.monotonic()
        res = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
        took = time.monotonic() - t0
        n = len(res.alerts)
        assert n >= 12, "the fixture must leave many alerts pending on the dead channel"
        assert len(dead.started) == 1                   # one timeout, not one per pending alert
        assert len(good.got) == n                       # the healthy channel got everything ...
        assert max(good.at) < dead.started[0] + 2       # ... while the dead one was still timing out
        assert took < n * 2 / 2, f"{took:.1f} s: the pass waited on the dead channel per alert"
        by = Counter((d["channel"], d["status"]) for d in res.deliveries)
        assert by == {("good", "sent"): n, ("dead", "failed"): 1, ("dead", "skipped"): n - 1}
        assert res.outbox["pending"] == n and res.outbox["delivered"] == n
        # the next pass retries the dead channel once again (one timeout), the others wait their turn
        again = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
        assert len(dead.started) == 2 and again.outbox["retried"] == 1 and again.outbox["pending"] == n
    finally:
        dead.close()


def test_a_revised_old_idea_sends_exactly_one_alert(tmp_path, idea_dir, httpserver):
    rec = Receiver(httpserver)
    cfg = load_config(config(tmp_path, f"""
[[channels]]
kind = "webhook"
url = "{rec.url}"
"""))
    prime(idea_dir)
    watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    before = len(rec.got)
    f = idea_dir / "idea-01.toml"                       # SPY long 360-365, stop 345: closed months ago
    f.write_text(f.read_text().replace("stop = 345.0", "stop = 340.0"))
    res = watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    got = rec.got[before:]
    assert [p["kind"] for p in got] == ["idea_revised"], [p["kind"] for p in got]
    p = got[0]
    assert "levels.stop: 345.0 -> 340.0" in p["text"] and p["revision"] == 1
    assert p["state"] in ("closed", "expired", "invalidated") and f"now {p['state']}" in p["text"]
    # the revision's older events are in the journal as history, not alerts
    history = [e for e in res.new_events if e["idea"] == "idea-01" and e["kind"] != "idea_revised"]
    assert history and all(e.get("backfill") and e["outbox"] == [] for e in history)
    assert watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False).new_events == []
    assert len(rec.got) == before + 1


def test_a_revision_while_the_provider_is_down_alerts_no_history_when_it_is_back(tmp_path, idea_dir, httpserver,
                                                                                  monkeypatch):
    from thesis import data
    from thesis.errors import ProviderUnavailable

    rec = Receiver(httpserver)
    cfg = load_config(config(tmp_path, f"""
[[channels]]
kind = "webhook"
url = "{rec.url}"
events = ["idea_revised", "filled", "stopped", "target_hit", "time_exit", "expired", "zone_touched"]
"""))
    prime(idea_dir)
    watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    before = len(rec.got)
    f = idea_dir / "idea-01.toml"
    f.write_text(f.read_text().replace("stop = 345.0", "stop = 340.0"))
    real = data.load_bars

    def down(*args, **kwargs):
        raise ProviderUnavailable("Yahoo Finance did not answer (timeout)")

    monkeypatch.setattr(data, "load_bars", down)
    watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    monkeypatch.setattr(data, "load_bars", real)
    watch_pass([idea_dir], asof=ASOF, config=cfg, snapshots=False)
    assert [p["kind"] for p in rec.got[before:]] == ["idea_revised"]
