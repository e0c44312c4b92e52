"""Live ideas: `thesis watch`, `thesis ideas`, `thesis journal`, `thesis note` (docs/watch.md)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import List, Optional

import typer

from thesis.cli._common import (DATE_METAVAR, SOURCE_HELP, console, err_console, esc, handle_errors,
                                parse_date, print_document, print_table)

ASOF_HELP = "Replay 'now' as the evening of this date (or set THESIS_ASOF); default: the last closed session"


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
    app.command("ideas")(ideas)
    app.command("journal")(journal)
    app.command("note")(note)


def _every(value: str) -> float:
    from thesis.errors import BadInput

    v = value.strip().lower()
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        n, u = float(v[:-1]), units[v[-1]]
    except (KeyError, ValueError, IndexError):
        raise BadInput(f"--every {value!r} is not like 15m, 1h or 30s") from None
    if n <= 0:
        raise BadInput(f"--every {value!r} must be positive")
    return n * u


@handle_errors
def watch(paths: Optional[List[Path]] = typer.Argument(None, help="Idea files or folders (default: .)"),
          once: bool = typer.Option(False, "--once", help="One pass, then exit (for cron or a systemd timer)"),
          every: Optional[str] = typer.Option(None, "--every", help="Loop: a pass every 15m, 1h, ..."),
          asof: Optional[str] = typer.Option(None, "--asof", help=ASOF_HELP),
          source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
          alerts: Optional[Path] = typer.Option(None, "--alerts", help="Alerts file (default $THESIS_HOME/alerts.toml)"),
          wait: float = typer.Option(10.0, "--wait", help="Seconds to wait for another running watch"),
          dry_run: bool = typer.Option(False, "--dry-run", help="Print the board and the alerts it would send; "
                                       "write and send nothing"),
          json: bool = typer.Option(False, "--json", help="Print one JSON document"),
          dask: Optional[str] = typer.Option(None, "--dask", help="Dask scheduler address (tcp://host:8786): "
                                             "the ideas are computed on its workers, journaled here")):
    """Follow ideas on closed bars: journal what happened, send alerts, print the board."""
    from thesis.errors import BadInput
    from thesis.watch.alerts import load_config
    from thesis.watch.run import watch_pass

    if once and every:
        raise BadInput("give --once or --every, not both")
    if not 0 <= wait <= 86400:          # also refuses nan
        raise BadInput(f"--wait {wait} must be between 0 and 86400 seconds")
    interval = _every(every) if every else None
    if interval and asof:
        raise BadInput("--every runs in real time; --asof is for one pass (--once)")
    config = load_config(alerts)
    from thesis.watch.journal import JournalBusy

    if dask is not None:
        from thesis.watch.distributed import watch_pass_dask
    while True:
        try:
            res = (watch_pass_dask(paths, dask, asof=asof, source=source, config=config, wait=wait, write=not dry_run,
                                   deliver=not dry_run) if dask is not None else
                   watch_pass(paths, asof=asof, source=source, config=config, wait=wait, write=not dry_run,
                              deliver=not dry_run))
        except JournalBusy as exc:
            if interval is None:
                raise
            err_console.print(f"[yellow]note:[/] {esc(exc)}; next try in {interval:g} s", highlight=False)
            time.sleep(interval)
            continue
        if json:
            from thesis.watch.document import watch_document

            print_document(watch_document(res))
        else:
            _print_pass(res, config, dry_run)
        if interval is None:
            break
        time.sleep(_sleep_for(interval, [r.idea.instrument for r in res.rows if r.idea is not None]))
    if res.bad_input or any(r.error and r.status is None and r.idea is None for r in res.rows):
        raise typer.Exit(2)              # an idea file that does not parse, an unknown symbol
    if res.failures or any(d["status"] == "failed" for d in res.deliveries):
        raise typer.Exit(1)              # a provider or a channel failed (the journal keeps the alert)


def _sleep_for(interval: float, instruments=None) -> float:
    """The loop's nap: the interval, or less so that the pass runs a minute after the next close of
    a watched instrument (each on its own calendar: crypto's 00:00 UTC, FX's 17:00 New York)."""
    import pandas as pd

    from thesis.watch.clock import next_close

    now = pd.Timestamp.now(tz="UTC")
    until = (next_close(now, instruments or None) - now).total_seconds() + 60
    return max(1.0, min(interval, until))


def _print_pass(res, config, dry_run: bool = False) -> None:
    from thesis.watch.run import board, not_yet_published

    if not res.rows:
        err_console.print("[yellow]note:[/] " + esc("no idea files here (*.toml files with an [idea] table)"),
                          highlight=False)
        return

    for m in res.messages:
        err_console.print(f"[yellow]note:[/] {esc(m)}", highlight=False)
    for m in res.bad_input + res.failures:
        err_console.print(f"[bold red]error:[/] {esc(m)}", highlight=False)
    _print_board(board(res), f"ideas at the close of {res.session.date()}", not_yet_published(res))
    alerts = [e for e in res.new_events if not e.get("backfill") and e["kind"] != "note"]
    history = sum(1 for e in res.new_events if e.get("backfill"))
    if history:
        console.print(f"{history} older event(s) {'would be ' if dry_run else ''}journaled as history "
                      f"(first look at the idea or its revision): `thesis journal` lists them")
    if alerts:
        _print_alerts(res, alerts, config, dry_run)
    else:
        console.print("no new alerts")
    if res.outbox is not None:
        _print_outbox(res.outbox, dry_run)


def _print_alerts(res, alerts, config, dry_run: bool) -> None:
    console.print(("[bold]alerts it would send[/] (dry run: nothing written or sent; " if dry_run else
                   "[bold]alerts[/] (") + f"{len(alerts)}; terminal" +
                  (", " + ", ".join(esc(c.name) for c in config.channels) if config.channels else "") + ")",
                  highlight=False)
    sent = {(d["event"], d["channel"]): d for d in res.deliveries}
    for e in alerts:
        r = f" {e['r']:+.2f} R" if e.get("r") is not None else ""
        line = f"  {e['session']}  {esc(e['idea'])}  [bold]{e['kind']}[/]{r}: {esc(e['text'])}"
        outs = []
        for ch in e.get("outbox", []):
            d = sent.get((e["id"], ch))
            outs.append(f"{esc(ch)}: " + ("sent" if d and d["status"] == "sent"
                                           else "pending (not tried: the channel failed earlier in this pass)"
                                           if d and d["status"] == "skipped"
                                           else f"failed ({esc(d['error'])})" if d
                                           else "would send" if dry_run else "pending"))
        if outs:
            line += "  [dim]-> " + ", ".join(outs) + "[/]"
        console.print(line, highlight=False)


def _print_outbox(o: dict, dry_run: bool) -> None:
    """One line each: retried, delivered, still pending; failures on stderr."""
    if dry_run:
        if o["pending"]:
            console.print(f"pending from earlier passes: {o['pending']:d} alert(s) (dry run: none retried)")
        return
    if not (o["delivered"] or o["failed"] or o["skipped"] or o["pending"]):
        return                           # nothing was due and nothing waits: nothing to say
    if o["retried"]:
        console.print(f"retried: {o['retried']:d} alert(s) from earlier passes, {o['retried_sent']:d} delivered, "
                      f"{o['retried'] - o['retried_sent']:d} failed")
    console.print(f"delivered: {o['delivered']:d} alert(s)")
    line = f"still pending: {o['pending']:d} alert(s)"
    if o["skipped"]:
        line += f", {o['skipped']:d} not tried (their channel failed earlier in this pass)"
    if o["next_try"]:
        line += f"; next try {esc(o['next_try'])}"
    console.print(line + ("; `thesis journal --pending` lists them" if o["pending"] else ""), highlight=False)
    by_channel: dict[str, list[dict]] = {}
    for d in o["failed"]:
        by_channel.setdefault(d["channel"], []).append(d)
    for ch, ds in by_channel.items():
        err_console.print(f"[bold red]error:[/] {len(ds)} alert(s) not delivered on {esc(ch)}: "
                          f"{esc(ds[-1]['error'])}; next try {esc(ds[-1]['next_try'])}", highlight=False)


def _decimals(symbol) -> int:
    """Prices at the instrument's tick (EURUSD 1.3200, SPY 428.40), never fewer than 2 decimals."""
    from thesis.data.instruments import instrument_of

    return max(instrument_of(symbol).decimals, 2) if symbol else 2


