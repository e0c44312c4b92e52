"""The batch pass (each symbol's lifecycles built together) journals exactly what the per-idea
pass journals: the same records in the same order, over a first pass and the sessions after it,
on the watch tests' ideas (several per symbol) and on the examples."""
from __future__ import annotations

from pathlib import Path

from thesis.watch.journal import Journal, read_records
from thesis.watch.run import board, watch_pass

ROOT = Path(__file__).resolve().parents[2]
PASSES = ("2022-09-30", "2022-10-03", "2022-12-30", "2023-03-31")


def journaled(folder: Path, home: Path, batch: bool) -> tuple[list[dict], list[list[dict]]]:
    journal = Journal(home)
    boards = [board(watch_pass([folder], asof=day, journal=journal, batch=batch, snapshots=False))
              for day in PASSES]
    records = [{k: v for k, v in r.to_dict().items() if k not in ("recorded", "at")} for r in read_records(journal.path)]
    return records, boards


def test_batch_pass_journals_what_the_per_idea_pass_journals(idea_dir, tmp_path):
    got, got_boards = journaled(idea_dir, tmp_path / "batch", True)
    want, want_boards = journaled(idea_dir, tmp_path / "alone", False)
    assert sum(r["t"] == "event" for r in want) >= 15        # fills, exits and expiries happened
    assert got == want
    assert got_boards == want_boards


def test_batch_pass_on_the_examples(tmp_path):
    got, _ = journaled(ROOT / "examples" / "authors", tmp_path / "batch", True)
    want, _ = journaled(ROOT / "examples" / "authors", tmp_path / "alone", False)
    assert sum(r["t"] == "event" for r in want) >= 10
    assert got == want


def test_the_pass_scan_reads_what_the_records_give(tmp_path):
    """scan_journal (the pass's read: event lines by their heads) gives the JournalState and ids that
    parsing every record gives, with a line of an older version and a hand-written one among them."""
    import json

    import pandas as pd

    from thesis.watch.journal import ONCE
    from thesis.watch.run import JournalState, scan_journal

    journal = Journal(tmp_path)
    for day in PASSES[:2]:
        watch_pass([ROOT / "examples" / "authors"], asof=day, journal=journal, snapshots=False)
    with open(journal.path, "a") as fh:       # version 0 (no "v") and another key order: parsed in full
        fh.write(json.dumps({"t": "event", "id": "f" * 16, "idea": "old-one", "kind": "filled",
                             "session": "2022-10-01", "price": 1.0, "r": None, "text": "old", "key": "",
                             "revision": 0}) + "\n")
        fh.write('{"idea":"old-one","t":"event","v":1,"id":"' + "e" * 16 + '","kind":"stopped",'
                 '"session":"2022-10-02","text":"hand"}\n')
    records = list(read_records(journal.path))
    for session in (pd.Timestamp(PASSES[0]), pd.Timestamp(PASSES[1]), pd.Timestamp("2022-10-01")):
        state, ids = scan_journal(journal.path, session)
        assert state == JournalState.read(records, session)
        assert ids == {r.id for r in records if r.t in ONCE}
    assert len(state.last_events) >= 3 and state.ideas
    assert scan_journal(tmp_path / "missing.jsonl", pd.Timestamp(PASSES[0])) == (JournalState({}, {}, {}, {}), set())
    with open(journal.path, "a") as fh:
        fh.write("not json\n")
    assert scan_journal(journal.path, pd.Timestamp(PASSES[0])) is None     # the full read names the line
