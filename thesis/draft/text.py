"""Normalise a post and cut it into lines, sentences and blocks, keeping every offset
mappable back to the original text.

Normalisation (each step keeps a map from the normalised character to the original one):

- Unicode NFKC (full-width digits, ligatures, non-breaking spaces);
- every dash and minus sign becomes ``-``, curly quotes become straight ones;
- bullets become ``-``, emoji, arrows and other symbols become a space;
- thousands separators are dropped (``4,300`` -> ``4300``, ``5,050.5`` -> ``5050.5``).

A span is reported as (line, start, end) in the ORIGINAL text: 1-based line, 0-based
columns, end exclusive.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

DASHES = set("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u2e3a\u2e3b")
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
          "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"'}
BULLETS = set("\u2022\u25e6\u2023\u2043\u25aa\u25ab\u25cf\u25cb\u25a0\u25a1\u25ba\u25b6\u27a4\u27a2\u00b7\u2219")
ZERO_WIDTH = set("\u200b\u200c\u200d\u2060\ufeff\ufe0e\ufe0f\u20e3")
# Emoji that chat signals use as words: kept as the word.
EMOJI_WORDS = {"\U0001F3AF": " TP ", "\U0001F6D1": " SL ", "\u26D4": " SL "}
THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

# Lines that end the post proper (site furniture after the last note).
FURNITURE_END = re.compile(r"^\s*(also on:?|related publications|related ideas|disclaimer|share this|"
                           r"comments?|more ideas)\s*$", re.I)
DISCLAIMER = re.compile(r"^\W*(?:note:?\s*|disclaimer:?\s*)?(?:this is )?(?:not (?:financial|investment|trading) "
                        r"advice|nfa|dyor|for educational purposes(?: only)?|do your own research)\W*$", re.I)
FURNITURE_LINE = re.compile(r"^\s*(snapshot|chart snapshot|\[?image\]?|\[chart\])\s*$", re.I)


def _is_symbolic(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat in ("So", "Sk", "Cs", "Co") or (cat == "Sm" and ch not in "+<=>%") or ch in ZERO_WIDTH


# Decimal marks. "4.300,5" (dots group thousands, a comma marks decimals) or "4300,5" is the comma
# convention; "4,300.5" is the point one. A post is read in one convention; one that writes both is
# refused with a question (a misread level is 1,000x off), never guessed.
COMMA_STRONG = re.compile(r"(?<!\d)(?<!\d[.,])\d{1,3}(?:\.\d{3})+,\d+(?!\d|[.,]\d)|(?<!\d)(?<!\d[.,])\d{1,3}(?:\.\d{3}){2,}(?!\d|[.,]\d)")
COMMA_DECIMAL = re.compile(r"(?<!\d)(?<!\d[.,])\d{2,},\d{1,2}(?!\d|[.,]\d)")
POINT_STRONG = re.compile(r"(?<!\d)(?<!\d[.,])\d{1,3}(?:,\d{3})+\.\d+(?!\d|[.,]\d)")
POINT_DECIMAL = re.compile(r"(?<![\d:/])(?<!\d[.,])\d+\.\d{1,2}(?!\d|[.,]\d)")
COMMA_NUMBER = re.compile(r"(?<!\d)(?<!\d[.,])\d{1,3}(?:\.\d{3})+(?:,\d+)?(?!\d|[.,]\d)|(?<!\d)(?<!\d[.,])\d+,\d{1,2}(?!\d|[.,]\d)")


def decimal_mark(text: str) -> str:
    """"." or "," for the post's decimal mark; BadInput when the post writes numbers both ways."""
    comma = COMMA_STRONG.search(text) or COMMA_DECIMAL.search(text)
    if not comma:
        return "."
    point = POINT_STRONG.search(text) or (POINT_DECIMAL.search(text) if not COMMA_STRONG.search(text) else None)
    if point:
        from thesis.errors import BadInput

        raise BadInput(f"the post writes numbers both ways ({comma.group(0)!r} reads with a decimal comma, "
                       f"{point.group(0)!r} with a decimal point): which is the decimal mark? Rewrite the numbers "
                       f"one way (4300.5) and draft again")
    return ","


