"""Walk an idea forward from its publication date over real bars.

The primary trade follows the idea's ``[entry]`` (a resting limit, or the next
open after a trigger); when the idea has triggers and a limit entry, the
"signal" variant is replayed too: enter at the open of the session after the
first trigger that fires on or after publication.

Horizon (every form: calendar ``6mo``, sessions ``40s``, an end date): the time
stop is measured from the entry session (an end date is that date). A limit that
has not filled within one horizon of the publication date is reported as never
filled (the idea went stale); a signal that fires after it is not taken.

Missing data does not abort a run: a confirmation whose symbol the source lacks
is reported as "no data" (``ReplayResult.missing`` names it) and the rest is done.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from thesis.data import flagged_dates, load_bars
from thesis.data.user_bars import with_user_bars
from thesis.jsonable import iso_date, number, to_jsonable
from thesis.replay.document import (
    REPLAY_SCHEMA,
    Claim,
    ConfirmationRow,
    Excursion,
    FromFill,
    Leg,
    NoteRow,
    OptionsError,
    OptionsLeg,
    OptionsPathRow,
    Pnl,
    ReplayData,
    ReplayDocument,
    ReplayIdea,
    ReplayNote,
    ReplayRiskReward,
    ReplayTrigger,
    ScaledExit,
    TradeDoc,
    TradeEntry,
    TradeExit,
    TradeWithMoney,
)
from thesis.replay.fills import Trade
from thesis.replay.trades import replay_trades
from thesis.risk import check_claims, reward_risk
from thesis.spec import Idea

__all__ = ["REPLAY_SCHEMA", "ReplayResult", "replay", "replay_document"]


@dataclass
class ReplayResult:
    idea: Idea
    bars: pd.DataFrame
    _trades: list[tuple[str, Trade]] | None   # None: run the kernel on these bars when first asked
    triggers: pd.DataFrame
    confirmations: list[dict] = field(default_factory=list)
    options_path: pd.DataFrame | None = None
    options_error: str | None = None
    asof: pd.Timestamp | None = None
    missing: list[str] = field(default_factory=list)   # data a part of the run had to do without
    account: object = None        # thesis.risk.units.Account: each filled trade's P&L in its currency
    source: str | None = None
    _lifecycle: object = field(default=None, repr=False)

    @property
    def trades(self) -> list[tuple[str, Trade]]:
        """The replay's trades (primary first) on these bars. As of a date they are the kernel's run
        on the bars up to it (its MFE/MAE so far, an open trade marked at the close), made only for
        a view that shows them; the lifecycle is the history's cut (thesis.replay.history)."""
        if self._trades is None:
            start = _start_session(self.bars, self.idea.idea.published)
            ev = self.triggers
            self._trades = replay_trades(self.idea, self.bars, start, ev[ev["date"] >= start] if len(ev) else ev)
        return self._trades

    @property
    def primary(self) -> Trade:
        return self.trades[0][1]

    @property
    def lifecycle(self):
        """The idea's lifecycle over these bars (thesis.replay.lifecycle): as of a date, the history's
        cut there (it cannot reach past the last of these bars)."""
        if self._lifecycle is None:
            from thesis.replay.lifecycle import lifecycle

            self._lifecycle = lifecycle(self.idea, self.bars, self.triggers, self.trades)
        return self._lifecycle

    def document(self) -> ReplayDocument:
        """The typed ``thesis.replay/2`` document (thesis.replay.document.ReplayDocument)."""
        return build_replay_document(self)

    def to_dict(self) -> dict:
        """The ``thesis.replay/2`` JSON document, as ``thesis replay --json`` prints it."""
        return self.document().to_dict()


def _known(idea: Idea, bars: pd.DataFrame, asof):
    """The idea's history over every bar, cut at ``asof`` (thesis.replay.history): the bars, the
    trigger events and the lifecycle known at that close."""
    from thesis.replay.history import history

    if asof is not None and len(bars) and pd.Timestamp(asof) < bars.index[0]:
        from thesis.errors import BadInput

        raise BadInput(f"no bars of {bars.attrs.get('symbol')} on or before {pd.Timestamp(asof).date()}: the data "
                       f"starts on {bars.index[0].date()}")
    return history(idea, bars).until(asof)


