"""The local store: one embedded DuckDB file.

Bars are keyed by (symbol, source, adjustment, date) and upserted, so pulling
twice changes nothing. Each pull is one transaction: a process killed half-way
leaves the store as it was before that pull (DuckDB's write-ahead log rolls
the open transaction back). Another process holding the file gets a clear
"locked" error after a short wait; a file that is not a DuckDB database is
reported and never overwritten.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from thesis.data.adapters.base import Provider
from thesis.data.model import COLUMNS, make_bars
from thesis.errors import StoreError, SymbolNotFound

SCHEMA = """
CREATE TABLE IF NOT EXISTS bars (
    symbol VARCHAR NOT NULL, source VARCHAR NOT NULL, adjustment VARCHAR NOT NULL, date DATE NOT NULL,
    open DOUBLE, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, volume DOUBLE,
    PRIMARY KEY (symbol, source, adjustment, date));
CREATE TABLE IF NOT EXISTS pulls (
    pulled_at TIMESTAMP NOT NULL, symbol VARCHAR NOT NULL, source VARCHAR NOT NULL, adjustment VARCHAR NOT NULL,
    rows BIGINT NOT NULL, first DATE, last DATE);
"""


def default_home() -> Path:
    env = os.environ.get("THESIS_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("thesis", appauthor=False))


def default_store_path() -> Path:
    return default_home() / "store.duckdb"


class Store(Provider):
    def __init__(self, path: str | Path | None = None, lock_wait: float = 3.0):
        self.path = Path(path) if path else default_store_path()
        self.lock_wait = lock_wait

    name = "store"

    @contextmanager
    def connect(self, read_only: bool = False):
        import duckdb

        if read_only and not self.path.exists():
            raise StoreError(f"store {self.path} does not exist yet: pull some data first (thesis data pull)")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=read_only)
                break
            except duckdb.IOException as exc:
                msg = str(exc)
                if "lock" in msg.lower():
                    if time.monotonic() < deadline:
                        time.sleep(0.1)
                        continue
                    raise StoreError(f"store {self.path} is locked by another process; try again when it "
                                     f"finishes ({msg.splitlines()[0][:200]})") from exc
                raise StoreError(f"store {self.path} cannot be opened: {msg[:300]}. The file was left "
                                 f"untouched; move it aside to start a new store") from exc
            except duckdb.Error as exc:
                raise StoreError(f"store {self.path} is not a valid DuckDB store ({str(exc)[:300]}). The file "
                                 f"was left untouched; move it aside to start a new store") from exc
        try:
            if not read_only:
                con.execute(SCHEMA)
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self):
        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @staticmethod
    def _insert(con, bars: pd.DataFrame) -> int:
        a = bars.attrs
        rows = bars[COLUMNS].reset_index()
        rows.insert(0, "symbol", a["symbol"])
        rows.insert(1, "source", a["source"])
        rows.insert(2, "adjustment", a["adjustment"])
        rows["date"] = pd.to_datetime(rows["date"]).dt.date
        con.register("incoming", rows)
        con.execute("INSERT OR REPLACE INTO bars SELECT symbol, source, adjustment, date, open, high, low, "
                    "close, volume FROM incoming")
        con.unregister("incoming")
        return len(rows)

    def upsert(self, bars: pd.DataFrame) -> int:
        """Write one bar set atomically; returns the rows written."""
        if bars.empty:
            return 0
        a = bars.attrs
        with self.transaction() as con:
            n = self._insert(con, bars)
            con.execute("INSERT INTO pulls VALUES (now(), ?, ?, ?, ?, ?, ?)",
                        [a["symbol"], a["source"], a["adjustment"], n, bars.index[0].date(), bars.index[-1].date()])
        return n

    def fetch(self, symbol: str, adjustment: str, start=None, end=None, source: str | None = None) -> pd.DataFrame:
        if not self.path.exists():
            raise SymbolNotFound(symbol, f"store {self.path}", "the store is empty")
        sql = "SELECT source, date, open, high, low, close, volume FROM bars WHERE symbol = ? AND adjustment = ?"
        args: list = [symbol.upper(), adjustment]
        if source:
            sql += " AND source = ?"
            args.append(source)
        if start is not None:
            sql += " AND date >= ?"
            args.append(pd.Timestamp(start).date())
        if end is not None:
            sql += " AND date <= ?"
            args.append(pd.Timestamp(end).date())
        with self.connect(read_only=True) as con:
            frame = con.execute(sql + " ORDER BY source, date", args).df()
        if frame.empty:
            raise SymbolNotFound(symbol, f"store {self.path}", f"no {adjustment} bars; pull it first")
        sources = frame["source"].unique()
        chosen = source or sources[0]
        if len(sources) > 1 and not source:
            # Several sources hold this symbol: prefer the one reaching furthest.
            chosen = frame.groupby("source")["date"].max().idxmax()
        frame = frame[frame["source"] == chosen].drop(columns="source")
        frame["date"] = pd.to_datetime(frame["date"])
        bars = make_bars(frame.set_index("date"), symbol.upper(), f"store:{chosen}", adjustment)
        bars.attrs["warnings"] = []
        return bars

    def inventory(self) -> pd.DataFrame:
        if not self.path.exists():
            return pd.DataFrame(columns=["symbol", "source", "adjustment", "rows", "first", "last"])
        with self.connect(read_only=True) as con:
            return con.execute(
                "SELECT symbol, source, adjustment, count(*) AS rows, min(date) AS first, max(date) AS last "
                "FROM bars GROUP BY ALL ORDER BY symbol, adjustment, source").df()

    def symbols(self, adjustment: str | None = None) -> list[str]:
        inv = self.inventory()
        if adjustment:
            inv = inv[inv["adjustment"] == adjustment]
        return sorted(inv["symbol"].unique().tolist())
