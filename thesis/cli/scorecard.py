"""`thesis scorecard DIR`: grade every idea an author published, and the author."""
from __future__ import annotations

from thesis import display
from pathlib import Path
from typing import Optional

import typer

from thesis.cli._common import (DATE_METAVAR, bounded, console, err_console, esc, handle_errors, parse_date, plural, print_json,
                                print_table)


@handle_errors
def scorecard(folder: Path = typer.Argument(..., help="Folder of idea files (*.toml) and/or posts (*.txt)"),
              by: str = typer.Option("author", "--by", help="Group by: author, symbol or direction"),
              asof: Optional[str] = typer.Option(None, "--asof", metavar=DATE_METAVAR,
                                                 help="Grade as of this date (ideas published later are left out)"),
              draws: int = typer.Option(1000, "--draws", help="Random-entry draws of the skill test (0: skip it)"),
              seed: int = typer.Option(0, "--seed", help="Seed of the random draws and the bootstrap"),
              setup: bool = typer.Option(True, "--setup/--no-setup",
                                         help="Study each idea's trigger on its symbol before publication"),
              json: bool = typer.Option(False, "--json", help="One JSON document (schema thesis.scorecard/1)"),
              report: Optional[Path] = typer.Option(None, "--report", help="Write an HTML report into this folder"),
              account: Optional[float] = typer.Option(None, callback=bounded(above=0, hi=1e13),
                                                      help="Account size: each idea's P&L in its currency, and totals"),
              risk: str = typer.Option("0.01", help="Part of the account risked per idea (with --account): 0.01 or 1%"),
              currency: str = typer.Option("USD", help="Account currency (with --account)"),
              source: Optional[str] = typer.Option(None, "--source", help="csv:DIR, yahoo or store")):
    """Replay every idea in FOLDER with its own levels and grade each author against random entries."""
    from thesis.scorecard import scorecard as run

    from thesis.cli.study import LazyProgress

    from thesis.risk.units import parse_risk

    asof = parse_date(asof, "--asof")
    progress = LazyProgress(enabled=not json)
    try:
        card = run(folder, by=by, asof=asof, source=source, draws=draws, seed=seed, with_setup=setup,
                   progress=progress, account=account, risk_fraction=parse_risk(risk), currency=currency)
    finally:
        progress.close()
    doc = card.to_dict()
    if report is not None:
        from thesis.scorecard.report import write_report

        doc["report"] = str(write_report(card, report, source=source))
    if json:
        print_json(doc)
        return
    print_scorecard(doc)


def _f(v, fmt="{:.2f}") -> str:
    return display.fmt(v, fmt)


def _ci(ci, fmt="{:.2f}") -> str:
    return "" if not ci or ci[0] is None else f" [{fmt.format(ci[0])}, {fmt.format(ci[1])}]"


def print_scorecard(doc: dict) -> None:
    from rich.table import Table

    sized = any(g.get("money") for g in doc["ideas"])

    t = Table(title=f"Ideas in {esc(doc['folder'])}" + (f" as of {doc['asof']}" if doc["asof"] else ""),
              title_justify="left")
    for name, key in (("published", True), ("symbol", True), ("side", False), ("outcome", False),
                      ("R", True), *([("P&L", True)] if sized else []), ("MFE R", False), ("MAE R", False), ("days", False), ("claims", False),
                      ("setup before", False), ("file", False)):
        t.add_column(name, no_wrap=key, justify="right" if name in ("R", "P&L", "MFE R", "MAE R", "days") else "left")
    for g in doc["ideas"]:
        claims = "-" if not g["claims"] else f"{sum(c['held'] for c in g['claims'])}/{len(g['claims'])} held"
        setup = g.get("setup") or {}
        setup_txt = "-" if not setup else (
            esc(setup["error"], 40) if "error" in setup else
            f"{setup['trigger']}: {setup['signals']} trades, hit {_f(setup['hit_rate'], '{:.0%}')}")
        outcome = g["outcome"] if not g.get("error") else f"error: {g['error']}"
        t.add_row(g["published"], esc(g["symbol"]), g["direction"], esc(outcome, 80), _f(g["r"], "{:+.2f}"), *([_money_cell(g["money"])] if sized else []),
                  _f(g["mfe_r"], "{:+.2f}"), _f(g["mae_r"], "{:+.2f}"), _f(g["days_to_outcome"], "{:d}"),
                  claims, setup_txt, esc(Path(g["file"]).name))
    print_table(t, drop=("file", "setup before", "MAE R", "MFE R", "claims", "days"))
    key = doc["by"]
    for a in doc["authors"]:
        name = a[key]
        s = a["skill"]
        lines = [
            f"[bold]{esc(name)}[/]: {plural(a['ideas'], 'idea')}, {a['filled']} filled "
            f"({_f(a['fill_rate'], '{:.0%}')}), {a['closed']} closed, {a['open']} open",
            f"hit rate {_f(a['hit_rate'], '{:.0%}')}{_ci(a['hit_rate_ci'], '{:.0%}')}, win rate "
            f"{_f(a['win_rate'], '{:.0%}')}, mean R {_f(a['mean_r'], '{:+.2f}')}{_ci(a['mean_r_ci'], '{:+.2f}')}, "
            f"expectancy {_f(a['expectancy_pct'], '{:+.2f}')}% per trade",
            f"following every idea at 1R: total {_f(a['total_r'], '{:+.2f}')} R, worst drawdown "
            f"{_f(a['worst_drawdown_r'])} R",
            f"claims held: {a['claims_held']}/{a['claims']}; median days held {_f(a['median_days_used'], '{:.0f}')} "
            f"vs stated horizon {_f(a['median_days_stated'], '{:.0f}')}",
        ]
        if a.get("money"):
            m = a["money"]
            unsized = (f"; {m['ideas_unsized']} without the FX rate to convert" if m["ideas_unsized"] else "") + (
                f"; {m['ideas_below_one_unit']} where one unit risks more than the budget"
                if m["ideas_below_one_unit"] else "")
            lines.append(f"in {m['currency']}: total P&L {_f(m['total_pnl'], '{:+,.2f}')} over {m['ideas_sized']} sized "
                         f"ideas (at most {_f(m['max_loss_total'], '{:,.2f}')} lost if every stop were hit){unsized}")
        if s.get("draws"):
            lines.append(f"skill test ({s['draws']} random-entry draws, same levels): random mean R "
                         f"{_f(s['random_mean_r'], '{:+.2f}')} (90% of draws in {_ci(s['random_mean_r_90'], '{:+.2f}').strip()}); "
                         f"author {_f(s['author_mean_r'], '{:+.2f}')} -> percentile {_f(s['percentile'], '{:.0f}')}, "
                         f"p = {_f(s['p_value'], '{:.3f}')}")
        lines.append(f"verdict: {esc(s['verdict'])}")
        console.print("\n".join(lines))
    for sk in doc["skipped"]:
        missing = f" (lacks: {', '.join(sk['missing'])})" if sk.get("missing") else ""
        err_console.print(f"[yellow]not graded:[/] {esc(sk['file'])}: {esc(sk['reason'], 300)}{esc(missing)}")
    if doc.get("report"):
        console.print(f"report: {esc(doc['report'])}")


def _money_cell(m) -> str:
    """An idea's P&L on the position in the account currency; '-' without a size."""
    if not m or "error" in m:
        return "-"
    if not m["units"]:
        return f"0 {m['unit']}"     # one contract risks more than the budget
    return f"{m['pnl_position']:+,.2f}"


def register(root: typer.Typer) -> None:
    root.command("scorecard")(scorecard)
