"""Render an idea's export description (thesis.export.model) as a Pine Script v6 indicator.

The script draws the idea (entry zone box from publication to the horizon's end, stop and
targets as lines with price labels, the breakeven stop after target 1, the publication and
horizon dates), marks each trigger on the idea's timeframe and raises alerts on bar close whose
message is the JSON that ``thesis serve`` takes in (thesis/web/inbound.py, docs/pine.md).
Levels are prices and dates are bar times, so the drawing is right on any chart timeframe.
"""
from __future__ import annotations

import json
from pathlib import Path

from thesis.export.model import IdeaLevels, TriggerRule, describe
from thesis.export.pine_rules import NOT_EXPRESSIBLE, body, num

ALERT_SCHEMA = "thesis.alert/1"
TIMEFRAMES = {"1d": "1D", "1w": "1W", "1mo": "1M"}
INDENT = "    "


def export(idea, path: str | Path | None = None) -> tuple[str, IdeaLevels]:
    """(Pine source, the description it was rendered from) for a loaded idea."""
    levels = describe(idea, path, NOT_EXPRESSIBLE)
    return render(levels), levels


def pine_string(text: str) -> str:
    """A double-quoted Pine string literal holding ``text`` exactly."""
    out = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{out}"'


def _date_args(d) -> str:
    return f"{d.year}, {d.month}, {d.day}"


def _header(lv: IdeaLevels) -> list[str]:
    source = (f"{lv.file_name} (content sha256 {lv.content_hash})" if lv.file_name
              else "an idea built in code (no file)")
    lines = ["//@version=6",
             f"// Exported by thesis {lv.thesis_version} from {source}.",
             f"// {lv.title} | {lv.symbol} {'short' if lv.short else 'long'} | published {lv.published}"
             f" | horizon end {lv.horizon_end or 'none'}",
             "// Levels are prices as written in the idea file; dates are bar times: right on any chart timeframe.",
             "// Triggers run on the idea's timeframe (request.security, lookahead off) and fire when that bar closes.",
             "// Alerts: create one alert on this indicator with 'Any alert() function call' (once per bar close),",
             "// or one per alertcondition (choose 'Once Per Bar Close'); the webhook URL is thesis serve's",
             "// /inbound/tradingview/SECRET (docs/pine.md). Each message is JSON of thesis.alert/1.",
             "// exported triggers: " + ("; ".join(r.name for r in lv.triggers) or "none"),
             "// not exported: " + ("; ".join(f"{n}: {why}" for n, why in lv.not_exported) or "none")]
    return [line.replace("\n", " ") for line in lines]


def _message(lv: IdeaLevels, kind: str, key: str, price: str) -> str:
    """alert() message: a Pine expression building the JSON at the bar's close."""
    head = json.dumps({"schema": ALERT_SCHEMA, "source": "tradingview", "idea": lv.idea_id, "symbol": lv.symbol,
                       "kind": kind, "key": key}, separators=(",", ":"))[:-1]
    return (f"{pine_string(head + ',' + chr(34) + 'price' + chr(34) + ':')} + str.tostring({price}) + "
            f"{pine_string(',' + chr(34) + 'time' + chr(34) + ':' + chr(34))} + "
            f"str.format_time(time, \"yyyy-MM-dd'T'HH:mm:ss'Z'\", \"UTC\") + {pine_string(chr(34) + '}')}")


def _condition_message(lv: IdeaLevels, kind: str, key: str, price: str) -> str:
    """alertcondition() message: a constant with TradingView's {{close}} and {{time}} placeholders."""
    head = json.dumps({"schema": ALERT_SCHEMA, "source": "tradingview", "idea": lv.idea_id, "symbol": lv.symbol,
                       "kind": kind, "key": key}, separators=(",", ":"))[:-1]
    return pine_string(head + f',"price":{price},"time":"{{{{time}}}}"}}')


def _alert(lv: IdeaLevels, cond: str, title: str, kind: str, key: str, price_expr: str, price_text: str) -> list[str]:
    return [f"if {cond}",
            f"{INDENT}alert({_message(lv, kind, key, price_expr)}, alert.freq_once_per_bar_close)",
            f"alertcondition({cond}, {pine_string(title)}, {_condition_message(lv, kind, key, price_text)})"]