def _start_session(bars: pd.DataFrame, when, asof=None) -> pd.Timestamp:
    idx = bars.index[bars.index >= pd.Timestamp(when)]
    if not len(idx):
        from thesis.errors import BadInput, ParameterError

        day = pd.Timestamp(when).date()
        if asof is not None and pd.Timestamp(asof) < pd.Timestamp(when):
            raise ParameterError("asof", f"{pd.Timestamp(asof).date()} is before the idea was published ({day}): "
                                 f"nothing was known yet; give a date on or after {day}")
        raise BadInput(f"no bars on or after {day} for {bars.attrs.get('symbol')}: the data ends on "
                       f"{bars.index[-1].date()}, before the idea's publication date")
    return idx[0]


def replay(idea: Idea | str | Path, source: str | None = None, with_confirmations: bool = True,
           with_options: bool = True, asof=None, bars: pd.DataFrame | None = None,
           confirmation_dates: str = "all", account: float | None = None, risk_fraction: float = 0.01,
           currency: str = "USD") -> ReplayResult:
    """Replay ``idea`` (an Idea or a path) on bars from ``source`` (default: thesis.data default).

    ``bars``: the idea's daily bars when the caller already holds them (a user's DataFrame with
    open/high/low/close[/volume] columns, validated like a CSV file; or bars thesis loaded, used as
    they are), or a mapping of symbols to frames that also serves the confirmations, compare
    symbols and options (falling back to ``source`` only when one is given). They are cut at
    ``asof`` like loaded ones.

    ``asof`` cuts the bars at that date, so the result is what could be known then (notes dated
    after it are left out of the document).

    ``account`` (with ``risk_fraction`` and ``currency``): each filled trade's document gains
    ``money``, the P&L per unit and per position in the account currency for a position sized to
    lose ``account x risk_fraction`` at the stop (thesis.risk.units.trade_money; docs/risk.md).
    """
    from thesis.risk.units import Account

    sized = None if account is None else Account(account, risk_fraction, currency)
    if not isinstance(idea, Idea):
        from thesis.spec import load

        idea = load(idea)
    bars, source = with_user_bars(idea.symbol, idea.idea.adjustment, bars, source)
    if bars is None:
        bars = load_bars(idea.symbol, idea.idea.adjustment, source)
    known = _known(idea, bars, asof)
    bars, events = known.bars, known.triggers
    start = _start_session(bars, idea.idea.published, asof)
    after = events[events["date"] >= start] if len(events) else events
    whole = bool(known.life.trades) and known.life.trades[0][1] is not None   # the cut is the whole history
    result = ReplayResult(idea, bars, known.life.trades if whole else None, events,
                          asof=None if asof is None else pd.Timestamp(asof), account=sized, source=source,
                          _lifecycle=known.life)
    if with_confirmations and idea.confirmations:
        # "notes": only the notes' dates (what the terminal report prints); "all" adds every trigger
        # date after publication (the JSON document reports those too).
        dates = sorted({pd.Timestamp(n.date) for n in idea.notes if pd.Timestamp(n.date) <= bars.index[-1]}
                       | (set(pd.to_datetime(after["date"])) if confirmation_dates == "all" else set()))
        if dates:
            result.confirmations, result.missing = confirmations_on(idea.confirmations, dates, source,
                                                                    idea.instrument)
    if with_options and idea.options is not None and result.primary.filled:
        from thesis.errors import ThesisError
        from thesis.options.spec import reprice_path

        exit_date = result.primary.exit_date or bars.index[-1]
        try:
            result.options_path = reprice_path(idea.options, bars, result.primary.entry_date, exit_date,
                                               source=source)
        except ThesisError as exc:
            result.options_error = str(exc)
    return result


def confirmations_on(confs: list, dates, source: str | None, instrument=None) -> tuple[list[dict], list[str]]:
    """Evaluate confirmations on ``dates``; one whose data is missing (a symbol the source does not
    hold) is reported as "no data" with the reason instead of stopping the run.
    Returns (results, messages about the missing data)."""
    from thesis.errors import SymbolNotFound, ThesisError
    from thesis.market.confirmations import evaluate_confirmations
    from thesis.market.context import MarketContext

    ctx = MarketContext(source=source)
    results, missing = [], []
    for i, conf in enumerate(confs):
        try:
            rows = evaluate_confirmations([conf], dates, ctx, instrument)
        except ThesisError as exc:  # a symbol the source lacks, a provider that is down, ...
            text = f"no data for {exc.symbol} in {exc.source}" if isinstance(exc, SymbolNotFound) else \
                f"{conf.kind} {confirmation_subject(conf)}: {exc}"
            if text not in missing:
                missing.append(text)
            rows = [{"confirmation": 0, "kind": conf.kind, "date": pd.Timestamp(d), "session": None,
                     "passed": None, "status": "no data", "value": None, "text": text} for d in dates]
        for row in rows:
            row["confirmation"] = i
            row.setdefault("subject", confirmation_subject(conf))
        results += rows
    return results, missing


