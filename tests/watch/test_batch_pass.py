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
