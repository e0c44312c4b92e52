"""Each trigger kind's rule as the body of a Pine v6 function, one per kind and side.

Each body is a line-for-line translation of its numba kernel in thesis.signals.nb (same
comparisons, same order of operations, same NaN behaviour: a comparison with na is false), so
the bars on which a function returns true are the bars thesis dates the trigger on. The
function runs on the trigger's own timeframe through ``request.security`` (pine.py).
"""
from __future__ import annotations

from thesis.errors import BadInput
from thesis.export.model import TriggerRule

#: Kinds with no Pine rule, and why (listed as "not exported" in the script and by the CLI).
NOT_EXPRESSIBLE: dict[str, str] = {}

DAYS = {"mon": "dayofweek.monday", "tue": "dayofweek.tuesday", "wed": "dayofweek.wednesday",
        "thu": "dayofweek.thursday", "fri": "dayofweek.friday"}


def num(x: float) -> str:
    """A float literal that reads back as the same float64 (repr round-trips)."""
    text = repr(float(x))
    return text if ("." in text or "e" in text) else text + ".0"


EFFECTIVE_OPEN = "float o = na(open) ? (na(close[1]) ? na : math.max(math.min(close[1], high), low)) : open"


def body(rule: TriggerRule) -> list[str]:
    """The function's statements (without indentation); the last line is the bool it returns."""
    return RULES[rule.kind](rule)


def _outside(rule: TriggerRule) -> list[str]:
    close_vs_open = "close < o" if rule.short else "close > o"
    return [EFFECTIVE_OPEN, f"bool event = high > high[1] and low < low[1] and {close_vs_open}", "event"]


def _zone_of(rule: TriggerRule) -> tuple[float, float]:
    """The zone a zone-based rule tests (the spec gives every such rule the idea's entry zone)."""
    if rule.zone is None:
        raise BadInput(f"{rule.name} tests the entry zone, and the idea gives none")
    return rule.zone


def _zone_test(rule: TriggerRule) -> str:
    lo, hi = _zone_of(rule)
    return f"high >= {num(lo)} and close < {num(lo)}" if rule.short else f"low <= {num(hi)} and close > {num(hi)}"


def _zone_rejection(rule: TriggerRule) -> list[str]:
    return [f"bool event = {_zone_test(rule)}", "event"]


def _outside_rejection(rule: TriggerRule) -> list[str]:
    close_vs_open = "close < o" if rule.short else "close > o"
    return [EFFECTIVE_OPEN,
            f"bool event = high > high[1] and low < low[1] and {close_vs_open} and {_zone_test(rule)}", "event"]


def _failed_breakout(rule: TriggerRule) -> list[str]:
    lo, hi = (num(v) for v in _zone_of(rule))
    if rule.short:
        crossed, failed = f"close > {hi} and close[1] <= {hi}", f"close < {lo}"
    else:
        crossed, failed = f"close < {lo} and close[1] >= {lo}", f"close > {hi}"
    return ["var int b = -1", "bool event = false",
            "if bar_index >= 1",
            f"    if {crossed}",
            "        b := bar_index",
            f"    else if b >= 0 and {failed}",
            f"        event := bar_index - b <= {int(rule.params['within'])}",
            "        b := -1",
            "event"]


def _lower_high(rule: TriggerRule) -> list[str]:
    k = int(rule.params["swing_bars"])
    tol = float(rule.params["tolerance"])
    wait = int(rule.params["max_wait"])
    s = rule.short
    px = "high" if s else "low"           # the swing series
    other = "low" if s else "high"        # the neckline series
    before, after = (">", ">=") if s else ("<", "<=")
    band = ""
    if rule.zone is not None:
        lo, hi = rule.zone
        band = f" and b >= {num(lo * (1.0 - tol))} and b <= {num(hi * (1.0 + tol))}"
    shape = f"b <= a * {num(1.0 + tol)}" if s else f"b >= a * {num(1.0 - tol)}"
    ext = "math.max(a, b)" if s else "math.min(a, b)"
    held = "mx <= extreme" if s else "mx >= extreme"
    pick, pick_neck = ("math.max", "math.min") if s else ("math.min", "math.max")
    broke_extreme = "high > extreme" if s else "low < extreme"
    broke_neck = "close < neck" if s else "close > neck"
    waited = f"(bar_index - p2 > {wait}) or " if wait > 0 else ""
    return [
        "var int p1 = -1", "var int p2 = -1", "var float v1 = na", "var float v2 = na",
        "var bool armed = false", "var float neck = na", "var float extreme = na",
        "bool event = false",
        f"if bar_index >= {2 * k}",
        f"    bool pivot = not na({px}[{k}])",
        f"    for j = 1 to {k}",
        f"        if not ({px}[{k}] {before} {px}[{k} + j]) or not ({px}[{k}] {after} {px}[{k} - j])",
        "            pivot := false",
        f"    float b = {px}[{k}]",
        f"    if pivot{band}",
        "        p1 := p2", "        v1 := v2", f"        p2 := bar_index - {k}", "        v2 := b",
        "        armed := false",
        "        if p1 >= 0 and p2 - p1 >= 2",
        "            float a = v1",
        f"            extreme := {ext}",
        "            float mx = na", "            float mn = na",
        f"            for j = {k + 1} to bar_index - p1 - 1",
        f"                mx := na(mx) ? {px}[j] : {pick}(mx, {px}[j])",
        f"                mn := na(mn) ? {other}[j] : {pick_neck}(mn, {other}[j])",
        "            neck := mn",
        f"            armed := {shape} and {held} and not na(neck)",
        "if armed",
        f"    if {waited}{broke_extreme}",
        "        armed := false",
        f"    else if {broke_neck}",
        "        event := true", "        armed := false",
        "event"]


