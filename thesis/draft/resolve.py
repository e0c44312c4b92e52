"""The resolver: pick one value per field from the extractors' candidates, with sanity rules.

- The symbol is the best-scored one; when the post holds two trades (two paragraphs, each
  with its own symbol and levels) the first is drafted and the second is named.
- Direction comes from the words, and the levels overrule the words: a stop above the entry
  is a short.
- The stop must lie on the far side of the entry; targets on the near side, ordered in the
  trade's direction. A number that breaks these rules is something else (a previous high,
  an index level) and is reported, not used.
- Percentages ("a stop 8% under my entry", "+25%") are resolved from the entry price.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from thesis.draft import extract as X
from thesis.draft.extract import Cand
from thesis.draft.text import Sentence, Text


@dataclass
class Field:
    value: object
    sources: list[Cand] = field(default_factory=list)
    conf: float = 0.0
    note: str = ""


@dataclass
class Draft:
    text: Text
    fields: dict[str, Field] = field(default_factory=dict)
    triggers: list[dict] = field(default_factory=list)
    confirmations: list[dict] = field(default_factory=list)
    notes: list[dict] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    second_trade: dict | None = None
    symbol_known: bool | None = None
    source: str | None = None
    no_trade: str | None = None  # why the post proposes no trade (scenarios, opinion only)
    scenario_levels: list[float] = field(default_factory=list)  # the prices such a post names
    reference: dict | None = None  # the symbol's close the levels were checked against

    def value(self, name, default=None):
        f = self.fields.get(name)
        return default if f is None else f.value


# A line that opens a new signal: "GLD SHORT ...", "$EWY buy zone ...", "2) SLV long ...".
SIGNAL_HEAD = re.compile(r"^\W*(?:\d\W\s*)?(?:[A-Z]{2,10}:)?\$?[A-Z]{2,5}\b[^a-z]{0,6}\b(?:short|long|buy|sell)\b",
                         re.I)


def _paragraphs(text: Text) -> dict[int, int]:
    """line index -> paragraph number (blank lines, thread items and 'Trade N:' start a new one)."""
    para, out, blank = 0, {}, True
    for i, (_, line) in enumerate(text.lines):
        if not line.strip():
            blank = True
            continue
        if blank or re.match(r"^\s*(?:\d{1,2}\s*/|trade\s*#?\d|idea\s*#?\d|setup\s*#?\d)", line, re.I) \
                or SIGNAL_HEAD.match(line):
            para += 1
        blank = False
        out[i] = para
    return out


PLAN = {"entry", "signal", "stop", "target"}
# The author takes no position: a trade is not proposed, whatever levels the post names.
NO_POSITION = re.compile(
    r"\b(?:no position|not positioned|no trade\b|not (?:taking|in) (?:a|any) (?:trade|position)|"
    r"(?:i'?m|we'?re|i am|we are|staying|stay|remain)\s+(?:\w+\s+)?(?:flat|on the sidelines|sidelined|neutral)|"
    r"sitting on (?:my|our) hands|no strong view|(?:don'?t|do not) know which way|waiting to see (?:which|how|what)|"
    r"till one side gives|until one side (?:gives|breaks|wins))", re.I)
# Scenario commentary: what bulls or bears could do ("bulls could push to 2,000", "Bears: a rejection...").
SCENARIO = re.compile(r"\b(?P<side>bull|bear)s?(?:ish)?\s+(?:could|would|can|might|may|will|get|take|win|break|"
                      r"case|scenario|aim|clear|push|run|reclaim|hold|defend|step in|lose|drag|send|control)\b|^\W*(?P<label>bull|bear)s?(?:ish)?(?: case)?\s*:|"
                      r"\blets? (?P<let>bull|bear)s\b", re.I)


# "if it holds above X we go to Y; below Z we see W": conditions on both sides, none taken
IF_UP = re.compile(r"\b(?:if|once|should|when)\b[^.;]{0,40}?\b(?:above|over|reclaims?|breaks? out|clears?|holds?)\b|"
                   r"^\W*(?:above|over)\s+\$?\d", re.I)
IF_DOWN = re.compile(r"\b(?:if|once|should|when)\b[^.;]{0,40}?\b(?:below|under|loses?|breaks? down|fails?)\b|"
                     r"(?:^|[;,]\s*|\bif not,?\s*|\botherwise,?\s*)(?:below|under)\s+\$?\d", re.I)
LEVEL_LIST = (re.compile(r"\bsupports?\b", re.I), re.compile(r"\bresistances?\b", re.I))


def _prices(text: str):
    from thesis.draft.numbers import mask, prices

    return prices(mask(text)[0])


def _has_plan(cands: list[Cand]) -> bool:
    return any(c.field in PLAN for c in cands)


def no_trade(body: list[Sentence], cands: list[Cand]) -> str | None:
    """Why the post proposes no trade (None when it does). A trade is a side taken with an entry and a
    stop or target; scenario levels for both sides, or an author who says they hold no position, are not."""
    committed = any(c.field in ("entry", "signal") and c.conf >= 0.85 for c in cands) and \
        any(c.field == "stop" for c in cands)
    if committed:
        return None
    for s in body:
        m = NO_POSITION.search(s.text)
        if m:
            return f"no trade proposed: the author takes no position (\"{m.group(0)}\")"
    sides = {(m.group("side") or m.group("label") or m.group("let")).lower() for s in body
             for m in SCENARIO.finditer(s.text)}
    if len(sides) == 2:
        return "no trade proposed: the post describes scenarios (what bulls and bears could do), not a trade"
    if any(c.field in ("entry", "signal") and c.conf >= 0.85 for c in cands):
        return None  # a side taken with an entry: a trade without a stop is still a draft (the stop is asked for)
    texts = [s.text for s in body]
    if any(IF_UP.search(t) for t in texts) and any(IF_DOWN.search(t) for t in texts):
        return "no trade proposed: the post describes scenarios (what happens above and below), not a trade"
    if all(any(p.search(t) for t in texts) for p in LEVEL_LIST):
        return "no trade proposed: the post lists support and resistance levels, not a trade"
    return None


LEVEL_FIELDS = {"entry", "signal", "signal_hint", "stop", "target", "area", "close_level"}


def _in_band(d: Draft, cands: list[Cand], price_at) -> list[Cand]:
    """Drop the numbers that cannot be the symbol's price on the publication date (thesis.draft.band)."""
    from thesis.draft.band import plausible, times_off

    sym, pub = d.value("symbol"), d.value("published")
    if price_at is None or not sym or not pub:
        return cands
    found = price_at(sym, pub)
    if found is None:
        d.questions.append(f"the levels were not checked against {sym}'s price: the data source has no {sym} "
                           f"bar on or before {pub.isoformat()}")
        return cands
    ref, when = found
    d.reference = {"symbol": sym, "price": ref, "date": when.isoformat()}
    keep = []
    for c in cands:
        values = c.value if isinstance(c.value, tuple) else (c.value,)
        if c.field in LEVEL_FIELDS and not all(plausible(float(v), ref) for v in values):
            worst = max(values, key=lambda v: times_off(float(v), ref))
            d.questions.append(f"{worst:g} (line {d.text.span(c.start, c.end)['line']}) is "
                               f"{times_off(float(worst), ref):,.1f}x from {sym}'s price on {pub.isoformat()} "
                               f"({ref:g}): not a level")
            continue
        keep.append(c)
    return keep


