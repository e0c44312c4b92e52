"""The local store: one embedded DuckDB file.

Bars are keyed by (symbol, source, adjustment, date) and upserted, so pulling
twice changes nothing. Each pull is one transaction: a process killed half-way
leaves the store as it was before that pull (DuckDB's write-ahead log rolls
the open transaction back). Another process holding the file gets a clear
"locked" error after a short wait. Every DuckDB failure becomes a StoreError
that names the file, says what happened and what to do (``explain``): damaged
(truncated, checksum error, not a DuckDB file: never overwritten, move it
aside), disk full (the pull was rolled back), no permission (a read-only store
is still read; only writing needs permission).
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from thesis.data.adapters.base import Provider
from thesis.data.model import COLUMNS, make_bars
from thesis.data.symbols import excerpt, validate_symbol
from thesis.errors import StoreError, SymbolNotFound
from thesis.paths import default_home

DAMAGED = ("corrupt", "checksum", "could not read enough bytes", "not a valid duckdb", "invalid database",
           "database file", "truncated", "magic bytes", "serializ", "unexpected end")
DISK_FULL = ("no space left", "file too large", "disk quota", "disk full", "out of disk")
NO_PERMISSION = ("permission denied", "read-only file system", "operation not permitted")


def explain(path: Path, exc: Exception, writing: bool) -> StoreError:
    """A StoreError for a DuckDB (or OS) failure: the file, what happened, what to do."""
    text = str(exc)
    low = text.lower()
    short = excerpt(text.splitlines()[0] if text else type(exc).__name__, 160)
    if "lock" in low and "conflicting lock" in low or "could not set lock" in low:
        return StoreError(f"store {path} is locked by another process; try again when it finishes ({short})")
    if any(k in low for k in DISK_FULL):
        return StoreError(f"store {path}: the disk is full, or a file-size limit was reached ({short}). The write "
                          f"was rolled back: the store holds what it held before. Free some space and run the "
                          f"command again")
    if any(k in low for k in NO_PERMISSION):
        if writing:
            return StoreError(f"store {path} cannot be written: permission denied ({short}). The store itself is "
                              f"fine and can still be read; to write to it make the file and its folder writable, "
                              f"or set THESIS_HOME to a writable folder")
        return StoreError(f"store {path} cannot be read: permission denied ({short}). Give your user read access "
                          f"to the file, or set THESIS_HOME to another folder")
    if any(k in low for k in DAMAGED):
        return StoreError(f"store {path} is damaged (truncated, corrupt or not a DuckDB file: {short}). The file "
                          f"was left untouched; move it aside (mv {path} {path}.damaged) and pull again to start a "
                          f"new store. CSV and online sources still work meanwhile")
    return StoreError(f"store {path} failed: {short}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS bars (
    symbol VARCHAR NOT NULL, source VARCHAR NOT NULL, adjustment VARCHAR NOT NULL, date DATE NOT NULL,
    open DOUBLE, high DOUBLE NOT NULL, low DOUBLE NOT NULL, close DOUBLE NOT NULL, volume DOUBLE,
    PRIMARY KEY (symbol, source, adjustment, date));
CREATE TABLE IF NOT EXISTS pulls (
    pulled_at TIMESTAMP NOT NULL, symbol VARCHAR NOT NULL, source VARCHAR NOT NULL, adjustment VARCHAR NOT NULL,
    rows BIGINT NOT NULL, first DATE, last DATE);
"""


def default_store_path() -> Path:
    return default_home() / "store.duckdb"


class Store(Provider):
    def __init__(self, path: str | Path | None = None, lock_wait: float = 3.0):
        self.path = Path(path) if path else default_store_path()
        self.lock_wait = lock_wait

    name = "store"

    def _check_home(self) -> None:
        parent = self.path.parent
        if parent.exists() and not parent.is_dir():
            raise StoreError(f"the store folder {parent} is a file, not a folder: set THESIS_HOME to a folder")

    def exists(self) -> bool:
        self._check_home()
        return self.path.exists()

    @contextmanager
    def connect(self, read_only: bool = False):
        import duckdb

        if read_only and not self.exists():
            raise StoreError(f"store {self.path} does not exist yet: pull some data first (thesis data pull)")
        self._check_home()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise explain(self.path, exc, writing=True) from exc
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
                                     f"finishes ({excerpt(msg.splitlines()[0], 160)})") from exc
                raise explain(self.path, exc, writing=not read_only) from exc
            except duckdb.Error as exc:
                raise explain(self.path, exc, writing=not read_only) from exc
        try:
            if not read_only:
                con.execute(SCHEMA)
            yield con
        except duckdb.Error as exc:
            raise explain(self.path, exc, writing=not read_only) from exc
        finally:
            try:
                con.close()
            except duckdb.Error:
                pass

    @contextmanager
    def transaction(self):
        import duckdb

        with self.connect() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                try:
                    con.execute("ROLLBACK")
                except duckdb.Error:
                    pass  # a failed commit has already rolled back
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
        symbol = validate_symbol(symbol)
        if not self.exists():
            raise SymbolNotFound(symbol, f"store {self.path}", "the store is empty")
        sql = "SELECT source, date, open, high, low, close, volume FROM bars WHERE symbol = ? AND adjustment = ?"
        args: list = [symbol, adjustment]
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
            raise SymbolNotFound(symbol, f"store {self.path}", self.holdings_hint(symbol, adjustment, start, end))
        sources = frame["source"].unique()
        chosen = source or sources[0]
        if len(sources) > 1 and not source:
            # Several sources hold this symbol: prefer the one reaching furthest.
            chosen = frame.groupby("source")["date"].max().idxmax()
        frame = frame[frame["source"] == chosen].drop(columns="source")
        frame["date"] = pd.to_datetime(frame["date"])
        bars = make_bars(frame.set_index("date"), symbol, f"store:{chosen}", adjustment)
        from thesis.data.validate import ensure_loadable, validate_frame

        _, report = validate_frame(bars.reset_index(), symbol, f"store {self.path} ({chosen})", check_calendar=False)
        ensure_loadable(report, f"store {self.path} ({chosen})", symbol)
        bars.attrs["warnings"] = [p.text() for p in report.problems]
        bars.attrs["flagged"] = report.flagged
        return bars

    def holdings_hint(self, symbol: str, adjustment: str | None = None, start=None, end=None) -> str:
        """What the store holds of ``symbol`` (or in all), for a "not found" message."""
        try:
            inv = self.inventory()
        except StoreError as exc:
            return str(exc)
        if inv.empty:
            return "the store is empty; thesis data pull SYMBOL fills it"
        mine = inv[inv["symbol"] == symbol]
        if mine.empty:
            names = sorted(inv["symbol"].unique())
            shown = ", ".join(names[:12]) + (f" and {len(names) - 12} more" if len(names) > 12 else "")
            return f"the store holds no bars of {symbol}; it holds {shown}"
        sets = "; ".join(f"{r.adjustment} from {r.source} ({str(r.first)[:10]} to {str(r.last)[:10]})"
                         for r in mine.itertuples())
        when = ""
        if start is not None or end is not None:
            when = f" between {pd.Timestamp(start).date() if start is not None else 'the start'} and " \
                   f"{pd.Timestamp(end).date() if end is not None else 'the end'}"
        return f"no {adjustment} bars of {symbol}{when}; the store holds {sets}"

    def inventory(self) -> pd.DataFrame:
        if not self.exists():
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
