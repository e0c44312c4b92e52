"""The idea file model (schema version 1).

One pydantic model serves the TOML files, the CLI, the Python API, JSON output
and the web app. ``thesis schema`` prints its JSON schema.

Files are validated strictly (``thesis.spec.parse``): numbers must be written as
numbers (``contracts = "+700"`` is refused, not read as 700), every number is
finite and within its range, and the same validation serves every command, so
a file ``thesis check`` accepts is accepted by every command. Limits: see
``thesis.spec.limits`` and docs/ideas.md.
"""
from __future__ import annotations

import functools
import math
import re
from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from thesis.errors import BadInput
from thesis.limits import MAX_HORIZON_DAYS
from thesis.market.confirmations import Confirmation
from thesis.options.spec import OptionsSpec
from thesis.signals.spec import Trigger
from thesis.spec.limits import (FIRST_DATE, LAST_DATE, MAX_HORIZON_YEARS, MAX_ITEMS, MAX_NOTE, MAX_PRICE,
                                MAX_TEXT, MAX_TITLE, MIN_PRICE, excerpt)

if TYPE_CHECKING:  # pandas loads inside the horizon methods: `thesis check` needs none of it
    import pandas as pd

    from thesis.data.instruments import Instrument

SCHEMA_VERSION = 1
HORIZON = re.compile(r"^\s*(\d+)\s*(d|w|mo|y|s)\s*$")
HORIZON_DATE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*$")
#: The longest horizon in each unit (MAX_HORIZON_YEARS years).
HORIZON_MAX = {"d": MAX_HORIZON_DAYS, "w": MAX_HORIZON_YEARS * 53, "mo": MAX_HORIZON_YEARS * 12,
               "y": MAX_HORIZON_YEARS, "s": MAX_HORIZON_YEARS * 253}
UNIT_WORD = {"d": "days", "w": "weeks", "mo": "months", "y": "years", "s": "sessions"}
SESSIONS_PER_YEAR = 252

