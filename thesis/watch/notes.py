"""`thesis note`: append a dated note to an idea file, keeping its comments and layout (tomlkit),
render the snapshot as of that date next to the idea, and journal it.

What a note guarantees (docs/watch.md, "Notes"):

* serialized: writers of one idea file take an exclusive ``flock`` on the file itself, so
  concurrent ``thesis note`` runs and the dashboard's note form each add their note, none lost;
* atomic: the new text goes to a temporary file in the same folder, is fsynced, then renamed over
  the file; a process killed at any point leaves the old file or the new one, never half of one;
* someone else's edit (an editor does not take the lock) made between our read and our rename is
  detected: the note is applied again to the new text, or refused when the file keeps changing;
* the user's file stays theirs: its mode and owner, a symlink (written through to its target),
  CRLF line endings are kept; a read-only or hard-linked file is refused.

Why ``fcntl.flock`` on the idea file and not the ``filelock`` package: filelock locks a separate
``.lock`` file that it leaves beside every idea in the user's folder; a flock on the file itself
leaves nothing behind, is released by the kernel when a writer dies, and is the mechanism the
journal already uses.  The rename gives the path a new inode, so a waiter that wakes up holding
the old one checks the inode and locks again.
"""
from __future__ import annotations

import os
import stat
import tempfile
import time
from contextlib import contextmanager
from datetime import date as Date
from datetime import datetime
from pathlib import Path

from thesis.errors import BadInput, IdeaError, ParameterError, StoreError
from thesis.locks import flock_until

#: seconds a note waits for another writer of the same idea file
LOCK_WAIT = 10.0
#: times a note is applied again when someone else keeps changing the file under us
ATTEMPTS = 3


class NoteBusy(StoreError):
    pass


def snapshot_path(idea_path: Path, day: Date) -> Path:
    """``IDEA.notes/2023-06-14.png`` beside the idea file."""
    idea_path = Path(idea_path)
    return idea_path.with_name(idea_path.stem + ".notes") / f"{day.isoformat()}.png"


def add_note(path, text: str, day: Date | None = None, snapshot: bool = False, source: str | None = None,
             journal=None, wait: float = LOCK_WAIT) -> dict:
    path = Path(path)
    text = text.strip()
    if not text:
        raise BadInput("the note text is empty")
    if day is None:
        from thesis.watch.clock import last_closed_session

        day = last_closed_session().date()
    today = Date.today()
    if day > today:
        raise ParameterError("day", f"{day} is in the future (today is {today})")
    real = writable_file(path)
    with locked(real, wait):
        for _ in range(ATTEMPTS):
            before, st = _read(real)
            checked, after = _with_note(path, before, day, text, snapshot)
            if after == before:                              # the same note again: idempotent
                break
            if _replace(real, after, st, before):
                break
        else:
            raise NoteBusy(f"{path} kept changing while the note was being added (is it open in an editor "
                           f"that saves on its own?); the note was not added: try again")
    out = {"file": str(path), "date": day.isoformat(), "text": text}
    if snapshot:
        from thesis.chart import chart

        png = snapshot_path(path, day)
        png.parent.mkdir(parents=True, exist_ok=True)
        chart(checked, png, asof=day.isoformat(), source=source)
        out["snapshot"] = str(png)
    _journal(checked, path, day, text, out.get("snapshot"), journal)
    return out


# ------------------------------------------------------------------ the file
def writable_file(path: Path) -> Path:
    """The real file behind ``path`` (symlinks followed), refused when a note could not keep it whole."""
    from thesis.spec import load

    load(path)                               # a missing or broken file is refused by the one validation
    real = Path(os.path.realpath(path))
    st = real.stat()
    if not stat.S_ISREG(st.st_mode):
        raise IdeaError(path, "is not a regular file: a note cannot be added")
    if not st.st_mode & stat.S_IWUSR:        # the owner's write bit (root would bypass os.access)
        raise BadInput(f"{path} is read-only (mode {stat.S_IMODE(st.st_mode):04o}): the note was not added; "
                       f"make it writable (chmod u+w) to add notes")
    if st.st_nlink > 1:                      # replacing the file would split the hard link in two
        raise BadInput(f"{path} has {st.st_nlink} hard links: a note would detach this name from the others; "
                       f"the note was not added (use a symlink instead)")
    return real


@contextmanager
def locked(real: Path, wait: float = LOCK_WAIT):
    """Hold an exclusive flock on the idea file; refuse after ``wait`` seconds."""
    deadline = time.monotonic() + max(wait, 0.0)
    while True:
        fd = os.open(real, os.O_RDONLY)
        try:
            flock_until(fd, deadline, lambda: NoteBusy(f"another note is being written to {real}; waited "
                                                      f"{wait:g} s; the note was not added: try again"))
            try:
                current = os.stat(real).st_ino
            except FileNotFoundError:
                raise IdeaError(real, "was removed while the note was waiting") from None
            if current == os.fstat(fd).st_ino:
                yield
                return
        finally:
            os.close(fd)                     # releases the flock
        # the file was replaced while we waited (the previous note's rename): lock the new one


