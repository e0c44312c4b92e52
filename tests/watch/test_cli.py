"""The commands as a user runs them: watch --once --asof, ideas, journal (--json, --pending), note."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import tomlkit
from PIL import Image
from typer.testing import CliRunner

from thesis.cli import app
from thesis.spec import load

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], env={"COLUMNS": "80"})


def test_watch_once_asof_prints_the_board_and_alerts(private_home):
    res = run("watch", "--once", "--asof", "2023-06-14", ROOT / "examples")
    assert res.exit_code == 0, res.output
    assert "ideas at the close of 2023-06-14" in res.output
    assert "in trade" in res.output
    # the other example is published on 2023-10-27: not on a board of 2023-06-14, named under it
    assert "waiting" not in res.output
    assert "not shown, published after 2023-06-14: iwm-oversold-bounce-long (2023-10-27)" in res.output
    assert "filled" in res.output and "sold short IWM at 188.00" in res.output
    again = run("watch", "--once", "--asof", "2023-06-14", ROOT / "examples")
    assert "no new alerts" in again.output


def test_ideas_json_and_journal_json(private_home):
    res = run("ideas", ROOT / "examples", "--asof", "2023-12-29", "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    rows = {r["id"]: r for r in doc["ideas"]}
    assert rows["iwm-no-love-for-small-caps"]["state"] == "closed"
    assert rows["iwm-no-love-for-small-caps"]["reason"] == "time"
    assert rows["iwm-oversold-bounce-long"]["reason"] == "target 2 of 2"
    assert all({"id", "file", "state", "reason"} <= set(r) for r in doc["ideas"])
    assert not (private_home / "watch" / "journal.jsonl").exists(), "`thesis ideas` only reads"
    assert run("watch", ROOT / "examples", "--once", "--asof", "2023-12-29").exit_code == 0
    doc = json.loads(run("journal", "--json").output)
    kinds = [(e["idea"], e["kind"]) for e in doc["events"]]
    assert ("iwm-oversold-bounce-long", "target_hit") in kinds
    e = doc["events"][0]
    assert {"id", "idea", "kind", "session", "price", "text", "deliveries"} <= set(e)
    one = json.loads(run("journal", "iwm-oversold-bounce-long", "--since", "2023-11-01", "--json").output)
    assert one["events"] and all(x["idea"] == "iwm-oversold-bounce-long" and x["session"] >= "2023-11-01"
                                 for x in one["events"])
    assert json.loads(run("journal", "--pending", "--json").output)["events"] == []


def test_journal_pending_lists_failed_deliveries(private_home, tmp_path):
    alerts = tmp_path / "alerts.toml"
    alerts.write_text('snapshots = false\n[[channels]]\nkind = "webhook"\nname = "desk"\n'
                      'url = "http://127.0.0.1:9/hook"\ntimeout = 0.5\n')
    res = run("watch", ROOT / "examples", "--once", "--asof", "2023-06-14", "--alerts", alerts)
    assert res.exit_code == 1, res.output          # a channel failed; the alerts wait in the journal
    assert "desk: failed" in res.output
    doc = json.loads(run("journal", "--pending", "--json").output)
    # the channel is tried once per pass: one alert failed, the others wait untried
    statuses = [e["deliveries"]["desk"]["status"] for e in doc["events"]]
    assert statuses.count("failed") == 1 and set(statuses) == {"failed", "pending"}
    failed = next(e for e in doc["events"] if e["deliveries"]["desk"]["status"] == "failed")
    assert "127.0.0.1:9" in failed["deliveries"]["desk"]["error"]
    # the untried ones wait for the channel's next try, and say so
    assert {e["deliveries"]["desk"]["next_try"] for e in doc["events"]} == {failed["deliveries"]["desk"]["next_try"]}
    text = run("journal", "--pending")
    assert "pending alerts" in text.output and "failed" in text.output


def test_bad_inputs_exit_2_with_the_thing_named(private_home, tmp_path):
    res = run("watch", tmp_path / "nope", "--once")
    assert res.exit_code == 2 and "nope" in res.output
    res = run("watch", ROOT / "examples", "--once", "--alerts", tmp_path / "missing.toml")
    assert res.exit_code == 2 and "missing.toml" in res.output
    res = run("watch", ROOT / "examples", "--once", "--asof", "2031-01-01")
    assert res.exit_code == 2 and "outside the market calendar" in res.output
    res = run("watch", ROOT / "examples", "--once", "--asof", "2023-02-30")
    assert res.exit_code == 2 and "not a date" in res.output
    bad = tmp_path / "ideas"
    bad.mkdir()
    (bad / "zzz.toml").write_text(SEED.read_text().replace('symbol = "IWM"', 'symbol = "NOSUCHSYM"'))
    res = run("watch", bad, "--once", "--asof", "2023-06-14")
    assert res.exit_code == 2 and "NOSUCHSYM" in res.output and "Traceback" not in res.output
    half = tmp_path / "half"
    half.mkdir()
    (half / "a.toml").write_text(SEED.read_text()[:420])
    res = run("watch", half, "--once", "--asof", "2023-06-14")
    flat = res.output.replace("\n", "")          # rich wraps a long temp path mid-name
    assert res.exit_code == 2 and "half/a.toml" in flat and "Traceback" not in res.output
    assert run("watch", ROOT / "examples", "--once", "--wait", "nan").exit_code == 2
    assert run("note", SEED, "x", "--date", "2099-01-01").exit_code == 2
    (tmp_path / "twin").mkdir()
    (tmp_path / "twin" / "zzz.toml").write_text(SEED.read_text())
    res = run("watch", bad, tmp_path / "twin", "--once")
    assert res.exit_code == 2 and "two idea files have the id 'zzz'" in res.output
    res = run("journal", "no-such-idea")
    assert res.exit_code == 2 and "no-such-idea" in res.output


def _without_notes(text: str) -> str:
    doc = tomlkit.parse(text)
    del doc["notes"]
    return tomlkit.dumps(doc)


def test_the_seed_notes_replayed_through_thesis_note(tmp_path, private_home):
    seed = load(SEED)
    f = tmp_path / "iwm-no-love-for-small-caps.toml"
    f.write_text(_without_notes(SEED.read_text()))
    assert load(f).notes == []
    for n in seed.notes:
        res = run("note", f, n.text, "--date", n.date.isoformat(), "--snapshot")
        assert res.exit_code == 0, res.output
    got = load(f)
    assert [(n.date, n.text) for n in got.notes] == [(n.date, n.text) for n in seed.notes]
    pngs = sorted((tmp_path / "iwm-no-love-for-small-caps.notes").glob("*.png"))
    assert [p.stem for p in pngs] == [n.date.isoformat() for n in seed.notes] and len(pngs) == 6
    with Image.open(pngs[0]) as im:
        assert im.size == (1600, 900)
    text = f.read_text()
    # comments and layout kept
    assert '# "You\'ll need 4-6 months or so"' in text and "# a Sunday: replay starts on Monday" in text
    assert text.index("[levels]") < text.index("[[notes]]")
    # the same note again changes nothing; notes are journaled
    before = text
    run("note", f, seed.notes[0].text, "--date", seed.notes[0].date.isoformat())
    assert f.read_text() == before
    doc = json.loads(run("journal", "--json").output)
    assert sum(e["kind"] == "note" for e in doc["events"]) == 6
    # a watch pass journals the file's notes too, with the same ids: nothing twice
    assert run("watch", f, "--once", "--asof", "2023-08-31").exit_code == 0
    doc = json.loads(run("journal", "--json").output)
    assert sum(e["kind"] == "note" for e in doc["events"]) == 6


def test_watch_journals_notes_that_thesis_note_could_not(private_home):
    assert run("watch", SEED, "--once", "--asof", "2023-06-14").exit_code == 0
    doc = json.loads(run("journal", "--json").output)
    notes = [e for e in doc["events"] if e["kind"] == "note"]
    assert [n["session"] for n in notes] == ["2023-06-05", "2023-06-08", "2023-06-13", "2023-06-14"]
    assert all(n["deliveries"] == {} for n in notes)


def test_note_refuses_bad_input_and_leaves_the_file(tmp_path):
    f = tmp_path / "idea.toml"
    f.write_text(SEED.read_text())
    before = f.read_text()
    assert run("note", f, "   ").exit_code == 2
    res = run("note", f, "too early", "--date", "2020-01-01")
    assert res.exit_code == 2 and "before the idea was published" in res.output
    broken = tmp_path / "broken.toml"
    broken.write_text(before[:200])
    res = run("note", broken, "x")
    assert res.exit_code == 2 and "broken.toml" in res.output
    assert f.read_text() == before


def test_thesis_watch_help_stays_light():
    env = dict(os.environ)
    code = ("import sys; from thesis.cli import app; "
            "import typer.main; typer.main.get_command(app); "
            "print(','.join(m for m in ('pandas', 'numba', 'matplotlib', 'apprise', 'tomlkit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "apprise" not in out.stdout and "tomlkit" not in out.stdout


def test_every_loops_without_an_alert_storm(private_home, tmp_path):
    """`--every 1s` in real time: passes repeat; the data ends before today, but both example ideas are
    closed, so no pass journals data_stale for them (an open idea's is journaled once per day, see
    test_closed_ideas_get_no_data_stale_in_once_dry_run_or_every)."""
    env = dict(os.environ, THESIS_HOME=str(private_home), COLUMNS="80")
    out = tmp_path / "out.txt"
    with open(out, "w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "thesis", "watch", str(ROOT / "examples"), "--every", "1s"],
                                stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        try:
            deadline = time.monotonic() + 60
            while out.read_text().count("ideas at the close of") < 3 and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            proc.kill()
            proc.wait()
    text = out.read_text()
    assert text.count("ideas at the close of") >= 3, text[-2000:]
    doc = json.loads(run("journal", "--json").output)
    stale = [e for e in doc["events"] if e["kind"] == "data_stale"]
    assert stale == []          # both examples are closed: never checked again, so never stale
    assert "Traceback" not in text


def test_the_pass_says_what_it_retried_delivered_and_left_pending(private_home, tmp_path, httpserver):
    from werkzeug.wrappers import Response

    mode = {"status": 503}
    httpserver.expect_request("/hook", method="POST").respond_with_handler(
        lambda request: Response("{}", status=mode["status"]))
    alerts = tmp_path / "alerts.toml"
    alerts.write_text(f'retry_seconds = 0\nsnapshots = false\n[[channels]]\nkind = "webhook"\nname = "desk"\n'
                      f'url = "{httpserver.url_for("/hook")}"\n')
    first = run("watch", ROOT / "examples", "--once", "--asof", "2023-06-14", "--alerts", alerts)
    assert first.exit_code == 1
    n = json.loads(run("journal", "--json").output)["events"]
    n = sum(1 for e in n if e["deliveries"])
    assert n >= 2
    assert "delivered: 0 alert(s)" in first.stdout
    assert f"still pending: {n} alert(s), {n - 1} not tried" in first.stdout
    assert "error: 1 alert(s) not delivered on desk: HTTP 503" in first.stderr
    # a pass with nothing new whose due retries fail: it says so, on stderr too
    second = run("watch", ROOT / "examples", "--once", "--asof", "2023-06-14", "--alerts", alerts)
    assert second.exit_code == 1 and "no new alerts" in second.stdout
    assert "retried: 1 alert(s) from earlier passes, 0 delivered, 1 failed" in second.stdout
    assert "HTTP 503" in second.stderr
    mode["status"] = 200
    third = run("watch", ROOT / "examples", "--once", "--asof", "2023-06-14", "--alerts", alerts)
    assert third.exit_code == 0, third.output
    assert f"retried: {n} alert(s) from earlier passes, {n} delivered, 0 failed" in third.stdout
    assert f"delivered: {n} alert(s)" in third.stdout and "still pending: 0 alert(s)" in third.stdout
    assert third.stderr == ""


def test_a_dry_run_says_would(private_home):
    res = run("watch", ROOT / "examples", "--once", "--asof", "2023-12-29", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "older event(s) would be journaled as history" in res.stdout
    assert not (private_home / "watch" / "journal.jsonl").exists()
    res = run("watch", ROOT / "examples", "--once", "--asof", "2023-12-29")
    assert "older event(s) journaled as history" in res.stdout


def test_closed_ideas_get_no_data_stale_in_once_dry_run_or_every(private_home, tmp_path):
    """Both examples are closed (time; target 2 of 2) long before the data ends; a session past the
    data's last bar makes every open idea stale, and the closed ones stay quiet."""
    short = tmp_path / "short"
    short.mkdir()
    src = Path(os.environ["THESIS_DATA"]) / "daily"
    for sym in ("IWM", "SPY", "QQQ"):
        lines = (src / f"{sym}.csv").read_text().splitlines()
        (short / f"{sym}.csv").write_text("\n".join([lines[0]] + [ln for ln in lines[1:] if ln[:10] <= "2023-12-29"])
                                          + "\n")
    folder = tmp_path / "ideas"
    folder.mkdir()
    for f in (ROOT / "examples").glob("*.toml"):
        (folder / f.name).write_text(f.read_text())
    (folder / "waiting.toml").write_text(                 # a control: open, so its data is stale
        'schema_version = 1\n[idea]\ntitle = "never fills"\nsymbol = "IWM"\npublished = 2023-11-01\n'
        'direction = "long"\nhorizon = "6mo"\n[levels]\nentry_zone = [100.0, 101.0]\nstop = 90.0\n'
        'targets = [300.0]\n')
    args = ["watch", folder, "--once", "--asof", "2024-01-12", "--source", f"csv:{short}", "--json"]
    for i, extra in enumerate((["--dry-run"], [], [], ["--dry-run"])):   # a dry run, then passes as a loop runs them
        res = run(*args, *extra)
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        states = {r["id"]: r["state"] for r in doc["ideas"]}
        assert states == {"iwm-no-love-for-small-caps": "closed", "iwm-oversold-bounce-long": "closed",
                          "waiting": "waiting"}
        stale = [e["idea"] for e in doc["new_events"] if e["kind"] == "data_stale"]
        assert stale == (["waiting"] if i in (0, 1) else []), (i, stale)
    journal = json.loads(run("journal", "--json").output)["events"]
    assert [e["idea"] for e in journal if e["kind"] == "data_stale"] == ["waiting"]


