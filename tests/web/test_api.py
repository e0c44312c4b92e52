"""The dashboard's JSON is the CLI's JSON; its pages escape what users write; ids cannot
leave the ideas folder; the note form is the only write and needs its token."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.web.conftest import LONG, SEED, copy_examples, make_client
from thesis.cli import app as cli


def run_cli(*args) -> dict:
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_board_is_the_ideas_document(client, ideas_dir):
    got = client.get("/api/ideas")
    assert got.status_code == 200
    doc = got.json()
    assert [r["id"] for r in doc["ideas"]] == [SEED, LONG]
    assert (doc.pop("total"), doc.pop("offset"), doc.pop("limit")) == (2, 0, 200)  # one page, the default size
    assert doc == run_cli("ideas", str(ideas_dir.resolve()), "--json")
    page = client.get("/")
    assert page.status_code == 200
    assert "IWM: no love for small caps" in page.text and 'data-id="iwm-oversold-bounce-long"' in page.text
    assert page.text.count("<polyline") == 2  # one sparkline per idea


def test_board_pages_are_disjoint_and_make_up_the_whole_board(tmp_path):
    copy_examples(tmp_path)
    for i, src in enumerate(sorted(tmp_path.glob("*.toml")) * 3):   # 6 more files: 8 ideas
        (tmp_path / f"copy-{i}-{src.name}").write_text(src.read_text())
    board = make_client(tmp_path)
    whole = board.get("/api/ideas?limit=100").json()
    assert whole["total"] == len(whole["ideas"]) == 8
    pages = [board.get(f"/api/ideas?offset={at}&limit=3").json() for at in (0, 3, 6, 9)]
    assert [len(p["ideas"]) for p in pages] == [3, 3, 2, 0] and {p["total"] for p in pages} == {8}
    assert [r for p in pages for r in p["ideas"]] == whole["ideas"]   # disjoint, in order, nothing lost
    first = board.get("/?limit=3")
    assert first.text.count("<tr data-id=") == 3 and 'href="/?offset=3&amp;limit=3"' in first.text
    assert "ideas 1&ndash;3 of 8" in first.text and 'rel="prev"' not in first.text
    last = board.get("/board/rows?offset=6&limit=3").text
    assert [line.split('"')[1] for line in last.splitlines() if line.startswith("<tr data-id=")] == \
        [r["id"] for r in whole["ideas"][6:]]
    assert 'href="/?offset=3&amp;limit=3" rel="prev"' in board.get("/?offset=6&limit=3").text


@pytest.mark.parametrize("query, name", [("offset=-1", "offset"), ("offset=x", "offset"), ("limit=0", "limit"),
                                         ("limit=1e3", "limit"), ("limit=100001", "limit")])
def test_bad_paging_is_a_400_naming_the_parameter(client, query, name):
    for url in ("/api/ideas", "/", "/board/rows"):
        r = client.get(f"{url}?{query}")
        assert r.status_code == 400 and f"{name} must be" in r.text, (url, r.status_code, r.text[:200])


def test_an_asof_board_leaves_out_ideas_published_later(client, ideas_dir):
    """The long idea is published on 2023-10-27: a board as of 2023-06-14 has no row, level, price
    or distance for it (on that date it did not exist) and names it under the table."""
    doc = client.get("/api/ideas?asof=2023-06-14").json()
    assert [r["id"] for r in doc["ideas"]] == [SEED]
    assert doc["not_yet_published"] == [{"id": LONG, "published": "2023-10-27"}]
    assert (doc.pop("total"), doc.pop("offset"), doc.pop("limit")) == (1, 0, 200)
    assert doc == run_cli("ideas", str(ideas_dir.resolve()), "--asof", "2023-06-14", "--json")
    page = client.get("/?asof=2023-06-14")
    assert f'data-id="{LONG}"' not in page.text
    assert f"Not shown, published after 2023-06-14: {LONG} (2023-10-27)" in page.text


def test_evaluate_replay_options_market_are_the_cli_documents(client, ideas_dir):
    idea = str(ideas_dir / f"{SEED}.toml")
    assert client.get(f"/api/ideas/{SEED}/evaluate?asof=2023-06-14").json() == \
        run_cli("evaluate", idea, "--asof", "2023-06-14", "--json")
    assert client.get(f"/api/ideas/{SEED}/replay").json() == run_cli("replay", idea, "--json")
    assert client.get(f"/api/ideas/{SEED}/options").json() == run_cli("options", "plan", idea, "--json")
    assert client.get("/api/market?asof=2023-06-14").json() == run_cli("market", "--asof", "2023-06-14", "--json")



def test_the_api_documents_validate_against_the_published_schemas(client):
    """/api/replay and /api/evaluate serve the typed documents: docs/schema validates them."""
    import jsonschema

    root = Path(__file__).resolve().parents[2]
    for kind, url in (("evaluate", f"/api/ideas/{SEED}/evaluate?asof=2023-06-14"), ("replay", f"/api/ideas/{SEED}/replay")):
        schema = json.loads((root / "docs" / "schema" / f"{kind}.json").read_text(encoding="utf-8"))
        doc = client.get(url).json()
        assert doc["schema"] == f"thesis.{kind}/2"
        assert not [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(doc)][:3], kind

def test_study_is_the_cli_document(client, ideas_dir):
    got = client.get(f"/api/ideas/{LONG}/study", params={"grid": "stop=5%,8% target=2R,3R"})
    assert got.status_code == 200
    want = run_cli("study", str(ideas_dir / f"{LONG}.toml"), "--grid", "stop=5%,8%", "target=2R,3R", "--json")
    doc = got.json()
    doc.pop("timing"), want.pop("timing")
    assert doc == want
    html = client.get(f"/ideas/{LONG}/study/result", params={"grid": "stop=5%,8% target=2R,3R"}).text
    assert html.count('class="bar"') == len(doc["summary"]["r_histogram"]["counts"])
    assert len(re.findall(r"data-mean-r=", html)) == 4  # the 2 x 2 heat map


def test_idea_document_as_of_a_date(client):
    doc = client.get(f"/api/ideas/{SEED}?asof=2023-06-14").json()
    assert doc["asof"] == "2023-06-14"
    assert doc["evaluate"]["state"]["state"] == "in trade"
    c = doc["chart"]
    assert c["stop"] == 212.0 and c["targets"] == [130.0] and c["zone"] == [188.0, 190.0]
    entries = [m for m in c["markers"] if m["kind"] == "entry"]
    assert [(m["date"], m["price"]) for m in entries] == [("2023-06-13", 188.0)]
    assert not [m for m in c["markers"] if m["kind"] == "exit"]  # the exit lies after 2023-06-14
    assert [m["date"] for m in c["markers"] if m["kind"] == "note"] == ["2023-06-05", "2023-06-08", "2023-06-13",
                                                                         "2023-06-14"]
    assert c["bars"]["t"][-1] == 1686700800  # 2023-06-14, nothing later is known
    later = client.get(f"/api/ideas/{SEED}").json()
    exits = [m for m in later["chart"]["markers"] if m["kind"] == "exit"]
    assert [(m["date"], m["price"]) for m in exits if m["variant"] == "limit"] == [("2023-12-13", 193.33)]
    weekly = client.get(f"/api/ideas/{SEED}/chart?tf=1w&asof=2023-06-14").json()
    assert weekly["timeframe"] == "1w" and len(weekly["bars"]["t"]) < len(c["bars"]["t"]) / 4


def raw_get(app, raw: str) -> tuple[int, bytes]:
    """GET a raw path the way uvicorn hands it over (percent-decoded path, raw bytes kept),
    with no client in between to normalise '..' away."""
    import asyncio
    from urllib.parse import unquote

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": unquote(raw), "raw_path": raw.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1:8765")], "client": ("127.0.0.1", 50000),
             "server": ("127.0.0.1", 8765)}
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.parametrize("path", [
    "/ideas/..", "/ideas/%2e%2e", "/ideas/%2E%2E%2F%2E%2E%2Fpyproject", "/ideas/../../etc/passwd", "/ideas/..%2F..%2Fetc%2Fpasswd", "/ideas/%2Fetc%2Fpasswd", "/ideas/nope",
    f"/ideas/{SEED}.toml", "/ideas/.hidden", "/api/ideas/..%2Fconftest", "/api/ideas/%2e%2e%2f%2e%2e%2fetc%2fpasswd/replay",
    "/api/ideas/outside", "/api/ideas/inner/replay", "/ideas/outside/study", "/api/ideas/outside/evaluate",
    "/static/..%2F..%2Fapp.py", "/static/%2e%2e/%2e%2e/cli/serve.py",
])
def test_ids_stay_inside_the_folder(tmp_path, path):
    folder = copy_examples(tmp_path / "ideas")
    secret = tmp_path / "outside.toml"
    secret.write_text((folder / f"{SEED}.toml").read_text())
    (folder / "outside.toml").symlink_to(secret)          # a symlink out of the folder
    (folder / "inner").mkdir()
    (folder / "inner" / "x.toml").write_text("")
    client = make_client(folder)
    status, body = raw_get(client.app, path)
    assert status == 404, (path, status)
    assert b"no love" not in body.lower() and b"[tool." not in body and b"root:" not in body


def test_symlink_inside_the_folder_is_an_idea(tmp_path):
    folder = copy_examples(tmp_path / "ideas")
    (folder / "alias.toml").symlink_to(folder / f"{LONG}.toml")
    assert "alias" in [r["id"] for r in make_client(folder).get("/api/ideas").json()["ideas"]]


def test_a_note_with_markup_is_text(tmp_path):
    folder = copy_examples(tmp_path / "ideas")
    client = make_client(folder)
    page = client.get(f"/ideas/{SEED}")
    token = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    evil = "<script>alert('x')</script> & <b>bold</b>"
    url = f"/ideas/{SEED}/notes"
    form = {"date": "2023-08-01", "text": evil}
    assert client.post(url, data=form).status_code == 403                       # no token
    assert client.post(url, data={**form, "csrf": "0" * 64}).status_code == 403  # wrong token
    assert client.post(url, data={**form, "csrf": token},
                       headers={"Origin": "http://evil.example"}).status_code == 403  # cross-site
    before = (folder / f"{SEED}.toml").read_text()
    done = client.post(url, data={**form, "csrf": token}, headers={"Origin": "http://127.0.0.1:8765"})
    assert done.status_code == 303 and done.headers["location"] == f"/ideas/{SEED}#notes"
    after = (folder / f"{SEED}.toml").read_text()
    assert after.startswith(before.rstrip("\n"))  # comments and layout kept, the note appended
    assert "# a Sunday: replay starts on Monday 2023-06-05" in after and "2023-08-01" in after
    html = client.get(f"/ideas/{SEED}").text
    assert "<script>alert(" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in html  # the timeline
    assert "\\u003cscript\\u003ealert" in html  # inside the page's JSON
    notes = [m for m in client.get(f"/api/ideas/{SEED}").json()["chart"]["markers"] if m["kind"] == "note"]
    assert notes[-1]["text"] == evil
    bad = client.post(url, data={"date": "2023-08-01", "text": "  ", "csrf": token})
    assert bad.status_code in (400, 422) and (folder / f"{SEED}.toml").read_text() == after


def test_token_and_host_rules(tmp_path):
    folder = copy_examples(tmp_path / "ideas")
    secret = "s3cret-token-0123456789"
    client = make_client(folder, token=secret, host="0.0.0.0")
    assert client.get("/api/ideas/nope").status_code == 401
    assert client.get("/static/app.css").status_code == 401
    assert client.get("/api/ideas/nope", headers={"Authorization": "Bearer wrong-token-000000"}).status_code == 401
    assert client.get("/api/ideas/nope", headers={"Authorization": f"Bearer {secret}"}).status_code == 404
    first = client.get(f"/static/app.css?token={secret}")
    assert first.status_code == 200 and "thesis_token" in first.headers["set-cookie"]
    assert "httponly" in first.headers["set-cookie"].lower()
    assert client.get("/static/app.css").status_code == 200  # the cookie carries it now
    open_client = make_client(folder)
    assert open_client.get("/static/app.css", headers={"Host": "evil.example"}).status_code == 403
    ok = open_client.get("/static/app.css", headers={"Host": "localhost:8765"})
    assert ok.status_code == 200 and "default-src 'self'" in ok.headers["content-security-policy"]


def test_bad_requests_answer_clearly(client):
    r = client.get(f"/api/ideas/{SEED}?asof=yesterday")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["error"]
    assert client.get(f"/api/ideas/{SEED}?tf=5m").status_code == 400
    r = client.get(f"/ideas/{SEED}?asof=2023-02-30")
    assert r.status_code == 400 and "2023-02-30" in r.text and "Traceback" not in r.text
    r = client.get(f"/api/ideas/{SEED}?asof=1990-01-01")  # before the idea's bars: the replay's own error
    assert r.status_code == 422 and r.json()["error"]


def test_serve_refuses_what_it_must():
    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "--host", "0.0.0.0"], env={"THESIS_SERVE_TOKEN": ""})
    assert r.exit_code == 2 and "--token" in r.output and "refusing" in r.output
    r = runner.invoke(cli, ["serve", "--ideas", "/no/such/folder"])
    assert r.exit_code == 2 and "/no/such/folder" in r.output
    r = runner.invoke(cli, ["serve", "--host", "0.0.0.0", "--token", "short"])
    assert r.exit_code == 2 and "16" in r.output
    r = runner.invoke(cli, ["serve", "--port", "70000"])
    assert r.exit_code == 2 and "70000" in r.output
    assert "Traceback" not in r.output and os.environ.get("THESIS_SERVE_TOKEN") is None


def test_the_timeline_comes_from_the_watch_journal(tmp_path):
    folder = copy_examples(tmp_path / "ideas")
    client = make_client(folder)
    before = client.get(f"/api/ideas/{SEED}?asof=2023-07-10").json()["journal"]
    assert before["source"] == "replay"  # no journal yet (THESIS_HOME is this test's own)
    res = CliRunner().invoke(cli, ["watch", str(folder), "--once", "--asof", "2023-07-10"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    got = client.get(f"/api/ideas/{SEED}?asof=2023-07-10").json()["journal"]
    assert got["source"] == "journal"
    kinds = [e["kind"] for e in got["events"]]
    # the notes up to the as-of date only (five of six: the 2023-07-31 note is after it; before issue 20
    # the timeline also listed that later note)
    assert "filled" in kinds and kinds.count("note") == 5
    assert all(e["date"] <= "2023-07-10" for e in got["events"])
    # the trigger of 2023-06-14, after the limit fill, opens the signal variant (filled 2023-06-15)
    assert [(e["kind"], e["date"], e["price"]) for e in got["events"] if e.get("variant") == "signal"] == [
        ("trigger", "2023-06-14", pytest.approx(185.91)), ("filled", "2023-06-15", pytest.approx(185.08))]
    filled = next(e for e in got["events"] if e["kind"] == "filled")
    assert filled["date"] == "2023-06-13" and filled["price"] == 188.0


def test_scorecard_is_the_cli_document_and_its_page_links_ideas(client, ideas_dir):
    got = client.get("/api/scorecard")
    assert got.status_code == 200
    doc = got.json()
    cli_doc = run_cli("scorecard", str(ideas_dir.resolve()), "--json")
    for d in (doc, cli_doc):
        d.pop("timing")
    assert doc == cli_doc
    assert doc["schema"] == "thesis.scorecard/1" and len(doc["ideas"]) == 2
    page = client.get("/scorecard")
    assert page.status_code == 200
    assert "Verdict:" in page.text and "too few filled ideas" in page.text
    assert f'href="/ideas/{SEED}"' in page.text and f'href="/ideas/{LONG}"' in page.text
    assert page.text.count('src="data:image/png;base64,') == 2 * len(doc["authors"])


def test_the_idea_page_replays_once_per_file_version_asof_and_source(tmp_path, monkeypatch):
    """One replay (one lifecycle) serves evaluate, replay, chart and timeline of the idea page, for
    every timeframe; a new as-of date or an edited file is one more."""
    import importlib

    from thesis.web.core import idea_document

    module = importlib.import_module("thesis.replay")   # (the package's `replay` verb shadows the name)
    folder = copy_examples(tmp_path / "ideas")
    path = folder / f"{SEED}.toml"
    calls = []
    real = module.replay
    monkeypatch.setattr(module, "replay", lambda *a, **kw: calls.append(kw.get("asof")) or real(*a, **kw))
    monkeypatch.setattr(importlib.import_module("thesis.evaluate"), "replay",
                        lambda *a, **kw: pytest.fail("evaluate replayed again"))
    for tf in ("1d", "1w"):
        doc = idea_document(SEED, path, asof="2023-07-10", timeframe=tf)
        assert doc["evaluate"]["state"]["state"] == "in trade"
    assert calls == ["2023-07-10"]
    idea_document(SEED, path, asof="2023-07-11")
    assert calls == ["2023-07-10", "2023-07-11"]
    path.write_text(path.read_text() + "\n# edited\n")
    os.utime(path, ns=(1, 1))
    idea_document(SEED, path, asof="2023-07-11")
    assert len(calls) == 3
