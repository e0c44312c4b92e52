"""What one study cell is: a zone rule (where the setup counts) and an exit rule (stop,
targets, time stop), written relative to each symbol's own prices.

Level texts (``parse_level``):
    "5%"     percent of the entry fill price
    "2atr"   multiples of ATR(14) at the signal session ("2xatr", "2 ATR" too)
    "2.4R"   targets only: multiples of the stop distance
    "212"    a fixed price (``levels="fixed"`` only, the idea's own symbol)
Hold texts (``parse_hold``): "20" or "20s" sessions from the entry session (entry = 1),
"6mo"/"8w"/"120d"/"1y" calendar time after the entry session, "none" (no time stop).

Grid (``parse_grid``): ``["stop=5%,8%", "target=2R,3R zone_width=0.5,1.0"]``; every
key=values pair is one axis; cells are the cartesian product, in the order given.
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field, replace

from thesis.errors import BadInput, ParameterError

ATR_LENGTH = 14
DEFAULT_ZONE_LOOKBACK = 20
DEFAULT_ZONE_WIDTH = 0.5
MAX_CELLS = 10_000
GRID_KEYS = ("stop", "target", "zone_width", "zone_lookback", "hold")

_NUM = r"([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)"
_PCT = re.compile(rf"^{_NUM}\s*%$", re.I)
_ATR = re.compile(rf"^{_NUM}\s*(?:x\s*)?atr$", re.I)
_R = re.compile(rf"^{_NUM}\s*r$", re.I)
_PRICE = re.compile(rf"^{_NUM}$")
_HOLD_SESSIONS = re.compile(r"^(\d+)\s*s?$", re.I)
_HOLD_CAL = re.compile(r"^(\d+)\s*(d|w|mo|y)$", re.I)


class GridError(BadInput):
    """A ``grid`` value or a level text could not be used."""


class GridSyntaxError(GridError, ParameterError):
    """The ``grid`` parameter itself is malformed (named ``--grid`` on the command line)."""

    def __init__(self, detail: str):
        ParameterError.__init__(self, "grid", detail)


@dataclass(frozen=True)
class Level:
    """A stop or target distance: unit "pct" (fraction of entry), "atr", "r" or "price"."""

    unit: str
    value: float

    def label(self) -> str:
        if self.unit == "pct":
            return f"{self.value * 100:g}%"
        if self.unit == "atr":
            return f"{self.value:g}atr"
        if self.unit == "r":
            return f"{self.value:.4g}R"
        return f"{self.value:g}"


@dataclass(frozen=True)
class Hold:
    """Time stop: ``sessions`` (from the entry session, entry = 1) or a calendar ``offset``
    ("6mo") after the entry session, or neither (no time stop)."""

    sessions: int | None = None
    offset: str | None = None

    def label(self) -> str:
        return f"{self.sessions}s" if self.sessions else (self.offset or "none")


@dataclass(frozen=True)
class ZoneRule:
    """Relative zone: prior ``lookback``-session high (short) / low (long) +- ``width`` x ATR."""

    lookback: int = DEFAULT_ZONE_LOOKBACK
    width: float = DEFAULT_ZONE_WIDTH
    atr_length: int = ATR_LENGTH


@dataclass(frozen=True)
class ExitRule:
    stop: Level
    targets: tuple[Level, ...]
    sizes: tuple[float, ...]
    hold: Hold = field(default_factory=Hold)
    breakeven: bool = False

    def label(self) -> str:
        tg = "+".join(t.label() for t in self.targets)
        return f"stop {self.stop.label()} target {tg} hold {self.hold.label()}"


@dataclass(frozen=True)
class Cell:
    zone: ZoneRule
    exit: ExitRule
    values: dict = field(default_factory=dict, compare=False, hash=False)  # grid key -> text

    def params(self) -> dict:
        return {"stop": self.exit.stop.label(), "target": [t.label() for t in self.exit.targets],
                "hold": self.exit.hold.label(), "zone_lookback": self.zone.lookback,
                "zone_width": self.zone.width}


def parse_level(text, what: str = "stop", allow_price: bool = False) -> Level:
    """Parse a level text (module docstring). ``what`` is "stop" or "target"."""
    if isinstance(text, Level):
        return text
    s = str(text).strip()
    m = _PCT.match(s)
    if m:
        v = float(m.group(1)) / 100.0
        if not 0 < v < (1.0 if what == "stop" else 10.0):
            raise GridError(f"{what} {s!r}: a percent must be above 0" + (" and below 100%" if what == "stop" else ""))
        return Level("pct", v)
    m = _ATR.match(s)
    if m:
        v = float(m.group(1))
        if v <= 0:
            raise GridError(f"{what} {s!r}: ATR multiple must be above 0")
        return Level("atr", v)
    m = _R.match(s)
    if m:
        if what != "target":
            raise GridError(f"{what} {s!r}: R multiples are for targets only (R is the stop distance)")
        v = float(m.group(1))
        if v <= 0:
            raise GridError(f"{what} {s!r}: R multiple must be above 0")
        return Level("r", v)
    m = _PRICE.match(s)
    if m:
        if allow_price and float(m.group(1)) > 0:
            return Level("price", float(m.group(1)))
        raise GridError(f"{what} {s!r} has no unit: write it as a percent ('5%'), ATR multiple ('2atr')"
                        + (" or R multiple ('2R')" if what == "target" else ""))
    raise GridError(f"{what} {s!r} is not a level: use '5%', '2atr'" + (" or '2R'" if what == "target" else ""))


def parse_hold(text) -> Hold:
    if isinstance(text, Hold):
        return text
    if text is None:
        return Hold()
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    s = str(text).strip().lower()
    if s in ("none", "0", "off"):
        return Hold()
    m = _HOLD_SESSIONS.match(s)
    if m and int(m.group(1)) >= 1:
        return Hold(sessions=int(m.group(1)))
    m = _HOLD_CAL.match(s)
    if m and int(m.group(1)) >= 1:
        return Hold(offset=f"{int(m.group(1))}{m.group(2)}")
    raise GridError(f"hold {text!r} is not a time stop: use sessions ('20' or '20s'), calendar time "
                    f"('6mo', '8w', '120d', '1y') or 'none'")


def _parse_positive(key: str, text: str, kind):
    try:
        v = kind(text)
    except ValueError:
        raise GridSyntaxError(f"{key}: {text!r} is not a{' whole' if kind is int else ''} number") from None
    if not (v > 0 and math.isfinite(v)):
        raise GridSyntaxError(f"{key}: {text!r} must be above 0")
    return v


def parse_grid(items) -> dict[str, list]:
    """``["stop=5%,8%", "target=10%,20% zone_width=0.5,1.0"]`` -> {key: [parsed values]} in
    the order given. Errors (GridError) name the key or value at fault."""
    if items is None:
        return {}
    if isinstance(items, str):
        items = [items]
    if isinstance(items, dict):
        items = [f"{k}={','.join(map(str, v)) if isinstance(v, (list, tuple)) else v}" for k, v in items.items()]
    out: dict[str, list] = {}
    for item in items:
        for part in str(item).split():
            if "=" not in part:
                raise GridSyntaxError(f"{part!r}: write key=value1,value2 (keys: {', '.join(GRID_KEYS)})")
            key, _, values = part.partition("=")
            key = key.strip().lower().replace("-", "_")
            if key not in GRID_KEYS:
                raise GridSyntaxError(f": unknown key {key!r} (keys: {', '.join(GRID_KEYS)})")
            if key in out:
                raise GridSyntaxError(f": key {key!r} is given twice")
            texts = [v.strip() for v in values.split(",")]
            if not values.strip() or any(not t for t in texts):
                raise GridSyntaxError(f"{key}: empty value in {values!r}")
            if len(set(texts)) != len(texts):
                raise GridSyntaxError(f"{key}: a value is repeated in {values!r}")
            parsed: list[Level] | list[float] | list[int] | list[Hold]
            if key in ("stop", "target"):
                parsed = [parse_level(t, key) for t in texts]
            elif key == "zone_width":
                parsed = [_parse_positive(key, t, float) for t in texts]
            elif key == "zone_lookback":
                parsed = [_parse_positive(key, t, int) for t in texts]
            else:
                parsed = [parse_hold(t) for t in texts]
            out[key] = parsed
    cells = math.prod(len(v) for v in out.values()) if out else 1
    if cells > MAX_CELLS:
        raise GridSyntaxError(f"has {cells} cells; the limit is {MAX_CELLS}")
    return out


def grid_cells(base: Cell, grid: dict[str, list]) -> list[Cell]:
    """The cartesian product of the grid axes applied to ``base`` (one cell when empty)."""
    if not grid:
        return [base]
    keys = list(grid)
    cells = []
    for combo in itertools.product(*(grid[k] for k in keys)):
        zone, ex = base.zone, base.exit
        values = {}
        for key, v in zip(keys, combo):
            if key == "stop":
                ex = replace(ex, stop=v)
                values[key] = v.label()
            elif key == "target":
                ex = replace(ex, targets=(v,), sizes=(1.0,))
                values[key] = v.label()
            elif key == "zone_width":
                zone = replace(zone, width=float(v))
                values[key] = f"{v:g}"
            elif key == "zone_lookback":
                zone = replace(zone, lookback=int(v))
                values[key] = str(int(v))
            else:
                ex = replace(ex, hold=v)
                values[key] = v.label()
        cells.append(Cell(zone, ex, values))
    return cells
