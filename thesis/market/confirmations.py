"""Market confirmations an idea can require (``[[confirmations]]`` in an idea file).

Each entry is one model of the ``Confirmation`` union, told apart by ``kind``;
unknown keys are rejected. ``evaluate_confirmations`` measures each one on
each date with a MarketContext. A date that is not a session uses the last
session on or before it; if that session is more than ``MAX_STALE_DAYS``
calendar days earlier (the data ends before the date) the result is "no data".
"""
from __future__ import annotations

import datetime
from typing import Annotated, Literal, Union

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from thesis.market.proxies import MIRROR, PROXIES

# The models above the evaluation need only pydantic: pandas and the market analytics load
# inside the evaluation functions, so validating an idea (`thesis check`) stays light.
if TYPE_CHECKING:
    import pandas as pd

    from thesis.market.context import MarketContext

MAX_STALE_DAYS = 7
Timeframe = Literal["1d", "1w", "1mo"]


class _Conf(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Symbols(_Conf):
    @field_validator("symbol", "versus", check_fields=False)
    @classmethod
    def _upper(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("symbol must not be empty")
        if v.lower() in PROXIES:
            return v.lower()
        from thesis.data.instruments import resolve   # the real series by any name: DXY, ^TNX, USOIL
        from thesis.errors import BadInput

        try:
            return resolve(v).symbol
        except BadInput as exc:
            raise ValueError(str(exc)) from None


class NarrowMarket(_Conf):
    """Index within ``near_high_pct`` of its 252-session high while the percent of
    members above their 50-day SMA is below ``low_pct`` or fell ``drop_points``
    over ``lookback`` sessions (thesis.breadth.divergence)."""

    kind: Literal["narrow_market", "breadth_divergence"]
    universe: str | None = None
    near_high_pct: float = Field(5.0, ge=0, le=100)
    low_pct: float = Field(40.0, ge=0, le=100)
    drop_points: float = Field(10.0, ge=0, le=100)
    lookback: int = Field(20, ge=1, le=252)


class BreadthSurge(_Conf):
    """A session with advances/(advances+declines) >= ``threshold`` among the
    ``within`` sessions ending on the date (1 = that session only)."""

    kind: Literal["breadth_surge"]
    universe: str | None = None
    threshold: float = Field(0.90, gt=0.5, le=1.0)
    within: int = Field(1, ge=1, le=63)


class RelativeStrength(_Symbols):
    """``symbol`` weaker/stronger than ``versus``: sign of the least-squares slope
    of ln(symbol/versus) over ``window`` sessions (adjusted closes preferred)."""

    kind: Literal["relative_strength"]
    symbol: str
    versus: str
    direction: Literal["weaker", "stronger"]
    window: int = Field(50, ge=5, le=504)


class Trend(_Symbols):
    """Regime label of ``symbol`` on ``timeframe`` equals ``direction``. Symbol may
    be a proxy name: dollar, yields (TLT mirrored), oil, credit."""

    kind: Literal["trend"]
    symbol: str
    direction: Literal["up", "down"]
    timeframe: Timeframe = "1d"


class VixBelow(_Conf):
    kind: Literal["vix_below"]
    level: float = Field(gt=0)


class VixAbove(_Conf):
    kind: Literal["vix_above"]
    level: float = Field(gt=0)


class Regime(_Symbols):
    """Regime label (thesis.market.regime) of ``symbol`` on ``timeframe``."""

    kind: Literal["regime"]
    timeframe: Timeframe
    label: Literal["up", "down", "range"]
    symbol: str = "SPY"


class PctAboveMa(_Conf):
    """Percent of members above their ``window``-session SMA is below ``below``
    or above ``above`` (give exactly one)."""

    kind: Literal["pct_above_ma"]
    window: int = Field(50, ge=2, le=400)
    below: float | None = Field(None, ge=0, le=100)
    above: float | None = Field(None, ge=0, le=100)
    universe: str | None = None

    @model_validator(mode="after")
    def _one_bound(self):
        if (self.below is None) == (self.above is None):
            raise ValueError("pct_above_ma needs exactly one of 'below' or 'above'")
        return self


Confirmation = Annotated[Union[NarrowMarket, BreadthSurge, RelativeStrength, Trend, VixBelow, VixAbove, Regime,
                               PctAboveMa], Field(discriminator="kind")]
CONFIRMATION_LIST = TypeAdapter(list[Confirmation])


def parse_confirmations(entries: list[dict]) -> list:
    """Validate raw ``[[confirmations]]`` tables (raises pydantic.ValidationError)."""
    return CONFIRMATION_LIST.validate_python(entries)


# --- evaluation ---------------------------------------------------------------

def _result(i: int, conf, date, session, passed: bool | None, value, text: str) -> dict:
    import pandas as pd

    status = "no data" if passed is None else ("pass" if passed else "fail")
    return {"confirmation": i, "kind": conf.kind, "date": pd.Timestamp(date).date().isoformat(),
            "session": None if session is None else session.date().isoformat(), "passed": bool(passed),
            "status": status, "value": None if value is None or pd.isna(value) else round(float(value), 6),
            "text": text}


def _session(index: pd.DatetimeIndex, date) -> pd.Timestamp | None:
    import pandas as pd

    from thesis.market.context import session_on_or_before

    s = session_on_or_before(index, date)
    if s is None or (pd.Timestamp(date) - s).days > MAX_STALE_DAYS:
        return None
    return s


def _no_data(i, conf, date, what: str) -> dict:
    return _result(i, conf, date, None, None, None, f"no data: {what} has no session on or shortly before it")


def _breadth_frame(conf, ctx: MarketContext) -> pd.DataFrame:
    from thesis.breadth import BreadthParams

    if isinstance(conf, NarrowMarket):
        params = BreadthParams(near_high_pct=conf.near_high_pct, low_pct=conf.low_pct,
                               drop_points=conf.drop_points, lookback=conf.lookback)
    else:
        params = BreadthParams()
    return ctx.breadth(conf.universe, params)


def _eval_narrow(i, conf: NarrowMarket, dates, ctx):
    b = _breadth_frame(conf, ctx)
    out = []
    for d in dates:
        s = _session(b.index, d)
        if s is None or "narrow" not in b.columns:
            out.append(_no_data(i, conf, d, "the breadth universe or index"))
            continue
        r = b.loc[s]
        text = (f"index {r['index_off_high']:+.2f}% from 52w high (near: {bool(r['near_high'])}), "
                f"{r['pct_above_50']:.1f}% above 50d ({r['pct50_change']:+.1f} pts/{conf.lookback}d)")
        out.append(_result(i, conf, d, s, bool(r["narrow"]), r["pct_above_50"], text))
    return out


def _eval_surge(i, conf: BreadthSurge, dates, ctx):
    b = _breadth_frame(conf, ctx)
    ratio = b["ad_ratio"]
    out = []
    for d in dates:
        s = _session(b.index, d)
        if s is None:
            out.append(_no_data(i, conf, d, "the breadth universe"))
            continue
        pos = b.index.get_loc(s)
        window = ratio.iloc[max(0, pos - conf.within + 1): pos + 1]
        best = window.max()
        hit = bool((window >= conf.threshold).any())
        text = (f"max A/(A+D) {best:.3f} over {conf.within} session(s) ending {s.date()} "
                f"(threshold {conf.threshold:.2f}; {int(b.at[s, 'advances'])} adv / {int(b.at[s, 'declines'])} dec)")
        out.append(_result(i, conf, d, s, hit, best, text))
    return out


def _eval_relative(i, conf: RelativeStrength, dates, ctx):
    import pandas as pd

    from thesis.data.model import ADJUSTED
    from thesis.market.relative import ratio_series, ratio_trend

    def real(sym: str) -> str:
        return PROXIES[sym].symbol if sym in PROXIES else sym

    ratio = ratio_series(ctx.close(real(conf.symbol), ADJUSTED), ctx.close(real(conf.versus), ADJUSTED))
    tr = ratio_trend(ratio, window=conf.window)
    out = []
    for d in dates:
        s = _session(tr.index, d)
        slope = None if s is None else tr.at[s, "slope_pct"]
        if slope is None or pd.isna(slope):
            out.append(_no_data(i, conf, d, ratio.name))
            continue
        passed = slope < 0 if conf.direction == "weaker" else slope > 0
        text = (f"{ratio.name} {conf.window}-session slope {slope:+.3f}%/session "
                f"({slope * conf.window:+.1f}% over the window), percentile {tr.at[s, 'percentile']:.0f}")
        out.append(_result(i, conf, d, s, passed, slope, text))
    return out


def _regime_label(ctx, symbol: str, timeframe: str, d) -> tuple[dict | None, str]:
    """Regime of a symbol or proxy name (mirrored for inverted proxies)."""
    proxy = PROXIES.get(symbol)
    real = proxy.symbol if proxy else symbol
    bars = ctx.bars_prefer(real, "as-traded")
    s = _session(bars.index, d)
    if s is None:
        return None, real
    reg = dict(ctx.regime(real, timeframe, s))
    if proxy and proxy.inverted:
        reg["label"] = MIRROR[reg["label"]]
    return reg, real + (" inverted" if proxy and proxy.inverted else "")


def _eval_regime_like(i, conf, dates, ctx, want: str):
    import pandas as pd

    out = []
    for d in dates:
        reg, name = _regime_label(ctx, conf.symbol, conf.timeframe, d)
        if reg is None:
            out.append(_no_data(i, conf, d, name))
            continue
        text = (f"{conf.symbol} ({name}) {conf.timeframe} regime {reg['label']} (score {reg['score']:+d}: "
                f"stack {reg['stack']:+d}, slope {reg['slope']:+d}, structure {reg['structure']:+d})")
        out.append(_result(i, conf, d, pd.Timestamp(reg["date"]), reg["label"] == want, reg["score"], text))
    return out


def _eval_vix(i, conf, dates, ctx):
    vix = ctx.close("VIX")
    out = []
    for d in dates:
        s = _session(vix.index, d)
        if s is None:
            out.append(_no_data(i, conf, d, "VIX"))
            continue
        v = float(vix.loc[s])
        below = conf.kind == "vix_below"
        passed = v < conf.level if below else v > conf.level
        out.append(_result(i, conf, d, s, passed, v, f"VIX {v:.2f} {'<' if below else '>'} {conf.level:g}: {passed}"))
    return out


def _eval_pct_above(i, conf: PctAboveMa, dates, ctx):
    import pandas as pd

    from thesis.breadth import BreadthParams

    windows = tuple(sorted(set(BreadthParams().ma_windows) | {conf.window}))
    b = ctx.breadth(conf.universe, BreadthParams(ma_windows=windows))
    col = f"pct_above_{conf.window}"
    out = []
    for d in dates:
        s = _session(b.index, d)
        v = None if s is None else b.at[s, col]
        if v is None or pd.isna(v):
            out.append(_no_data(i, conf, d, "the breadth universe"))
            continue
        passed = v < conf.below if conf.below is not None else v > conf.above
        op, bound = ("<", conf.below) if conf.below is not None else (">", conf.above)
        text = f"{v:.1f}% of {int(b.at[s, f'members_{conf.window}'])} members above {conf.window}d SMA {op} {bound:g}"
        out.append(_result(i, conf, d, s, passed, v, text))
    return out


BREADTH_KINDS = ("narrow_market", "breadth_divergence", "breadth_surge", "pct_above_ma")


def not_applicable(i: int, conf, dates, instrument) -> list[dict] | None:
    """Breadth rows that do not apply: breadth measures US equities (the S&P 500 members), not
    ``instrument`` (a crypto, FX, futures or rates idea). None when it applies."""
    if conf.kind not in BREADTH_KINDS or instrument is None or instrument.is_us_equity:
        return None
    out = []
    for d in dates:
        row = _result(i, conf, d, None, None, None, f"not applicable: breadth describes US equities, not "
                                                    f"{instrument.symbol} ({instrument.asset_class})")
        row["status"], row["passed"] = "not applicable", None
        out.append(row)
    return out


def evaluate_confirmations(confs: list, dates, context: MarketContext | None = None, instrument=None) -> list[dict]:
    """One dict per (confirmation, date), confirmations in order, dates within each:
    confirmation (index), kind, date, session (used), passed, status
    ("pass"/"fail"/"no data"/"not applicable"), value (the measured number), text.
    ``instrument``: the idea's (thesis.data.instruments); breadth is not applicable outside US equities."""
    import pandas as pd

    from thesis.market.context import MarketContext

    ctx = context or MarketContext()
    confs = [c if isinstance(c, BaseModel) else CONFIRMATION_LIST.validate_python([c])[0] for c in confs]
    single = isinstance(dates, (str, pd.Timestamp, datetime.date)) or not hasattr(dates, "__iter__")
    dates = [pd.Timestamp(d) for d in ([dates] if single else dates)]
    results = []
    for i, conf in enumerate(confs):
        skipped = not_applicable(i, conf, dates, instrument)
        if skipped is not None:
            results += skipped
        elif isinstance(conf, NarrowMarket):
            results += _eval_narrow(i, conf, dates, ctx)
        elif isinstance(conf, BreadthSurge):
            results += _eval_surge(i, conf, dates, ctx)
        elif isinstance(conf, RelativeStrength):
            results += _eval_relative(i, conf, dates, ctx)
        elif isinstance(conf, Trend):
            results += _eval_regime_like(i, conf, dates, ctx, conf.direction)
        elif isinstance(conf, Regime):
            results += _eval_regime_like(i, conf, dates, ctx, conf.label)
        elif isinstance(conf, (VixBelow, VixAbove)):
            results += _eval_vix(i, conf, dates, ctx)
        elif isinstance(conf, PctAboveMa):
            results += _eval_pct_above(i, conf, dates, ctx)
    return results