def _fit_price(d: Draft, syms: list[Cand], cands: list[Cand], price_at) -> list[Cand]:
    """Between close candidates, the symbol whose price on the publication date fits the post's levels:
    a post naming GLD and SLV with levels near 22 is about SLV."""
    from thesis.draft.band import plausible

    pub = d.value("published")
    values = [float(v) for c in cands if c.field in ("entry", "stop", "target", "signal")
              for v in (c.value if isinstance(c.value, tuple) else (c.value,))]
    if price_at is None or pub is None or len(syms) < 2 or not values:
        return syms

    def fits(sym: str) -> bool | None:
        found = price_at(sym, pub)
        return None if found is None else all(plausible(v, found[0]) for v in values)

    top = fits(syms[0].value)
    if top:
        return syms
    share = 0.3 if top is False else 0.6  # a price that does not fit, or one that cannot be checked
    for c in syms[1:4]:
        if c.extra["score"] >= share * syms[0].extra["score"] and fits(c.value):
            why = f"not {syms[0].value}'s" if top is False else f"{syms[0].value}'s price is not in the data source"
            d.questions.append(f"symbol {c.value} chosen over {syms[0].value}: the levels fit {c.value}'s price "
                               f"on {pub.isoformat()} ({why})")
            return [c] + [x for x in syms if x is not c]
    return syms


