"""The idea file model (schema version 1).

One pydantic model serves the TOML files, the CLI, the Python API, JSON output
and the web app. ``thesis schema`` prints its JSON schema.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from thesis.market.confirmations import Confirmation
from thesis.options.spec import OptionsSpec
from thesis.signals.spec import Trigger

SCHEMA_VERSION = 1
HORIZON = re.compile(r"^\s*(\d+)\s*(d|w|mo|y|s)\s*$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdeaInfo(Strict):
    title: str
    symbol: str
    published: date = Field(description="replay starts at the first session on or after this date")
    direction: Literal["short", "long"]
    horizon: str | None = Field(None, description="time stop after entry: Nd, Nw, Nmo, Ny (calendar) or Ns (sessions)")
    compare: list[str] = Field(default_factory=list)
    adjustment: Literal["as-traded", "adjusted"] = "as-traded"
    author: str | None = None
    source_url: str | None = None
    tags: list[str] = Field(default_factory=list)

    @field_validator("symbol")
    @classmethod
    def _upper(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("symbol is empty")
        return v.strip().upper()

    @field_validator("compare")
    @classmethod
    def _upper_all(cls, v: list[str]) -> list[str]:
        return [s.strip().upper() for s in v]

    @field_validator("horizon")
    @classmethod
    def _horizon(cls, v):
        if v is not None and not HORIZON.match(v):
            raise ValueError(f"horizon {v!r} is not like '6mo', '120d', '8w', '1y' or '90s' (sessions)")
        return v


class Levels(Strict):
    entry_zone: tuple[float, float]
    stop: float
    targets: list[float] = Field(min_length=1)
    sizes: list[float] | None = Field(None, description="fraction of the position exited at each target")
    move_stop_to_breakeven: bool = False

    @field_validator("entry_zone")
    @classmethod
    def _zone(cls, v):
        lo, hi = v
        if lo > hi:
            raise ValueError(f"entry_zone [{lo:g}, {hi:g}] is empty: write [low, high]")
        if lo <= 0:
            raise ValueError("entry_zone prices must be positive")
        return v

    @model_validator(mode="after")
    def _sizes(self):
        if self.sizes is not None:
            if len(self.sizes) != len(self.targets):
                raise ValueError(f"sizes has {len(self.sizes)} entries for {len(self.targets)} targets")
            if abs(sum(self.sizes) - 1.0) > 1e-9 or min(self.sizes) <= 0:
                raise ValueError("sizes must be positive fractions that add up to 1")
        return self


class Entry(Strict):
    order: Literal["limit", "signal"] = "limit"
    price: float | None = Field(None, description="limit price; default: the zone edge price reaches first")


class Claims(Strict):
    """What the author asserted; ``thesis evaluate`` and ``replay`` check each against the levels."""

    risk_reward: float | None = Field(None, description="claimed reward per unit of risk, e.g. 7.0 for '7 to 1'")
    break_even_win_rate: float | None = Field(None, description="claimed break-even win rate, 0-1")
    target_pct: float | None = Field(None, description="claimed move to the first target, percent")
    american_odds: str | float | None = Field(None, description="the author's betting odds, e.g. '+700'")

    def given(self) -> dict:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class Note(Strict):
    date: date
    text: str
    snapshot: str | None = None


class Idea(Strict):
    """An idea file. Levels are prices in the idea's adjustment (as-traded by default)."""

    schema_version: int = SCHEMA_VERSION
    idea: IdeaInfo
    levels: Levels
    entry: Entry = Field(default_factory=Entry)
    triggers: list[Trigger] = Field(default_factory=list)
    confirmations: list[Confirmation] = Field(default_factory=list)
    claims: Claims = Field(default_factory=Claims)
    notes: list[Note] = Field(default_factory=list)
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
        for t in self.levels.targets:
            if short and not t < price:
                raise ValueError(f"levels.targets {t:g} must be below the entry {price:g} for a short")
            if not short and not t > price:
                raise ValueError(f"levels.targets {t:g} must be above the entry {price:g} for a long")
        if self.entry.price is not None and not (stop > price if short else stop < price):
            raise ValueError(f"entry.price {price:g} is beyond the stop {stop:g}")
        if self.entry.order == "signal" and not self.triggers:
            raise ValueError("entry.order = 'signal' needs at least one [[triggers]] entry")
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
    def direction(self) -> str:
        return self.idea.direction

    def horizon_end(self, entry_date) -> pd.Timestamp | None:
        """The calendar date the time stop refers to (sessions: handled by the caller)."""
        if not self.idea.horizon:
            return None
        n, unit = HORIZON.match(self.idea.horizon).groups()
        n = int(n)
        start = pd.Timestamp(entry_date)
        return {"d": start + pd.DateOffset(days=n), "w": start + pd.DateOffset(weeks=n),
                "mo": start + pd.DateOffset(months=n), "y": start + pd.DateOffset(years=n),
                "s": None}[unit]

    def horizon_sessions(self) -> int | None:
        if self.idea.horizon:
            n, unit = HORIZON.match(self.idea.horizon).groups()
            if unit == "s":
                return int(n)
        return None

    @property
    def path(self) -> str | None:
        """The file the idea was loaded from (None when built in code)."""
        return self._path
