"""Idea commands: check, evaluate, replay, chart, schema and the demo."""
from __future__ import annotations

from thesis import display
import json as _json
from pathlib import Path
from typing import Optional

import typer
from rich.panel import Panel
from rich.table import Table

from thesis.cli._common import (DATE_METAVAR, MAX_MESSAGE_CHARS, SOURCE_HELP, bounded, console, err_console, esc,
                                handle_errors, output_file, output_folder, parse_date, plural, print_json,
                                print_table)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("evaluate")(evaluate)
    app.command("replay")(replay)
    app.command("chart")(chart)
    app.command("schema")(schema)
    app.command("demo")(demo)


@handle_errors
def check(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
          source: Optional[str] = typer.Option(None, help="Also say which symbols this source lacks (csv:DIR or "
                                                          "store; default: csv:$THESIS_DATA when set)"),
          json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """Validate an idea file; errors name the file, line and key.

    This is the validation every command runs: a file check accepts is accepted by replay,
    evaluate, chart and options plan. Unknown symbols are warnings (the file is valid; the data
    source may simply not hold them)."""
    from thesis.risk import reward_risk
    from thesis.spec import load

    spec = load(idea)
    plan = reward_risk(spec.direction, spec.entry_price, spec.levels.stop, spec.levels.targets, spec.levels.sizes)
    warnings = unknown_symbols(spec, source) + level_warnings(spec, source)
    if json:
        print_json({"file": str(idea), "valid": True, "idea": spec.model_dump(mode="json"),
                    "risk_reward": plan.blended, "warnings": warnings})
        return
    for w in warnings:
        err_console.print(f"[yellow]warning:[/] {esc(w)}", highlight=False)
    console.print(f"[green]ok[/] {esc(idea)}: {esc(spec.idea.title)} ({esc(spec.symbol)} {spec.direction}, "
                  f"{plural(len(spec.triggers), 'trigger')}, {plural(len(spec.confirmations), 'confirmation')}, "
                  f"{plural(len(spec.notes), 'note')}; planned reward/risk {plan.blended:.2f}:1)", highlight=False)


def level_warnings(spec, source: Optional[str]) -> list[str]:
    """A warning when the levels are far from the symbol's price on the publication date (thesis.draft.band)."""
    from thesis.draft.band import level_warning

    lv = [*spec.levels.entry_zone, *([spec.levels.stop] if spec.levels.stop is not None else []),
          *spec.levels.targets]
    found = level_warning(spec.symbol, spec.idea.published, [float(v) for v in lv], source, light=True)
    return [found] if found else []


def idea_symbols(spec) -> list[str]:
    """Every symbol an idea reads: its own, compare symbols and confirmation symbols."""
    out = [spec.symbol, *spec.idea.compare]
    for c in spec.confirmations:
        out += [s for s in (getattr(c, "symbol", None), getattr(c, "versus", None)) if s]
    return list(dict.fromkeys(s.upper() for s in out))


def unknown_symbols(spec, source: Optional[str]) -> list[str]:
    """Warnings for symbols a local source (csv:DIR or the store) does not hold. A source that cannot
    list its symbols cheaply (yahoo) or cannot be read says nothing here."""
    from thesis.data import default_source, get_provider
    from thesis.errors import ThesisError

    src = source or default_source()
    if not (src.startswith("csv:") or src.startswith("store")):
        return []
    try:
        held = set(get_provider(src).symbols())
    except (ThesisError, OSError):
        return []
    return [f"symbol {s} is not in {src}: commands reading it from there will say so"
            for s in idea_symbols(spec) if s not in held]


@handle_errors
def evaluate(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
             asof: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="Date (default: last bar)"),
             source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
             lookback: int = typer.Option(10, help="Sessions in which recent triggers are listed (>= 1)"),
             account: Optional[float] = typer.Option(None, callback=bounded(above=0, hi=1e13),
                                                     help="Account size for position sizing"),
             risk: str = typer.Option("0.01", help="Part of the account risked (with --account): 0.01 or 1%"),
             currency: str = typer.Option("USD", help="Account currency (with --account); the idea's quote currency "
                                                      "is converted through its FX series"),
             json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """The idea's state on a date: distances to zone, stop and targets, recent triggers, the arithmetic."""
    from thesis.errors import BadInput
    from thesis.evaluate import evaluate as run
    from thesis.risk.units import parse_risk

    if lookback < 1:
        raise BadInput(f"--lookback must be a whole number of sessions >= 1, got {lookback}")
    asof = parse_date(asof, "--asof")
    doc = run(idea, asof=asof, source=source, lookback=lookback, account=account, risk_fraction=parse_risk(risk),
              currency=currency)
    if json:
        print_json(doc)
        return
    _print_evaluate(doc)


@handle_errors
def replay(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
           source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
           chart: Optional[Path] = typer.Option(None, "--chart", help="Also write the snapshot PNG here"),
           account: Optional[float] = typer.Option(None, callback=bounded(above=0, hi=1e13),
                                                   help="Account size: P&L per unit and per position in its currency"),
           risk: str = typer.Option("0.01", help="Part of the account risked at the stop (with --account): 0.01 or 1%"),
           currency: str = typer.Option("USD", help="Account currency (with --account); the idea's quote currency "
                                                    "is converted through its FX series"),
           json: bool = typer.Option(False, "--json", help="Print one JSON document")):
    """Replay the idea from its publication date over real bars and grade it."""
    from thesis.errors import ThesisError
    from thesis.replay import replay as run

    if chart:
        from thesis.chart import check_chart_path

        check_chart_path(output_file(chart, "--chart"), "--chart")  # refuse before any work is done
    # The terminal report prints confirmations on the notes' dates only: compute no others.
    from thesis.risk.units import parse_risk

    res = run(idea, source=source, confirmation_dates="all" if json else "notes", account=account,
              risk_fraction=parse_risk(risk), currency=currency)
    doc = res.to_dict()
    failed = None
    if chart:
        from thesis.chart import chart as draw

        try:
            draw(res.idea, chart, replayed=res, source=source, missing=res.missing)
            doc["chart"] = str(chart)
        except (ThesisError, OSError) as exc:  # the report is printed all the same, then the error
            failed = exc
            doc["chart_error"] = str(exc)
        doc["data"]["missing"] = list(res.missing)
    if json:
        print_json(doc)
    else:
        print_replay(doc)
    if failed is not None:
        raise failed


@handle_errors
def chart(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
          out: Path = typer.Option(..., "-o", "--out", help="Image to write: .png (or .svg, .pdf)"),
          asof: Optional[str] = typer.Option(None, metavar=DATE_METAVAR, help="Draw what was known at this date"),
          timeframe: str = typer.Option("1d", help="1d, 1w or 1mo"),
          source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
          width: int = typer.Option(1600, help="Image width in pixels"),
          height: int = typer.Option(900, help="Image height in pixels")):
    """Draw the idea's snapshot: candles, zone, stop, targets, triggers, entries, exits, notes."""
    from thesis.chart import chart as draw
    from thesis.chart import check_chart_path
    from thesis.errors import BadInput

    if timeframe not in ("1d", "1w", "1mo"):
        raise BadInput(f"--timeframe must be 1d, 1w or 1mo, not {timeframe!r}")
    asof = parse_date(asof, "--asof")
    check_chart_path(output_file(out, "-o"), "-o")
    missing: list[str] = []
    notices: list[str] = []
    path = draw(idea, out, asof=asof, timeframe=timeframe, source=source, width=width, height=height,
                missing=missing, notices=notices)
    for text in notices + missing:
        err_console.print(f"[yellow]note:[/] {esc(text)}", highlight=False)
    console.print(f"wrote {esc(path)}", highlight=False)


def schema():
    """Print the idea file's JSON schema (versioned)."""
    from thesis.spec import json_schema

    print_json(json_schema())


@handle_errors
def demo(out: Path = typer.Option(Path("out"), help="Folder for the snapshot and the JSON report")):
    """Pull IWM, SPY and QQQ, replay and draw the seed idea, then the crypto, FX and gold examples."""
    from thesis.chart import chart as draw
    from thesis.cli.data import pull
    from thesis.replay import replay as run

    output_folder(out, "--out")      # before any work: a file here would fail only at the end
    root = Path(__file__).resolve().parents[2]
    idea = root / "examples" / "iwm-no-love-for-small-caps.toml"
    pull(["IWM", "SPY", "QQQ"], source=None, from_=None, to=None, adjustment="as-traded", json=False)
    with console.status("replaying the seed idea"):
        res = run(idea)
        doc = res.to_dict()
    print_replay(doc)
    out.mkdir(parents=True, exist_ok=True)
    png = draw(res.idea, out / "iwm-no-love-for-small-caps.png", replayed=res)
    from thesis.cli._common import to_jsonable

    (out / "iwm-no-love-for-small-caps.json").write_text(_json.dumps(to_jsonable(doc), indent=2))
    console.print(f"snapshot: {esc(png)}\nreport:   {esc(out / 'iwm-no-love-for-small-caps.json')}", highlight=False)
    _demo_markets(root / "examples" / "markets", out / "markets")


def _demo_markets(folder: Path, out: Path) -> None:
    """Replay and draw one idea each on crypto, FX and a commodity (examples/markets/, docs/markets.md)."""
    from thesis.chart import chart as draw
    from thesis.replay import replay as run

    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(folder.glob("*.toml")):
        console.rule(f"markets: {esc(path.name)}")
        with console.status(f"replaying {esc(path.name)}"):
            res = run(path)
        print_replay(res.to_dict())
        png = draw(res.idea, out / f"{path.stem}.png", replayed=res)
        console.print(f"snapshot: {esc(png)}", highlight=False)


# ----------------------------------------------------------------- printing
def _fmt(v, spec=".2f"):
    return display.fmt(v, spec)


_INSTRUMENT: list = [None]     # the instrument of the document being printed (prices at its precision)


def _use_instrument(symbol: str) -> None:
    from thesis.data.instruments import instrument_of

    _INSTRUMENT[0] = instrument_of(symbol)


def _px(v, sign: bool = False) -> str:
    """A price (or price distance) at the instrument's precision: EURUSD 1.3200, USDJPY 151.20, BTC 67584.80."""
    if v is None:
        return "-"
    decimals = _INSTRUMENT[0].decimals if _INSTRUMENT[0] is not None else 2
    return format(v, f"{'+' if sign else ''}.{max(decimals, 2) if _INSTRUMENT[0] is None else decimals}f")


def _in_units(d) -> str:
    """`` (+150.0 pips)`` beside a price distance for instruments counted in pips, points or bp."""
    inst = _INSTRUMENT[0]
    if d is None or not _counted() or inst.unit_size == 1.0:    # points of size 1 read as the price itself
        return ""
    return f" ({inst.units(d):+,.1f} {inst.unit_label()})"


def _counted() -> bool:
    """Whether the instrument counts distances in its own unit (pips, points, bp)."""
    return _INSTRUMENT[0] is not None and _INSTRUMENT[0].unit != "price"


def _symbol_line(symbol: str) -> str:
    inst = _INSTRUMENT[0]
    return symbol if inst is None or not inst.name else f"{symbol} ({inst.name})"


def _warnings(doc: dict) -> None:
    """Data repairs/fallbacks and missing parts, on stderr (they are not the report), each reason whole."""
    data = doc.get("data", {})
    for w in data.get("warnings", []) or []:
        err_console.print(f"[yellow]data:[/] {esc(w, MAX_MESSAGE_CHARS)}", highlight=False)
    for m in data.get("missing", []) or []:
        err_console.print(f"[yellow]missing:[/] {esc(m, MAX_MESSAGE_CHARS)} (that part is left out; the rest is "
                          f"complete)", highlight=False)


def _leg_word(leg: dict, targets: list) -> str:
    if leg["kind"] == "target" and leg.get("level") is not None and leg["level"] in targets:
        return f"target {targets.index(leg['level']) + 1}"
    return {"time": "time stop", "open": "still open"}.get(leg["kind"], leg["kind"])


def print_replay(doc: dict) -> None:
    i, rr = doc["idea"], doc["risk_reward"]
    _use_instrument(i["symbol"])
    _warnings(doc)
    console.print(Panel.fit(f"[bold]{esc(i['title'])}[/]\n{esc(_symbol_line(i['symbol']))} {i['direction']}, published "
                            f"{i['published']}, horizon {esc(i['horizon'] or '-')}; bars {doc['data']['adjustment']} "
                            f"from {esc(doc['data']['source'])}"))
    verdict = "" if rr["claimed"] is None else (
        f" (claimed {rr['claimed']:g}:1: {'consistent' if rr['claim_consistent'] else '[red]does not hold[/]'})")
    console.print(f"Planned reward/risk {rr['planned']:.2f}:1 from the planned entry {_px(rr['planned_entry'])}"
                  f"{verdict}; break-even win rate {rr['break_even_win_rate']:.1%}", highlight=False)
    fill = rr.get("from_fill")
    if fill and abs(fill["entry"] - rr["planned_entry"]) > 1e-9:
        console.print(f"From the fill {_px(fill['entry'])}: reward/risk {fill['blended']:.2f}:1, "
                      f"risk {_px(fill['risk_per_share'])}{_in_units(fill['risk_per_share'])}/unit", highlight=False)
    for c in doc["claims"]:
        console.print(f"  - {esc(c['sentence'])}", highlight=False)
    table = Table(title='Trades (fill rules: docs/fills.md)')
    for col, key in (("variant", False), ("entry", True), ("exit", True), ("reason", False), ("P&L/unit", True),
                     ("P&L %", False), ("R", True), ("MFE (R)", False), ("MAE (R)", False), ("days", False)):
        table.add_column(col, no_wrap=key)
    averages = []
    for t in doc["trades"]:
        if not t["filled"]:
            why = esc(t["notes"][0], 200) if t.get("notes") else ""     # e.g. "invalidated: stop traded on ..."
            table.add_row(t["variant"], "never filled", "", why, "", "", "", "", "", "")
            continue
        targets = [leg.get("level") for leg in t["legs"] if leg["kind"] == "target"]
        legs = t["legs"] or [{"date": t["exit"]["date"], "price": t["exit"]["price"], "kind": t["exit"]["reason"],
                              "size": 1.0, "level": None}]
        # Each leg of a scale-out at its own date and price: the price that traded.
        exits = "\n".join(f"{leg['date']} @ {_px(leg['price'])}" for leg in legs)
        reasons = "\n".join(_leg_word(leg, sorted(set(targets), key=targets.index))
                            + (f" {leg['size']:.0%}" if len(legs) > 1 else "") for leg in legs)
        if len(legs) > 1:
            averages.append(f"{t['variant']}: {len(legs)} exits, size-weighted average exit "
                            f"{_px(t['exit']['average_price'])} (an average, not a traded price)")
        table.add_row(t["variant"], f"{t['entry']['date']} @ {_px(t['entry']['price'])}", exits, reasons,
                      _px(t["pnl"]["per_share"], sign=True) + _in_units(t["pnl"]["per_share"]), _fmt(t["pnl"]["pct"], "+.1f"), _fmt(t["pnl"]["r"], "+.2f"),
                      f"{_fmt(t['mfe']['r'], '+.2f')} {t['mfe']['date']}", f"{_fmt(t['mae']['r'], '+.2f')} {t['mae']['date']}",
                      str(t["days_held"]))
    print_table(table, drop=("MAE (R)", "MFE (R)", "P&L %", "days", "P&L/unit"))
    for line in averages:
        console.print(line, highlight=False)
    _print_money(doc["trades"])
    for t in doc["trades"]:
        for flag in t.get("flagged_fills", []) or []:
            err_console.print(f"[yellow]flagged bar:[/] {t['variant']}: {esc(flag)}", highlight=False)
    fired = [t for t in doc["triggers"] if t["after_published"]]
    if fired:
        console.print("Triggers after publication: " + ", ".join(f"{t['kind']} {t['date']}" for t in fired[:12]),
                      highlight=False)
    if doc["notes"]:
        nt = Table(title="Notes")
        for col, key in (("date", True), ("close", True), ("state", False), ("confirmations", False)):
            nt.add_column(col, overflow="fold", no_wrap=key)
        for n in doc["notes"]:
            conf = " ".join(("[green]+[/]" if c["passed"] else "[red]-[/]" if c["passed"] is False else "?")
                            + f"{c['kind']} {esc(c.get('subject', ''))}".rstrip() for c in n["confirmations"])
            nt.add_row(n["date"], _px(n["price"]), _note_state(n), conf)
        print_table(nt)
    if doc.get("options"):
        o = doc["options"]
        if "error" in o:
            console.print(f"[yellow]options leg not priced:[/] {esc(o['error'])}")
        else:
            console.print(f"Options leg ({o['price_kind']}): {o['type']} {o['strike']:g} exp {o['expiry']}, "
                          f"{_fmt(o['entry_price'])} -> {_fmt(o['exit_price'])}, P&L/contract "
                          f"{_fmt(o['pnl_per_contract'], '+.0f')} (vol: {esc(o['vol'].get('text', o['vol'].get('source', '')))})",
                          highlight=False)


def _print_money(trades: list) -> None:
    """Each filled trade's P&L in the account currency (replay --account), one line a variant."""
    from thesis.risk.units import money_text

    for t in trades:
        m = t.get("money")
        if not m:
            continue
        unit = m["unit"][:-1] if m["units"] == 1 else m["unit"]
        word = m["unit"][:-1]
        cur = m["currency"]
        via = f" ({'; '.join(m['rate_from'])})" if m["rate_from"] else ""
        if not m["units"]:
            console.print(esc(f"{t['variant']}: no {word} fits {m['risk']:.2%} of {m['account']:,.0f} {cur}: one "
                              f"loses {m['loss_per_unit']:,.2f} {cur} at the stop, above the {m['budget']:,.2f} "
                              f"budget (P&L {money_text(m['pnl_per_unit'])} {cur} per {word}){via}"), highlight=False)
            continue
        console.print(esc(f"{t['variant']}: {m['units']:,g} {unit} (at most {m['max_loss']:,.2f} {cur} lost at the "
                          f"stop, {m['risk']:.2%} of {m['account']:,.0f}): P&L {money_text(m['pnl_per_unit'])} {cur} "
                          f"per {word}, {money_text(m['pnl_position'])} {cur} on the position{via}"), highlight=False)


def _note_state(n: dict) -> str:
    """The state and the whole position's R then (the trade's R once closed)."""
    return n["state"] + (f" {n['position_r']:+.2f} R" if n.get("position_r") is not None else "")


def _print_evaluate(doc: dict) -> None:
    i, p, lv = doc["idea"], doc["price"], doc["levels"]
    _use_instrument(i["symbol"])
    _warnings(doc)
    for notice in doc.get("notices", []):
        err_console.print(f"[yellow]note:[/] {esc(notice)}", highlight=False)
    console.print(Panel.fit(f"[bold]{esc(i['title'])}[/] as of {doc['asof']}: close {_px(p['close'])} "
                            f"({doc['data']['adjustment']})\n{esc(doc['state']['text'])}"))
    filled = lv["entry"]["kind"] == "fill"
    t = Table(title="Levels" + (" (R from the fill)" if filled else " (R from the planned entry)"))
    for col in ("level", "price", "distance", "%", "R"):
        t.add_column(col, no_wrap=True)
    if _counted():
        t.columns[2].header = f"distance ({_INSTRUMENT[0].unit_label()})"
    entry_name = f"entry (fill {lv['entry']['date']})" if filled else "entry (planned)"
    rows = [("zone low", lv["zone"]["to_low"]), ("zone high", lv["zone"]["to_high"]), (entry_name, lv["entry"])]
    if filled and abs(lv["planned_entry"]["level"] - lv["entry"]["level"]) > 1e-9:
        rows.append(("planned entry", lv["planned_entry"]))
    stop_name = f"stop (moved to breakeven from {_px(lv['stop']['planned'])})" if lv["stop"].get("moved") else "stop"
    rows += [(stop_name, lv["stop"])] + [(f"target {k + 1}" + (" (hit)" if x.get("hit") else ""), x)
                                         for k, x in enumerate(lv["targets"])]
    for name, d in rows:
        units = f"{_INSTRUMENT[0].units(d['distance']):+,.1f}" if _counted() else _px(d["distance"], sign=True)
        t.add_row(name, _px(d["level"]), units, f"{d['pct']:+.1f}%", _fmt(d["r_from_entry"], "+.2f"))
    print_table(t)
    if doc["triggers_recent"]:
        console.print(f"Triggers in the last {plural(doc['lookback_sessions'], 'session')}: " +
                      ", ".join(f"{x['kind']} {x['date']}" for x in doc["triggers_recent"]), highlight=False)
    else:
        console.print(f"No trigger in the last {plural(doc['lookback_sessions'], 'session')}.", highlight=False)
    for c in doc["confirmations"]:
        mark = "[green]pass[/]" if c["passed"] else "[red]fail[/]" if c["passed"] is False else "[yellow]n/a[/]"
        console.print(f"  {mark} {c['kind']} {esc(c.get('subject', ''))}: {esc(c['text'])}", highlight=False)
    a = doc["arithmetic"]
    rr = a["risk_reward"]
    bew = a["break_even_win_rate"]
    if rr.get("from_fill"):
        f = rr["from_fill"]
        console.print(f"Reward/risk {f['blended']:.2f}:1 from the fill {_px(f['entry'])} (planned {rr['planned']:.2f}:1 "
                      f"from {_px(rr['planned_entry'])})" + (f", break-even win rate {bew:.1%}" if bew else ""),
                      highlight=False)
    else:
        console.print(f"Reward/risk {rr['planned']:.2f}:1 from the planned entry {_px(rr['planned_entry'])}, "
                      f"break-even win rate {bew:.1%}", highlight=False)
    if a["sizing"]:
        sh = a["sizing"]["position"]
        via = f"; {sh['quote_currency']} at {sh['rate']:.6g} {sh['currency']} ({sh['rate_from']})" if sh["rate_from"] \
            else ""
        unit = sh["unit"][:-1] if sh["units"] == 1 else sh["unit"]
        console.print(esc(f"Size: {sh['units']:,g} {unit} from {_px(a['sizing']['entry'])}, stop "
                          f"{sh['stop_units']:,.1f} {sh['unit_label']} away (max loss at the stop "
                          f"{sh['max_loss']:,.2f} {sh['currency']} of a {sh['budget']:,.2f} budget; notional "
                          f"{sh['cost']:,.2f}{via})"),
                      highlight=False)
        if a["sizing"].get("money"):
            from thesis.risk.units import money_text

            m = a["sizing"]["money"]
            console.print(esc(f"P&L at the close: {money_text(m['pnl_per_unit'])} {m['currency']} per "
                              f"{m['unit'].rstrip('s')}, {money_text(m['pnl_position'])} {m['currency']} on "
                              f"{m['units']:,g} {m['unit']} sized at the fill"), highlight=False)
        if "contracts" in a["sizing"]:
            c = a["sizing"]["contracts"]
            if c.get("error"):
                console.print(f"  options: {esc(c['error'])}", highlight=False)
            else:
                o = c["option"]
                console.print(f"  or {c['units']} x {o['type']} {o['strike']:g} exp {o['expiry']} at {c['premium']:.2f} "
                              f"(premium {c['cost']:,.2f} is the max loss; {o['price_kind']})", highlight=False)
    for c in a["claims"]:
        console.print(f"  - {esc(c['sentence'])}", highlight=False)
    if doc.get("notes"):
        nt = Table(title=f"Notes up to {doc['asof']}")
        for col, key in (("date", True), ("state", False), ("note", False)):
            nt.add_column(col, no_wrap=key)
        for n in doc["notes"]:
            nt.add_row(n["date"], _note_state(n), esc(n["text"]))
        print_table(nt)
