"""The one JSON rule for every document thesis writes (CLI ``--json``, the web app's ``/api``,
the library's ``to_dict()``): numbers are plain floats, NaN and infinities are ``null``; a date
is ``YYYY-MM-DD`` (a timestamp with a time keeps it); numpy, pandas and pydantic values become
plain JSON types. The bottom layer: it imports neither numpy nor pandas (it looks at them only
when the caller has loaded them), so printing JSON costs nothing extra."""
from __future__ import annotations

import math
import sys
from datetime import date, datetime
from typing import Any

#: decimals a figure is rounded to in a document (prices, R multiples, percentages)
DIGITS = 6


def number(value: Any, digits: int | None = DIGITS) -> float | None:
    """A figure for a document: None, NaN and infinities -> None; else a float rounded to
    ``digits`` decimals (None keeps every digit), with -0.0 written as 0.0 (a short's breakeven
    exit is 0 R, not "-0.0")."""
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None                 # pandas.NA, NaT and the like
    if not math.isfinite(out):
        return None
    return (out if digits is None else round(out, digits)) + 0.0


def iso_date(value: Any) -> str | None:
    """A session date for a document: ``YYYY-MM-DD``; None, NaT and NaN -> None."""
    if value is None:
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if "pandas" not in sys.modules and isinstance(value, datetime):
        return value.date().isoformat()
    import pandas as pd

    if pd.isna(value):
        return None
    return str(pd.Timestamp(value).date().isoformat())


class _Absent:
    """Stands in for numpy or pandas when the command never loaded it: then no object can be
    one of theirs, and printing JSON (`thesis check --json`, `options price --json`) need not
    import them."""

    class _Never:
        pass

    NaT = NA = object()
    DataFrame = Series = Timestamp = generic = ndarray = _Never


_PLAIN = frozenset((str, int, bool, type(None)))


def to_jsonable(obj: Any) -> Any:
    """Convert numpy/pandas/dates (recursively) to plain JSON types; NaN -> null."""
    kind = type(obj)         # exact types first: a journal of 10,000 alerts is 700,000 plain values
    if kind in _PLAIN:
        return obj
    if kind is float:
        return obj if math.isfinite(obj) else None
    if kind is dict:
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if kind is list:
        return [to_jsonable(v) for v in obj]
    np: Any = sys.modules.get("numpy") or _Absent
    pd: Any = sys.modules.get("pandas") or _Absent

    if obj is pd.NaT or obj is pd.NA:
        return None
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [v if v is None or type(v) in _PLAIN else (v if math.isfinite(v) else None)
                if type(v) is float else to_jsonable(v) for v in obj]
    if hasattr(obj, "model_dump"):
        return to_jsonable(obj.model_dump(mode="json"))
    if hasattr(obj, "to_dict") and not isinstance(obj, (pd.DataFrame, pd.Series)):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, pd.Timestamp):
        return obj.date().isoformat() if obj == obj.normalize() else obj.isoformat()
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, date):
        return obj.isoformat()
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and (math.isnan(obj) or math.isinf(obj)):
        return None
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, pd.DataFrame):
        return to_jsonable(obj.reset_index().to_dict(orient="records"))
    if isinstance(obj, pd.Series):
        return to_jsonable(obj.to_dict())
    return obj
