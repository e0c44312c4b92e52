"""Small independent extractors. Each reads sentences and returns candidates: a value, the
sentence it came from, its span in that sentence and a confidence in [0, 1]. None of them
decides: the resolver (thesis.draft.resolve) weighs candidates against each other.
"""
from __future__ import annotations

import calendar
import re
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from thesis.draft.numbers import DATE_RE, MASKS, MONTH, Num, mask, prices
from thesis.draft.text import Sentence, Text

if TYPE_CHECKING:
    from thesis.data.instruments import Instrument


@dataclass
class Cand:
    field: str
    value: object
    sent: Sentence
    s: int
    e: int
    conf: float
    why: str = ""
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def start(self) -> int:
        return self.sent.start + self.s

    @property
    def end(self) -> int:
        return self.sent.start + self.e


# ---------------------------------------------------------------- symbols
# Every written name goes through the one symbol table the data layer uses (thesis.data.instruments):
# tickers, EXCH:SYMBOL prefixes, FX and crypto pairs, futures roots and names ("gold", "S&P 500").
STOPWORDS = set("""
A I AM AN AND ARE AS AT BE BUT BY DO FOR GO HE IF IN IS IT ME MY NO NOT OF OK ON OR SO THE TO UP US WE
BUY SELL SHORT LONG LONGS SHORTS ZONE SL TP PT TPS PTS BE RR R ETF ETFS USD EUR JPY GBP UPDATE NOTE EDIT SIGNAL
SIGNALS OIL IV HV ATH ATL RSI MACD EMA SMA MA DMA VWAP CPI PPI PCE FOMC FED GDP NFP CEO CFO IPO EPS
PE YOY QOQ EOD EOY EOW EOM AH PM AM USA UK EU CCP AI LOL IMO IMHO FOMO YOLO ATM OTM ITM DTE TA FA DD NFA HODL
BTFD MOASS EST ET UTC NYSE AMEX NASDAQ ARCA CBOE TVC SPDR YTD MTD OI POC HOD LOD ES NQ RTY YM H1 H2 Q1
Q2 Q3 Q4 W D M H LOW HIGH TOP BOTTOM OUT STOP LOSS TARGET ENTRY TRADE IDEA PLAN RISK REWARD BULL BEAR BULLISH
BEARISH NEW ALL NOW THIS THAT WHY HOW WHAT WHEN BIG SP TLDR TL DR TBD TBA NB PS FYI ASAP FX CFD BE OTC
REIT ADR GDX NOTE NOTES WEEKLY DAILY MONTHLY ALERT ALERTS VOL PUT PUTS CALL CALLS BOJ ECB PBOC OPEC
SEC DOJ IRS UP DOWN ONE TWO TP1 TP2 TP3 PT1 PT2 PT3 SL1 SL2 MOC MOO GTC DAY SWING SCALP HOLD WAIT YES
LIMIT MARKET PAIR ACTION PRICE FREE PROFIT TAKE OPEN CLOSE SIGNAL VIP PREMIUM NEWS HOT FIRE RISK LOT SIZE
TIME DATE BREAKOUT BREAKDOWN SUPPORT RESISTANCE TREND UPDATE UPDATES EDIT EDITS NOTE WATCH WATCHLIST SETUP
ATR ADX OBV BB KC SAR CCI MFI STOCH FIB EXT PDH PDL PMH PML ORB HVN LVN VAH VAL IMO ETA EST
FVG IFVG OB BOS CHOCH MSS SMC ICT LTF HTF MTF RR RRR USDT USDC BUSD DAI PERP PERPS FUD ATH BOE BOC RBA RBNZ SNB
NII SVB GBTC RSI DCA LTV PNL ROI UK US EOD NOT ISOLATED CROSS LEVERAGE SIGNAL TRIGGER PLAN THREAD NOW
CHF CAD AUD NZD CNH CNY HKD SGD MXN ZAR TRY SEK NOK DKK PLN HUF INR KRW BRL
""".split())
TICKER = re.compile(r"(?:(?P<ex>\b[A-Z]{2,10}):(?P<xt>[A-Z0-9][A-Z0-9.!]{0,12}))|(?:\$(?P<dt>[A-Za-z][A-Za-z0-9.]{0,7})\b)"
                    r"|(?:\((?P<pt>[A-Z]{1,6})\))|(?P<pair>\b[A-Z]{3,5}\s?/\s?[A-Z]{3,5}\b)"
                    r"|(?P<bt>\b[A-Z][A-Z0-9]{1,7}\b(?![.:]\d))")
WORD = re.compile(r"[A-Za-z][A-Za-z&0-9-]*")
VEHICLE = re.compile(r"\s+(?:ETFs?|ETNs?|funds?|miners?|stocks?|shares|trusts?|bugs?|equities)\b", re.I)
DIRECTION_NEAR = re.compile(r"\b(short|long|buy|sell|buying|selling|shorting|puts?|calls?|bullish|bearish|"
                            r"accumulat\w*)\b", re.I)


@lru_cache(maxsize=512)  # cleared by each draft (resolve): the user's table may change between drafts
def instrument(name: str) -> Instrument | None:
    """The table's instrument for a written name, or None when the table cannot place it."""
    from thesis.data.instruments import COINS, resolve
    from thesis.errors import BadInput

    key = name.strip().lstrip("$").upper()
    if key in COINS:  # a bare coin code ("$SOL", "BTC") is the coin against the dollar
        key += "USD"
    try:
        return resolve(key)
    except BadInput:
        return None


def table_names() -> dict[str, str]:
    """The symbol table's names that read as words (read once per draft: the table may change between)."""
    from thesis.data.instruments import known_aliases

    return _alias_names(tuple(sorted(known_aliases().items())))


def _names(line: str, names: dict[str, str]) -> list[tuple[int, int, str]]:
    """Names of instruments written as words ("gold", "Bitcoin", "S&P 500", "Nasdaq Composite"):
    one word or two, looked up in the symbol table's names (spaces dropped)."""
    words = list(WORD.finditer(line))
    out = []
    k = 0
    while k < len(words):
        w = words[k]
        two = (words[k + 1] if k + 1 < len(words) and words[k + 1].start() - w.end() <= 1 else None)
        if two is not None and (w.group(0) + two.group(0)).upper() in names:
            out.append((w.start(), two.end(), names[(w.group(0) + two.group(0)).upper()]))
            k += 2
            continue
        if w.group(0).upper() in names and (len(w.group(0)) >= 4 or w.group(0).isupper()):
            out.append((w.start(), w.end(), names[w.group(0).upper()]))
        k += 1
    return out


@lru_cache(maxsize=4)
def _alias_names(items: tuple) -> dict[str, str]:
    """Table names that read as words (letters, with & or a number: GOLD, BITCOIN, S&P500, RUSSELL2000)."""
    return {k: v for k, v in items if re.fullmatch(r"[A-Z][A-Z&]{2,}\d{0,4}|[A-Z]{1,3}&[A-Z]\d{0,4}", k)
            and k not in STOPWORDS}