def confirmation_subject(conf) -> str:
    """What a confirmation looks at, for a table column: 'IWM vs SPY', 'UUP', 'VIX', 'breadth'."""
    symbol, versus = getattr(conf, "symbol", None), getattr(conf, "versus", None)
    if symbol and versus:
        return f"{symbol} vs {versus}"
    if symbol:
        return str(symbol)
    if conf.kind.startswith("vix"):
        return "VIX"
    if conf.kind == "regime":
        return "market"
    return "breadth"


# ---------------------------------------------------------------- documents
def _figure(value) -> float | None:
    """A price or R in the replay document: every digit kept (thesis.jsonable's rule, unrounded)."""
    return number(value, digits=None)


def _r(value: float, risk: float) -> float | None:
    return None if value is None or not math.isfinite(value) or not risk else value / risk


def trade_document(variant: str, t: Trade, flagged: dict | None = None, decimals: int = 2) -> TradeDoc:
    """One trade of the replay as a document part (thesis.replay.document.TradeDoc); ``decimals``: the
    instrument's, for prices in sentences."""
    risk = abs(t.entry_price - t.stop) if t.filled and t.stop is not None else float("nan")
    days = (t.exit_date - t.entry_date).days if t.filled and t.exit_date is not None else None
    return TradeDoc(
        variant=variant, filled=t.filled,
        entry=TradeEntry(date=iso_date(t.entry_date), price=_figure(t.entry_price), order=t.entry_order,
                         limit=_figure(t.limit_price)),
        exit=_exit_document(t),
        mfe=Excursion(price=_figure(t.mfe_price), date=iso_date(t.mfe_date), r=_figure(_r(t.mfe, risk))),
        mae=Excursion(price=_figure(t.mae_price), date=iso_date(t.mae_date), r=_figure(_r(-t.mae, risk))),
        pnl=Pnl(per_share=_figure(t.pnl), pct=_figure(100 * t.pnl / t.entry_price if t.filled else None),
                r=_figure(t.r_multiple)),
        days_held=days, sessions_held=t.sessions_held if t.filled else 0,
        horizon_last_session=iso_date(t.last_date),
        legs=[Leg.model_validate(leg.to_dict()) for leg in t.legs],
        gap_fills_modelled=t.gap_fills_modelled, flags=list(t.flags),
        flagged_fills=flagged_fills(t, flagged or {}, decimals),
        notes=list(t.notes), direction_sign=-1 if t.direction == "short" else 1)


def _exit_document(t: Trade) -> TradeExit:
    """The exit: with one leg its own date and price; with several (a scale-out) the last leg's date,
    price and reason, and the size-weighted average labelled as such (``average_price``).
    Every leg, at its own date and price, is in the trade's ``legs``."""
    if not t.filled:
        return TradeExit(date=None, price=None, reason=None)
    if len(t.legs) <= 1:
        return TradeExit(date=iso_date(t.exit_date), price=_figure(t.exit_price), reason=t.reason)
    last = t.legs[-1]
    return ScaledExit(date=iso_date(last.date), price=_figure(last.price), reason=last.kind,
                      average_price=_figure(t.exit_price), legs=len(t.legs))


def rr_from_fill(direction: str, fill: float, stop: float, targets, sizes) -> FromFill | None:
    """Reward/risk measured from the actual fill (the plan's figures use the planned entry).
    None when the fill is not on the trade's side of the stop. Never raises: a fill can gap past
    a target, which then shows as a negative reward."""
    if fill is None or stop is None or not math.isfinite(fill):
        return None
    sign = -1 if direction == "short" else 1
    risk = sign * (fill - stop)
    if not risk > 0:
        return None
    sizes = list(sizes or [1.0 / len(targets)] * len(targets))
    rewards = [sign * (t - fill) for t in targets]
    ratios = [r / risk for r in rewards]
    blended = sum(w * r for w, r in zip(sizes, ratios))
    return FromFill(entry=fill, risk_per_share=risk, per_target=ratios, blended=blended,
                    break_even_win_rate=1.0 / (1.0 + blended) if blended > 0 else None)


