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
from functools import lru_cache

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
MASKS: list[tuple[str, re.Pattern]] = [
    # scientific notation is never a price in a post ("stop 1e-308" is not a stop of 308)
    ("sci", re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][+\-]?\d+\b")),
    ("date", DATE_RE),
    # a month, quarter or season with its year ("December 2018", "Q1 2024", "early Dec 2023", "FY2024")
    ("year", re.compile(rf"\b{MONTH}\.?,?\s+(?:of\s+)?'?(?:19|20)\d{{2}}\b|\b(?:Q[1-4]|H[12]|FY|CY)\s*-?\s*'?(?:19|20)?\d{{2}}\b|"
                        r"\b(?:early|mid|late|summer|winter|spring|fall|autumn)[- ](?:19|20)\d{2}\b", re.I)),
    # a chart's timeframe ("4H", "1D", "15m", "the 4 hourly", "FX:EURUSD, 240" in a site header)
    ("timeframe", re.compile(r"\b\d{1,3}\s?(?:h|hr|hrs|hourly|hours?|d|w|m|mn|min|mins|minutes?|minute)\b(?![\d.])",
                             re.I)),
    ("interval", re.compile(r"(?<=[A-Z!]),\s*\d{1,4}[DWMH]?(?=\s+(?:[Ll]ong|[Ss]hort|LONG|SHORT)\b|\s*$)")),
    # profit and loss, not levels: "+$450", "(+320 pips)", "-$1,320", "+160 pips", "40 pips of risk"
    ("pnl", re.compile(r"(?:\+|(?<!\d)(?<!\d\s)(?<!\d\s\s)-)\s?\$\s?\d+(?:\.\d+)?k?\b|[+\-]?\$?\d+(?:\.\d+)?\s*(?:pips?|pipettes?|bps?|basis points)\b"
                       r"|\$\s?\d+(?:\.\d+)?k?\s+(?:banked|profit|gain|loss|p&l|pnl|in profit|up|down|risk(?:ed)?)\b"
                       r"|\b(?:banked|made|lost|profit of|gain of|loss of|p&l|pnl)\s+(?:of\s+|about\s+|~)?\$\s?\d+(?:\.\d+)?k?",
                       re.I)),
    # an indicator's reading or a quantity, not a price ("RSI 80+", "ratio is back near 89", "3 ETH", "1 mb/d")
    ("reading", re.compile(r"\b(?:RSI|MACD|ADX|CCI|stoch\w*|ratio|funding|P/?E|volume(?: total)?|open interest|OI|"
                           r"issue|no\.|number|#)\s*(?:\w+\s+){0,3}?(?:is\s+|at\s+|of\s+|near\s+|around\s+|~\s*)?"
                           r"\d+(?:\.\d+)?\+?(?!\s*(?::|/|to\s+\d))"
                           r"|\b\d+(?:\.\d+)?\s*(?:k\s*)?(?:bpd|b/d|mb/d|barrels?|bbl|oz|ounces|tonnes|tons|coins?|chunks?|"
                           r"cuts?|hikes?|ETH|BTC|SOL|units?|employees|people|days in a row|sessions in a row)\b", re.I)),
    ("index_name", INDEX_NAMES),
    ("year", re.compile(r"'\d{2}\b|\b(?:in|of|since|until|through|by|end of|year|fy|cy)\s+(?:19|20)\d{2}\b"
                        r"|\b(?:19|20)\d{2}\s+(?:presidential|election|recession|crash|bear|bull|low|high|top|bottom)s?\b",
                        re.I)),
    ("thread", re.compile(r"^\s*\d{1,2}\s*/(?!\d)")),
    ("label", re.compile(r"\b(?:TP|PT|T|TGT|target|objective|profit|take\s*profit|trade|idea|setup|update|edit|note|step|part|"
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
    k: bool = False  # written with a k ("62.5k")


def mask(text: str, kinds: set[str] | None = None) -> tuple[str, list[tuple[str, int, int, str]]]:
    """(text with non-price numbers blanked, [(kind, start, end, matched text)])."""
    got = _mask(text, frozenset(kinds) if kinds is not None else None)
    return got[0], list(got[1])


@lru_cache(maxsize=4096)  # every extractor masks the same sentences
def _mask(text: str, kinds: frozenset[str] | None) -> tuple[str, tuple]:
    if not any(ch.isdigit() for ch in text):
        return text, ()
    found = []
    chars = list(text)
    cur = text
    for kind, pat in MASKS:
        if kinds is not None and kind not in kinds:
            continue
        changed = False
        for m in pat.finditer(cur):
            s, e = m.span(1) if kind == "label" else m.span()
            if s < 0 or "\0" in cur[s:e]:
                continue
            found.append((kind, s, e, text[s:e]))
            for i in range(s, e):
                if chars[i].isdigit() or chars[i] in "$":
                    chars[i] = "\0"
                    changed = True
        if changed:
            cur = "".join(chars)
            if not any(ch.isdigit() for ch in cur):
                break  # nothing left to claim
    return cur.replace("\0", " "), tuple(found)


def prices(text: str) -> list[Num]:
    """The numbers of ``text`` (already masked) that may be prices."""
    out = []
    for m in PRICE_RE.finditer(text):
        v = float(m.group(2))
        if m.group(3):
            v *= 1000
        if not 1e-4 <= v <= 1e7:  # never a price (the idea file's own limits)
            continue
        out.append(Num(v, m.start(), m.end(), bool(m.group(1)), bool(m.group(3))))
    return out