def symbols(text: Text, known: set[str], sentences: list[Sentence] | None = None,
            names: dict[str, str] | None = None) -> list[Cand]:
    """Candidate symbols with a score each; the value is the symbol as thesis names it (the symbol
    table's: ``BTC-USD``, ``EURUSD=X``, ``GC=F``, ``GSPC``). ``sentences`` (a part of ``text``, e.g. one
    paragraph) are read alone, every one weighted as body. A word the table cannot place as a market
    counts only with a ticker's marks ($, EXCH:, parentheses) or beside a trade word."""
    scores: dict[str, float] = {}
    first: dict[str, Cand] = {}
    counts: dict[str, int] = {}
    in_table: dict[str, bool] = {}
    part = sentences is not None
    read = sentences if sentences is not None else text.sentences
    for w in re.findall(r"\b[A-Z][A-Z0-9]{1,7}\b", " ".join(s.text for s in read) if part else text.norm):
        counts[w] = counts.get(w, 0) + 1
    strong: set[str] = set()
    names = table_names() if names is None else names
    resolved: dict[str, Instrument | None] = {}  # each word resolved once
    for sent in read:
        weight = 1.0 if part else {"title": 3.0, "body": 1.0, "note": 0.3}[sent.block]
        line = sent.text
        spans = []
        taken: list[tuple[int, int]] = []
        for s, e, sym in _names(line, names):
            taken.append((s, e))
            if VEHICLE.match(line[e:]):  # "GOLD ETF", "gold miners": a fund or stocks, not the market itself
                continue
            written = line[s:e]
            spans.append((s, e, sym, 0.5 if written[:1].isupper() else -0.5, sym))  # "gold": a weak mention
        for m in TICKER.finditer(line):
            if any(s <= m.start() < e for s, e in taken):
                continue
            if m.group("ex"):
                word, bonus = m.group(0), 2.5
            elif m.group("dt"):
                word, bonus = m.group("dt"), 2.5
            elif m.group("pt"):
                word, bonus = m.group("pt"), 2.0
            elif m.group("pair"):
                word, bonus = m.group("pair"), 1.0
            else:
                word, bonus = m.group("bt"), 0.0
                if word in STOPWORDS or word.isdigit():
                    continue
            if word not in resolved:
                resolved[word] = instrument(word)
            inst = resolved[word]
            if inst is None:
                continue
            sym = inst.symbol
            in_table[sym] = in_table.get(sym, False) or inst.known
            if bonus >= 2.5 and sym.replace("-USD", "").isalpha():
                strong.add(sym)
            spans.append((m.start(), m.end(), sym, bonus, word.upper()))
        for s, e, sym, bonus, word in spans:
            if sym not in known and not in_table.get(sym, True) and sym not in strong and not bonus:
                # an upper-case word the table cannot place: a ticker only when it sits beside a trade
                # word, leads the title, or comes back in the text
                near = line[max(0, s - 16):e + 16]
                lead = sent.block == "title" and not line[:s].strip(" -:#*") and len(word) >= 2
                again = counts.get(word, 0) >= 2 and len(word) >= 3
                if not (DIRECTION_NEAR.search(near) or lead or again):
                    continue
            near = line[max(0, s - 15):e + 15]
            placed = sym in known or in_table.get(sym, True)
            w = weight * (1.0 + bonus + (2.0 if DIRECTION_NEAR.search(near) else 0.0) + (1.0 if placed else -0.5))
            scores[sym] = scores.get(sym, 0.0) + w
            if sym not in first:
                first[sym] = Cand("symbol", sym, sent, s, e, 0.0)
    out = []
    total = sum(scores.values()) or 1.0
    for sym, sc in scores.items():
        c = first[sym]
        c.conf = round(min(0.99, 0.35 + 0.65 * sc / total), 2)
        c.extra = {"score": sc, "known": sym in known, "in_table": in_table.get(sym, True)}
        out.append(c)
    out.sort(key=lambda c: (-c.extra["score"], c.start))
    return out


# ---------------------------------------------------------------- direction
SHORT_WORDS = re.compile(
    r"\b(?:short(?:ing|ed)?|shorts|sell(?:ing)?|sold|fade|fading|bearish|puts?|downside|(?<=a )seller)\b"
    r"(?![- ](?:term|squeeze|interest|sellers?|covering|lived|side|dated|of\b|call|signal))", re.I)
LONG_WORDS = re.compile(
    r"\b(?:long|longs|buy(?:ing)?|bought|add(?:ing)?|accumulat\w+|bullish|calls?|upside|(?<=a )buyer)\b"
    r"(?![- ](?:term|duration|time|wick|way|dated|run|history|story|ago|upper|lower|puts?|calls?|back))", re.I)
NOT_DIRECTION = re.compile(r"\b(?:as long as|how long|no longer|in short|fell short|sell[- ]?side|sell[- ]?off|"
                           r"buy[- ]?side|buy ?back|sellers|buyers|cover(?:ing)? (?:the )?shorts?|"
                           r"for long|so long|long enough|short[- ]?term|long[- ]?term)\b", re.I)
PUT_BUY = re.compile(r"\b(?:buy(?:ing)?|long|bought|own(?:ing)?|trading|go)\s+(?:\w+\s+){0,3}?puts?\b", re.I)
CALL_BUY = re.compile(r"\b(?:buy(?:ing)?|long|bought|own(?:ing)?|trading)\s+(?:\w+\s+){0,3}?calls?\b", re.I)
LEAD = re.compile(r"^\W*(?:\d+/\s*)?(short|sell|long|buy)\b", re.I)


# Someone else's trading ("central banks keep buying", "funds are selling") is news, not the author's side.
THIRD_PARTY = re.compile(
    r"\b(?:(?:central )?banks|funds|institutions|whales|retail|everyone|everybody|people|they|bulls|bears|"
    r"buyers|sellers|traders|investors|specs|speculators|dealers|insiders|hedge funds|the fed|smart money|"
    r"algos|market makers|china|japan|opec)\s+(?:\w+\s+){0,2}?(?:(?:are|were|is|keep|kept|keeps|have been|"
    r"has been|will|could|would|started|start|continue|continues)\s+)(?:\w+\s+)?"
    r"(?:buy(?:ing)?|sell(?:ing)?|short(?:ing)?|long|add(?:ing)?|accumulat\w+|dump(?:ing)?|bought|sold)\b", re.I)


def direction(sentences: list[Sentence]) -> list[Cand]:
    out = []
    for sent in sentences:
        line = NOT_DIRECTION.sub(lambda m: " " * len(m.group(0)), sent.text)
        line = THIRD_PARTY.sub(lambda m: " " * len(m.group(0)), line)
        w = {"title": 1.5, "body": 1.0, "note": 0.3}[sent.block]
        taken = []
        for pat, d in ((PUT_BUY, "short"), (CALL_BUY, "long")):
            for m in pat.finditer(line):
                out.append(Cand("direction", d, sent, m.start(), m.end(), 0.8 * w, "options leg"))
                taken.append((m.start(), m.end()))
        for pat, d in ((SHORT_WORDS, "short"), (LONG_WORDS, "long")):
            for m in pat.finditer(line):
                if any(s <= m.start() < e for s, e in taken):
                    continue
                conf = 0.6
                if LEAD.match(line[:m.end()]) or re.match(r"\s*(?:zone|entry|bias|idea|setup|signal|from|at|"
                                                         r"into|between|[A-Z]{2,5}\b)", line[m.end():]):
                    conf = 0.9
                out.append(Cand("direction", d, sent, m.start(), m.end(), conf * w))
    return out


# ---------------------------------------------------------------- dates
DATE_SETTINGS = {"DATE_ORDER": "MDY", "PREFER_DAY_OF_MONTH": "first", "RETURN_AS_TIMEZONE_AWARE": False}


def parse_date(phrase: str, base: date | None = None) -> date | None:
    """One date phrase our rules isolated -> a date (dateparser for the wording)."""
    phrase = phrase.strip().strip("()").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", phrase)
    if m:
        try:
            got = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
        return got if 1900 <= got.year <= 2100 else None
    import dateparser

    settings = dict(DATE_SETTINGS)
    if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", phrase):
        settings["DATE_ORDER"] = "DMY"
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
        settings["PREFER_DATES_FROM"] = "future"
    try:
        got = dateparser.parse(phrase, settings=settings, languages=["en"])
    except Exception:  # dateparser raises a variety of errors on odd input
        return None
    if got is None or not 1900 <= got.year <= 2100:
        return None
    return got.date()


PUBLISHED_CUE = re.compile(r"\b(?:published|posted|date[d]?|written|as of|on)\b\s*:?\s*$", re.I)
NOTE_CUE = re.compile(r"\b(?:update[d]?|edit(?:ed)?|note|upd)\b\W*$", re.I)


def published(text: Text) -> list[Cand]:
    out = []
    header_lines = set()
    seen = 0
    for i, (_, line) in enumerate(text.lines[:text.end_line]):
        if line.strip():
            header_lines.add(i)
            seen += 1
        if seen >= 4:
            break
    for sent in text.sentences:
        if sent.block == "note":
            continue
        for m in DATE_RE.finditer(sent.text):
            before = sent.text[:m.start()]
            if NOTE_CUE.search(before) and sent.block != "title":  # "Rates Desk Note - Oct 22" is a title
                continue
            d = parse_date(m.group(0))
            if d is None:
                continue
            after = sent.text[m.end():]
            if PUBLISHED_CUE.search(before):
                conf = 0.95
            elif sent.line in header_lines:
                conf = 0.8
            elif (before.rstrip().endswith("(") and after.lstrip().startswith(")")) or \
                    not (before + after).strip(" ()[]-|.,:;"):
                conf = 0.7  # a date alone on its line or in parentheses: the post's stamp
            else:
                continue
            out.append(Cand("published", d, sent, m.start(), m.end(), conf))
    out.sort(key=lambda c: (-c.conf, c.start))
    return out


