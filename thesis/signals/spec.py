"""`Trigger`: one `[[triggers]]` entry of an idea file, validated.

    [[triggers]]
    kind = "outside_bar_rejection"
    zone = [188, 190]          # or: level = 188
    timeframe = "1d"           # "1d" (default), "1w", "1mo"
    side = "short"             # optional: defaults to the idea's direction

Each kind accepts only its own parameters (see `PARAMS`); anything else is an
error naming the key, so a typo never silently falls back to a default.
"""
from __future__ import annotations

import math
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from thesis.errors import BadInput

Kind = Literal["outside_bar", "zone_rejection", "outside_bar_rejection", "failed_breakout",
               "lower_high_breakdown", "squeeze_release", "long_wick", "low_of_week"]
KINDS: tuple[str, ...] = get_args(Kind)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

ZONE = {"zone", "level"}
#: Parameters each kind accepts, besides kind, timeframe, side and label.
PARAMS: dict[str, set[str]] = {
    "outside_bar": set(),
    "zone_rejection": ZONE,
    "outside_bar_rejection": ZONE,
    "failed_breakout": ZONE | {"within"},
    "lower_high_breakdown": ZONE | {"swing_bars", "tolerance", "max_wait"},
    "squeeze_release": {"length", "bb_mult", "kc_mult"},
    "long_wick": ZONE | {"min_wick", "min_wick_body"},
    "low_of_week": {"mode", "weekdays"},
}
#: Kinds that cannot run without a zone or a level.
NEEDS_ZONE = {"zone_rejection", "outside_bar_rejection", "failed_breakout"}
COMMON = {"kind", "timeframe", "side", "label"}


class Trigger(BaseModel):
    """A price-action trigger; see docs/triggers.md for the exact rule of each kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Kind
    timeframe: Literal["1d", "1w", "1mo"] = "1d"
    side: Literal["short", "long"] | None = None
    label: str | None = None
    zone: tuple[float, float] | None = None
    level: float | None = None
    within: int = Field(5, ge=1, description="failed_breakout: max bars from breakout to failure")
    swing_bars: int = Field(2, ge=1, le=50, description="fractal swing: bars each side")
    tolerance: float = Field(0.01, ge=0, lt=0.5, description="fraction of price for zone band / double top")
    max_wait: int = Field(20, ge=0, description="bars after the 2nd swing to wait for the break; 0 = no limit")
    length: int = Field(20, ge=2, description="squeeze window (bars)")
    bb_mult: float = Field(2.0, gt=0, description="Bollinger band width in standard deviations")
    kc_mult: float = Field(1.5, gt=0, description="Keltner channel width in ATRs")
    min_wick: float = Field(0.5, gt=0, le=1, description="wick >= min_wick * range")
    min_wick_body: float = Field(2.0, ge=0, description="wick >= min_wick_body * body")
    mode: Literal["week_close", "running"] = "week_close"
    weekdays: tuple[Literal["mon", "tue", "wed", "thu", "fri"], ...] | None = None

    @field_validator("side", "mode", mode="before")
    @classmethod
    def _lower(cls, v):
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("weekdays", mode="before")
    @classmethod
    def _lower_days(cls, v):
        if isinstance(v, str):
            raise ValueError(f"weekdays must be a list such as [\"tue\", \"wed\"], got {v!r}")
        if not isinstance(v, (list, tuple)):
            return v  # the type check names it
        # a tuple, so strict validation (idea files) accepts it as the field's tuple type
        return tuple(d.strip().lower()[:3] if isinstance(d, str) else d for d in v)

    @field_validator("zone")
    @classmethod
    def _zone_order(cls, v):
        if v is None:
            return v
        lo, hi = v
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ValueError(f"zone bounds must be finite numbers, got [{lo}, {hi}]")
        if lo > hi:
            raise ValueError(f"zone lo {lo:g} is above hi {hi:g}; write zone = [lo, hi] (lo <= hi)")
        return v

    @field_validator("level")
    @classmethod
    def _level_finite(cls, v):
        if v is not None and not math.isfinite(v):
            raise ValueError(f"level must be a finite number, got {v}")
        return v

    @field_validator("weekdays")
    @classmethod
    def _days_not_empty(cls, v):
        if v is not None and len(v) == 0:
            raise ValueError("weekdays is empty: leave it out to accept every weekday")
        return v

    @model_validator(mode="after")
    def _kind_params(self):
        allowed = PARAMS[self.kind]
        stray = sorted(self.model_fields_set - allowed - COMMON)
        if stray:
            ok = ", ".join(sorted(allowed)) or "none"
            raise ValueError(f"kind '{self.kind}' does not take {', '.join(stray)} (its parameters: {ok})")
        if self.zone is not None and self.level is not None:
            raise ValueError("give either zone = [lo, hi] or level, not both")
        if self.kind in NEEDS_ZONE and self.zone is None and self.level is None:
            raise ValueError(f"kind '{self.kind}' needs zone = [lo, hi] or level")
        if self.kind == "low_of_week" and self.timeframe != "1d":
            raise ValueError("kind 'low_of_week' works on daily sessions: timeframe must be '1d'")
        return self

    def bounds(self) -> tuple[float, float] | None:
        """(lo, hi) of the zone; a level L gives (L, L); None when neither is set."""
        if self.zone is not None:
            return (float(self.zone[0]), float(self.zone[1]))
        if self.level is not None:
            return (float(self.level), float(self.level))
        return None

    def resolved_side(self, direction: str | None) -> str:
        """The trigger's side, else the idea's direction ("short"/"long")."""
        side = self.side or direction
        if side is None:
            raise BadInput(f"trigger '{self.kind}' has no side and the idea gave no direction")
        side = side.strip().lower() if isinstance(side, str) else side
        if side not in ("short", "long"):
            raise BadInput(f"direction must be 'short' or 'long', got {direction!r}")
        return side
