"""The journal's DuckDB index answers exactly what a plain scan of the JSON-lines file answers,
is rebuilt when lost, corrupt or stale, and never loses or duplicates an event (a crash mid-update,
two writers)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thesis.watch import journal_index
from thesis.watch.journal import (Journal, delivery_view, last_deliveries, last_events, query, query_index,
                                   timeline)

ROOT = Path(__file__).resolve().parents[2]
IDEAS = ["a", "b", "c", "d"]
SESSIONS = ["2024-01-02", "2024-01-03", "2024-02-01", "2024-03-15"]


def line(rec: dict) -> str:
    return json.dumps(rec, separators=(",", ":")) + "\n"


@st.composite
def records(draw, start: int = 0):
    """Events (some with an outbox), deliveries sent/failed for earlier events, other record kinds."""
    out, ids = [], []
    for i in range(draw(st.integers(0, 40))):
        kind = draw(st.sampled_from(["event", "event", "delivery", "external", "idea", "gone"]))
        if kind == "event" or not ids:
            eid = f"e{start + i}"
            ids.append(eid)
            out.append({"t": "event", "id": eid, "idea": draw(st.sampled_from(IDEAS)),
                        "session": draw(st.sampled_from(SESSIONS)), "kind": "entry", "recorded": f"r{i}",
                        "outbox": draw(st.lists(st.sampled_from(["log", "mail"]), max_size=2, unique=True))})
        elif kind == "delivery":
            out.append({"t": "delivery", "event": draw(st.sampled_from(ids)), "channel": draw(st.sampled_from(["log", "mail"])),
                        "status": draw(st.sampled_from(["sent", "failed"])), "error": "x", "at": f"a{i}"})
        elif kind == "external":      # an alert another tool sent in (TradingView): listed, never pending
            out.append({"t": "external", "id": f"x{start + i}", "source": "tradingview", "idea": draw(st.sampled_from(IDEAS)),
                        "kind": "alert", "session": draw(st.sampled_from(SESSIONS)), "recorded": f"r{i}"})
        else:                         # records the queries never read
            idea = draw(st.sampled_from(IDEAS))
            out.append({"t": kind, "idea": idea, "file": f"{idea}.toml"} |
                       ({"fingerprint": "f", "levels_fp": {}} if kind == "idea" else {}))
    return out


def write(path: Path, recs: list[dict], mode: str = "w", torn: str = "") -> None:
    with open(path, mode) as fh:
        fh.write("".join(line(r) for r in recs) + torn)


GRID = [(idea, since, pending) for idea in (None, "a", "zz") for since in (None, SESSIONS[1], SESSIONS[3])
        for pending in (False, True)]


def views(answer) -> tuple:
    events, dmap, known = answer
    # the map covers the events asked for (the index reads only their deliveries)
    return [(e, delivery_view(e, dmap)) for e in events], known


def answers(jr: Journal, use_index: bool) -> list:
    """Every query of the grid and the last events: through ``query`` (one per call, the command's path),
    the rest through one open index (a DuckDB connection costs tens of milliseconds)."""
    jr = Journal(jr.folder)          # a fresh reader (a Journal keeps the records it has read)
    first = views(query(jr, *GRID[-1], use_index=use_index))
    if use_index:
        with journal_index.JournalIndex(jr.path) as ix:
            rest = [views(query_index(ix, *q)) for q in GRID] + [ix.last_events(), ix.last_deliveries()]
    else:
        rest = [views(query(jr, *q, use_index=False)) for q in GRID] + [last_events(jr, use_index=False),
                                                                        last_deliveries(jr, use_index=False)]
    return [first, *rest, last_events(Journal(jr.folder), use_index=use_index),
            last_deliveries(Journal(jr.folder), use_index=use_index)]


@settings(max_examples=15, deadline=None)
@given(records(), records(start=1000), st.sampled_from(["", '{"t":"event","id":"torn']))
def test_index_answers_equal_a_plain_scan(tmp_path_factory, first, more, torn):
    folder = tmp_path_factory.mktemp("j")
    jr = Journal(folder)
    write(jr.path, first, torn=torn)
    assert answers(jr, True) == answers(jr, False)
    # the file grows (the torn line completed by the next writer's repair, more records): folded in
    with open(jr.path, "r+") as fh:
        fh.truncate(len(fh.read()) - len(torn))
    write(jr.path, more, mode="a")
    assert answers(jr, True) == answers(jr, False)


def journal_with(tmp_path, n: int = 50) -> Journal:
    jr = Journal(tmp_path)
    recs = [{"t": "event", "id": f"e{i}", "idea": IDEAS[i % 4], "session": SESSIONS[i % 4], "kind": "entry",
             "recorded": str(i), "outbox": ["log"]} for i in range(n)]
    recs += [{"t": "delivery", "event": f"e{i}", "channel": "log", "status": "sent"} for i in range(0, n, 2)]
    write(jr.path, recs)
    return jr


def opened(jr: Journal) -> journal_index.JournalIndex:
    ix = journal_index.JournalIndex(jr.path)
    with ix:
        pass
    return ix


def test_lost_index_is_rebuilt(tmp_path):
    jr = journal_with(tmp_path)
    assert opened(jr).rebuilt
    assert not opened(jr).rebuilt                     # fresh: used as it is
    journal_index.index_path(jr.path).unlink()
    assert opened(jr).rebuilt
    assert answers(jr, True) == answers(jr, False)


def test_corrupt_index_is_rebuilt(tmp_path):
    jr = journal_with(tmp_path)
    opened(jr)
    journal_index.index_path(jr.path).write_bytes(b"not a database" * 100)
    assert opened(jr).rebuilt
    assert answers(jr, True) == answers(jr, False)


def test_a_replaced_journal_of_the_same_size_is_reindexed(tmp_path):
    jr = journal_with(tmp_path)
    opened(jr)
    text = jr.path.read_text().replace('"idea":"a"', '"idea":"z"')    # same length, other content
    jr.path.write_text(text)
    assert opened(jr).rebuilt
    assert any(e.idea == "z" for e in query(jr, use_index=True)[0])
    assert answers(jr, True) == answers(jr, False)


def test_a_shorter_journal_is_reindexed(tmp_path):
    jr = journal_with(tmp_path, 50)
    opened(jr)
    journal_with(tmp_path, 10)
    assert opened(jr).rebuilt
    assert len(query(jr, use_index=True)[0]) == 10


def test_a_grown_journal_is_extended_not_rebuilt(tmp_path):
    jr = journal_with(tmp_path, 10)
    opened(jr)
    write(jr.path, [{"t": "event", "id": "new", "idea": "a", "session": "2024-05-01", "kind": "exit", "outbox": []}],
          mode="a")
    ix = opened(jr)
    assert not ix.rebuilt
    assert [e.id for e in query(jr, since="2024-05-01", use_index=True)[0]] == ["new"]


def test_a_later_delivery_and_event_update_the_derived_tables(tmp_path):
    """Pending alerts and each idea's last event are tables computed at each update: a delivery sent
    for an event indexed earlier takes it out of --pending, a newer event becomes its idea's last."""
    jr = journal_with(tmp_path)
    opened(jr)
    before = {e.id for e in query(Journal(jr.folder), pending=True, use_index=True)[0]}
    assert "e1" in before
    write(jr.path, [{"t": "delivery", "event": "e1", "channel": "log", "status": "sent"},
                    {"t": "event", "id": "e99", "idea": "b", "session": SESSIONS[0], "kind": "entry",
                     "recorded": "99", "outbox": []}], mode="a")
    assert not opened(jr).rebuilt
    after = {e.id for e in query(Journal(jr.folder), pending=True, use_index=True)[0]}
    assert after == before - {"e1"}
    assert last_events(Journal(jr.folder), use_index=True)["b"].id == "e99"
    assert answers(jr, True) == answers(jr, False)
    # the command's one-open answer is the four answers asked one by one
    told = timeline(Journal(jr.folder), None, SESSIONS[1], True, use_index=True)
    assert views(told[:3]) == views(query(Journal(jr.folder), None, SESSIONS[1], True, use_index=False))
    assert told[3] == last_deliveries(Journal(jr.folder), use_index=False)


def test_a_crash_mid_update_keeps_the_old_index_and_loses_nothing(tmp_path, monkeypatch):
    jr = journal_with(tmp_path, 20)
    opened(jr)
    before = journal_index.index_path(jr.path).read_bytes()
    write(jr.path, [{"t": "event", "id": f"x{i}", "idea": "b", "session": "2024-06-01", "kind": "entry",
                     "outbox": []} for i in range(5)], mode="a")
    journal_bytes = jr.path.read_bytes()

    def killed(*args, **kwargs):
        raise KeyboardInterrupt   # the process dies between the copy and the rename

    monkeypatch.setattr(journal_index.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        opened(jr)
    monkeypatch.undo()
    assert journal_index.index_path(jr.path).read_bytes() == before
    assert jr.path.read_bytes() == journal_bytes
    assert not list(tmp_path.glob("*.tmp*"))
    ids = [e.id for e in query(jr, use_index=True)[0]]
    assert len(ids) == len(set(ids)) == 25


def test_a_killed_updater_leaves_a_usable_index(tmp_path):
    """SIGKILL while folding a large tail in: the next reader answers like a scan."""
    jr = journal_with(tmp_path, 10)
    opened(jr)
    write(jr.path, [{"t": "event", "id": f"k{i}", "idea": IDEAS[i % 4], "session": "2024-07-01", "kind": "entry",
                     "outbox": ["log"]} for i in range(8_000)], mode="a")
    code = ("import sys; from pathlib import Path; from thesis.watch.journal_index import JournalIndex\n"
            "print('go', flush=True)\nwith JournalIndex(Path(sys.argv[1])): pass\n")
    proc = subprocess.Popen([sys.executable, "-c", code, str(jr.path)], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout.readline().strip() == "go"
    import time

    time.sleep(0.3)
    proc.kill()
    proc.wait()
    assert answers(jr, True) == answers(jr, False)
    assert len(query(jr, use_index=True)[0]) == 8_010


WRITER = """
import sys
from pathlib import Path
from thesis.watch.journal import Journal, query
jr = Journal(Path(sys.argv[1]))
name = sys.argv[2]
for i in range(40):
    with jr.lock(wait=60):
        jr.append([{"t": "event", "id": f"{name}{i}", "idea": name, "session": "2024-01-02", "kind": "entry",
                    "outbox": ["log"]}])
    if i % 10 == 0:
        query(jr, use_index=True)
"""


def test_two_writers(tmp_path):
    """Two processes append events (under the journal lock) and refresh the index as they go."""
    jr = journal_with(tmp_path, 10)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), name], env=env) for name in ("p", "q")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    events = query(jr, use_index=True)[0]
    assert len(events) == 90 and len({e.id for e in events}) == 90
    assert answers(jr, True) == answers(jr, False)