def _fmt_dist(d, note: str = "", decimals: int = 2) -> str:
    if not d:
        return "-"
    r = f" {d['r']:.1f}R" if d.get("r") is not None else ""
    return f"{d['level']:.{decimals}f}{note} {d['pct']:+.1f}%{r}"


def _print_board(rows, title: str, later: list | None = None) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    # "position R": the whole position's R (exits taken + the open part marked at the close; the
    # trade's R once closed); the JSON also has realized_r and open_part_r (docs/lifecycle.md)
    for col, nw in (("idea", False), ("state", False), ("last", True), ("zone", False), ("stop", False),
                    ("target", False), ("position R", True), ("days", True), ("last event", False)):
        table.add_column(col, no_wrap=nw, justify="right" if col in ("last", "position R", "days") else "left")
    for r in rows:
        state = r["state"] + (f" ({r['reason']})" if r.get("reason") else "")
        for v in r.get("variants") or ():       # a limit idea's signal variant, beside the row's position
            state += f"; {v['variant']} {'closed' if v['closed'] else 'open'}" + (
                f" {v['position_r']:+.2f} R" if v.get("position_r") is not None else "")
        if r.get("error"):
            state += f" [red]{esc(r['error'][:80])}[/]"
        le = r.get("last_event")
        last_event = f"{le['session']} {le['kind']}" if le else "-"
        places = _decimals(r.get("symbol"))
        table.add_row(esc(r["id"]), state, "%.*f" % (places, r["price"]) if r.get("price") is not None else "-",
                      _fmt_dist(r.get("zone"), decimals=places),
                      _fmt_dist(r.get("stop"), " BE" if r.get("stop_moved") else "", places),
                      _fmt_dist(r.get("next_target"), decimals=places),
                      f"{r['position_r']:+.2f}" if r.get("position_r") is not None else "-",
                      str(r["days_left"]) if r.get("days_left") is not None else "-", last_event)
    print_table(table, drop=("last event", "zone", "days"))
    if later:
        names = ", ".join(f"{r['id']} ({r['published']})" for r in later)
        after = title.rsplit(" ", 1)[-1]         # the board's session
        console.print(f"not shown, published after {esc(after)}: {esc(names)}", highlight=False)


