"""Documented limits on data input, checked before anything is parsed.

| limit | default | environment variable |
| --- | --- | --- |
| size of one CSV file | 64 MiB | ``THESIS_MAX_CSV_BYTES`` |
| length of one line | 1,000 characters | ``THESIS_MAX_LINE_CHARS`` |
| length of one field | 40 characters | ``THESIS_MAX_FIELD_CHARS`` |
| prices | 1e-6 to 1e9 (finite) | |
| volume | 0 to 1e15 (finite) | |
| dates | 1800-01-01 to 7 days after today | |

The real files are far below these (the largest shared file, GSPC since 1927,
is 1.2 MB with lines of at most 67 characters). Messages quote at most a short
excerpt of an offending value (``symbols.excerpt``), never a whole line.
"""
from __future__ import annotations

import os

import pandas as pd

MAX_CSV_BYTES = 64 * 1024 * 1024
MAX_LINE_CHARS = 1000
MAX_FIELD_CHARS = 40
MIN_PRICE, MAX_PRICE = 1e-6, 1e9
MAX_VOLUME = 1e15
FIRST_DATE = pd.Timestamp("1800-01-01")
FUTURE_DAYS = 7


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        return default
    return value if value > 0 else default


def max_csv_bytes() -> int:
    return _env_int("THESIS_MAX_CSV_BYTES", MAX_CSV_BYTES)


def max_line_chars() -> int:
    return _env_int("THESIS_MAX_LINE_CHARS", MAX_LINE_CHARS)


def max_field_chars() -> int:
    return _env_int("THESIS_MAX_FIELD_CHARS", MAX_FIELD_CHARS)


def last_date() -> pd.Timestamp:
    return pd.Timestamp.today().normalize() + pd.Timedelta(days=FUTURE_DAYS)