def resolve(text: Text, known: set[str], published: date | None = None, price_at=None) -> Draft:
    """The draft of ``text``. ``price_at(symbol, day) -> (close, date) | None`` checks levels against the
    symbol's price (a number outside the band is not a level). One function per field below, in the
    order they depend on each other."""
    d = Draft(text)
    X.instrument.cache_clear()
    syms = X.symbols(text, known)
    body, level_cands = plan_sentences(text, syms[0].value if syms else None)
    notes_sents = [s for s in text.sentences if s.block == "note"]
    level_cands = no_trade_field(d, body, level_cands)
    scope, level_cands = trade_scope(d, text, known, body, level_cands, syms)
    published_field(d, text, published)
    syms = _fit_price(d, syms, level_cands, price_at)
    symbol_field(d, syms, known)
    level_cands = _in_band(d, level_cands, price_at)
    dir_cands = [] if d.no_trade else X.direction(scope) + X.direction(notes_sents)
    signal, entry, order = entry_candidate(level_cands)
    direction = direction_field(d, dir_cands, signal, entry, level_cands)
    ref = entry_zone_field(d, signal, entry, order, level_cands, direction)
    stop_field(d, level_cands, ref, direction)
    targets = targets_field(d, level_cands, ref, direction)
    breakeven_field(d, level_cands)
    sizes_field(d, scope, len(targets))
    horizon_field(d, scope)
    claims_field(d, scope)
    d.triggers = triggers_of(scope, notes_sents, signal)
    d.confirmations = confirmations_of(scope, notes_sents)
    options_field(d, scope, notes_sents, direction)
    d.notes = dated_notes(text, d.value("published"))
    return d


def plan_sentences(text: Text, primary: str | None) -> tuple[list[Sentence], list[Cand]]:
    """The body's sentences and their level candidates; a first note that holds the plan is body."""
    body = text.body()
    level_cands = X.levels(body, primary)
    if text.notes and not _has_plan(level_cands) and _has_plan(X.levels(text.notes[0].sentences, primary)):
        text.unnote_first()  # "NOTE : exit half at the first level" above the plan is an aside, not a follow-up
        body = text.body()
        level_cands = X.levels(body, primary)
    return body, level_cands


def no_trade_field(d: Draft, body: list[Sentence], level_cands: list[Cand]) -> list[Cand]:
    """``d.no_trade`` and the levels such a post names; without a trade, no plan candidates are kept."""
    d.no_trade = no_trade(body, level_cands)
    if not d.no_trade:
        return level_cands
    d.questions.append(d.no_trade)
    d.scenario_levels = sorted({n.value for s in body for n in _prices(s.text)})
    return [c for c in level_cands if c.field not in PLAN | {"area", "close_level", "signal_hint", "stop_pct",
                                                            "target_pct", "nostop"}]