# ---------------------------------------------------------------- levels
PRICE_TXT = r"\$?\s?\d+(?:\.\d+)?"
BREAKEVEN = re.compile(
    r"\b(?:(?:move|moving|moves|raise|trail|put|set|bring|drag)\s+)?(?:the\s+|my\s+|your\s+|our\s+)?"
    r"(?:stop(?:[- ]?loss)?s?|sl)\s+(?:(?:moves?|goes|go|is moved|gets moved)\s+)?(?:to|at)\s+"
    r"(?:b/?e\b|break[- ]?even|entry|cost|my entry|the entry|your entry)"
    r"|\bbreak[- ]?even stop|\bstop (?:to|at) b/?e\b|\brisk[- ]free (?:after|once|when)\b", re.I)
NO_STOP = re.compile(r"\b(?:no|not using an?|not using any|without an?|don'?t use an?|no hard|never use an?|"
                     r"not setting an?|not going to use an?|won'?t use an?)\s+(?:hard\s+|real\s+)?stop(?:[- ]?loss)?s?\b",
                     re.I)
ANCHORS = [
    ("stop", re.compile(
        r"\b(?:stop[- ]?loss(?:es)?|stops?|sl|s/l|invalidat\w*|invalid(?=\s+(?:above|below|over|under|on|if))|"
        r"(?:idea|trade|thesis|setup|plan)\s+is\s+(?:wrong|invalid|dead|over|void)|wrong|"
        r"cut (?:it|the trade|the position|losses)?|bail|(?:get )?out if|exit if)\b", re.I)),
    ("target", re.compile(
        r"\b(?:targets?|tgts?|tps?\d?|pts?\d?(?=\s*[:\d$])|take[- ]?profits?|taking profits?|profit targets?|"
        r"profits?(?=\s*(?:\d\s*)?[=:])|"
        r"price targets?|objectives?|stretch|goal|exit(?:ing)? at|cover(?:ing)?(?= at| around| near| into)|"
        r"trim(?:ming)?(?= at| around| near| into)|take (?:some |half |profits? )?off(?= at| around| near)|t[1-5](?=\s*[:=]))\b", re.I)),
    ("weak_target", re.compile(
        r"\b(?:get(?:ting)? (?:back )?to|go(?:ing)? (?:back )?to|head(?:s|ing|ed)? (?:back )?(?:to|towards?)|"
        r"down to|back to|towards?|reach(?:es|ing)?|fill the gap at|(?<=[A-Z]{2} )to(?= \$?\d))\b", re.I)),
    ("entry_break", re.compile(
        r"\b(?:(?:buy|sell)[- ]stop(?:[- ]limit)?|stop[- ](?:buy|sell|entry)|(?:long|buy(?:ing)?|go long)\s+"
        r"(?:\w+\s+)?(?:above|over|on a break (?:above|of))|(?:short|sell(?:ing)?|go short)\s+(?:\w+\s+)?"
        r"(?:below|under|on a break (?:below|of)))\b", re.I)),
    ("entry", re.compile(
        r"\b(?:entry|entries|enter(?:ing)?|trigger(?=\s*:)|buy limit|sell limit|(?:entry |open |buy |sell |limit )?price(?=\s*[:@=])|buy zone|sell zone|short zone|long zone|buy area|sell area|bid zone|"
        r"accumulation zone|load zone)\b", re.I)),
    ("entry_verb", re.compile(
        r"\b(?:(?:i'?m|i am|we'?re|we are|be|turning|becoming) an? (?:buyer|seller)|"
        r"short(?:ing|ed)?|shorts|sell(?:ing)?|sold|fade|long|longs|buy(?:ing)?|bought|add(?:ing|ed)?|"
        r"accumulat\w+|"
        r"load(?:ing)?|scal(?:e|ing) in(?:to)?|bid(?:ding)?)\b"
        r"(?![- ](?:term|squeeze|interest|sellers?|covering|lived|side|dated|duration|time|wick|way|run|off))", re.I)),
]
POST_ANCHOR = re.compile(
    r"^\)?\s*(?:(?:is|as|will be|=)\s+(?:the|my|our|a)\s+(?:first\s+|second\s+|final\s+|1st\s+|2nd\s+)?)?(?:(?P<stop>stop(?:[- ]?loss)?|sl)|(?P<target>target|tp|pt|objective)|(?P<entry>short|long|entry|"
    r"buy|sell)|(?P<area>area|zone|level|ceiling|resistance|support|floor|region|neckline|handle|line|pivot|"
    r"shelf|top|high|low|bottom))\b", re.I)
WHERE_I = re.compile(r"\)?\s*(?:is|as|=)\s+(?:where|the (?:level|area|zone|price) (?:where|at which))\s+(?:I|we)(?:'d|'ll|"
                     r"\s+would|\s+will|\s+want to|\s+like to|\s+plan to)?\s+(?:short|buy|sell|enter|add|get (?:long|short)|"
                     r"go (?:long|short)|start (?:shorting|buying))\b", re.I)
CLOSE_BEYOND = re.compile(
    r"\b(?:(?P<tf>daily|weekly|monthly|4h|hourly|day|week|month)(?:ly)?\s+)?(?:candle\s+)?"
    r"(?:close|closing|settle|settlement|settling|finish)(?:e?s)?"
    r"\s+(?:back\s+)?(?:\w+ly\s+)?(?P<side>above|below|over|under|beneath|through)\s+"
    r"(?:the\s+)?(?P<num>\$?\s?\d+(?:\.\d+)?)", re.I)
# "reclaims 42k on a daily close", "the break of 159.20", "takes out 1,880": a level to cross; the side is
# in the verb, or (a bare "break of") comes from the trade's direction.
BREAK_LEVEL = re.compile(
    r"\b(?:(?P<up>reclaim\w*|recl\w*ms?|clears?|clearing|takes? out|taking out|gets? (?:back )?(?:above|over)|"
    r"breaks? (?:above|over)|breakout (?:above|over))|(?P<down>loses?|losing|breaks? (?:below|under)|breakdown (?:below|under))|"
    r"(?P<any>(?:the |a )?break(?:s|ing)? (?:of|through)))\s+(?:the\s+)?(?P<num>\$?\s?\d+(?:\.\d+)?k?)"
    r"(?P<close>\s+on\s+(?:a|the)\s+(?P<tf>daily|weekly|monthly|4h|hourly)?\s*(?:candle\s+)?(?:close|settlement))?", re.I)


@dataclass
class Cross:
    """A level the post wants price to close (or break) beyond: side above/below/None, timeframe word."""
    side: str | None
    tf: str | None
    start: int
    end: int
    value: float


def _num_value(text: str) -> float:
    t = text.strip().lstrip("$").strip().lower()
    return float(t[:-1]) * 1000 if t.endswith("k") else float(t)


def _crossings(masked: str) -> dict[int, Cross]:
    out = {m.start("num"): Cross(m.group("side").lower(), m.group("tf"), m.start(), m.end(), _num_value(m.group("num")))
           for m in CLOSE_BEYOND.finditer(masked)}
    for m in BREAK_LEVEL.finditer(masked):
        if m.start("num") not in out:
            side = "above" if m.group("up") else "below" if m.group("down") else None
            out[m.start("num")] = Cross(side, m.group("tf"), m.start(), m.end(), _num_value(m.group("num")))
    return out


# A stop that backs up the first one ("a hard stop at 158", "my max stop", "as a backstop"): the first
# stop the post states is the stop; these are reported, not used, unless they are the only one.
SECONDARY_STOP = re.compile(r"\b(?:max(?:imum)?|hard|absolute|emergency|disaster|catastroph\w*|worst[- ]case|"
                            r"wider|final|back[- ]?up)\s+(?:stop|sl)\b|\bbackstop\b", re.I)
