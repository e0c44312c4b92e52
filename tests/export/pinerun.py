"""A small interpreter for the subset of Pine Script v6 that `thesis export pine` writes.

Why our own and not PyneCore: PyneCore runs Python scripts in its own format (it compiles
Pine only through a paid service), so using it would mean a second renderer from the
intermediate description, and the Pine text itself would never run. This interpreter runs
the very text TradingView receives: it walks pynescript's parse tree bar by bar.

Modelled (anything else raises, so an emitted construct it cannot model fails the test):
series history (``x[n]``, na before the first bar), ``var`` declarations kept across bars, user
functions with their own history (one per call site and context), if / else if, for ... to
(counting down when start > end), break, lazy ``and``/``or``, na arithmetic (na in, na out;
comparisons with na are false), math.max/min/abs/sqrt, na(), nz(), str.tostring,
str.format_time (the one format emitted), timestamp(tz, y, m, d, H, M), timeframe.change,
timeframe.in_seconds, time_close(tf), dayofweek, and ``request.security`` with lookahead off:
the expression runs on the timeframe's own bars (thesis.data.resample: Monday-Friday weeks,
calendar months, the same aggregation TradingView shows) and a chart bar sees the value of the
last higher-timeframe bar that closed on or before it. Drawing calls are recorded, not drawn.

TradingView's clock is modelled with the XNYS calendar (exchange_calendars): a daily bar opens
at 09:30 and closes at 16:00 New York time; a week's or month's close is its last session's
close, known only when the calendar says the period has no session left.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pynescript.ast as pa

NY = ZoneInfo("America/New_York")
SECONDS = {"1D": 86400, "1W": 7 * 86400, "1M": 2628003}
FREQ = {"1D": "1d", "1W": "1w", "1M": "1mo"}
DAYOFWEEK = {"sunday": 1, "monday": 2, "tuesday": 3, "wednesday": 4, "thursday": 5, "friday": 6, "saturday": 7}
CONSTANTS = {"syminfo.timezone": "America/New_York", "barmerge.lookahead_off": "lookahead_off",
             "alert.freq_once_per_bar_close": "once_per_bar_close"}
INERT = ("color.", "size.", "shape.", "location.", "line.style_", "label.style_", "text.align_", "extend.", "xloc.")


def parse(source: str):
    """pynescript's parse tree of ``source``. Two-stage, as ANTLR recommends: SLL prediction first
    (its decisions are cached, so the 2nd..Nth script cost little), the full LL parse when SLL
    reports an error. A syntax error raises pynescript's SyntaxError either way."""
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.atn.PredictionMode import PredictionMode
    from pynescript.ast.builder import PinescriptASTBuilder
    from pynescript.ast.grammar.antlr4.error_listener import PinescriptErrorListener
    from pynescript.ast.grammar.antlr4.lexer import PinescriptLexer
    from pynescript.ast.grammar.antlr4.parser import PinescriptParser

    lexer = PinescriptLexer(InputStream(source))
    parser = PinescriptParser(CommonTokenStream(lexer))
    parser._interp.predictionMode = PredictionMode.SLL
    for part in (lexer, parser):
        part.removeErrorListeners()
        part.addErrorListener(PinescriptErrorListener.INSTANCE)
    try:
        return PinescriptASTBuilder().visit(parser.start_script())
    except Exception:  # noqa: BLE001 - SLL can fail on input LL accepts: the full parse decides
        return pa.parse(source)


class Unsupported(Exception):
    pass


class _Break(Exception):
    pass


def _ms(day: pd.Timestamp, hh: int, mm: int) -> int:
    return int(datetime(day.year, day.month, day.day, hh, mm, tzinfo=NY).timestamp() * 1000)


@dataclass
class Bars:
    """One timeframe's bars as arrays, with TradingView's times for them."""

    tf: str
    dates: pd.DatetimeIndex
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    time: list[int]
    time_close: list[int]
    complete: np.ndarray            # the period is over (always true for daily bars)

    @classmethod
    def of(cls, daily: pd.DataFrame, tf: str = "1D") -> "Bars":
        from thesis.data import resample

        frame = daily if tf == "1D" else resample(daily, FREQ[tf])
        dates = pd.DatetimeIndex(frame.index)
        complete = (~frame["partial"].to_numpy(dtype=bool)) if "partial" in frame else np.ones(len(frame), bool)
        if tf == "1D":
            opens = list(dates)
        else:  # a period opens at its first session
            key = daily.index.to_period("W-FRI" if tf == "1W" else "M")
            firsts = pd.Series(daily.index, index=daily.index).groupby(key).first()
            opens = [firsts.loc[d.to_period("W-FRI" if tf == "1W" else "M")] for d in dates]
        return cls(tf, dates, *(frame[c].to_numpy(dtype=float) for c in ("open", "high", "low", "close")),
                   [_ms(d, 9, 30) for d in opens], [_ms(d, 16, 0) for d in dates], complete)


