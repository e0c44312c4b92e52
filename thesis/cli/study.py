"""`thesis study IDEA`: every historical occurrence of an idea's setup, simulated and summarised.

The lead registers ``study`` (a plain function) as a command:  app.command("study")(study).
"""
from __future__ import annotations

from thesis import display
import time
from pathlib import Path
from typing import TYPE_CHECKING, List, Optional

import typer

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID
from rich.table import Table

from thesis.cli._common import (DATE_METAVAR, bounded, console, date_range, err_console, esc, handle_errors,
                                output_folder, plural, print_table)

LEVELS_HELP = "relative: zones/levels measured on each symbol's own history; fixed: the idea's prices (its symbol)"


class LazyProgress:
    """Rich progress bars on stderr that appear only once the work has taken over a second."""

    def __init__(self, enabled: bool, delay: float = 1.0):
        self.enabled, self.delay, self.t0 = enabled, delay, time.perf_counter()
        self.progress: Progress | None = None
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            if time.perf_counter() - self.t0 < self.delay:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=err_console, transient=True)
            self.progress.start()
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(phase, total=total)
        self.progress.update(self.tasks[phase], completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


@handle_errors
def study(idea: Path = typer.Argument(..., help="Idea file (TOML)"),
          grid_more: Optional[List[str]] = typer.Argument(None, metavar="[KEY=V1,V2]",
                                                          help="More --grid axes (key=values after --grid)"),
          symbols: Optional[List[str]] = typer.Option(None, "--symbols", help="Symbols (comma-separated or repeated)"),
          universe: Optional[str] = typer.Option(None, "--universe", help="Universe folder, e.g. csv:DIR"),
          from_: Optional[str] = typer.Option(None, "--from", metavar=DATE_METAVAR, help="First signal date"),
          to: Optional[str] = typer.Option(None, "--to", metavar=DATE_METAVAR, help="Last signal date"),
          grid: Optional[List[str]] = typer.Option(None, "--grid", help="Axis key=v1,v2 (stop, target, zone_width, "
                                                                          "zone_lookback, hold); repeatable"),
          base_rate: int = typer.Option(1, "--base-rate", help="Random entries per occurrence (0 = none)"),
          json: bool = typer.Option(False, "--json", help="Print one JSON document"),
          report: Optional[Path] = typer.Option(None, "--report", help="Write an HTML report into this folder"),
          dask: Optional[str] = typer.Option(None, "--dask", help="Dask scheduler address (tcp://host:8786)"),
          split: Optional[str] = typer.Option(None, "--split", metavar=DATE_METAVAR, help="Walk-forward split date"),
          levels: str = typer.Option("relative", "--levels", help=LEVELS_HELP),
          confirm: bool = typer.Option(False, "--confirm", help="Keep occurrences whose confirmations pass"),
          one_at_a_time: bool = typer.Option(False, "--one-at-a-time", help="One position per symbol at a time"),
          stop: Optional[str] = typer.Option(None, "--stop", help="Stop: '8%' or '2atr' (default: the idea's)"),
          target: Optional[List[str]] = typer.Option(None, "--target", help="Target: '20%', '3atr' or '2R'"),
          hold: Optional[str] = typer.Option(None, "--hold", help="Time stop: '20' sessions, '6mo', 'none'"),
          zone_width: Optional[float] = typer.Option(None, "--zone-width", callback=bounded(0, 100), help="Zone half-width in ATR (0.5)"),
          zone_lookback: Optional[int] = typer.Option(None, "--zone-lookback", help="Prior-high lookback (20)"),
          trigger: Optional[List[str]] = typer.Option(None, "--trigger", help="Only these triggers (index or kind)"),
          slippage: float = typer.Option(0.0, "--slippage", callback=bounded(0, 5000), help="Slippage in bps of price, each fill"),
          commission: float = typer.Option(0.0, "--commission", callback=bounded(0, 1000), help="Commission per share, each fill"),
          seed: int = typer.Option(0, "--seed", help="Seed of the base-rate draws and the bootstrap"),
          bootstrap: int = typer.Option(2000, "--bootstrap", help="Bootstrap resamples"),
          workers: Optional[int] = typer.Option(None, "--workers", help="Local threads (default: all cores)"),
          source: Optional[str] = typer.Option(None, "--source", help="Bars source for --symbols")):
    """Find every historical occurrence of the idea's setup and measure what followed."""
    from thesis.study import study as run
    from thesis.study.spec import GRID_KEYS, GridError

    extra = list(grid_more or [])
    bad = [a for a in extra if "=" not in a or a.split("=", 1)[0].strip().lower().replace("-", "_") not in GRID_KEYS]
    if bad:
        raise GridError(f"unexpected argument {bad[0]!r}: grid axes look like key=v1,v2 "
                        f"(keys: {', '.join(GRID_KEYS)})")
    if extra and not grid:
        raise GridError(f"{extra[0]!r} looks like a grid axis: put --grid before it")
    output_folder(report, "--report")
    from_, to = date_range(from_, to, ("--from", "--to"))
    if split is not None:
        split, _ = date_range(split, None, ("--split", "--to"))      # a date, not after today and the data
        date_range(from_, split, ("--from", "--split"))              # inside --from .. --to
        date_range(split, to, ("--split", "--to"))
    progress = LazyProgress(enabled=not json)
    try:
        res = run(idea, symbols=symbols, universe=universe, start=from_, end=to, grid=(grid or []) + extra or None,
                  base_rate=base_rate, dask=dask, levels=levels, split=split, confirm=confirm,
                  one_at_a_time=one_at_a_time, stop=stop, target=target, hold=hold, zone_width=zone_width,
                  zone_lookback=zone_lookback, triggers=trigger, slippage_bps=slippage, commission=commission,
                  seed=seed, n_boot=bootstrap, workers=workers, source=source, progress=progress)
    finally:
        progress.close()
    doc = res.to_dict()
    if report:
        from thesis.study.report import write_report

        doc["report"] = str(write_report(res, report))
    if json:
        import sys

        from thesis.study.result import study_json

        sys.stdout.write(study_json(doc) + "\n")
        return
    print_study(doc)


def _num_text(v) -> str:
    return f"{v:g}" if isinstance(v, (int, float)) else esc(v)


def _f(v, fmt="{:.3f}") -> str:
    return display.fmt(v, fmt, "n/a")


def _ci(ci, fmt="{:.3f}") -> str:
    return "" if not ci or ci[0] is None else f"[{fmt.format(ci[0])}, {fmt.format(ci[1])}]"


def confirmation_lines(info: dict | None, trades: int) -> list[str]:
    """Why occurrences were dropped by --confirm, as plain text (escaped later)."""
    if not info or not info.get("confirmations"):
        return []
    events, passed = info.get("events", 0), info.get("passed", 0)
    lines = [f"confirmations: {passed} of {plural(events, 'occurrence')} passed all "
             f"{plural(info['confirmations'], 'confirmation')}"]
    for k, c in enumerate(info.get("by_confirmation", []), start=1):
        what = f" {c['what']}" if c.get("what") else ""
        lines.append(f"  #{k} {c['kind']}{what}: failed {c['failed']} of {c['measured']} measured")
    if info.get("unmeasured"):
        lines.append(f"  {plural(info['unmeasured'], 'occurrence')} had no data for any confirmation (kept)")
    if trades == 0 and events:
        lines.append("no trades: " + ("every occurrence failed at least one confirmation" if passed == 0 else
                                      "the occurrences that passed did not become closed trades"))
    return lines


def print_study(doc: dict) -> None:
    s, b, e = doc["summary"], doc.get("base_rate"), doc.get("edge")
    cell = doc["cell"]
    console.print(f"[bold]{esc(doc['idea']['title'])}[/] ({esc(doc['idea']['direction'])}): "
                  f"{plural(doc['data']['symbols'], 'symbol')}, "
                  f"stop {esc(cell['stop'])}, target {esc('+'.join(map(str, cell['target'])))}, hold {esc(cell['hold'])}, "
                  f"zone {esc(cell['zone_lookback'])}-session extreme +- {_num_text(cell['zone_width'])} ATR",
                  highlight=False)
    for line in confirmation_lines(doc.get("confirmations"), s["signals"]):
        console.print(esc(line), highlight=False)
    t = Table(title="Occurrences vs random entries (same exits)")
    t.add_column("figure", overflow="fold")
    t.add_column("occurrences", justify="right", no_wrap=True)
    t.add_column("random entries", justify="right", no_wrap=True)
    pct = "{:.1%}"
    rows = [("closed trades", str(s["signals"]), str(b["signals"]) if b else "-"),
            ("hit rate", f"{_f(s['hit_rate'], pct)} {_ci(s['hit_rate_ci'], pct)}",
             f"{_f(b['hit_rate'], pct)} {_ci(b['hit_rate_ci'], pct)}" if b else "-"),
            ("mean R", f"{_f(s['mean_r'])} {_ci(s['mean_r_ci'])}",
             f"{_f(b['mean_r'])} {_ci(b['mean_r_ci'])}" if b else "-"),
            ("expectancy %/trade", _f(s["expectancy_pct"], "{:.2f}"), _f(b["expectancy_pct"], "{:.2f}") if b else "-"),
            ("profit factor", _f(s["profit_factor"], "{:.2f}"), _f(b["profit_factor"], "{:.2f}") if b else "-"),
            ("target/stop/time", "/".join(str(s["outcomes"][k]) for k in ("target", "stop", "time")),
             "/".join(str(b["outcomes"][k]) for k in ("target", "stop", "time")) if b else "-"),
            ("median sessions", _f(s["sessions_to_outcome"].get("median"), "{:.0f}"),
             _f(b["sessions_to_outcome"].get("median"), "{:.0f}") if b else "-")]
    for row in rows:
        t.add_row(*row)
    print_table(t)
    if e and e.get("mean_r_diff") is not None:
        console.print(f"edge over random entries: {e['mean_r_diff']:+.3f} R {_ci(e['mean_r_diff_ci'])}, "
                      f"one-sided p = {e['p_signal_better']:.3g}")
    if doc["grid"]:
        mc = doc["grid"]["multiple_comparisons"]
        g = Table(title=f"Grid: best cells of {mc['cells_tried']} (p: one-sided p-value of mean R > 0)")
        keys = list(doc["grid"]["axes"])
        for col in ["cell", *keys, "trades", "mean R", "p", "p Holm"]:
            g.add_column(esc(col), justify="right", no_wrap=col in ("mean R", "p", "p Holm", "trades"))
        cells = sorted(doc["grid"]["cells"], key=lambda r: -(r["mean_r"] if r["mean_r"] is not None else -1e9))
        for r in cells[:10]:
            g.add_row(str(r["cell"]), *[esc(r.get(k)) for k in keys], str(r["signals"]), _f(r["mean_r"]),
                      _f(r["p_mean_r_gt0"], "{:.3g}"), _f(r["p_holm"], "{:.3g}"))
        print_table(g)
        console.print(f"[yellow]{esc(mc['warning'])}[/]", highlight=False)
    if doc["split"]:
        sp = doc["split"]
        for name in ("in_sample", "out_of_sample"):
            ss = sp[name]["summary"]
            console.print(f"{esc(name.replace('_', ' '))} ({esc(sp['date'])}): {plural(ss['signals'], 'trade')}, mean R "
                          f"{esc(_f(ss['mean_r']))} {esc(_ci(ss['mean_r_ci']))}", highlight=False)
        if sp.get("selection"):
            console.print(esc(sp["selection"]), highlight=False)
    for w in doc["warnings"] + doc["notes"]:
        console.print(f"[yellow]note:[/] {esc(w)}", highlight=False)
    if doc["pending"]:
        console.print("pending (signal on the last session): " +
                      esc(", ".join(f"{p['symbol']} {p['date']}" for p in doc["pending"][:10])), highlight=False)
    if doc.get("report"):
        console.print(f"report: {esc(doc['report'])}", highlight=False)


def register(root: typer.Typer) -> None:
    root.command("study")(study)