def _read(real: Path) -> tuple[bytes, os.stat_result]:
    with open(real, "rb") as fh:
        return fh.read(), os.fstat(fh.fileno())


def _replace(real: Path, data: bytes, st: os.stat_result, before: bytes) -> bool:
    """Write ``data`` over ``real`` atomically with its mode and owner; False (nothing written) when
    someone changed the file since it was read as ``before``."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:               # a folder the user cannot write to, a full disk
        raise StoreError(f"cannot write a new version of {real} in {real.parent}: {exc.strerror or exc}; "
                         f"the note was not added") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), stat.S_IMODE(st.st_mode))
            try:
                os.fchown(fh.fileno(), st.st_uid, st.st_gid)
            except OSError:
                pass                         # only root can give a file to another user; ours already is
            os.fsync(fh.fileno())
        now, now_st = _read(real)            # an editor's save since our read (it takes no lock)
        if now != before or now_st.st_ino != st.st_ino:
            os.unlink(tmp)
            return False
        os.replace(tmp, real)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write {real}: {exc.strerror or exc}; the note was not added "
                             f"(the file is as it was)") from None
        raise
    dfd = os.open(real.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)                        # the rename itself survives a power cut
    finally:
        os.close(dfd)
    return True


# ------------------------------------------------------------------ the edit
def _with_note(path: Path, before: bytes, day: Date, text: str, snapshot: bool):
    """(the idea with the note, the file's new bytes): the note goes in date order (after notes of
    the same day), in the file's own line endings."""
    import tomlkit

    from thesis.spec import parse

    try:
        raw = before.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IdeaError(path, f"is not UTF-8 text (byte {exc.start:,})") from None
    crlf = raw.count("\r\n") * 2 > raw.count("\n")
    lf = raw.replace("\r\n", "\n")
    idea = parse(lf, path)                   # a broken file is refused before anything is written
    if day < idea.idea.published:
        raise ParameterError("day", f"{day} is before the idea was published ({idea.idea.published})")
    doc = tomlkit.parse(lf)
    entry = tomlkit.table()
    entry.add("date", day)
    entry.add("text", text)
    if snapshot:
        png = snapshot_path(path, day)
        entry.add("snapshot", f"{png.parent.name}/{png.name}")
    if "notes" in doc:
        notes = doc["notes"]
        if not isinstance(notes, tomlkit.items.AoT):
            raise IdeaError(path, "'notes' must be an array of tables ([[notes]])", key="notes")
        if any(n.get("date") == day and str(n.get("text", "")).strip() == text for n in notes):
            return idea, before              # the same note again: idempotent
        _insert(doc, notes, entry, day)
    else:
        aot = tomlkit.aot()
        aot.append(entry)
        doc.append("notes", aot)
    new = tomlkit.dumps(doc)
    if not new.endswith("\n"):
        new += "\n"
    k = new.rfind("[[notes]]")
    if list(doc.keys())[-1] == "notes" and k > 1 and new[k - 2:k] != "\n\n" and len(doc["notes"]) == 1:
        new = new[:k] + "\n" + new[k:]       # a blank line before the first entry
    checked = parse(new, path)               # the edited file must still be a valid idea
    if crlf:
        new = new.replace("\n", "\r\n")
    return checked, new.encode("utf-8")


def _insert(doc, notes, entry, day: Date) -> None:
    """Put ``entry`` after the last note dated on or before ``day``, blank lines around it."""
    import tomlkit

    at = len(notes)
    while at > 0 and (dated := _date_of(notes[at - 1])) is not None and dated > day:
        at -= 1
    if at > 0 and not notes[at - 1].as_string().endswith("\n\n"):
        notes[at - 1].add(tomlkit.nl())      # the entry before gets the blank line the others have
    if at < len(notes) or list(doc.keys())[-1] != "notes":
        entry.add(tomlkit.nl())              # something follows: keep it apart
    notes.insert(at, entry)


def _date_of(note) -> Date | None:
    d = note.get("date")
    return d if isinstance(d, Date) and not isinstance(d, datetime) else None


def _journal(idea, path: Path, day: Date, text: str, png: str | None, journal=None) -> None:
    from thesis.watch.journal import Journal, now_iso
    from thesis.watch.records import EventRecord
    from thesis.watch.run import note_event

    ev = note_event(path.stem, day, text)
    jr = journal or Journal()
    rec = EventRecord(**ev.to_dict(), file=str(path), recorded=now_iso(), snapshot=png, symbol=idea.symbol)
    with jr.lock(10.0) as j:
        j.append([rec])