def trade_scope(d: Draft, text: Text, known: set[str], body: list[Sentence], level_cands: list[Cand],
                syms: list[Cand]) -> tuple[list[Sentence], list[Cand]]:
    """The sentences of the drafted trade and their level candidates. A post with two trades (paragraphs
    each with an entry, a stop or target, and their own symbol) drafts the first and names the second
    (``d.second_trade``); ``syms`` is reordered in place so the first trade's symbol leads."""
    paras = _paragraphs(text)
    names = X.table_names()
    trade_paras: list[tuple[int, str, Sentence]] = []
    # grouped in one pass each: a per-paragraph scan of every sentence and candidate was quadratic
    # (25 s on a 200 KB post)
    by_para: dict[int | None, list[Sentence]] = {}
    for s in body:
        by_para.setdefault(paras.get(s.line), []).append(s)
    fields_by_para: dict[int | None, set[str]] = {}
    for c in level_cands:
        fields_by_para.setdefault(paras.get(c.sent.line), set()).add(c.field)
    for p in sorted(by_para, key=lambda k: -1 if k is None else k):
        sents = by_para[p]
        fields_here = fields_by_para.get(p, set())
        if "entry" in fields_here and ({"stop", "target"} & fields_here):
            here = [c for s in sents for c in X.symbols(text, known, [s], names)]
            named = [c.value for c in here if c.extra.get("known") or c.extra.get("score", 0) > 2]
            if named:
                trade_paras.append((p, named[0], sents[0]))
    scope_paras = None
    if len({sym for _, sym, _ in trade_paras}) >= 2:
        first_p, first_sym, _ = trade_paras[0]
        other = next((t for t in trade_paras if t[1] != first_sym))
        d.second_trade = {"symbol": other[1], "line": text.span(other[2].start, other[2].end)["line"],
                          "sentence": other[2].text}
        d.questions.append(f"the post holds a second trade ({other[1]}, line {d.second_trade['line']}): this draft "
                           f"is the first ({first_sym}); draft the second from its own text")
        scope_paras = {p for p, sym, _ in trade_paras if sym != first_sym}
        syms.sort(key=lambda c: c.value != first_sym)
    scope = [s for s in body if scope_paras is None or paras.get(s.line) not in scope_paras]
    in_scope = {id(s) for s in scope}
    return scope, [c for c in level_cands if id(c.sent) in in_scope]


def published_field(d: Draft, text: Text, published: date | None) -> None:
    pub_cands = X.published(text)
    if published is not None:
        d.fields["published"] = Field(published, [], 1.0, "given with --published")
    elif pub_cands:
        c = pub_cands[0]
        d.fields["published"] = Field(c.value, [c], c.conf)
    else:
        d.fields["published"] = Field(None, [], 0.0, "the post carries no date")
        d.questions.append("the post carries no date: give it with --published YYYY-MM-DD")


def symbol_field(d: Draft, syms: list[Cand], known: set[str]) -> None:
    if syms:
        best = syms[0]
        d.fields["symbol"] = Field(best.value, [best], best.conf)
        d.symbol_known = best.value in known if known else None
        if known and best.value not in known:
            d.questions.append(f"symbol {best.value} is not in the data source: check the ticker or pull its bars")
    else:
        d.fields["symbol"] = Field(None, [], 0.0, "the post names no symbol")
        d.questions.append("the post names no symbol: fill in idea.symbol")


def entry_candidate(level_cands: list[Cand]) -> tuple[Cand | None, Cand | None, str]:
    """(signal, entry, order): a close beyond a level when the post says so as firmly as it gives an
    entry zone (order "signal"), else the best entry zone (order "limit")."""
    entries = sorted([c for c in level_cands if c.field == "entry"], key=lambda c: (-c.conf, c.start))
    signals = [c for c in level_cands if c.field == "signal"]
    if not signals and any(c.field == "next_open" for c in level_cands):
        signals = [c for c in level_cands if c.field == "signal_hint"]
    if signals and (not entries or signals[0].conf >= entries[0].conf - 0.05):
        return signals[0], None, "signal"
    return None, entries[0] if entries else None, "limit"


def direction_field(d: Draft, dir_cands: list[Cand], signal: Cand | None, entry: Cand | None,
                    level_cands: list[Cand]) -> str | None:
    """Long or short: from the words, overruled by the levels where they speak (a stop above the entry
    is a short; a signal below a level is a short)."""
    score = {"short": 0.0, "long": 0.0}
    for c in dir_cands:
        score[c.value] += c.conf
    words_dir = None if score["short"] == score["long"] else max(score, key=score.__getitem__)
    direction = words_dir
    if signal is not None:
        if signal.extra["side"] is None:  # "the break of 159.20": the words say which way
            signal.extra["side"] = "below" if words_dir == "short" else "above"
        direction = "short" if signal.extra["side"] in ("below", "under", "beneath") else "long"
    elif entry is not None:
        direction = _direction_of_levels(entry, level_cands) or direction
    if direction is None and dir_cands:
        direction = dir_cands[0].value
    key = signal or entry  # prefer the direction word of the entry's own sentence
    same = [c for c in dir_cands if c.value == direction and key is not None and c.sent is key.sent]
    dsrc = (same or sorted([c for c in dir_cands if c.value == direction], key=lambda c: (-c.conf, c.start)))[:1]
    if direction is None:
        d.questions.append("the post does not say long or short: fill in idea.direction")
    elif words_dir is not None and words_dir != direction:
        d.questions.append(f"the words lean {words_dir} but the levels say {direction}: check idea.direction")
    dconf = (dsrc[0].conf if dsrc else 0.5) if words_dir in (None, direction) else 0.5
    d.fields["direction"] = Field(direction, dsrc, min(0.99, round(dconf, 2)))
    return direction