Price = Annotated[float, Field(ge=MIN_PRICE, le=MAX_PRICE)]
Fraction = Annotated[float, Field(gt=0, le=1)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
Day = Annotated[date, Field(ge=date.fromisoformat(FIRST_DATE), le=date.fromisoformat(LAST_DATE))]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


@functools.lru_cache(maxsize=4096)
def _parsed_horizon(value) -> tuple[str, int | date] | None:
    """``parse_horizon`` of a validated idea's horizon (text or a date: hashable), once per value."""
    return parse_horizon(value)


@functools.lru_cache(maxsize=1 << 16)
def _calendar_end(unit: str, n: int, start: pd.Timestamp) -> pd.Timestamp:
    """``start`` plus n days, weeks, months or years (a pure function: watch and the scorecard ask
    it for the same dates over and over)."""
    import pandas as pd

    return start + pd.DateOffset(**{{"d": "days", "w": "weeks", "mo": "months", "y": "years"}[unit]: n})


@functools.lru_cache(maxsize=1 << 16)
def _session_end(n: int, calendar: str, start: pd.Timestamp) -> pd.Timestamp:
    """The n-th session of ``calendar`` on or after ``start`` (beyond the calendar's range,
    n x 365/252 calendar days)."""
    import pandas as pd

    from thesis.data.calendar import sessions

    # the instrument's sessions: 7 a week for crypto (beyond the range, 252 a year overestimates the days)
    days = sessions(start, start + pd.Timedelta(days=math.ceil(n * 366 / SESSIONS_PER_YEAR) + 10), calendar)
    if len(days) >= n:
        return pd.Timestamp(days[n - 1])
    return start + pd.Timedelta(days=math.ceil(n * 365 / SESSIONS_PER_YEAR))


def parse_horizon(value) -> tuple[str, int | date] | None:
    """("s"|"d"|"w"|"mo"|"y", n) or ("date", end date); None for no horizon. ValueError when malformed."""
    if value is None:
        return None
    if isinstance(value, date):
        return "date", value
    if not isinstance(value, str):
        raise ValueError(f"horizon must be text like '6mo' or an end date, got {excerpt(value)}")
    m = HORIZON.match(value)
    if m:
        n, unit = int(m.group(1)), m.group(2)
        if n < 1:
            raise ValueError(f"horizon {value!r} is zero: leave horizon out for no time stop")
        if n > HORIZON_MAX[unit]:
            raise ValueError(f"horizon {value!r} is longer than {MAX_HORIZON_YEARS} years "
                             f"(at most {HORIZON_MAX[unit]:,} {UNIT_WORD[unit]})")
        return unit, n
    m = HORIZON_DATE.match(value)
    if m:
        try:
            return "date", date.fromisoformat(m.group(1))
        except ValueError:
            raise ValueError(f"horizon {value!r} is not a calendar date") from None
    raise ValueError(f"horizon {excerpt(value)} is not like '6mo', '120d', '8w', '1y', '90s' (sessions) "
                     f"or an end date such as 2023-12-31")


class IdeaInfo(Strict):
    title: str = Field(max_length=MAX_TITLE)
    symbol: str
    published: Day = Field(description="replay starts at the first session on or after this date")
    direction: Literal["short", "long"]
    horizon: str | date | None = Field(
        None, description="time stop after entry: Nd, Nw, Nmo, Ny (calendar), Ns (sessions), or an end date "
                          f"(YYYY-MM-DD, after published); at most {MAX_HORIZON_YEARS} years")
    compare: list[str] = Field(default_factory=list, max_length=10)
    adjustment: Literal["as-traded", "adjusted"] = "as-traded"
    author: Text | None = None
    source_url: Text | None = None
    tags: list[Text] = Field(default_factory=list, max_length=50)

    _written: str | None = PrivateAttr(default=None)

    @field_validator("symbol")
    @classmethod
    def _resolved(cls, v: str) -> str:
        from thesis.data.instruments import resolve

        try:
            resolve(v)
        except BadInput as exc:
            raise ValueError(str(exc)) from None
        return v.strip()

    @model_validator(mode="after")
    def _canonical_symbol(self):
        """``symbol`` becomes thesis's name (``USOIL`` -> ``CL=F``); the name as written is kept for display."""
        from thesis.data.instruments import resolve

        written = self.symbol
        self.symbol = resolve(written).symbol
        if written.upper() != self.symbol:
            self._written = written
        return self

    @field_validator("compare")
    @classmethod
    def _upper_all(cls, v: list[str]) -> list[str]:
        from thesis.data.instruments import resolve

        try:
            return [resolve(s, "compare symbol").symbol for s in v]
        except BadInput as exc:
            raise ValueError(str(exc)) from None

    @property
    def written_symbol(self) -> str:
        """The symbol as the idea file wrote it (``GOLD``), else thesis's symbol."""
        return self._written or self.symbol

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v):
        parse_horizon(v)
        return v

    @model_validator(mode="after")
    def _horizon_after_published(self):
        h = parse_horizon(self.horizon)
        if h is not None and h[0] == "date":
            end = h[1]
            if end <= self.published:
                raise ValueError(f"idea.horizon end date {end} must be after the publication date {self.published}")
            if end > _add_years(self.published, MAX_HORIZON_YEARS):
                raise ValueError(f"idea.horizon end date {end} is more than {MAX_HORIZON_YEARS} years after "
                                 f"the publication date {self.published}")
        return self


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class Levels(Strict):
    entry_zone: tuple[Price, Price]
    stop: Price
    targets: list[Price] = Field(min_length=1, max_length=20)
    sizes: list[Fraction] | None = Field(None, description="fraction of the position exited at each target")
    move_stop_to_breakeven: bool = False

    @field_validator("entry_zone")
    @classmethod
    def _zone(cls, v):
        lo, hi = v
        if lo > hi:
            raise ValueError(f"entry_zone [{lo:g}, {hi:g}] is empty: write [low, high]")
        return v

    @model_validator(mode="after")
    def _sizes(self):
        if self.sizes is not None:
            if len(self.sizes) != len(self.targets):
                raise ValueError(f"levels.sizes has {len(self.sizes)} entries for {len(self.targets)} targets")
            if abs(sum(self.sizes) - 1.0) > 1e-6:
                raise ValueError("levels.sizes must be positive fractions that add up to 1")
        return self