@handle_errors
def ideas(folder: Path = typer.Argument(Path("."), help="Folder of idea files (or one file)"),
          asof: Optional[str] = typer.Option(None, "--asof", help=ASOF_HELP),
          source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
          json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """The board: every idea in a folder with its state, distances, position R, days left, last event."""
    from thesis.watch.run import board, not_yet_published, watch_pass

    res = watch_pass([folder], asof=asof, source=source, write=False, deliver=False)
    if json:
        from thesis.watch.document import ideas_document

        print_document(ideas_document(res))
    else:
        for m in res.messages:
            err_console.print(f"[yellow]note:[/] {esc(m)}", highlight=False)
        for m in res.bad_input + res.failures:
            err_console.print(f"[bold red]error:[/] {esc(m)}", highlight=False)
        _print_board(board(res), f"ideas at the close of {res.session.date()}", not_yet_published(res))
    if res.bad_input:
        raise typer.Exit(2)
    if res.failures:
        raise typer.Exit(1)


#: Rows of ``thesis journal``'s table (the latest); ``--json`` prints every row.
TABLE_ROWS = 500


@handle_errors
def journal(idea: Optional[str] = typer.Argument(None, help="Idea id (file name without .toml) or idea file"),
            since: Optional[str] = typer.Option(None, "--since", metavar=DATE_METAVAR,
                                                help="Only sessions on or after this date"),
            pending: bool = typer.Option(False, "--pending", help="Only alerts not yet delivered, per channel"),
            json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """The timeline of events and notes, with each alert's delivery per channel."""
    from thesis.errors import BadInput
    from thesis.watch.journal import Journal, delivery_view, timeline

    from thesis.data.dates import check_since

    since_day = check_since(since, "--since")   # the one date check (not after today), without pandas
    jr = Journal()
    iid = (Path(idea).stem if idea.endswith(".toml") else idea) if idea else None
    events, dmap, known, last = timeline(jr, iid, None if since_day is None else since_day.isoformat(), pending)
    if known is not None:
        shown = sorted(known)[:10]
        more = f" and {len(known) - len(shown):,} more" if len(known) > len(shown) else ""
        raise BadInput(f"no idea {iid!r} in the journal {jr.path}" +
                       (f" (known: {', '.join(shown)}{more})" if known else " (it is empty)"))
    from thesis.watch.alerts import resting_channels

    # a channel that failed: its untried alerts wait with it (its last delivery record says until when)
    resting = resting_channels(last)
    docs = []
    for e in events:
        view = delivery_view(e, dmap)
        for ch, v in view.items():
            if v["status"] == "pending" and ch in resting:
                v["next_try"] = resting[ch]
        if pending and all(v["status"] == "sent" for v in view.values()):
            continue
        if pending and not view:
            continue
        docs.append(journal_row(e, view))
    docs.sort(key=lambda d: (d["session"], d["recorded"] or ""))
    if json:
        from thesis.watch.document import JournalDocument

        print_document(JournalDocument.model_validate({"journal": str(jr.path), "events": docs}))
        return
    from rich.table import Table

    latest = docs[-TABLE_ROWS:]     # the latest: a terminal table of 10,000 rows takes rich 10 s
    table = Table(title=f"{'pending alerts' if pending else 'journal'}: {esc(jr.path)}", title_justify="left")
    with_delivery = any(d["deliveries"] for d in latest)
    cols = (("session", True), ("idea", False), ("event", False), ("price", True), ("R", True), ("text", False))
    for col, nw in cols + ((("delivery", False),) if with_delivery else ()):
        table.add_column(col, no_wrap=nw, justify="right" if col in ("price", "R") else "left",
                         ratio=3 if col == "text" else None)
    for d in latest:
        dl = []
        for ch, v in d["deliveries"].items():
            if v["status"] == "failed":
                dl.append(f"{ch}: failed x{v['attempts']} ({v['error']}); next {v.get('next_try')}")
            else:
                dl.append(f"{ch}: {v['status']}" + (f"; next {v['next_try']}" if v.get("next_try") else ""))
        kind = d["kind"] + (f" (rev {d['revision']})" if d.get("revision") else "")
        cells = [d["session"], esc(d["idea"]), kind, _price_cell(d["price"], d.get("symbol")),
                 f"{d['r']:+.2f}" if d["r"] is not None else "-", esc(d["text"])]
        table.add_row(*cells, *([esc("; ".join(dl)) or "-"] if with_delivery else []))
    if not docs:
        console.print("nothing pending" if pending else "the journal is empty: run `thesis watch` first")
        return
    print_table(table, drop=("delivery", "price"))
    if len(latest) < len(docs):
        console.print(f"the latest {len(latest):,} of {len(docs):,} rows; `--since D` or an idea narrows them, "
                      "`--json` prints all", highlight=False)


def journal_row(rec, view: dict) -> dict:
    """A row of the timeline (thesis.watch.document.JournalRow) of an event record and its deliveries;
    an alert another tool sent in (TradingView) reads as one beside thesis's events."""
    from thesis.watch.records import EventRecord

    if isinstance(rec, EventRecord):
        return {"id": rec.id, "idea": rec.idea, "symbol": rec.symbol, "kind": rec.kind, "session": rec.session,
                "price": rec.price, "r": rec.r, "text": rec.text, "revision": rec.revision, "file": rec.file,
                "recorded": rec.recorded, "history": bool(rec.backfill), "deliveries": view, "source": "thesis"}
    what = rec.kind + (f" {rec.key}" if rec.key else "")
    return {"id": rec.id, "idea": rec.idea, "symbol": None, "kind": f"tradingview: {rec.kind}", "session": rec.session,
            "price": rec.price, "r": None, "text": f"TradingView alert: {what} at bar time {rec.time}",
            "revision": None, "file": None, "recorded": rec.recorded, "history": False, "deliveries": view,
            "source": rec.source}


@handle_errors
def note(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
         text: str = typer.Argument(..., help="The note"),
         date: Optional[str] = typer.Option(None, "--date", metavar=DATE_METAVAR,
                                            help="Session date of the note (default: today)"),
         snapshot: bool = typer.Option(False, "--snapshot", help="Render the chart as of that date next to the idea"),
         source: Optional[str] = typer.Option(None, help=SOURCE_HELP)):
    """Append a dated note to an idea file (comments and layout kept), with an optional snapshot."""
    from thesis.watch.notes import add_note

    doc = add_note(idea, text, parse_date(date, "--date"), snapshot=snapshot, source=source)
    console.print(f"[green]noted[/] {esc(str(idea))} {doc['date']}: {esc(doc['text'])}", highlight=False)
    if doc.get("snapshot"):
        console.print(f"snapshot: {esc(doc['snapshot'])}", highlight=False)


def _price_cell(price, symbol) -> str:
    """A journal price at the instrument's tick (GBPUSD 1.2700); 2 decimals for a record without a symbol."""
    if price is None:
        return "-"
    from thesis.data.instruments import instrument_of

    return instrument_of(symbol).price_text(price) if symbol else f"{price:.2f}"