def _direction_of_levels(entry: Cand, level_cands: list[Cand]) -> str | None:
    """The side a firm stop (else firm targets) puts the entry zone on; None when they do not say."""
    lo, hi = entry.value
    stops = [c for c in level_cands if c.field == "stop" and c.conf >= 0.85]
    if stops:
        s = stops[0].value
        return "short" if s > hi else "long" if s < lo else None
    tg = [c.value for c in level_cands if c.field == "target" and c.conf >= 0.85]
    if tg and all(t < lo for t in tg):
        return "short"
    if tg and all(t > hi for t in tg):
        return "long"
    return None


def entry_zone_field(d: Draft, signal: Cand | None, entry: Cand | None, order: str, level_cands: list[Cand],
                     direction: str | None) -> float | None:
    """``entry_zone`` and ``entry_order``; returns the entry's edge the stop and targets are measured
    from (the zone's low for a short, its high for a long), None without a zone or a direction."""
    short = direction == "short"
    if signal is not None:
        level = signal.value
        areas = [c for c in level_cands if c.field == "area"]
        right = [a for a in areas if (a.value[0] >= level if short else a.value[1] <= level)
                 and abs((a.value[0] if short else a.value[1]) - level) <= 0.03 * level]  # beside the trigger
        src = [signal]
        if right:
            a = min(right, key=lambda a: abs((a.value[0] if short else a.value[1]) - level))
            zone = a.value if a.value[0] != a.value[1] else (min(a.value[0], level), max(a.value[0], level))
            src.append(a)
        else:
            zone = (level, level)
        d.fields["entry_zone"] = Field(tuple(zone), src, round(min(signal.conf, 0.8), 2),
                                       f"signal entry on a close {signal.extra['side']} {level:g}")
    elif entry is not None:
        d.fields["entry_zone"] = Field(entry.value, [entry], round(entry.conf, 2))
    else:
        d.fields["entry_zone"] = Field(None, [], 0.0, "the post gives no entry")
        d.questions.append("the post gives no entry: fill in levels.entry_zone")
    d.fields["entry_order"] = Field(None if d.no_trade else order, [signal] if signal else ([entry] if entry else []),
                                    0.85 if signal or entry else 0.3)
    zone = d.value("entry_zone")
    if zone is None or direction is None:
        return None
    return zone[0] if short else zone[1]


def stop_field(d: Draft, level_cands: list[Cand], ref: float | None, direction: str | None) -> None:
    """The firmest stop on the far side of the entry (a percentage resolved from the entry); one on the
    wrong side is reported, not used."""
    short = direction == "short"
    zone = d.value("entry_zone")
    stops = sorted([c for c in level_cands if c.field == "stop"], key=lambda c: (-c.conf, c.start))
    for c in [c for c in level_cands if c.field == "stop_pct"]:
        if ref is not None and 0 < c.value[0] < 100:
            pct, sign = c.value
            sign = sign or (1 if short else -1)
            stops.append(Cand("stop", round(ref * (1 + sign * pct / 100), 4), c.sent, c.s, c.e, c.conf,
                              f"{pct:g}% {'above' if sign > 0 else 'below'} the entry {ref:g}"))
    stops.sort(key=lambda c: (-c.conf, c.start))
    chosen = None
    for c in stops:
        if zone is None or direction is None:
            chosen = c
            break
        if (short and c.value > zone[1]) or (not short and c.value < zone[0]):
            chosen = c
            break
        d.questions.append(f"{c.value:g} near 'stop' (line {d.text.span(c.start, c.end)['line']}) is on the wrong "
                           f"side of the entry for a {direction}: not used as the stop")
    nostop = [c for c in level_cands if c.field == "nostop"]
    if chosen is not None:
        d.fields["stop"] = Field(chosen.value, [chosen], round(chosen.conf, 2), chosen.why
                                 if "entry" in (chosen.why or "") else "")
    else:
        why = "the post says it uses no stop" if nostop else "the post gives no stop"
        d.fields["stop"] = Field(None, nostop[:1], 0.9 if nostop else 0.0, why)
        d.questions.append(f"{why}: levels.stop is left unset (thesis check names it); choose one before replaying")


