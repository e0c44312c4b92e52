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

import pandas as pd

from thesis.data import load_bars
from thesis.data.user_bars import with_user_bars
from thesis.replay.fills import Trade
from thesis.replay.trades import replay_trades
from thesis.risk import check_claims, reward_risk
from thesis.spec import Idea

REPLAY_SCHEMA = "thesis.replay/2"


@dataclass
class ReplayResult:
    idea: Idea
    bars: pd.DataFrame
    trades: list[tuple[str, Trade]]
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
    def primary(self) -> Trade:
        return self.trades[0][1]

    @property
    def lifecycle(self):
        """The idea's lifecycle over these bars (thesis.replay.lifecycle), built once from these trades."""
        if self._lifecycle is None:
            from thesis.replay.lifecycle import lifecycle

            self._lifecycle = lifecycle(self.idea, self.bars, self.triggers, self.trades)
        return self._lifecycle

    def to_dict(self) -> dict:
        return replay_document(self)


def _start_session(bars: pd.DataFrame, when, asof=None) -> pd.Timestamp:
    idx = bars.index[bars.index >= pd.Timestamp(when)]
    if not len(idx):
        from thesis.errors import BadInput

        day = pd.Timestamp(when).date()
        if asof is not None and pd.Timestamp(asof) < pd.Timestamp(when):
            raise BadInput(f"--asof {pd.Timestamp(asof).date()} is before the idea was published ({day}): "
                           f"nothing was known yet; give a date on or after {day}")
        raise BadInput(f"no bars on or after {day} for {bars.attrs.get('symbol')}: the data ends on "
                       f"{bars.index[-1].date()}, before the idea's publication date")
    return idx[0]


def replay(idea: Idea, source: str | None = None, with_confirmations: bool = True,
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
        bars = load_bars(idea.symbol, idea.idea.adjustment, source, end=asof)
    elif asof is not None:
        bars = bars.loc[:pd.Timestamp(asof)]
    start = _start_session(bars, idea.idea.published, asof)

    from thesis.signals.detect import detect_all

    events = detect_all(idea.triggers, bars, idea.direction) if idea.triggers else pd.DataFrame(
        columns=["date", "kind", "timeframe", "price", "detail"])
    after = events[events["date"] >= start] if len(events) else events

    trades = replay_trades(idea, bars, start, after)
    result = ReplayResult(idea, bars, trades, events, asof=None if asof is None else pd.Timestamp(asof),
                          account=sized, source=source)
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
def _r(value: float, risk: float) -> float | None:
    return None if value is None or not math.isfinite(value) or not risk else value / risk


def _iso(ts) -> str | None:
    return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).date().isoformat()


def trade_document(variant: str, t: Trade, flagged: dict | None = None, decimals: int = 2) -> dict:
    risk = abs(t.entry_price - t.stop) if t.filled and t.stop is not None else float("nan")
    sign = -1 if t.direction == "short" else 1
    days = (t.exit_date - t.entry_date).days if t.filled and t.exit_date is not None else None
    return {
        "variant": variant,
        "filled": t.filled,
        "entry": {"date": _iso(t.entry_date), "price": _num(t.entry_price), "order": t.entry_order,
                  "limit": _num(t.limit_price)},
        "exit": _exit_document(t),
        "mfe": {"price": _num(t.mfe_price), "date": _iso(t.mfe_date), "r": _num(_r(t.mfe, risk))},
        "mae": {"price": _num(t.mae_price), "date": _iso(t.mae_date), "r": _num(_r(-t.mae, risk))},
        "pnl": {"per_share": _num(t.pnl), "pct": _num(100 * t.pnl / t.entry_price if t.filled else None),
                "r": _num(t.r_multiple)},
        "days_held": days,
        "sessions_held": t.sessions_held if t.filled else 0,
        "horizon_last_session": _iso(t.last_date),
        "legs": [leg.to_dict() for leg in t.legs],
        "gap_fills_modelled": t.gap_fills_modelled,
        "flags": list(t.flags),
        "flagged_fills": flagged_fills(t, flagged or {}, decimals),
        "notes": list(t.notes),
        "direction_sign": sign,
    }


def trade_money_of(idea: Idea, t: Trade, account, bars: pd.DataFrame, source: str | None) -> dict | None:
    """The filled trade's P&L per unit and per position in the account currency (None unfilled)."""
    if not t.filled or t.stop is None:
        return None
    from thesis.risk.units import trade_money

    exit_session = t.exit_date if t.exit_date is not None else bars.index[-1]
    out = trade_money(idea.instrument, account, t.entry_price, t.stop, t.pnl, t.entry_date, exit_session, source)
    return {k: (_num(v) if isinstance(v, float) else v) for k, v in out.items()}


def _exit_document(t: Trade) -> dict:
    """The exit: with one leg its own date and price; with several (a scale-out) the last leg's date,
    price and reason, and the size-weighted average labelled as such (``average_price``).
    Every leg, at its own date and price, is in the trade's ``legs``."""
    if not t.filled:
        return {"date": None, "price": None, "reason": None}
    if len(t.legs) <= 1:
        return {"date": _iso(t.exit_date), "price": _num(t.exit_price), "reason": t.reason}
    last = t.legs[-1]
    return {"date": _iso(last.date), "price": _num(last.price), "reason": last.kind,
            "average_price": _num(t.exit_price), "legs": len(t.legs)}


