"""Startup cost: the light commands must not import the heavy libraries.

Each case runs the real `thesis` entry point in a fresh interpreter with ``-X importtime``
and reads, from its report, every module the run imported (issue 14: `thesis --help` went
from 2.3 s to a fraction of that by importing only what a command runs).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"

ANALYTICS = {"QuantLib", "scipy", "dask", "matplotlib", "numba"}
HELP_FORBIDDEN = ANALYTICS | {"pandas", "numpy", "duckdb", "pyarrow", "fastapi", "exchange_calendars"}
LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|( *)(\S+)\s*$")


def imported(*args: str) -> tuple[set[str], subprocess.CompletedProcess]:
    """Top-level package names imported by `thesis ARGS` (and the finished process)."""
    code = "import sys; from thesis.cli import main; sys.argv = ['thesis', *sys.argv[1:]]; main()"
    env = dict(os.environ, COLUMNS="80", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    names = {m.group(2).split(".")[0] for m in map(LINE.match, proc.stderr.splitlines()) if m}
    return names, proc


def test_importtime_report_is_read():
    """The parser sees the imports a run makes (else the assertions below would pass vacuously)."""
    names, proc = imported("--help")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {"thesis", "typer", "rich"} <= names


@pytest.mark.parametrize("args", [["--help"], ["data", "--help"], ["options", "--help"]], ids=" ".join)
def test_help_imports_no_analytics(args):
    names, proc = imported(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Usage" in proc.stdout
    assert not names & HELP_FORBIDDEN, f"`thesis {' '.join(args)}` imported {sorted(names & HELP_FORBIDDEN)}"


def test_check_imports_no_analytics():
    """Validating an idea and listing the data folder's symbols needs no numpy/pandas either
    (pandas alone is most of the 0.5 s budget of `thesis check`)."""
    names, proc = imported("check", str(IDEA))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ok" in proc.stdout
    forbidden = ANALYTICS | {"pandas", "numpy"}
    assert not names & forbidden, f"`thesis check` imported {sorted(names & forbidden)}"


def test_import_thesis_is_light():
    """`import thesis` runs no subpackage: the four modules named like verbs are only registered
    (thesis._lazy.register_pending, not yet run); the verbs still win over their names."""
    code = ("import sys, thesis; light = sorted(m + ':' + type(sys.modules[m]).__name__ for m in sys.modules "
            "if m.startswith('thesis.'));"
            "import thesis.replay.fills, thesis.study.stats;"
            "print(','.join(light), callable(thesis.replay), callable(thesis.study), thesis.Idea.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lazy = ",".join(["thesis._lazy:module"] + [f"thesis.{m}:_PendingModule" for m in ("chart", "evaluate", "replay", "study")])
    assert out.stdout.split() == [lazy, "True", "True", "Idea"]


ONE_IDEA = [["replay", str(IDEA), "--json"], ["evaluate", str(IDEA), "--asof", "2023-06-14", "--json"]]


@pytest.mark.parametrize("args", ONE_IDEA, ids=lambda a: a[0])
def test_one_idea_runs_without_numba(args, data_root):
    """Issue 25: one idea's kernels run as Python (thesis.jit), so numba's start-up is never paid;
    the document is the one the numba kernels give (THESIS_KERNELS=compiled). The first run fills
    $THESIS_HOME's caches (the breadth of 503 members is a batch: numba); the second is the one timed."""
    first = subprocess.run([sys.executable, "-m", "thesis", *args], capture_output=True, text=True, cwd=ROOT,
                           timeout=600)
    assert first.returncode == 0, first.stderr[-2000:]
    names, proc = imported(*args)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert {"pandas", "numpy", "thesis"} <= names
    assert not names & {"numba", "llvmlite"}, f"`thesis {args[0]}` imported {sorted(names & {'numba', 'llvmlite'})}"
    # nor scipy (the strike for a delta uses statistics.NormalDist) nor, warm, QuantLib (the option path's
    # American values are in the cache the first run filled)
    assert not names & {"scipy", "QuantLib"}, f"`thesis {args[0]}` imported {sorted(names & {'scipy', 'QuantLib'})}"
    env = dict(os.environ, COLUMNS="80", THESIS_KERNELS="compiled")
    compiled = subprocess.run([sys.executable, "-m", "thesis", *args], capture_output=True, text=True, env=env,
                              cwd=ROOT, timeout=600)
    assert compiled.returncode == 0, compiled.stderr[-2000:]
    assert compiled.stdout == proc.stdout