NEXT_OPEN = re.compile(r"\bnext (?:day'?s |session'?s |morning'?s |bar'?s |candle'?s )?open\b|\bon the open\b|"
                       r"\bnext (?:morning|session|day)\b|\bno break,? no trade\b|"
                       r"\b(?:buy|sell|short) the open\b|\bat the open\b|\bnext open\b|\bonly (?:after|on|once|if)\b"
                       r"|\bwaiting for\b.{0,40}\b(?:break|close)\b|\bon (?:a|the) (?:break|close)\b", re.I)
REL_PCT = re.compile(
    r"\b(?P<kw>stop(?:[- ]?loss)?|sl|target|tp\d?|pt\d?|take[- ]?profit|taking profit|profit)\b"
    r"[^.;,]{0,25}?(?P<sign>[+\-])?\s?(?P<n>\d+(?:\.\d+)?)\s*%"
    r"\s*(?P<dir>under|below|beneath|lower|above|over|higher|up|down|from|off|away)?"
    r"|(?P<sign2>[+\-])?(?P<n2>\d+(?:\.\d+)?)\s*%\s*(?:trailing\s+|hard\s+|initial\s+)?"
    r"(?P<kw2>stop(?:[- ]?loss)?|sl|target|profit target|take[- ]?profit)\b", re.I)
HERE = re.compile(r"\b(?:short|sell|shorting|selling|long|buy|buying|enter|entering|fade)\b[^.;\d]{0,25}?"
                  r"\b(?:here|now|at market|at current (?:levels|prices)|at these levels|right here)\b", re.I)
JOIN_RANGE = re.compile(r"^\s*(?:-|to|or|and|/|and/or)\s*$", re.I)
BETWEEN = re.compile(r"\b(?:between|from|in the|the|zone|area|of)\s*$", re.I)


def _groups(masked: str, nums: list[Num]) -> list[list[Num]]:
    groups: list[list[Num]] = []
    for n in nums:
        if groups:
            prev = groups[-1][-1]
            joiner = masked[prev.end:n.start]
            if JOIN_RANGE.match(joiner) and len(groups[-1]) == 1:
                groups[-1].append(_second_end(masked, prev, n, joiner))
                if n.k and not prev.k and prev.value < 1000 and 0.5 <= prev.value * 1000 / n.value <= 2:
                    prev.value *= 1000  # "61.5-62.5k": the k applies to both ends
                continue
        groups.append([n])
    return groups


def _second_end(masked: str, first: Num, second: Num, joiner: str) -> Num:
    """A dealer's shorthand range: "1.3640/60" is 1.3640-1.3660 (the second end replaces the last digits)."""
    a, b = masked[first.start:first.end].lstrip("$ "), masked[second.start:second.end].lstrip("$ ")
    if joiner.strip() != "/" or not b.isdigit() or first.k or len(b) >= len(a.replace(".", "")):
        return second
    digits = len(a.split(".")[1]) if "." in a else len(a)
    if len(b) > digits:
        return second
    full = float(a[:len(a) - len(b)] + b)
    if abs(full - first.value) > 0.02 * first.value:
        return second
    return Num(full, second.start, second.end, second.dollar)


OTHER_NAME = re.compile(r"(?:\b(?P<name>SPX|S&P(?: 500)?|Nasdaq(?: 100)?|NDX|Dow|DJIA|VIX|Russell(?: 2000)?|RUT|ES|NQ|"
                        r"DXY|10y|10-year|TNX|BTC|bitcoin|gold|oil|crude|[A-Z]{2,5})\b\s*(?:\w+\s+){0,2}?"
                        r"(?:at|with|near|around|to|@|~|=|is|was|sits|hit|above|below|over|under)?\s*\$?\s?)$")


def _other_symbol(before: str, primary: str | None) -> bool:
    """The number right after another symbol's name ("SPX with 4300") is that symbol's level."""
    m = OTHER_NAME.search(before)
    if not m or primary is None:
        return False
    between = m.group(0)[len(m.group("name")):]
    if re.search(r"\b(?:short|long|buy|sell|entry|stop|sl|tp\d?|pt\d?|targets?|add|zone|cover|exit)\b", between, re.I):
        return False  # "GLD SHORT 178": the number belongs to the trade word
    name = m.group("name").upper()
    if name in STOPWORDS - {"OIL", "ES"}:
        return False
    inst = instrument(name)
    mapped = inst.symbol if inst is not None else name
    return mapped != primary and name != primary


NOT_PCT = {kind for kind, _ in MASKS} - {"pct"}
LABEL_ONLY = re.compile(r"^\W*(?:\([^)]{0,20}\))?\W*(?:zone|area|range|levels?|price|band)?\W*(?:\([^)]{0,20}\))?\W*$",
                        re.I)


