"""Idea commands: check, evaluate, replay, chart, schema and the demo."""
from __future__ import annotations

import json as _json
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.panel import Panel
from rich.table import Table

from thesis.cli._common import console, err_console, handle_errors, print_json

SOURCE_HELP = "csv:DIR, yahoo or store (default: csv:$THESIS_DATA when set, else yahoo)"


def register(app: typer.Typer) -> None:
    app.command("check")(check)
    app.command("evaluate")(evaluate)
    app.command("replay")(replay)
    app.command("chart")(chart)
    app.command("schema")(schema)
    app.command("demo")(demo)


@handle_errors
def check(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
          json: bool = typer.Option(False, "--json")):
    """Validate an idea file; errors name the file, line and key."""
    from thesis.risk import reward_risk
    from thesis.spec import load

    spec = load(idea)
    plan = reward_risk(spec.direction, spec.entry_price, spec.levels.stop, spec.levels.targets, spec.levels.sizes)
    if json:
        print_json({"file": str(idea), "valid": True, "idea": spec.model_dump(mode="json"),
                    "risk_reward": plan.blended})
        return
    console.print(f"[green]ok[/] {idea}: {spec.idea.title} ({spec.symbol} {spec.direction}, "
                  f"{len(spec.triggers)} triggers, {len(spec.confirmations)} confirmations, {len(spec.notes)} notes; "
                  f"planned reward/risk {plan.blended:.2f}:1)")


@handle_errors
def evaluate(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
             asof: Optional[datetime] = typer.Option(None, help="Date (default: last bar)"),
             source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
             lookback: int = typer.Option(10, help="Sessions in which recent triggers are listed"),
             account: Optional[float] = typer.Option(None, help="Account size for position sizing"),
             risk: float = typer.Option(0.01, help="Fraction of the account risked (with --account)"),
             json: bool = typer.Option(False, "--json")):
    """The idea's state on a date: distances to zone, stop and targets, recent triggers, the arithmetic."""
    from thesis.evaluate import evaluate as run

    doc = run(idea, asof=asof, source=source, lookback=lookback, account=account, risk_fraction=risk)
    if json:
        print_json(doc)
        return
    _print_evaluate(doc)


@handle_errors
def replay(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
           source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
           chart: Optional[Path] = typer.Option(None, "--chart", help="Also write the snapshot PNG here"),
           json: bool = typer.Option(False, "--json")):
    """Replay the idea from its publication date over real bars and grade it."""
    from thesis.chart import chart as draw
    from thesis.replay import replay as run

    res = run(idea, source=source)
    doc = res.to_dict()
    if chart:
        draw(res.idea, chart, replayed=res)
        doc["chart"] = str(chart)
    if json:
        print_json(doc)
        return
    print_replay(doc)


@handle_errors
def chart(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
          out: Path = typer.Option(..., "-o", "--out", help="PNG to write"),
          asof: Optional[datetime] = typer.Option(None, help="Draw what was known at this date"),
          timeframe: str = typer.Option("1d", help="1d, 1w or 1mo"),
          source: Optional[str] = typer.Option(None, help=SOURCE_HELP),
          width: int = typer.Option(1600), height: int = typer.Option(900)):
    """Draw the idea's snapshot: candles, zone, stop, targets, triggers, entries, exits, notes."""
    from thesis.chart import chart as draw
    from thesis.errors import BadInput

    if timeframe not in ("1d", "1w", "1mo"):
        raise BadInput(f"--timeframe must be 1d, 1w or 1mo, not {timeframe!r}")
    path = draw(idea, out, asof=asof, timeframe=timeframe, source=source, width=width, height=height)
    console.print(f"wrote {path}")


def schema():
    """Print the idea file's JSON schema (versioned)."""
    from thesis.spec import json_schema

    print_json(json_schema())


@handle_errors
def demo(out: Path = typer.Option(Path("out"), help="Folder for the snapshot and the JSON report")):
    """Pull IWM, SPY and QQQ into the store, then replay the seed idea and draw its snapshot."""
    from thesis.chart import chart as draw
    from thesis.cli.data import pull
    from thesis.replay import replay as run

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
    console.print(f"snapshot: {png}\nreport:   {out / 'iwm-no-love-for-small-caps.json'}")


# ----------------------------------------------------------------- printing
def _fmt(v, spec=".2f"):
    return "-" if v is None else format(v, spec)


