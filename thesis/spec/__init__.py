"""Load idea files: TOML -> validated ``Idea``, with errors naming file, line and key."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from pydantic import ValidationError

from thesis.errors import IdeaError
from thesis.spec.idea import SCHEMA_VERSION, Idea
from thesis.spec.positions import key_lines, line_for

__all__ = ["Idea", "load", "parse", "SCHEMA_VERSION", "json_schema"]

TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
KEY_IN_MESSAGE = re.compile(r"\b([a-z_]+\.[a-z_]+)\b")


def load(path: str | Path) -> Idea:
    """Read and validate an idea file."""
    path = Path(path)
    if not path.is_file():
        raise IdeaError(path, "no such idea file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise IdeaError(path, f"cannot read: {exc}") from exc
    return parse(text, path)


def parse(text: str, path: str | Path = "<idea>") -> Idea:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = TOML_POS.search(str(exc))
        raise IdeaError(path, f"not valid TOML: {TOML_POS.sub('', str(exc)).strip()}",
                        line=int(m.group(1)) if m else None) from exc
    try:
        idea = Idea.model_validate(raw)
    except ValidationError as exc:
        raise _idea_error(exc, text, path) from None
    idea._path = str(path)
    return idea


def _idea_error(exc: ValidationError, text: str, path) -> IdeaError:
    lines = key_lines(text)
    # A typo shows up twice (unknown 'stopp', missing 'stop'): name the typo.
    err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = tuple(err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = f"unknown key '{loc[-1]}'"
    elif err["type"] == "missing":
        msg = f"missing required key '{loc[-1]}'"
    elif err["type"] == "union_tag_invalid" or err["type"] == "literal_error":
        msg = f"{msg} (got {err.get('input')!r})"
    if not loc:
        m = KEY_IN_MESSAGE.search(msg)
        if m:
            loc = tuple(m.group(1).split("."))
    candidates = [loc] + ([loc[:2] + loc[3:]] if len(loc) >= 4 else [])
    line = None
    for cand in candidates:
        if cand in lines:
            line = lines[cand]
            loc = cand
            break
    if line is None:
        line = line_for(lines, loc)
    key = ".".join(str(p) for p in loc) if loc else None
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    return IdeaError(path, msg, line=line, key=key)


def json_schema() -> dict:
    schema = Idea.model_json_schema()
    schema["$id"] = f"https://thesis.invalid/schema/idea/v{SCHEMA_VERSION}.json"
    schema["title"] = f"thesis idea file, schema version {SCHEMA_VERSION}"
    return schema
