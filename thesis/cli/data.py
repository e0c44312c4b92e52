"""`thesis data ...`: pull, show, check and list bars."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from thesis.cli._common import console, err_console, handle_errors, print_json, to_jsonable
from thesis.errors import BadInput, ThesisError

# thesis.data (pandas) loads inside the commands, so `thesis data --help` stays fast.
AS_TRADED = "as-traded"  # thesis.data.AS_TRADED

app = typer.Typer(help="Pull, inspect and validate market data.", no_args_is_help=True)

SOURCE_HELP = "csv:DIR, yahoo or store (default: csv:$THESIS_DATA when set, else yahoo)"


def _adjustments(adjustment: str) -> list[str]:
    from thesis.data import ADJUSTMENTS

    if adjustment == "both":
        return list(ADJUSTMENTS)
    if adjustment not in ADJUSTMENTS:
        raise BadInput(f"--adjustment must be as-traded, adjusted or both, not {adjustment!r}")
    return [adjustment]


@app.command()
@handle_errors
def pull(symbols: list[str] = typer.Argument(..., help="Symbols to pull, e.g. IWM SPY QQQ"),
         source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
         from_: Optional[datetime] = typer.Option(None, "--from", help="First date (YYYY-MM-DD)"),
         to: Optional[datetime] = typer.Option(None, "--to", help="Last date (YYYY-MM-DD)"),
         adjustment: str = typer.Option(AS_TRADED, help="as-traded, adjusted or both"),
         json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """Fetch bars and upsert them into the local store (each symbol in one transaction)."""
    from thesis.data import CsvFolder, Store, default_source, get_provider

    source = source or default_source()
    provider = get_provider(source)
    store = Store()
    adjs = _adjustments(adjustment)
    if isinstance(provider, CsvFolder) and not provider.is_root_layout:
        # A plain folder holds one adjustment, named by the folder (daily-adjusted, ...).
        from thesis.data.adapters.csv_folder import folder_adjustment

        adjs = [folder_adjustment(provider.root)]
    results, failures = [], []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=json) as progress:
        task = progress.add_task("pulling", total=len(symbols) * len(adjs))
        for sym in symbols:
            for adj in adjs:
                progress.update(task, description=f"pulling {sym.upper()} ({adj})")
                try:
                    bars = provider.fetch(sym.upper(), adj, from_, to)
                    written = store.upsert(bars)
                    results.append({"symbol": sym.upper(), "adjustment": adj, "source": bars.attrs["source"],
                                    "rows": written, "first": bars.index[0], "last": bars.index[-1],
                                    "last_close": float(bars["close"].iloc[-1]),
                                    "warnings": bars.attrs.get("warnings", [])})
                except ThesisError as exc:
                    failures.append({"symbol": sym.upper(), "adjustment": adj, "error": str(exc),
                                     "exit_code": exc.exit_code})
                progress.advance(task)
    payload = {"store": str(store.path), "pulled": results, "failed": failures}
    if json:
        print_json(payload)
    elif results:
        table = Table(title=f"Pulled into {store.path}")
        for col in ("symbol", "adjustment", "source", "rows", "first", "last", "last close"):
            table.add_column(col, justify="right" if col in ("rows", "last close") else "left")
        for r in results:
            table.add_row(r["symbol"], r["adjustment"], r["source"], str(r["rows"]), str(r["first"].date()),
                          str(r["last"].date()), f"{r['last_close']:.2f}")
        console.print(table)
        for r in results:
            for w in r["warnings"]:
                err_console.print(f"[yellow]warning:[/] {w}", highlight=False)
    for f in failures:
        err_console.print(f"[bold red]error:[/] {f['error']}", highlight=False)
    if failures:
        raise typer.Exit(max(f["exit_code"] for f in failures))


@app.command()
@handle_errors
def show(symbol: str,
         timeframe: str = typer.Option("1d", help="1d, 1w or 1mo"),
         from_: Optional[datetime] = typer.Option(None, "--from"),
         to: Optional[datetime] = typer.Option(None, "--to"),
         source: Optional[str] = typer.Option(None, help="store (default when it holds the symbol), " + SOURCE_HELP),
         adjustment: str = typer.Option(AS_TRADED, help="as-traded or adjusted"),
         rows: int = typer.Option(20, help="Rows to print (table output)"),
         json: bool = typer.Option(False, "--json")):
    """Show bars, resampled to weekly or monthly on request."""
    from thesis.data import Store, get_provider, resample

    if timeframe not in ("1d", "1w", "1mo"):
        raise BadInput(f"--timeframe must be 1d, 1w or 1mo, not {timeframe!r}")
    _adjustments(adjustment)
    if source is None:
        store = Store()
        try:
            bars = store.fetch(symbol, adjustment, from_, to)
        except ThesisError:
            bars = get_provider().fetch(symbol.upper(), adjustment, from_, to)
    else:
        bars = get_provider(source).fetch(symbol.upper(), adjustment, from_, to)
    frame = resample(bars, timeframe)
    meta = {k: frame.attrs.get(k) for k in ("symbol", "source", "adjustment", "timeframe")}
    if json:
        print_json({**meta, "bars": frame})
        return
    table = Table(title=f"{meta['symbol']} {timeframe} ({meta['adjustment']}, {meta['source']})")
    for col in ("date", "open", "high", "low", "close", "volume"):
        table.add_column(col, justify="right")
    for d, r in frame.tail(rows).iterrows():
        mark = " *" if r.get("partial") else ""
        table.add_row(str(d.date()) + mark, *(f"{r[c]:.2f}" for c in ("open", "high", "low", "close")),
                      f"{r['volume']:,.0f}")
    console.print(table)
    if frame["partial"].any():
        console.print("* partial period (not complete in the data)")


@app.command()
@handle_errors
def check(source: str = typer.Argument(..., help="csv:DIR, store or yahoo"),
          symbols: Optional[list[str]] = typer.Argument(None, help="Symbols (default: every file)"),
          adjustment: str = typer.Option("both", help="as-traded, adjusted or both"),
          json: bool = typer.Option(False, "--json")):
    """Validation report. Exit status 1 when any problem is found."""
    from thesis.data import CsvFolder, get_provider

    provider = get_provider(source)
    problems, checked = [], 0
    for adj in _adjustments(adjustment):
        if isinstance(provider, CsvFolder) and not provider.is_root_layout:
            from thesis.data.adapters.csv_folder import folder_adjustment
            if folder_adjustment(provider.root) != adj:
                continue
        names = [s.upper() for s in symbols] if symbols else provider.symbols(adj)
        if symbols and isinstance(provider, CsvFolder) and adjustment == "both":
            names = [s for s in names if s in provider.symbols(adj)]
        for sym in names:
            checked += 1
            if isinstance(provider, CsvFolder):
                problems += provider.check(sym, adj).problems
            else:
                try:
                    bars = provider.fetch(sym, adj)
                    from thesis.data.validate import validate_frame
                    _, report = validate_frame(bars.reset_index(), sym, provider.name)
                    problems += report.problems
                except ThesisError as exc:
                    from thesis.data.validate import REJECT, Problem
                    problems.append(Problem(sym, provider.name, None, None, "unreadable", REJECT, str(exc)))
    if symbols and checked == 0:
        raise BadInput(f"none of {', '.join(symbols)} found in {source}")
    if json:
        print_json({"source": source, "checked": checked, "ok": not problems,
                    "problems": [p.to_dict() for p in problems]})
    else:
        if problems:
            table = Table(title=f"{len(problems)} problems in {checked} bar sets")
            for col in ("symbol", "where", "kind", "action", "detail"):
                table.add_column(col, overflow="fold")
            for p in problems:
                where = p.path.rsplit("/", 1)[-1] + (f":{p.line}" if p.line else "")
                table.add_row(p.symbol, where, p.kind, p.action, p.message)
            console.print(table)
        else:
            console.print(f"[green]{checked} bar sets checked: no problems[/]")
    if problems:
        raise typer.Exit(1)


@app.command("ls")
@handle_errors
def ls(json: bool = typer.Option(False, "--json")):
    """List what the local store holds."""
    from thesis.data import Store

    store = Store()
    inv = store.inventory()
    if json:
        print_json({"store": str(store.path), "sets": inv})
        return
    table = Table(title=f"Store {store.path}")
    for col in ("symbol", "adjustment", "source", "rows", "first", "last"):
        table.add_column(col)
    for r in inv.itertuples():
        table.add_row(r.symbol, r.adjustment, r.source, str(r.rows), str(r.first), str(r.last))
    console.print(table)
    if inv.empty:
        console.print("The store is empty: thesis data pull SYMBOL")