def targets_field(d: Draft, level_cands: list[Cand], ref: float | None, direction: str | None) -> list[Cand]:
    """The targets on the near side of the entry and inside the stop, in the trade's order (firm ones
    when the post has any); returns their candidates."""
    short = direction == "short"
    tg = [c for c in level_cands if c.field == "target"]
    for c in [c for c in level_cands if c.field == "target_pct"]:
        if ref is not None and 0 < c.value[0] <= 1000 and not (c.value[1] < 0 and c.value[0] >= 100):
            pct, sign = c.value
            sign = sign or (-1 if short else 1)
            tg.append(Cand("target", round(ref * (1 + sign * pct / 100), 4), c.sent, c.s, c.e, c.conf,
                           f"{pct:g}% {'above' if sign > 0 else 'below'} the entry {ref:g}"))
    for c in tg:  # a target zone: the edge the trade reaches first
        if isinstance(c.value, tuple):
            c.value = c.value[1] if short else c.value[0]
    strong = [c for c in tg if c.conf >= 0.85]
    pool = sorted(strong or tg, key=lambda c: c.start)
    targets: list[Cand] = []
    stop = d.value("stop")
    for c in pool:
        v = c.value
        if any(abs(v - t.value) < 1e-9 for t in targets):
            continue
        if ref is not None and direction is not None:
            if (short and not v < ref) or (not short and not v > ref):
                if c.conf >= 0.85:
                    d.questions.append(f"{v:g} near 'target' (line {d.text.span(c.start, c.end)['line']}) is on the "
                                       f"wrong side of the entry {ref:g}: not used")
                continue
            if stop is not None and ((short and v >= stop) or (not short and v <= stop)):
                continue
            if targets and ((short and v >= targets[-1].value) or (not short and v <= targets[-1].value)):
                d.questions.append(f"{v:g} (line {d.text.span(c.start, c.end)['line']}) breaks the order of the "
                                   f"targets for a {direction}: not used")
                continue
        targets.append(c)
    if targets:
        d.fields["targets"] = Field([c.value for c in targets], targets,
                                    round(min(c.conf for c in targets), 2))
    else:
        d.fields["targets"] = Field(None, [], 0.0, "the post gives no target")
        d.questions.append("the post gives no target: fill in levels.targets")
    return targets


def breakeven_field(d: Draft, level_cands: list[Cand]) -> None:
    be = [c for c in level_cands if c.field == "move_stop_to_breakeven"]
    if be:
        d.fields["move_stop_to_breakeven"] = Field(True, be[:1], be[0].conf)


def sizes_field(d: Draft, scope: list[Sentence], n_targets: int) -> None:
    """The first size split that fits the number of targets ("half" for two, "thirds" for three)."""
    for c in X.sizes(scope):
        sz = None
        if c.value == "half" and n_targets == 2:
            sz = [0.5, 0.5]
        elif c.value == "thirds" and n_targets == 3:
            sz = [1 / 3, 1 / 3, 1 / 3]
        elif isinstance(c.value, list) and len(c.value) == n_targets and abs(sum(c.value) - 1) < 1e-6:
            sz = c.value
        if sz:
            d.fields["sizes"] = Field(sz, [c], c.conf)
            break


def horizon_field(d: Draft, scope: list[Sentence]) -> None:
    hz = sorted(X.horizon(scope, d.value("published")), key=lambda c: (-c.conf, c.start))
    hz_ok = [c for c in hz if c.field == "horizon"]
    if hz_ok:
        d.fields["horizon"] = Field(hz_ok[0].value, [hz_ok[0]], hz_ok[0].conf)
    else:
        d.fields["horizon"] = Field(None, [], 0.0, "the post gives no time frame")
        if any(c.field == "horizon_end" for c in hz):
            d.questions.append("the post's time frame is a date phrase that needs the publication date "
                               "(--published)")


