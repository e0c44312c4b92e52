"""Market data: providers behind one interface, validation, resampling.

    load_bars("IWM")                         # as-traded daily bars, default source
    load_bars("SPY", adjustment="adjusted")  # total-return bars
    load_universe("csv:/data/sp500-constituents", field="close")  # dates x symbols
    resample(bars, "1w")

The default source is ``csv:$THESIS_DATA`` when THESIS_DATA is set, else Yahoo
Finance with the local store as cache (and as fallback when Yahoo is down).
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from thesis.data.adapters.base import Provider
from thesis.data.adapters.csv_folder import CsvFolder, folder_adjustment
from thesis.data.adapters.store import Store, default_store_path
from thesis.data.adapters.yahoo import Yahoo
from thesis.data.model import ADJUSTED, ADJUSTMENTS, AS_TRADED, COLUMNS, TIMEFRAMES, describe, make_bars
from thesis.data.resample import resample
from thesis.errors import BadInput, ProviderUnavailable, StoreError, SymbolNotFound

__all__ = ["load_bars", "load_universe", "resample", "get_provider", "default_source", "Provider", "CsvFolder",
           "Store", "Yahoo", "AS_TRADED", "ADJUSTED", "ADJUSTMENTS", "COLUMNS", "TIMEFRAMES", "make_bars",
           "describe", "default_store_path"]


def default_source() -> str:
    data = os.environ.get("THESIS_DATA")
    return f"csv:{data}" if data else "yahoo"


@lru_cache(maxsize=32)
def _csv(root: str) -> CsvFolder:
    return CsvFolder(root)


def get_provider(source: str | None = None) -> Provider:
    """``csv:DIR``, ``yahoo``, ``store`` (or ``store:PATH``); None = default."""
    source = source or default_source()
    if source.startswith("csv:"):
        return _csv(str(Path(source[4:]).expanduser().resolve()))
    if source == "yahoo":
        return Yahoo()
    if source == "store":
        return Store()
    if source.startswith("store:"):
        return Store(source[6:])
    raise BadInput(f"unknown source {source!r}: use csv:DIR, yahoo or store")


def load_bars(symbol: str, adjustment: str = AS_TRADED, source: str | None = None, start=None,
              end=None) -> pd.DataFrame:
    """Validated daily bars of one symbol (see thesis.data.model for the frame)."""
    if adjustment not in ADJUSTMENTS:
        raise BadInput(f"adjustment must be one of {ADJUSTMENTS}, got {adjustment!r}")
    symbol = symbol.strip().upper()
    if not symbol:
        raise BadInput("empty symbol")
    source = source or default_source()
    provider = get_provider(source)
    if source == "yahoo":
        store = Store()
        try:
            bars = provider.fetch(symbol, adjustment, start, end)
        except ProviderUnavailable as down:
            try:
                cached = store.fetch(symbol, adjustment, start, end, source="yahoo")
            except (SymbolNotFound, StoreError):
                raise ProviderUnavailable(f"{down}; the store holds no {adjustment} bars of {symbol} either") from down
            cached.attrs["warnings"] = ["Yahoo Finance is unavailable: using bars cached in the store"]
            return cached
        store.upsert(bars)
        return bars
    return provider.fetch(symbol, adjustment, start, end)


def load_universe(source: str, field: str = "close", symbols=None, start=None, end=None) -> pd.DataFrame:
    """A dates x symbols matrix of one field from a CSV folder (``csv:DIR`` or a path)."""
    return load_fields(source, (field,), symbols, start, end)[field]


def load_fields(source: str, fields=("high", "low", "close"), symbols=None, start=None,
                end=None) -> dict[str, pd.DataFrame]:
    from thesis.data.universe import load_matrix

    folder = Path(source[4:] if source.startswith("csv:") else source).expanduser()
    if not folder.is_dir():
        raise BadInput(f"universe folder {folder} does not exist")
    out = load_matrix(folder, fields, symbols, start, end)
    for frame in out.values():
        frame.attrs |= {"universe": folder.name, "source": f"csv:{folder}", "adjustment": folder_adjustment(folder),
                       "survivorship": "constituents" in folder.name.lower()}
    return out
