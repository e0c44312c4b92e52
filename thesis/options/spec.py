"""The ``[options]`` table of an idea file and the model re-pricing of that option along
the real bars of the trade.

Example idea-file table::

    [options]
    type = "put"
    delta = -0.30          # or: strike = 180.0
    days = 190             # or: expiry = 2023-12-15
    contracts = 2
    iv_source = "vix"      # or: iv = 0.20 ; or "realized"
    rate = 0.05            # optional, continuously compounded
    div_yield = 0.012      # optional
    style = "american"     # optional (default american)
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from thesis.errors import BadInput

# numpy, pandas and the pricers (scipy, QuantLib) load inside reprice_path: the idea model
# (thesis.spec, so `thesis check`) needs only OptionsSpec.
if TYPE_CHECKING:
    import pandas as pd

PRICE_KIND = "MODEL price, not a historical quote"
#: Ranges of the [options] table, the pricing inputs and the `thesis options` flags (thesis.limits).
from thesis.limits import (FIRST_YEAR, LAST_YEAR, MAX_CONTRACTS, MAX_DAYS, MAX_DIV_YIELD, MAX_IV,  # noqa: E402
                           MAX_PRICE, MAX_RATE, MIN_DIV_YIELD, MIN_RATE)
STRIKE_STEP = 1.0


class OptionsSpec(BaseModel):
    """One long option position: exactly one of strike/delta, expiry/days and iv/iv_source."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["put", "call"]
    strike: float | None = Field(default=None, gt=0, le=MAX_PRICE)
    delta: float | None = Field(default=None, gt=-1, lt=1)
    expiry: dt.date | None = Field(default=None, ge=dt.date(FIRST_YEAR, 1, 1), le=dt.date(LAST_YEAR, 12, 31))
    days: int | None = Field(default=None, ge=1, le=MAX_DAYS, description=f"calendar days to expiry, 1..{MAX_DAYS}")
    contracts: int = Field(default=1, ge=1, le=MAX_CONTRACTS)
    iv: float | None = Field(default=None, gt=0, le=MAX_IV, description="implied vol as a decimal (0.20 = 20 %)")
    iv_source: Literal["vix", "realized"] | None = None
    rate: float | None = Field(default=None, ge=MIN_RATE, le=MAX_RATE,
                               description="risk-free rate as a decimal (0.05 = 5 %)")
    div_yield: float | None = Field(default=None, ge=MIN_DIV_YIELD, le=MAX_DIV_YIELD,
                                    description="dividend yield as a decimal (0.012 = 1.2 %)")
    style: Literal["american", "european"] = "american"

    @model_validator(mode="after")
    def _exactly_one(self):
        for a, b in (("strike", "delta"), ("expiry", "days"), ("iv", "iv_source")):
            given = [n for n in (a, b) if getattr(self, n) is not None]
            if len(given) != 1:
                raise ValueError(f"give exactly one of {a!r} or {b!r}"
                                 + (", not both" if len(given) == 2 else ""))
        if self.delta is not None:
            if self.type == "put" and not self.delta < 0:
                raise ValueError(f"a put's delta is negative (e.g. -0.30), got {self.delta}")
            if self.type == "call" and not self.delta > 0:
                raise ValueError(f"a call's delta is positive (e.g. 0.30), got {self.delta}")
        return self


def _session_closes(bars: pd.DataFrame, start: dt.date, end: dt.date) -> pd.Series:
    import pandas as pd

    closes = bars["close"].dropna()
    return closes[(closes.index >= pd.Timestamp(start)) & (closes.index <= pd.Timestamp(end))]


