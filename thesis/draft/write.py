"""The draft as an idea file (TOML, with the source sentence above each field and a TODO
for what the post does not say) and as a JSON document (fields, spans, confidences, open
questions)."""
from __future__ import annotations

import calendar
import json
import os
import stat
import tempfile
from datetime import date
from pathlib import Path

from thesis.draft.propose import trigger_spec, weekdays
from thesis.draft.resolve import Draft

SCHEMA = "thesis.draft/1"
QUOTE_MAX = 160
DEFAULT_OPTION_DAYS = 90
TREND = {"dollar": "dollar", "yields": "yields", "oil": "oil", "credit": "credit"}


def _s(v: str) -> str:
    """A TOML basic string."""
    return json.dumps(v, ensure_ascii=False)


def _num(v: float) -> str:
    return repr(float(round(v, 6)))


def quote(draft: Draft, cand) -> str:
    """'"the original sentence" (line N)' for a comment."""
    if cand is None:
        return ""
    sent = getattr(cand, "sent", cand)
    t = draft.text
    a = t.span(sent.start, sent.end)
    line = t.original_line(a["line"])
    text = line[a["start"]:a["end"]] if a["end"] > a["start"] else sent.text
    text = " ".join(text.split())
    if len(text) > QUOTE_MAX:
        # centre the excerpt on the candidate
        rel = max(0, getattr(cand, "s", 0) - 40)
        text = ("..." if rel else "") + " ".join(sent.text[rel:rel + QUOTE_MAX].split()) + "..."
    return f'"{text}" (line {a["line"]})'


def _comment(draft, cands, extra: str = "") -> list[str]:
    out = []
    seen = set()
    for c in cands:
        if c is None or id(c.sent) in seen:
            continue
        seen.add(id(c.sent))
        out.append(f"# {quote(draft, c)}")
    if extra:
        out.append(f"# {extra}")
    return out


def _third_friday(year: int, month: int) -> date:
    c = calendar.Calendar(firstweekday=calendar.MONDAY)
    fridays = [d for d in c.itermonthdates(year, month) if d.weekday() == 4 and d.month == month]
    return fridays[2]


def _horizon_days(h: str | None, pub: date | None) -> int | None:
    if not h:
        return None
    if h[0].isdigit() and "-" in h and pub is not None:
        return (date.fromisoformat(h) - pub).days
    n = int("".join(ch for ch in h if ch.isdigit()))
    unit = h.lstrip("0123456789")
    return {"d": n, "s": round(n * 365 / 252), "w": 7 * n, "mo": 30 * n, "y": 365 * n}.get(unit)


def option_table(draft: Draft) -> tuple[list[str], list[str]]:
    """([lines of the [options] table], [open questions])."""
    opt = draft.value("options")
    pub = draft.value("published")
    if not opt:
        return [], []
    f = draft.fields["options"]
    lines = ["", *_comment(draft, f.sources), "[options]", f"type = {_s(opt['type'])}"]
    qs = []
    if opt.get("strike"):
        lines.append(f"strike = {_num(opt['strike'])}")
    else:
        delta = -0.30 if opt["type"] == "put" else 0.30
        lines.append(f"delta = {delta}                 # TODO: the post gives no strike: a 30-delta is assumed")
        qs.append("the post gives no option strike: a 30-delta is assumed")
    month = opt.get("month")
    if month and pub is not None:
        m = list(calendar.month_abbr).index(month[:3].title())
        y = pub.year if m > pub.month or (m == pub.month and _third_friday(pub.year, m) > pub) else pub.year + 1
        lines.append(f"expiry = {_third_friday(y, m).isoformat()}   # the {month} monthly expiry (third Friday)")
    else:
        days = _horizon_days(draft.value("horizon"), pub)
        if days:
            lines.append(f"days = {max(days, 1)}                 # the idea's horizon")
        else:
            lines.append(f"days = {DEFAULT_OPTION_DAYS}                 # TODO: the post gives no expiry")
            qs.append(f"the post gives no option expiry: {DEFAULT_OPTION_DAYS} days assumed")
    if opt.get("iv"):
        lines.append(f"iv = {_num(opt['iv'])}")
    else:
        lines.append('iv_source = "vix"           # TODO: the post gives no IV')
    return lines, qs


