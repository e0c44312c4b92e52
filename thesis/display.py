"""One rule for a number shown to a person (a table cell, a sentence, a report): missing values
(None, NaN, inf) print as a placeholder, everything else through a format spec. Each view keeps
only its own default spec and placeholder (``thesis.jsonable`` is the rule for JSON)."""
from __future__ import annotations

import math

__all__ = ["fmt"]


def fmt(value: object, spec: str = "{:.2f}", missing: str = "-") -> str:
    """``value`` through ``spec`` (``"{:+.2f}"``, or a bare spec such as ``".2f"``); ``missing``
    when it is None or a non-finite float."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return missing
    return spec.format(value) if "{" in spec else format(value, spec)