def levels(sentences: list[Sentence], primary: str | None = None) -> list[Cand]:
    """Entry, stop, target, area and signal candidates from body sentences. A number that follows
    another symbol's name (not ``primary``'s) with no anchor between is that symbol's level: left out."""
    out: list[Cand] = []
    last_free = None  # the last price named without an anchor: what "here" refers to
    label = None  # (kind, word, line): a label alone on its line ("Stop-Loss (S/L)", "TP:") names the lines after it
    inst = instrument(primary) if primary else None
    in_percent = inst is not None and inst.asset_class == "rate"  # a yield's levels are written "4.90%"
    for i, sent in enumerate(sentences):
        raw = sent.text
        if in_percent:
            masked, masks = mask(raw, NOT_PCT)
            masked = masked.replace("%", " ")
        else:
            masked, masks = mask(raw)
        mine = len(out)  # out[mine:] are this sentence's candidates
        if label is not None and sent.line > label[2] + 1:  # a blank line (or a line that is not a value) ends it
            label = None
        for m in BREAKEVEN.finditer(raw):
            out.append(Cand("move_stop_to_breakeven", True, sent, m.start(), m.end(), 0.9))
            masked = masked[:m.start()] + " " * (m.end() - m.start()) + masked[m.end():]
        for m in NO_STOP.finditer(raw):
            out.append(Cand("nostop", True, sent, m.start(), m.end(), 0.9))
            masked = masked[:m.start()] + " " * (m.end() - m.start()) + masked[m.end():]
        for m in (() if in_percent else REL_PCT.finditer(raw)):
            if not masked[m.start():m.end()].strip():
                continue
            kw = (m.group("kw") or m.group("kw2")).lower()
            word = (m.group("dir") or "").lower()
            sgn = m.group("sign") or m.group("sign2")
            sign = -1 if (sgn == "-" or word in ("under", "below", "beneath", "lower", "down")) else \
                (1 if (sgn == "+" or word in ("above", "over", "higher", "up")) else 0)
            f = "stop_pct" if kw.startswith(("stop", "sl")) else "target_pct"
            out.append(Cand(f, (float(m.group("n") or m.group("n2")), sign), sent, m.start(), m.end(), 0.85))
        anchors = []
        for anchor, pat in ANCHORS:
            for m in pat.finditer(masked):
                anchors.append((m.start(), m.end(), anchor, m.group(0)))
        anchors.sort(key=lambda a: (a[0], -(a[1] - a[0])))
        kept: list[tuple[int, int, str, str]] = []
        for a in anchors:  # an anchor inside a longer one ("stop" in "buy stop") is part of it
            if kept and a[0] < kept[-1][1]:
                continue
            kept.append(a)
        anchors = kept
        closes = _crossings(masked)
        nums = prices(masked)
        if anchors and not nums and LABEL_ONLY.match(masked[anchors[-1][1]:]) and anchors[-1][2] != "weak_target":
            label = (anchors[-1][2], anchors[-1][3], sent.line)
            continue
        if label is not None and nums and (not anchors or anchors[0][1] > nums[0].start):
            if sent.line > label[2]:
                anchors.insert(0, (0, 0, label[0], label[1]))
                label = (label[0], label[1], sent.line)
        elif anchors:
            label = None
        signal_words = NEXT_OPEN.search(masked)
        nxt = sentences[i + 1] if i + 1 < len(sentences) else None
        if not signal_words and nxt is not None and nxt.line <= sent.line + 1 and nxt.block == sent.block:
            signal_words = NEXT_OPEN.search(nxt.text) and re.search(r"\b(?:close|settle\w*|break)", masked, re.I) \
                and NEXT_OPEN.search(masked + " " + nxt.text)
        for g in _groups(masked, nums):
            gs, ge = g[0].start, g[-1].end
            if _other_symbol(masked[max(0, gs - 40):gs], primary):
                continue
            values = [n.value for n in g]
            rest = masked[ge:].lstrip(" ")
            post = POST_ANCHOR.match(rest)
            where = WHERE_I.match(rest)
            if where and not post:
                out.append(Cand("entry", (min(values), max(values)), sent, gs, ge, 0.8, where.group(0).strip()))
                continue
            raw_rest = raw[len(masked) - len(rest):] if len(raw) == len(masked) else rest
            if post and re.match(r"\s*[:=@]?\s*[+\-]?\$?\s?\d", raw_rest[post.end():]):
                post = None  # "64.5 SL 67" (or "430 stop 1e-308"): the word labels the number after it
            pre = [a for a in anchors if a[1] <= gs]
            kind: str | None = None
            via = ""
            if post and not post.group("area"):
                kind = "stop" if post.group("stop") else "target" if post.group("target") else "entry_post"
                via = post.group(0).strip()
            elif pre:
                kind, via = pre[-1][2], pre[-1][3]
            if post and post.group("area") and kind not in ("stop", "target"):
                out.append(Cand("area", (min(values), max(values)), sent, gs, ge, 0.7, post.group(0).strip()))
                if kind is None:
                    last_free = (values, sent, gs, ge)
                    continue
            close = next((closes[k] for k in closes if gs <= k <= ge or abs(k - gs) <= 2), None)
            if kind is None and close is not None and re.search(
                    r"\b(?:wrong|invalid\w*|out|stop(?:ped)?(?: out)?|exit|cut)\b", masked[ge:], re.I):
                out.append(Cand("stop", values[0], sent, gs, ge, 0.8, "a close beyond it ends the idea"))
                continue
            if kind is None:
                if close is not None:
                        out.append(Cand("close_level", values[0], sent, close.start, ge, 0.5,
                                    extra={"side": close.side, "tf": close.tf}))
                else:
                    last_free = (values, sent, gs, ge)
                continue
            if kind == "stop":
                secondary = SECONDARY_STOP.search(masked[max(0, gs - 30):gs])
                out.append(Cand("stop", values[0], sent, gs, ge, 0.7 if secondary else 0.9, via))
            elif kind in ("target", "weak_target"):
                conf = 0.9 if kind == "target" else 0.4
                joiner = masked[g[0].end:g[-1].start] if len(g) == 2 else ""
                if len(g) == 2 and re.fullmatch(r"\s*(?:-|to)\s*", joiner, re.I) and \
                        not re.search(r"(?:targets|tgts|tps|pts|objectives)$", via.strip(), re.I) and \
                        abs(g[1].value - g[0].value) <= 0.05 * max(g[0].value, g[1].value):
                    # "target zone 300-310": one target, its edge the trade reaches first (resolver)
                    out.append(Cand("target", (min(values), max(values)), sent, gs, ge, conf, via))
                    continue
                for n in g:
                    out.append(Cand("target", n.value, sent, n.start, n.end, conf, via))
            elif kind == "entry_break" and len(values) == 1:
                low = re.search(r"sell|short|below|under", via, re.I)
                out.append(Cand("signal", values[0], sent, gs, ge, 0.9, via,
                                extra={"side": "below" if low else "above", "tf": None, "break": True}))
            elif kind in ("entry", "entry_verb", "entry_post", "entry_break"):
                if close is not None or (signal_words and kind != "entry_post" and len(values) == 1
                                         and re.search(r"\b(?:above|below|over|under|through)\s*\$?\s*$",
                                                       masked[:gs])):
                    beyond = re.search(r"(above|below|over|under|through)\s*\$?\s*$", masked[:gs])
                    side = close.side if close is not None else beyond.group(1).lower() if beyond else None
                    if side is None:  # "buy the break of 159.20": the verb says which way
                        side = "below" if re.search(r"sell|short", via, re.I) else "above"
                    out.append(Cand("signal", values[0], sent, gs, ge, 0.85, via,
                                    extra={"side": side, "tf": close.tf if close is not None else None}))
                    continue
                conf = {"entry": 0.95, "entry_verb": 0.85, "entry_post": 0.6, "entry_break": 0.85}[kind]
                if len(values) == 1:
                    conf -= 0.1
                out.append(Cand("entry", (min(values), max(values)), sent, gs, ge, conf, via))
        here = HERE.search(masked)
        if here and last_free is not None and not any(c.field in ("entry", "signal") for c in out[mine:]):
            values, src, gs, ge = last_free
            out.append(Cand("entry", (min(values), max(values)), src, gs, ge, 0.6,
                            f"'{here.group(0).strip()}' is the price named just before"))
        if signal_words and not any(c.field == "signal" for c in out[mine:]):
            for cross in closes.values():
                if not 1e-4 <= cross.value <= 1e7:
                    continue
                out.append(Cand("signal_hint", cross.value, sent, cross.start, cross.end, 0.6,
                                extra={"side": cross.side, "tf": cross.tf}))
        if signal_words:
            out.append(Cand("next_open", True, sent, signal_words.start(), signal_words.end(), 0.8))
    return out


# ---------------------------------------------------------------- horizon
WORD_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
            "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2,
            "a couple": 2, "couple of": 2}
QTY = r"(?:\d+(?:\.\d+)?|a couple of|a couple|couple of|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
UNITS = {"day": "d", "days": "d", "d": "d", "session": "s", "sessions": "s", "trading day": "s", "trading days": "s",
         "week": "w", "weeks": "w", "wk": "w", "wks": "w", "month": "mo", "months": "mo", "mo": "mo", "mos": "mo",
         "quarter": "q", "quarters": "q", "year": "y", "years": "y", "yr": "y", "yrs": "y"}
UNIT_RE = r"(?:trading days?|sessions?|days?|weeks?|wks?|months?|mos?|quarters?|years?|yrs?)"
DURATION = re.compile(rf"\b(?P<a>{QTY})(?:\s*(?:-|to|or)\s*(?P<b>\d+(?:\.\d+)?))?(?P<hy>\s*-\s*|\s+)(?P<u>{UNIT_RE})\b",
                      re.I)
HORIZON_CUE = re.compile(r"\b(?:time ?frame|time ?line|time horizon|horizon|window|outlook|over|hold(?:ing)?|play(?:s|ing)? out|need|over the next|"
                         r"within|expect|giv(?:e|ing) it|max(?:imum)?|take[s]?|duration|swing|for up to|up to|in the next|next)\b", re.I)
NOT_HORIZON_BEFORE = re.compile(r"\b(?:last|past|ago|previous|since|all of|for the past|over the past|in the past|"
                                r"been|after)\s+(?:\w+\s+)?$", re.I)
NOT_HORIZON_AFTER = re.compile(r"^\s*(?:or\s+(?:two|three|2|3)\b|of\s+(?:\w+\s+)?(?:consolidation|basing|chop\w*|"
                               r"range|sideways|base|accumulation|distribution|gains|losses|declines?|rall\w+|selling|"
                               r"buying|data|history)\b|ago|old|high|low|moving|ma\b|sma|ema|average|range|chart|candle|bar|"
                               r"trend|cycle|base|consolidation|lows?|highs?|line)", re.I)
END_PHRASE = re.compile(
    rf"\b(?P<prep>by|into|before|until|till|through|thru|towards?|in|during|for|over|at)\s+(?:the\s+)?"
    rf"(?:(?P<yearend>end of (?:the )?year|year[- ]?end|eoy|end of (?P<y1>20\d\d)|end of the month|month[- ]?end|"
    rf"eom|end of (?:the )?quarter|quarter[- ]?end)"
    rf"|(?:(?P<q>early|mid|late|the end of|end of|end)\s*-?\s*)?(?P<m>{MONTH})\b\.?(?:\s+(?P<y>20\d\d))?"
    rf"|(?:(?:the\s+)?end of\s+)?(?P<qn>Q[1-4])(?:\s+(?P<qy>20\d\d))?)", re.I)
