"""`make mutate`: mutation testing of the number-producing code with mutmut (pinned in the dev extra).

    python tools/mutate.py                      # every path below
    python tools/mutate.py thesis/risk thesis/replay/nb.py
    MUTATE_WORKDIR=/tmp/m python tools/mutate.py thesis/risk

mutmut 2 rewrites the source file on disk for each mutant, so it runs in a COPY of the checkout
(build/mutate/ by default): your working tree is never touched, even if the run is killed.
Numba kernels are exercised with NUMBA_DISABLE_JIT=1, so the mutated Python source is what runs.
Each path is tested with its own test selection (Hypothesis "mutate" profile: the ci examples, no
shrinking), and the run ends with the survival rate per path, written to build/mutate/summary.txt, and every
surviving mutant's diff in build/mutate/survivors.txt. Not part of `make test` (it takes long).

Survival rate = (survived + timed out) / tested mutants; "suspicious" is mutmut's word for a mutant
the tests killed but only slowly, so it counts as killed. MUTATE_TIME_BASE (60 s) plus twice the
clean run is how long a mutant may run before it counts as timed out. MUTATE_RESUME=1 continues a
stopped run in the same work folder. Never run `mutmut show` in that folder while a run is going on:
it re-reads the (mutated) file into mutmut's cache and breaks the run. A survivor is either a hole
(write a test that fails on it) or an equivalent mutant (say why in the issue note).
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# path to mutate -> the tests that guard it (run with -x: the first failure kills the mutant)
PATHS: dict[str, list[str]] = {
    "thesis/risk": ["tests/risk"],
    "thesis/replay": ["tests/replay"],
    "thesis/breadth": ["tests/breadth"],
    "thesis/study": ["tests/study", "-k", "not dask and not vectorbt and not backtesting"],
    "thesis/options/nb.py": ["tests/options"],
    "thesis/signals": ["tests/signals"],
    "thesis/data/validate.py": ["tests/data/test_validate.py", "tests/data/test_csv.py", "tests/data/test_csv_fuzz.py",
                                "tests/data/test_limits.py", "tests/data/test_outliers.py", "tests/data/test_symbols.py",
                                "tests/data/test_cli_data.py"],
    "thesis/watch": ["tests/watch"],          # the watch state machine and journal, once they exist
}
# narrower selections for single files (the longest matching prefix wins; see tools/mutmut_config.py)
FILE_TESTS: dict[str, list[str]] = {
    "thesis/replay/nb.py": ["tests/replay"],
    "thesis/replay/fills.py": ["tests/replay"],
    "thesis/replay/run.py": ["tests/ideas/test_replay_seed.py", "tests/ideas/test_results.py"],
    # the real-universe tests build 503 constituents' breadth (45 s with the JIT off): only for universe.py
    "thesis/breadth": ["tests/breadth/test_breadth_compute.py", "tests/breadth/test_breadth_indicators.py"],
    "thesis/breadth/universe.py": ["tests/breadth"],
    # the fast-path equality tests take two minutes with the JIT off: only the kernels need them
    "thesis/study": ["tests/study", "-k", "not dask and not vectorbt and not backtesting and not fast_paths"],
    "thesis/study/nb.py": ["tests/study", "-k", "not dask and not vectorbt and not backtesting"],
    "thesis/study/engine.py": ["tests/study", "-k", "not dask and not vectorbt and not backtesting"],
    "thesis/study/stats.py": ["tests/study", "-k", "not dask and not vectorbt and not backtesting and "
                              "(not fast_paths or bootstrap)"],
}
# Message texts and the @njit decorator itself are not numbers a user sees: not mutated.
DISABLED = "string,fstring,decorator"
# a mutant whose tests run longer than this many seconds + 2x the clean run is a timeout (MUTATE_TIME_BASE)
TIME_BASE = os.environ.get("MUTATE_TIME_BASE", "60")
STATUS = {"ok_killed": "killed", "bad_survived": "survived", "bad_timeout": "timeout",
          "ok_suspicious": "suspicious", "skipped": "skipped", "untested": "untested"}


def copy_tree(dest: Path) -> None:
    skip = {".venv", ".git", "build", ".hypothesis", ".pytest_cache", "__pycache__", ".thesis-home",
            "node_modules", "out", ".mutmut-cache", "trade_thesis.egg-info"}
    if dest.exists():
        shutil.rmtree(dest)                   # a fresh copy (and a fresh mutmut cache) every run
    shutil.copytree(ROOT, dest, ignore=lambda d, names: [n for n in names if n in skip])
    shutil.copy(ROOT / "tools" / "mutmut_config.py", dest / "mutmut_config.py")   # mutmut's hooks


def owner(path: str) -> str | None:
    """The PATHS entry that ``path`` is (or lies inside), e.g. thesis/replay for thesis/replay/nb.py."""
    return next((k for k in PATHS if path == k or path.startswith(k + "/")), None)


def numba_env(path: Path) -> list[str]:
    """``env NUMBA_DISABLE_JIT=1`` when ``path`` holds numba kernels: the mutated Python source must run,
    not a compiled (or cached) copy of the original."""
    files = [path] if path.is_file() else list(path.rglob("*.py"))
    return ["env", "NUMBA_DISABLE_JIT=1"] if any("@njit" in f.read_text() for f in files) else []


def counts(work: Path, path: str) -> dict[str, int]:
    """Mutant outcomes for the files under ``path`` (from mutmut's cache)."""
    con = sqlite3.connect(work / ".mutmut-cache")
    rows = con.execute("SELECT f.filename, m.status FROM Mutant m JOIN Line l ON m.line = l.id "
                       "JOIN SourceFile f ON l.sourcefile = f.id").fetchall()
    out = {v: 0 for v in STATUS.values()}
    for filename, status in rows:
        if filename == path or filename.startswith(path.rstrip("/") + "/"):
            out[STATUS.get(status, status)] = out.get(STATUS.get(status, status), 0) + 1
    return out


def survivors(work: Path, env: dict) -> str:
    con = sqlite3.connect(work / ".mutmut-cache")
    ids = [r[0] for r in con.execute("SELECT id FROM Mutant WHERE status IN ('bad_survived', 'bad_timeout') "
                                     "ORDER BY id")]
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    parts = []
    for i in ids:
        shown = subprocess.run([mutmut, "show", str(i)], cwd=work, env=env, capture_output=True, text=True)
        parts.append(f"# mutant {i}\n{shown.stdout.strip()}\n")
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    wanted = [p.rstrip("/") for p in argv] or list(PATHS)
    unknown = [p for p in wanted if owner(p) is None]
    if unknown:
        print(f"unknown path(s) {', '.join(unknown)}; choose from (or from inside) {', '.join(PATHS)}",
              file=sys.stderr)
        return 2
    work = Path(os.environ.get("MUTATE_WORKDIR", ROOT / "build" / "mutate")).resolve()
    if os.environ.get("MUTATE_RESUME") == "1" and (work / ".mutmut-cache").exists():
        print(f"resuming the run in {work} (mutants already tested keep their result)")
    else:
        copy_tree(work)
    env = dict(os.environ, HYPOTHESIS_PROFILE="mutate", PYTHONPATH=str(work), PYTHONDONTWRITEBYTECODE="1",
               MPLBACKEND="Agg", MUTATE_FILE_TESTS=json.dumps(FILE_TESTS))
    mutmut = str(Path(sys.executable).with_name("mutmut"))
    lines = []
    for path in wanted:
        if not (work / path).exists():
            lines.append(f"{path:26s} (not in the tree yet: skipped)")
            continue
        tests = PATHS[owner(path)]
        prefix = numba_env(work / path)
        env["MUTATE_PATH_TESTS"], env["MUTATE_PREFIX"] = json.dumps(tests), json.dumps(prefix)
        runner = shlex.join([*prefix, sys.executable, "-m", "pytest", "-x", "-q", "-p",
                             "no:cacheprovider", *tests])
        t0 = time.monotonic()
        print(f"== mutating {path} (tests: {' '.join(tests)})", flush=True)
        subprocess.run([mutmut, "run", "--paths-to-mutate", path, "--tests-dir", "tests", "--runner", runner,
                        "--disable-mutation-types", DISABLED, "--test-time-base", TIME_BASE, "--simple-output",
                        "--no-progress"], cwd=work, env=env)
        c = counts(work, path)
        tested = c["killed"] + c["survived"] + c["timeout"] + c["suspicious"]
        alive = c["survived"] + c["timeout"]          # suspicious = killed, slowly
        rate = f"{100 * alive / tested:.1f}%" if tested else "n/a"
        lines.append(f"{path:26s} mutants {tested:5d}  killed {c['killed']:5d}  survived {c['survived']:4d}  "
                     f"timeout {c['timeout']:3d}  suspicious {c['suspicious']:3d}  survival {rate}  "
                     f"({time.monotonic() - t0:.0f} s)")
        print(lines[-1], flush=True)
    sample = os.environ.get("MUTATE_SAMPLE", "1")
    head = "mutation testing (mutmut; NUMBA_DISABLE_JIT=1 where the path holds @njit kernels" + (
        f"; sample {sample} of the mutants)" if sample not in ("", "1") else ")")
    summary = "\n".join([head, *lines]) + "\n"
    (work / "summary.txt").write_text(summary)
    (work / "survivors.txt").write_text(survivors(work, env))
    print(summary + f"survivors' diffs: {work / 'survivors.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
