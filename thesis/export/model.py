"""One intermediate description of an idea for export: levels, dates and trigger rules.

Every renderer (Pine today) reads this and nothing else, so the levels a script draws and the
rules it alerts on are the ones thesis checks: the prices come from the idea file as written
(as-traded levels are chart prices) and each trigger keeps its kind, timeframe, side and the
parameters of its rule (thesis.signals.spec.Trigger, README "Triggers").
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

@dataclass(frozen=True)
class TriggerRule:
    """One ``[[triggers]]`` entry: the kernel's rule with every parameter resolved."""

    number: int                     # 1-based position in the idea file
    kind: str
    timeframe: str                  # "1d", "1w", "1mo"
    short: bool                     # the side: the bearish rule (True) or its mirror
    zone: tuple[float, float] | None
    params: dict = field(default_factory=dict)
    label: str | None = None

    @property
    def name(self) -> str:
        return f"trigger {self.number}: {self.kind} ({self.timeframe}, {'short' if self.short else 'long'})"


@dataclass(frozen=True)
class IdeaLevels:
    """Everything a chart script needs to draw and alert on one idea."""

    idea_id: str
    title: str
    author: str | None
    symbol: str
    short: bool
    published: date
    horizon_end: date | None        # one horizon from publication (the entry window), None without one
    zone: tuple[float, float]
    entry: float
    order: str                      # "limit" or "signal"
    stop: float
    targets: tuple[float, ...]
    breakeven_after_first_target: bool
    triggers: tuple[TriggerRule, ...]
    not_exported: tuple[tuple[str, str], ...]   # (trigger name, why)
    thesis_version: str
    file_name: str | None
    content_hash: str | None        # sha256 of the idea file's bytes (first 16 hex digits)


#: Parameters of each kind's rule, with the defaults Trigger gives them.
RULE_PARAMS = {
    "outside_bar": (),
    "zone_rejection": (),
    "outside_bar_rejection": (),
    "failed_breakout": ("within",),
    "lower_high_breakdown": ("swing_bars", "tolerance", "max_wait"),
    "squeeze_release": ("length", "bb_mult", "kc_mult"),
    "long_wick": ("min_wick", "min_wick_body"),
    "low_of_week": ("mode", "weekdays"),
}


def content_hash(path: str | Path) -> str:
    """The idea file's revision: sha256 of its bytes, first 16 hex digits."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def describe(idea, path: str | Path | None = None, unsupported: dict[str, str] | None = None) -> IdeaLevels:
    """The export description of a loaded ``Idea``. ``unsupported``: trigger kinds the renderer
    cannot write, each with the reason (they go to ``not_exported``)."""
    from thesis import __version__

    path = path or idea.path
    short = idea.direction == "short"
    rules, skipped = [], []
    for n, trig in enumerate(idea.triggers, start=1):
        rule = TriggerRule(n, trig.kind, trig.timeframe, trig.resolved_side(idea.direction) == "short",
                           trig.bounds(), {p: getattr(trig, p) for p in RULE_PARAMS[trig.kind]}, trig.label)
        if unsupported and trig.kind in unsupported:
            skipped.append((rule.name, unsupported[trig.kind]))
        else:
            rules.append(rule)
    lv = idea.levels
    end = idea.horizon_date(idea.idea.published)
    return IdeaLevels(
        idea_id=Path(path).stem if path else _slug(idea.idea.title), title=idea.idea.title, author=idea.idea.author,
        symbol=idea.symbol, short=short, published=idea.idea.published,
        horizon_end=end.date() if end is not None else None, zone=(float(lv.entry_zone[0]), float(lv.entry_zone[1])),
        entry=float(idea.entry_price), order=idea.entry.order, stop=float(lv.stop),
        targets=tuple(float(t) for t in lv.targets), breakeven_after_first_target=bool(lv.move_stop_to_breakeven),
        triggers=tuple(rules), not_exported=tuple(skipped), thesis_version=__version__,
        file_name=Path(path).name if path else None,
        content_hash=content_hash(path) if path and Path(path).is_file() else None)


def _slug(text: str) -> str:
    out = "".join(c.lower() if c.isalnum() else "-" for c in text)
    return "-".join(p for p in out.split("-") if p) or "idea"
