"""The dashboard's one write: append a dated note to an idea file, with the same code as
`thesis note` (thesis.watch.notes: one writer at a time per file, atomic, the file kept whole)."""
from __future__ import annotations

import datetime as dt
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
    """Append the note with `thesis note`'s writer (locked, atomic, the file's mode, links and line
    endings kept; see thesis.watch.notes); returns {"date", "text", "file"}. Bad input raises BadInput."""
    from thesis.watch.notes import add_note as write

    day, text = check_note(date_text, text)
    return write(path, text, day)