def data_warnings(bars: pd.DataFrame) -> list[str]:
    """What the data layer said about these bars (repairs, reports, fallbacks), as text."""
    from thesis.data import bar_warnings
    from thesis.data.faults import open_warning

    said = open_warning(bars)      # fills at the open (gaps, signal entries) rest on a price that may be false
    return bar_warnings(bars) + ([said] if said else [])


def trade_money_of(idea: Idea, t: Trade, account, bars: pd.DataFrame, source: str | None) -> dict | None:
    """The filled trade's P&L per unit and per position in the account currency (None unfilled)."""
    if not t.filled or t.stop is None:
        return None
    from thesis.risk.units import trade_money

    last = bars.index[-1]
    exit_session = t.exit_date if t.exit_date is not None else last
    sign = 1.0 if t.direction == "long" else -1.0
    legs = [(sign * (leg.price - t.entry_price) * leg.size, leg.date if leg.date is not None else last) for leg in t.legs]
    out = trade_money(idea.instrument, account, t.entry_price, t.stop, t.pnl, t.entry_date, exit_session, source,
                      legs=legs)
    return {k: (_figure(v) if isinstance(v, float) else v) for k, v in out.items()}


def flagged_fills(t: Trade, flagged: dict, decimals: int = 2) -> list[str]:
    """A sentence for each fill of ``t`` (entry, each exit leg) that happened on a bar the data
    layer flags as a likely bad print (thesis.data.outliers): the result leans on that print."""
    if not t.filled or not flagged:
        return []
    out = []
    fills = [("entry", t.entry_date, t.entry_price)] + [(f"exit ({leg.kind})", leg.date, leg.price) for leg in t.legs
                                                       if leg.kind != "open"]
    for what, day, price in fills:
        why = flagged.get(pd.Timestamp(day)) if day is not None else None
        if why:
            out.append(f"the {what} at {price:.{decimals}f} on {pd.Timestamp(day).date()} happened on a flagged bar "
                       f"({why}): check that print before trusting this result")
    return out


def note_rows(life, until=None) -> list[NoteRow]:
    """One row per dated note (up to ``until``; None: every note): the note and the idea's state at
    the close of its session, as the lifecycle has it."""
    from thesis.replay.lifecycle import state_text

    rows = []
    for n in life.idea.notes:
        if until is not None and pd.Timestamp(n.date) > pd.Timestamp(until):
            continue  # an as-of view shows only what was written by then
        cut = life.at(n.date)
        snap = cut.snapshot
        rows.append(NoteRow(date=n.date.isoformat(), price=_figure(snap.close),   # session: the snapshot's
                            **NoteRow.fields_of(snap), state_text=state_text(cut, life.idea), text=n.text))
    return rows


def confirmation_rows(rows: list[dict]) -> list[ConfirmationRow]:
    """Confirmation results (``confirmations_on``) as document parts."""
    return [ConfirmationRow.model_validate(to_jsonable(row)) for row in rows]


def replay_document(res: ReplayResult) -> dict:
    """The ``thesis.replay/2`` JSON document of ``res`` (``res.document()`` is the typed one)."""
    return build_replay_document(res).to_dict()