@dataclass
class Fired:
    bar: int
    date: pd.Timestamp
    message: str

    def json(self) -> dict:
        return json.loads(self.message)


class Scope:
    """Variables of one function (or the script) in one context, with their history per bar."""

    def __init__(self):
        self.cur: dict = {}
        self.hist: dict = {}
        self.declared_var: set = set()

    def set(self, name, value, bar):
        self.cur[name] = value
        self.hist.setdefault(name, {})[bar] = value


@dataclass
class Run:
    """What a run recorded: alert() calls, alertcondition() hits, drawings, the indicator() call."""

    alerts: list[Fired] = field(default_factory=list)
    conditions: dict = field(default_factory=dict)       # title -> [dates]
    drawings: list[tuple] = field(default_factory=list)
    indicator: dict = field(default_factory=dict)


class Context:
    """Executes a script (or one function) over one timeframe's bars."""

    def __init__(self, interp: "PineInterpreter", bars: Bars, record: Run | None):
        self.interp, self.bars, self.record = interp, bars, record
        self.bar = 0
        self.scopes: dict = {}
        self.week_id = bars.dates.to_period("W-FRI").asi8

    # -------------------------------------------------------------- statements
    def run_block(self, stmts, scope):
        last = None
        for st in stmts:
            last = self.stmt(st, scope)
        return last

    def stmt(self, st, scope):
        kind = type(st).__name__
        if kind == "Expr":
            return self.expr(st.value, scope)
        if kind == "Assign":
            name = st.target.id
            if st.mode is not None:                      # var: initialised once, then kept
                if name in scope.declared_var:
                    scope.set(name, scope.cur[name], self.bar)
                    return None
                scope.declared_var.add(name)
            scope.set(name, self.expr(st.value, scope), self.bar)
            return None
        if kind == "ReAssign":
            scope.set(st.target.id, self.expr(st.value, scope), self.bar)
            return None
        if kind == "FunctionDef":
            self.interp.functions[st.name] = st
            return None
        if kind == "Break":
            raise _Break()
        raise Unsupported(f"statement {kind} (line {getattr(st, 'lineno', '?')})")

    # -------------------------------------------------------------- expressions
    def expr(self, node, scope):
        kind = type(node).__name__
        if kind == "Constant":
            return node.value
        if kind == "Name":
            return self.name(node.id, scope)
        if kind == "Attribute":
            return self.attribute(_dotted(node))
        if kind == "Subscript":
            offset = self.expr(node.slice, scope)
            if type(node.value).__name__ != "Name":
                raise Unsupported("history of an expression that is not a name")
            return self.history(node.value.id, int(offset), scope)
        if kind == "BinOp":
            a, b = self.expr(node.left, scope), self.expr(node.right, scope)
            return _binop(type(node.op).__name__, a, b)
        if kind == "UnaryOp":
            v = self.expr(node.operand, scope)
            op = type(node.op).__name__
            if op == "Not":
                return not bool(v)
            if v is None:
                return None
            return -v if op == "USub" else v
        if kind == "BoolOp":
            if type(node.op).__name__ == "And":
                for v in node.values:
                    if not self.expr(v, scope):
                        return False
                return True
            for v in node.values:
                if self.expr(v, scope):
                    return True
            return False
        if kind == "Compare":
            left = self.expr(node.left, scope)
            for op, comp in zip(node.ops, node.comparators):
                right = self.expr(comp, scope)
                if not _compare(type(op).__name__, left, right):
                    return False
                left = right
            return True
        if kind == "Conditional":
            return self.expr(node.body if self.expr(node.test, scope) else node.orelse, scope)
        if kind == "Call":
            return self.call(node, scope)
        if kind == "If":
            if self.expr(node.test, scope):
                self.run_block(node.body, scope)
            elif node.orelse:
                self.run_block(node.orelse, scope)
            return None
        if kind == "ForTo":
            start, end = int(self.expr(node.start, scope)), int(self.expr(node.end, scope))
            step = 1 if end >= start else -1
            try:
                for j in range(start, end + step, step):
                    scope.set(node.target.id, j, self.bar)
                    self.run_block(node.body, scope)
            except _Break:
                pass
            return None
        raise Unsupported(f"expression {kind} (line {getattr(node, 'lineno', '?')})")

    def name(self, ident, scope):
        if ident in scope.cur:
            return scope.cur[ident]
        top = self.scopes.get(None)
        if top is not None and top is not scope and ident in top.cur:
            return top.cur[ident]
        b, i = self.bars, self.bar
        series = {"open": b.open, "high": b.high, "low": b.low, "close": b.close}
        if ident in series:
            return _nan_to_na(series[ident][i])
        if ident == "bar_index":
            return i
        if ident == "time":
            return b.time[i]
        if ident == "time_close":
            return b.time_close[i]
        if ident == "dayofweek":
            return (b.dates[i].weekday() + 1) % 7 + 1
        if ident == "na":
            return None
        if ident in ("true", "false"):
            return ident == "true"
        raise Unsupported(f"name {ident!r}")

    def history(self, ident, offset, scope):
        i = self.bar - offset
        if offset < 0:
            raise Unsupported("negative history offset")
        if offset > 5000:
            raise Unsupported(f"history reference {offset} bars back: beyond max_bars_back = 5000")
        if i < 0:
            return None
        b = self.bars
        series = {"open": b.open, "high": b.high, "low": b.low, "close": b.close}
        if ident in series and ident not in scope.cur:
            return _nan_to_na(series[ident][i])
        for sc in (scope, self.scopes.get(None)):
            if sc is not None and ident in sc.hist:
                return sc.hist[ident].get(i)
        raise Unsupported(f"history of {ident!r}")

    def attribute(self, dotted):
        if dotted in CONSTANTS:
            return CONSTANTS[dotted]
        if dotted == "syminfo.tickerid":
            return self.interp.symbol
        if dotted.startswith("dayofweek."):
            return DAYOFWEEK[dotted.split(".", 1)[1]]
        if dotted.startswith(INERT):
            return dotted
        raise Unsupported(f"attribute {dotted}")

    # -------------------------------------------------------------- calls
    def call(self, node, scope):
        fname = _dotted(node.func)
        pos = [a.value for a in node.args if a.name is None]
        kw = {a.name: a.value for a in node.args if a.name is not None}
        ev = lambda n: self.expr(n, scope)  # noqa: E731
        if fname in self.interp.functions:
            return self.user_function(fname)
        if fname == "request.security":
            return self.security(node, ev(pos[1]), pos[2], ev(kw["lookahead"]) if "lookahead" in kw else None)
        simple = {"na": lambda x: x is None, "math.abs": lambda x: None if x is None else abs(x),
                  "math.sqrt": lambda x: None if x is None else math.sqrt(x)}
        if fname in simple:
            return simple[fname](ev(pos[0]))
        if fname in ("math.max", "math.min"):
            vals = [ev(p) for p in pos]
            if any(v is None for v in vals):
                return None
            return max(vals) if fname == "math.max" else min(vals)
        if fname == "nz":
            v = ev(pos[0])
            return (ev(pos[1]) if len(pos) > 1 else 0) if v is None else v
        if fname == "str.tostring":
            return _tostring(ev(pos[0]))
        if fname == "str.format_time":
            fmt, tz = ev(pos[1]), ev(pos[2])
            if fmt != "yyyy-MM-dd'T'HH:mm:ss'Z'" or tz != "UTC":
                raise Unsupported(f"str.format_time format {fmt!r} {tz!r}")
            return datetime.fromtimestamp(ev(pos[0]) / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        if fname == "timestamp":
            tz, y, mo, d, hh, mm = (ev(p) for p in pos)
            return int(datetime(y, mo, d, hh, mm, tzinfo=ZoneInfo(tz)).timestamp() * 1000)
        if fname == "timeframe.in_seconds":
            return SECONDS[ev(pos[0]) if pos else self.bars.tf]
        if fname == "timeframe.change":
            tf = ev(pos[0])
            if tf != "1W":
                raise Unsupported(f"timeframe.change({tf!r})")
            return self.bar == 0 or self.week_id[self.bar] != self.week_id[self.bar - 1]
        if fname == "time_close":
            return self.interp.period_close(ev(pos[0]), self.bars, self.bar)
        if fname == "alert":
            if ev(pos[1]) != "once_per_bar_close":
                raise Unsupported("alert() that is not once per bar close")
            if self.record is not None:
                self.record.alerts.append(Fired(self.bar, self.bars.dates[self.bar], ev(pos[0])))
            return None
        if fname == "alertcondition":
            if self.record is not None:
                title = ev(pos[1])
                hits = self.record.conditions.setdefault(title, [])
                if ev(pos[0]):
                    hits.append(self.bars.dates[self.bar])
            return None
        if fname in ("box.new", "line.new", "label.new"):
            if self.record is not None and self.bar == 0:
                self.record.drawings.append((fname, [ev(p) for p in pos], {k: ev(v) for k, v in kw.items()}))
            return fname
        if fname == "indicator":
            if self.record is not None and self.bar == 0:
                self.record.indicator = {"title": ev(pos[0]), **{k: ev(v) for k, v in kw.items()}}
            return None
        if fname in ("plotshape", "color.new"):
            return None
        raise Unsupported(f"function {fname}")

    def user_function(self, fname):
        fn = self.interp.functions[fname]
        if fn.args:
            raise Unsupported("user functions with parameters")
        scope = self.scopes.setdefault(fname, Scope())
        return self.run_block(fn.body, scope)

    def security(self, node, tf, expr, lookahead):
        if lookahead != "lookahead_off":
            raise Unsupported("request.security without lookahead = barmerge.lookahead_off")
        if tf == self.bars.tf:
            return self.expr(expr, self.scopes[None])
        key = id(node)
        if key not in self.interp.htf:
            self.interp.htf[key] = self.interp.series_on(tf, expr)
        values, closes = self.interp.htf[key]
        # lookahead off: the last higher-timeframe bar that closed at or before this chart bar
        k = int(np.searchsorted(closes, self.bars.time_close[self.bar], side="right")) - 1
        return values[k] if k >= 0 else None


class PineInterpreter:
    def __init__(self, source: str, daily: pd.DataFrame, symbol: str = "SYMBOL", tree=None):
        self.tree = tree if tree is not None else parse(source)
        self.daily = daily
        self.symbol = symbol
        self.functions: dict = {}
        self.htf: dict = {}
        self._bars: dict = {}
        for st in self.tree.body:
            if type(st).__name__ == "FunctionDef":
                self.functions[st.name] = st

    def bars(self, tf: str) -> Bars:
        if tf not in self._bars:
            self._bars[tf] = Bars.of(self.daily, tf)
        return self._bars[tf]

    def period_close(self, tf: str, chart: Bars, i: int):
        """time_close(tf) on chart bar i: the close of the period holding it; for a period not over
        in the data (the calendar has sessions left), a time no bar of the data closes at."""
        if tf == chart.tf:
            return chart.time_close[i]
        htf = self.bars(tf)
        k = int(np.searchsorted(htf.dates.values, chart.dates[i].to_datetime64(), side="left"))
        if k >= len(htf.dates) or not htf.complete[k]:
            return -1
        return htf.time_close[k]

    def series_on(self, tf: str, expr) -> tuple[list, np.ndarray]:
        """Values of ``expr`` on each bar of timeframe ``tf`` (complete periods only) and their close times."""
        bars = self.bars(tf)
        ctx = Context(self, bars, None)
        ctx.scopes[None] = Scope()
        values = []
        for i in range(len(bars.dates)):
            ctx.bar = i
            values.append(ctx.expr(expr, ctx.scopes[None]))
        closes = np.array([t if c else np.iinfo(np.int64).max for t, c in zip(bars.time_close, bars.complete)])
        return values, closes

    def run(self) -> Run:
        """Run the script on the daily chart, bar by bar."""
        record = Run()
        ctx = Context(self, self.bars("1D"), record)
        top = ctx.scopes[None] = Scope()
        for i in range(len(ctx.bars.dates)):
            ctx.bar = i
            for st in self.tree.body:
                if type(st).__name__ != "FunctionDef":
                    ctx.stmt(st, top)
        return record


def _dotted(node) -> str:
    kind = type(node).__name__
    if kind == "Name":
        return node.id
    if kind == "Attribute":
        return _dotted(node.value) + "." + node.attr
    raise Unsupported(f"callee {kind}")


def _nan_to_na(v):
    v = float(v)
    return None if math.isnan(v) else v


def _binop(op, a, b):
    if op == "Add" and isinstance(a, str) and isinstance(b, str):
        return a + b
    if a is None or b is None:
        return None
    if op == "Add":
        return a + b
    if op == "Sub":
        return a - b
    if op == "Mult":
        return a * b
    if op == "Div":
        return None if b == 0 else a / b
    if op == "Mod":
        return a % b
    raise Unsupported(f"operator {op}")


def _compare(op, a, b):
    if a is None or b is None:
        return False
    return {"Eq": a == b, "NotEq": a != b, "Lt": a < b, "LtE": a <= b, "Gt": a > b, "GtE": a >= b}[op]


def _tostring(v):
    if v is None:
        return "NaN"
    if isinstance(v, float):
        return format(v, ".8f").rstrip("0").rstrip(".")
    return str(v)


def trigger_sessions(run: Run, idea_id: str) -> dict[str, list[str]]:
    """Sessions (New York dates of the bar time in each message) where trigger alerts fired, by key."""
    out: dict[str, list[str]] = {}
    for f in run.alerts:
        msg = f.json()
        if msg["kind"] == "trigger" and msg["idea"] == idea_id:
            when = datetime.strptime(msg["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            out.setdefault(msg["key"], []).append(when.astimezone(NY).date().isoformat())
    return out