HORIZON_LABEL = re.compile(r"^\W*(?:time ?frame|time ?line|time horizon|horizon|holding period|duration)\s*:", re.I)
OR_TWO = re.compile(r"\b(?:a|one|the next|next)\s+(?P<u>week|month|year)\s+or\s+(?P<n>two|three|2|3)\b", re.I)
FUTURE_CUE = re.compile(r"\b(?:should|will|expect\w*|play(?:s|ing)? out|happen|done|resolve|likely|target|"
                        r"get there|hold|exit|close|by)\b", re.I)
MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def horizon(sentences: list[Sentence], pub: date | None) -> list[Cand]:
    out = []
    for sent in sentences:
        raw = sent.text
        masked, _ = mask(raw, {"date", "pct", "ratio", "count"})
        cue = HORIZON_CUE.search(raw) is not None
        for m in DURATION.finditer(masked):
            if NOT_HORIZON_BEFORE.search(masked[:m.start()]) or NOT_HORIZON_AFTER.match(masked[m.end():]):
                continue
            a = m.group("a").lower()
            n = float(m.group("b")) if m.group("b") else (WORD_NUM.get(a) or float(a) if not a[0].isalpha()
                                                          else WORD_NUM.get(a, 0))
            if not n:
                continue
            unit = UNITS.get(m.group("u").lower().rstrip("s") if m.group("u").lower() not in UNITS
                             else m.group("u").lower(), None) or UNITS.get(m.group("u").lower())
            if unit is None:
                continue
            if unit == "q":
                n, unit = n * 3, "mo"
            if unit == "y":
                n, unit = n * 12, "mo"
            n = int(round(n))
            limit = {"d": 1000, "s": 750, "w": 150, "mo": 36}[unit]
            if not 1 <= n <= limit:
                continue
            hyphen = "-" in m.group("hy")
            if hyphen and not re.match(r"\s*(?:hold|horizon|trade|swing|time|window|play|view|outlook)", masked[m.end():],
                                       re.I):
                continue
            bare = re.fullmatch(r"(?:\d{1,2}/)?\W*" + re.escape(m.group(0)) + r"\W*", masked.strip())  # "6/ 4-6 weeks."
            if re.match(r"\s*(?:idea|trade|swing|play|hold|setup|position|view)\b", masked[m.end():], re.I):
                cue = True  # "a 1-2 week idea"
            if a[0].isalpha() and not cue:
                continue
            if not cue and not bare and not re.search(r"\b(?:will|should|'ll|going to|plan\w*|target\w*|expect\w*|"
                                                     r"could|can|might|may|by|until)\b", raw, re.I):
                continue  # "rallied 10% in 2 weeks": a past move, not the idea's horizon
            conf = 0.9 if cue else (0.75 if bare else 0.5)
            out.append(Cand("horizon", f"{n}{unit}", sent, m.start(), m.end(), conf))
        for m in OR_TWO.finditer(raw):
            n = WORD_NUM.get(m.group("n").lower()) or int(m.group("n"))
            unit = UNITS[m.group("u").lower()]
            if unit == "y":
                n, unit = n * 12, "mo"
            out.append(Cand("horizon", f"{n}{unit}", sent, m.start(), m.end(), 0.9 if cue else 0.6))
        for m in END_PHRASE.finditer(raw):
            prep = m.group("prep").lower()
            soft = prep in ("in", "during", "for", "over", "at", "towards", "toward")
            if soft and not FUTURE_CUE.search(raw):
                continue
            if pub is None:
                out.append(Cand("horizon_end", m.group(0), sent, m.start(), m.end(), 0.5, "needs the date"))
                continue
            end = _end_date(m, pub)
            if end is None or end <= pub or (end - pub).days > 730:
                continue
            labelled = 0.1 if HORIZON_LABEL.match(raw) else 0.0  # "Time frame: by the end of Q3"
            out.append(Cand("horizon", end.isoformat(), sent, m.start(), m.end(), (0.75 if soft else 0.85) + labelled))
    return out


def _end_date(m, pub: date) -> date | None:
    if m.group("yearend"):
        t = m.group("yearend").lower()
        if "month" in t or t == "eom":
            return _month_end(pub.year, pub.month)
        if "quarter" in t:
            q = (pub.month - 1) // 3
            return _month_end(pub.year, q * 3 + 3)
        y = int(m.group("y1")) if m.group("y1") else pub.year
        return date(y, 12, 31)
    if m.group("qn"):
        q = int(m.group("qn")[1])
        y = int(m.group("qy")) if m.group("qy") else pub.year
        end = _month_end(y, q * 3)
        return end if end > pub else _month_end(y + 1, q * 3)
    mon = MONTHS[m.group("m")[:3].lower()]
    y = int(m.group("y")) if m.group("y") else pub.year
    part_of = (m.group("q") or "").lower()
    day = {"early": 10, "mid": 15}.get(part_of)

    def at(year):
        return date(year, mon, day) if day else _month_end(year, mon)

    end = at(y)
    if not m.group("y") and end <= pub:
        end = at(y + 1)
    return end


# ---------------------------------------------------------------- claims
RR_CUE = re.compile(r"\b(?:r\s*/\s*r|r\s*:\s*r|rr|risk[/ -]?(?:to[- ])?reward|reward[/ -]?(?:to[- ])?risk|"
                    r"risk\s*/\s*reward|reward\s*/\s*risk|ratio|to 1\b|r multiple|[0-9]R\b)", re.I)
ODDS_CUE = re.compile(r"\b(?:odds|bet|betting|wager|parlay|payout|pays|hit a|sportsbook|bookie|long ?shot)\b", re.I)


RR_NUMBER = re.compile(r"\b(?:r\s*/\s*r|r\s*:\s*r|rr|risk[/ -]?(?:to[- ])?reward|reward[/ -]?(?:to[- ])?risk)(?:\s+ratio)?"
                       r"\s*(?:of|is|=|:|~|at|about|around|roughly|approx\.?|near|over|above|of about|is about|is "
                       r"roughly)?\s*(?:~\s*)?(?P<n>\d+(?:\.\d+)?)(?![\d.:%/]|\s*(?::|to)\s*\d)", re.I)


WORD_RATIO = re.compile(r"\b(?P<n>one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:to|for)\s+one\b", re.I)
# a target line's own ratio ("TP1: 3440 (+$450 | 1:1)") is that target's, not the post's claim
TARGET_LINE = re.compile(r"\b(?:tp|pt|t|target|objective|profit)\s*#?\d?\s*[:=@-]\s*\$?\s?\d", re.I)
RR_WORDS = re.compile(r"\b(?:r\s*/\s*r|r\s*:\s*r|rr|risk|reward|overall|total)\b", re.I)


def claims(sentences: list[Sentence]) -> list[Cand]:
    out = []
    for i, sent in enumerate(sentences):
        _, found = mask(sent.text)
        for m in RR_NUMBER.finditer(sent.text):
            v = float(m.group("n"))
            if 0.1 <= v <= 100:
                out.append(Cand("risk_reward", v, sent, m.start("n"), m.end("n"), 0.85))
        for m in WORD_RATIO.finditer(sent.text):
            out.append(Cand("risk_reward", float(WORD_NUM[m.group("n").lower()]), sent, m.start(), m.end(),
                            0.85 if RR_CUE.search(sent.text) or re.search(r"\b(?:works? out|call it|nearly|about|"
                                                                           r"roughly)\b", sent.text, re.I) else 0.7))
        per_target = TARGET_LINE.search(sent.text) and not RR_WORDS.search(sent.text)
        for kind, s, e, txt in found:
            if per_target and kind == "ratio":
                continue
            if kind == "ratio":
                t = txt.replace(" ", "").lower()
                if t.endswith("r") and not t.endswith(":r"):
                    v = float(t[:-1])
                elif re.fullmatch(r"1(?::|/|to)\d+(?:\.\d+)?(?:r|risk)?", t) and \
                        not re.fullmatch(r"\d+(?:\.\d+)?(?::|to)1", t):
                    v = float(re.findall(r"\d+(?:\.\d+)?", t)[1])
                else:
                    v = float(re.findall(r"\d+(?:\.\d+)?", t)[0])
                if not 0.1 <= v <= 100:
                    continue
                if re.match(r"\s*(?:reverse\s+)?(?:split|leverage|levered|margin|odds)\b", sent.text[e:], re.I) or \
                        re.search(r"\b(?:split|leverage|levered)\b[^.;]{0,15}$", sent.text[:s], re.I):
                    continue
                conf = 0.9 if RR_CUE.search(sent.text) else 0.7
                out.append(Cand("risk_reward", v, sent, s, e, conf))
            elif kind == "odds":
                ctx = sent.text + " " + (sentences[i - 1].text if i else "")
                if ODDS_CUE.search(ctx):
                    out.append(Cand("american_odds", txt.strip(), sent, s, e, 0.85))
    return out


