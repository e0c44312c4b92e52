"""The market report for one as-of session: breadth, relative strength, regime,
cross-asset trends, VIX and a performance table, as one JSON-ready dict.

Breadth comes from the universe (default $THESIS_DATA/sp500-constituents); when
the universe's data ends before ``asof`` its last session is used and
``breadth.stale`` is True. Everything else uses each symbol's last session on or
before ``asof``.
"""
from __future__ import annotations

import math

import pandas as pd

from thesis.data.model import ADJUSTED, AS_TRADED
from thesis.errors import BadInput
from thesis.market.context import VIX_SYMBOL, MarketContext, session_on_or_before
from thesis.market.cross_asset import asset_state, cross_asset_snapshot, realized_vol_pct, vix_state
from thesis.market.regime import regime_report
from thesis.market.relative import performance_table, relative_strength

PAIRS = (("IWM", "SPY"), ("IWM", "QQQ"), ("QQQ", "SPY"))
REGIME_SYMBOLS = ("SPY", "IWM", "QQQ")
PERFORMANCE_SYMBOLS = ("SPY", "QQQ", "IWM", "DIA", "TLT", "USO", "UUP", "HYG", "GLD")
STALE_DAYS = 7


def _clean(x):
    """JSON-ready scalars: numpy -> python, NaN -> None, floats rounded."""
    if isinstance(x, dict):
        return {k: _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if hasattr(x, "item") and not isinstance(x, (str, bytes)):
        x = x.item()
    if isinstance(x, float):
        return None if math.isnan(x) else round(x, 4)
    if isinstance(x, pd.Timestamp):
        return x.date().isoformat()
    return x


def _other_market(ctx: MarketContext, out: dict, asof: pd.Timestamp, since) -> dict:
    """The report for a non-US-equity symbol: its own section, then what is not about US stocks."""
    from thesis.data.instruments import resolve

    why = not_applicable(resolve(out["symbol"]["symbol"]))
    out["breadth"] = {"available": False, "applicable": False, "reason": why}
    out["relative_strength"] = []
    out["relative_strength_note"] = why
    out["regime"] = out["symbol"]["regime"]
    out["regime_others"] = {}
    out["cross_asset"] = cross_asset_snapshot(ctx, asof)
    out["vix"] = _vix(ctx, asof)
    out["performance"] = _performance(ctx, asof, since)
    out["warnings"] = []
    return out


def _vix(ctx: MarketContext, asof: pd.Timestamp) -> dict:
    try:
        return vix_state(ctx.close(VIX_SYMBOL, AS_TRADED), asof)
    except BadInput as exc:
        return {"level": None, "error": str(exc)}


def _performance(ctx: MarketContext, asof: pd.Timestamp, since) -> dict:
    closes, vols = {}, {}
    for sym in PERFORMANCE_SYMBOLS:
        try:
            c = ctx.close(sym, ADJUSTED)
        except BadInput:
            continue
        closes[sym] = c
        rv = realized_vol_pct(c.loc[:asof])
        vols[sym] = rv.iloc[-1] if len(rv) else None
    perf = performance_table(closes, asof, since)
    return {sym: {**perf.loc[sym].to_dict(), "realized_vol_20": vols[sym]} for sym in perf.index}


def breadth_section(ctx: MarketContext, asof: pd.Timestamp) -> dict:
    b = ctx.breadth()
    s = session_on_or_before(b.index, asof)
    if s is None:
        raise BadInput(f"the breadth universe starts {b.index[0].date()}, after {asof.date()}")
    r = b.loc[s]
    pos = b.index.get_loc(s)
    back = b.iloc[max(0, pos - 20)]
    zweig_recent = bool(b["zweig_thrust"].iloc[max(0, pos - 9): pos + 1].any())
    out = {
        "date": s, "universe": b.attrs["universe"], "stale": (asof - s).days > STALE_DAYS,
        "members": int(r["members"]),
        **{f"pct_above_{w}": r[f"pct_above_{w}"] for w in b.attrs["params"]["ma_windows"]},
        "members_by_window": {str(w): int(r[f"members_{w}"]) for w in b.attrs["params"]["ma_windows"]},
        "advances": int(r["advances"]), "declines": int(r["declines"]), "unchanged": int(r["unchanged"]),
        "ad_ratio": r["ad_ratio"], "ad_line": int(r["ad_line"]),
        "ad_line_change_20": int(r["ad_line"] - back["ad_line"]),
        "mcclellan_oscillator": r["mcclellan_osc"], "mcclellan_summation": r["mcclellan_sum"],
        "mcclellan_convention": "ratio-adjusted: 1000*(A-D)/(A+D), EMA19 - EMA39",
        "new_highs": int(r["new_highs"]), "new_lows": int(r["new_lows"]), "net_new_highs": int(r["net_new_highs"]),
        "zweig_ema": r["zweig_ema"], "zweig_thrust": bool(r["zweig_thrust"]), "zweig_thrust_last_10": zweig_recent,
        "surge": bool(r["surge"]), "surge_threshold": b.attrs["params"]["surge_ratio"],
        "narrow_market": bool(r.get("narrow", False)),
        "warning": b.attrs["warning"],
    }
    if "ew_return" in b.columns:
        out["equal_weight"] = {"ew_return_pct": 100 * r["ew_return"], "cw_return_pct": 100 * r["cw_return"],
                               "ew_vs_cw_20d_pct": 100 * (r["ew_vs_cw"] / back["ew_vs_cw"] - 1.0),
                               "fund": ctx.fund_symbol + " (adjusted)"}
    if "narrow" in b.columns:
        out["narrow"] = {"index": ctx.index_symbol, "index_close": r["index_close"],
                         "index_off_high_pct": r["index_off_high"], "near_high": bool(r["near_high"]),
                         "pct50_change_points": r["pct50_change"], "index_change_pct": r["index_change"],
                         "breadth_low": bool(r["breadth_low"]), "breadth_fell": bool(r["breadth_fell"])}
    return out


def resolve_asof(asof, ctx: MarketContext, symbol: str | None = None) -> pd.Timestamp:
    """``asof`` as a date; None = the last session in the data of ``symbol`` (default the index fund)."""
    if asof is None:
        return ctx.close(_resolved(symbol) if symbol else ctx.fund_symbol).index[-1]
    from thesis.data.dates import parse_date

    return parse_date(asof, "asof")


def _resolved(symbol: str) -> str:
    from thesis.data.instruments import resolve

    return resolve(symbol).symbol


def not_applicable(inst) -> str:
    return (f"not applicable: breadth, the S&P 500 universe and the US index pairs describe US stocks; "
            f"{inst.display} is {inst.kind} ({inst.calendar} calendar)")


def symbol_section(ctx: MarketContext, symbol: str, asof: pd.Timestamp) -> dict:
    """What applies to any instrument: its trend (close vs a rising/falling 50-session average), its
    realised volatility (annualised over its own sessions: 365 a year for crypto, 252 otherwise) and
    its daily/weekly/monthly regime on its own calendar."""
    from thesis.data.instruments import resolve

    inst = resolve(symbol)
    bars = ctx.bars_prefer(inst.symbol, AS_TRADED)
    part = bars.loc[:asof]
    if part.empty:
        raise BadInput(f"{inst.display}: no bars on or before {asof.date()} (the data starts {bars.index[0].date()})")
    per_year = 365 if inst.is_24_7 else 252
    rv = realized_vol_pct(part["close"], periods_per_year=per_year)
    return {"symbol": inst.symbol, "display": inst.display, "name": inst.name, "asset_class": inst.asset_class,
            "calendar": inst.calendar, "us_equity": inst.is_us_equity, "decimals": inst.decimals,
            "date": part.index[-1], "trend": asset_state(part["close"], asof),
            "realized_vol_20": rv.iloc[-1] if len(rv) else None, "vol_sessions_per_year": per_year,
            "regime": regime_report(bars, asof)}


def market_report(asof=None, universe: str | None = None, context: MarketContext | None = None,
                  pairs=PAIRS, since=None, symbol: str | None = None) -> dict:
    """The market report for the session on or before ``asof`` (None = the latest): breadth,
    relative strength, cross-asset trends, VIX and regimes, as ``thesis market --json`` prints it.

    ``universe``: the breadth universe (a ``csv:DIR`` source; default the S&P 500 constituents
    under ``$THESIS_DATA``, with its survivorship warning); ``context``: a ``MarketContext`` to
    reuse loaded bars; ``pairs``: the relative-strength pairs; ``since``: a date that adds a
    "since" column (return from that date) to the performance table. See docs/market.md.

    ``symbol``: also the trend, volatility and regime of that instrument (any market). On one that
    is not a US stock or ETF (crypto, FX, futures, yields) breadth and the US index pairs are "not
    applicable" and are not computed; the cross-asset trends, VIX and performance still are."""
    ctx = context or MarketContext(universe=universe)
    asof = resolve_asof(asof, ctx, symbol)
    warnings: list[str] = []
    out: dict = {"asof": asof}
    if symbol is not None:
        out["symbol"] = symbol_section(ctx, symbol, asof)
        if not out["symbol"]["us_equity"]:
            return _clean(_other_market(ctx, out, asof, since))
    try:
        fund = ctx.close(ctx.fund_symbol).index
        start, end = fund[0], fund[-1]
    except BadInput:
        start = end = None
    if start is not None and asof < start:
        raise BadInput(f"as-of date {asof.date()} is before the data, which starts {start.date()} "
                       f"({ctx.fund_symbol})")
    if end is not None and asof > end:
        out["data_end"] = end
        warnings.append(f"the data ends {end.date()}: the figures are those of {end.date()}, not {asof.date()}")
    try:
        out["breadth"] = {"available": True, **breadth_section(ctx, asof)}
    except BadInput as exc:
        # Breadth needs its own universe (which may start later than the rest): report the rest.
        out["breadth"] = {"available": False, "reason": str(exc)}
        warnings.append(f"breadth unavailable: {exc}")
    else:
        if out["breadth"]["warning"]:
            warnings.append(out["breadth"]["warning"])
        if out["breadth"]["stale"]:
            warnings.append(f"breadth data ends {out['breadth']['date'].date()}, before {asof.date()}")
    rs = []
    for a, b in pairs:
        try:
            bars_a, bars_b = ctx.bars_prefer(a, ADJUSTED), ctx.bars_prefer(b, ADJUSTED)
            entry = relative_strength(bars_a["close"].rename(a.upper()), bars_b["close"].rename(b.upper()), asof)
        except BadInput as exc:
            warnings.append(f"relative strength {a}/{b}: {exc}")
            continue
        # which closes the ratio divides, as cross-asset entries say (adjusted unless a symbol lacks them)
        adj_a, adj_b = bars_a.attrs.get("adjustment"), bars_b.attrs.get("adjustment")
        entry["adjustment"] = adj_a if adj_a == adj_b else f"{a.upper()} {adj_a}, {b.upper()} {adj_b}"
        rs.append(entry)
    out["relative_strength"] = rs
    regimes = {}
    for sym in REGIME_SYMBOLS:
        try:
            regimes[sym] = regime_report(ctx.bars_prefer(sym, AS_TRADED), asof)
        except BadInput as exc:
            warnings.append(f"regime {sym}: {exc}")
    first = next(iter(regimes), None)
    out["regime"] = regimes[first] if first is not None else {}
    out["regime_others"] = {k: v for k, v in regimes.items() if k != first}
    out["cross_asset"] = cross_asset_snapshot(ctx, asof)
    out["vix"] = _vix(ctx, asof)
    out["performance"] = _performance(ctx, asof, since)
    out["warnings"] = warnings
    if not (out["breadth"]["available"] or rs or regimes or out["performance"]):
        raise BadInput(f"nothing to report for {asof.date()}: " + "; ".join(warnings))
    return _clean(out)
