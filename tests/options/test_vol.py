"""Volatility sources: realised vol arithmetic, VIX proxy rule, and stated choices."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from thesis.data import load_bars
from thesis.errors import BadInput
from thesis.options.vol import choose_vol, realized_vol, rolling_realized, vix_scale, vol_path


def _bars(closes, start="2023-01-02", symbol="TEST"):
    idx = pd.bdate_range(start, periods=len(closes))
    frame = pd.DataFrame({"close": np.asarray(closes, float)}, index=idx)
    frame.attrs["symbol"] = symbol
    return frame


def test_realized_vol_by_hand():
    # alternating +1 % / -1 % log moves: returns +-0.01, sample std over 4 of them
    closes = 100 * np.exp(np.cumsum([0, 0.01, -0.01, 0.01, -0.01]))
    rets = np.array([0.01, -0.01, 0.01, -0.01])
    expect = math.sqrt(((rets - rets.mean()) ** 2).sum() / 3) * math.sqrt(252)
    assert realized_vol(_bars(closes)["close"], 4) == pytest.approx(expect, rel=1e-12)
    with pytest.raises(BadInput, match="needs 6 closes"):
        realized_vol(_bars(closes)["close"], 5)


def test_realized_ignores_later_bars():
    closes = list(100 * np.exp(np.cumsum(np.r_[0, np.full(70, 0.002) * (-1) ** np.arange(70)])))
    bars = _bars(closes + [500.0, 10.0])            # wild moves after the as-of date
    asof = bars.index[70]
    a = choose_vol(iv_source="realized", asof=asof, bars=bars)
    b = choose_vol(iv_source="realized", asof=asof, bars=bars.iloc[:71])
    assert a.iv == b.iv and a.source == "realized"
    series = rolling_realized(bars["close"])
    assert series.loc[asof] == pytest.approx(a.iv)


def test_vix_scale_rule_on_real_data():
    iwm, gspc, vix = load_bars("IWM"), load_bars("GSPC"), load_bars("VIX")
    scale, rv_sym, rv_idx = vix_scale(iwm, gspc, "2023-06-05")
    assert scale == pytest.approx(rv_sym / rv_idx)
    assert rv_sym == pytest.approx(realized_vol(iwm["close"], 120, "2023-06-05"))
    choice = choose_vol(iv_source="vix", asof="2023-06-05", bars=iwm, vix_bars=vix, index_bars=gspc)
    assert choice.iv == pytest.approx(14.73 / 100 * scale)
    path = vol_path(choice, pd.DatetimeIndex(["2023-06-06", "2023-06-07"]), iwm, vix)
    assert path.tolist() == pytest.approx([13.96 / 100 * scale, 13.94 / 100 * scale])


def test_vix_scale_is_clipped():
    flat = _bars(100 * np.exp(np.cumsum(np.r_[0, np.full(130, 0.001) * (-1) ** np.arange(130)])))
    wild = _bars(100 * np.exp(np.cumsum(np.r_[0, np.full(130, 0.05) * (-1) ** np.arange(130)])))
    assert vix_scale(wild, flat, flat.index[-1])[0] == 3.0
    assert vix_scale(flat, wild, flat.index[-1])[0] == 0.5


def test_choice_errors():
    with pytest.raises(BadInput, match="not both"):
        choose_vol(iv=0.2, iv_source="vix")
    with pytest.raises(BadInput, match="iv_source"):
        choose_vol(iv_source="implied")
    with pytest.raises(BadInput, match="as-of"):
        choose_vol(iv_source="realized", symbol="IWM")
    with pytest.raises(BadInput, match="too old"):
        choose_vol(iv_source="vix", asof="2026-11-20", symbol="IWM")
    assert choose_vol(iv=0.25).to_dict()["source"] == "explicit"
