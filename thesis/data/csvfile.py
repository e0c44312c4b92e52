"""Read one bar CSV with errors that name the file, the line and the symbol.

Accepted headers: ``date,open,high,low,close,volume`` (full bars) or
``date,high,low,close`` (sources without open and volume, as the S&P 500
constituent folder). Lines are numbered as an editor shows them (header = 1):
only ``\\n``, ``\\r\\n`` and ``\\r`` end a line, so a form feed or U+2028 inside a
row is part of that row.

Before anything is parsed the file must be a regular file within the size limit,
hold no NUL byte, and have no line or field over the limits of
``thesis.data.limits`` (each can be lowered for a call, or by environment
variable). Error messages quote short excerpts only.
"""
from __future__ import annotations

import re
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from thesis.data import limits
from thesis.data.symbols import excerpt
from thesis.errors import DataFileError

FULL = ["date", "open", "high", "low", "close", "volume"]
HLC = ["date", "high", "low", "close"]
HEADERS = (FULL, HLC)
LINE = "_line"
EOL = re.compile(r"\r\n|\r|\n")
EOL_BYTES = re.compile(rb"\r\n|\r|\n")


def read_limited(path: Path, symbol: str | None = None, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file no larger than the limit (checked before reading)."""
    path = Path(path)
    limit = max_bytes or limits.max_csv_bytes()
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise DataFileError(path, "is a symbolic link that leads nowhere (a dangling link or a loop)",
                                symbol=symbol) from None
        raise
    except OSError as exc:
        raise DataFileError(path, f"cannot read file: {exc.strerror or exc}", symbol=symbol) from exc
    if not stat.S_ISREG(info.st_mode):
        raise DataFileError(path, "is not a regular file (a folder, FIFO or device): not read", symbol=symbol)
    if info.st_size > limit:
        raise DataFileError(path, f"file is {info.st_size:,} bytes, over the limit of {limit:,} bytes "
                                  f"(THESIS_MAX_CSV_BYTES): not read", symbol=symbol)
    try:
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise DataFileError(path, f"cannot read file: {exc.strerror or exc}", symbol=symbol) from exc
    if len(data) > limit:  # grew while we looked
        raise DataFileError(path, f"file is over the limit of {limit:,} bytes (THESIS_MAX_CSV_BYTES): not read",
                            symbol=symbol)
    return data


def check_text_limits(path: Path, data: bytes, symbol: str | None = None, max_line: int | None = None) -> None:
    """Refuse NUL bytes and over-long lines before any parsing."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = len(EOL_BYTES.findall(data, 0, nul)) + 1
        raise DataFileError(path, "contains a NUL byte: not a text CSV file", line=line, symbol=symbol)
    limit = max_line or limits.max_line_chars()
    if len(data) <= limit:
        return
    flat = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n") if b"\r" in data else data
    ends = np.flatnonzero(np.frombuffer(flat, dtype=np.uint8) == 10)
    lengths = np.diff(np.concatenate(([-1], ends, [len(flat)]))) - 1  # every line's length, vectorised
    over = np.flatnonzero(lengths > limit)
    if len(over):
        _too_long(path, int(lengths[over[0]]), limit, int(over[0]) + 1, symbol)


def _too_long(path, length, limit, line, symbol):
    raise DataFileError(path, f"line is {length:,} bytes long, over the limit of {limit:,} "
                              f"(THESIS_MAX_LINE_CHARS): not read", line=line, symbol=symbol)


def read_csv_bars(path: Path, symbol: str, *, max_bytes: int | None = None, max_line: int | None = None,
                  max_field: int | None = None) -> pd.DataFrame:
    """Parse a CSV into a frame with numeric columns and a ``_line`` column.

    Raises DataFileError for: a file over the size limit, not a regular file, a
    NUL byte, a line or field over the limits, text that is not UTF-8, an empty
    file, an unknown header, a row with the wrong number of fields (including a
    truncated last line), a date that does not parse or lies outside
    1800-01-01 .. a week after today, text, a blank or a non-finite number
    (inf, nan) where a number belongs.
    """
    path = Path(path)
    data = read_limited(path, symbol, max_bytes)
    check_text_limits(path, data, symbol, max_line)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = len(EOL_BYTES.findall(data, 0, exc.start)) + 1
        raise DataFileError(path, "is not UTF-8 text (a binary file?)", line=line, symbol=symbol) from exc
    if not text.strip():
        raise DataFileError(path, "file is empty", symbol=symbol)
    lines = EOL.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the newline ending the last line
    header = [h.strip().lower() for h in lines[0].split(",")]
    if header not in HEADERS:
        raise DataFileError(
            path, f"unexpected header {excerpt(lines[0].strip(), 60)}; expected {','.join(FULL)!r} or "
                  f"{','.join(HLC)!r}", line=1, symbol=symbol)
    ncol = len(header)
    field_limit = max_field or limits.max_field_chars()
    rows, numbers = [], []
    for n, raw in enumerate(lines[1:], start=2):
        if not raw.strip():
            continue
        fields = raw.split(",")
        if len(fields) != ncol:
            last = n == len(lines)
            why = " (the file looks truncated)" if last and len(fields) < ncol else ""
            raise DataFileError(path, f"expected {ncol} fields, found {len(fields)}{why}: {excerpt(raw.strip(), 60)}",
                                line=n, symbol=symbol)
        for name, value in zip(header, fields):
            if len(value) > field_limit:
                raise DataFileError(path, f"column '{name}' is {len(value):,} characters long, over the limit of "
                                          f"{field_limit} (THESIS_MAX_FIELD_CHARS): {excerpt(value, 20)}",
                                    line=n, symbol=symbol)
        rows.append(fields)
        numbers.append(n)
    if not rows:
        raise DataFileError(path, "file has a header but no rows", symbol=symbol)
    frame = pd.DataFrame(rows, columns=header)
    line_no = np.asarray(numbers)
    raw_dates = frame["date"].str.strip()
    dates = pd.to_datetime(raw_dates, format="%Y-%m-%d", errors="coerce")
    bad = dates.isna().to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFileError(path, f"date {excerpt(frame['date'].iloc[i], 20)} is not YYYY-MM-DD",
                            line=int(line_no[i]), symbol=symbol)
    first, last_ok = limits.FIRST_DATE, limits.last_date()
    bad = ((dates < first) | (dates > last_ok)).to_numpy()
    if bad.any():
        i = int(np.argmax(bad))
        raise DataFileError(path, f"date {raw_dates.iloc[i]} is outside the accepted range {first.date()} .. "
                                  f"{last_ok.date()} (a week after today)", line=int(line_no[i]), symbol=symbol)
    out = pd.DataFrame({"date": dates.astype("datetime64[ns]")})
    for col in header[1:]:
        raw = frame[col].str.strip()
        values = pd.to_numeric(raw, errors="coerce")
        bad = ~np.isfinite(values.to_numpy(dtype="float64"))
        if bad.any():
            i = int(np.argmax(bad))
            if raw.iloc[i] == "":
                what = "is empty"
            elif pd.isna(values.iloc[i]) and raw.iloc[i].lower() not in ("nan", "-nan", "+nan"):
                what = f"is not a number: {excerpt(raw.iloc[i], 20)}"
            else:
                what = f"is not a finite number: {excerpt(raw.iloc[i], 20)}"
            last = int(line_no[i]) == len(lines) and not text.endswith(("\n", "\r"))
            why = " (the file looks truncated)" if last else ""
            raise DataFileError(path, f"column '{col}' {what}{why}", line=int(line_no[i]), symbol=symbol)
        out[col] = values.astype("float64")
    out[LINE] = line_no
    return out