def print_replay(doc: dict) -> None:
    i, rr = doc["idea"], doc["risk_reward"]
    console.print(Panel.fit(f"[bold]{i['title']}[/]\n{i['symbol']} {i['direction']}, published {i['published']}, "
                            f"horizon {i['horizon'] or '-'}; bars {doc['data']['adjustment']} from "
                            f"{doc['data']['source']}"))
    verdict = "" if rr["claimed"] is None else (
        f" (claimed {rr['claimed']:g}:1: {'consistent' if rr['claim_consistent'] else '[red]does not hold[/]'})")
    console.print(f"Planned reward/risk {rr['planned']:.2f}:1{verdict}; break-even win rate "
                  f"{rr['break_even_win_rate']:.1%}")
    for c in doc["claims"]:
        console.print(f"  - {c['sentence']}", highlight=False)
    table = Table(title='Trades (fill rules: README, "How trades are filled")')
    for col in ("variant", "entry", "exit", "reason", "P&L/share", "P&L %", "R", "MFE (R)", "MAE (R)", "days"):
        table.add_column(col)
    for t in doc["trades"]:
        if not t["filled"]:
            table.add_row(t["variant"], "never filled", "", "", "", "", "", "", "", "")
            continue
        table.add_row(t["variant"], f"{t['entry']['date']} @ {t['entry']['price']:.2f}",
                      f"{t['exit']['date']} @ {t['exit']['price']:.2f}", t["exit"]["reason"],
                      _fmt(t["pnl"]["per_share"], "+.2f"), _fmt(t["pnl"]["pct"], "+.1f"), _fmt(t["pnl"]["r"], "+.2f"),
                      f"{_fmt(t['mfe']['r'], '+.2f')} {t['mfe']['date']}", f"{_fmt(t['mae']['r'], '+.2f')} {t['mae']['date']}",
                      str(t["days_held"]))
    console.print(table)
    fired = [t for t in doc["triggers"] if t["after_published"]]
    if fired:
        console.print("Triggers after publication: " + ", ".join(f"{t['kind']} {t['date']}" for t in fired[:12]))
    if doc["notes"]:
        nt = Table(title="Notes")
        for col in ("date", "close", "state", "confirmations"):
            nt.add_column(col, overflow="fold")
        for n in doc["notes"]:
            conf = " ".join(("[green]+[/]" if c["passed"] else "[red]-[/]" if c["passed"] is False else "?") + c["kind"]
                            for c in n["confirmations"])
            nt.add_row(n["date"], _fmt(n["price"]), _note_state(n), conf)
        console.print(nt)
    if doc.get("options"):
        o = doc["options"]
        if "error" in o:
            console.print(f"[yellow]options leg not priced:[/] {o['error']}")
        else:
            console.print(f"Options leg ({o['price_kind']}): {o['type']} {o['strike']:g} exp {o['expiry']}, "
                          f"{_fmt(o['entry_price'])} -> {_fmt(o['exit_price'])}, P&L/contract {_fmt(o['pnl_per_contract'], '+.0f')} "
                          f"(vol: {o['vol'].get('text', o['vol'].get('source', ''))})")


def _note_state(n: dict) -> str:
    return {"waiting": "waiting", "in trade": "in trade", "closed": "closed"}.get(n["state"], n["state"]) + \
        (f" {n['open_r']:+.2f} R" if n.get("open_r") is not None else "")


def _print_evaluate(doc: dict) -> None:
    i, p, lv = doc["idea"], doc["price"], doc["levels"]
    console.print(Panel.fit(f"[bold]{i['title']}[/] as of {doc['asof']}: close {p['close']:.2f} "
                            f"({doc['data']['adjustment']})\n{doc['state']['text']}"))
    t = Table(title="Levels")
    for col in ("level", "price", "distance", "%", "R from entry"):
        t.add_column(col)
    rows = [("zone low", lv["zone"]["to_low"]), ("zone high", lv["zone"]["to_high"]), ("entry", lv["entry"]),
            ("stop", lv["stop"])] + [(f"target {k + 1}", x) for k, x in enumerate(lv["targets"])]
    for name, d in rows:
        t.add_row(name, f"{d['level']:.2f}", f"{d['distance']:+.2f}", f"{d['pct']:+.1f}%", _fmt(d["r_from_entry"], "+.2f"))
    console.print(t)
    if doc["triggers_recent"]:
        console.print(f"Triggers in the last {doc['lookback_sessions']} sessions: " +
                      ", ".join(f"{x['kind']} {x['date']}" for x in doc["triggers_recent"]))
    else:
        console.print(f"No trigger in the last {doc['lookback_sessions']} sessions.")
    for c in doc["confirmations"]:
        mark = "[green]pass[/]" if c["passed"] else "[red]fail[/]" if c["passed"] is False else "[yellow]n/a[/]"
        console.print(f"  {mark} {c['kind']}: {c['text']}", highlight=False)
    a = doc["arithmetic"]
    console.print(f"Reward/risk {a['risk_reward']['planned']:.2f}:1, break-even win rate {a['break_even_win_rate']:.1%}")
    if a["sizing"]:
        sh = a["sizing"]["shares"]
        console.print(f"Size: {sh['units']} shares (max loss at the stop {sh['max_loss']:,.2f} of a "
                      f"{sh['budget']:,.2f} budget; notional {sh['cost']:,.2f})", highlight=False)
        if "contracts" in a["sizing"]:
            c = a["sizing"]["contracts"]
            o = c["option"]
            console.print(f"  or {c['units']} x {o['type']} {o['strike']:g} exp {o['expiry']} at {c['premium']:.2f} "
                          f"(premium {c['cost']:,.2f} is the max loss; {o['price_kind']})", highlight=False)
    for c in a["claims"]:
        console.print(f"  - {c['sentence']}", highlight=False)
