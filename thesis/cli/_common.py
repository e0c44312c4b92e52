"""Shared CLI plumbing: one JSON document on stdout, errors on stderr with
exit status 2 for bad input and 1 for failures."""
from __future__ import annotations

import json
import math
import sys
from datetime import date, datetime
from functools import wraps

import numpy as np
import pandas as pd
import typer
from rich.console import Console

from thesis.errors import ThesisError

# Reports are read in logs and pipes too: never squeeze them to 80 columns there.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True, width=None if sys.stderr.isatty() else 140)


def to_jsonable(obj):
    """Convert numpy/pandas/dates (recursively) to plain JSON types; NaN -> null."""
    if obj is pd.NaT or obj is pd.NA:
        return None
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set)):
        return [to_jsonable(v) for v in obj]
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


def print_json(payload) -> None:
    sys.stdout.write(json.dumps(to_jsonable(payload), indent=2) + "\n")


def handle_errors(func):
    """Turn ThesisError into a clean message and the documented exit status."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ThesisError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code)
        except FileNotFoundError as exc:
            err_console.print(f"[bold red]error:[/] no such file: {exc.filename}", highlight=False)
            raise typer.Exit(2)

    return wrapper
