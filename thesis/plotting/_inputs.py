"""Checks and normalises the arguments of `snapshot` (bars and plan items)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from thesis.errors import BadInput

from ._layout import to_timestamp

TIMEFRAME_WORDS = {"1d": "daily", "1w": "weekly", "1mo": "monthly"}


@dataclass
class Plan:
    direction: str
    zone: tuple[float, float] | None
    stop: float | None
    targets: list[float]
    triggers: list[tuple[pd.Timestamp, str, float]]
    entries: list[tuple[pd.Timestamp, float, str]]
    exits: list[tuple[pd.Timestamp, float, str]]
    notes: list[tuple[pd.Timestamp, str]]
    notable: list[pd.Timestamp] = field(default_factory=list)
    stop_name: str = "stop"          # "breakeven stop" once the stop was moved to the fill
    risk_stop: float | None = None   # the planned stop targets' R is measured with (None: ``stop``)


def check_bars(bars) -> pd.DataFrame:
    """Bars must be a non-empty DataFrame indexed by dates with high/low/close; open and
    volume may be missing (taken as NaN / 0). Returns a sorted float copy."""
    if not isinstance(bars, pd.DataFrame) or bars.empty:
        raise BadInput("bars must be a non-empty DataFrame of open/high/low/close/volume")
    missing = [c for c in ("high", "low", "close") if c not in bars.columns]
    if missing:
        raise BadInput(f"bars of {bars.attrs.get('symbol', '?')} lack column(s) {', '.join(missing)}")
    try:
        index = pd.DatetimeIndex(bars.index)
    except (TypeError, ValueError) as exc:
        raise BadInput("bars must be indexed by session date") from exc
    out = pd.DataFrame(index=index.tz_localize(None) if index.tz is not None else index)
    for col in ("open", "high", "low", "close", "volume"):
        out[col] = bars[col].to_numpy(dtype="float64") if col in bars.columns else np.nan
    out["partial"] = bars["partial"].fillna(False).to_numpy(dtype=bool) if "partial" in bars.columns else False
    out.attrs = dict(bars.attrs)
    return out.sort_index()


def _number(value, what: str) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError) as exc:
        raise BadInput(f"{what} must be a number, got {value!r}") from exc
    if not np.isfinite(x):
        raise BadInput(f"{what} must be finite, got {value!r}")
    return x


def check_plan(direction, zone, stop, targets, triggers, entries, exits, notes) -> Plan:
    """Validate plan items; dates become Timestamps, prices floats, the zone is sorted."""
    if direction not in ("short", "long"):
        raise BadInput(f"direction must be 'short' or 'long', got {direction!r}")
    if zone is not None:
        if len(zone) != 2:
            raise BadInput(f"zone must be (low, high), got {zone!r}")
        zone = tuple(sorted((_number(zone[0], "zone low"), _number(zone[1], "zone high"))))
    stop = None if stop is None else _number(stop, "stop")
    targets = [_number(t, f"target {i + 1}") for i, t in enumerate(targets or ())]
    trig = [(to_timestamp(d, f"trigger {i + 1}"), str(k), _number(p, f"trigger {i + 1} price"))
            for i, (d, k, p) in enumerate(_triples(triggers, "triggers"))]
    ent = [(to_timestamp(d, f"entry {i + 1}"), _number(p, f"entry {i + 1} price"), str(lbl))
           for i, (d, p, lbl) in enumerate(_triples(entries, "entries"))]
    ext = [(to_timestamp(d, f"exit {i + 1}"), _number(p, f"exit {i + 1} price"), str(why))
           for i, (d, p, why) in enumerate(_triples(exits, "exits"))]
    nts = []
    for i, item in enumerate(notes or ()):
        if len(item) != 2:
            raise BadInput(f"note {i + 1} must be (date, text), got {item!r}")
        nts.append((to_timestamp(item[0], f"note {i + 1}"), str(item[1])))
    nts.sort(key=lambda n: n[0])
    notable = [t[0] for t in trig] + [e[0] for e in ent] + [e[0] for e in ext] + [n[0] for n in nts]
    return Plan(direction, zone, stop, targets, trig, ent, ext, nts, notable)


def _triples(items, what: str):
    for i, item in enumerate(items or ()):
        if len(item) != 3:
            raise BadInput(f"{what}[{i}] must have 3 fields, got {item!r}")
        yield item


def timeframe_word(bars: pd.DataFrame) -> str:
    """'daily'/'weekly'/'monthly' from attrs['timeframe'], else guessed from bar spacing."""
    tf = bars.attrs.get("timeframe")
    if tf in TIMEFRAME_WORDS:
        return TIMEFRAME_WORDS[tf]
    if len(bars) < 2:
        return "daily"
    days = float(np.median(np.diff(bars.index.values)) / np.timedelta64(1, "D"))
    return "daily" if days < 4 else "weekly" if days < 15 else "monthly"
