"""Turn an idea into a study plan: which triggers, which cells, which dates.

Relative levels (default) generalise the idea to any symbol and date:
- a trigger that names a zone (or level) uses the relative zone of each symbol
  (thesis.study.nb.relative_zone_nb) instead of the idea's prices;
- the stop is the idea's stop distance in percent of the entry (188 -> 212: +12.77 %),
  each target the idea's reward in R (188 -> 130 with risk 24: 2.42 R), the time stop
  the idea's horizon, all measured from each occurrence's own entry fill.
Fixed levels (``levels="fixed"``, the idea's own symbol only) keep the idea's zone,
stop and target prices; occurrences whose entry is not between target and stop are
skipped (the plan makes no sense at that price).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from thesis.errors import BadInput, ParameterError
from thesis.signals.spec import NEEDS_ZONE, PARAMS
from thesis.study.spec import (ATR_LENGTH, DEFAULT_ZONE_LOOKBACK, DEFAULT_ZONE_WIDTH, Cell, ExitRule, GridSyntaxError,
                               Hold, Level, ZoneRule, grid_cells, parse_grid, parse_hold, parse_level)

LEVEL_MODES = ("relative", "fixed")
_TRIGGER_FIELDS = ("within", "swing_bars", "tolerance", "max_wait", "length", "bb_mult", "kc_mult", "min_wick",
                   "min_wick_body", "mode", "weekdays")


@dataclass(frozen=True)
class TriggerPlan:
    """One trigger as the engine runs it. zone_mode: "none" (the kind's rule anywhere),
    "fixed" (the idea's bounds) or "relative" (per-symbol zone of each ZoneRule)."""

    name: str
    kind: str
    timeframe: str
    side: str
    params: dict
    zone_mode: str
    bounds: tuple[float, float] | None = None


@dataclass
class StudyPlan:
    """Everything a worker needs (plain data, picklable)."""

    sign: int
    levels: str
    triggers: list[TriggerPlan]
    zones: list[ZoneRule]
    exits: list[ExitRule]
    cells: list[tuple[int, int]]            # (zone index, exit index) per cell
    start: np.datetime64 | None
    end: np.datetime64 | None
    base_rate: int = 1
    seed: int = 0
    slippage_bps: float = 0.0
    commission: float = 0.0
    warmup: int = 0
    cell_specs: list[Cell] = field(default_factory=list)


# Limits of the cost and base-rate flags (beyond them a result means nothing, or memory runs out).
MAX_BASE_RATE = 1000
MAX_SLIPPAGE_BPS = 5000.0      # 50 % of the price on each fill
MAX_COMMISSION = 1000.0        # per share, each fill
MAX_ZONE_WIDTH = 100.0         # ATRs: a wider zone is everywhere


def trigger_plans(idea, levels: str, which=None) -> list[TriggerPlan]:
    """The idea's triggers (all, or those picked by 1-based index or kind in ``which``)."""
    if not idea.triggers:
        raise BadInput(f"idea {idea.path or idea.idea.title!r} has no [[triggers]]: there is no setup to study")
    chosen = list(enumerate(idea.triggers, start=1))
    if which:
        picked = []
        for w in which:
            s = str(w).strip()
            hits = [(i, t) for i, t in chosen if s == str(i) or s == t.kind or s == (t.label or "")]
            if not hits:
                kinds = ", ".join(f"{i}:{t.kind}" for i, t in chosen)
                raise BadInput(f"trigger {s!r} is not in the idea (its triggers: {kinds})")
            picked += [h for h in hits if h not in picked]
        chosen = picked
    out = []
    for i, t in chosen:
        params = {k: getattr(t, k) for k in _TRIGGER_FIELDS if k in PARAMS[t.kind]}
        bounds = t.bounds()
        if levels == "fixed":
            mode = "fixed" if bounds is not None else "none"
        else:
            mode = "relative" if (bounds is not None or t.kind in NEEDS_ZONE) else "none"
        name = f"{i}:{t.kind}" + (f"/{t.timeframe}" if t.timeframe != "1d" else "")
        out.append(TriggerPlan(name, t.kind, t.timeframe, t.resolved_side(idea.direction), params, mode, bounds))
    return out


def _idea_hold(idea) -> Hold:
    if not idea.idea.horizon:
        return Hold()
    h = idea.horizon()
    if h is not None and h[0] == "date":
        # An end date ("into year end"): a study enters on many dates, so it keeps the span the
        # author gave, from publication to that date, as a calendar time stop.
        return Hold(offset=f"{idea.horizon_days(idea.idea.published)}d")
    return parse_hold(str(idea.idea.horizon).replace(" ", ""))


def base_cell(idea, levels: str = "relative", stop=None, target=None, hold=None, zone_width=None,
              zone_lookback=None) -> Cell:
    """The study's default cell: the idea's own levels, made relative (or kept fixed)."""
    if levels not in LEVEL_MODES:
        raise BadInput(f"levels must be 'relative' or 'fixed', got {levels!r}")
    lv = idea.levels
    entry = idea.entry_price
    sizes = tuple(lv.sizes) if lv.sizes else tuple(1.0 / len(lv.targets) for _ in lv.targets)
    hold_rule = _idea_hold(idea) if hold is None else parse_hold(hold)
    if levels == "fixed":
        if stop is not None or target is not None or zone_width is not None or zone_lookback is not None:
            raise ParameterError("levels", "fixed uses the idea's own zone, stop and targets; stop, target and "
                                 "zone settings need {name} relative")
        ex = ExitRule(Level("price", lv.stop), tuple(Level("price", t) for t in lv.targets), sizes, hold_rule,
                      lv.move_stop_to_breakeven)
        return Cell(ZoneRule(), ex)
    risk = abs(lv.stop - entry)
    stop_rule = Level("pct", risk / entry) if stop is None else parse_level(stop, "stop")
    if target is None:
        targets = tuple(Level("r", abs(t - entry) / risk) for t in lv.targets)
    else:
        texts = target if isinstance(target, (list, tuple)) else [target]
        targets = tuple(parse_level(t, "target") for t in texts)
        sizes = tuple(1.0 / len(targets) for _ in targets)
    zone = ZoneRule(DEFAULT_ZONE_LOOKBACK if zone_lookback is None else int(zone_lookback),
                    DEFAULT_ZONE_WIDTH if zone_width is None else float(zone_width), ATR_LENGTH)
    if zone.lookback < 1 or not 0 <= zone.width <= MAX_ZONE_WIDTH:
        raise BadInput(f"zone lookback must be >= 1 and width from 0 to {MAX_ZONE_WIDTH:g} ATR, "
                       f"got {zone.lookback}, {zone.width}")
    return Cell(zone, ExitRule(stop_rule, targets, sizes, hold_rule, lv.move_stop_to_breakeven))


def option_date(name, value):
    """A date parameter (``start``, ``end``, ``split``) through the one date parser."""
    from thesis.data.dates import parse_date

    ts = parse_date(value, name)
    return None if ts is None else np.datetime64(ts, "ns")


def make_plan(idea, levels="relative", grid=None, start=None, end=None, base_rate=1, seed=0, slippage_bps=0.0,
              commission=0.0, triggers=None, stop=None, target=None, hold=None, zone_width=None,
              zone_lookback=None) -> StudyPlan:
    """Validate every study setting and list the cells (grid product of the base cell)."""
    base = base_cell(idea, levels, stop, target, hold, zone_width, zone_lookback)
    axes = parse_grid(grid)
    if levels == "fixed" and set(axes) - {"hold"}:
        raise GridSyntaxError(f"{', '.join(sorted(set(axes) - {'hold'}))} needs relative levels "
                        "(fixed levels keep the idea's prices; only hold can vary)")
    cells = grid_cells(base, axes)
    zones = list(dict.fromkeys(c.zone for c in cells))
    exits = list(dict.fromkeys(c.exit for c in cells))
    index = [(zones.index(c.zone), exits.index(c.exit)) for c in cells]
    from thesis.data.dates import check_range

    start_ts, end_ts = (None if d is None else np.datetime64(d, "ns") for d in check_range(start, end))
    if isinstance(base_rate, bool) or not isinstance(base_rate, (int, np.integer)) or not 0 <= base_rate <= MAX_BASE_RATE:
        raise ParameterError("base_rate", f"must be a whole number from 0 to {MAX_BASE_RATE} (random entries per "
                                          f"occurrence), got {base_rate!r}")
    for name, v, top in (("slippage_bps", slippage_bps, MAX_SLIPPAGE_BPS), ("commission", commission, MAX_COMMISSION)):
        if not (isinstance(v, (int, float)) and 0 <= v <= top):
            raise ParameterError(name, f"must be a number from 0 to {top:g}, got {v!r}")
    plans = trigger_plans(idea, levels, triggers)
    warmup = max([z.lookback for z in zones] + [ATR_LENGTH]) + 1
    return StudyPlan(sign=1 if idea.direction == "long" else -1, levels=levels, triggers=plans, zones=zones,
                     exits=exits, cells=index, start=start_ts, end=end_ts, base_rate=int(base_rate), seed=int(seed),
                     slippage_bps=float(slippage_bps), commission=float(commission), warmup=warmup, cell_specs=cells)
