"""Market data: providers behind one interface, validation, resampling.

    load_bars("IWM")                         # as-traded daily bars, default source
    load_bars("SPY", adjustment="adjusted")  # total-return bars
    load_universe("csv:/data/sp500-constituents", field="close")  # dates x symbols
    resample(bars, "1w")

The default source is ``csv:$THESIS_DATA`` when THESIS_DATA is set, else Yahoo
Finance with the local store as cache (and as fallback when Yahoo is down:
then bars pulled into the store from any source are used, Yahoo's preferred).

What every command that loads bars should show or use:

    bar_warnings(bars)   # list[str]: repairs and reports of the validation (print them on stderr)
    flagged_dates(bars)  # dict[Timestamp, str]: bars the bad-print rule flags (thesis.data.outliers)
    validate_symbol(s)   # "IWM" or BadInput (thesis.data.symbols)
    check_range(a, b)    # (start, end) or BadInput (thesis.data.dates)
"""
from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

from thesis._lazy import lazy_exports
from thesis.data.symbols import validate_symbol
from thesis.errors import BadInput, ProviderUnavailable, StoreError, SymbolNotFound

# The re-exports load their module (and pandas) on first use, and the functions below import
# what they use: `thesis.data.symbols` (the idea model's symbol rule, so `thesis check`) must
# not cost a pandas import.
lazy_exports(__name__, {
    "adapters.base": ["Provider"],
    "adapters.csv_folder": ["CsvFolder", "folder_adjustment"],
    "adapters.store": ["Store", "default_store_path"],
    "adapters.yahoo": ["Yahoo"],
    "dates": ["check_range"],
    "model": ["ADJUSTED", "ADJUSTMENTS", "AS_TRADED", "COLUMNS", "TIMEFRAMES", "describe", "make_bars"],
    "resample": ["resample"],
})
if TYPE_CHECKING:
    import pandas as pd

    from thesis.data.adapters.base import Provider
    from thesis.data.adapters.csv_folder import CsvFolder
    from thesis.data.adapters.store import Store
    from thesis.data.dates import check_range
    from thesis.data.model import ADJUSTED, ADJUSTMENTS, AS_TRADED, COLUMNS, TIMEFRAMES, describe, make_bars
    from thesis.data.resample import resample

__all__ = ["load_bars", "load_universe", "resample", "get_provider", "default_source", "Provider", "CsvFolder",
           "Store", "Yahoo", "AS_TRADED", "ADJUSTED", "ADJUSTMENTS", "COLUMNS", "TIMEFRAMES", "make_bars",
           "describe", "default_store_path", "validate_symbol", "check_range", "bar_warnings", "flagged_dates"]


def bar_warnings(bars: pd.DataFrame) -> list[str]:
    """The validation warnings (repairs, reports, fallbacks) that travel with a bar set."""
    return [str(w) for w in bars.attrs.get("warnings", [])]


def flagged_dates(bars: pd.DataFrame) -> dict[pd.Timestamp, str]:
    """Session date -> reason for every bar the bad-print rule flags (report only: bars are never changed).

    Read from ``attrs["flagged"]`` (set by every adapter on load); computed from the bars themselves when
    a frame lost its attrs.
    """
    import pandas as pd

    if "flagged" in bars.attrs:
        return {pd.Timestamp(d): why for d, why in bars.attrs["flagged"].items()}
    from thesis.data.outliers import flags_of_bars

    out: dict[pd.Timestamp, str] = {}
    for f in flags_of_bars(bars):
        out[f.date] = (out[f.date] + "; " if f.date in out else "") + f.message()
    return out


def default_source() -> str:
    data = os.environ.get("THESIS_DATA")
    return f"csv:{data}" if data else "yahoo"


@lru_cache(maxsize=32)
def _csv(root: str) -> CsvFolder:
    from thesis.data.adapters.csv_folder import CsvFolder

    return CsvFolder(root)


def _folder(spec: str, source: str) -> Path:
    if not spec.strip():
        raise BadInput(f"source {source!r} names no folder: use csv:DIR (csv:. for the current folder)")
    try:
        return Path(spec).expanduser().resolve()
    except RuntimeError as exc:  # ~nouser
        raise BadInput(f"source {source!r}: cannot expand {spec.split('/')[0]!r} (no such user)") from exc


_ONLINE: dict = {}


def _online(factory) -> Provider:
    """One online provider per process (and factory, which tests replace): it remembers an outage,
    so a run waits for a dead provider once, not once per symbol."""
    provider = _ONLINE.get(factory)
    if provider is None:
        if len(_ONLINE) > 8:
            _ONLINE.clear()
        provider = _ONLINE[factory] = factory()
    return provider


