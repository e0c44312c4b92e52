"""The command line as a user feels it: each command's wall time (fastest of N runs, a warm
numba cache and warm $THESIS_HOME caches) beside floors measured in the same run:

- ``python -c pass``: starting the interpreter;
- ``python -c "import pandas, numba"``: importing the two libraries every analytic command needs;
- the first call of one cached numba kernel in a fresh process (numba's own start-up: its target
  registries, LLVM, and the scipy.linalg import numba makes for BLAS), the floor of any command
  that runs a kernel.

CPU time (user + system of the child, also the fastest of N) is printed beside the wall time:
on a machine shared with other work it is the steadier figure.

"First run" rows run the command once in a fresh $THESIS_HOME with an empty numba cache
directory (NUMBA_CACHE_DIR): the first run after installing, every kernel compiled.
``BENCH_CLI_REPEAT`` (default 5) sets N; ``BENCH_CLI_COLD=0`` skips the first-run rows.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDEA = "examples/iwm-no-love-for-small-caps.toml"
THESIS = [sys.executable, "-m", "thesis"]

COMMANDS = [
    ("thesis --help", ["--help"], 0.3),
    ("thesis data --help", ["data", "--help"], 0.3),
    ("thesis check IDEA", ["check", IDEA], 0.5),
    ("thesis options price --type put ... --json",
     ["options", "price", "--type", "put", "--spot", "185.91", "--strike", "180", "--days", "150", "--iv", "0.20",
      "--json"], 1.0),
    ("thesis replay IDEA --json", ["replay", IDEA, "--json"], 1.5),
    ("thesis evaluate IDEA --asof 2023-06-14 --json", ["evaluate", IDEA, "--asof", "2023-06-14", "--json"], 1.5),
    ("thesis market --asof 2023-06-02 --json", ["market", "--asof", "2023-06-02", "--json"], 2.0),
]
COLD = ("thesis replay IDEA --json", "thesis evaluate IDEA --asof 2023-06-14 --json",
        "thesis market --asof 2023-06-02 --json")

KERNEL = """from numba import njit


@njit(cache=True)
def total(a):
    s = 0.0
    for x in a:
        s += x
    return s
"""


def _run(argv: list[str], env: dict) -> tuple[float, float, int]:
    """(wall s, cpu s, exit status) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=900)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.decode()[-500:]}")
    return wall, cpu, proc.returncode


def best(argv: list[str], env: dict, repeat: int) -> tuple[float, float]:
    """Fastest wall and fastest CPU time of ``repeat`` runs after one warm-up run."""
    _run(argv, env)
    runs = [_run(argv, env) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


def run() -> list[dict]:
    repeat = int(os.environ.get("BENCH_CLI_REPEAT", "5"))
    rows = []
    with tempfile.TemporaryDirectory(prefix="thesis-bench-cli-") as tmp:
        env = dict(os.environ, THESIS_HOME=str(Path(tmp) / "home"), COLUMNS="80")
        env.pop("NUMBA_CACHE_DIR", None)
        kernel_dir = Path(tmp) / "kernel"
        kernel_dir.mkdir()
        (kernel_dir / "bench_floor_kernel.py").write_text(KERNEL)
        floors = [
            ("floor: python -c pass", [sys.executable, "-c", "pass"]),
            ("floor: python -c \"import pandas, numba\"", [sys.executable, "-c", "import pandas, numba"]),
            ("floor: first call of one cached numba kernel",
             [sys.executable, "-c", "import numpy, bench_floor_kernel as k; k.total(numpy.ones(3))"]),
        ]
        floor_env = dict(env, PYTHONPATH=str(kernel_dir))
        measured = {}
        for name, argv in floors:
            wall, cpu = best(argv, floor_env, repeat)
            measured[name] = wall
            rows.append({"name": name, "value": wall, "cpu": cpu, "unit": "s", "table": "cli", "target": "-",
                         "met": None})
        import_floor = measured[floors[1][0]]
        for name, args, goal in COMMANDS:
            wall, cpu = best(THESIS + args, env, repeat)
            rows.append({"name": name, "value": wall, "cpu": cpu, "unit": "s", "table": "cli",
                         "target": f"< {goal:g} s", "met": bool(wall < goal), "vs_import_floor": wall / import_floor})
        if os.environ.get("BENCH_CLI_COLD", "1") != "0":
            for name, args, _goal in COMMANDS:
                if name not in COLD:
                    continue
                fresh = Path(tempfile.mkdtemp(prefix="cold-", dir=tmp))
                cold_env = dict(env, THESIS_HOME=str(fresh / "home"), NUMBA_CACHE_DIR=str(fresh / "numba"))
                wall, cpu, _ = _run(THESIS + args, cold_env)
                rows.append({"name": f"first run (cold numba cache, empty $THESIS_HOME): {name}", "value": wall,
                             "cpu": cpu, "unit": "s", "table": "cli", "target": "measure", "met": None})
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['name']:<70} {row['value']:7.3f} s wall {row['cpu']:7.3f} s cpu  {row['target']}")