class Entry(Strict):
    order: Literal["limit", "signal"] = "limit"
    price: Price | None = Field(default=None, description="limit price, inside the entry zone; default: the zone edge "
                                                 "price reaches first")


class Claims(Strict):
    """What the author asserted; ``thesis evaluate`` and ``replay`` check each against the levels."""

    risk_reward: float | str | None = Field(
        default=None, description="claimed reward per unit of risk: 7.0, or text such as '7:1' or '7 to 1'")
    break_even_win_rate: float | None = Field(default=None, gt=0, lt=1, description="claimed break-even win rate, 0-1")
    target_pct: float | None = Field(default=None, ge=-1000, le=1000,
                                     description="claimed move to the farthest target, percent")
    american_odds: str | float | None = Field(default=None, description="the author's betting odds, e.g. '+700'")

    @field_validator("risk_reward")
    @classmethod
    def _ratio(cls, v):
        if v is None:
            return v
        from thesis.risk.claims import parse_ratio

        try:
            rr = parse_ratio(v)
        except BadInput as exc:
            raise ValueError(str(exc)) from None
        if not (math.isfinite(rr) and 0 < rr <= 1e6):
            raise ValueError(f"claimed risk_reward must be a number above zero, got {excerpt(v)}")
        return v

    @field_validator("american_odds")
    @classmethod
    def _odds(cls, v):
        if v is None:
            return v
        from thesis.risk.claims import claim_number
        from thesis.risk.odds import american_to_reward_risk

        try:
            value = claim_number("american_odds", v)
            american_to_reward_risk(value)
        except BadInput as exc:
            raise ValueError(str(exc).replace("American odds", "american_odds")) from None
        if abs(value) > 1e6:
            raise ValueError(f"american_odds {excerpt(v)} is out of range (at most 1,000,000 in size)")
        return v

    def given(self) -> dict:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Note(Strict):
    date: Day
    text: str = Field(max_length=MAX_NOTE)
    snapshot: Text | None = None