def get_provider(source: str | None = None) -> Provider:
    """``csv:DIR``, ``yahoo``, ``store`` (or ``store:PATH``); None = default. A Provider or a mapping of
    symbols to DataFrames (``bars=`` of the verbs) is served as it is."""
    if not isinstance(source, (str, type(None))):
        from collections.abc import Mapping

        from thesis.data.adapters.base import Provider
        from thesis.data.adapters.frames import Frames

        if isinstance(source, Provider):
            return source
        if isinstance(source, Mapping):
            return Frames(source, parameter="source")
        raise BadInput(f"source must be csv:DIR, yahoo, store, a Provider or a mapping of symbols to "
                       f"DataFrames, got {type(source).__name__}")
    # Looked up on the package (not imported here) so tests can replace thesis.data.Yahoo / Store.
    # (each attribute only when its branch runs: the adapters load lazily, see lazy_exports above)
    package = sys.modules[__name__]

    source = source or default_source()
    if source.startswith("csv:"):
        return _csv(str(_folder(source[4:], source)))
    if source == "yahoo":
        return _online(package.Yahoo)
    Store = package.Store
    if source == "store":
        return Store()
    if source.startswith("store:"):
        path = _folder(source[6:], source)
        if not path.exists():
            raise BadInput(f"store {path} does not exist (source {source!r})")
        return Store(path)
    raise BadInput(f"unknown source {source!r}: use csv:DIR, yahoo or store")


def load_bars(symbol: str, adjustment: str = "as-traded", source: str | None = None, start=None,
              end=None) -> pd.DataFrame:
    """Validated daily bars of one symbol (see thesis.data.model for the frame).

    With the Yahoo source (THESIS_DATA unset) and Yahoo down, the bars pulled into the store are used,
    whatever source they were pulled from (Yahoo's preferred); ``attrs["warnings"]`` says so.
    """
    from thesis.data.model import ADJUSTMENTS

    Store = sys.modules[__name__].Store
    if adjustment not in ADJUSTMENTS:
        raise BadInput(f"adjustment must be one of {ADJUSTMENTS}, got {adjustment!r}")
    symbol = _table_name(validate_symbol(symbol))
    source = source or default_source()
    provider = get_provider(source)
    if source == "yahoo":
        store = Store()
        try:
            bars = provider.fetch(symbol, adjustment, start, end)
        except ProviderUnavailable as down:
            return _from_store(store, symbol, adjustment, start, end, down)
        try:
            store.upsert(bars)
        except StoreError as exc:
            bars.attrs["warnings"] = bar_warnings(bars) + [f"not cached: {exc}"]
        return bars
    return provider.fetch(symbol, adjustment, start, end)


def _table_name(symbol: str) -> str:
    """thesis's name for a table instrument written by its online name (``^TNX`` -> ``TNX``); else unchanged.
    Aliases (``GOLD``) are resolved where people write them (idea files, flags), not here."""
    from thesis.data.instruments import instrument_of

    inst = instrument_of(symbol)
    return inst.symbol if inst.known and symbol == inst.yahoo.upper() else symbol


def _from_store(store: Store, symbol: str, adjustment: str, start, end, down: Exception) -> pd.DataFrame:
    said = str(down).removesuffix("; data already in the store is still usable")
    try:
        try:
            cached = store.fetch(symbol, adjustment, start, end, source="yahoo")
        except SymbolNotFound:
            cached = store.fetch(symbol, adjustment, start, end)
    except SymbolNotFound:
        raise ProviderUnavailable(f"{said}; and the store has none to fall back on: "
                                  f"{store.holdings_hint(symbol, adjustment, start, end)}") from down
    except StoreError as exc:
        raise ProviderUnavailable(f"{said}; and the store cannot be used: {exc}") from down
    origin = cached.attrs["source"].removeprefix("store:")
    span = f"{cached.index[0].date()} to {cached.index[-1].date()}" if len(cached) else "no rows"
    cached.attrs["warnings"] = [f"Yahoo Finance is unavailable: using {symbol} bars stored from {origin} "
                                f"({span})"] + bar_warnings(cached)
    return cached


def load_universe(source: str, field: str = "close", symbols=None, start=None, end=None) -> pd.DataFrame:
    """A dates x symbols matrix of one field from a CSV folder (``csv:DIR`` or a path)."""
    return load_fields(source, (field,), symbols, start, end)[field]


def load_fields(source: str, fields=("high", "low", "close"), symbols=None, start=None,
                end=None) -> dict[str, pd.DataFrame]:
    from thesis.data.adapters.csv_folder import folder_adjustment
    from thesis.data.universe import load_matrix

    folder = _folder(source[4:] if source.startswith("csv:") else source, source)
    if not folder.is_dir():
        raise BadInput(f"universe folder {folder} does not exist")
    def compute() -> dict[str, pd.DataFrame]:
        out = load_matrix(folder, fields, symbols, start, end)
        for frame in out.values():
            frame.attrs |= {"universe": folder.name, "source": f"csv:{folder}",
                            "adjustment": folder_adjustment(folder),
                            "survivorship": "constituents" in folder.name.lower()}
        return out

    # Cached in $THESIS_HOME/cache, keyed by every file's size and mtime (thesis.cache).
    from thesis.cache import cached_frames, folder_fingerprint

    parts = {"folder": folder_fingerprint(folder), "fields": list(fields),
             "symbols": None if symbols is None else list(symbols), "start": start, "end": end}
    return cached_frames("fields", parts, compute)
