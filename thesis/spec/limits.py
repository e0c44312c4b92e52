"""Limits of an idea file, checked before the heavy validation runs.

Every command reads an idea file through ``thesis.spec.load``/``parse``, so these
limits (and the model's own rules) are the same for ``check``, ``replay``,
``evaluate``, ``chart``, ``options plan`` and the rest. The numbers are documented
in docs/ideas.md ("Limits").

- the file: at most ``MAX_FILE_BYTES`` bytes, UTF-8;
- nesting: arrays/tables at most ``MAX_DEPTH`` levels deep;
- text: a title at most ``MAX_TITLE`` characters, a note at most ``MAX_NOTE``,
  any other string at most ``MAX_TEXT``; at most ``MAX_ITEMS`` entries in any array;
- numbers: every float finite; every number within +-``MAX_ABS_NUMBER``.
"""
from __future__ import annotations

import math

from thesis.limits import MAX_HORIZON_YEARS, MAX_PRICE  # noqa: F401 - re-exported: one source of truth

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 6
MAX_TITLE = 200
MAX_NOTE = 2_000
MAX_TEXT = 500
MAX_ITEMS = 500
MAX_ABS_NUMBER = 1e9
#: Dates an idea may carry (published, notes, an end-date horizon, an option expiry).
FIRST_DATE = "1900-01-01"
LAST_DATE = "2100-12-31"
#: Prices of levels and strikes (the largest, and the longest horizon, shared with the CLI: thesis.limits).
MIN_PRICE = 1e-4

#: Keys whose text may be longer than MAX_TEXT.
LONG_TEXT = {"title": MAX_TITLE, "text": MAX_NOTE}


def excerpt(value, limit: int = 40) -> str:
    """A short printable rendering of a user value for an error message."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) <= limit:
        return repr(text) if isinstance(value, str) else text
    return repr(text[:limit]) + f"... ({len(text):,} characters)"


def first_problem(raw) -> tuple[tuple, str] | None:
    """The first (location, message) of ``raw`` (parsed TOML) that breaks a limit, else None.

    Walks iteratively, so no input can exhaust the Python stack."""
    stack: list[tuple[tuple, object, int]] = [((), raw, 0)]
    while stack:
        loc, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return loc, f"nested more than {MAX_DEPTH} levels deep: idea files use flat tables and arrays"
        if isinstance(value, dict):
            for key in reversed(list(value)):
                stack.append(((*loc, key), value[key], depth + 1))
        elif isinstance(value, list):
            if len(value) > MAX_ITEMS:
                return loc, f"has {len(value):,} entries (at most {MAX_ITEMS})"
            for i in reversed(range(len(value))):
                stack.append(((*loc, i), value[i], depth + 1))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, float):
            if not math.isfinite(value):
                return loc, f"must be a finite number, got {value}"
            if abs(value) > MAX_ABS_NUMBER:
                return loc, f"{value:g} is out of range (at most {MAX_ABS_NUMBER:g} in size)"
        elif isinstance(value, int):
            if abs(value) > MAX_ABS_NUMBER:
                return loc, f"{excerpt(value)} is out of range (at most {MAX_ABS_NUMBER:g} in size)"
        elif isinstance(value, str):
            name = next((p for p in reversed(loc) if isinstance(p, str)), "")
            limit = LONG_TEXT.get(name, MAX_TEXT)
            if len(value) > limit:
                return loc, f"is {len(value):,} characters long (at most {limit:,})"
    return None
