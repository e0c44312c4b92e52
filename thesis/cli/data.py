"""`thesis data ...`: pull, show, check and list bars.

Top-level imports stay light (see thesis/cli/__init__.py): thesis.data and pandas
are imported inside each command.
"""
from __future__ import annotations

from typing import Any, Optional

import typer

from thesis.cli._common import (DATE_METAVAR, MAX_MESSAGE_CHARS, console, err_console, esc, handle_errors, plural,
                                print_json, print_table)

app = typer.Typer(help="Pull, inspect and validate market data.", no_args_is_help=True)

SOURCE_HELP = "csv:DIR, yahoo or store[:PATH] (default: csv:$THESIS_DATA when set, else yahoo)"
MAX_WARNINGS = 10


def _adjustments(adjustment: str) -> list[str]:
    from thesis.data import ADJUSTMENTS
    from thesis.errors import BadInput

    if adjustment == "both":
        return list(ADJUSTMENTS)
    if adjustment not in ADJUSTMENTS:
        raise BadInput(f"--adjustment must be as-traded, adjusted or both, not {adjustment[:40]!r}")
    return [adjustment]


def _symbols(symbols: list[str]) -> list[str]:
    """Every symbol through the one rule, duplicates dropped (order kept)."""
    from thesis.data.instruments import resolve

    out: list[str] = []
    for s in symbols:
        sym = resolve(s).symbol       # names people write: USOIL is CL=F, ^TNX is TNX
        if sym not in out:
            out.append(sym)
    return out


def print_warnings(warnings: list[str], limit: int = MAX_WARNINGS, hint: str = "thesis data check") -> None:
    """Validation warnings on stderr (escaped, at most ``limit``, then a count)."""
    for w in warnings[:limit]:
        err_console.print(f"[yellow]warning:[/] {esc(w, MAX_MESSAGE_CHARS)}", highlight=False, soft_wrap=True)
    if len(warnings) > limit:
        err_console.print(f"[yellow]warning:[/] and {len(warnings) - limit} more ({esc(hint)})", highlight=False)


