"""Grade one idea from its replay: filled or not, outcome, R, excursions, claims, horizon.

Everything comes from ``thesis.replay.replay`` (the same fills as ``thesis replay``); the
setup's earlier record comes from the study engine (``thesis.study``).
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from thesis.errors import ThesisError
from thesis.jsonable import iso_date, number


@dataclass
class IdeaGrade:
    file: str
    id: str
    author: str
    symbol: str
    direction: str
    published: str
    entry_order: str
    filled: bool
    outcome: str                    # "target 2/2", "stop", "stop after target 1/2", "time", "open", "expired", ...
    r: float | None = None          # realised R (marked at the last close when open)
    mfe_r: float | None = None
    mae_r: float | None = None
    entry_date: str | None = None
    entry_price: float | None = None
    exit_date: str | None = None
    exit_price: float | None = None        # the last exit's traded price
    exit_average_price: float | None = None  # scale-outs: size-weighted over the legs (not a traded price)
    return_pct: float | None = None  # P&L in percent of the entry price
    days_to_outcome: int | None = None
    horizon_stated_days: int | None = None
    claims: list[dict] = field(default_factory=list)
    setup: dict | None = None       # the trigger's record on this symbol before publication
    money: dict | None = None       # with an account: units, P&L per unit and per position in its currency
    error: str | None = None
    # inputs of the random-entry test (not part of the JSON document)
    skill: dict | None = field(default=None, repr=False)

    @property
    def closed(self) -> bool:
        return self.filled and not self.outcome.startswith("open")

    def to_dict(self) -> dict:
        out = asdict(self)
        out.pop("skill")
        return out






def outcome_of(snapshot, signal_entry: bool, n_targets: int) -> str:
    """The plain-word outcome of an idea, from its lifecycle's last snapshot (thesis.replay.lifecycle):
    "target 2/2", "stop after target 1/2", "time", "open", "open after target 1/2", "expired" (a limit
    that never filled; "no trigger" for a signal entry), "invalidated", "waiting"."""
    state = snapshot.state
    if state == "closed":
        return snapshot.reason.replace(" of ", "/")
    if state == "in trade":
        hits = n_targets - len(snapshot.targets_left)
        return f"open after target {hits}/{n_targets}" if hits else "open"
    if state == "expired":
        return "no trigger" if signal_entry else "expired"
    if state == "invalidated":
        return "invalidated"
    return "waiting"


def _horizon_days(idea, start: pd.Timestamp, bars: pd.DataFrame) -> tuple[int | None, int | None]:
    """(calendar days, sessions) of the stated horizon counted from ``start``."""
    sessions = idea.horizon_sessions()
    if sessions:
        idx = bars.index[bars.index >= start]
        if len(idx) >= sessions:
            return int((idx[sessions - 1] - start).days), sessions
        # beyond the data: five sessions a week
        return int(round(sessions * 7 / 5)), sessions
    end = idea.horizon_end(start)
    if end is None:
        return None, None
    return int((end - start).days), int(((bars.index >= start) & (bars.index <= end)).sum()) or None


def setup_record(idea, source: str | None) -> dict | None:
    """How the idea's first trigger did on its own symbol before publication (study engine)."""
    if not idea.triggers:
        return None
    from thesis.study import study

    end = (pd.Timestamp(idea.idea.published) - pd.Timedelta(days=1)).date().isoformat()
    try:
        res = study(idea, end=end, base_rate=0, n_boot=200, source=source, workers=1)
    except ThesisError as exc:
        return {"error": str(exc)}
    doc = res.summary
    return {"trigger": idea.triggers[0].kind, "until": end, "signals": int(doc["signals"]),
            "hit_rate": number(doc.get("hit_rate")), "mean_r": number(doc.get("mean_r")),
            "win_rate": number(doc.get("win_rate"))}


