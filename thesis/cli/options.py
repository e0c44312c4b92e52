"""`thesis options ...`: price an option, plan option trades for an idea, what-if grids.

All prices are model prices (Black-Scholes-Merton / QuantLib American), not quotes.
Units: vega per 1.00 of vol (divide by 100 for one vol point), theta per year (divide by
365 for one calendar day), rho per 1.00 of rate.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Optional

import typer
from pathlib import Path
from rich.table import Table

from thesis.cli._common import (DATE_METAVAR, bounded, console, esc, handle_errors, output_file, parse_date,
                                print_json, print_table)
from thesis.errors import BadInput
# The idea file's [options] table and the pricers use the same ranges: what one refuses, all refuse.
from thesis.limits import (FIRST_YEAR, LAST_YEAR, MAX_CONTRACTS, MAX_DAYS, MAX_DIV_YIELD, MAX_HORIZON_DAYS, MAX_IV,
                           MAX_PRICE, MAX_RATE, MIN_DIV_YIELD, MIN_RATE)

if TYPE_CHECKING:  # heavy modules load inside the commands, so `thesis --help` stays fast
    from thesis.options.plan import OptionsPlan
    from thesis.options.scenario import ScenarioGrid
    from thesis.options.strategies import Leg, Position

app = typer.Typer(help="Option prices, option plans for an idea, and what-if grids (model prices, not quotes).",
                  no_args_is_help=True)

UNITS = "vega per 1.00 of vol (0.01 = 1 vol point), theta per year (dV/dt), rho per 1.00 of rate"
IV_HELP = "Implied vol as a decimal (0.20 = 20 %)"
DECIMAL = "write it as a decimal: 0.20 means 20 %"
RATE = bounded(MIN_RATE, MAX_RATE, hint=DECIMAL)
DIV_YIELD = bounded(MIN_DIV_YIELD, MAX_DIV_YIELD, hint=DECIMAL)
PRICE = bounded(above=0, hi=MAX_PRICE)
IV = bounded(above=0, hi=MAX_IV, hint=DECIMAL)


def _date(value: Optional[str], name: str) -> Optional[dt.date]:
    return None if value is None else _day(value, name)


def _day(value: str, name: str) -> dt.date:
    day = parse_date(value, name)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadInput(f"{name} {day}: dates must lie between {FIRST_YEAR} and {LAST_YEAR}")
    return day


def _dates(asof: Optional[str], expiry: Optional[str]) -> tuple[Optional[dt.date], Optional[dt.date]]:
    """--asof and --expiry as dates (the one parser); an expiry before the as-of date is a reversed
    range (a future as-of date is fine here: pricing is a what-if)."""
    asof_d, expiry_d = _date(asof, "--asof"), _date(expiry, "--expiry")
    if asof_d is not None and expiry_d is not None and expiry_d < asof_d:
        raise BadInput(f"--expiry {expiry_d} is before --asof {asof_d} (expiry in the past)")
    return asof_d, expiry_d


def _dividends(items: Optional[list[str]]) -> list[tuple[dt.date, float]]:
    out = []
    for item in items or []:
        day, sep, amount = item.partition(":")
        if not sep:
            raise BadInput(f"--dividend must be DATE:AMOUNT like 2023-09-20:0.70, got {item!r}")
        try:
            out.append((_day(day, "--dividend date"), float(amount)))
        except ValueError as exc:
            raise BadInput(f"--dividend amount must be a number, got {amount!r}") from exc
    return out


@app.command("price", help=f"Price one option with greeks. Units: {UNITS}.")
@handle_errors
def price_cmd(type: str = typer.Option(..., "--type", help="put or call"),
              spot: float = typer.Option(..., callback=PRICE, help="Underlying price"),
              strike: float = typer.Option(..., callback=PRICE, help="Strike"),
              days: Optional[int] = typer.Option(None, min=0, max=MAX_DAYS, help="Calendar days to expiry (t = days/365)"),
              expiry: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="Expiry date YYYY-MM-DD (needs --asof)"),
              asof: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="Pricing date YYYY-MM-DD (default today)"),
              iv: float = typer.Option(..., callback=IV, help=IV_HELP),
              rate: float = typer.Option(0.0, callback=RATE, help="Risk-free rate, continuously compounded (0.05 = 5 %)"),
              div_yield: float = typer.Option(0.0, callback=DIV_YIELD, help="Dividend yield, continuously compounded"),
              dividend: Optional[list[str]] = typer.Option(None, help="Cash dividend DATE:AMOUNT (repeatable)"),
              style: str = typer.Option("american", help="american or european"),
              json: bool = typer.Option(False, "--json", help="Print one JSON document: price, delta, gamma, vega, theta, rho")):
    from thesis.options.pricing import price as price_option
    from thesis.options.pricing import resolve_expiry

    asof_d, expiry_d = _dates(asof, expiry)
    out = price_option(type, spot, strike, days=days, expiry=expiry_d, asof=asof_d, iv=iv, rate=rate,
                       div_yield=div_yield, style=style, dividends=_dividends(dividend))
    if json:
        print_json(out)
        return
    n_days, asof_d, expiry_d = resolve_expiry(days, expiry_d, asof_d)
    table = Table(title=f"{esc(style)} {esc(type.lower())} {strike:g}, spot {spot:g}, {n_days} days "
                        f"({asof_d} -> {expiry_d}), vol {iv:.2%} - model price")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("unit")
    units = {"price": "per share", "delta": "per 1.00 of spot", "gamma": "per 1.00 of spot",
             "vega": "per 1.00 of vol", "theta": "per year", "rho": "per 1.00 of rate"}
    for key, value in out.items():
        table.add_row(key, f"{value:.6f}", units[key])
    console.print(table)
    console.print(f"per vol point: {out['vega'] / 100:.4f}; per calendar day: {out['theta'] / 365:.4f}",
                  highlight=False)


def _money(x: Optional[float]) -> str:
    return "unlimited" if x is None else f"{x:,.0f}"


def show_plan(plan: OptionsPlan, json: bool = False, chart: Optional[str] = None, top: int = 10) -> None:
    """Print a plan (rich table or one JSON document) and optionally chart the best candidate."""
    chart_path = None
    if chart:
        output_file(chart, "--chart")
        chart_path = str(_chart_best(plan, chart))
    if json:
        print_json({**plan.to_dict(), "chart": chart_path})
        return
    console.print(f"[bold]{plan.direction} idea[/]: entry {plan.entry:g}, stop {plan.stop:g}, "
                  f"targets {esc(', '.join(f'{t:g}' for t in plan.targets))}, horizon {plan.horizon_days} days "
                  f"from {plan.asof} (underlying reward/risk {plan.underlying_reward_risk:.2f})", highlight=False)
    console.print(f"vol: {plan.vol.iv:.2%} (source: {plan.vol.source}) - {plan.vol.rule}", highlight=False, markup=False)
    for note in plan.notes:
        console.print(f"- {esc(note)}", highlight=False)
    table = Table(title=f"Top {min(top, len(plan.candidates))} of {len(plan.candidates)} candidates, "
                        f"ranked by {plan.rank_by} (values at {plan.evaluation_date})")
    for col in ("#", "position", "expiry", "cost $", "P&L @ target $", "loss @ stop $", "breakeven",
                "reward/risk", "delta"):
        table.add_column(col, justify="left" if col in ("position", "expiry") else "right",
                         no_wrap=col != "position", overflow="fold")
    for c in plan.candidates[:top]:
        table.add_row(str(c.rank), esc(c.position.name), str(c.expiry), f"{c.cost:,.0f}", " / ".join(f"{p:,.0f}" for p in c.pnl_at_targets),
                      f"{c.loss_at_stop:,.0f}", f"{c.breakeven:.2f}" if c.breakeven else "-",
                      f"{c.reward_risk:.2f}" if c.reward_risk is not None else "-", f"{c.delta:+.1f}")
    print_table(table, drop=("delta", "breakeven", "loss @ stop $"))
    if chart_path:
        console.print(f"chart: {esc(chart_path)}", highlight=False)


def _chart_best(plan: OptionsPlan, path: str):
    from thesis.options.chart import save_scenario_png
    from thesis.options.scenario import scenario_grid

    best = plan.best
    grid = scenario_grid(best.position, plan.asof, plan.open_price, plan.vol.iv, plan.rate,
                         plan.div_yield, plan.style, stop=plan.stop, targets=plan.targets,
                         horizon_date=plan.asof + dt.timedelta(days=plan.horizon_days))
    return save_scenario_png(grid, path, title=f"#1 {best.name}")


@app.command("plan")
@handle_errors
def plan_cmd(idea: Optional[Path] = typer.Argument(None, help="Idea file: direction, levels, horizon, "
                                                             "symbol and [options] iv come from it"),
             direction: Optional[str] = typer.Option(None, help="long or short"),
             entry: Optional[float] = typer.Option(None, callback=PRICE, help="Entry price of the idea"),
             stop: Optional[float] = typer.Option(None, callback=PRICE, help="Stop price"),
             target: Optional[list[float]] = typer.Option(None, callback=PRICE, help="Target price (repeatable; the first ranks)"),
             horizon_days: Optional[int] = typer.Option(None, min=1, max=MAX_HORIZON_DAYS, help="Calendar days the idea needs"),
             spot: Optional[float] = typer.Option(None, callback=PRICE, help="Underlying price now (default: entry)"),
             asof: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="As-of date YYYY-MM-DD (default today; with IDEA: "
                                                           "its publication date)"),
             iv: Optional[float] = typer.Option(None, callback=IV, help=IV_HELP),
             iv_source: Optional[str] = typer.Option(None, help="vix or realized (needs --symbol)"),
             symbol: Optional[str] = typer.Option(None, help="Underlying symbol, for --iv-source"),
             source: Optional[str] = typer.Option(None, help="Data source for bars (default csv:$THESIS_DATA)"),
             rate: float = typer.Option(0.0, callback=RATE, help="Risk-free rate, continuously compounded"),
             div_yield: float = typer.Option(0.0, callback=DIV_YIELD, help="Dividend yield, continuously compounded"),
             style: str = typer.Option("european", help="european (fast) or american (QuantLib, slower)"),
             target_days: Optional[int] = typer.Option(None, min=1, max=MAX_HORIZON_DAYS, help="Days until the target is assumed hit (default horizon/2)"),
             rank_by: str = typer.Option("reward_risk", help="reward_risk, pnl, return_on_cost or cost"),
             open_at: str = typer.Option("entry", help="Open the options with the underlying at 'entry' or 'spot'"),
             top: int = typer.Option(10, min=1, max=1000, help="Rows to print"),
             json: bool = typer.Option(False, "--json", help="Print one JSON document"),
             chart: Optional[str] = typer.Option(None, help="Write the best candidate's scenario PNG here")):
    """Propose and rank option positions for a directional idea (an IDEA file or explicit flags)."""
    if symbol is not None:
        from thesis.data.instruments import resolve

        symbol = resolve(symbol, "--symbol").symbol
    from thesis.cli._common import output_file

    output_file(chart, "--chart")
    asof_d = _date(asof, "--asof")
    if top < 1:
        raise BadInput(f"--top must be at least 1, got {top}")
    if idea is not None:
        from thesis.spec import load

        spec = load(idea)
        direction = direction or spec.direction
        entry = entry if entry is not None else spec.entry_price
        stop = stop if stop is not None else spec.levels.stop
        target = target or list(spec.levels.targets)
        symbol = symbol or spec.symbol
        published = dt.date.fromisoformat(str(spec.idea.published))
        asof_d = asof_d or published
        if horizon_days is None:
            # Every horizon form (days, weeks, months, years, sessions, an end date) in calendar days.
            horizon_days = spec.horizon_days(published)
            if horizon_days is None:
                raise BadInput(f"{idea} has no horizon: add horizon to its [idea] table or give --horizon-days")
        if iv is None and iv_source is None and spec.options is not None:
            iv, iv_source = spec.options.iv, spec.options.iv_source
    if symbol is not None:
        from thesis.data.instruments import lookup

        inst = lookup(symbol)
        if not inst.is_us_equity:
            raise BadInput(f"options: the option model prices options on US stocks and ETFs; {inst.symbol} is "
                           f"{inst.kind} (options on FX, crypto and futures are out of scope)")
    if not (direction and entry and stop and target and horizon_days):
        missing = [n for n, v in (("--direction", direction), ("--entry", entry), ("--stop", stop),
                                  ("--target", target), ("--horizon-days", horizon_days)) if not v]
        raise BadInput(f"give an IDEA file or {', '.join(missing)}")
    if iv is None and iv_source is None:
        raise BadInput("give --iv or --iv-source vix|realized")
    from thesis.options.plan import plan_options

    plan = plan_options(direction, entry, stop, target, horizon_days,
                        asof_d or dt.date.today(), spot=spot, iv=iv,
                        iv_source=iv_source, symbol=symbol, rate=rate, div_yield=div_yield,
                        style=style, target_days=target_days, rank_by=rank_by, open_at=open_at,
                        source=source)
    show_plan(plan, json=json, chart=chart, top=top)


def _parse_leg(text: str, default_expiry: Optional[dt.date]) -> Leg:
    from thesis.options.strategies import Leg

    parts = text.split(":")
    if len(parts) not in (3, 4):
        raise BadInput(f"--leg must be QTY:TYPE:STRIKE[:EXPIRY] like +1:put:180 or -2:put:150:2023-12-15, got {text!r}")
    try:
        qty, strike = int(parts[0]), float(parts[2])
    except ValueError as exc:
        raise BadInput(f"--leg {text!r}: QTY must be a whole number and STRIKE a number") from exc
    expiry = _date(parts[3], "--leg expiry") if len(parts) == 4 else default_expiry
    if expiry is None:
        raise BadInput(f"--leg {text!r} has no expiry: add :YYYY-MM-DD or give --days/--expiry")
    return Leg(parts[1], strike, expiry, qty)


def build_position(type: Optional[str], strike: Optional[float], short_strike: Optional[float],
                   expiry: Optional[dt.date], contracts: int, legs: Optional[list[str]]) -> Position:
    """A long option, a vertical (with short_strike) or the explicit --leg list."""
    from thesis.options.strategies import Position, long_call, long_put, vertical

    if legs:
        return Position(tuple(_parse_leg(t, expiry) for t in legs), name="custom position")
    if type is None or strike is None:
        raise BadInput("give --type and --strike (and optionally --short-strike), or --leg")
    if short_strike is not None:
        return vertical(type, strike, short_strike, expiry, contracts)
    kind = type.lower()
    if kind not in ("put", "call"):
        raise BadInput(f"--type must be put or call, got {type!r}")
    return (long_put if kind == "put" else long_call)(strike, expiry, contracts)


def show_scenario(grid: ScenarioGrid, json: bool = False, chart: Optional[str] = None, rows: int = 15) -> None:
    chart_path = None
    if chart:
        from thesis.options.chart import save_scenario_png

        output_file(chart, "--chart")
        chart_path = str(save_scenario_png(grid, chart))
    if json:
        print_json({**grid.to_dict(), "chart": chart_path})
        return
    console.print(f"[bold]{esc(grid.position.name)}[/]: cost ${grid.cost:,.2f}, vol {grid.iv:.2%} flat, "
                  f"as of {grid.asof}, spot {grid.spot:g} - model prices, not quotes", highlight=False)
    step = max(1, len(grid.prices) // rows)
    idx = list(range(len(grid.prices) - 1, -1, -step))
    table = Table(title="P&L ($) by underlying price (rows) and date (columns)")
    table.add_column("price", justify="right", no_wrap=True)
    for d in grid.dates:
        table.add_column(str(d), justify="right", no_wrap=True)
    for i in idx:
        table.add_row(f"{grid.prices[i]:.2f}", *(f"{grid.pnl[j, i]:,.0f}" for j in range(len(grid.dates))))
    print_table(table)
    iv_table = Table(title=f"P&L ($) on {grid.iv_date} with vol shifted (vol points)")
    iv_table.add_column("price", justify="right", no_wrap=True)
    for s in grid.iv_shifts_points:
        iv_table.add_column(f"{s:+g}", justify="right", no_wrap=True)
    for i in idx:
        iv_table.add_row(f"{grid.prices[i]:.2f}", *(f"{grid.iv_pnl[k, i]:,.0f}" for k in range(len(grid.iv_shifts_points))))
    print_table(iv_table)
    for t in grid.touch:
        console.print(f"chance of touching {t['kind']} {t['level']:g} by {t['by']}: {t['probability']:.1%} "
                      f"(GBM, drift {t['drift']:.4f}, vol {grid.iv:.2%})", highlight=False)
    if chart_path:
        console.print(f"chart: {esc(chart_path)}", highlight=False)


@app.command("scenario")
@handle_errors
def scenario_cmd(type: Optional[str] = typer.Option(None, "--type", help="put or call"),
                 strike: Optional[float] = typer.Option(None, callback=PRICE, help="Strike of the bought option"),
                 short_strike: Optional[float] = typer.Option(None, callback=PRICE, help="Strike sold (makes a vertical spread)"),
                 leg: Optional[list[str]] = typer.Option(None, help="QTY:TYPE:STRIKE[:EXPIRY] (repeatable; instead of --type/--strike)"),
                 days: Optional[int] = typer.Option(None, min=0, max=MAX_DAYS, help="Calendar days to expiry"),
                 expiry: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="Expiry date YYYY-MM-DD"),
                 asof: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="As-of date YYYY-MM-DD (default today)"),
                 spot: float = typer.Option(..., callback=PRICE, help="Underlying price on the as-of date"),
                 iv: float = typer.Option(..., callback=IV, help=IV_HELP),
                 rate: float = typer.Option(0.0, callback=RATE, help="Risk-free rate, continuously compounded"),
                 div_yield: float = typer.Option(0.0, callback=DIV_YIELD, help="Dividend yield, continuously compounded"),
                 style: str = typer.Option("european", help="european (fast) or american (QuantLib, slower)"),
                 contracts: int = typer.Option(1, min=1, max=MAX_CONTRACTS, help="Contracts per leg (for --type/--strike)"),
                 stop: Optional[float] = typer.Option(None, callback=PRICE, help="Stop level to mark"),
                 target: Optional[list[float]] = typer.Option(None, callback=PRICE, help="Target level to mark (repeatable)"),
                 horizon_days: Optional[int] = typer.Option(None, min=1, max=MAX_HORIZON_DAYS, help="Idea horizon in days (marked; IV view date)"),
                 iv_shift: Optional[list[float]] = typer.Option(None, callback=bounded(-99, 500), help="Vol shift in vol points (repeatable; default -5 0 +5)"),
                 n_prices: int = typer.Option(41, min=2, max=1001, help="Price levels in the grid"),
                 n_dates: int = typer.Option(7, min=2, max=366, help="Dates in the grid (asof .. first expiry)"),
                 json: bool = typer.Option(False, "--json", help="Print one JSON document"),
                 chart: Optional[str] = typer.Option(None, help="Write the heat map + P&L lines PNG here")):
    """P&L grid of a position over price and date, IV shifts and touch probabilities."""
    from thesis.cli._common import output_file

    output_file(chart, "--chart")
    from thesis.options.pricing import resolve_expiry
    from thesis.options.scenario import scenario_grid

    asof_d, expiry_d = _dates(asof, expiry)
    asof_d = asof_d or dt.date.today()
    if days is not None or expiry is not None or not leg:
        _, asof_d, expiry_d = resolve_expiry(days, expiry_d, asof_d)
    position = build_position(type, strike, short_strike, expiry_d, contracts, leg)
    horizon = asof_d + dt.timedelta(days=horizon_days) if horizon_days else None
    grid = scenario_grid(position, asof_d, spot, iv, rate, div_yield, style, n_prices=n_prices,
                         n_dates=n_dates, iv_shifts_points=iv_shift or (-5.0, 0.0, 5.0), stop=stop,
                         targets=target or [], horizon_date=horizon)
    show_scenario(grid, json=json, chart=chart)


__all__ = ["app", "show_plan", "show_scenario", "build_position"]


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="options", help="Price, choose and stress-test options.")
