"""Line numbers for keys of a TOML document (tomllib keeps none).

A light scanner that tracks table headers and keys line by line: enough to
point a user at ``[levels] stop`` or the second ``[[triggers]]`` entry.
"""
from __future__ import annotations

import re

HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\" ]+?)\s*\]\]?\s*(#.*)?$")
KEY = re.compile(r"^\s*([A-Za-z0-9_\-\"]+)\s*=")


def key_lines(text: str) -> dict[tuple, int]:
    """Map location tuples to 1-based lines: ("levels",), ("levels", "stop"), ("triggers", 1, "zone")."""
    lines: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    for n, raw in enumerate(text.splitlines(), start=1):
        m = HEADER.match(raw)
        if m:
            name = tuple(p.strip().strip('"') for p in m.group(2).split("."))
            if m.group(1) == "[[":
                i = counts.get(name, 0)
                counts[name] = i + 1
                table = (*name, i)
            else:
                table = name
            lines.setdefault(table, n)
            continue
        m = KEY.match(raw)
        if m:
            lines.setdefault((*table, m.group(1).strip('"')), n)
    return lines


def line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    """The line of the deepest known prefix of ``loc``."""
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return None
