"""Simulate one planned trade (or many) over a bars frame, with the fill rules of
``thesis.replay.nb`` (written out in docs/fills.md), and report it with dates.

    simulate(bars, "short", {"order": "limit", "price": 188}, "2023-06-05", stop=212, targets=[130])
    simulate(bars, "long", {"order": "next_open", "signal_date": "2024-01-05"}, None, 95.0, [110, 120],
             sizes=[0.5, 0.5], horizon_sessions=20, move_stop_to_breakeven=True)

Horizon: ``horizon_sessions=N`` makes the N-th session counted from the first session the
order can fill (the start session for a limit, the entry session for next open) the last
one; ``end_date`` makes the last session on or before that date the last one; with neither
there is no time stop.  A limit order that has not filled by the horizon is never filled.
``hold_sessions=H`` also ends the trade at the close of the H-th session counted from the
entry session (entry session = 1), if that comes before the horizon.  If the data ends
before the time stop the trade is "open", marked at the last close.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from thesis.errors import BadInput
from thesis.signals.frames import ohlc
from thesis.replay import nb
from thesis.risk.levels import check_price, check_sizes, check_stop, check_targets_vs, direction_sign
from thesis.jsonable import iso_date, number

ENTRY_ORDERS = {"limit": nb.ENTRY_LIMIT, "next_open": nb.ENTRY_NEXT_OPEN, "market": nb.ENTRY_NEXT_OPEN}


@dataclass
class Leg:
    """One exit of the position: a target, or the remainder by stop/time/open."""

    kind: str                 # "target", "stop", "time" or "open"
    date: pd.Timestamp
    price: float
    size: float               # fraction of the position
    level: float | None = None  # the planned target/stop level (None for time/open)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "date": iso_date(self.date), "price": number(self.price, digits=None), "size": self.size,
                "level": number(self.level, digits=None)}


@dataclass
class Trade:
    """Result of one simulated trade. Prices per share; dates are session dates."""

    symbol: str | None
    direction: str
    entry_order: str
    limit_price: float | None
    stop: float | None
    targets: list[float]
    sizes: list[float]
    start_date: pd.Timestamp | None
    last_date: pd.Timestamp | None       # session of the time stop (None: no time stop, or beyond the data)
    reason: str                          # "stop", "target", "time", "open" or "none" (never filled)
    reason_code: int
    entry_date: pd.Timestamp | None = None
    entry_price: float = math.nan
    exit_date: pd.Timestamp | None = None
    exit_price: float = math.nan         # size-weighted over legs; for "open" the mark at the last close
    pnl: float = math.nan                # per share, in the trade's favour
    r_multiple: float = math.nan         # pnl / |entry - stop|
    mfe_price: float = math.nan
    mfe_date: pd.Timestamp | None = None
    mfe: float = math.nan                # |mfe_price - entry| (>= 0)
    mae_price: float = math.nan
    mae_date: pd.Timestamp | None = None
    mae: float = math.nan                # |mae_price - entry| (>= 0)
    sessions_held: int = 0               # entry session to exit session inclusive
    legs: list[Leg] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    gap_fills_modelled: bool = True
    notes: list[str] = field(default_factory=list)
    invalidated: pd.Timestamp | None = None  # never filled: the stop traded on this session before any entry

    @property
    def filled(self) -> bool:
        return self.reason_code != nb.REASON_NONE

    def to_dict(self) -> dict:
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, pd.Timestamp):
                out[key] = iso_date(value)
            elif isinstance(value, float):
                out[key] = number(value, digits=None)
        out["legs"] = [leg.to_dict() for leg in self.legs]
        out["filled"] = self.filled
        return out


_DAY_NS = 86_400_000_000_000


def _date(name: str, value) -> pd.Timestamp:
    if type(value) is pd.Timestamp and value.tzinfo is None and value.unit == "ns" and not value.value % _DAY_NS \
            and _EARLIEST_NS[0] <= value.value <= _EARLIEST_NS[1]:
        return value            # already what parse_date returns (the batch paths pass sessions)
    from thesis.data.dates import parse_date  # the one date parser

    stamp = parse_date(value, name)
    if stamp is None:
        raise BadInput(f"{name} is missing: use YYYY-MM-DD")
    return stamp


def _bounds() -> tuple[int, int]:
    from thesis.data.dates import EARLIEST_DAY, LATEST_DAY

    return pd.Timestamp(EARLIEST_DAY).as_unit("ns").value, pd.Timestamp(LATEST_DAY).as_unit("ns").value


_EARLIEST_NS = _bounds()


def _search(index: pd.DatetimeIndex, day: pd.Timestamp, side: str) -> int:
    """``index.searchsorted(day, side)`` on the raw datetime64 values (pandas' own validation of the
    scalar costs ~20x the search; called once or twice per trade)."""
    return int(index.values.searchsorted(day.to_datetime64(), side=side))


def _check_bars(bars) -> pd.DatetimeIndex:
    if not isinstance(bars, pd.DataFrame):
        raise BadInput(f"bars must be a DataFrame, got {type(bars).__name__}")
    missing = [c for c in ("open", "high", "low", "close") if c not in bars.columns]
    if missing:
        raise BadInput(f"bars of {bars.attrs.get('symbol', '?')} lack column(s) {', '.join(missing)}")
    if len(bars) == 0:
        raise BadInput(f"bars of {bars.attrs.get('symbol', '?')} are empty")
    index = pd.DatetimeIndex(bars.index)
    if not index.is_monotonic_increasing or not index.is_unique:
        raise BadInput(f"bars of {bars.attrs.get('symbol', '?')} must have unique dates in increasing order")
    return index


def _check_window(bars: pd.DataFrame, index: pd.DatetimeIndex, first: int, last: int) -> None:
    """high, low and close must be finite on every bar the trade can use."""
    _, high, low, close = ohlc(bars)     # built once per bars object (thesis.signals.frames)
    window = slice(first, last + 1)
    bad = ~(np.isfinite(high[window]) & np.isfinite(low[window]) & np.isfinite(close[window]))
    if bad.any():
        day = index[first + int(np.argmax(bad))]
        raise BadInput(f"bars of {bars.attrs.get('symbol', '?')} have a missing high/low/close on "
                       f"{day.date().isoformat()}")


def _plan_row(bars, index, direction, entry, start_date, stop, targets, sizes, horizon_sessions, end_date,
              hold_sessions, move_stop_to_breakeven) -> dict:
    """Validate one trade's inputs and turn them into one kernel row (plus context for the report)."""
    sign = direction_sign(direction)
    word = "long" if sign > 0 else "short"
    if not isinstance(entry, dict) or entry.get("order") not in ENTRY_ORDERS:
        raise BadInput(f"entry must be a dict with order 'limit' or 'next_open', got {entry!r}")
    order = "next_open" if entry["order"] == "market" else entry["order"]
    n = len(index)
    stop = None if stop is None else check_price("stop", stop)
    if targets is None:
        targets = []
    elif isinstance(targets, (int, float)):
        targets = [targets]
    targets = [check_price(f"target {i}", t) for i, t in enumerate(targets, start=1)]
    sizes = list(check_sizes(targets, sizes))
    if order == "limit":
        limit = check_price("limit price", entry.get("price"))
        if start_date is None:
            raise BadInput("a limit entry needs a start_date (the first session the order works)")
        start = _date("start_date", start_date)
        start_idx = _search(index, start, "left")
        if start_idx >= n:
            raise BadInput(f"start_date {start.date()} is after the last bar ({index[-1].date()})")
        if stop is not None:
            check_stop(word, limit, stop)
        check_targets_vs(word, limit, stop, targets)
    else:
        limit = math.nan
        if start_date is not None:
            raise BadInput("a next_open entry starts the session after its signal_date; do not give start_date")
        if entry.get("signal_date") is None:
            raise BadInput("a next_open entry needs a signal_date (the session whose close gave the signal)")
        signal = _date("signal_date", entry["signal_date"])
        if signal < index[0] or signal > index[-1]:
            raise BadInput(f"signal_date {signal.date()} is outside the bars ({index[0].date()} to {index[-1].date()})")
        start_idx = _search(index, signal, "right")
        if stop is not None:
            check_targets_vs(word, stop, stop, targets, reference_name="stop")
    if horizon_sessions is not None and end_date is not None:
        raise BadInput("give horizon_sessions or end_date, not both")
    if horizon_sessions is not None:
        if isinstance(horizon_sessions, bool) or not isinstance(horizon_sessions, (int, np.integer)) \
                or horizon_sessions < 1:
            raise BadInput(f"horizon_sessions must be a whole number of sessions >= 1, got {horizon_sessions!r}")
        horizon_idx = start_idx + int(horizon_sessions) - 1
    elif end_date is not None:
        end = _date("end_date", end_date)
        horizon_idx = _search(index, end, "right") - 1
        if horizon_idx < start_idx:
            raise BadInput(f"end_date {end.date()} is before the first session the order can fill")
        if end > index[-1]:
            horizon_idx = n            # the data ends first: the trade can end "open"
    else:
        horizon_idx = n
    if hold_sessions is None:
        hold = 0
    elif isinstance(hold_sessions, bool) or not isinstance(hold_sessions, (int, np.integer)) or hold_sessions < 1:
        raise BadInput(f"hold_sessions must be a whole number of sessions >= 1, got {hold_sessions!r}")
    else:
        hold = int(hold_sessions)
    if start_idx < n:
        _check_window(bars, index, start_idx, min(horizon_idx, n - 1))
    return {"sign": sign, "word": word, "order": order, "limit": limit, "start_idx": start_idx, "stop": stop,
            "targets": targets, "sizes": sizes, "horizon_idx": horizon_idx, "hold": hold,
            "breakeven": bool(move_stop_to_breakeven)}