class Idea(Strict):
    """An idea file. Levels are prices in the idea's adjustment (as-traded by default)."""

    schema_version: int = SCHEMA_VERSION
    idea: IdeaInfo
    levels: Levels
    entry: Entry = Field(default_factory=Entry)
    triggers: list[Trigger] = Field(default_factory=list, max_length=50)
    confirmations: list[Confirmation] = Field(default_factory=list, max_length=50)
    claims: Claims = Field(default_factory=Claims)
    notes: list[Note] = Field(default_factory=list, max_length=MAX_ITEMS)
    options: OptionsSpec | None = None
    _path: str | None = PrivateAttr(default=None)

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v):
        if v != SCHEMA_VERSION:
            raise ValueError(f"schema_version {v} is not supported (this thesis reads version {SCHEMA_VERSION})")
        return v

    @model_validator(mode="after")
    def _sides(self):
        short = self.idea.direction == "short"
        lo, hi = self.levels.entry_zone
        price = self.entry_price
        stop = self.levels.stop
        if short and stop <= hi:
            raise ValueError(f"levels.stop {stop:g} must be above the entry zone [{lo:g}, {hi:g}] for a short")
        if not short and stop >= lo:
            raise ValueError(f"levels.stop {stop:g} must be below the entry zone [{lo:g}, {hi:g}] for a long")
        if self.entry.price is not None and not lo <= price <= hi:
            raise ValueError(f"entry.price {price:g} is outside the entry zone [{lo:g}, {hi:g}]: a limit "
                             f"entry works inside its own zone")
        for t in self.levels.targets:
            if short and not t < price:
                raise ValueError(f"levels.targets {t:g} must be below the entry {price:g} for a short")
            if not short and not t > price:
                raise ValueError(f"levels.targets {t:g} must be above the entry {price:g} for a long")
        if self.entry.order == "signal" and not self.triggers:
            raise ValueError("entry.order = 'signal' needs at least one [[triggers]] entry")
        if self.options is not None and not self.instrument.is_us_equity:
            inst = self.instrument
            raise ValueError(f"options: the option model prices options on US stocks and ETFs; {inst.display} is "
                             f"{inst.kind} (options on FX, crypto and futures are out of scope): remove the "
                             f"[options] table")
        if self.options is not None and self.options.expiry is not None \
                and self.options.expiry <= self.idea.published:
            raise ValueError(f"options.expiry {self.options.expiry} must be after the publication date "
                             f"{self.idea.published}")
        # The arithmetic every command prints: run it here so no command can fail on it later.
        from thesis.risk import check_claims

        lv = self.levels
        try:
            check_claims(self.direction, price, lv.stop, lv.targets, lv.sizes, self.claims.given())
        except BadInput as exc:
            raise ValueError(str(exc)) from None
        return self

    # Derived values (never stored).
    @property
    def entry_price(self) -> float:
        if self.entry.price is not None:
            return self.entry.price
        lo, hi = self.levels.entry_zone
        return lo if self.idea.direction == "short" else hi

    @property
    def symbol(self) -> str:
        return self.idea.symbol

    @property
    def instrument(self) -> Instrument:
        """The idea's instrument (thesis.data.instruments), with the symbol as written kept for display."""
        from thesis.data.instruments import lookup

        return lookup(self.symbol).with_alias(self.idea.written_symbol)

    @property
    def direction(self) -> str:
        return self.idea.direction

    def horizon(self) -> tuple[str, int | date] | None:
        """The parsed horizon: ("s", sessions), ("d"|"w"|"mo"|"y", n) or ("date", end date); None."""
        return _parsed_horizon(self.idea.horizon)

    def horizon_end(self, entry_date) -> pd.Timestamp | None:
        """The calendar date the time stop refers to: entry + a calendar horizon, or the horizon's end
        date. None for no horizon and for a horizon in sessions (see ``horizon_sessions``)."""
        import pandas as pd  # here, not at the top: validating an idea (`thesis check`) needs no pandas

        h = self.horizon()
        if h is None or h[0] == "s":
            return None
        unit, n = h
        if isinstance(n, date):          # ("date", the horizon's end date)
            return pd.Timestamp(n)
        return _calendar_end(unit, n, pd.Timestamp(entry_date))

    def horizon_sessions(self) -> int | None:
        """The horizon in sessions, when it is written in sessions ("40s"); else None."""
        h = self.horizon()
        return h[1] if h is not None and h[0] == "s" and not isinstance(h[1], date) else None

    def horizon_date(self, start) -> pd.Timestamp | None:
        """The last day of the horizon counted from ``start``, whatever its form: a session horizon
        ends on the N-th session of the symbol's calendar (XNYS, 24/7 ...) from the first one on or
        after ``start`` (beyond the calendar's range, N x 365/252 calendar days)."""
        import pandas as pd

        n = self.horizon_sessions()
        if n is None:
            return self.horizon_end(start)
        from thesis.data.calendar import calendar_of

        return _session_end(n, calendar_of(self.symbol), pd.Timestamp(start).normalize())

    def horizon_days(self, start) -> int | None:
        """Calendar days from ``start`` to the end of the horizon (any form); None without one."""
        import pandas as pd

        end = self.horizon_date(start)
        if end is None:
            return None
        return max(1, (end.normalize() - pd.Timestamp(start).normalize()).days)

    @property
    def path(self) -> str | None:
        """The file the idea was loaded from (None when built in code)."""
        return self._path


__all__ = ["Idea", "IdeaInfo", "Levels", "Entry", "Claims", "Note", "SCHEMA_VERSION", "parse_horizon"]