def test_journal_command_answers_from_the_index(tmp_path):
    """Over INDEX_MIN_BYTES the command builds the index and answers like the scan."""
    home = tmp_path / "home"
    jr = Journal(home / "watch")
    jr.folder.mkdir(parents=True)
    n = 6000
    write(jr.path, [{"t": "event", "id": f"e{i}", "idea": IDEAS[i % 4], "session": SESSIONS[i % 4], "kind": "entry",
                     "price": 1.0, "r": None, "text": "x" * 150, "recorded": f"{i:06d}", "outbox": ["log"]}
                    for i in range(n)])
    assert jr.path.stat().st_size >= journal_index.INDEX_MIN_BYTES
    env = {**os.environ, "PYTHONPATH": str(ROOT), "THESIS_HOME": str(home)}
    out = subprocess.run([sys.executable, "-m", "thesis", "journal", "b", "--since", "2024-03-15", "--json"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert journal_index.index_path(jr.path).exists()
    got = json.loads(out.stdout)["events"]
    assert got == []                                     # idea b is on 2024-01-03 only
    out = subprocess.run([sys.executable, "-m", "thesis", "journal", "d", "--since", "2024-03-15", "--json"],
                         capture_output=True, text=True, env=env, timeout=300)
    got = json.loads(out.stdout)["events"]
    assert [e["id"] for e in got] == [f"e{i}" for i in range(3, n, 4)]
    assert all(e["deliveries"] == {"log": {"status": "pending", "attempts": 0}} for e in got)
    bad = subprocess.run([sys.executable, "-m", "thesis", "journal", "nope"], capture_output=True, text=True,
                         env=env, timeout=300)
    assert bad.returncode != 0 and "no idea 'nope'" in bad.stderr and "known: a, b, c, d" in bad.stderr
