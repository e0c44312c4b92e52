"""Store atomicity at the entry points users run: a `thesis data pull` process and a plain
`Store.upsert()` call, each SIGKILLed in the middle of writing one bar set, leave the `bars` and
`pulls` tables exactly as they were.

The kill is placed deterministically: a `sitecustomize` module on PYTHONPATH (test-only, in
tmp_path) wraps `Store._insert` so the process kills itself right after the bars are written and
before the pull is logged and committed; nothing else in the process is changed.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from thesis.data import Store, load_bars

KILLER = textwrap.dedent('''
    import importlib.abc, importlib.util, os, signal, sys

    TARGET = "thesis.data.adapters.store"
    AFTER = int(os.environ.get("KILL_AFTER_INSERTS", "1"))   # kill inside the Nth bar-set write

    def _patch(module):
        store_cls, original = module.Store, module.Store._insert
        calls = []

        def _insert(con, bars):
            n = original(con, bars)            # the bars are in the open transaction now
            calls.append(n)
            if len(calls) >= AFTER:
                open(os.environ["KILL_MARK"], "w").write(str(n))
                os.kill(os.getpid(), signal.SIGKILL)
            return n
        store_cls._insert = staticmethod(_insert)

    class _Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name != TARGET:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(name)
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                _patch(module)
            spec.loader.exec_module = exec_module
            return spec

    if os.environ.get("KILL_MARK"):
        sys.meta_path.insert(0, _Finder())
''')


def tables(path: Path) -> dict[str, pd.DataFrame]:
    store = Store(path)
    with store.connect(read_only=True) as con:
        return {"bars": con.execute("SELECT * FROM bars ORDER BY ALL").df(),
                "pulls": con.execute("SELECT * FROM pulls ORDER BY ALL").df()}


def assert_same(before, after):
    for name in ("bars", "pulls"):
        pd.testing.assert_frame_equal(before[name], after[name], obj=name)


@pytest.fixture
def seeded(tmp_path, private_home, data_root):
    """A store holding SPY 2023 (one pull), at the path `thesis data pull` writes to; the kill hook."""
    path = private_home / "store.duckdb"
    Store(path).upsert(load_bars("SPY", start="2023-01-01", end="2023-12-31"))
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILLER)
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(hook), *filter(None, [env.get("PYTHONPATH")])])
    env["KILL_MARK"] = str(tmp_path / "killed-while-writing")
    return path, env, Path(env["KILL_MARK"])


def thesis_exe() -> str:
    exe = Path(sys.executable).with_name("thesis")
    assert exe.exists(), exe
    return str(exe)


def test_killed_data_pull_leaves_bars_and_pulls_as_before(seeded, data_root):
    path, env, mark = seeded
    before = tables(path)
    # overlapping rows (2023 again) and new rows (2022, and QQQ): all would change the store
    proc = subprocess.run([thesis_exe(), "data", "pull", "SPY", "QQQ", "--from", "2022-01-01", "--to", "2023-12-31",
                           "--source", f"csv:{data_root}"], env=env, capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert mark.read_text() == str(len(load_bars("SPY", start="2022-01-01", end="2023-12-31")))  # mid-write
    assert_same(before, tables(path))


def test_killed_data_pull_keeps_the_symbols_committed_before_the_kill(seeded, data_root):
    path, env, mark = seeded
    before = tables(path)
    env["KILL_AFTER_INSERTS"] = "2"        # QQQ's write is killed; SPY's pull had committed
    proc = subprocess.run([thesis_exe(), "data", "pull", "SPY", "QQQ", "--from", "2022-06-01", "--to", "2023-12-31",
                           "--source", f"csv:{data_root}"], env=env, capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    after = tables(path)
    spy = load_bars("SPY", start="2022-06-01", end="2023-12-31")
    # bars: SPY from 2022-06 (2023 rewritten with the same values), no QQQ row; pulls: one more, SPY's
    assert set(after["bars"]["symbol"]) == {"SPY"} and len(after["bars"]) == len(spy)
    assert (after["bars"]["close"].to_numpy() == spy["close"].to_numpy()).all()
    assert len(after["pulls"]) == len(before["pulls"]) + 1
    new = after["pulls"].merge(before["pulls"], how="left", indicator=True).query("_merge == 'left_only'")
    assert new[["symbol", "rows"]].values.tolist() == [["SPY", len(spy)]]


UPSERT_CHILD = """
import sys
from thesis.data import Store, load_bars
bars = load_bars("QQQ", start="2021-01-01", end="2023-12-31")
spy = load_bars("SPY", start="2022-01-01", end="2023-12-31")
Store(sys.argv[1]).upsert(spy if sys.argv[2] == "SPY" else bars)
"""


@pytest.mark.parametrize("symbol", ["SPY", "QQQ"])   # rows that replace existing ones, and a new symbol
def test_upsert_killed_in_a_child_leaves_bars_and_pulls_as_before(seeded, symbol):
    path, env, mark = seeded
    before = tables(path)
    proc = subprocess.run([sys.executable, "-c", UPSERT_CHILD, str(path), symbol], env=env, capture_output=True,
                          timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()[-2000:]
    assert int(mark.read_text()) > 250
    assert_same(before, tables(path))
    # and the store still takes writes afterwards
    Store(path).upsert(load_bars(symbol, start="2023-01-01", end="2023-01-31"))
    assert len(tables(path)["pulls"]) == len(before["pulls"]) + 1