def to_toml(draft: Draft, post_name: str = "the post") -> str:
    """The idea file text. Fields the post does not give are `# TODO` lines, never invented values."""
    v = draft.value
    lines: list[str] = [f"# Drafted by `thesis draft` from {post_name}.",
                        "# Each field is preceded by the sentence it came from: confirm them before relying on it."]
    opt_lines, opt_q = option_table(draft)
    draft.questions += [q for q in opt_q if q not in draft.questions]
    qs = list(draft.questions)
    for n in draft.notes:
        if n["proposed"]:
            qs.append(f"note {n['index'] + 1} is undated: {n['date']} is proposed ({n['reason']})")
    if qs:
        lines.append("# Open questions:")
        lines += [f"#   - {q}" for q in qs]
    lines += ["schema_version = 1", "", "[idea]"]
    title = draft.text.title()[:200] or f"{v('symbol') or 'Idea'} {v('direction') or ''}".strip()
    lines.append(f"title = {_s(title)}")
    f = draft.fields
    if v("symbol"):
        extra = "" if draft.symbol_known in (None, True) else \
            f"TODO: {v('symbol')} is not in the data source ({draft.source}): check the ticker"
        lines += _comment(draft, f["symbol"].sources, extra)
        lines.append(f"symbol = {_s(v('symbol'))}")
    else:
        lines.append("# TODO: the post names no symbol")
        lines.append('# symbol = "..."')
    if v("published"):
        lines += _comment(draft, f["published"].sources, f["published"].note)
        lines.append(f"published = {v('published').isoformat()}")
    else:
        lines.append("# TODO: the post carries no date: run again with --published YYYY-MM-DD")
        lines.append("# published = YYYY-MM-DD")
    if v("direction"):
        lines += _comment(draft, f["direction"].sources)
        lines.append(f"direction = {_s(v('direction'))}")
    else:
        lines.append("# TODO: the post does not say long or short")
        lines.append('# direction = "long"')
    if v("horizon"):
        lines += _comment(draft, f["horizon"].sources)
        h = v("horizon")
        lines.append(f"horizon = {h}" if h[0].isdigit() and "-" in h else f"horizon = {_s(h)}")
    else:
        lines.append("# TODO: the post gives no time frame (no time stop): add horizon = \"3mo\" if you want one")

    lines += ["", "[levels]"]
    if v("entry_zone"):
        lo, hi = v("entry_zone")
        lines += _comment(draft, f["entry_zone"].sources, f["entry_zone"].note)
        lines.append(f"entry_zone = [{_num(lo)}, {_num(hi)}]")
    else:
        lines += ["# TODO: the post gives no entry", "# entry_zone = [lo, hi]"]
    if v("stop") is not None:
        lines += _comment(draft, f["stop"].sources, f["stop"].note)
        lines.append(f"stop = {_num(v('stop'))}")
    else:
        lines += _comment(draft, f["stop"].sources)
        lines.append(f"# TODO: {f['stop'].note}: stop is left unset on purpose (thesis check names it)")
        lines.append("# stop = ...")
    if v("targets"):
        lines += _comment(draft, f["targets"].sources)
        lines.append("targets = [" + ", ".join(_num(t) for t in v("targets")) + "]")
    else:
        lines += ["# TODO: the post gives no target", "# targets = [...]"]
    if v("sizes"):
        lines += _comment(draft, f["sizes"].sources)
        lines.append("sizes = [" + ", ".join(repr(s) for s in v("sizes")) + "]")
    if v("move_stop_to_breakeven"):
        lines += _comment(draft, f["move_stop_to_breakeven"].sources)
        lines.append("move_stop_to_breakeven = true")

    lines += ["", "[entry]"]
    lines += _comment(draft, f["entry_order"].sources[:1])
    order = v("entry_order")
    lines.append(f"order = {_s(order)}" + ("                # enter at the next open after the trigger"
                                           if order == "signal" else "                 # rest at the zone"))

    direction = v("direction")
    first_note = next((n["date"] for n in draft.notes if n["date"]), v("published"))
    for t in draft.triggers:
        spec = trigger_spec(t, draft)
        if t["kind"] == "low_of_week":
            note = next((n for n in draft.notes if n["block"].index == t["source"].sent.note), None) \
                if t["source"].sent.note is not None else None
            days = weekdays(t, note["date"] if note else first_note)
            if days:
                spec["weekdays"] = days
        body = [f"kind = {_s(spec['kind'])}", f"timeframe = {_s(spec['timeframe'])}"]
        if "zone" in spec:
            body.append(f"zone = [{_num(spec['zone'][0])}, {_num(spec['zone'][1])}]")
        if "side" in spec:
            body.append(f"side = {_s(spec['side'])}")
        if "weekdays" in spec:
            body.append("weekdays = [" + ", ".join(_s(d) for d in spec["weekdays"]) + "]")
        lines.append("")
        src = t.get("source")
        lines += _comment(draft, [src] if src is not None else [],
                          "implied by the signal entry" if t.get("implied") else "")
        if spec.get("side") and direction and spec["side"] != direction:
            lines.append(f"# Left out: a {spec['side']}-side trigger in a {direction} idea would open the replay's "
                         f"signal trade the wrong way. Uncomment to study it on its own.")
            lines.append("# [[triggers]]")
            lines += [f"# {b}" for b in body]
        else:
            lines.append("[[triggers]]")
            lines += body

    sym = v("symbol")
    for c in draft.confirmations:
        kind, src = c["kind"], c["source"]
        body = []
        if kind.startswith("trend:"):
            _, asset, d = kind.split(":")
            body = ['kind = "trend"', f"symbol = {_s(TREND[asset])}", f"direction = {_s(d)}"]
        elif kind.startswith(("vix_below:", "vix_above:")):
            k, lvl = kind.split(":")
            body = [f"kind = {_s(k)}", f"level = {_num(float(lvl))}"]
        elif kind == "narrow_market":
            body = ['kind = "narrow_market"']
        elif kind == "relative_strength" and sym:
            vs = src.extra.get("versus", "SPY")
            if vs != sym:
                weaker = src.extra.get("weaker") or (direction == "short")
                body = ['kind = "relative_strength"', f"symbol = {_s(sym)}", f"versus = {_s(vs)}",
                        f"direction = {_s('weaker' if weaker else 'stronger')}"]
        if body:
            lines += ["", *_comment(draft, [src]), "[[confirmations]]", *body]

    claims = v("claims") or {}
    if claims:
        lines += ["", *_comment(draft, f["claims"].sources), "[claims]"]
        if "risk_reward" in claims:
            lines.append(f"risk_reward = {_num(claims['risk_reward'])}")
        if "american_odds" in claims:
            lines.append(f"american_odds = {_s(str(claims['american_odds']))}")

    lines += opt_lines

    for n in draft.notes:
        text = n["text"][:1990]
        lines.append("")
        lines.append(f"# {quote(draft, n['block'].sentences[0]) if n['block'].sentences else ''}".rstrip())
        if n["date"] is None:
            lines.append("# TODO: this note is undated and no date could be proposed (give --published)")
            lines += ["# [[notes]]", "# date = YYYY-MM-DD", f"# text = {_s(text)}"]
            continue
        lines.append("[[notes]]")
        tail = f"   # PROPOSED: {n['reason']}" if n["proposed"] else ""
        lines.append(f"date = {n['date'].isoformat()}{tail}")
        lines.append(f"text = {_s(text)}")
    return "\n".join(lines) + "\n"