def _run(bars: pd.DataFrame, rows: list[dict]) -> dict:
    k = max([len(r["targets"]) for r in rows] + [0])
    targets = np.full((len(rows), k), np.nan)
    sizes = np.zeros((len(rows), k))
    for i, row in enumerate(rows):
        targets[i, :len(row["targets"])] = row["targets"]
        sizes[i, :len(row["sizes"])] = row["sizes"]
    arrays = ohlc(bars)
    out = nb.simulate_trades_nb(
        *arrays,
        np.array([r["sign"] for r in rows], dtype=np.int64),
        np.array([ENTRY_ORDERS[r["order"]] for r in rows], dtype=np.int64),
        np.array([r["limit"] for r in rows], dtype=np.float64),
        np.array([r["start_idx"] for r in rows], dtype=np.int64),
        np.array([math.nan if r["stop"] is None else r["stop"] for r in rows], dtype=np.float64),
        targets, sizes,
        np.array([r["horizon_idx"] for r in rows], dtype=np.int64),
        np.array([r["hold"] for r in rows], dtype=np.int64),
        np.array([r["breakeven"] for r in rows], dtype=np.bool_))
    return dict(zip(nb.OUTPUT_FIELDS, out))


def _trade(bars: pd.DataFrame, index: pd.DatetimeIndex, row: dict, out: dict, i: int) -> Trade:
    n = len(index)
    has_open_source = bool(bars.attrs.get("has_open", True)) and bool(np.isfinite(ohlc(bars)[0]).any())
    values = index.values
    date = lambda j: None if j < 0 else pd.Timestamp(values[int(j)])  # noqa: E731 - index[j] without pandas' boxing
    reason_code = int(out["reason"][i])
    flags = int(out["flags"][i])
    trade = Trade(
        symbol=bars.attrs.get("symbol"), direction=row["word"], entry_order=row["order"],
        limit_price=None if row["order"] != "limit" else row["limit"], stop=row["stop"],
        targets=list(row["targets"]), sizes=list(row["sizes"]),
        start_date=date(row["start_idx"]) if row["start_idx"] < n else None,
        last_date=date(row["horizon_idx"]) if row["horizon_idx"] < n else None,
        reason=nb.REASON_NAMES[reason_code], reason_code=reason_code,
        flags=[name for bit, name in nb.FLAG_NAMES.items() if flags & bit])
    trade.gap_fills_modelled = has_open_source and not flags & nb.FLAG_NO_OPEN
    if not has_open_source:
        trade.notes.append("the source has no open prices: orders fill at their levels and gaps through a "
                           "level could not be modelled")
    elif flags & nb.FLAG_NO_OPEN:
        trade.notes.append("a fill fell on a session without an open: it was filled at its level")
    if trade.reason == "none":
        trade.notes.append("the entry order never filled" + (" before the horizon" if row["horizon_idx"] < n
                                                             else " before the data ends"))
        return trade
    sign = row["sign"]
    entry_price = float(out["entry_price"][i])
    entry_idx = int(out["entry_idx"][i])
    if row["hold"] and entry_idx + row["hold"] - 1 < row["horizon_idx"]:
        time_idx = entry_idx + row["hold"] - 1
        trade.last_date = date(time_idx) if time_idx < n else None
    trade.entry_date, trade.entry_price = date(entry_idx), entry_price
    trade.exit_date, trade.exit_price = date(out["exit_idx"][i]), float(out["exit_price"][i])
    trade.pnl, trade.r_multiple = float(out["pnl"][i]), float(out["r_multiple"][i])
    trade.mfe_price, trade.mfe_date = float(out["mfe_price"][i]), date(out["mfe_idx"][i])
    trade.mae_price, trade.mae_date = float(out["mae_price"][i]), date(out["mae_idx"][i])
    trade.mfe = sign * (trade.mfe_price - entry_price)
    trade.mae = -sign * (trade.mae_price - entry_price)
    trade.sessions_held = int(out["exit_idx"][i] - out["entry_idx"][i] + 1)
    for j, level in enumerate(row["targets"]):
        if out["leg_idx"][i, j] >= 0:
            trade.legs.append(Leg("target", date(out["leg_idx"][i, j]), float(out["leg_price"][i, j]),
                                  row["sizes"][j], level))
    trade.legs.sort(key=lambda leg: leg.date)
    rest = float(out["rest_size"][i])
    if rest > 0:
        level = row["stop"] if trade.reason == "stop" else None
        if trade.reason == "stop" and "moved_to_breakeven" in trade.flags and trade.legs:
            level = entry_price
        trade.legs.append(Leg(trade.reason, trade.exit_date, float(out["rest_price"][i]), rest, level))
    if trade.reason == "open":
        from thesis.data.instruments import instrument_of

        close = instrument_of(bars.attrs.get("symbol")).price_text(trade.exit_price)
        last = index[int(out["exit_idx"][i])]          # an open trade is marked at the last close
        trade.notes.append(f"the data ends before the horizon: marked at the last close "
                           f"{close} on {last.date()}")
    return trade


