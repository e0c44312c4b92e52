"""OptionsSpec validation and reprice_path on real IWM bars (the seed trade window)."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from thesis.data import load_bars
from thesis.errors import BadInput
from thesis.options.bsm import bsm_greeks, bsm_price
from thesis.options.spec import OptionsSpec, reprice_path


@pytest.fixture(scope="module")
def iwm():
    return load_bars("IWM")


def test_spec_defaults_and_validation():
    spec = OptionsSpec.model_validate({"type": "put", "delta": -0.3, "days": 190, "iv": 0.2})
    assert spec.contracts == 1 and spec.style == "american" and spec.rate is None
    for bad, needle in (({"type": "put", "delta": -0.3, "days": 190, "iv": 0.2, "colour": "red"}, "colour"),
                        ({"type": "put", "strike": 180, "delta": -0.3, "days": 190, "iv": 0.2}, "strike"),
                        ({"type": "put", "strike": 180, "iv": 0.2}, "expiry"),
                        ({"type": "put", "strike": 180, "days": 30}, "iv"),
                        ({"type": "put", "strike": 180, "days": 30, "iv": 0.2, "iv_source": "vix"}, "iv"),
                        ({"type": "put", "delta": 0.3, "days": 30, "iv": 0.2}, "negative"),
                        ({"type": "call", "delta": -0.3, "days": 30, "iv": 0.2}, "positive"),
                        ({"type": "put", "strike": -1, "days": 30, "iv": 0.2}, "strike"),
                        ({"type": "straddle", "strike": 1, "days": 30, "iv": 0.2}, "type"),
                        ({"type": "put", "strike": 180, "days": 30, "iv_source": "gut"}, "iv_source")):
        with pytest.raises(ValidationError, match=needle):
            OptionsSpec.model_validate(bad)


def test_reprice_path_put_rises_as_iwm_falls(iwm):
    spec = OptionsSpec(type="put", delta=-0.30, days=190, iv=0.20, style="european", contracts=2)
    df = reprice_path(spec, iwm, "2023-06-05", "2023-10-27", rate=0.05, div_yield=0.012)
    assert list(df.columns[:4]) == ["date", "spot", "option_price", "option_pnl"]
    assert df["date"].iloc[0] == pd.Timestamp("2023-06-05") and df["date"].iloc[-1] == pd.Timestamp("2023-10-27")
    assert df["spot"].iloc[0] == pytest.approx(179.58) and df["spot"].iloc[-1] == pytest.approx(162.21)
    assert "MODEL" in df.attrs["price_kind"] and "not a historical quote" in df.attrs["price_kind"]
    # IWM fell 179.58 -> 162.21, so the put gained
    assert df["option_price"].iloc[-1] > df["option_price"].iloc[0]
    assert df["option_pnl"].iloc[0] == 0.0
    np.testing.assert_allclose(df["option_pnl"], (df["option_price"] - df["option_price"].iloc[0]) * 100)
    np.testing.assert_allclose(df["position_pnl"], df["option_pnl"] * 2)
    # day by day: on every session the spot moved by more than $1, the put moved the other way
    d_spot, d_opt = df["spot"].diff().iloc[1:], df["option_price"].diff().iloc[1:]
    big = d_spot.abs() > 1.0
    assert big.sum() > 20
    assert (np.sign(d_opt[big]) == -np.sign(d_spot[big])).all()
    assert np.corrcoef(d_spot, d_opt)[0, 1] < -0.8


def test_reprice_path_contract_selection(iwm):
    spec = OptionsSpec(type="put", delta=-0.30, days=190, iv=0.20, style="european")
    df = reprice_path(spec, iwm, "2023-06-05", "2023-10-27", rate=0.05, div_yield=0.012)
    strike = df.attrs["strike"]
    assert strike == round(strike)                         # nearest $1
    expiry = dt.date.fromisoformat(df.attrs["expiry"])
    assert expiry == dt.date(2023, 12, 12)                 # 2023-06-05 + 190 days, a session
    t0 = (expiry - dt.date(2023, 6, 5)).days / 365
    # the rounded strike's delta is the closest whole-dollar strike to -0.30
    deltas = {k: bsm_greeks("put", 179.58, k, t0, 0.2, 0.05, 0.012)["delta"] for k in (strike - 1, strike, strike + 1)}
    assert min(deltas, key=lambda k: abs(deltas[k] + 0.30)) == strike
    # first row price is the model price at entry; days decay by calendar days
    assert df["option_price"].iloc[0] == pytest.approx(bsm_price("put", 179.58, strike, t0, 0.2, 0.05, 0.012))
    assert df["days_to_expiry"].iloc[0] == 190 and df["days_to_expiry"].iloc[1] == 189


def test_reprice_path_vix_source_varies_vol(iwm):
    spec = OptionsSpec(type="put", strike=175.0, expiry=dt.date(2023, 12, 15), iv_source="vix", style="european")
    df = reprice_path(spec, iwm, "2023-06-05", "2023-08-31")
    vix = load_bars("VIX")["close"]
    scale = df.attrs["vol"]["detail"]["scale"]
    for i in (0, 10, len(df) - 1):
        day = df["date"].iloc[i]
        assert df["iv"].iloc[i] == pytest.approx(vix.loc[day] / 100 * scale)
    assert df["iv"].nunique() > 10
    assert df.attrs["vol"]["source"] == "vix"


def test_reprice_path_american_and_spec_rate_wins(iwm):
    spec = OptionsSpec(type="put", strike=185.0, days=60, iv=0.25, rate=0.05)
    df = reprice_path(spec, iwm, "2023-06-05", "2023-06-30", rate=0.0)
    assert df.attrs["rate"] == 0.05 and df.attrs["style"] == "american"
    eu = bsm_price("put", df["spot"].to_numpy(), 185.0, df["days_to_expiry"].to_numpy() / 365, 0.25, 0.05)
    assert (df["option_price"].to_numpy() >= eu - 1e-9).all()


def test_reprice_path_stops_at_expiry(iwm):
    spec = OptionsSpec(type="put", strike=180.0, expiry=dt.date(2023, 7, 21), iv=0.2, style="european")
    df = reprice_path(spec, iwm, "2023-06-05", "2023-10-27")
    assert df["date"].iloc[-1] == pd.Timestamp("2023-07-21") and df.attrs["ended"] == "expiry"
    assert df["option_price"].iloc[-1] == pytest.approx(max(180.0 - df["spot"].iloc[-1], 0.0))


def test_reprice_path_bad_dates(iwm):
    spec = OptionsSpec(type="put", strike=180.0, expiry=dt.date(2023, 7, 21), iv=0.2, style="european")
    with pytest.raises(BadInput, match="before entry_date"):
        reprice_path(spec, iwm, "2023-06-05", "2023-06-01")
    with pytest.raises(BadInput, match="not after the entry"):
        reprice_path(spec, iwm, "2023-08-01", "2023-09-01")
