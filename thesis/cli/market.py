"""`thesis market`: one-screen market internals for an as-of session.

Register with ``register(app)`` (adds the ``market`` command) or use ``app``.
"""
from __future__ import annotations

from thesis import display
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from thesis.cli._common import (DATE_METAVAR, console, esc, handle_errors, output_file, parse_date, print_json,
                                print_table)

app = typer.Typer(help="Market internals: breadth, relative strength, regime, cross-asset, VIX.",
                  pretty_exceptions_enable=False)


def register(root: typer.Typer) -> None:
    root.command("market")(market)


def _f(x, fmt="{:.1f}", none="-") -> str:
    return display.fmt(x, fmt, none)


def _performance_table(perf: dict, since: Optional[str] = None) -> Table:
    t = Table(title="Performance, % (adjusted closes)", title_justify="left")
    cols = [c for c in next(iter(perf.values()), {}) if c != "realized_vol_20"]
    t.add_column("symbol", no_wrap=True)
    for c in cols + ["rv20 %"]:
        t.add_column(esc(f"since {since}") if c == "since" and since else esc(c), justify="right", no_wrap=True)
    for sym, row in perf.items():
        rv = row.get("realized_vol_20")
        t.add_row(esc(sym), *(_f(row.get(c), "{:+.1f}") for c in cols), _f(rv))
    return t


def _symbol_table(s: dict) -> Table:
    """The instrument's own trend, volatility and regime (on its own calendar)."""
    tr, reg = s["trend"], s["regime"]
    name = f"{s['display']}, {s['name']}" if s.get("name") else s["display"]
    t = Table(title=esc(f"{name}: {s['asset_class']}, {s['calendar']} calendar, on {s['date']}"), title_justify="left")
    t.add_column("measure", no_wrap=True)
    t.add_column("value", overflow="fold")
    price = "-" if tr.get("close") is None else f"{tr['close']:,.{s['decimals']}f}"
    sma = "-" if tr.get("sma50") is None else f"{tr['sma50']:,.{s['decimals']}f}"
    t.add_row("trend (close vs 50d SMA)", esc(f"{tr['state']}: close {price}, SMA {sma} "
                                              f"({_f(tr.get('sma50_change_pct'), '{:+.1f}')}% in 10 sessions)"))
    t.add_row("realised vol 20d", esc(f"{_f(s.get('realized_vol_20'))}% a year ({s['vol_sessions_per_year']} "
                                      f"sessions)"))
    t.add_row("regime d / w / m", " / ".join(_regime_cell(reg.get(tf, {})) for tf in ("1d", "1w", "1mo")))
    t.add_row("regime", esc(reg.get("description", "-")))
    return t


def _breadth_table(b: dict) -> Table:
    if not b.get("applicable", True):
        t = Table(title="Breadth and US index pairs: not applicable", title_justify="left")
        t.add_column("why", overflow="fold")
        t.add_row(esc(b["reason"]))
        return t
    if not b.get("available", True):
        t = Table(title="Breadth: unavailable", title_justify="left")
        t.add_column("why", overflow="fold")
        t.add_row(esc(b.get("reason", "no breadth data")))
        return t
    t = Table(title=f"Breadth: {esc(b['universe'])} on {b['date']} ({b['members']} members)", title_justify="left")
    for _ in range(2):
        t.add_column("measure", no_wrap=True)
        t.add_column("value", justify="right", no_wrap=True)
    pct = [_f(b.get(f"pct_above_{w}")) for w in (20, 50, 100, 200)]
    nar = b.get("narrow", {})
    ew = b.get("equal_weight", {})
    rows = [
        ("% > 20/50/100/200d", "/".join(pct) + "%", "adv/dec/unch",
         f"{b['advances']}/{b['declines']}/{b['unchanged']} ({_f(b['ad_ratio'], '{:.2f}')})"),
        ("McClellan osc/sum", f"{_f(b['mcclellan_oscillator'])}/{_f(b['mcclellan_summation'], '{:.0f}')}",
         "A/D line (20d)", f"{b['ad_line']} ({b['ad_line_change_20']:+d})"),
        ("new 52w hi/lo", f"{b['new_highs']}/{b['new_lows']} (net {b['net_new_highs']:+d})",
         "Zweig/thrust", f"{_f(b['zweig_ema'], '{:.3f}')}/{'YES' if b['zweig_thrust'] else 'no'}"),
        ("breadth surge", f"{'YES' if b['surge'] else 'no'} (>= {b['surge_threshold']:.2f})",
         "narrow market", f"{'YES' if b['narrow_market'] else 'no'}"),
        ("index vs 52w high", f"{_f(nar.get('index_off_high_pct'), '{:+.2f}')}%",
         "%>50d 20d chg", f"{_f(nar.get('pct50_change_points'), '{:+.1f}')} pts"),
        ("EW vs SPY today", f"{_f(ew.get('ew_return_pct'), '{:+.2f}')}/"
         f"{_f(ew.get('cw_return_pct'), '{:+.2f}')}%", "EW/CW 20d", f"{_f(ew.get('ew_vs_cw_20d_pct'), '{:+.2f}')}%"),
    ]
    for r in rows:
        t.add_row(*r)
    return t