def _comma_to_point(norm: str, idx: list[int]) -> tuple[str, list[int]]:
    """"4.300,5" -> "4300.5" with the index map kept (dots dropped, the comma becomes a point)."""
    out, out_idx, pos = [], [], 0
    for m in COMMA_NUMBER.finditer(norm):
        out.append(norm[pos:m.start()])
        out_idx.extend(idx[pos:m.start()])
        for k in range(m.start(), m.end()):
            ch = norm[k]
            if ch == ".":
                continue
            out.append("." if ch == "," else ch)
            out_idx.append(idx[k])
        pos = m.end()
    out.append(norm[pos:])
    out_idx.extend(idx[pos:])
    return "".join(out), out_idx


def normalise(text: str) -> tuple[str, list[int]]:
    """(normalised text, index map: normalised position -> original position)."""
    out: list[str] = []
    idx: list[int] = []
    line_start = True
    for i, ch in enumerate(text):
        if ch == "\r":
            continue
        if ord(ch) < 128:
            rep = ch
        elif ch in DASHES:
            rep = "-"
        elif ch in QUOTES:
            rep = QUOTES[ch]
        elif ch in EMOJI_WORDS:
            rep = EMOJI_WORDS[ch]
        elif ch in BULLETS:
            rep = "-" if line_start else " "
        elif ch in ZERO_WIDTH:
            rep = ""
        else:
            rep = unicodedata.normalize("NFKC", ch)
            if len(rep) == 1 and (rep in DASHES):
                rep = "-"
            elif all(_is_symbolic(c) for c in rep):
                rep = " "
        if rep == " " and out and out[-1] == " ":
            rep = ""
        for c in rep:
            out.append(c)
            idx.append(i)
        if ch == "\n":
            line_start = True
        elif not ch.isspace() and rep.strip():
            line_start = False
    norm = "".join(out)
    if decimal_mark(norm) == ",":
        return _comma_to_point(norm, idx)
    # Thousands separators: delete with the map.
    keep = [True] * len(norm)
    for m in THOUSANDS.finditer(norm):
        keep[m.start()] = False
    if not all(keep):
        norm = "".join(c for c, k in zip(norm, keep) if k)
        idx = [j for j, k in zip(idx, keep) if k]
    return norm, idx


# One slip of the keyboard in a trade word ("buyng", "arround", "shorting" as "shortng") is read as the
# word: a lost verb loses the entry. Only words of 5+ letters one edit from these, and never a real word
# one edit away from them (brought/bought, ground/around, spelling/selling).
TRADE_WORDS = ("buying", "selling", "shorting", "around", "entry", "target", "targets", "stoploss", "profit",
               "reclaims", "reclaim", "invalidation", "objective", "resistance", "support", "breakout")