def _long_wick(rule: TriggerRule) -> list[str]:
    mw, mb = num(rule.params["min_wick"]), num(rule.params["min_wick_body"])
    if rule.short:
        wick, other = "upper", "lower"
        reach = f"high >= {num(rule.zone[0])} and " if rule.zone else ""
    else:
        wick, other = "lower", "upper"
        reach = f"low <= {num(rule.zone[1])} and " if rule.zone else ""
    return [EFFECTIVE_OPEN, "float rng = high - low", "bool event = false",
            "if rng > 0 and not na(o) and not na(close)",
            "    float body = math.abs(close - o)",
            "    float upper = high - math.max(o, close)",
            "    float lower = math.min(o, close) - low",
            f"    event := {reach}{wick} > {other} and {wick} >= {mw} * rng and {wick} >= {mb} * body",
            "event"]


def _weekday_test(var: str, weekdays) -> str:
    if not weekdays:
        return ""
    return " and (" + " or ".join(f"{var} == {DAYS[d]}" for d in weekdays) + ")"


def _low_of_week(rule: TriggerRule) -> list[str]:
    px = "high" if rule.short else "low"
    beyond = ">" if rule.short else "<"
    days = rule.params.get("weekdays")
    if rule.params.get("mode") == "running":
        return ["var float ext = na", "bool event = false", f"float v = {px}",
                'if timeframe.change("1W")',
                "    ext := v",
                "else if not na(v)",
                "    if na(ext)",
                "        ext := v",
                f"    else if v {beyond} ext",
                f"        event := true{_weekday_test('dayofweek', days)}",
                "        ext := v",
                "event"]
    return ["var float ext = na", "var int ext_day = na",
            'if timeframe.change("1W")',
            "    ext := na", "    ext_day := na",
            f"float v = {px}",
            f"if not na(v) and (na(ext) or v {beyond} ext)",
            "    ext := v", "    ext_day := dayofweek",
            f'bool event = time_close == time_close("1W") and not na(ext_day){_weekday_test("ext_day", days)}',
            "event"]


def _squeeze(rule: TriggerRule) -> list[str]:
    n = int(rule.params["length"])
    bb, kc = num(rule.params["bb_mult"]), num(rule.params["kc_mult"])
    direction = "close < mid" if rule.short else "close > mid"
    return [
        "int state = -1", "float mid = na",
        f"if bar_index >= {n}",
        "    float s = 0.0", "    float trs = 0.0", "    bool ok = true",
        f"    for i = {n - 1} to 0",
        "        float pc = close[i + 1]",
        "        float tr = math.max(high[i] - low[i], math.abs(high[i] - pc), math.abs(low[i] - pc))",
        "        if na(close[i]) or na(tr)",
        "            ok := false",
        "            break",
        "        s := s + close[i]", "        trs := trs + tr",
        "    if ok",
        f"        mid := s / {n}",
        "        float ss = 0.0",
        f"        for i = {n - 1} to 0",
        "            float d = close[i] - mid",
        "            ss := ss + d * d",
        f"        float sd = math.sqrt(ss / {n})",
        f"        float atr = trs / {n}",
        f"        state := mid + {bb} * sd < mid + {kc} * atr and mid - {bb} * sd > mid - {kc} * atr ? 1 : 0",
        f"bool event = state[1] == 1 and state == 0 and {direction}",
        "event"]


RULES = {
    "outside_bar": _outside,
    "zone_rejection": _zone_rejection,
    "outside_bar_rejection": _outside_rejection,
    "failed_breakout": _failed_breakout,
    "lower_high_breakdown": _lower_high,
    "long_wick": _long_wick,
    "low_of_week": _low_of_week,
    "squeeze_release": _squeeze,
}