@app.command()
@handle_errors
def pull(symbols: list[str] = typer.Argument(..., help="Symbols to pull, e.g. IWM SPY QQQ"),
         source: Optional[str] = typer.Option(None, help="csv:DIR or yahoo (default: csv:$THESIS_DATA when "
                                                          "set, else yahoo)"),
         from_: Optional[str] = typer.Option(None, "--from", metavar=DATE_METAVAR, help="First date (YYYY-MM-DD)"),
         to: Optional[str] = typer.Option(None, "--to", metavar=DATE_METAVAR, help="Last date (YYYY-MM-DD)"),
         adjustment: str = typer.Option("as-traded", help="as-traded, adjusted or both"),
         json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """Fetch bars and upsert them into the local store (each symbol in one transaction)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from thesis.data import CsvFolder, Store, check_range, default_source, get_provider
    from thesis.data.adapters.csv_folder import folder_adjustment
    from thesis.data.dates import empty_range_message
    from thesis.errors import BadInput, StoreError, SymbolNotFound, ThesisError

    names = _symbols(symbols)
    start, end = check_range(from_, to, names=("--from", "--to"))
    adjs = _adjustments(adjustment)
    source = source or default_source()
    if source == "store" or source.startswith("store:"):
        raise BadInput(f"--source {source[:60]}: pull copies bars INTO the store; pull from csv:DIR or yahoo "
                       f"(the store's bars are already there: thesis data ls)")
    provider = get_provider(source)
    store = Store()
    if isinstance(provider, CsvFolder) and not provider.is_root_layout:
        # A plain folder holds one adjustment, named by the folder (daily-adjusted, ...).
        adjs = [folder_adjustment(provider.root)]
    work = [(sym, adj) for sym in names for adj in adjs]
    results: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    stopped: dict[str, Any] | None = None
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True, disable=json) as progress:
        task = progress.add_task("pulling", total=len(work))
        for k, (sym, adj) in enumerate(work):
            progress.update(task, description=f"pulling {sym} ({adj})")
            try:
                bars = provider.fetch(sym, adj, start, end)
                if bars.empty:
                    whole = provider.fetch(sym, adj) if isinstance(provider, CsvFolder) else None
                    raise BadInput(empty_range_message(sym, start, end, whole))
                written = store.upsert(bars)
                results.append({"symbol": sym, "adjustment": adj, "source": bars.attrs["source"],
                                "rows": written, "first": bars.index[0], "last": bars.index[-1],
                                "last_close": float(bars["close"].iloc[-1]),
                                "warnings": bars.attrs.get("warnings", [])})
            except StoreError as exc:
                # The store itself failed (disk full, permission, damage): stop, say what is in and what is not.
                stopped = {"symbol": sym, "adjustment": adj, "error": str(exc), "exit_code": exc.exit_code,
                           "not_stored": [f"{s} ({a})" for s, a in work[k:]]}
                failures.append(stopped)
                break
            except ThesisError as exc:
                failures.append({"symbol": sym, "adjustment": adj, "error": str(exc), "exit_code": exc.exit_code,
                                 "missing": isinstance(exc, SymbolNotFound)})
            progress.advance(task)
    # --adjustment both: a symbol the source holds in one adjustment only is a note, not a failure.
    pulled = {r["symbol"] for r in results}
    skipped = [f for f in failures if adjustment == "both" and f.pop("missing", False) and f["symbol"] in pulled]
    failures = [f for f in failures if f not in skipped]
    for f in failures:
        f.pop("missing", None)
    payload = {"store": str(store.path), "pulled": results, "failed": failures,
               "skipped": [{"symbol": f["symbol"], "adjustment": f["adjustment"], "why": f["error"]} for f in skipped]}
    if stopped:
        payload["not_stored"] = stopped["not_stored"]
    if json:
        print_json(payload)
    elif results:
        table = Table(title=f"Pulled into {esc(store.path)}")
        for col in ("symbol", "adjustment", "source", "rows", "first", "last", "last close"):
            table.add_column(col, justify="right" if col in ("rows", "last close") else "left",
                             no_wrap=col in ("symbol", "adjustment", "first", "last", "last close"))
        for r in results:
            table.add_row(esc(r["symbol"]), r["adjustment"], esc(r["source"]), str(r["rows"]),
                          str(r["first"].date()), str(r["last"].date()), _price_of(r["symbol"], r["last_close"]))
        print_table(table, drop=("source", "adjustment"))
        for r in results:
            print_warnings([f"{r['symbol']}: {w}" for w in r["warnings"]])
    for f in skipped:
        err_console.print(f"[yellow]note:[/] no {f['adjustment']} bars of {esc(f['symbol'])} in this source "
                          f"(pulled the other adjustment)", highlight=False, soft_wrap=True)
    for f in failures:
        err_console.print(f"[bold red]error:[/] {esc(f['error'], 2000)}", highlight=False, soft_wrap=True)
    if stopped:
        done = ", ".join(f"{r['symbol']} ({r['adjustment']})" for r in results) or "nothing"
        err_console.print(f"[bold red]error:[/] the pull stopped at {esc(stopped['symbol'])}: stored {esc(done)}; "
                          f"not stored {esc(', '.join(stopped['not_stored']))}", highlight=False, soft_wrap=True)
    if failures:
        raise typer.Exit(max(f["exit_code"] for f in failures))


@app.command()
@handle_errors
def show(symbol: str = typer.Argument(..., help="Symbol, e.g. IWM"),
         timeframe: str = typer.Option("1d", help="1d, 1w or 1mo"),
         from_: Optional[str] = typer.Option(None, "--from", metavar=DATE_METAVAR, help="First date (YYYY-MM-DD)"),
         to: Optional[str] = typer.Option(None, "--to", metavar=DATE_METAVAR, help="Last date (YYYY-MM-DD)"),
         source: Optional[str] = typer.Option(None, help="csv:DIR, yahoo or store[:PATH] (default: the store "
                                                          "when it holds the symbol, else csv:$THESIS_DATA "
                                                          "when set, else yahoo)"),
         adjustment: str = typer.Option("as-traded", help="as-traded or adjusted"),
         rows: int = typer.Option(20, help="Rows to print, the last ones (table output; --all for every row)"),
         all_: bool = typer.Option(False, "--all", help="Print every row of the range"),
         json: bool = typer.Option(False, "--json", help="Print one JSON document (every row)")):
    """Show bars, resampled to weekly or monthly on request."""
    from rich.table import Table

    from thesis.data import Store, bar_warnings, check_range, get_provider, load_bars, resample
    from thesis.data.adapters.base import clip_dates
    from thesis.data.dates import empty_range_message
    from thesis.errors import BadInput, StoreError, SymbolNotFound

    if timeframe not in ("1d", "1w", "1mo"):
        raise BadInput(f"--timeframe must be 1d, 1w or 1mo, not {timeframe[:20]!r}")
    if rows < 1:
        raise BadInput(f"--rows must be at least 1, not {rows} (--all prints every row)")
    if adjustment not in ("as-traded", "adjusted"):
        raise BadInput(f"--adjustment must be as-traded or adjusted, not {adjustment[:40]!r}")
    symbol = _symbols([symbol])[0]
    start, end = check_range(from_, to, names=("--from", "--to"))
    notes = []
    if source is None:
        store = Store()
        try:
            bars = store.fetch(symbol, adjustment)
        except SymbolNotFound:
            bars = load_bars(symbol, adjustment)
        except StoreError as exc:
            bars = load_bars(symbol, adjustment)
            notes.append(f"the store could not be read, so these bars come from {bars.attrs['source']}: {exc}")
    else:
        bars = get_provider(source).fetch(symbol, adjustment)
    check_range(start, end, last=bars.index[-1] if len(bars) else None, names=("--from", "--to"))
    for n in notes:
        err_console.print(f"[yellow]note:[/] {esc(n, 600)}", highlight=False, soft_wrap=True)
    print_warnings(bar_warnings(bars))
    picked = clip_dates(bars, start, end)
    picked.attrs = dict(bars.attrs)
    frame = resample(picked, timeframe) if len(picked) else picked.assign(partial=False)
    frame.attrs = {**bars.attrs, "timeframe": timeframe}
    meta = {k: frame.attrs.get(k) for k in ("symbol", "source", "adjustment", "timeframe")}
    empty = f"{empty_range_message(symbol, start, end, bars)} [{bars.attrs.get('source')}]" if frame.empty else None
    if json:
        print_json({**meta, "rows": len(frame), "bars": frame, "warnings": bar_warnings(bars),
                    "flagged": dict(bars.attrs.get("flagged", {})), **({"message": empty} if empty else {})})
        if empty:
            err_console.print(f"[yellow]note:[/] {esc(empty)}", highlight=False, soft_wrap=True)
        return
    if empty:
        err_console.print(f"[yellow]note:[/] {esc(empty)}", highlight=False, soft_wrap=True)
        return
    shown = frame if all_ else frame.tail(rows)
    table = Table(title=f"{esc(meta['symbol'])} {timeframe} ({meta['adjustment']}, {esc(meta['source'])})")
    for col in ("date", "open", "high", "low", "close", "volume"):
        table.add_column(col, justify="right", no_wrap=col != "volume")
    for d, r in shown.iterrows():
        mark = " *" if r.get("partial") else ""
        table.add_row(str(d.date()) + mark, *(_price_of(meta["symbol"], r[c]) for c in ("open", "high", "low", "close")),
                      f"{r['volume']:,.0f}")
    if len(shown) < len(frame):
        table.caption = (f"the last {len(shown)} of {len(frame)} rows; --rows N or --all for more, "
                         f"--from/--to for another range")
    print_table(table, drop=("volume",))
    if frame["partial"].any():
        console.print("* partial period (not complete in the data)")


@app.command()
@handle_errors
def check(source: str = typer.Argument(..., help="csv:DIR, store[:PATH] or yahoo"),
          symbols: Optional[list[str]] = typer.Argument(None, help="Symbols (default: every file)"),
          adjustment: str = typer.Option("both", help="as-traded, adjusted or both"),
          json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """Validation report. Exit status 1 when any problem is found, 2 when there is nothing to check."""
    from rich.table import Table

    from thesis.data import CsvFolder, Store, get_provider
    from thesis.data.adapters.csv_folder import folder_adjustment
    from thesis.data.validate import REJECT, REPORT, Problem, validate_frame
    from thesis.errors import BadInput, ThesisError

    names_given = _symbols(symbols) if symbols else []
    adjs = _adjustments(adjustment)
    provider = get_provider(source)
    if isinstance(provider, Store) and not provider.exists():
        raise BadInput(f"store {provider.path} does not exist: nothing to check")
    problems, checked, seen = [], 0, set()
    for adj in adjs:
        if isinstance(provider, CsvFolder) and not provider.is_root_layout and folder_adjustment(provider.root) != adj:
            continue
        names = names_given or provider.symbols(adj)
        if names_given and isinstance(provider, (CsvFolder, Store)) and adjustment == "both":
            names = [s for s in names if s in provider.symbols(adj)]
        if isinstance(provider, CsvFolder) and not names_given:
            for stray in provider.stray_files(adj):
                problems.append(Problem(stray.stem, str(stray), None, None, "not a symbol", REPORT,
                                        "file name breaks the symbol rule: skipped"))
        for sym in names:
            if isinstance(provider, CsvFolder):
                try:   # markets/ serves both adjustments: one file is checked once
                    path = provider.path_for(sym, adj)
                except BadInput:
                    path = None
                if path is not None and path in seen:
                    continue
                seen.add(path)
                checked += 1
                problems += provider.check(sym, adj).problems
                continue
            checked += 1
            try:
                bars = provider.fetch(sym, adj)
                _, report = validate_frame(bars.reset_index(), sym, provider.name)
                problems += report.problems
            except ThesisError as exc:
                problems.append(Problem(sym, provider.name, None, None, "unreadable", REJECT, str(exc)))
    if checked == 0:
        if names_given:
            raise BadInput(f"none of {', '.join(names_given)} found in {source}")
        what = ("Yahoo cannot list its symbols: name them (thesis data check yahoo IWM SPY)"
                if provider.name == "yahoo" else f"no bar sets found in {source} (SYMBOL.csv files, or "
                                                 f"daily/ and daily-adjusted/ folders of them)")
        raise BadInput(f"nothing to check: {what}")
    if json:
        print_json({"source": source, "checked": checked, "ok": not problems,
                    "problems": [p.to_dict() for p in problems]})
    elif problems:
        table = Table(title=f"{plural(len(problems), 'problem')} in {plural(checked, 'bar set')}")
        for col in ("symbol", "where", "kind", "action", "detail"):
            table.add_column(col, overflow="fold", no_wrap=col in ("symbol",))
        for p in problems:
            where = p.path.rsplit("/", 1)[-1] + (f":{p.line}" if p.line else "") + (f" ({p.date})" if p.date else "")
            table.add_row(esc(p.symbol, 30), esc(where, 80), esc(p.kind), p.action, esc(p.message, 300))
        print_table(table)
    else:
        console.print(f"[green]{plural(checked, 'bar set')} checked: no problems[/]")
    if problems:
        raise typer.Exit(1)


@app.command("ls")
@handle_errors
def ls(json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """List what the local store holds."""
    from rich.table import Table

    from thesis.data import Store

    store = Store()
    inv = store.inventory()
    if json:
        print_json({"store": str(store.path), "sets": inv})
        return
    table = Table(title=f"Store {esc(store.path)}")
    for col in ("symbol", "adjustment", "source", "rows", "first", "last"):
        table.add_column(col, no_wrap=col in ("symbol", "first", "last"))
    for r in inv.itertuples():
        table.add_row(esc(r.symbol), r.adjustment, esc(r.source), str(r.rows), str(r.first)[:10], str(r.last)[:10])
    print_table(table, drop=("source",))
    if inv.empty:
        console.print("The store is empty: thesis data pull SYMBOL")


def _price_of(symbol, price) -> str:
    """A price at the instrument's tick: EURUSD 1.0842, USDJPY 151.20, SPY 412.35."""
    from thesis.data.instruments import instrument_of

    return instrument_of(symbol).price_text(float(price))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="data")