def rr_from_fill(direction: str, fill: float, stop: float, targets, sizes) -> dict | None:
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
    return {"entry": fill, "risk_per_share": risk, "per_target": ratios, "blended": blended,
            "break_even_win_rate": 1.0 / (1.0 + blended) if blended > 0 else None}


def _num(v):
    if v is None:
        return None
    v = float(v)
    return None if not math.isfinite(v) else v


def data_warnings(bars: pd.DataFrame) -> list[str]:
    """What the data layer said about these bars (repairs, reports, fallbacks), as text."""
    from thesis.data import bar_warnings
    from thesis.data.faults import open_warning

    said = open_warning(bars)      # fills at the open (gaps, signal entries) rest on a price that may be false
    return bar_warnings(bars) + ([said] if said else [])


def _flagged(bars: pd.DataFrame) -> dict:
    from thesis.data import flagged_dates

    return flagged_dates(bars)


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


def note_rows(life, until=None) -> list[dict]:
    """One row per dated note (up to ``until``; None: every note): the note and the idea's state at
    the close of its session, as the lifecycle has it."""
    from thesis.replay.lifecycle import state_text

    rows = []
    for n in life.idea.notes:
        if until is not None and pd.Timestamp(n.date) > pd.Timestamp(until):
            continue  # an as-of view shows only what was written by then
        cut = life.at(n.date)
        snap = cut.snapshot
        text = state_text(cut, life.idea)
        rows.append({"date": n.date.isoformat(), "session": _iso(snap.session), "price": _num(snap.close),
                     **snap.to_dict(), "state_text": text, "text": n.text})
    return rows


def replay_document(res: ReplayResult) -> dict:
    idea = res.idea
    lv = idea.levels
    plan = reward_risk(idea.direction, idea.entry_price, lv.stop, lv.targets, lv.sizes)
    claims = check_claims(idea.direction, idea.entry_price, lv.stop, lv.targets, lv.sizes, idea.claims.given(),
                          decimals=idea.instrument.decimals)
    rr_claim = next((c for c in claims if c.key == "risk_reward"), None)
    conf_by_date: dict[str, list] = {}
    for c in res.confirmations:
        conf_by_date.setdefault(_iso(c["date"]), []).append(c)
    primary = res.primary
    notes = [{**row, "confirmations": conf_by_date.get(row["date"], [])}
             for row in note_rows(res.lifecycle, res.bars.index[-1] if res.asof is not None else None)]
    triggers = [{"kind": r.kind, "date": _iso(r.date), "timeframe": r.timeframe, "price": _num(r.price),
                 "detail": r.detail, "after_published": pd.Timestamp(r.date) >= pd.Timestamp(idea.idea.published),
                 "confirmations": conf_by_date.get(_iso(r.date), [])}
                for r in res.triggers.itertuples()
                if pd.Timestamp(r.date) >= pd.Timestamp(idea.idea.published) - pd.Timedelta(days=365)]
    a = res.bars.attrs
    doc = {
        "schema": REPLAY_SCHEMA,
        "idea": {"title": idea.idea.title, "symbol": idea.symbol, "direction": idea.direction,
                 "published": idea.idea.published.isoformat(), "horizon": idea.idea.horizon,
                 "file": idea.path},
        "data": {"source": a.get("source"), "adjustment": a.get("adjustment"), "first": _iso(res.bars.index[0]),
                 "last": _iso(res.bars.index[-1]), "warnings": data_warnings(res.bars), "missing": list(res.missing)},
        "asof": _iso(res.asof),
        "risk_reward": {"planned": round(plan.blended, 6), "per_target": [round(x, 6) for x in plan.ratios],
                        "planned_entry": idea.entry_price,
                        "from_fill": rr_from_fill(idea.direction, primary.entry_price, lv.stop, lv.targets, lv.sizes)
                        if primary.filled else None,
                        "risk_per_share": plan.risk,
                        "claimed": rr_claim.claimed if rr_claim else None,
                        "claim_consistent": rr_claim.consistent if rr_claim else None,
                        "break_even_win_rate": round(plan.break_even_win_rate, 6)},
        "claims": [c.to_dict() for c in claims],
        "trades": [trade_document(v, t, _flagged(res.bars), idea.instrument.decimals) for v, t in res.trades],
        "triggers": triggers,
        "notes": notes,
        "options": None,
    }
    if res.account is not None:
        for (_, t), trade_doc in zip(res.trades, doc["trades"]):
            trade_doc["money"] = trade_money_of(idea, t, res.account, res.bars, res.source)
    if res.options_path is not None:
        p = res.options_path
        sign = -1 if idea.direction == "short" else 1
        doc["options"] = {**{k: v for k, v in p.attrs.items()},
                          "entry_price": _num(p["option_price"].iloc[0]), "exit_price": _num(p["option_price"].iloc[-1]),
                          "pnl_per_contract": _num(p["option_pnl"].iloc[-1]),
                          "position_pnl": _num(p["position_pnl"].iloc[-1]),
                          "stock_pnl_per_share": _num(primary.pnl),
                          # The stock leg's P&L beside the option's, session by session.
                          "path": [{"date": _iso(d), "spot": _num(s), "option_price": _num(o), "option_pnl": _num(q),
                                    "stock_pnl_per_share": _num(sign * (s - primary.entry_price)),
                                    "stock_pnl_100_shares": _num(100 * sign * (s - primary.entry_price))}
                                   for d, s, o, q in zip(p["date"], p["spot"], p["option_price"], p["option_pnl"])]}
    elif res.options_error:
        doc["options"] = {"error": res.options_error}
    return doc
