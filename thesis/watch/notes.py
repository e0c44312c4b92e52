"""`thesis note`: append a dated note to an idea file, keeping its comments and layout (tomlkit),
render the snapshot as of that date next to the idea, and journal it."""
from __future__ import annotations

import os
from datetime import date as Date
from pathlib import Path

from thesis.errors import BadInput, IdeaError


def snapshot_path(idea_path: Path, day: Date) -> Path:
    """``IDEA.notes/2023-06-14.png`` beside the idea file."""
    idea_path = Path(idea_path)
    return idea_path.with_name(idea_path.stem + ".notes") / f"{day.isoformat()}.png"


def add_note(path, text: str, day: Date | None = None, snapshot: bool = False, source: str | None = None,
             journal=None) -> dict:
    import tomlkit

    from thesis.spec import load, parse

    path = Path(path)
    idea = load(path)                       # a broken file is refused before anything is written
    text = text.strip()
    if not text:
        raise BadInput("the note text is empty")
    if day is None:
        from thesis.watch.clock import last_closed_session

        day = last_closed_session().date()
    today = Date.today()
    if day > today:
        raise BadInput(f"--date {day} is in the future (today is {today})")
    if day < idea.idea.published:
        raise BadInput(f"--date {day} is before the idea was published ({idea.idea.published})")
    raw = path.read_text(encoding="utf-8")
    doc = tomlkit.parse(raw)
    entry = tomlkit.table()
    entry.add("date", day)
    entry.add("text", text)
    rel = None
    if snapshot:
        png = snapshot_path(path, day)
        rel = f"{png.parent.name}/{png.name}"
        entry.add("snapshot", rel)
    if "notes" in doc:
        notes = doc["notes"]
        if not isinstance(notes, tomlkit.items.AoT):
            raise IdeaError(path, "'notes' must be an array of tables ([[notes]])", key="notes")
        for n in notes:
            if n.get("date") == day and str(n.get("text", "")).strip() == text:
                break                        # the same note again: idempotent
        else:
            notes.append(entry)
    else:
        aot = tomlkit.aot()
        aot.append(entry)
        doc.append("notes", aot)
    new = tomlkit.dumps(doc)
    if not new.endswith("\n"):
        new += "\n"
    k = new.rfind("[[notes]]")
    if new != raw and k > 1 and new[k - 2:k] != "\n\n":
        new = new[:k] + "\n" + new[k:]          # a blank line before the new entry, like the others
    checked = parse(new, path)               # the edited file must still be a valid idea
    if new != raw:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(new, encoding="utf-8")
        os.replace(tmp, path)
    out = {"file": str(path), "date": day.isoformat(), "text": text}
    if snapshot:
        from thesis.chart import chart

        png = snapshot_path(path, day)
        png.parent.mkdir(parents=True, exist_ok=True)
        chart(checked, png, asof=day.isoformat(), source=source)
        out["snapshot"] = str(png)
    _journal(checked, path, day, text, out.get("snapshot"), journal)
    return out


def _journal(idea, path: Path, day: Date, text: str, png: str | None, journal=None) -> None:
    from thesis.watch.journal import Journal, now_iso
    from thesis.watch.run import note_event

    ev = note_event(path.stem, day, text)
    jr = journal or Journal()
    rec = {"t": "event", **ev.to_dict(), "file": str(path), "recorded": now_iso(), "outbox": [],
           "snapshot": png, "symbol": idea.symbol}
    with jr.lock(10.0) as j:
        j.append([rec])
