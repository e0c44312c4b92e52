"""The journal's guarantees, each tested by really killing processes.

* idempotent: the same bars journal nothing new;
* a pass SIGKILLed anywhere leaves the journal readable and, per idea, a prefix of the events a clean
  run writes; the next pass completes it with no duplicate and no gap;
* two writers: the second waits, or refuses naming the holder's pid;
* revisions, half-saved files, deleted files, stale data.
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from thesis.errors import StoreError
from thesis.watch.journal import Journal, JournalBusy, read_records
from thesis.watch.run import board, not_yet_published, watch_pass

ROOT = Path(__file__).resolve().parents[2]
ASOFS = [d.date().isoformat() for d in pd.bdate_range("2022-08-01", "2023-03-31", freq="10B")]


def per_idea(records) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for r in records:
        if r.t == "event":
            out.setdefault(r.idea, []).append(r.id)
    return out


def clean_run(folder: Path, home: Path) -> dict[str, list[str]]:
    jr = Journal(home / "watch")
    for asof in ASOFS:
        watch_pass([folder], asof=asof, journal=jr)
    return per_idea(read_records(jr.path))


def test_rerun_is_idempotent(idea_dir, private_home):
    first = watch_pass([idea_dir], asof="2023-03-31")
    assert len(first.new_events) >= 15
    kinds = Counter(e["kind"] for e in first.new_events)
    assert kinds["filled"] >= 5 and kinds["stopped"] >= 2 and kinds["expired"] >= 1 and kinds["target_hit"] >= 1
    size = (private_home / "watch" / "journal.jsonl").stat().st_size
    again = watch_pass([idea_dir], asof="2023-03-31")
    assert again.new_events == []
    assert (private_home / "watch" / "journal.jsonl").stat().st_size == size
    ids = [r.id for r in read_records(private_home / "watch" / "journal.jsonl") if r.t == "event"]
    assert len(ids) == len(set(ids))


def test_sigkill_at_random_points_never_duplicates_or_loses(idea_dir, tmp_path, private_home):
    want = clean_run(idea_dir, tmp_path / "clean-home")
    total = sum(map(len, want.values()))
    assert total >= 15
    jr_path = private_home / "watch" / "journal.jsonl"
    rng = random.Random(11)
    kills = cycles = 0
    progress = set()                             # journal sizes seen at the kills: kills land mid-work
    deadline = time.monotonic() + 5.0            # a few seconds of kill/restart cycles ...
    hard_stop = deadline + 60.0                  # ... longer on a loaded machine, until kills land mid-work
    while kills < 60 and time.monotonic() < hard_stop and (time.monotonic() < deadline or len(progress) < 3):
        pid = os.fork()
        if pid == 0:                             # child: passes over growing as-of dates until killed
            try:
                jr = Journal(private_home / "watch")
                for asof in ASOFS:
                    watch_pass([idea_dir], asof=asof, journal=jr, wait=30)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0.0, min(0.4, 0.03 + 0.015 * kills)))   # later and later: the whole range
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        kills += os.WIFSIGNALED(status)
        got = per_idea(read_records(jr_path))   # readable after any kill
        size = sum(map(len, got.values()))
        progress.add(size)
        for idea, ids in got.items():
            assert len(ids) == len(set(ids)), f"duplicate after kill {kills}"
            assert ids == want[idea][:len(ids)], f"gap or reorder in {idea} after kill {kills}"
        if size == total:                        # a cycle completed by restarts: verify, start again
            assert got == want
            cycles += 1
            shutil.rmtree(private_home / "watch")
    assert kills >= 5 and len(progress) >= 3, (kills, progress)
    # the next run finishes the work: exactly the clean journal, nothing twice, nothing missing
    jr = Journal(private_home / "watch")
    for asof in ASOFS:
        watch_pass([idea_dir], asof=asof, journal=jr)
    assert per_idea(read_records(jr_path)) == want


def test_torn_last_line_is_ignored_then_repaired(idea_dir, private_home):
    watch_pass([idea_dir], asof="2022-08-31")
    path = private_home / "watch" / "journal.jsonl"
    before = list(read_records(path))
    with open(path, "ab") as fh:
        fh.write(b'{"t":"event","id":"abc","idea":"idea-00","ki')      # a writer killed mid-line
    assert list(read_records(path)) == before
    res = watch_pass([idea_dir], asof="2023-03-31")
    assert res.new_events
    text = path.read_bytes()
    assert b'"ki{' not in text and text.endswith(b"\n")
    assert len(list(read_records(path))) > len(before)


def test_second_writer_refuses_with_the_holder_pid_or_waits(idea_dir, private_home):
    jr = Journal(private_home / "watch")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        with jr.lock(0):
            os.write(w, b"x")
            time.sleep(1.5)
        os._exit(0)
    try:
        os.read(r, 1)
        with pytest.raises(JournalBusy) as exc:
            watch_pass([idea_dir], asof="2022-12-30", wait=0.2)
        assert f"pid {pid}" in str(exc.value) and "journal" in str(exc.value)
        res = watch_pass([idea_dir], asof="2022-12-30", wait=10)          # waits for the holder, then runs
        assert res.new_events
    finally:
        os.waitpid(pid, 0)


def test_cli_second_watch_exits_1_with_a_clear_message(idea_dir, private_home):
    jr = Journal(private_home / "watch")
    env = dict(os.environ, THESIS_HOME=str(private_home), COLUMNS="80")
    with jr.lock(0):
        proc = subprocess.run([sys.executable, "-m", "thesis", "watch", str(idea_dir), "--once", "--asof",
                               "2022-12-30", "--wait", "0"], capture_output=True, text=True, env=env, cwd=ROOT,
                              timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert f"pid {os.getpid()}" in proc.stderr and "Traceback" not in proc.stderr


def test_revised_idea_keeps_old_events_and_recomputes(idea_dir, private_home):
    watch_pass([idea_dir], asof="2023-03-31")
    f = idea_dir / "idea-01.toml"                      # SPY long 360-365, stop 345, target 400
    old_text = f.read_text()
    f.write_text(old_text.replace("stop = 345.0", "stop = 340.0"))
    res = watch_pass([idea_dir], asof="2023-03-31")
    revised = [e for e in res.new_events if e["kind"] == "idea_revised"]
    assert len(revised) == 1 and "levels.stop: 345.0 -> 340.0" in revised[0]["text"]
    assert revised[0]["revision"] == 1
    new = [e for e in res.new_events if e["idea"] == "idea-01" and e["kind"] != "idea_revised"]
    assert new and all(e["revision"] == 1 for e in new)
    records = list(read_records(private_home / "watch" / "journal.jsonl"))
    old = [r for r in records if r.t == "event" and r.idea == "idea-01" and r.revision == 0]
    assert old, "events of revision 0 stay in the journal"
    again = watch_pass([idea_dir], asof="2023-03-31")
    assert again.new_events == []


def test_half_saved_file_is_skipped_and_previous_state_kept(idea_dir, private_home):
    first = watch_pass([idea_dir], asof="2023-03-31")
    state = {r["id"]: r["state"] for r in board(first)}
    f = idea_dir / "idea-02.toml"
    f.write_text(f.read_text()[:150])                  # half-saved
    res = watch_pass([idea_dir], asof="2023-03-31")
    row = next(r for r in board(res) if r["id"] == "idea-02")
    assert row["state"] == state["idea-02"] and "idea-02.toml" in row["error"]
    assert any("skipped" in m and "idea-02.toml" in m for m in res.messages)
    assert res.new_events == [] and res.alerts == []


def test_deleted_idea_is_reported_once(idea_dir, private_home):
    watch_pass([idea_dir], asof="2023-03-31")
    (idea_dir / "idea-03.toml").unlink()
    first = watch_pass([idea_dir], asof="2023-03-31")
    assert sum("idea-03" in m and "removed" in m for m in first.messages) == 1
    second = watch_pass([idea_dir], asof="2023-03-31")
    assert not any("idea-03" in m for m in second.messages)


def test_stale_data_one_event_per_idea_and_day(idea_dir, tmp_path, private_home):
    folder = tmp_path / "short-data"
    folder.mkdir()
    src = Path(os.environ["THESIS_DATA"]) / "daily"
    for sym in ("SPY", "QQQ", "DIA"):
        lines = (src / f"{sym}.csv").read_text().splitlines()
        keep = [lines[0]] + [ln for ln in lines[1:] if ln[:10] <= "2022-08-31"]
        (folder / f"{sym}.csv").write_text("\n".join(keep) + "\n")
    source = f"csv:{folder}"
    first = watch_pass([idea_dir], asof="2022-08-31", source=source)
    from thesis.spec import load

    published = {f.stem: str(load(f).idea.published) for f in idea_dir.glob("*.toml")}
    # open on the board, or published after 2022-08-31 (left off that board) and by 2022-09-07
    live = [r["id"] for r in board(first) if r["state"] not in ("closed", "expired", "invalidated")
            and published[r["id"]] <= "2022-09-07"]
    live += [r["id"] for r in not_yet_published(first) if r["published"] <= "2022-09-07"]
    assert live, "the fixture must keep some ideas open in late 2022"
    res = watch_pass([idea_dir], asof="2022-09-07", source=source)
    stale = [e for e in res.new_events if e["kind"] == "data_stale"]
    assert sorted(e["idea"] for e in stale) == sorted(live)      # final ideas need no data
    assert all(e["session"] == "2022-09-07" for e in stale)
    assert [e for e in res.new_events if e["kind"] != "data_stale"] == []
    again = watch_pass([idea_dir], asof="2022-09-07", source=source)
    assert again.new_events == []


def test_provider_down_keeps_the_state_and_journals_data_stale_once(idea_dir, private_home, monkeypatch):
    import thesis.data as data
    from thesis.errors import ProviderUnavailable

    first = watch_pass([idea_dir], asof="2022-08-31")
    states = {r["id"]: r["state"] for r in board(first)}
    live = [k for k, v in states.items() if v not in ("closed", "expired", "invalidated")]
    live += [r["id"] for r in not_yet_published(first)]       # not final either: no data, no state yet
    assert live

    def down(*args, **kwargs):
        raise ProviderUnavailable("Yahoo Finance did not answer (timeout)")

    monkeypatch.setattr(data, "load_bars", down)
    res = watch_pass([idea_dir], asof="2022-09-07")
    assert sorted(e["idea"] for e in res.new_events) == sorted(live)
    assert {e["kind"] for e in res.new_events} == {"data_stale"}
    assert all("did not answer" in e["text"] for e in res.new_events)
    assert {r["id"]: r["state"] for r in board(res) if r["id"] in states} == states
    assert watch_pass([idea_dir], asof="2022-09-07").new_events == []        # once per idea and day
    # an idea revised while the provider is down: one idea_revised, not one per pass
    f = idea_dir / f"{live[0]}.toml"
    text = f.read_text()
    stop_line = next(ln for ln in text.splitlines() if ln.startswith("stop = "))
    f.write_text(text.replace(stop_line, stop_line.replace(".0", ".5")))
    revised = [e for a in ("2022-09-08", "2022-09-09") for e in watch_pass([idea_dir], asof=a).new_events
               if e["kind"] == "idea_revised"]
    assert len(revised) == 1 and revised[0]["revision"] == 1


def test_a_hand_edited_journal_is_a_clear_error(private_home):
    path = private_home / "watch" / "journal.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text('{"t":"event","id":"a","idea":"x","kind":"note","session":"2024-01-02"}\nnot json\n'
                    '{"t":"gone","idea":"x","file":"x.toml"}\n')
    with pytest.raises(StoreError, match="line 2"):
        list(read_records(path))


def test_a_broken_file_is_journaled_once_per_version(idea_dir, private_home):
    f = idea_dir / "idea-02.toml"
    f.write_text(f.read_text()[:150])                  # broken before the first pass
    path = private_home / "watch" / "journal.jsonl"

    def skipped():
        return [r for r in read_records(path) if r.t == "skipped" and r.idea == "idea-02"]

    watch_pass([idea_dir], asof="2023-03-31", snapshots=False)
    watch_pass([idea_dir], asof="2023-03-31", snapshots=False)
    assert len(skipped()) == 1                          # the same broken file: recorded once
    f.write_text(f.read_text()[:120])                  # a different broken version
    watch_pass([idea_dir], asof="2023-03-31", snapshots=False)
    assert len(skipped()) == 2 and skipped()[0].hash != skipped()[1].hash


def test_a_new_idea_while_the_provider_is_down_is_remembered_as_waiting(idea_dir, private_home, monkeypatch):
    import thesis.data as data
    from thesis.errors import ProviderUnavailable

    def down(*args, **kwargs):
        raise ProviderUnavailable("Yahoo Finance did not answer (timeout)")

    monkeypatch.setattr(data, "load_bars", down)
    res = watch_pass([idea_dir], asof="2023-03-31", snapshots=False)      # the first pass ever
    rows = board(res)
    assert rows and all("did not answer" in r["error"] for r in rows)
    ideas = [r for r in read_records(private_home / "watch" / "journal.jsonl") if r.t == "idea"]
    assert {r.idea for r in ideas} == {r["id"] for r in rows}
    assert all(r.state == "waiting" and r.reason == "no data yet" for r in ideas)


def test_an_idea_the_engine_refuses_shows_the_reason_on_the_board(idea_dir, private_home, monkeypatch):
    import thesis.watch.run as run
    from thesis.errors import BadInput

    real = run.evaluate

    def picky(idea, bars, iid, revision=0):
        if iid == "idea-01":
            raise BadInput("trigger 'outside_bar' has no side and the idea gave no direction")
        return real(idea, bars, iid, revision)

    monkeypatch.setattr(run, "evaluate", picky)
    res = watch_pass([idea_dir], asof="2023-03-31", snapshots=False)
    rows = {r["id"]: r for r in board(res)}
    assert "no side" in rows["idea-01"]["error"] and not rows["idea-02"]["error"]
    assert any("idea-01.toml" in m and "no side" in m for m in res.bad_input)


def test_a_short_history_backfills_nothing_on_its_first_pass(tmp_path, private_home):
    """The first pass marks events older than the last 5 sessions as backfill (journaled, no alert);
    with only 3 sessions of data every event is recent, the first session's included."""
    from tests.watch.conftest import idea_text

    data = tmp_path / "data"
    data.mkdir()
    data.joinpath("NEW.csv").write_text("date,open,high,low,close,volume\n2021-01-04,104,105,103,104,10\n"
                                        "2021-01-05,104,104.5,102,103,10\n2021-01-06,103,103.5,101,102,10\n")
    ideas = tmp_path / "ideas"
    ideas.mkdir()
    ideas.joinpath("idea-00.toml").write_text(idea_text(0, "NEW", "short", (104, 106), 115, [90], "2021-01-04",
                                                        "3mo"))
    watch_pass([ideas], asof="2021-01-06", source=f"csv:{data}", snapshots=False)
    events = [r for r in read_records(private_home / "watch" / "journal.jsonl") if r.t == "event"]
    assert events and events[0].session == "2021-01-04"
    assert not any(r.backfill for r in events)