def test_a_long_journal_table_shows_its_latest_rows_and_json_all(private_home, monkeypatch):
    from thesis.cli import watch as watch_cli

    folder = private_home / "watch"
    folder.mkdir(parents=True, exist_ok=True)
    sessions = [f"2024-01-{d:02d}" for d in range(2, 12)]
    with open(folder / "journal.jsonl", "w") as fh:
        for i, day in enumerate(sessions):
            fh.write(json.dumps({"t": "event", "id": f"a:{i}", "idea": "a", "kind": "zone_touched", "session": day,
                                "price": 100.0 + i, "r": None, "text": f"touch {i}", "revision": 0,
                                "file": "ideas/a.toml", "recorded": f"2024-01-12T00:00:0{i}+00:00",
                                "outbox": ["log"], "symbol": "SPY"}) + "\n")
    monkeypatch.setattr(watch_cli, "TABLE_ROWS", 3)
    text = run("journal").output
    assert "the latest 3 of 10 rows" in text
    assert sessions[-1] in text and sessions[-3] in text and sessions[-4] not in text
    doc = json.loads(run("journal", "--pending", "--json").output)     # streamed an event per line
    assert [e["session"] for e in doc["events"]] == sessions
    assert doc["events"][0]["deliveries"] == {"log": {"status": "pending", "attempts": 0}}