def grade_idea(idea, *, source: str | None = None, asof=None, bars_of=None,
               with_setup: bool = True, account=None) -> IdeaGrade:
    """Replay ``idea`` and grade it. Data problems become a graded 'error' row, not an exception.
    ``account`` (thesis.risk.units.Account): the filled trade's P&L in its currency (``money``)."""
    from thesis.replay import replay
    from thesis.risk import check_claims

    base = dict(file=str(idea.path or ""), id=_idea_id(idea), author=idea.idea.author or "(unknown)",
                symbol=idea.symbol, direction=idea.direction, published=str(idea.idea.published),
                entry_order=idea.entry.order)
    try:
        bars = None if bars_of is None else bars_of(idea.symbol, idea.idea.adjustment)
        res = replay(idea, source=source, with_confirmations=False, with_options=False, asof=asof, bars=bars)
    except ThesisError as exc:
        return IdeaGrade(**base, filled=False, outcome="error", error=str(exc))
    trade = res.primary
    bars = res.bars
    start = bars.index[bars.index >= pd.Timestamp(idea.idea.published)][0]
    stated_days, stated_sessions = _horizon_days(idea, start, bars)
    snapshot = res.lifecycle.at(bars.index[-1]).snapshot
    grade = IdeaGrade(**base, filled=trade.filled, outcome=outcome_of(snapshot, idea.entry.order == "signal",
                                                                          len(idea.levels.targets)),
                      horizon_stated_days=stated_days)
    lv = idea.levels
    claims = idea.claims.given()
    if claims:
        checks = check_claims(idea.direction, idea.entry_price, lv.stop, list(lv.targets), lv.sizes, claims)
        grade.claims = [{"key": c.key, "claimed": number(c.claimed), "computed": number(c.computed),
                         "held": bool(c.consistent)} for c in checks]
    if trade.filled:
        risk = abs(trade.entry_price - lv.stop)
        grade.r = number(snapshot.position_r)     # the lifecycle's R: the trade's once closed, marked while open
        grade.mfe_r = number(trade.mfe / risk) if risk else None
        grade.mae_r = number(-trade.mae / risk) if risk else None
        grade.entry_date, grade.entry_price = iso_date(trade.entry_date), number(trade.entry_price)
        # One leg: its own price. A scale-out: the last leg's traded price, and the size-weighted
        # average of all legs labelled as an average (it never traded).
        last = trade.legs[-1] if trade.legs else None
        grade.exit_date = iso_date(trade.exit_date)
        grade.exit_price = number(last.price if last is not None and len(trade.legs) > 1 else trade.exit_price)
        if len(trade.legs) > 1:
            grade.exit_average_price = number(trade.exit_price)
        grade.return_pct = number(100.0 * trade.pnl / trade.entry_price)
        if trade.exit_date is not None and trade.reason != "open":
            grade.days_to_outcome = int((trade.exit_date - trade.entry_date).days)
        if account is not None:
            grade.money = _money(idea, trade, account, bars, source)
    grade.skill = _skill_inputs(idea, trade, bars, start, stated_sessions)
    if with_setup:
        grade.setup = setup_record(idea, source)
    return grade


def _money(idea, trade, account, bars: pd.DataFrame, source: str | None) -> dict:
    """The trade's P&L in the account currency; a missing FX series is said, not raised."""
    from thesis.replay.run import trade_money_of

    try:
        m = trade_money_of(idea, trade, account, bars, source) or {}
    except ThesisError as exc:
        return {"currency": account.currency, "error": str(exc)}
    return {k: m[k] for k in ("currency", "units", "unit", "max_loss", "pnl_per_unit", "pnl_position")}


def _idea_id(idea) -> str:
    from pathlib import Path

    return Path(idea.path).stem if idea.path else f"{idea.symbol}-{idea.idea.published}"


def _skill_inputs(idea, trade, bars: pd.DataFrame, start: pd.Timestamp, sessions: int | None) -> dict | None:
    """Levels as fractions of the anchor (the last close before the order could first fill)."""
    index = bars.index
    if idea.entry.order == "signal":
        if not trade.filled:
            return None      # no entry to time against: left out of the skill test
        first = int(index.get_loc(trade.entry_date))
        kind = "next_open"
    else:
        first = int(index.get_loc(start))
        kind = "limit"
    if first < 1:
        return None
    anchor = float(bars["close"].iloc[first - 1])
    lv = idea.levels
    rel = lambda p: float(p) / anchor - 1.0  # noqa: E731
    return {"symbol": idea.symbol, "adjustment": idea.idea.adjustment, "kind": kind,
            "entry": rel(idea.entry_price) if kind == "limit" else math.nan, "stop": rel(lv.stop),
            "targets": [rel(t) for t in lv.targets], "sizes": list(lv.sizes or [1.0 / len(lv.targets)] * len(lv.targets)),
            "breakeven": bool(lv.move_stop_to_breakeven), "sessions": sessions,
            "horizon": _horizon_form(idea, bars.index[first]), "direction": 1 if idea.direction == "long" else -1}


def _horizon_form(idea, start: pd.Timestamp):
    """("s", n) or (calendar unit, n) as the random draws count it; an end-date horizon becomes
    its length in days from the start; None when the idea has no time stop."""
    h = idea.horizon()
    if h is None:
        return None
    if h[0] == "date":
        return ("d", max(int((pd.Timestamp(h[1]) - start).days), 1))
    return (h[0], int(h[1]))