def summary(draft: Draft) -> dict:
    """The fields in the shape the posts' expected.json files use."""
    v = draft.value
    opt = v("options")
    return {
        "opinion_only": draft.no_trade is not None,
        "symbol": v("symbol"), "direction": v("direction"),
        "published": v("published").isoformat() if v("published") else None,
        "entry_zone": list(v("entry_zone")) if v("entry_zone") else None, "entry_order": v("entry_order"),
        "stop": v("stop"), "targets": v("targets"), "sizes": v("sizes"),
        "move_stop_to_breakeven": bool(v("move_stop_to_breakeven")), "horizon": v("horizon"),
        "claims": v("claims") or {},
        "trigger_kinds": [t["kind"] for t in draft.triggers],
        "trigger_timeframes": sorted({t["timeframe"] for t in draft.triggers if t.get("tf_given")}),
        "confirmations": [c["kind"] for c in draft.confirmations],
        "options": None if not opt else {k: opt[k] for k in ("type", "strike", "iv") if k in opt},
        "notes": [{"date": n["date"].isoformat() if n["date"] else None, "proposed": n["proposed"]}
                  for n in draft.notes],
    }


def _spans(draft: Draft, cands) -> list[dict]:
    return [draft.text.span(c.start, c.end) for c in cands if c is not None]


def to_json(draft: Draft, post: str, toml_text: str, check: dict, output: str | None = None) -> dict:
    s = summary(draft)
    fields = {}
    for name, f in draft.fields.items():
        fields[name] = {"value": s.get(name, f.value), "confidence": round(f.conf, 2),
                        "spans": _spans(draft, f.sources),
                        "sources": [quote(draft, c) for c in f.sources], "note": f.note or None}
    fields["trigger_kinds"] = {"value": s["trigger_kinds"], "confidence": round(min(
        [t["source"].conf for t in draft.triggers if t.get("source") is not None] or [0.0]), 2),
        "spans": _spans(draft, [t.get("source") for t in draft.triggers]), "note": None}
    fields["confirmations"] = {"value": s["confirmations"], "confidence": round(min(
        [c["source"].conf for c in draft.confirmations] or [0.0]), 2),
        "spans": _spans(draft, [c["source"] for c in draft.confirmations]), "note": None}
    return {
        "schema": SCHEMA, "post": post, "output": output,
        "fields": fields,
        "triggers": [{"kind": t["kind"], "timeframe": t["timeframe"], "timeframe_given": t.get("tf_given", False),
                      "spec": trigger_spec(t, draft),
                      "span": draft.text.span(t["source"].start, t["source"].end) if t.get("source") else None}
                     for t in draft.triggers],
        "notes": [{"index": n["index"] + 1, "date": n["date"].isoformat() if n["date"] else None,
                   "proposed": n["proposed"], "reason": n["reason"], "text": n["text"],
                   "span": draft.text.span(n["block"].header_start, n["block"].header_start + len(n["block"].header))}
                  for n in draft.notes],
        "second_trade": draft.second_trade,
        "symbol_in_data": draft.symbol_known,
        "open_questions": list(draft.questions),
        "check": check,
        "idea_toml": toml_text,
    }


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and an atomic rename:
    the file is either the old one or the whole new one, never half-written. A symlink is written
    through to its target (the link stays a link); an existing file keeps its mode, a new one gets
    the mode the umask gives (mkstemp's 0600 would hide a draft from the user's group)."""
    path = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


__all__ = ["to_toml", "to_json", "summary", "write_atomic"]