def simulate(bars: pd.DataFrame, direction: str, entry: dict, start_date=None, stop=None, targets=None,
             sizes=None, horizon_sessions: int | None = None, end_date=None, hold_sessions: int | None = None,
             move_stop_to_breakeven: bool = False) -> Trade:
    """Simulate one trade. ``entry`` is {"order": "limit", "price": L} (works from ``start_date``)
    or {"order": "next_open", "signal_date": D} (fills at the open of the session after D).
    ``stop`` None means no stop; ``targets`` a price or list (scale-out ``sizes`` sum to 1,
    None = equal parts). Raises BadInput for inconsistent levels or dates."""
    return simulate_many(bars, [dict(direction=direction, entry=entry, start_date=start_date, stop=stop,
                                     targets=targets, sizes=sizes, horizon_sessions=horizon_sessions,
                                     end_date=end_date, hold_sessions=hold_sessions,
                                     move_stop_to_breakeven=move_stop_to_breakeven)])[0]


def simulate_many(bars: pd.DataFrame, trades: list[dict]) -> list[Trade]:
    """Simulate many trades on one symbol in a single kernel call. Each dict takes the keyword
    arguments of ``simulate`` (direction, entry, start_date, stop, targets, sizes,
    horizon_sessions, end_date, hold_sessions, move_stop_to_breakeven)."""
    index = _check_bars(bars)
    allowed = {"direction", "entry", "start_date", "stop", "targets", "sizes", "horizon_sessions", "end_date",
               "hold_sessions", "move_stop_to_breakeven"}
    rows = []
    for n, spec in enumerate(trades, start=1):
        unknown = set(spec) - allowed
        if unknown:
            raise BadInput(f"trade {n}: unknown key(s) {', '.join(sorted(unknown))}")
        if "direction" not in spec or "entry" not in spec:
            raise BadInput(f"trade {n}: direction and entry are required")
        rows.append(_plan_row(bars, index, spec["direction"], spec["entry"], spec.get("start_date"),
                              spec.get("stop"), spec.get("targets"), spec.get("sizes"),
                              spec.get("horizon_sessions"), spec.get("end_date"), spec.get("hold_sessions"),
                              spec.get("move_stop_to_breakeven", False)))
    if not rows:
        return []
    out = _run(bars, rows)
    return [_trade(bars, index, row, out, i) for i, row in enumerate(rows)]
