"""Dates for follow-up notes the post left undated, proposed from the bars.

Each undated note is dated at the first session, on or after the previous note's date
(the first: the first session on or after publication), whose price action matches what
the note describes:

1. a trigger the note names and reports (not "look for ..."): the first session that
   trigger fires (thesis.signals, with the idea's zone);
2. a level the note says price reached ("got to the $188 area", "tagged 310"): the first
   session whose range holds that level;
3. otherwise (or when nothing matches within WINDOW sessions, about three months) the session after the previous note (the first note: the first session).

Every such date is marked as a proposal, with the reason.
"""
from __future__ import annotations

import re

import pandas as pd

from thesis.draft import extract as X
from thesis.draft.numbers import mask, prices

TOUCH = re.compile(r"\b(?:got to|gotten to|got into|reached|hit|tagged|touched|tested|came into|traded (?:up |down )?to|"
                   r"rallied (?:in)?to|dropped to|fell to|made it to|pushed into|ran into)\s+(?:the\s+)?(?=\$?\s?\d)", re.I)


#: How far (sessions) after the previous note a matching bar is looked for.
WINDOW = 63


def trigger_spec(t: dict, draft, zone=None) -> dict:
    """A [[triggers]] table for one drafted trigger (kind, timeframe, zone, side, weekdays)."""
    from thesis.signals.spec import PARAMS

    spec = {"kind": t["kind"], "timeframe": t["timeframe"] or "1d"}
    zone = zone if zone is not None else draft.value("entry_zone")
    levels = t["source"].extra.get("levels") or [] if t.get("source") is not None else []
    takes_zone = "zone" in PARAMS[t["kind"]]
    if takes_zone:
        if zone is not None and (t["kind"] != "long_wick" or levels):
            inside = [v for v in levels if zone[0] * 0.97 <= v <= zone[1] * 1.03]
            if levels and not inside and t["kind"] not in ("lower_high_breakdown",):
                spec["zone"] = [float(levels[0]), float(levels[0])]
            else:
                spec["zone"] = [float(zone[0]), float(zone[1])]
        elif levels and t["kind"] != "lower_high_breakdown":
            spec["zone"] = [float(levels[0]), float(levels[0])]
    if t["kind"] == "low_of_week":
        spec["timeframe"] = "1d"
        if t.get("side"):
            spec["side"] = t["side"]
    return spec


TARGET_HIT = re.compile(r"\b(?:tp|target|pt|t)\s*#?\s*(?P<i>\d)?\s*(?:was\s+|got\s+|has been\s+)?(?:hit|reached|tagged|done|"
                        r"filled|achieved)\b|\btarget (?:hit|reached)|\bhit (?:the |our |my )?(?P<w>first|1st|second|2nd|"
                        r"third|3rd)? ?target", re.I)
STOP_HIT = re.compile(r"\bstopped out\b|\bstop(?:[- ]?loss)? (?:was )?(?:hit|reached|triggered|taken)\b", re.I)
FILLED = re.compile(r"\btrade active\b|\b(?:got |order |entry |was |been )filled\b|\bentry (?:hit|triggered)\b|"
                    r"\bwe'?re in\b|\bin the trade\b", re.I)
ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3}


def _plan_event(draft, text: str, bars: pd.DataFrame, after: int):
    """A note that reports a plan event (entry filled, target hit, stopped out): the first session
    from ``after`` on that reached that level. (index, reason) or (None, None)."""
    short = draft.value("direction") == "short"
    zone, stop, targets = draft.value("entry_zone"), draft.value("stop"), draft.value("targets") or []
    level, what, up = None, None, None
    m = TARGET_HIT.search(text)
    if m and targets:
        i = int(m.group("i") or ORDINAL.get((m.group("w") or "").lower(), 1))
        if 1 <= i <= len(targets):
            level, what, up = targets[i - 1], f"target {i} ({targets[i - 1]:g})", not short
    elif STOP_HIT.search(text) and stop is not None:
        level, what, up = stop, f"the stop ({stop:g})", short
    elif FILLED.search(text) and zone is not None:
        level = zone[0] if short else zone[1]
        what, up = f"the entry ({level:g})", short
    if level is None:
        return None, None
    col = bars["high"].to_numpy() if up else bars["low"].to_numpy()
    for i in range(after, min(after + WINDOW + 1, len(bars))):
        if (col[i] >= level) if up else (col[i] <= level):
            return i, f"first session after the previous note that reached {what}"
    return None, None


