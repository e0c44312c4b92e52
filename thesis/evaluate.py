"""The state of an idea on a date: where price stands against its levels, which
triggers fired lately, whether its confirmations hold, and its arithmetic."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from thesis.data.user_bars import with_user_bars
from thesis.errors import ParameterError, ThesisError
from thesis.data import flagged_dates
from thesis.jsonable import iso_date, number, to_jsonable
from thesis.replay.document import (
    EVALUATE_SCHEMA,
    Arithmetic,
    Claim,
    Distance,
    EntryLevel,
    EvaluateData,
    EvaluateDocument,
    EvaluateRiskReward,
    EvaluateState,
    EventDoc,
    IdeaHeader,
    Levels,
    PriceBar,
    Sizing,
    StopLevel,
    TargetLevel,
    TriggerRow,
    Zone,
)
from thesis.replay.run import confirmation_rows, data_warnings, note_rows, replay, rr_from_fill, trade_document
from thesis.risk import break_even_win_rate, check_claims, expectancy, reward_risk, size_shares
from thesis.spec import Idea

__all__ = ["EVALUATE_SCHEMA", "EvaluateDocument", "evaluate", "evaluate_document"]



def _distance(close: float, level: float, entry: float, stop: float, sign: int) -> dict:
    """Distance from the close to ``level``, and the level in R from ``entry`` on the trade's side:
    the stop is -1 R and targets are positive, for shorts and longs alike."""
    risk = abs(entry - stop)
    return {"level": level, "distance": round(level - close, 4), "pct": round((level - close) / close * 100, 3),
            "r_from_entry": round(sign * (level - entry) / risk, 4) + 0.0 if risk else None}


def evaluate(idea: Idea | str | Path, asof=None, source: str | None = None, lookback: int = 10, account: float | None = None,
             risk_fraction: float = 0.01, replayed=None, bars=None, currency: str = "USD") -> dict:
    """The ``thesis.evaluate/2`` JSON document of ``idea`` at the close of ``asof``, as
    ``thesis evaluate --json`` prints it: :func:`evaluate_document` (the typed document) as a dict."""
    return evaluate_document(idea, asof, source, lookback, account, risk_fraction, replayed, bars, currency).to_dict()


def evaluate_document(idea: Idea | str | Path, asof=None, source: str | None = None, lookback: int = 10,
                      account: float | None = None, risk_fraction: float = 0.01, replayed=None, bars=None,
                      currency: str = "USD") -> EvaluateDocument:
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
        raise ParameterError("lookback", f"must be a whole number of sessions >= 1, got {lookback!r}")
    if account is not None:
        from thesis.risk.units import check_currency

        check_currency(currency)        # bad input is refused before the replay runs
    published = pd.Timestamp(idea.idea.published)
    asked = None if asof is None else pd.Timestamp(asof).normalize()
    if asked is not None and asked < published:
        raise ParameterError("asof", f"{asked.date()} is before the idea was published ({published.date()}): "
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
    confirmations: list[dict] = []
    missing: list[str] = []
    if idea.confirmations:
        from thesis.replay.run import confirmations_on

        confirmations, missing = confirmations_on(idea.confirmations, [session], source, idea.instrument)
    sizing = None
    if account is not None:
        basis = entry if not filled or sign * (entry - lv.stop) > 0 else planned
        from thesis.risk.units import size_idea   # units, contracts or coins; risk in the account currency

        sizing = Sizing(position=to_jsonable(size_idea(idea.instrument, account, risk_fraction, basis, lv.stop,
                                                       currency, session, source)), entry=basis)
        if idea.instrument.is_us_equity:
            sizing.shares = to_jsonable(size_shares(account, risk_fraction, basis, lv.stop).to_dict())
        if idea.options is not None:
            sizing.contracts = to_jsonable(_size_contracts(idea, bars, session, source, account, risk_fraction))
        if filled:      # the position's P&L at the as-of close, in the account currency, as replay's
            from thesis.replay.run import trade_money_of
            from thesis.risk.units import Account

            sizing.money = trade_money_of(idea, res.primary, Account(account, risk_fraction, currency), bars, source)
    rr_now = actual.blended if actual else plan.blended

    def away(level: float) -> dict:
        return _distance(close, level, entry, lv.stop, sign)

    positive_rr = rr_now if rr_now > 0 else None
    return EvaluateDocument(
        idea=IdeaHeader(title=idea.idea.title, symbol=idea.symbol, direction=idea.direction,
                        published=idea.idea.published.isoformat()),
        asof=iso_date(session), asof_requested=iso_date(asked), notices=notices,
        data=EvaluateData(source=bars.attrs.get("source"), adjustment=bars.attrs.get("adjustment"),
                          last=iso_date(bars.index[-1]), warnings=data_warnings(bars), missing=missing),
        price=PriceBar(close=close, open=number(bars["open"].iloc[-1], digits=None),
                       high=float(bars["high"].iloc[-1]), low=float(bars["low"].iloc[-1])),
        levels=Levels(
            measured_from="fill" if filled else "planned entry",
            zone=Zone(low=lo, high=hi, in_zone=in_zone, to_low=Distance(**away(lo)), to_high=Distance(**away(hi))),
            entry=EntryLevel(**away(entry), kind="fill" if filled else "planned",
                             date=iso_date(snap.entry_session) if filled else None),
            planned_entry=Distance(**away(planned)),
            stop=StopLevel(**away(snap.stop), planned=lv.stop, moved=snap.stop_moved,
                           kind="breakeven" if snap.stop_moved else "planned"),
            targets=[TargetLevel(**away(t), hit=t not in snap.targets_left) for t in lv.targets]),
        notes=note_rows(res.lifecycle, session),     # an as-of view shows only what was written by then
        state=EvaluateState(**EvaluateState.fields_of(snap), price=snap.close, text=state_text(cut, idea),
                            # the whole position per share: exits taken plus the open part at the close
                            position_pnl=None if snap.position_r is None else
                            round(snap.position_r * abs(snap.entry - lv.stop), 4)),
        events=[EventDoc.of(e) for e in cut.events],
        trades=[trade_document(v, t, flagged_dates(bars), idea.instrument.decimals) for v, t in res.trades],
        triggers_recent=[TriggerRow(kind=r.kind, date=iso_date(r.date), timeframe=r.timeframe,
                                    price=number(r.price, digits=None), detail=r.detail) for r in recent.itertuples()],
        lookback_sessions=lookback,
        confirmations=confirmation_rows(confirmations),
        arithmetic=Arithmetic(
            risk_reward=EvaluateRiskReward(
                planned=plan.blended, per_target=list(plan.ratios), planned_entry=planned, from_fill=actual,
                now=rr_now, claimed=idea.claims.risk_reward,
                claim_consistent=next((c.consistent for c in claims if c.key == "risk_reward"), None)),
            risk_per_share=actual.risk_per_share if actual else plan.risk,
            planned_risk_per_share=plan.risk,
            break_even_win_rate=break_even_win_rate(positive_rr) if positive_rr else None,
            expectancy_r={f"{p:.2f}": expectancy(p, positive_rr) for p in (0.25, 0.35, 0.5)} if positive_rr else None,
            claims=[Claim.model_validate(c.to_dict()) for c in claims],
            sizing=sizing))


def _size_contracts(idea: Idea, bars: pd.DataFrame, session, source, account: float, risk_fraction: float) -> dict:
    """Contracts of the idea's option priced on the as-of session (a model price). When the option
    cannot be priced or one contract is over the budget, the document says so instead of a 0."""
    from thesis.options.spec import reprice_path
    from thesis.risk import size_options

    if idea.options is None:
        return {"units": 0, "error": "the idea has no option leg"}
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
