"""The numbers of a sentence, each with what it most likely is.

A price is what is left after everything that is clearly not a price has been claimed:
dates, durations ("4-6 months", "200-day"), percentages, ratios ("7 to 1", "R:R 1:3",
"3R"), betting odds ("+700"), counts ("10-15 points", "5 bagger", "Trade 2"), label
indexes ("TP1", "Target 2:"), index names ("S&P 500", "Russell 2000") and option legs
("Aug 170 puts around 4.20"). Every claimed range is masked so later rules never read
its digits again.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
         r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
DATE_PATTERNS = [
    rf"\b{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b",
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\.?,?\s+\d{{4}}\b",
    r"\b\d{4}-\d{1,2}-\d{1,2}(?!\d)",
    r"\b\d{4}/\d{1,2}/\d{1,2}\b",
    r"\b\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})\b",
    r"\b\d{1,2}\.\d{1,2}\.\d{4}\b",
]
DATE_RE = re.compile("|".join(f"(?:{p})" for p in DATE_PATTERNS), re.I)
UNIT = (r"(?:trading\s+days?|sessions?|days?|d|weeks?|wks?|w|months?|mos?|mo|m|quarters?|years?|yrs?|y|"
        r"bars?|candles?|hours?|hrs?|h|minutes?|mins?)")
NUM = r"\d+(?:\.\d+)?"
PRICE_NUM = r"\$?\s?\d+(?:\.\d+)?(?:k\b)?"

INDEX_NAMES = re.compile(r"\b(?:S\s?&\s?P|SP|Russell|Nasdaq|NASDAQ|Dow|FTSE|DAX|Nikkei|Stoxx|STOXX|ASX|CAC|"
                         r"Hang Seng|Euro Stoxx)\s*-?\s*(?:500|2000|1000|100|30|40|50|225|200|600)\b")
_MASKS: list[tuple[str, re.Pattern]] = [
    ("date", DATE_RE),
    ("index_name", INDEX_NAMES),
    ("year", re.compile(r"'\d{2}\b|\b(?:in|of|since|until|through|by|end of|year|fy|cy)\s+(?:19|20)\d{2}\b"
                        r"|\b(?:19|20)\d{2}\s+(?:presidential|election|recession|crash|bear|bull|low|high|top|bottom)s?\b",
                        re.I)),
    ("thread", re.compile(r"^\s*\d{1,2}\s*/(?!\d)")),
    ("label", re.compile(r"\b(?:TP|PT|T|TGT|target|take\s*profit|trade|idea|setup|update|edit|note|step|part|"
                         r"option|scenario|entry|stop|SL)\s*#?\s*(\d)(?!\d)(?!\.\d)(?=\s*[:=)\-.]?\s*\$?\s*\d|\s*[:=)]|\s*$)", re.I)),
    ("option_leg", re.compile(rf"(?:\b{MONTH}\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?(?:'?\d{{2,4}}\s+)?)?\$?{NUM}\s*"
                              r"(?:strike\s+)?(?:puts?|calls?|[pc](?=\s|$|[.,]))\b", re.I)),
    ("premium", re.compile(rf"\b(?:puts?|calls?|options?|contracts?|premium)\s+(?:\w+\s+)?(?:at|around|for|@|near|"
                           rf"costing|~)\s*\$?{NUM}", re.I)),
    ("ma", re.compile(rf"\b{NUM}\s*-?\s*(?:dma|sma|ema|wma|ma|(?:day|week|period)\s+(?:ma|sma|ema|moving average))\b"
                      rf"|\b(?:dma|sma|ema|ma|moving average|vwap|avwap)\s+(?:is\s+|sits\s+)?(?:at|near|around|@)\s*\$?{NUM}",
                      re.I)),
    ("duration", re.compile(rf"\b{NUM}\s*(?:-|to|or)\s*{NUM}\s*-?\s*{UNIT}\b|\b{NUM}\s*-?\s*{UNIT}\b",
                            re.I)),
    ("pct", re.compile(rf"[+\-]?\s?{NUM}\s*(?:-|to)\s*{NUM}\s*%|[+\-]?\s?{NUM}\s*(?:%|percent\b|pct\b)", re.I)),
    ("ratio", re.compile(rf"(?<![\d.]){NUM}\s*(?::|\bto\b)\s*1(?!\d)(?!\.\d)|(?<![\d.])1\s*:\s*{NUM}|(?<=reward )1\s+to\s+{NUM}|(?<=risk )1\s+to\s+{NUM}|(?<![\w.]){NUM}\s*R\b"
                         rf"|(?<![\d.])1\s*/\s*{NUM}\s*(?:R\b|risk)", re.I)),
    ("odds", re.compile(r"(?<![\w.$])[+\-]\d{3,5}(?![\d%.,])")),
    ("sizes", re.compile(r"(?<![\d.])\d{1,2}\s*/\s*\d{1,2}(?:\s*/\s*\d{1,2})?(?![\d.])(?!\s*/)")),
    ("count", re.compile(rf"\$?{NUM}\s*(?:-|to)\s*\$?{NUM}\s*(?:point|pt|scalp|move|handle|tick|buck|dollar|bp)s?\b"
                         rf"|\b{NUM}\+?\s*(?:points?|pts|baggers?|x\b|times|contracts?|shares?|lots?|ticks?|handles?|"
                         rf"bps|basis points|stocks|names|tests?|year old|yo\b|bucks|dollar move|scalp|atrs?\b|sigma|"
                         rf"std\b|standard deviations?|fib\b|fibonacci|extension|ext\b|retracement|retrace|r multiple|"
                         rf"st\b|nd\b|rd\b|th\b)", re.I)),
]
PRICE_RE = re.compile(r"(?<![\w.])(\$\s?)?(\d+(?:\.\d+)?)(k\b)?(?:(?<=\d)s\b)?(?![\w%])", re.I)


@dataclass
class Num:
    value: float
    start: int      # offset in the sentence
    end: int
    dollar: bool


def mask(text: str, kinds: set[str] | None = None) -> tuple[str, list[tuple[str, int, int, str]]]:
    """(text with non-price numbers blanked, [(kind, start, end, matched text)])."""
    found = []
    chars = list(text)
    for kind, pat in _MASKS:
        if kinds is not None and kind not in kinds:
            continue
        cur = "".join(chars)
        for m in pat.finditer(cur):
            s, e = m.span(1) if kind == "label" else m.span()
            if s < 0 or "\0" in cur[s:e]:
                continue
            found.append((kind, s, e, text[s:e]))
            for i in range(s, e):
                if chars[i].isdigit() or chars[i] in "$":
                    chars[i] = "\0"
    return "".join(chars).replace("\0", " "), found


def prices(text: str) -> list[Num]:
    """The numbers of ``text`` (already masked) that may be prices."""
    out = []
    for m in PRICE_RE.finditer(text):
        v = float(m.group(2))
        if m.group(3):
            v *= 1000
        if not 1e-4 <= v <= 1e7:  # never a price (the idea file's own limits)
            continue
        out.append(Num(v, m.start(), m.end(), bool(m.group(1))))
    return out
