import os
import subprocess
import sys

import pandas as pd
import pytest

from thesis.data import Store, load_bars
from thesis.errors import StoreError, SymbolNotFound


@pytest.fixture
def iwm(data_root):
    return load_bars("IWM", start="2023-01-01", end="2023-12-31")


def snapshot(store):
    with store.connect(read_only=True) as con:
        return con.execute("SELECT * FROM bars ORDER BY symbol, source, adjustment, date").df()


def test_upsert_is_idempotent(tmp_path, iwm):
    store = Store(tmp_path / "s.duckdb")
    assert store.upsert(iwm) == len(iwm)
    first = snapshot(store)
    store.upsert(iwm)
    pd.testing.assert_frame_equal(first, snapshot(store))
    back = store.fetch("IWM", "as-traded")
    assert back.attrs["source"] == f"store:{iwm.attrs['source']}"
    assert (back["close"].to_numpy() == iwm["close"].to_numpy()).all()
    inv = store.inventory()
    assert inv.loc[0, "rows"] == len(iwm) and inv.loc[0, "symbol"] == "IWM"


def test_upsert_replaces_changed_rows(tmp_path, iwm):
    store = Store(tmp_path / "s.duckdb")
    store.upsert(iwm)
    fixed = iwm.copy()
    fixed.attrs = dict(iwm.attrs)
    fixed.iloc[-1, fixed.columns.get_loc("close")] = 1.0
    store.upsert(fixed)
    back = store.fetch("IWM", "as-traded")
    assert back["close"].iloc[-1] == 1.0 and len(back) == len(iwm)


def test_missing_symbol_in_store(tmp_path, iwm):
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(SymbolNotFound, match="store is empty"):
        store.fetch("IWM", "as-traded")
    store.upsert(iwm)
    with pytest.raises(SymbolNotFound, match="SPY"):
        store.fetch("SPY", "as-traded")


KILL = """
import os, signal, sys
from thesis.data import Store, load_bars
store = Store(sys.argv[1])
bars = load_bars("SPY", start="2023-01-01", end="2023-12-31")
with store.transaction() as con:
    store._insert(con, bars)
    con.execute("DELETE FROM bars WHERE symbol = 'IWM'")
    os.kill(os.getpid(), signal.SIGKILL)   # killed mid-write, before COMMIT
"""


def test_killed_mid_write_leaves_store_as_before(tmp_path, iwm):
    path = tmp_path / "s.duckdb"
    store = Store(path)
    store.upsert(iwm)
    before = snapshot(store)
    proc = subprocess.run([sys.executable, "-c", KILL, str(path)], env=os.environ.copy(), capture_output=True)
    assert proc.returncode == -9, proc.stderr.decode()
    pd.testing.assert_frame_equal(before, snapshot(store))
    assert store.symbols() == ["IWM"]


HOLD = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("ready", flush=True)
time.sleep(30)
"""


def test_locked_store_gives_clear_error(tmp_path, iwm):
    path = tmp_path / "s.duckdb"
    Store(path).upsert(iwm)
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline().strip() == b"ready"
        with pytest.raises(StoreError, match="locked by another process"):
            Store(path, lock_wait=0.3).upsert(iwm)
    finally:
        holder.kill()
        holder.wait()
    assert Store(path).fetch("IWM", "as-traded").shape[0] == len(iwm)  # usable again


def test_corrupted_store_is_reported_and_untouched(tmp_path, iwm):
    path = tmp_path / "s.duckdb"
    junk = b"this is not a database\x00" * 500
    path.write_bytes(junk)
    with pytest.raises(StoreError, match="left untouched"):
        Store(path).upsert(iwm)
    with pytest.raises(StoreError, match=str(path)):
        Store(path).fetch("IWM", "as-traded")
    assert path.read_bytes() == junk