def reprice_path(spec: OptionsSpec, bars: pd.DataFrame, entry_date, exit_date,
                 vix_bars: pd.DataFrame | None = None, rate: float = 0.0, div_yield: float = 0.0,
                 index_bars: pd.DataFrame | None = None, source: str | None = None) -> pd.DataFrame:
    """Model value of the spec's option on every session from entry to exit.

    Rules:
    - Entry is the first session with a close on or after ``entry_date``; the contract is
      fixed there. Expiry = ``spec.expiry``, or entry + ``spec.days`` calendar days moved
      back to an XNYS session. Strike = ``spec.strike``, or the strike whose
      Black-Scholes-Merton delta at entry equals ``spec.delta``, rounded to the nearest $1.
    - Each session: t = calendar days to expiry / 365; vol from the spec's source on that
      day (explicit: constant; "vix": that day's VIX/100 x the scale fixed at entry;
      "realized": that day's 20/60-session mean); rate and div_yield from the spec when
      set, else the arguments. Price: QuantLib American or BSM European (``spec.style``).
    - Rows stop at ``exit_date`` or at the expiry session, whichever is first (on the
      expiry session the value is intrinsic).
    - option_pnl = (option_price - entry option_price) x 100 per contract;
      position_pnl = option_pnl x contracts.
    Bars not given (VIX, S&P 500 for the VIX scale) are loaded from ``source``.
    """
    import numpy as np
    import pandas as pd

    from thesis.options.bsm import strike_for_delta
    from thesis.options.expiries import previous_session
    from thesis.options.pricing import model_values, to_date
    from thesis.options.vol import load_vol_bars, choose_vol, vol_path

    if not isinstance(spec, OptionsSpec):
        spec = OptionsSpec.model_validate(spec)
    entry_d, exit_d = to_date(entry_date, "entry_date"), to_date(exit_date, "exit_date")
    if exit_d < entry_d:
        raise BadInput(f"exit_date {exit_d} is before entry_date {entry_d}")
    r = spec.rate if spec.rate is not None else float(rate)
    q = spec.div_yield if spec.div_yield is not None else float(div_yield)
    closes = _session_closes(bars, entry_d, exit_d)
    if closes.empty:
        raise BadInput(f"no bars with a close between {entry_d} and {exit_d}")
    entry_day = closes.index[0].date()
    if spec.expiry is not None:
        expiry = spec.expiry
    else:
        assert spec.days is not None        # the spec holds exactly one of expiry and days
        expiry = previous_session(entry_day + dt.timedelta(days=spec.days))
    if expiry <= entry_day:
        raise BadInput(f"options expiry {expiry} is not after the entry session {entry_day}")
    if spec.iv_source == "vix" and vix_bars is None:
        vix_bars = load_vol_bars("VIX", source)
    choice = choose_vol(spec.iv, spec.iv_source, entry_day, bars.attrs.get("symbol"), bars,
                        vix_bars, index_bars, source)
    closes = closes[closes.index <= pd.Timestamp(expiry)]
    dates = pd.DatetimeIndex(closes.index)
    vols = vol_path(choice, dates, bars, vix_bars).to_numpy(dtype=float)
    spot = closes.to_numpy(dtype=float)
    t0 = (expiry - entry_day).days / 365.0
    if spec.strike is not None:
        strike, strike_rule = float(spec.strike), "given"
    else:
        assert spec.delta is not None       # the spec holds exactly one of strike and delta
        raw = strike_for_delta(spec.type, spot[0], spec.delta, t0, vols[0], r, q)
        strike = float(max(STRIKE_STEP, round(raw / STRIKE_STEP) * STRIKE_STEP))
        strike_rule = f"delta {spec.delta:+.2f} at entry -> {raw:.4f}, rounded to the nearest $1"
    days_left = np.array([(expiry - d.date()).days for d in dates])
    prices = model_values(spec.type, spot, strike, days_left, vols, r, q, spec.style)
    pnl = (prices - prices[0]) * 100.0
    out = pd.DataFrame({"date": dates, "spot": spot, "option_price": prices, "option_pnl": pnl,
                        "position_pnl": pnl * spec.contracts, "iv": vols, "days_to_expiry": days_left})
    out.attrs = {
        "price_kind": PRICE_KIND,
        "model": "QuantLib finite-difference American (BSM)" if spec.style == "american"
        else "Black-Scholes-Merton European",
        "symbol": bars.attrs.get("symbol"), "type": spec.type, "strike": strike,
        "strike_rule": strike_rule, "expiry": expiry.isoformat(), "contracts": spec.contracts,
        "entry_date": entry_day.isoformat(), "exit_date": dates[-1].date().isoformat(),
        "ended": "expiry" if exit_d >= expiry else "exit",
        "rate": r, "div_yield": q, "style": spec.style, "vol": choice.to_dict(),
        "multiplier": 100,
    }
    return out