def _trigger(lv: IdeaLevels, rule: TriggerRule) -> list[str]:
    tf = TIMEFRAMES[rule.timeframe]
    fn = f"f_trigger_{rule.number}"
    var = f"trigger_{rule.number}"
    params = ", ".join(f"{k}={v}" for k, v in rule.params.items() if v is not None)
    zone = f" zone {rule.zone[0]:g}-{rule.zone[1]:g}" if rule.zone else ""
    out = [f"// {rule.name}{zone}{(' ' + params) if params else ''}"
           f"{(' (' + rule.label + ')') if rule.label else ''}".replace("\n", " "),
           f"{fn}() =>"]
    out += [INDENT + line for line in body(rule)]
    out += [f"bool {var} = request.security(syminfo.tickerid, \"{tf}\", {fn}(), lookahead = barmerge.lookahead_off)"
            f" and timeframe.in_seconds() <= timeframe.in_seconds(\"{tf}\") and time_close == time_close(\"{tf}\")",
            f"plotshape({var}, {pine_string(f'trigger {rule.number}: {rule.kind}')}, "
            f"{'shape.triangledown' if rule.short else 'shape.triangleup'}, "
            f"{'location.abovebar' if rule.short else 'location.belowbar'}, color.purple, "
            f"text = {pine_string(str(rule.number))})"]
    out += _alert(lv, var, f"trigger {rule.number}: {rule.kind}", "trigger", f"{rule.number}:{rule.kind}",
                  "close", "{{close}}")
    return out


def _drawings(lv: IdeaLevels) -> list[str]:
    zlo, zhi = lv.zone
    from thesis.data.instruments import instrument_of

    d = instrument_of(lv.symbol).decimals      # labels at the instrument's tick: 1.2700, not 1.27
    right = "T_END" if lv.horizon_end else "T_PUB + 365 * 86400000"
    out = ["// ---- the idea as thesis sees it: prices, and dates as bar times (exchange time zone)",
           f"int T_PUB = timestamp(syminfo.timezone, {_date_args(lv.published)}, 0, 0)"]
    if lv.horizon_end:
        out.append(f"int T_END = timestamp(syminfo.timezone, {_date_args(lv.horizon_end)}, 23, 59)")
    out += [f"float ZONE_LO = {num(zlo)}", f"float ZONE_HI = {num(zhi)}", f"float ENTRY = {num(lv.entry)}",
            f"float STOP = {num(lv.stop)}"]
    out += [f"float TARGET_{i} = {num(t)}" for i, t in enumerate(lv.targets, start=1)]
    extend = "" if lv.horizon_end else ", extend = extend.right"
    out += [f"var box zone_box = box.new(T_PUB, ZONE_HI, {right}, ZONE_LO, xloc = xloc.bar_time{extend}, "
            f"border_color = color.orange, bgcolor = color.new(color.orange, 85), "
            f"text = {pine_string(f'entry zone {zlo:.{d}f}-{zhi:.{d}f} ({lv.order} {lv.entry:.{d}f})')}, "
            f"text_size = size.small, text_halign = text.align_left, text_valign = text.align_top)"]

    def level(name: str, var: str, text: str, color: str, style: str = "line.style_solid") -> list[str]:
        return [f"var line {name}_line = line.new(T_PUB, {var}, {right}, {var}, xloc = xloc.bar_time{extend}, "
                f"color = {color}, width = 2, style = {style})",
                f"var label {name}_label = label.new({right}, {var}, {pine_string(text)}, xloc = xloc.bar_time, "
                f"style = label.style_label_left, color = {color}, textcolor = color.white, size = size.small)"]

    out += level("stop", "STOP", f"stop {lv.stop:.{d}f}", "color.red")
    for i, t in enumerate(lv.targets, start=1):
        out += level(f"target_{i}", f"TARGET_{i}", f"target {i} {t:.{d}f}", "color.green")
    if lv.breakeven_after_first_target:
        out += level("breakeven", "ENTRY", f"breakeven stop {lv.entry:.{d}f} after target 1", "color.gray",
                     "line.style_dashed")
    out += ["var line published_line = line.new(T_PUB, ZONE_LO, T_PUB, ZONE_HI, xloc = xloc.bar_time, "
            "extend = extend.both, color = color.gray, style = line.style_dotted)",
            f"var label published_label = label.new(T_PUB, ZONE_HI, {pine_string(f'published {lv.published}')}, "
            f"xloc = xloc.bar_time, style = label.style_label_down, color = color.gray, textcolor = color.white, "
            f"size = size.small)"]
    if lv.horizon_end:
        out += ["var line horizon_line = line.new(T_END, ZONE_LO, T_END, ZONE_HI, xloc = xloc.bar_time, "
                "extend = extend.both, color = color.gray, style = line.style_dotted)",
                f"var label horizon_label = label.new(T_END, ZONE_HI, {pine_string(f'horizon end {lv.horizon_end}')}, "
                f"xloc = xloc.bar_time, style = label.style_label_down, color = color.gray, textcolor = color.white, "
                f"size = size.small)"]
    return out


