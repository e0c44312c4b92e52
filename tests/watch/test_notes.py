"""`thesis note` (and the dashboard's note form) against real concurrency and real files: eight
processes at once, an editor saving under us, and the user's mode, symlinks and line endings."""
from __future__ import annotations

import fcntl
import multiprocessing
import os
import random
import stat
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.watch.conftest import PLANS, idea_text
from thesis.errors import BadInput
from thesis.spec import load
from thesis.watch import notes as notes_mod
from thesis.watch.journal import Journal, read_records
from thesis.watch.notes import NoteBusy, add_note
from thesis.watch.run import note_event  # noqa: F401 - imported once here, not in each forked writer

ROOT = Path(__file__).resolve().parents[2]
COMMENT = "# my own comment, kept"
ROUNDS = int(os.environ.get("THESIS_NOTE_ROUNDS", "12"))
WRITERS = 8


def idea_file(folder: Path, name: str = "idea.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(idea_text(0, *PLANS[0], comment=f"\n{COMMENT}"))      # published 2022-08-01
    return p


def _writer(path: str, text: str, day: date, barrier) -> None:
    barrier.wait()
    add_note(Path(path), text, day)


def test_eight_processes_at_once_keep_every_note_in_date_order(tmp_path):
    f = idea_file(tmp_path)
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(21)
    first = date(2022, 8, 2)
    for r in range(ROUNDS):
        days = [first + timedelta(days=r * WRITERS + k) for k in range(WRITERS)]
        rng.shuffle(days)                        # later dates often land first
        barrier = ctx.Barrier(WRITERS)
        procs = [ctx.Process(target=_writer, args=(str(f), f"round {r} writer {i}", d, barrier))
                 for i, d in enumerate(days)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0] * WRITERS, f"round {r}"
        got = load(f).notes
        assert len(got) == (r + 1) * WRITERS, f"round {r}: {len(got)} notes kept of {(r + 1) * WRITERS}"
        assert [n.date for n in got] == sorted(n.date for n in got), f"round {r}: not in date order"
    text = f.read_text()
    assert COMMENT in text and "# the zone" in text
    assert not list(tmp_path.glob(".*.tmp"))                       # no temporary file left behind
    journaled = [r for r in read_records(Journal().path) if r.t == "event" and r.kind == "note"]
    assert len(journaled) == ROUNDS * WRITERS


def test_eight_thesis_note_commands_at_once(tmp_path):
    f = idea_file(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-m", "thesis", "note", str(f), f"cli note {i}", "--date",
                               f"2022-09-{10 + i:02d}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(WRITERS)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * WRITERS, outs
    assert all("noted" in o for o, _ in outs)
    assert [n.text for n in load(f).notes] == [f"cli note {i}" for i in range(WRITERS)]


def test_an_editor_saving_between_read_and_replace_is_applied_again(tmp_path, monkeypatch):
    f = idea_file(tmp_path)
    real_read = notes_mod._read
    saves = []

    def read_then_editor_saves(path):
        got = real_read(path)
        if not saves:                            # the editor saves once, just after our read
            saves.append(1)
            Path(path).write_text(Path(path).read_text().replace("stop = 430.0", "stop = 431.0"))
        return got

    monkeypatch.setattr(notes_mod, "_read", read_then_editor_saves)
    add_note(f, "after the edit", date(2022, 9, 1))
    idea = load(f)
    assert idea.levels.stop == 431.0 and [n.text for n in idea.notes] == ["after the edit"]


def test_a_file_that_keeps_changing_is_refused_and_left_as_the_editor_saved_it(tmp_path, monkeypatch):
    f = idea_file(tmp_path)
    real_read = notes_mod._read
    count = []

    def editor_saves_every_time(path):
        got = real_read(path)
        count.append(1)
        Path(path).write_text(Path(path).read_text() + f"# save {len(count)}\n")
        return got

    monkeypatch.setattr(notes_mod, "_read", editor_saves_every_time)
    with pytest.raises(NoteBusy, match=r"idea\.toml kept changing .* the note was not added"):
        add_note(f, "lost?", date(2022, 9, 1))
    assert f.read_text().endswith(f"# save {len(count)}\n") and load(f).notes == []


def test_a_second_writer_waits_then_refuses_naming_the_file(tmp_path):
    f = idea_file(tmp_path)
    fd = os.open(f, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(NoteBusy, match=r"another note is being written to .*idea\.toml; waited 0.2 s"):
            add_note(f, "blocked", date(2022, 9, 1), wait=0.2)
    finally:
        os.close(fd)
    assert load(f).notes == []
    add_note(f, "free again", date(2022, 9, 1), wait=0.2)
    assert [n.text for n in load(f).notes] == ["free again"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_the_file_mode_is_kept(tmp_path, mode):
    f = idea_file(tmp_path)
    f.chmod(mode)
    add_note(f, "private", date(2022, 9, 1))
    assert stat.S_IMODE(f.stat().st_mode) == mode and load(f).notes[0].text == "private"


def test_a_symlinked_idea_file_is_written_through_to_its_target(tmp_path):
    real = idea_file(tmp_path / "store")
    real.chmod(0o600)
    link = tmp_path / "ideas" / "mine.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    add_note(link, "through the link", date(2022, 9, 1))
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert [n.text for n in load(real).notes] == ["through the link"]
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert not list((tmp_path / "ideas").glob(".*"))              # nothing written beside the link


def test_crlf_line_endings_are_kept(tmp_path):
    f = idea_file(tmp_path)
    f.write_bytes(f.read_bytes().replace(b"\n", b"\r\n"))
    add_note(f, "windows", date(2022, 9, 1))
    add_note(f, "again", date(2022, 9, 2))
    data = f.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") > 20             # every line ends CRLF, none LF alone
    assert [n.text for n in load(f).notes] == ["windows", "again"]


def test_a_read_only_file_is_refused_and_left_alone(tmp_path):
    f = idea_file(tmp_path)
    f.chmod(0o444)
    before = f.read_bytes()
    with pytest.raises(BadInput, match=r"idea\.toml is read-only \(mode 0444\): the note was not added"):
        add_note(f, "no", date(2022, 9, 1))
    assert f.read_bytes() == before and stat.S_IMODE(f.stat().st_mode) == 0o444


def test_a_hard_linked_file_is_refused_rather_than_split(tmp_path):
    f = idea_file(tmp_path)
    os.link(f, tmp_path / "twin.toml")
    with pytest.raises(BadInput, match=r"idea\.toml has 2 hard links"):
        add_note(f, "no", date(2022, 9, 1))
    assert (tmp_path / "twin.toml").read_bytes() == f.read_bytes() and load(f).notes == []


def test_the_cli_says_read_only_on_stderr_with_exit_2(tmp_path):
    f = idea_file(tmp_path)
    f.chmod(0o444)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "thesis", "note", str(f), "x", "--date", "2022-09-01"],
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2 and "read-only" in proc.stderr and "idea.toml" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_dashboard_note_form_uses_the_same_writer(tmp_path):
    from thesis.web.notes import add_note as web_note

    real = idea_file(tmp_path / "store")
    real.chmod(0o600)
    real.write_bytes(real.read_bytes().replace(b"\n", b"\r\n"))
    link = tmp_path / "alias.toml"
    link.symlink_to(real)
    web_note(link, "2022-09-01", "from the web")
    assert link.is_symlink() and stat.S_IMODE(real.stat().st_mode) == 0o600
    data = real.read_bytes()
    assert data.count(b"\n") == data.count(b"\r\n") and b"from the web" in data