def _regime_cell(r: dict) -> str:
    score = r.get("score")
    return esc(r.get("label", "n/a")) + ("" if score is None else f" ({score:+d})")


def _other_tables(rep: dict) -> list[Table]:
    rs = Table(title="Relative strength (adjusted closes)", title_justify="left")
    for c in ("pair", "trend", "slope50", "pct1y", "beta", "corr", "rel1M", "rel3M", "relYTD"):
        rs.add_column(c, justify="left" if c in ("pair", "trend") else "right", no_wrap=True)
    for r in rep["relative_strength"]:
        rel = r["relative_return_pct"]
        adj = r.get("adjustment", "adjusted")   # named when a symbol has no adjusted closes
        rs.add_row(esc(r["pair"] + ("" if adj == "adjusted" else f" [{adj}]")), esc(r["trend"]), f"{_f(r['slope_window_pct'], '{:+.1f}')}%", _f(r["percentile"], "{:.0f}"),
                   _f(r["beta"], "{:.2f}"), _f(r["corr"], "{:.2f}"), _f(rel.get("1M"), "{:+.1f}"),
                   _f(rel.get("3M"), "{:+.1f}"), _f(rel.get("YTD"), "{:+.1f}"))
    reg = Table(title="Regime (as-traded)", title_justify="left")
    for c in ("symbol", "daily", "weekly", "monthly", "description"):
        reg.add_column(c, no_wrap=c != "description", overflow="fold")
    for sym, r in {rep["regime"].get("symbol"): rep["regime"], **rep["regime_others"]}.items():
        if not r:
            continue
        reg.add_row(esc(sym), *(_regime_cell(r.get(tf, {})) for tf in ("1d", "1w", "1mo")),
                    esc(r["description"].split(" (")[0]))
    xa = Table(title="Cross-asset (trend: close vs rising/falling 50d SMA)", title_justify="left")
    for c in ("asset", "proxy", "state", "close", "rv20 %"):
        xa.add_column(c, no_wrap=c in ("close", "rv20 %"), overflow="fold")
    for name, a in rep["cross_asset"].items():
        proxy = a["symbol"] + (" inverted" if a.get("inverted") else "") + f" [{a.get('adjustment', '-')}]"
        xa.add_row(esc(name), esc(proxy), esc(a["state"]), _f(a.get("close"), "{:.2f}"), _f(a.get("realized_vol_20")))
    v = rep["vix"]
    xa.add_row("VIX", "VIX", f"pctile {_f(v.get('percentile'), '{:.0f}')}", _f(v.get("level"), "{:.2f}"),
               f"20d {_f(v.get('change_points'), '{:+.2f}')}")
    return ([] if rep.get("relative_strength_note") else [rs]) + [reg, xa]


@app.command("market")
@handle_errors
def market(symbol: Optional[str] = typer.Argument(None, help="Also this instrument's trend, volatility and regime "
                                                                "(any market: BTCUSD, EURUSD, GOLD, SPY)"),
           asof: Optional[str] = typer.Option(None, "--asof", metavar=DATE_METAVAR, help="Session date YYYY-MM-DD (default: latest)."),
           universe: Optional[str] = typer.Option(
               None, "--universe", help="Breadth universe: csv:DIR (default: $THESIS_DATA/sp500-constituents), "
                                      "symbols:A,B,C or store."),
           since: Optional[str] = typer.Option(None, "--since", metavar=DATE_METAVAR, help="Add a 'since DATE' column to the "
                                                                      "performance table."),
           json: bool = typer.Option(False, "--json", help="Print one JSON document."),
           chart: Optional[Path] = typer.Option(None, "--chart", help="Also write the breadth chart PNG here.")):
    """Breadth, relative strength, regime, cross-asset, VIX and performance for one session.

    With a SYMBOL outside US stocks, breadth and the US index pairs are not applicable."""
    from thesis.market import MarketContext, market_report
    from thesis.market.report import resolve_asof

    from thesis.errors import BadInput

    output_file(chart, "--chart")
    since_day = parse_date(since, "--since")
    asof = parse_date(asof, "--asof")
    ctx = MarketContext(universe=universe)
    when = resolve_asof(asof, ctx, symbol)
    if since_day is not None and since_day > when.date():
        raise BadInput(f"--since {since_day} is after the report's session {when.date()}")
    rep = market_report(when, context=ctx, since=since, symbol=symbol)
    if chart is not None:
        from thesis.market.chart import market_chart

        if rep["breadth"].get("available", True):
            rep["chart"] = str(market_chart(when, chart, context=ctx))
        else:
            rep["chart"] = None
            rep["warnings"].append(f"breadth chart not written to {chart}: breadth is unavailable")
    if json:
        print_json(rep)
        return
    if rep.get("symbol"):
        print_table(_symbol_table(rep["symbol"]))
    print_table(_breadth_table(rep["breadth"]))
    for t in _other_tables(rep):
        print_table(t, drop=("description", "proxy", "corr", "beta"))
    print_table(_performance_table(rep.get("performance", {}), since))
    for w in rep["warnings"]:
        console.print(f"[yellow]note:[/] {esc(w)}", highlight=False)
    if rep.get("chart"):
        console.print(f"chart: {esc(rep['chart'])}", highlight=False)
