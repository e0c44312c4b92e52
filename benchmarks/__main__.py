"""`make bench`: every figure printed beside the peer measured in the same run.

Each ``bench_*.py`` module exposes ``run() -> list[dict]`` with keys name,
value, unit, peer, peer_value and target (a string such as "< 3 s").
``python -m benchmarks data options`` runs only the named modules.
"""
from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    os.environ.setdefault("THESIS_DATA", str(here.parent.parent / "shared" / "market-data"))
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [a for a in argv if not a.startswith("-")]
    if wanted:
        names = [n for n in names if n.removeprefix("bench_") in wanted]
    console = Console(width=170)
    rows = []
    for name in names:
        console.print(f"[bold]{name}[/] ...")
        rows += [dict(r, module=name) for r in importlib.import_module(f"benchmarks.{name}").run()]
    table = Table(title="thesis benchmarks (this machine, this run)")
    with_cpu = any("cpu" in r for r in rows if r.get("table") not in ("cli", "draft"))
    cols = ("benchmark", "thesis", *(("cpu",) if with_cpu else ()), "peer", "peer figure",
            *(("peer cpu",) if with_cpu else ()), "ratio", "target", "met")
    for col in cols:
        table.add_column(col, justify="right" if col in ("thesis", "cpu", "peer figure", "peer cpu", "ratio") else "left")
    failed = 0
    cli_rows = [r for r in rows if r.get("table") == "cli"]
    draft_rows = [r for r in rows if r.get("table") == "draft"]
    for r in rows:
        if r.get("table") in ("cli", "draft"):
            continue
        ratio = (r["peer_value"] / r["value"]) if r.get("peer_value") and r["value"] else None
        met = r.get("met")
        failed += met is False
        def cpu(key: str, r: dict = r) -> str:   # CPU seconds of a child process
            return f"{r[key]:.3g} s" if r.get(key) is not None else "-"

        table.add_row(r["name"], f"{r['value']:.4g} {r['unit']}", *((cpu("cpu"),) if with_cpu else ()),
                      r.get("peer") or "-",
                      f"{r['peer_value']:.4g} {r['unit']}" if r.get("peer_value") is not None else "-",
                      *((cpu("peer_cpu"),) if with_cpu else ()),
                      f"{ratio:.1f}x" if ratio else "-", r.get("target") or "-",
                      {True: "yes", False: "NO", None: "-"}[met])
    if len(cli_rows) + len(draft_rows) < len(rows):
        console.print(table)
    if cli_rows:
        failed += sum(r.get("met") is False for r in cli_rows)
        console.print(_cli_table(cli_rows))
    if draft_rows:  # bench_draft: precision and recall per field over the posts
        failed += sum(r.get("met") is False for r in draft_rows)
        console.print(_draft_table(draft_rows))
    out = here.parent / ".thesis-home" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2, default=str))
    console.print(f"raw figures: {out}")
    return 1 if failed else 0


def _cli_table(rows: list[dict]) -> Table:
    """Command-line timings (bench_cli): fastest of N runs, beside the floors of the same run."""
    table = Table(title="thesis command line (this machine, this run; wall and CPU: fastest of N runs)")
    for col in ("command", "wall", "cpu", "x import floor", "target", "met"):
        table.add_column(col, justify="right" if col in ("wall", "cpu", "x import floor") else "left")
    for r in rows:
        ratio = r.get("vs_import_floor")
        table.add_row(r["name"], f"{r['value']:.3f} s", f"{r['cpu']:.3f} s", f"{ratio:.2f}" if ratio else "-",
                      r.get("target") or "-", {True: "yes", False: "NO", None: "-"}[r.get("met")])
    return table


def _draft_table(rows: list[dict]) -> Table:
    """`thesis draft` scored on the posts with expected extractions (bench_draft)."""
    table = Table(title="thesis draft: precision and recall per field over all posts")
    for col in ("field", "posts", "precision", "recall", "exact", "target", "met"):
        table.add_column(col, justify="left" if col in ("field", "target", "met") else "right")
    for r in rows:
        pct = [("-" if r[k] is None else f"{r[k]:.0%}") for k in ("precision", "recall", "exact")]
        table.add_row(r["field"], str(r["posts"]), *pct, r.get("target") or "-",
                      {True: "yes", False: "NO", None: "-"}[r.get("met")])
    return table


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
