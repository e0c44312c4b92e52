"""Load idea files: TOML -> validated ``Idea``, with errors naming file, line and key."""
from __future__ import annotations

import datetime
import json
import re
import tomllib
from pathlib import Path

from pydantic import ValidationError

from thesis.errors import IdeaError
from thesis.spec.idea import SCHEMA_VERSION, Idea
from thesis.spec.limits import MAX_DEPTH, MAX_FILE_BYTES, excerpt, first_problem
from thesis.spec.positions import key_lines, line_for

__all__ = ["Idea", "load", "parse", "SCHEMA_VERSION", "json_schema"]

TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")
KEY_IN_MESSAGE = re.compile(r"\b([a-z_]+\.[a-z_]+)\b")


def load(path: str | Path) -> Idea:
    """Read and validate an idea file."""
    path = Path(path)
    if path.is_dir():
        raise IdeaError(path, "is a folder, not an idea file")
    if not path.is_file():
        raise IdeaError(path, "no such idea file")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IdeaError(path, f"is {size:,} bytes; an idea file is at most {MAX_FILE_BYTES:,} bytes")
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IdeaError(path, f"is not UTF-8 text (byte {exc.start:,})") from None
    except OSError as exc:
        raise IdeaError(path, f"cannot read: {exc.strerror or exc}") from None
    return parse(text, path)


def parse(text: str, path: str | Path = "<idea>") -> Idea:
    """Validate idea-file text. This is the one validation every command runs (``thesis check``
    included): limits first (size, nesting, text length, finite numbers), then the strict model
    (numbers must be numbers: no "+700" for 700), the levels and the claims' arithmetic."""
    if len(text) > MAX_FILE_BYTES:
        raise IdeaError(path, f"is {len(text):,} characters; an idea file is at most {MAX_FILE_BYTES:,} bytes")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = TOML_POS.search(str(exc))
        raise IdeaError(path, f"not valid TOML: {TOML_POS.sub('', str(exc)).strip()}",
                        line=int(m.group(1)) if m else None) from exc
    except RecursionError:
        raise IdeaError(path, f"arrays or tables nested too deep (idea files nest at most {MAX_DEPTH} "
                              f"levels)") from None
    problem = first_problem(raw)
    if problem is not None:
        loc, msg = problem
        lines = key_lines(text)
        raise IdeaError(path, msg, line=line_for(lines, loc), key=key_name(loc))
    try:
        document = json.dumps(raw, default=_json_default)
        idea = Idea.model_validate_json(document, strict=True)
    except ValidationError as exc:
        raise _idea_error(exc, text, path) from None
    idea._path = str(path)
    return idea


def key_name(loc: tuple) -> str | None:
    """'levels.stop', 'triggers #2.zone': array entries are numbered from 1, as everywhere else."""
    if not loc:
        return None
    out = ""
    for part in loc:
        out += f" #{part + 1}" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _json_default(value):
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__}")


DECIMAL_KEYS = {"iv", "rate", "div_yield"}
UNION_TAGS = {"float", "str", "int", "bool", "date", "none", "list", "tuple"}
NO_INPUT = {"extra_forbidden", "missing", "value_error", "assertion_error"}


def _idea_error(exc: ValidationError, text: str, path) -> IdeaError:
    lines = key_lines(text)
    # A typo shows up twice (unknown 'stopp', missing 'stop'): name the typo.
    err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    # Union members show up in the location ("claims.risk_reward.float"): drop them.
    kept: list = []
    for part in err["loc"]:
        if isinstance(part, str) and (part in UNION_TAGS or "[" in part) and (*kept, part) not in lines:
            continue
        kept.append(part)
    loc = tuple(kept)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = f"unknown key '{loc[-1]}'"
    elif err["type"] == "missing":
        msg = f"missing required key '{loc[-1]}'"
    elif err["type"] not in NO_INPUT and "input" in err and not isinstance(err["input"], (dict, list)):
        msg = f"{msg} (got {excerpt(err['input'])})"
        if loc and loc[-1] in DECIMAL_KEYS and err["type"].startswith(("less_than", "greater_than")):
            msg += f": write {loc[-1]} as a decimal (0.20 for 20 %)"
    m = KEY_IN_MESSAGE.search(msg)
    if m and tuple(m.group(1).split("."))[:len(loc)] == loc[:2]:
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
    key = key_name(loc)
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    return IdeaError(path, msg, line=line, key=key)


def json_schema() -> dict:
    schema = Idea.model_json_schema()
    schema["$id"] = f"https://thesis.invalid/schema/idea/v{SCHEMA_VERSION}.json"
    schema["title"] = f"thesis idea file, schema version {SCHEMA_VERSION}"
    return schema