def weekdays(t: dict, note_date) -> list[str]:
    out = []
    names = {"mon": "mon", "tue": "tue", "wed": "wed", "thu": "thu", "fri": "fri"}
    for w in t.get("days") or []:
        w = w.lower()
        if w in ("tomorrow", "today"):
            if note_date is None:
                continue
            day = pd.Timestamp(note_date) + pd.Timedelta(days=1 if w == "tomorrow" else 0)
            if day.weekday() < 5:
                out.append(["mon", "tue", "wed", "thu", "fri"][day.weekday()])
            continue
        key = names.get(w[:3])
        if key:
            out.append(key)
    return sorted(set(out), key=["mon", "tue", "wed", "thu", "fri"].index)


def propose_note_dates(draft, bars: pd.DataFrame) -> None:
    """Fill the undated notes of ``draft`` in place (date, proposed=True, reason)."""
    from thesis.signals.detect import detect
    from thesis.signals.spec import Trigger

    pub = draft.value("published")
    if pub is None or bars is None or not len(bars):
        return
    index = bars.index
    start_idx = index.searchsorted(pd.Timestamp(pub))
    if start_idx >= len(index):
        return
    prev = None
    direction = draft.value("direction")
    for n in draft.notes:
        if n["date"] is not None and not n["proposed"]:
            i = index.searchsorted(pd.Timestamp(n["date"]))
            prev = min(i, len(index) - 1)
            continue
        after = start_idx if prev is None else prev
        got, reason = None, None
        sents = n["block"].sentences
        for c in X.triggers(sents):
            if c.value == "low_of_week" or c.extra.get("forward"):
                continue
            t = {"kind": c.value, "timeframe": c.extra.get("timeframe") or ("1mo" if c.value == "long_wick" else "1d"),
                 "source": c, "side": None, "days": []}
            try:
                trig = Trigger.model_validate(trigger_spec(t, draft))
                ev = detect(trig, bars, direction)
            except Exception:  # a trigger we cannot build from this note: try the next cue
                continue
            if len(ev):
                dates = pd.to_datetime(ev["date"])
                later = dates[(dates >= index[after]) & (dates <= index[min(after + WINDOW, len(index) - 1)])]
                if len(later):
                    got = index.searchsorted(later.iloc[0])
                    reason = f"{c.value} ({t['timeframe']}) fired on that session"
                    break
        if got is None:
            for s in sents:
                m = TOUCH.search(s.text)
                if not m:
                    continue
                masked, _ = mask(s.text[m.end():])
                nums = prices(masked)
                if not nums:
                    continue
                level = nums[0].value
                lo, hi = bars["low"].to_numpy(), bars["high"].to_numpy()
                for i in range(after, min(after + WINDOW + 1, len(index))):
                    if lo[i] <= level <= hi[i]:
                        got, reason = i, f"first session after the previous note whose range holds {level:g}"
                        break
                if got is not None:
                    break
        if got is None:
            got, reason = _plan_event(draft, n["text"], bars, after)
        if got is None:
            got = after if prev is None else min(prev + 1, len(index) - 1)
            reason = ("the first session after publication" if prev is None
                      else "no price cue: the session after the previous note")
        n["date"] = index[got].date()
        n["proposed"] = True
        n["reason"] = reason
        prev = got
