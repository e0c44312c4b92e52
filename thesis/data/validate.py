"""Validation of bar sets, with a report a user can read.

Policy (also in docs/data.md):

| problem | action |
| --- | --- |
| missing value, text in a number column, wrong field count | reject (parse error) |
| a value that is not a finite number (inf, nan) | reject |
| non-positive price, negative volume, high below low | reject |
| zero or negative price of an instrument that allows it (futures, yields: CL=F -37.63) | report (warn): kept |
| price outside 1e-6 .. 1e9, volume over 1e15 (thesis.data.limits) | reject (implausible) |
| duplicate date with different values | reject |
| duplicate date, identical row | repair: keep the first, warn |
| dates out of order | repair: sort, warn |
| high below max(open, close) / low above min(open, close) | repair: widen high/low to the body, warn |
| session missing against the instrument's calendar (XNYS, 24/7, 24/5, CMES ...) | report (warn): never invented |
| date that is not a session of that calendar | report (warn): kept |
| a weekend row of a 24/5 market (FX trades Monday to Friday) | repair: dropped, warn |
| bad print (thesis.data.outliers: a spike that reverts; floor per instrument) | report (warn): kept as printed, flagged |
| vendor faults (thesis.data.faults: opens equal to closes, flat volume-less bars) | report (warn) |

The calendar, the bad-print floor and whether prices may be negative come from the symbol's
instrument (thesis.data.instruments); a report names each problem's file line and session date.

A rejection raises DataFileError naming file, line and symbol. Repairs and
reports are listed in the bar set's ``attrs["warnings"]``; bad prints also in
``Report.flags`` (and ``attrs["flagged"]``, date -> reason, set by the adapters).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from thesis.data import calendar, limits
from thesis.data.csvfile import LINE
from thesis.data.outliers import Flag, find_outliers
from thesis.errors import DataFileError

if TYPE_CHECKING:
    from thesis.data.instruments import Instrument

REJECT, REPAIR, REPORT = "reject", "repair", "report"


@dataclass
class Problem:
    symbol: str
    path: str
    line: int | None
    date: str | None
    kind: str
    action: str
    message: str

    def text(self) -> str:
        where = self.path + (f":{self.line}" if self.line else "") + (f" ({self.date})" if self.date else "")
        return f"{where} [{self.symbol}] {self.kind} ({self.action}): {self.message}"

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Report:
    problems: list[Problem]
    flags: list[Flag] = field(default_factory=list)

    @property
    def flagged(self) -> dict[str, str]:
        """ISO date -> reason, for every bar the outlier rule flags."""
        out: dict[str, str] = {}
        for f in self.flags:
            key = str(f.date.date())
            out[key] = out[key] + "; " + f.message() if key in out else f.message()
        return out

    def bar_attrs(self) -> dict:
        """What travels with the loaded bars: warnings, flagged bars, and where the opens fail."""
        out = {"warnings": [p.text() for p in self.problems], "flagged": self.flagged}
        since = next((p.date for p in self.problems if p.kind == "unreliable opens"), None)
        if since:
            out["open_unreliable_since"] = since
        return out

    @property
    def rejected(self) -> list[Problem]:
        return [p for p in self.problems if p.action == REJECT]


def _line(frame: pd.DataFrame, i: int | np.integer) -> int | None:
    return int(frame[LINE].iloc[i]) if LINE in frame.columns else None


def _date(frame: pd.DataFrame, i: int | np.integer) -> str:
    return str(pd.Timestamp(frame["date"].iloc[i]).date())


def validate_frame(frame: pd.DataFrame, symbol: str, path: str, *, check_calendar: bool = True,
                   max_listed: int = 20, instrument: Instrument | None = None) -> tuple[pd.DataFrame, Report]:
    """Validate and repair a parsed frame (columns date, prices, optional _line).

    Returns the repaired frame (sorted, unique dates) and the report. Never
    raises: the caller decides what a rejection means (see ``ensure_loadable``).
    ``instrument`` defaults to the symbol's (thesis.data.instruments.instrument_of).
    """
    from thesis.data.instruments import instrument_of

    inst = instrument or instrument_of(symbol)
    problems: list[Problem] = []

    def add(i, kind, action, message, listed_so_far):
        if listed_so_far < max_listed:
            problems.append(Problem(symbol, path, _line(frame, i), _date(frame, i), kind, action, message))

    prices = [c for c in ("open", "high", "low", "close") if c in frame.columns]
    # Non-finite, non-positive and implausible values.
    for col in prices:
        vals = frame[col].to_numpy(dtype="float64")
        if col == "open" and np.isnan(vals).all():
            continue  # a source without an open
        finite = np.isfinite(vals)
        for k, i in enumerate(np.flatnonzero(~finite)):
            add(i, "not a finite number", REJECT, f"{col} = {vals[i]}", k)
        with np.errstate(invalid="ignore"):
            if inst.negative_prices:   # flagged, not impossible: WTI settled at -37.63 on 2020-04-20
                for k, i in enumerate(np.flatnonzero(finite & ~(vals > 0))):
                    add(i, "non-positive price", REPORT, f"{col} = {vals[i]} (possible for {inst.symbol}: kept)", k)
                odd = finite & (np.abs(vals) > limits.MAX_PRICE)
            else:
                for k, i in enumerate(np.flatnonzero(finite & ~(vals > 0))):
                    add(i, "non-positive price", REJECT, f"{col} = {vals[i]}", k)
                odd = finite & (vals > 0) & ((vals < limits.MIN_PRICE) | (vals > limits.MAX_PRICE))
        for k, i in enumerate(np.flatnonzero(odd)):
            add(i, "implausible price", REJECT,
                f"{col} = {vals[i]:.6g} is outside {limits.MIN_PRICE:g} .. {limits.MAX_PRICE:g}", k)
    if "volume" in frame.columns:
        vol = frame["volume"].to_numpy(dtype="float64")
        for k, i in enumerate(np.flatnonzero(np.isinf(vol))):
            add(i, "not a finite number", REJECT, f"volume = {vol[i]}", k)
        for k, i in enumerate(np.flatnonzero(vol < 0)):
            add(i, "negative volume", REJECT, f"volume = {vol[i]}", k)
        for k, i in enumerate(np.flatnonzero(np.isfinite(vol) & (vol > limits.MAX_VOLUME))):
            add(i, "implausible volume", REJECT, f"volume = {vol[i]:.6g} is over {limits.MAX_VOLUME:g}", k)
    hi, lo = frame["high"].to_numpy(), frame["low"].to_numpy()
    bad = np.flatnonzero(hi < lo)
    for k, i in enumerate(bad):
        add(i, "high below low", REJECT, f"high {hi[i]} < low {lo[i]}", k)

    # Order and duplicates.
    dates = frame["date"].to_numpy()
    if len(dates) > 1 and (np.diff(dates.astype("datetime64[ns]").astype("int64")) < 0).any():
        first = int(np.argmax(np.diff(dates.astype("int64")) < 0)) + 1
        add(first, "dates out of order", REPAIR, "rows sorted by date", 0)
        frame = frame.sort_values("date", kind="stable").reset_index(drop=True)
    dup = frame["date"].duplicated(keep=False).to_numpy()
    if dup.any():
        cols = [c for c in frame.columns if c != LINE]
        same = frame[dup].groupby("date")[cols[1:]].nunique().le(1).all(axis=1)
        for k, (d, identical) in enumerate(same.items()):
            second = int(np.flatnonzero(frame["date"].to_numpy() == np.datetime64(d))[1])
            if identical:
                add(second, "duplicate date", REPAIR, "identical row dropped", k)
            else:
                add(second, "duplicate date", REJECT, "two different rows for one date", k)
        frame = frame.drop_duplicates("date", keep="first").reset_index(drop=True)

    # Body outside the range: widen the range (a bad print of high/low).
    if "open" in frame.columns and frame["open"].notna().any():
        body_hi = np.fmax(frame["open"].to_numpy(), frame["close"].to_numpy())
        body_lo = np.fmin(frame["open"].to_numpy(), frame["close"].to_numpy())
    else:
        body_hi = body_lo = frame["close"].to_numpy()
    for col, body, op, word in (("high", body_hi, np.less, "below"), ("low", body_lo, np.greater, "above")):
        vals = frame[col].to_numpy()
        bad = np.flatnonzero(op(vals, body))
        for k, i in enumerate(bad):
            add(i, f"{col} {word} body", REPAIR, f"{col} {vals[i]} set to {body[i]}", k)
        if len(bad):
            frame.loc[bad, col] = body[bad]
            if len(bad) > max_listed:
                problems.append(Problem(symbol, path, None, None, f"{col} {word} body", REPAIR,
                                        f"{len(bad)} rows in all"))

    flags: list[Flag] = []
    if not any(p.action == REJECT for p in problems) and len(frame):
        flags = find_outliers(frame["date"], frame["open"] if "open" in frame.columns else None, frame["high"],
                              frame["low"], frame["close"],
                              frame["volume"] if "volume" in frame.columns and inst.checks_volume else None,
                              floor=inst.print_floor, k=inst.print_k)
        for k, f in enumerate(flags):
            add(f.index, f"bad print? {f.kind}", REPORT, f.message(), k)

    if check_calendar and len(frame):
        frame = _check_sessions(frame, symbol, path, inst.calendar, problems, max_listed)
    if len(frame) and not any(p.action == REJECT for p in problems):
        from thesis.data.faults import vendor_faults

        problems += [Problem(symbol, path, _line(frame, i) if i is not None else None,
                             _date(frame, i) if i is not None else None, kind, REPORT, message)
                     for i, kind, message in vendor_faults(frame, inst)]
    return frame, Report(problems, flags)


def _an(name: str) -> str:
    return "an" if name[0] in "AEIOUX12" else "a"


def _check_sessions(frame: pd.DataFrame, symbol: str, path: str, cal: str, problems: list[Problem],
                    max_listed: int) -> pd.DataFrame:
    """Report sessions without a bar and bars off the calendar; a 24/5 market's weekend rows are dropped."""
    d = pd.DatetimeIndex(frame["date"])
    expected = calendar.sessions(d[0], d[-1], cal)
    # only dates the calendar covers can be called non-sessions (a weekend after the last bar too)
    covered = (d >= calendar.first_session(cal)) & (d <= calendar.last_session(cal))
    extra = d[covered].difference(expected)
    if len(extra) and cal == "24/5":     # FX does not trade on weekends: such a row is a bad row
        off = np.flatnonzero(d.isin(extra))
        for k, i in enumerate(off):
            if k < max_listed:
                problems.append(Problem(symbol, path, _line(frame, i), _date(frame, i), "not a session", REPAIR,
                                        f"{pd.Timestamp(d[i]).day_name()} is not a 24/5 session: row dropped"))
        frame = frame.drop(index=frame.index[off]).reset_index(drop=True)
        d, extra = pd.DatetimeIndex(frame["date"]), extra[:0]
    missing = expected.difference(d)
    closed = calendar.holiday_closures(missing, cal)
    if len(closed):
        shown = ", ".join(f"{x.date()} {calendar.holiday_name(x)}" for x in closed[-5:])
        problems.append(Problem(symbol, path, None, str(closed[0].date()), "closed sessions", REPORT,
                                f"{len(closed)} {cal} sessions without a bar are US holidays or early closes "
                                f"(no settlement that day: closed, not missing data), the last: {shown}"))
        missing = missing.difference(closed)
    if len(missing):
        shown = ", ".join(str(x.date()) for x in missing[:5]) + (" ..." if len(missing) > 5 else "")
        what = f"{cal} sessions have" if len(missing) > 1 else f"{cal} session has"
        problems.append(Problem(symbol, path, None, str(missing[0].date()), "missing sessions", REPORT,
                                f"{len(missing)} {what} no bar: {shown}"))
    if len(extra):
        shown = ", ".join(str(x.date()) for x in extra[:5])
        what = f"dates are not {cal} sessions" if len(extra) > 1 else f"date is not {_an(cal)} {cal} session"
        problems.append(Problem(symbol, path, _line(frame, int(np.flatnonzero(d == extra[0])[0])),
                                str(extra[0].date()), "not a session", REPORT, f"{len(extra)} {what}: {shown}"))
    return frame


def ensure_loadable(report: Report, path: str, symbol: str) -> None:
    """Raise on the first rejection, naming file, line and symbol."""
    rejected = report.rejected
    if rejected:
        p = rejected[0]
        more = f" (and {len(rejected) - 1} more problems)" if len(rejected) > 1 else ""
        raise DataFileError(path, f"{p.kind}: {p.message}{more}", line=p.line, symbol=symbol)