def build_replay_document(res: ReplayResult) -> ReplayDocument:
    idea = res.idea
    lv = idea.levels
    plan = reward_risk(idea.direction, idea.entry_price, lv.stop, lv.targets, lv.sizes)
    claims = check_claims(idea.direction, idea.entry_price, lv.stop, lv.targets, lv.sizes, idea.claims.given(),
                          decimals=idea.instrument.decimals)
    rr_claim = next((c for c in claims if c.key == "risk_reward"), None)
    conf_by_date: dict[str | None, list[ConfirmationRow]] = {}
    for c in confirmation_rows(res.confirmations):
        conf_by_date.setdefault(c.date, []).append(c)
    primary = res.primary
    notes = [ReplayNote(**row.model_dump(), confirmations=conf_by_date.get(row.date, []))
             for row in note_rows(res.lifecycle, res.bars.index[-1] if res.asof is not None else None)]
    triggers = _trigger_rows(res.triggers, pd.Timestamp(idea.idea.published), conf_by_date)
    a = res.bars.attrs
    return ReplayDocument(
        idea=ReplayIdea(title=idea.idea.title, symbol=idea.symbol, direction=idea.direction,
                        published=idea.idea.published.isoformat(), horizon=to_jsonable(idea.idea.horizon),
                        file=idea.path),
        data=ReplayData(source=a.get("source"), adjustment=a.get("adjustment"), first=iso_date(res.bars.index[0]),
                        last=iso_date(res.bars.index[-1]), warnings=data_warnings(res.bars),
                        missing=list(res.missing)),
        asof=iso_date(res.asof),
        risk_reward=ReplayRiskReward(
            planned=round(plan.blended, 6), per_target=[round(x, 6) for x in plan.ratios],
            planned_entry=idea.entry_price,
            from_fill=rr_from_fill(idea.direction, primary.entry_price, lv.stop, lv.targets, lv.sizes)
            if primary.filled else None,
            risk_per_share=plan.risk, claimed=rr_claim.claimed if rr_claim else None,
            claim_consistent=rr_claim.consistent if rr_claim else None,
            break_even_win_rate=round(plan.break_even_win_rate, 6)),
        claims=[Claim.model_validate(c.to_dict()) for c in claims],
        trades=_trades(res),
        triggers=triggers, notes=notes, options=_options_document(res))


def _trigger_rows(events: pd.DataFrame, published: pd.Timestamp, conf_by_date: dict) -> list[ReplayTrigger]:
    """The trigger events from a year before publication on, as document rows (columns read at once:
    a daily trigger on a long history fires hundreds of times)."""
    if not len(events):
        return []
    ev = events[events["date"] >= published - pd.Timedelta(days=365)]
    days = ev["date"].dt.strftime("%Y-%m-%d").tolist()
    after = (ev["date"] >= published).tolist()
    return [ReplayTrigger(kind=kind, date=day, timeframe=tf, price=_figure(price), detail=detail, after_published=a,
                          confirmations=conf_by_date.get(day, []))
            for kind, day, tf, price, detail, a in zip(ev["kind"].tolist(), days, ev["timeframe"].tolist(),
                                                       ev["price"].tolist(), ev["detail"].tolist(), after)]


def _trades(res: ReplayResult) -> list[TradeDoc]:
    """The trades' documents; with an account each also carries its ``money`` (None unfilled)."""
    flagged, decimals = flagged_dates(res.bars), res.idea.instrument.decimals
    docs = [trade_document(v, t, flagged, decimals) for v, t in res.trades]
    if res.account is None:
        return docs
    return [TradeWithMoney(**doc.model_dump(), money=trade_money_of(res.idea, t, res.account, res.bars, res.source))
            for (_, t), doc in zip(res.trades, docs)]


def _options_document(res: ReplayResult) -> OptionsLeg | OptionsError | None:
    """The option leg re-priced each session, beside the stock leg's P&L; or why it could not be."""
    if res.options_path is None:
        return OptionsError(error=res.options_error) if res.options_error else None
    p, primary = res.options_path, res.primary
    sign = -1 if res.idea.direction == "short" else 1
    path = [OptionsPathRow(date=iso_date(d), spot=_figure(s), option_price=_figure(o), option_pnl=_figure(q),
                           stock_pnl_per_share=_figure(sign * (s - primary.entry_price)),
                           stock_pnl_100_shares=_figure(100 * sign * (s - primary.entry_price)))
            for d, s, o, q in zip(p["date"], p["spot"], p["option_price"], p["option_pnl"])]
    attrs = {k: v for k, v in to_jsonable(dict(p.attrs)).items() if k not in OptionsLeg.model_fields}
    return OptionsLeg(**attrs,
                      entry_price=_figure(p["option_price"].iloc[0]), exit_price=_figure(p["option_price"].iloc[-1]),
                      pnl_per_contract=_figure(p["option_pnl"].iloc[-1]),
                      position_pnl=_figure(p["position_pnl"].iloc[-1]), stock_pnl_per_share=_figure(primary.pnl),
                      path=path)
