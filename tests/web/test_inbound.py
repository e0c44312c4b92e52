"""TradingView's alerts coming in: POST /inbound/tradingview/{secret} -> the watch journal.

The secret (path or body), bad JSON, a flood (rate limit), duplicates journaled once, and
`thesis journal` showing TradingView's alerts beside thesis's own events."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.web.conftest import LONG, SEED, copy_examples, make_client
from thesis.cli import app as cli
from thesis.watch.journal import Journal
from thesis.web import inbound

SECRET = "s3cret-inbound-0123456789"
ROOT = Path(__file__).resolve().parents[2]


def alert(**over) -> dict:
    """What the exported script's trigger alert sends (its {{time}}: the bar's open, UTC)."""
    doc = {"schema": "thesis.alert/1", "source": "tradingview", "idea": SEED, "symbol": "IWM",
           "kind": "trigger", "key": "1:outside_bar_rejection", "price": 185.91, "time": "2023-06-14T13:30:00Z"}
    return doc | over


@pytest.fixture
def folder(tmp_path) -> Path:
    return copy_examples(tmp_path / "ideas")


@pytest.fixture
def client(folder):
    c = make_client(folder)
    c.app.state.inbound_secret = SECRET
    return c


def externals() -> list[dict]:
    return [r.to_dict() for r in Journal().records() if r.t == "external"]


def test_an_alert_with_the_secret_in_the_path_is_journaled_as_an_external_event(client):
    res = client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert()))
    assert res.status_code == 200, res.text
    assert res.json()["status"] == "journaled" and res.json()["session"] == "2023-06-14"
    [rec] = externals()
    assert rec["idea"] == SEED and rec["kind"] == "trigger" and rec["source"] == "tradingview"
    assert rec["session"] == "2023-06-14" and rec["price"] == 185.91 and rec["key"] == "1:outside_bar_rejection"


def test_the_secret_may_travel_in_the_body_and_is_not_journaled(client):
    res = client.post("/inbound/tradingview", json=alert(secret=SECRET, kind="stopped", key="", price=212.0))
    assert res.status_code == 200, res.text
    [rec] = externals()
    assert "secret" not in rec and SECRET not in json.dumps(rec)


@pytest.mark.parametrize("how", ["none", "wrong path", "wrong body", "empty path"])
def test_without_the_right_secret_nothing_is_journaled(client, how):
    url, body = {"none": ("/inbound/tradingview", alert()),
                 "wrong path": (f"/inbound/tradingview/{SECRET}x", alert()),
                 "wrong body": ("/inbound/tradingview", alert(secret=SECRET[:-1])),
                 "empty path": ("/inbound/tradingview/", alert())}[how]
    res = client.post(url, content=json.dumps(body), follow_redirects=True)
    assert res.status_code == 403, res.text
    assert "secret" in res.json()["error"]
    assert externals() == []


def test_a_server_without_a_secret_refuses_every_alert(folder):
    c = make_client(folder)
    res = c.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert()))
    assert res.status_code == 403 and "--inbound-secret" in res.json()["error"]
    assert externals() == []


@pytest.mark.parametrize("body, status, words", [
    (b"{not json", 400, "not JSON"),
    (b"\xff\xfe", 400, "not JSON"),
    (b"[1, 2]", 400, "JSON object"),
    (json.dumps(alert(kind="sell")).encode(), 422, "kind must be"),
    (json.dumps(alert(price="185.91")).encode(), 422, "price"),
    (json.dumps(alert(price=float("nan"))).encode().replace(b"NaN", b"1e999"), 422, "price"),
    (json.dumps(alert(time="yesterday")).encode(), 422, "{{time}}"),
    (json.dumps(alert(schema="other/1")).encode(), 422, "schema"),
    (json.dumps(alert(idea="../etc/passwd")).encode(), 422, "idea"),
    (json.dumps(alert(idea="no-such-idea")).encode(), 404, "no idea"),
    (b"{" + b" " * 20_000 + b"}", 413, "at most"),
])
def test_bad_bodies_get_a_clear_answer_and_journal_nothing(client, body, status, words):
    res = client.post(f"/inbound/tradingview/{SECRET}", content=body)
    assert res.status_code == status, res.text
    assert words in res.json()["error"]
    assert externals() == []


def test_a_re_sent_alert_is_journaled_once(client):
    answers = [client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert())).json() for _ in range(3)]
    assert [a["status"] for a in answers] == ["journaled", "duplicate", "duplicate"]
    assert len({a["id"] for a in answers}) == 1
    # another bar, another key: new alerts
    client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert(time="2023-06-15T13:30:00Z")))
    client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert(kind="target_hit", key="target 1")))
    assert len(externals()) == 3


def test_a_flood_is_cut_by_the_rate_limit(client):
    codes = [client.post(f"/inbound/tradingview/{SECRET}",
                         content=json.dumps(alert(time=f"2023-06-{1 + i % 28:02d}T13:30:00Z"))).status_code
             for i in range(inbound.RATE + 15)]
    assert codes[:inbound.RATE].count(200) == inbound.RATE
    assert codes[inbound.RATE:] == [429] * 15
    res = client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert()))
    assert res.status_code == 429 and int(res.headers["Retry-After"]) >= 1
    assert len(externals()) == 28          # 28 distinct bars; the repeats were duplicates


def test_wrong_secrets_count_against_the_limit_too(client):
    codes = [client.post("/inbound/tradingview/guess-" + str(i), content=b"{}").status_code
             for i in range(inbound.RATE + 1)]
    assert set(codes[:inbound.RATE]) == {403} and codes[-1] == 429


def test_the_endpoint_answers_loopback_names_only(client):
    res = client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert()),
                      headers={"host": "evil.example:8765"})
    assert res.status_code == 403 and externals() == []


def test_thesis_journal_shows_tradingview_alerts_beside_thesis_events(client, folder):
    runner = CliRunner()
    res = runner.invoke(cli, ["watch", "--once", "--asof", "2023-06-14", str(folder)], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert(kind="zone_touched", key="", price=188.5,
                                                                          time="2023-06-13T13:30:00Z")))
    client.post(f"/inbound/tradingview/{SECRET}", content=json.dumps(alert(idea=LONG, kind="zone_touched", key="",
                                                                          price=163.2,
                                                                          time="2023-10-27T13:30:00Z")))
    doc = json.loads(runner.invoke(cli, ["journal", SEED, "--json"]).stdout)
    by_source = {}
    for e in doc["events"]:
        by_source.setdefault(e["source"], []).append((e["session"], e["kind"]))
    assert ("2023-06-13", "zone_touched") in by_source["thesis"]      # thesis's own event ...
    assert by_source["tradingview"] == [("2023-06-13", "tradingview: zone_touched")]   # ... and TradingView's
    table = runner.invoke(cli, ["journal", SEED], env={"COLUMNS": "80"})
    assert table.exit_code == 0 and "tradingview:" in table.stdout and "zone_touched" in table.stdout
    assert LONG in runner.invoke(cli, ["journal", LONG, "--json"]).stdout


def test_the_idea_page_offers_the_pine_script(client, folder):
    from thesis.export.pine import export
    from thesis.spec import load

    res = client.get(f"/ideas/{SEED}/pine")
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/plain")
    assert res.text == export(load(folder / f"{SEED}.toml"), folder / f"{SEED}.toml")[0]
    assert client.get("/ideas/no-such-idea/pine").status_code == 404
    page = client.get(f"/ideas/{SEED}").text
    assert f'data-src="/ideas/{SEED}/pine"' in page and 'id="pine-copy"' in page and "/static/pine.js" in page
