"""Arithmetic in the instrument's units and the account's currency.

    distance(inst, 1.3200, 1.3300)        # {"price": 0.01, "units": 100.0, "label": "pips"}
    size_position(inst, 10_000, 0.01, 1.3200, 1.3300, account_currency="USD")

One unit of an instrument is one share (stocks, ETFs), one contract (futures: ``multiplier``
units of the underlying, GC 100 oz, CL 1,000 bbl), one unit of the base currency (FX) or one
coin (crypto, fractional). The loss per unit at the stop is ``|entry - stop| x multiplier`` in
the quote currency; it is converted to the account currency with ``rate`` (account currency per
unit of the quote currency: USD per JPY for EURJPY in a USD account, from the ``USDJPY=X`` close,
see ``conversion_rate``). Shares, contracts and FX units are whole (floored); crypto is floored
to ``CRYPTO_STEP`` coins.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import math
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from thesis.errors import BadInput, ParameterError

if TYPE_CHECKING:
    import pandas as pd

    from thesis.data.instruments import Instrument

CRYPTO_STEP = 1e-4          # the smallest crypto quantity sized (0.0001 BTC)
_EPS = 1e-9                 # exact divisions (1000 / 2.5) are not lost to binary rounding


@dataclass(frozen=True)
class Sizing:
    units: float              # shares, contracts, base-currency units or coins
    unit: str                 # "shares", "contracts", "units" (FX: of the base currency), "coins"
    budget: float             # account x risk fraction, in the account currency
    loss_per_unit: float      # account currency lost per unit at the stop
    max_loss: float           # units x loss_per_unit (<= budget)
    cost: float               # notional: units x entry x multiplier, in the account currency
    cost_fraction: float      # cost / account (> 1: leverage or margin needed)
    currency: str             # the account currency
    quote_currency: str
    rate: float               # account currency per unit of the quote currency
    stop_distance: float      # |entry - stop| in price
    stop_units: float         # ... in the instrument's unit (pips, points, bp)
    unit_label: str           # "pips", "points", "bp" or the quote currency

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def distance(inst: Instrument, a: float, b: float) -> dict[str, Any]:
    """``b - a`` in price and in the instrument's unit (pips for FX, points for futures and indices)."""
    d = float(b) - float(a)
    return {"price": d, "units": inst.units(d), "label": inst.unit_label()}