def _lifecycle(lv: IdeaLevels) -> list[str]:
    """Zone touched, stop and targets on the chart's own bars, once each (alerts only: thesis's journal
    holds the lifecycle it computes; docs/pine.md says where the two can differ)."""
    s = lv.short
    window = "time >= T_PUB" + (" and time <= T_END" if lv.horizon_end else "")
    reach_entry = "high >= ENTRY" if s else "low <= ENTRY"
    any_trigger = " or ".join(f"trigger_{r.number}" for r in lv.triggers) or "false"
    out = ["// ---- alerts on the idea's levels (once each, on bar close)",
           f"bool in_window = {window}",
           "var bool zone_seen = false", "var bool filled = false", "var bool done = false",
           "var bool signal_seen = false"]
    out += [f"var bool target_{i}_done = false" for i in range(1, len(lv.targets) + 1)]
    out += ["bool zone_touched = in_window and not zone_seen and high >= ZONE_LO and low <= ZONE_HI",
            "if zone_touched", f"{INDENT}zone_seen := true",
            "bool fill_now = false"]
    if lv.order == "limit":
        out += [f"if in_window and not filled and {reach_entry}", f"{INDENT}fill_now := true"]
    else:
        out += ["if in_window and not filled and signal_seen", f"{INDENT}fill_now := true",
                f"if in_window and ({any_trigger})", f"{INDENT}signal_seen := true"]
    out += ["if fill_now", f"{INDENT}filled := true"]
    be = "target_1_done ? ENTRY : STOP" if lv.breakeven_after_first_target else "STOP"
    out += [f"float stop_now = {be}",
            f"bool stop_hit = filled and not done and {'high >= stop_now' if s else 'low <= stop_now'}",
            "if stop_hit", f"{INDENT}done := true"]
    out += _alert(lv, "zone_touched", "zone touched", "zone_touched", "", "close", "{{close}}")
    out += _alert(lv, "stop_hit", "stop", "stopped", "", "stop_now", num(lv.stop))
    n = len(lv.targets)
    for i in range(1, n + 1):
        reach = f"low <= TARGET_{i}" if s else f"high >= TARGET_{i}"
        out += [f"bool target_{i}_hit = filled and not done and not fill_now and not target_{i}_done and {reach}",
                f"if target_{i}_hit", f"{INDENT}target_{i}_done := true"]
        out += _alert(lv, f"target_{i}_hit", f"target {i}", "target_hit", f"target {i}", f"TARGET_{i}",
                      num(lv.targets[i - 1]))
    out += [f"if target_{n}_done", f"{INDENT}done := true"]
    return out


def render(lv: IdeaLevels) -> str:
    """The Pine Script v6 source for one idea."""
    by = f" (by {lv.author})" if lv.author else ""
    lines = _header(lv)
    lines += [f"indicator({pine_string(f'thesis: {lv.title}{by}')}, shorttitle = {pine_string(f'thesis {lv.symbol}')}, "
              "overlay = true, max_bars_back = 5000, max_lines_count = 60, max_labels_count = 60, "
              "max_boxes_count = 5)", ""]
    lines += _drawings(lv) + [""]
    for rule in lv.triggers:
        lines += _trigger(lv, rule) + [""]
    lines += _lifecycle(lv)
    return "\n".join(lines) + "\n"


__all__ = ["export", "render", "describe", "NOT_EXPRESSIBLE", "TIMEFRAMES", "ALERT_SCHEMA"]
