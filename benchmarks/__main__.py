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
    for col in ("benchmark", "thesis", "peer", "peer figure", "ratio", "target", "met"):
        table.add_column(col, justify="right" if col in ("thesis", "peer figure", "ratio") else "left")
    failed = 0
    for r in rows:
        ratio = (r["peer_value"] / r["value"]) if r.get("peer_value") and r["value"] else None
        met = r.get("met")
        failed += met is False
        table.add_row(r["name"], f"{r['value']:.4g} {r['unit']}", r.get("peer") or "-",
                      f"{r['peer_value']:.4g} {r['unit']}" if r.get("peer_value") is not None else "-",
                      f"{ratio:.1f}x" if ratio else "-", r.get("target") or "-",
                      {True: "yes", False: "NO", None: "-"}[met])
    console.print(table)
    out = here.parent / ".thesis-home" / "bench.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(rows, indent=2, default=str))
    console.print(f"raw figures: {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