def parse_risk(text: object) -> float:
    """``1%`` or ``0.01`` -> 0.01; BadInput unless in (0, 1]."""
    raw = str(text).strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise ParameterError("risk_fraction", f"must be a fraction (0.01) or a percent (1%), got {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= 1:
        raise ParameterError("risk_fraction", f"must be above 0 and at most 100% (0.01 or 1% of the account), got {text!r}")
    return value


def _unit_name(inst: Instrument) -> str:
    return {"future": "contracts", "fx": "units", "crypto": "coins"}.get(inst.asset_class, "shares")


def size_position(inst: Instrument, account: float, risk_fraction: float, entry: float, stop: float,
                  account_currency: str = "USD", rate: float = 1.0) -> Sizing:
    """How many units lose at most ``account x risk_fraction`` (account currency) at the stop."""
    if not (isinstance(account, (int, float)) and math.isfinite(account) and account > 0):
        raise BadInput(f"account must be a positive amount, got {account!r}")
    if not (math.isfinite(rate) and rate > 0):
        raise BadInput(f"conversion rate {inst.currency}->{account_currency} must be positive, got {rate!r}")
    gap = abs(float(entry) - float(stop))
    if gap == 0:
        raise BadInput(f"the stop {stop} equals the entry: the risk per unit would be zero")
    budget = account * risk_fraction
    loss = gap * inst.multiplier * rate
    raw = budget / loss + _EPS
    units: float = math.floor(raw / CRYPTO_STEP) * CRYPTO_STEP if inst.asset_class == "crypto" else math.floor(raw)
    units = round(units, 8)
    cost = units * abs(float(entry)) * inst.multiplier * rate
    return Sizing(units, _unit_name(inst), budget, loss, units * loss, cost, cost / account, account_currency,
                  inst.currency, rate, gap, inst.units(gap), inst.unit_label())


def conversion_rate(quote: str, account_currency: str, session: object, source: str | None = None) -> tuple[float, str]:
    """(account currency per unit of ``quote`` at the close of ``session``, the series used).

    Reads ``{QUOTE}{ACCOUNT}=X`` or, failing that, the inverse ``{ACCOUNT}{QUOTE}=X`` through the
    data layer (``load_bars``). BadInput naming both series when neither is in the source."""
    if quote == account_currency:
        return 1.0, ""
    return rate_on(rate_series(quote, account_currency, source), session)


def rate_series(quote: str, account_currency: str, source: str | None = None) -> tuple[pd.Series, str, bool]:
    """(the pair's closes, the pair, whether its rate is inverted) for converting ``quote`` into
    ``account_currency``, loaded once for every session a caller converts at (``rate_on``).
    ParameterError naming both pairs when neither is in the source."""
    from thesis.data import load_bars
    from thesis.errors import SymbolNotFound

    tried = []
    for pair, invert in ((f"{quote}{account_currency}=X", False), (f"{account_currency}{quote}=X", True)):
        tried.append(pair)
        try:
            bars = load_bars(pair, source=source)
        except SymbolNotFound:
            continue
        if len(bars):
            return bars["close"].astype(float), pair, invert
    raise ParameterError("currency", f"{account_currency}: sizing in it needs the {quote}->{account_currency} rate: "
                         f"neither {' nor '.join(tried)} is in the data source (or give {{name}} {quote})")


def rate_on(series: tuple[pd.Series, str, bool], session: object) -> tuple[float, str]:
    """(the rate at the pair's last close on or before ``session``, the close it comes from)."""
    import pandas as pd

    closes, pair, invert = series
    cut = closes.loc[:pd.Timestamp(session)]
    if not len(cut):
        raise ParameterError("currency", f"{pair} has no close on or before {pd.Timestamp(session).date()}")
    close = float(cut.iloc[-1])
    return (1.0 / close if invert else close), f"{pair} close {cut.index[-1].date()} {close:g}"


def check_currency(code: str) -> str:
    """An account currency as its upper-case 3-letter code; ParameterError (``currency``) otherwise."""
    currency = str(code).strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ParameterError("currency", f"must be a 3-letter code such as USD, got {code!r}")
    return currency


def size_idea(inst: Instrument, account: float, risk_fraction: float, entry: float, stop: float,
              account_currency: str, session: pd.Timestamp, source: str | None = None) -> dict[str, Any]:
    """``size_position`` with the quote currency converted at the session's close; a JSON-ready dict."""
    currency = check_currency(account_currency)
    rate, via = conversion_rate(inst.currency, currency, session, source)
    out = size_position(inst, account, risk_fraction, entry, stop, currency, rate).to_dict()
    out["rate_from"] = via
    return out


@dataclass(frozen=True)
class Account:
    """An account a position is sized in: ``amount`` in ``currency``, ``risk`` of it lost at the stop."""

    amount: float
    risk: float = 0.01
    currency: str = "USD"

    def __post_init__(self) -> None:
        code = check_currency(self.currency)
        if not (isinstance(self.amount, (int, float)) and math.isfinite(self.amount) and self.amount > 0):
            raise ParameterError("account", f"must be a positive amount, got {self.amount!r}")
        if not (math.isfinite(self.risk) and 0 < self.risk <= 1):
            raise ParameterError("risk_fraction", f"must be above 0 and at most 100% of the account, got {self.risk!r}")
        object.__setattr__(self, "currency", code)


def trade_money(inst: Instrument, account: Account, entry: float, stop: float, move: float,
                entry_session: pd.Timestamp, exit_session: pd.Timestamp, source: str | None = None,
                legs: Sequence[tuple[float, pd.Timestamp]] = ()) -> dict[str, Any]:
    """A filled trade's P&L in the account currency, per unit and for the position sized at the fill.

    The position is sized at the fill (``size_position``: ``|entry - stop|`` risked per unit, the
    quote currency converted at the fill session's close); ``move`` is the trade's P&L per unit in
    price (exits taken plus any open part, in its favour). Its value per unit is
    ``move x multiplier`` in the quote currency, converted at the exit session's close (the last
    close for an open trade): the rate the quote currency is turned back into the account's at.
    A scale-out passes ``legs``, each leg's share of ``move`` with its own exit session: each part
    is converted at its own session's close (a JPY-quoted half taken in March is not valued at
    June's rate). BadInput when the rate's FX series is not in the source (``conversion_rate``)."""
    if inst.currency == account.currency:
        def rate(day: object) -> tuple[float, str]:
            return 1.0, ""
    else:
        series = rate_series(inst.currency, account.currency, source)     # one load for every leg

        def rate(day: object) -> tuple[float, str]:
            return rate_on(series, day)
    rate_in, via_in = rate(entry_session)
    rate_out, via_out = rate(exit_session)
    size = size_position(inst, account.amount, account.risk, entry, stop, account.currency, rate_in)
    per_unit_quote = float(move) * inst.multiplier
    if len(legs) > 1:
        per_unit = sum(float(part) * inst.multiplier * rate(day)[0] for part, day in legs)
    else:
        per_unit = per_unit_quote * rate_out
    return {"currency": account.currency, "account": account.amount, "risk": account.risk,
            "units": size.units, "unit": size.unit, "budget": size.budget, "max_loss": size.max_loss,
            "loss_per_unit": size.loss_per_unit,
            "quote_currency": inst.currency, "pnl_per_unit_quote": per_unit_quote,
            "pnl_per_unit": per_unit, "pnl_position": size.units * per_unit,
            "rate_at_fill": rate_in, "rate_at_exit": rate_out,
            "rate_from": [via for via in (via_in, via_out) if via]}


def money_text(value: float) -> str:
    """An amount of money in a sentence: cents from 1 up (+1,234.50), 3 significant digits below
    (+0.00335: one FX unit or a small coin fraction)."""
    return f"{value:+,.2f}" if abs(value) >= 1 or value == 0 else f"{value:+.3g}"
