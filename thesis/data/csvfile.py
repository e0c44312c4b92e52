"""Read one bar CSV with errors that name the file, the line and the symbol.

Accepted headers: ``date,open,high,low,close,volume`` (full bars) or
``date,high,low,close`` (sources without open and volume, as the S&P 500
constituent folder). Lines are numbered as an editor shows them (header = 1).
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from thesis.errors import DataFileError

FULL = ["date", "open", "high", "low", "close", "volume"]
HLC = ["date", "high", "low", "close"]
HEADERS = (FULL, HLC)
LINE = "_line"


def read_csv_bars(path: Path, symbol: str) -> pd.DataFrame:
    """Parse a CSV into a frame with numeric columns and a ``_line`` column.

    Raises DataFileError for: empty file, unknown header, a row with the wrong
    number of fields (including a truncated last line), a date that does not
    parse, text or a blank where a number belongs.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise DataFileError(path, f"cannot read file: {exc}", symbol=symbol) from exc
    if not text.strip():
        raise DataFileError(path, "file is empty", symbol=symbol)
    lines = text.splitlines()
    header = [h.strip().lower() for h in lines[0].split(",")]
    if header not in HEADERS:
        raise DataFileError(
            path, f"unexpected header {lines[0].strip()!r}; expected {','.join(FULL)!r} or {','.join(HLC)!r}",
            line=1, symbol=symbol)
    ncol = len(header)
    rows, numbers = [], []
    for n, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        fields = raw.split(",")
        if len(fields) != ncol:
            last = n == len(lines)
            why = " (the file looks truncated)" if last and len(fields) < ncol else ""
            raise DataFileError(path, f"expected {ncol} fields, found {len(fields)}{why}: {raw.strip()!r}",
                                line=n, symbol=symbol)
        rows.append(fields)
        numbers.append(n)
    if not rows:
        raise DataFileError(path, "file has a header but no rows", symbol=symbol)
    frame = pd.DataFrame(rows, columns=header)
    line_no = np.asarray(numbers)
    dates = pd.to_datetime(frame["date"].str.strip(), format="%Y-%m-%d", errors="coerce")
    bad = dates.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFileError(path, f"date {frame['date'].iloc[i]!r} is not YYYY-MM-DD", line=int(line_no[i]),
                            symbol=symbol)
    out = pd.DataFrame({"date": dates})
    for col in header[1:]:
        raw = frame[col].str.strip()
        values = pd.to_numeric(raw, errors="coerce")
        bad = values.isna().to_numpy()
        if bad.any():
            i = int(np.argmax(bad))
            what = "is empty" if raw.iloc[i] == "" else f"is not a number: {raw.iloc[i]!r}"
            last = int(line_no[i]) == len(lines) and not text.endswith(("\n", "\r"))
            why = " (the file looks truncated)" if last else ""
            raise DataFileError(path, f"column '{col}' {what}{why}", line=int(line_no[i]), symbol=symbol)
        out[col] = values.astype("float64")
    out[LINE] = line_no
    return out
