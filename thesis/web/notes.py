"""The dashboard's one write: append a dated note to an idea file.

Uses thesis.watch's note function when it offers one (the same code as `thesis note`);
otherwise appends a ``[[notes]]`` table with tomlkit, keeping the file's comments and
layout, checks that the result still loads as an idea, and restores the original if not.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from thesis.errors import BadInput

MAX_NOTE = 2000


def check_note(date_text: str, text: str) -> tuple[dt.date, str]:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise BadInput("the note is empty")
    if len(text) > MAX_NOTE:
        raise BadInput(f"the note is {len(text)} characters; at most {MAX_NOTE}")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise BadInput("the note contains control characters")
    date_text = (date_text or "").strip()
    try:
        day = dt.date.fromisoformat(date_text) if date_text else dt.date.today()
    except ValueError:
        raise BadInput(f"note date must be YYYY-MM-DD, not {date_text!r}") from None
    if not (1900 <= day.year <= 2200):
        raise BadInput(f"note date {day} is out of range")
    return day, text


def add_note(path: Path, date_text: str, text: str) -> dict:
    """Append the note; returns {"date", "text", "file"}. Bad input raises BadInput."""
    day, text = check_note(date_text, text)
    shared = _watch_note()
    if shared is not None:
        return shared(path, text, day)
    import tomlkit

    from thesis.spec import load

    original = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(original)
    notes = doc.get("notes")
    if notes is None:
        notes = tomlkit.aot()
        doc.append("notes", notes)
    item = tomlkit.table()
    item.add("date", day)
    item.add("text", text)
    notes.append(item)
    new = tomlkit.dumps(doc)
    _write_atomic(path, new)
    try:
        load(path)
    except Exception:
        _write_atomic(path, original)
        raise
    return {"date": day.isoformat(), "text": text, "file": str(path)}


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        mode = path.stat().st_mode & 0o777
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _watch_note():
    """thesis.watch's note writer (`thesis note`), if it exists: (path, text, day) -> dict."""
    try:
        from thesis.watch.notes import add_note as shared  # type: ignore[import-not-found]
    except Exception:
        return None
    return shared