REAL_WORDS = set("""brought ground round spelling swelling smelling yelling dwelling sealing telling selling shorting
sporting snorting buyers entire entre enter entrys profits profit targets target supports support reclaim reclaims
tarter starget objectives breakouts around arounds burying sorting shouting sentry declaim declaims aground
tilling sifting busying gentry""".split())
_WORD5 = re.compile(r"[A-Za-z]{5,}")


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` with one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


def correct_typos(norm: str, idx: list[int]) -> tuple[str, list[int]]:
    """``norm`` with misspelt trade words spelt right; the index map follows (each new character maps
    into the original word)."""
    out, out_idx, pos = [], [], 0
    for m in _WORD5.finditer(norm):
        word = m.group(0).lower()
        if word in REAL_WORDS or word in TRADE_WORDS:
            continue
        fix = next((w for w in TRADE_WORDS if _one_edit(word, w)), None)
        if fix is None:
            continue
        if m.group(0).isupper():
            fix = fix.upper()
        elif m.group(0)[0].isupper():
            fix = fix.capitalize()
        out.append(norm[pos:m.start()])
        out_idx.extend(idx[pos:m.start()])
        out.append(fix)
        last = len(fix) - 1  # the word's last letter maps to the original's last: a span covers the whole word
        out_idx.extend(idx[m.end() - 1] if k == last else idx[m.start() + min(k, len(m.group(0)) - 1)]
                       for k in range(len(fix)))
        pos = m.end()
    if not out:
        return norm, idx
    out.append(norm[pos:])
    out_idx.extend(idx[pos:])
    return "".join(out), out_idx


@dataclass(eq=False)  # a sentence is itself: compared by identity (field-wise __eq__ made lookups slow)
class Sentence:
    text: str           # normalised
    start: int          # offset in the normalised text
    line: int           # 0-based line index (normalised lines = original lines)
    block: str = "body"  # "title", "body", "note"
    note: int | None = None  # index of the note the sentence belongs to

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class NoteBlock:
    index: int
    header: str
    header_start: int
    date_text: str | None
    text: str = ""
    start: int = 0
    sentences: list[Sentence] = field(default_factory=list)


_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
# "Note", "UPDATE Jan 20, 2023:", "Update (12/20/2021):", "Edit (Nov 14, 2023):", "Update 2022-08-17:",
# "Update:", "EDIT 2:". A bare "Updated" (a site label) is not a note.
NOTE_HEADER = re.compile(
    r"^\s*(?:\d{1,2}/\s*)?(?P<kw>note|update|edit|upd\.?|follow[- ]?up|comment|trade active|order cancell?ed|trade closed(?::?\s*(?:target|stop) reached)?|updated(?=\s*\(?\s*[A-Za-z0-9]{2,}.*?\d))"
    r"(?:\s*#?\d{1,2}(?=\s*[:(\-]|\s*$))?"
    r"\s*(?P<date>\([^)]{1,40}\)|(?:on\s+)?" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?(?!\d)|"
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?(?![\d/])|\d{1,2}\s+" + _MONTH + r"\.?,?(?:\s+\d{4})?|"
    r"(?:on\s+)?(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|today|tomorrow|yesterday)?"
    r"\s*(?P<sep>:|-\s|$)", re.I)


LEADING_DATE = re.compile(
    r"\s*(?P<d>" + _MONTH + r"\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{4}-\d{1,2}-\d{1,2}|"
    r"\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\s+" + _MONTH + r"\.?,?(?:\s+\d{4})?)(?!\d)\s*(?:[-:,]\s|$)", re.I)


class Text:
    """A post: original text, normalised text, lines, sentences, notes."""

    def __init__(self, original: str):
        self.original = original
        self.norm, self.idx = correct_typos(*normalise(original))
        self.orig_line_starts = [0] + [m.end() for m in re.finditer("\n", original)]
        self.lines: list[tuple[int, str]] = []  # (start offset in norm, line text)
        pos = 0
        for line in self.norm.split("\n"):
            self.lines.append((pos, line))
            pos += len(line) + 1
        self.end_line = self._furniture_end()
        self.title_line = next((i for i, (_, t) in enumerate(self.lines[:self.end_line]) if t.strip()), None)
        self.notes: list[NoteBlock] = []
        self.sentences: list[Sentence] = []
        self._split()

    # ------------------------------------------------------------ structure
    def _furniture_end(self) -> int:
        for i, (_, t) in enumerate(self.lines):
            if FURNITURE_END.match(t):
                return i
        return len(self.lines)

    def _split(self) -> None:
        note: NoteBlock | None = None
        for i, (start, line) in enumerate(self.lines[:self.end_line]):
            if not line.strip() or FURNITURE_LINE.match(line) or _tag_soup(line) or DISCLAIMER.search(line):
                continue
            m = NOTE_HEADER.match(line)
            if m and not (m.group("date") or m.group("sep").strip() in (":", "-") or not line[m.end():].strip()):
                m = None
            if m:
                date_text, end = _clean_date(m.group("date")), m.end()
                lead = LEADING_DATE.match(line[end:]) if not date_text else None
                if lead:  # "Edit: Feb 13, 2024 - CPI hot"
                    date_text, end = lead.group("d"), end + lead.end()
                note = NoteBlock(len(self.notes), line[:end].strip(), start + m.start(), date_text)
                self.notes.append(note)
                rest = line[end:]
                if rest.strip():
                    off = start + end + (len(rest) - len(rest.lstrip()))
                    self._add_sentences(rest.strip(), off, i, "note", note)
                continue
            block = "note" if note is not None else ("title" if i == self.title_line else "body")
            self._add_sentences(line, start, i, block, note)
        for n in self.notes:
            n.text = " ".join(s.text for s in n.sentences)
            if re.match(r"\s*(?:trade|order)\b", n.header, re.I):  # the header is itself the news
                n.text = (n.header.rstrip(":") + (". " + n.text if n.text else "")).strip()
            n.start = n.sentences[0].start if n.sentences else n.header_start

    def _add_sentences(self, line: str, start: int, lineno: int, block: str, note: NoteBlock | None) -> None:
        for s, e in sentence_bounds(line):
            piece = line[s:e]
            lead = len(piece) - len(piece.lstrip())
            piece = piece.strip()
            if not piece:
                continue
            sent = Sentence(piece, start + s + lead, lineno, block, note.index if note else None)
            self.sentences.append(sent)
            if note is not None:
                note.sentences.append(sent)

    def unnote_first(self) -> None:
        """The first 'note' is body text (an aside such as "NOTE : exit half at the first level" above the
        plan), not a follow-up: its header line and sentences join the body, the other notes keep their order."""
        first = self.notes.pop(0)
        for sent in first.sentences:
            sent.block, sent.note = "body", None
        for n in self.notes:
            n.index -= 1
            for sent in n.sentences:
                sent.note = n.index

    # ------------------------------------------------------------ views
    def body(self) -> list[Sentence]:
        return [s for s in self.sentences if s.block in ("title", "body")]

    def title(self) -> str:
        return self.lines[self.title_line][1].strip() if self.title_line is not None else ""

    def span(self, start: int, end: int) -> dict:
        """Normalised [start, end) -> original {"line", "start", "end"} (1-based line, 0-based columns)."""
        if not self.idx:
            return {"line": 1, "start": 0, "end": 0}
        start = min(max(start, 0), len(self.idx) - 1)
        end = min(max(end, start + 1), len(self.idx))
        o_start, o_end = self.idx[start], self.idx[end - 1] + 1
        line = _bisect(self.orig_line_starts, o_start)
        line_start = self.orig_line_starts[line]
        line_end = self.original.find("\n", o_start)
        if line_end == -1:
            line_end = len(self.original)
        return {"line": line + 1, "start": o_start - line_start, "end": min(o_end, line_end) - line_start}

    def original_line(self, line: int) -> str:
        """The original text of 1-based ``line``."""
        lines = self.original.split("\n")
        return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""


def _bisect(starts: list[int], pos: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo


ABBREV = re.compile(r"(?:\b(?:vs|e\.g|i\.e|approx|etc|est|no|ca|mr|ms|dr|st|jan|feb|mar|apr|jun|jul|aug|sep|sept|"
                    r"oct|nov|dec|u\.s)\.|\b[A-Z]\.)$", re.I)
SENT_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=\S)")


def sentence_bounds(line: str) -> list[tuple[int, int]]:
    """[(start, end)] of the sentences of one line."""
    out, start = [], 0
    for m in SENT_END.finditer(line):
        head = line[start:m.start()]
        if ABBREV.search(head):
            continue
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(line)))
    return out


def _tag_soup(line: str) -> bool:
    """A run of site tags glued together ('AMCAPEBBBYBeyond Technical AnalysisChart Patterns...')."""
    words = line.split()
    return bool(words) and max(len(w) for w in words) >= 25 and \
        sum(1 for w in words if re.search(r"[a-z][A-Z]", w)) >= 2


def _clean_date(text: str | None) -> str | None:
    if not text:
        return None
    return text.strip().strip("()").strip().removeprefix("on ").strip() or None