# ---------------------------------------------------------------- triggers
TF = [("1mo", re.compile(r"\b(?:monthly|on the month|month(?:ly)? (?:chart|candle|bar|close))\b", re.I)),
      ("1w", re.compile(r"\b(?:weekly|on the week|week(?:ly)? (?:chart|candle|bar|close))\b", re.I)),
      ("1d", re.compile(r"\b(?:daily|on the day|day(?:'s)? (?:chart|candle|bar))\b", re.I))]
TRIGGERS = [
    ("outside_bar", re.compile(r"\b(?:outside (?:bar|day|candle|week|month|reversal)|(?:bullish |bearish )?engulfing)\b",
                               re.I), False),
    ("failed_breakout", re.compile(
        r"\b(?:failed (?:break ?out|break ?down|breakdown|breakout)|fake ?out|false (?:break ?out|break ?down)|"
        r"bull trap|bear trap|(?:broke|break) (?:out|above) .{0,60}\b(?:closed?|fell|slipped|came) (?:right )?back "
        r"(?:under|below|inside|in))", re.I), False),
    ("lower_high_breakdown", re.compile(
        r"\b(?:lower high|higher low|double top|double bottom|triple top|triple bottom|neckline|"
        r"head and shoulders|h&s|"
        r"made (?:another|a new|a) high\b.{0,80}\b(?:broken? (?:down|below|under|to the downside)|breakdown)|"
        r"made (?:another|a new|a) low\b.{0,80}\b(?:broken? (?:out|above|to the upside)|breakout)|"
        r"held (?:back )?(?:at|by)\b.{0,120}\b(?:another|new) (?:high|low))", re.I | re.S), True),
    ("squeeze_release", re.compile(
        r"\b(?:squeeze (?:fires?|fired|firing|release[sd]?|setup|set-up|play)|ttm squeeze|"
        r"bollinger bands? (?:are |is )?(?:inside|within) (?:the )?keltner|squeeze is on|coil(?:ing)? .{0,30}squeeze|"
        r"(?<!consolidation )(?<!short )(?<!gamma )squeeze (?:setup|fires))", re.I), False),
    ("long_wick", re.compile(r"\b(?:long (?:upper |lower )?wick|(?:monthly|weekly|daily|big|upper|lower) wick|wick play|rejection wick|pin ?bar|shooting star|"
                             r"hammer candle|wick (?:on|off) the (?:monthly|weekly|daily))\b", re.I), False),
    ("low_of_week", re.compile(r"\b(?:low|high) of (?:the )?week\b", re.I), False),
    ("zone_rejection", re.compile(r"\b(?:rejection (?:of|from|at) (?:the )?\$?\d|rejected (?:at|from|by) (?:the )?\$?\d|"
                                  r"zone rejection|rejection of (?:the )?(?:zone|level|area))", re.I), False),
]
INDICATOR = re.compile(r"\b(?:RSI|MACD|momentum|oscillator|stoch\w*|divergence|OBV|CCI|MFI)\b", re.I)
FORWARD = re.compile(r"\b(?:look(?:ing)? for|watch(?:ing)? for|wait(?:ing)? for|if|would|could|might)\b", re.I)
WEEKDAY_RE = re.compile(r"\b(mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri)(?:day)?\b|\b(tomorrow|today)\b", re.I)


def triggers(sentences: list[Sentence]) -> list[Cand]:
    out = []
    for i, sent in enumerate(sentences):
        # a pattern told over several short lines ("Been held back at ... / Made another high. / Broken ...")
        window = sent.text
        if sent.block == "note":
            window = " ".join(s.text for s in sentences[i:i + 3] if s.note == sent.note)
        kinds_here = set()
        for kind, pat, weak in TRIGGERS:
            if kind == "zone_rejection" and "outside_bar" in kinds_here:
                continue
            m = pat.search(sent.text) or (pat.search(window) if kind == "lower_high_breakdown" else None)
            if not m:
                continue
            if kind == "lower_high_breakdown" and INDICATOR.search(sent.text):
                continue  # "RSI made a higher low while price made a lower one": a divergence
            if weak and sent.block == "note" and not re.search(r"\b(?:another|new) (?:high|low)|signal|conditions",
                                                               window, re.I):
                continue
            src = sent.text if pat.search(sent.text) else window
            kinds_here.add(kind)
            if kind == "squeeze_release" and re.search(r"\b(?:consolidation|short|gamma) squeeze\b", src, re.I) \
                    and not re.search(r"bollinger|keltner|fires?|release", src, re.I):
                continue
            tf = None
            if src is sent.text:  # the timeframe word nearest the pattern
                near = src[max(0, m.start() - 30):m.end() + 30]
                tf = next((t for t, p in TF if p.search(near)), None)
            several = sum(1 for _, p, _ in TRIGGERS if p.search(src)) > 1
            if tf is None and not several:
                tf = next((t for t, p in TF if p.search(src)), None)
            d: dict[str, Any] = {}
            if kind == "outside_bar" and re.search(r"\b(?:rejection|reject\w*|off the|at the|from the|zone|area|"
                                                   r"support|resistance|level)\b", src,
                                                   re.I):
                kind = "outside_bar_rejection"
            if kind == "low_of_week":
                d["side"] = "long" if m.group(0).lower().startswith("low") else "short"
                d["days"] = [w.group(0).lower() for w in WEEKDAY_RE.finditer(src)]
            if kind in ("low_of_week",) or (sent.block == "note" and FORWARD.search(src) and kind != "outside_bar_rejection"):
                d["forward"] = bool(FORWARD.search(src))
            masked, _ = mask(src)
            lv = [n.value for n in prices(masked)]
            d["levels"] = lv
            e = m.end() if m.end() <= len(sent.text) else len(sent.text)
            out.append(Cand("trigger", kind, sent, m.start() if m.start() < len(sent.text) else 0, e,
                            0.85 if sent.block != "note" else 0.75, extra=dict(d, timeframe=tf)))
    return out


# ---------------------------------------------------------------- confirmations
ASSETS = [("dollar", r"(?:the\s+)?(?:us\s+)?(?:dollar|usd|dxy|greenback|buck)"),
          ("yields", r"(?:bond\s+|treasury\s+|10[- ]?y(?:ea)?r?\s+|long\s+)?(?:yields?|rates|tnx|us10y)"),
          ("oil", r"(?:crude\s+)?(?:oil|crude|wti|brent|uso)"),
          ("credit", r"(?:credit|hyg|junk bonds|high[- ]yield)")]
UP = r"(?:rising|rises|rise|up|higher|stronger|strength|strong|rall(?:y|ies|ying)|ripping|climbing|bid|making higher highs|" \
     r"keeps? making higher highs|higher highs|breaking out|spik(?:e|ing)|surg(?:e|ing)|firm(?:ing)?)"
DOWN = r"(?:falling|falls|fall|down|lower|weaker|weakness|weak|rolled over|rolling over|rolls over|making lower lows|" \
       r"lower lows|dropping|declining|sliding|slumping|breaking down|collaps(?:e|ing)|tanking|softer|easing)"


_ASSET_ANY = re.compile("|".join(a for _, a in ASSETS), re.I)
_CONF_PATTERNS = [  # (asset name, direction, pattern, confidence): compiled once, not per sentence
    (name, d, re.compile(p, re.I), conf)
    for name, asset in ASSETS
    for d, p, conf in (("up", rf"(?<![\w])\+\s?{asset}\b", 0.85), ("down", rf"(?<![\w-])-\s?{asset}\b", 0.7),
                       *((d, rf"\b{word}\s+{asset}\b|\b{asset}\s+(?:(?:is|are|has|have|keeps?|keep on|been|"
                          rf"getting|continues? to|starting to|start|back|already|now|finally)\s+){{0,3}}{word}\b", 0.8)
                         for word, d in ((UP, "up"), (DOWN, "down"))))]
