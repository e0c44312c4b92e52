"""The state of an idea on a date: where price stands against its levels, which
triggers fired lately, whether its confirmations hold, and its arithmetic."""
from __future__ import annotations

import pandas as pd

from thesis.replay.run import _iso, _num, replay, state_on, trade_document
from thesis.risk import break_even_win_rate, check_claims, expectancy, reward_risk, size_shares
from thesis.spec import Idea

EVALUATE_SCHEMA = "thesis.evaluate/1"


def _distance(close: float, level: float, entry: float, stop: float) -> dict:
    risk = abs(entry - stop)
    return {"level": level, "distance": round(level - close, 4), "pct": round((level - close) / close * 100, 3),
            "r_from_entry": round((level - entry) / risk, 4) if risk else None}


def evaluate(idea: Idea, asof=None, source: str | None = None, lookback: int = 10, account: float | None = None,
             risk_fraction: float = 0.01) -> dict:
    """Everything known about ``idea`` at the close of ``asof`` (default: the last bar)."""
    if not isinstance(idea, Idea):
        from thesis.spec import load

        idea = load(idea)
    res = replay(idea, source=source, asof=asof, with_confirmations=False, with_options=False)
    bars = res.bars
    session = bars.index[-1]
    close = float(bars["close"].iloc[-1])
    lv = idea.levels
    entry = idea.entry_price
    plan = reward_risk(idea.direction, entry, lv.stop, lv.targets, lv.sizes)
    claims = check_claims(idea.direction, entry, lv.stop, lv.targets, lv.sizes, idea.claims.given())
    lo, hi = lv.entry_zone
    in_zone = lo <= close <= hi
    recent_start = bars.index[max(0, len(bars) - lookback)]
    ev = res.triggers
    recent = ev[pd.to_datetime(ev["date"]) >= recent_start] if len(ev) else ev
    confirmations = []
    if idea.confirmations:
        from thesis.market.confirmations import evaluate_confirmations
        from thesis.market.context import MarketContext

        confirmations = evaluate_confirmations(idea.confirmations, [session], MarketContext(source=source))
    sizing = None
    if account:
        sizing = {"shares": size_shares(account, risk_fraction, entry, lv.stop).to_dict()}
        if idea.options is not None:
            # Contracts of the idea's option, priced on the as-of session (a model price).
            from thesis.options.spec import reprice_path
            from thesis.risk import size_options

            path = reprice_path(idea.options, bars, session, session, source=source)
            premium = float(path["option_price"].iloc[0])
            sizing["contracts"] = {**size_options(account, risk_fraction, premium).to_dict(),
                                   "option": {k: path.attrs[k] for k in ("type", "strike", "expiry", "price_kind")},
                                   "premium": premium}
    doc = {
        "schema": EVALUATE_SCHEMA,
        "idea": {"title": idea.idea.title, "symbol": idea.symbol, "direction": idea.direction,
                 "published": idea.idea.published.isoformat()},
        "asof": _iso(session),
        "data": {"source": bars.attrs.get("source"), "adjustment": bars.attrs.get("adjustment")},
        "price": {"close": close, "open": _num(bars["open"].iloc[-1]), "high": float(bars["high"].iloc[-1]),
                  "low": float(bars["low"].iloc[-1])},
        "levels": {
            "zone": {"low": lo, "high": hi, "in_zone": in_zone, "to_low": _distance(close, lo, entry, lv.stop),
                     "to_high": _distance(close, hi, entry, lv.stop)},
            "entry": _distance(close, entry, entry, lv.stop),
            "stop": _distance(close, lv.stop, entry, lv.stop),
            "targets": [_distance(close, t, entry, lv.stop) for t in lv.targets],
        },
        "state": state_on(res.primary, bars, session),
        "trades": [trade_document(v, t) for v, t in res.trades],
        "triggers_recent": [{"kind": r.kind, "date": _iso(r.date), "timeframe": r.timeframe, "price": _num(r.price),
                             "detail": r.detail} for r in recent.itertuples()],
        "lookback_sessions": lookback,
        "confirmations": confirmations,
        "arithmetic": {
            "risk_reward": {"planned": plan.blended, "per_target": list(plan.ratios),
                            "claimed": idea.claims.risk_reward,
                            "claim_consistent": next((c.consistent for c in claims if c.key == "risk_reward"), None)},
            "risk_per_share": plan.risk,
            "break_even_win_rate": break_even_win_rate(plan.blended),
            "expectancy_r": {f"{p:.2f}": expectancy(p, plan.blended) for p in (0.25, 0.35, 0.5)},
            "claims": [c.to_dict() for c in claims],
            "sizing": sizing,
        },
    }
    return doc
