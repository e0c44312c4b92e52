"""The state of an idea on a date: where price stands against its levels, which
triggers fired lately, whether its confirmations hold, and its arithmetic."""
from __future__ import annotations

import pandas as pd

from thesis.data.user_bars import with_user_bars
from thesis.errors import BadInput, ThesisError
from thesis.replay.run import _flagged, _iso, _num, data_warnings, note_rows, replay, rr_from_fill, trade_document
from thesis.risk import break_even_win_rate, check_claims, expectancy, reward_risk, size_shares
from thesis.spec import Idea

EVALUATE_SCHEMA = "thesis.evaluate/2"


def _distance(close: float, level: float, entry: float, stop: float, sign: int) -> dict:
    """Distance from the close to ``level``, and the level in R from ``entry`` on the trade's side:
    the stop is -1 R and targets are positive, for shorts and longs alike."""
    risk = abs(entry - stop)
    return {"level": level, "distance": round(level - close, 4), "pct": round((level - close) / close * 100, 3),
            "r_from_entry": round(sign * (level - entry) / risk, 4) + 0.0 if risk else None}


def evaluate(idea: Idea, asof=None, source: str | None = None, lookback: int = 10, account: float | None = None,
             risk_fraction: float = 0.01, replayed=None, bars=None, currency: str = "USD") -> dict:
    """Everything known about ``idea`` at the close of ``asof`` (default: the last bar).

    Once the primary trade has filled, distances in R, reward/risk and sizing are measured from the
    fill; the planned entry and its figures stay in the document as ``planned``. The state, the
    levels in force (a stop moved to breakeven), the position and its R are the lifecycle's cut at
    the as-of session (thesis.replay.lifecycle). ``replayed``: the replay as of ``asof`` when the
    caller already holds it (the dashboard's idea page). ``bars``: a DataFrame or a mapping of symbols
    to frames, as in :func:`thesis.replay`."""
    if not isinstance(idea, Idea):
        from thesis.spec import load

        idea = load(idea)
    bars, source = with_user_bars(idea.symbol, idea.idea.adjustment, bars, source)
    if isinstance(lookback, bool) or not isinstance(lookback, int) or lookback < 1:
        raise BadInput(f"--lookback must be a whole number of sessions >= 1, got {lookback!r}")
    published = pd.Timestamp(idea.idea.published)
    asked = None if asof is None else pd.Timestamp(asof).normalize()
    if asked is not None and asked < published:
        raise BadInput(f"--asof {asked.date()} is before the idea was published ({published.date()}): "
                       f"there is nothing to evaluate yet; give a date on or after {published.date()}")
    res = replayed if replayed is not None else replay(idea, source=source, asof=asof, with_confirmations=False,
                                                       with_options=False, bars=bars)
    bars = res.bars
    from thesis.replay.lifecycle import state_text

    cut = res.lifecycle.at(bars.index[-1])
    snap = cut.snapshot
    session = bars.index[-1]
    close = float(bars["close"].iloc[-1])
    notices = []
    if asked is not None and asked > session:
        notices.append(f"the data ends on {session.date()}: figures are as of that session, not {asked.date()}")
    lv = idea.levels
    sign = -1 if idea.direction == "short" else 1
    planned = idea.entry_price
    filled = snap.filled
    entry = snap.entry
    plan = reward_risk(idea.direction, planned, lv.stop, lv.targets, lv.sizes)
    actual = rr_from_fill(idea.direction, entry, lv.stop, lv.targets, lv.sizes) if filled else None
    claims = check_claims(idea.direction, planned, lv.stop, lv.targets, lv.sizes, idea.claims.given(),
                          decimals=idea.instrument.decimals)
    lo, hi = lv.entry_zone
    in_zone = lo <= close <= hi
    recent_start = bars.index[max(0, len(bars) - lookback)]
    ev = res.triggers
    recent = ev[pd.to_datetime(ev["date"]) >= recent_start] if len(ev) else ev
    confirmations, missing = [], []
    if idea.confirmations:
        from thesis.replay.run import confirmations_on

        confirmations, missing = confirmations_on(idea.confirmations, [session], source, idea.instrument)
    sizing = None
    if account is not None:
        basis = entry if not filled or sign * (entry - lv.stop) > 0 else planned
        from thesis.risk.units import size_idea   # units, contracts or coins; risk in the account currency

        sizing = {"position": size_idea(idea.instrument, account, risk_fraction, basis, lv.stop, currency, session,
                                        source), "entry": basis}
        if idea.instrument.is_us_equity:
            sizing["shares"] = size_shares(account, risk_fraction, basis, lv.stop).to_dict()
        if idea.options is not None:
            sizing["contracts"] = _size_contracts(idea, bars, session, source, account, risk_fraction)
    rr_now = actual["blended"] if actual else plan.blended
    notes = note_rows(res.lifecycle, session)     # an as-of view shows only what was written by then
    stop = {**_distance(close, snap.stop, entry, lv.stop, sign), "planned": lv.stop, "moved": snap.stop_moved,
            "kind": "breakeven" if snap.stop_moved else "planned"}
    doc = {
        "schema": EVALUATE_SCHEMA,
        "idea": {"title": idea.idea.title, "symbol": idea.symbol, "direction": idea.direction,
                 "published": idea.idea.published.isoformat()},
        "asof": _iso(session),
        "asof_requested": _iso(asked),
        "notices": notices,
        "data": {"source": bars.attrs.get("source"), "adjustment": bars.attrs.get("adjustment"),
                 "last": _iso(bars.index[-1]), "warnings": data_warnings(bars), "missing": missing},
        "price": {"close": close, "open": _num(bars["open"].iloc[-1]), "high": float(bars["high"].iloc[-1]),
                  "low": float(bars["low"].iloc[-1])},
        "levels": {
            "measured_from": "fill" if filled else "planned entry",
            "zone": {"low": lo, "high": hi, "in_zone": in_zone, "to_low": _distance(close, lo, entry, lv.stop, sign),
                     "to_high": _distance(close, hi, entry, lv.stop, sign)},
            "entry": {**_distance(close, entry, entry, lv.stop, sign), "kind": "fill" if filled else "planned",
                      "date": _iso(snap.entry_session) if filled else None},
            "planned_entry": _distance(close, planned, entry, lv.stop, sign),
            "stop": stop,
            "targets": [{**_distance(close, t, entry, lv.stop, sign), "hit": t not in snap.targets_left}
                        for t in lv.targets],
        },
        "notes": notes,
        "state": {**snap.to_dict(), "price": snap.close, "text": state_text(cut, idea),
                  # the whole position per share: exits taken plus the open part at the close
                  "position_pnl": None if snap.position_r is None else
                  round(snap.position_r * abs(snap.entry - lv.stop), 4)},
        "events": [e.to_dict() for e in cut.events],
        "trades": [trade_document(v, t, _flagged(bars), idea.instrument.decimals) for v, t in res.trades],
        "triggers_recent": [{"kind": r.kind, "date": _iso(r.date), "timeframe": r.timeframe, "price": _num(r.price),
                             "detail": r.detail} for r in recent.itertuples()],
        "lookback_sessions": lookback,
        "confirmations": confirmations,
        "arithmetic": {
            "risk_reward": {"planned": plan.blended, "per_target": list(plan.ratios), "planned_entry": planned,
                            "from_fill": actual, "now": rr_now,
                            "claimed": idea.claims.risk_reward,
                            "claim_consistent": next((c.consistent for c in claims if c.key == "risk_reward"), None)},
            "risk_per_share": actual["risk_per_share"] if actual else plan.risk,
            "planned_risk_per_share": plan.risk,
            "break_even_win_rate": break_even_win_rate(rr_now) if rr_now > 0 else None,
            "expectancy_r": {f"{p:.2f}": expectancy(p, rr_now) for p in (0.25, 0.35, 0.5)} if rr_now > 0 else None,
            "claims": [c.to_dict() for c in claims],
            "sizing": sizing,
        },
    }
    return doc


def _size_contracts(idea: Idea, bars: pd.DataFrame, session, source, account: float, risk_fraction: float) -> dict:
    """Contracts of the idea's option priced on the as-of session (a model price). When the option
    cannot be priced or one contract is over the budget, the document says so instead of a 0."""
    from thesis.options.spec import reprice_path
    from thesis.risk import size_options

    try:
        path = reprice_path(idea.options, bars, session, session, source=source)
    except ThesisError as exc:
        return {"units": 0, "error": f"the option could not be priced: {exc}"}
    premium = float(path["option_price"].iloc[0])
    option = {k: path.attrs[k] for k in ("type", "strike", "expiry", "price_kind")}
    if not premium > 0.005:
        return {"units": 0, "option": option, "premium": premium,
                "error": f"the model values the {option['type']} {option['strike']:g} at {premium:.2f}: "
                         f"nothing to size"}
    size = size_options(account, risk_fraction, premium).to_dict()
    out = {**size, "option": option, "premium": premium}
    if size["units"] < 1:
        out["error"] = (f"one contract costs {premium * 100:,.2f} (premium {premium:.2f} x 100), above the "
                        f"{size['budget']:,.2f} risk budget: no contract fits")
    return out