def claims_field(d: Draft, scope: list[Sentence]) -> None:
    """The post's own claims: a risk/reward ratio, American odds."""
    cl = X.claims(scope)
    rr = sorted([c for c in cl if c.field == "risk_reward"], key=lambda c: (-c.conf, c.start))
    odds = [c for c in cl if c.field == "american_odds"]
    claims: dict = {}
    srcs = []
    if rr:
        claims["risk_reward"] = rr[0].value
        srcs.append(rr[0])
    if odds:
        claims["american_odds"] = odds[0].value
        srcs.append(odds[0])
    d.fields["claims"] = Field(claims, srcs, round(min([c.conf for c in srcs] or [0.0]), 2))


def triggers_of(scope: list[Sentence], notes_sents: list[Sentence], signal: Cand | None) -> list[dict]:
    """One trigger per kind named (its timeframe from any mention); a signal entry without a pattern
    implies a zone rejection."""
    seen: dict[str, dict] = {}
    for c in X.triggers(scope) + X.triggers(notes_sents):
        kind = c.value
        if kind in seen:
            if seen[kind]["timeframe"] is None and c.extra.get("timeframe"):
                seen[kind]["timeframe"] = c.extra["timeframe"]
            continue
        seen[kind] = {"kind": kind, "timeframe": c.extra.get("timeframe"), "source": c, "side": c.extra.get("side"),
                      "days": c.extra.get("days") or [], "forward": c.extra.get("forward", False)}
    if "outside_bar_rejection" in seen:
        seen.pop("outside_bar", None)
    trig = list(seen.values())
    if signal is not None:
        patterns = [t for t in trig if t["kind"] in ("lower_high_breakdown", "failed_breakout",
                                                     "outside_bar_rejection", "zone_rejection")]
        if not patterns:
            tf_word = (signal.extra.get("tf") or "").lower()
            tf = {"daily": "1d", "day": "1d", "weekly": "1w", "week": "1w", "monthly": "1mo", "month": "1mo"}.get(tf_word)
            trig.insert(0, {"kind": "zone_rejection", "timeframe": tf,
                            "source": signal, "side": None, "days": [], "forward": False, "implied": True})
    for t in trig:
        if t["timeframe"] is None:
            t["timeframe"] = "1d" if t["kind"] != "long_wick" else "1mo"
            t["tf_given"] = False
        else:
            t["tf_given"] = True
    return trig


def confirmations_of(scope: list[Sentence], notes_sents: list[Sentence]) -> list[dict]:
    confs: dict = {}
    for c in X.confirmations(scope) + X.confirmations(notes_sents):
        confs.setdefault(c.value, c)
    return [{"kind": k, "source": c} for k, c in confs.items()]


def options_field(d: Draft, scope: list[Sentence], notes_sents: list[Sentence], direction: str | None) -> None:
    """An option leg that expresses the direction (puts for a short), with its strike, month and IV."""
    oc = X.options(scope) + X.options(notes_sents)
    want = "put" if direction == "short" else "call"
    types = [c for c in oc if c.field == "option_type"]
    match = [c for c in types if c.value == want]
    if match and direction is not None:
        opt = {"type": want}
        src = [match[0]]
        strikes = [c for c in oc if c.field == "strike" and c.extra["type"] == want]
        if strikes:
            opt["strike"] = strikes[0].value
            if strikes[0].extra.get("month"):
                opt["month"] = strikes[0].extra["month"]
            src.append(strikes[0])
        ivs = [c for c in oc if c.field == "iv"]
        if ivs:
            opt["iv"] = ivs[0].value
            src.append(ivs[0])
        d.fields["options"] = Field(opt, src, round(min(c.conf for c in src), 2))
    else:
        d.fields["options"] = Field(None, [], 0.6)
        if types and not match and direction is not None:
            d.questions.append(f"the post mentions {types[0].value}s, which do not express a {direction}: "
                               f"no option leg drafted")


def dated_notes(text: Text, published: date | None) -> list[dict]:
    """The post's follow-up notes with their dates; relative words ("Wednesday", "tomorrow") count from
    the last known date."""
    base, out = published, []
    for n in text.notes:
        nd = X.parse_date(n.date_text, base) if n.date_text else None
        if nd is not None:
            base = nd
        out.append({"index": n.index, "date": nd, "text": n.text, "block": n, "proposed": False,
                    "reason": "dated in the post" if nd else None})
    return out