_UP_OR_DOWN = re.compile(UP + "|" + DOWN, re.I)


def confirmations(sentences: list[Sentence]) -> list[Cand]:
    out = []
    for sent in sentences:
        t = sent.text
        for name, d, pat, conf in (_CONF_PATTERNS if _ASSET_ANY.search(t) else ()):
            for m in pat.finditer(t):
                if conf == 0.8:
                    if name == "yields" and re.search(r"\blong\s+(?:duration|bond|treasur)", m.group(0), re.I):
                        continue
                    if name == "dollar" and not _UP_OR_DOWN.match(m.group(0)) and \
                            re.search(r"\b(?:a|one|per|few|couple|half a|\d+)\s+$", t[:m.start()], re.I):
                        continue  # "a dollar higher": money, not the dollar index
                out.append(Cand("confirmation", f"trend:{name}:{d}", sent, m.start(), m.end(), conf))
        for m in re.finditer(r"\bVIX\b[^.;\d]{0,25}?\b(?P<w>under|below|beneath|<|above|over|>)\s*(?P<n>\d+(?:\.\d+)?)", t, re.I):
            w = m.group("w").lower()
            kind = "vix_below" if w in ("under", "below", "beneath", "<") else "vix_above"
            out.append(Cand("confirmation", f"{kind}:{float(m.group('n')):g}", sent, m.start(), m.end(), 0.85))
        for m in re.finditer(r"\bnarrow(?:ing)? (?:market|breadth|rally|leadership|advance)\b|\bbreadth (?:is |has been )?"
                             r"(?:fading|narrowing|diverg\w*|thin(?:ning)?|deteriorating|weakening)\b|"
                             r"\bbreadth is (?:\w+ )?(?:awful|poor|terrible|bad|weak|negative|horrible|ugly|lousy)\b|\bbreadth divergence\b",
                             t, re.I):
            out.append(Cand("confirmation", "narrow_market", sent, m.start(), m.end(), 0.8))
        for m in re.finditer(r"\brelative (?:strength|weakness)\b|\b(?:out|under)perform\w*\b|\bRS (?:vs|versus|against)\b",
                             t, re.I):
            vs = re.search(r"\b(?:vs\.?|versus|against|than|relative to)\s+(?:the\s+)?\$?([A-Z]{2,5})\b", t[m.start():])
            weaker = bool(re.search(r"weak|under", m.group(0), re.I))
            out.append(Cand("confirmation", "relative_strength", sent, m.start(), m.end(), 0.8,
                            extra={"versus": vs.group(1) if vs else "SPY", "weaker": weaker}))
    return out


# ---------------------------------------------------------------- options
OPTION_TYPE = re.compile(
    r"(?<!earnings )(?<!conference )(?<!margin )(?<!phone )(?<!close )(?<!judgment )(?<!wake-up )"
    r"\b(puts?|calls?)\b(?!\s+(?:it|this|that|for|on the|out|him|her|them|us|me|the|a|an|pressure|in|its|our|"
    r"my|your|price|prices|volume|ratio|skew|open interest|oi|wall|side|flow|buying|selling|/\s*calls?|/\s*puts?)\b)"
    r"(?<!/)", re.I)
CALL_VERB = re.compile(r"\b(?:we|they|i|you|people|traders|some|what|many|folks)\s+(?:\w+\s+)?$", re.I)  # "what we call a"
IV = re.compile(r"\b(?:IV|implied vol(?:atility)?)\b[^.;\d%]{0,30}?(?P<n>\d+(?:\.\d+)?)\s*%|"
                r"(?P<n2>\d+(?:\.\d+)?)\s*%\s*(?:IV|implied vol(?:atility)?)\b", re.I)
STRIKE = re.compile(rf"(?:\b(?P<mon>{MONTH})\.?\s+(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?)?\$?(?P<k>\d+(?:\.\d+)?)\s*"
                    r"(?:strike\s+)?(?P<t>puts?|calls?|p\b|c\b)", re.I)


def options(sentences: list[Sentence]) -> list[Cand]:
    out = []
    for sent in sentences:
        t = sent.text
        if re.search(r"\b(?:margin )?call(?:s)? (?:it|this)\b|\bcalled\b|\bcall (?:is|was)\b", t, re.I):
            t = re.sub(r"\b(?:margin )?call(?:s)? (?:it|this)\b|\bcall (?:is|was)\b", lambda m: " " * len(m.group(0)),
                       t, flags=re.I)
        for m in OPTION_TYPE.finditer(t):
            if CALL_VERB.search(t[:m.start()]) and m.group(1).lower().startswith("call"):
                continue  # "what traders call a fade": the verb
            if re.match(r"call", m.group(1), re.I) and re.search(r"\b(?:this|the|my|that|a)\s+$", t[:m.start()]) \
                    and not re.search(r"\b(?:buy|trading|long|sell|own)\b", t, re.I):
                continue  # "if this call is right": an opinion, not an option
            kind = "put" if m.group(1).lower().startswith("put") else "call"
            out.append(Cand("option_type", kind, sent, m.start(), m.end(), 0.8))
        for m in IV.finditer(t):
            n = float(m.group("n") or m.group("n2"))
            if 1 <= n <= 300:
                out.append(Cand("iv", round(n / 100, 4), sent, m.start(), m.end(), 0.9))
        for m in STRIKE.finditer(t):
            if not 1e-4 <= float(m.group("k")) <= 1e7:
                continue
            kind = "put" if m.group("t").lower().startswith("p") else "call"
            out.append(Cand("strike", float(m.group("k")), sent, m.start(), m.end(), 0.85,
                            extra={"month": m.group("mon"), "type": kind}))
            if len(m.group("t")) == 1:  # "195p": the leg names its type only here
                out.append(Cand("option_type", kind, sent, m.start(), m.end(), 0.8))
    return out


# ---------------------------------------------------------------- sizes
SIZES_WORDS = re.compile(r"\b(?:half (?:off |out )?(?:at each|at the first|at tp1|at target 1|each)|50\s*/\s*50|"
                         r"(?:sell|take|trim|scale out) half|halves)\b", re.I)
THIRDS = re.compile(r"\b(?:thirds|(?:1/3|a third|one third|33\s*%)\s+(?:off\s+|out\s+)?(?:at\s+)?each|"
                    r"33\s*/\s*33\s*/\s*33)\b", re.I)
HALF_AT = re.compile(r"\b(?:1/2|half|50\s*%)\s+(?:off\s+|out\s+|of (?:it|the position)\s+)?(?:at|@)\s*"
                     r"(?:(?:tp|target|pt|t)\s*#?\s*1\b|the (?:first|1st) (?:tp|target|pt|objective)\b)", re.I)
SPLIT = re.compile(r"(?<![\d./])(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{1,2}))?(?![\d/])(?!\.\d)(?!\s*(?:R\b|risk))")
PCT_AT = re.compile(r"\b(?P<p>\d{1,3})\s*%\s*(?:off |out )?(?:at|@)\s*(?:tp|target|pt)\s*#?\s*(?P<i>\d)\b", re.I)


def sizes(sentences: list[Sentence]) -> list[Cand]:
    out = []
    for sent in sentences:
        for m in SIZES_WORDS.finditer(sent.text):
            out.append(Cand("sizes", "half", sent, m.start(), m.end(), 0.8))
        for m in THIRDS.finditer(sent.text):
            out.append(Cand("sizes", "thirds", sent, m.start(), m.end(), 0.8))
        for m in HALF_AT.finditer(sent.text):
            out.append(Cand("sizes", "half", sent, m.start(), m.end(), 0.75))
        for m in SPLIT.finditer(sent.text):
            parts = [int(g) for g in m.groups() if g]
            if sum(parts) == 100 and all(parts):
                out.append(Cand("sizes", [p / 100 for p in parts], sent, m.start(), m.end(), 0.8))
        found = list(PCT_AT.finditer(sent.text))
        if len(found) >= 2:
            vals = sorted((int(m.group("i")), float(m.group("p")) / 100) for m in found)
            out.append(Cand("sizes", [v for _, v in vals], sent, found[0].start(), found[-1].end(), 0.85))
    return out
