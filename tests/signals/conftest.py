"""Hand-built bars for the trigger tests, dated on real XNYS sessions."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from thesis.data import calendar
from thesis.data.model import make_bars


def build_bars(rows, start: str = "2024-01-02", has_open: bool = True) -> pd.DataFrame:
    """rows: (open, high, low, close) tuples -> daily bar model on consecutive XNYS sessions."""
    dates = calendar.sessions(start, pd.Timestamp(start) + pd.Timedelta(days=3 * len(rows) + 10))[: len(rows)]
    arr = np.asarray(rows, dtype=float)
    frame = pd.DataFrame({"open": arr[:, 0] if has_open else np.nan, "high": arr[:, 1], "low": arr[:, 2],
                          "close": arr[:, 3], "volume": 1000.0}, index=dates)
    return make_bars(frame, "TEST", "synthetic", "as-traded")


def flat(n: int, price: float = 100.0, half_range: float = 1.0):
    """n quiet bars: open = close = price, high/low = price +/- half_range."""
    return [(price, price + half_range, price - half_range, price)] * n


def mirror(rows, axis: float = 200.0):
    """Reflect bars about `axis` (price -> axis - price): highs and lows swap roles."""
    return [(axis - o, axis - l, axis - h, axis - c) for o, h, l, c in rows]


@pytest.fixture
def mk():
    return build_bars


@pytest.fixture
def quiet():
    return flat


@pytest.fixture
def reflect():
    return mirror
