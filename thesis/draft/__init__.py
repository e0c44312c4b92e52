"""From a written trade idea (a post, a chat signal, a thread) to a draft idea file.

    from thesis.draft import draft_post
    result = draft_post(open("post.txt").read(), published="2023-06-04")
    result.toml          # the idea file text, each field under the sentence it came from
    result.document      # the --json document: fields, spans, confidences, open questions

Pipeline: normalise (thesis.draft.text) -> small independent extractors over sentences
(thesis.draft.extract, each returning value + span + confidence) -> resolver with sanity
rules (thesis.draft.resolve) -> note dates proposed from the bars (thesis.draft.propose)
-> writer (thesis.draft.write). See docs/draft.md.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from thesis.errors import BadInput, ThesisError

if TYPE_CHECKING:
    from thesis.draft.resolve import Draft

MAX_POST_BYTES = 200_000
MAX_POST_LINES = 5_000
ENGLISH = re.compile(r"\b(?:the|and|to|is|of|in|for|on|at|it|this|that|with|my|i|we|you|stop|target|entry|buy|"
                     r"sell|short|long|zone|sl|tp\d?|pt\d?|update|note|signal|here|if|be|will|are|from|into)\b", re.I)


class NoTrade(BadInput):
    """The post proposes no trade (scenario commentary, an opinion): exit 2, and ``draft`` keeps what
    was read (symbol, date, the scenario levels as comments) for --json and the scorer."""

    def __init__(self, message: str, draft: Draft):
        super().__init__(message)
        self.draft = draft


@dataclass
class DraftResult:
    draft: Draft
    toml: str
    document: dict
    check: dict


def read_post(path: str | Path) -> str:
    """The post's text, or BadInput saying why it cannot be one (missing, too big, binary)."""
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such file")
    if path.is_dir():
        raise BadInput(f"{path} is a folder: give the post's text file")
    size = path.stat().st_size
    if size > MAX_POST_BYTES:
        raise BadInput(f"{path} is {size:,} bytes: a post is at most {MAX_POST_BYTES:,} bytes "
                       f"(paste the idea itself, not a whole page or a log)")
    data = path.read_bytes()
    return decode_post(data, str(path))


def decode_post(data: bytes, name: str = "the post") -> str:
    if len(data) > MAX_POST_BYTES:
        raise BadInput(f"{name} is {len(data):,} bytes: a post is at most {MAX_POST_BYTES:,} bytes "
                       f"(paste the idea itself, not a whole page or a log)")
    if b"\0" in data:
        raise BadInput(f"{name} is not text (it holds binary data): give the post as a plain text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{name} is not UTF-8 text: save the post as UTF-8 plain text") from None
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(3, len(text) // 100):
        raise BadInput(f"{name} is not text ({controls} control characters): give the post as a plain text file")
    return text


def check_text(text: str, name: str = "the post") -> None:
    if not text.strip():
        raise BadInput(f"{name} is empty: nothing to draft")
    if text.count("\n") > MAX_POST_LINES:
        raise BadInput(f"{name} has {text.count(chr(10)):,} lines: a post is at most {MAX_POST_LINES:,} lines")
    letters = [ch for ch in text if ch.isalpha()]
    if letters:
        latin = sum(1 for ch in letters if ch.isascii())
        words = re.findall(r"[^\W\d_]+", text)
        english = len(ENGLISH.findall(text))
        if latin / len(letters) < 0.6 or (len(words) >= 12 and english / len(words) < 0.1):
            raise BadInput(f"{name} does not read as English: thesis draft reads English posts only "
                           f"(translate it first)")
    if not re.search(r"\d", text):
        raise BadInput(f"{name} has no numbers: a trade idea needs at least an entry or a level to draft")


def known_symbols(source: str | None) -> tuple[set[str], str]:
    """The symbols the data source holds (empty when it cannot list them, e.g. Yahoo)."""
    from thesis.data import default_source, get_provider

    src = source or default_source()
    try:
        provider = get_provider(src)
        try:  # ideas read as-traded bars by default: a symbol the folder holds only adjusted is unknown here
            return set(provider.symbols("as-traded")), src
        except TypeError:
            return set(provider.symbols()), src
    except Exception:  # a source that cannot list its symbols: the draft says it could not check
        return set(), src


def draft_post(text: str, published: date | str | None = None, source: str | None = None,
               name: str = "the post", propose: bool = True) -> DraftResult:
    """Draft an idea from ``text``. Raises BadInput for text that cannot be a post."""
    from thesis.draft.resolve import resolve
    from thesis.draft.text import Text
    from thesis.draft.write import to_json, to_toml

    check_text(text, name)
    day: date | None
    if isinstance(published, str):
        from thesis.data.dates import parse_date

        day = parse_date(published, "--published").date()
    else:
        day = published
    known, src = known_symbols(source)
    from thesis.draft.band import reference_price

    try:
        post = Text(text)
    except BadInput as exc:  # the decimal-mark question: say which post
        raise BadInput(f"{name}: {exc}") from None
    d = resolve(post, known, day, price_at=lambda sym, day: reference_price(sym, day, source))
    d.source = src
    if d.no_trade:
        levels = ", ".join(f"{v:g}" for v in d.scenario_levels[:12])
        raise NoTrade(f"{name}: {d.no_trade}" + (f"; its levels ({levels}) are not a plan" if levels else "")
                      + ": nothing to draft (a trade takes a side with an entry and a stop or target)", d)
    if not known and d.value("symbol"):
        d.questions.append(f"the data source ({src}) cannot list its symbols: {d.value('symbol')} was not checked")
    if not any(d.value(k) is not None for k in ("entry_zone", "stop", "targets")):
        far = [q for q in d.questions if "price on" in q and "not a level" in q]
        raise BadInput(f"{name} gives no entry, stop or target that thesis can read: nothing to draft"
                       + (f" ({'; '.join(far[:3])})" if far else ""))
    if propose and any(n["date"] is None for n in d.notes) and d.value("symbol") and d.value("published"):
        try:
            from thesis.data import load_bars
            from thesis.draft.propose import propose_note_dates

            bars = load_bars(d.value("symbol"), source=source)
            propose_note_dates(d, bars)
        except ThesisError as exc:  # unknown symbol, provider down: the notes stay undated, and say why
            d.questions.append(f"undated notes could not be dated from the bars: {exc}")
    toml_text = to_toml(d, name)
    check = validate(toml_text, name)
    return DraftResult(d, toml_text, to_json(d, name, toml_text, check), check)


def validate(toml_text: str, name: str) -> dict:
    """What `thesis check` says of the drafted file (the same validation)."""
    from thesis.errors import ThesisError
    from thesis.spec import parse

    try:
        parse(toml_text, f"{name} (draft)")
    except ThesisError as exc:
        return {"valid": False, "message": str(exc)}
    return {"valid": True, "message": "ok"}


__all__ = ["NoTrade", "draft_post", "read_post", "decode_post", "check_text", "DraftResult", "MAX_POST_BYTES"]
