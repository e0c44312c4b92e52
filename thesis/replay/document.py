"""The typed documents ``thesis replay --json`` (``thesis.replay/2``) and ``thesis evaluate --json``
(``thesis.evaluate/2``) print, as pydantic models.

    doc = thesis.replay(idea).document()          # a ReplayDocument
    doc.trades[0].pnl.r, doc.notes[0].state       # typed attributes, seen by an editor and mypy
    doc.to_dict()                                  # the JSON document (thesis.jsonable's one rule)
    ReplayDocument.model_json_schema()             # docs/schema/replay.json is generated from it

The models describe the documents; the code that fills them is the replay (thesis.replay.run) and
evaluate (thesis.evaluate). Lifecycle parts are built from the lifecycle's own objects
(``SnapshotDoc.of``, ``EventDoc.of``: thesis.replay.lifecycle), so a document cannot say something
the lifecycle does not. Field order is the documents' key order. Parts whose keys come from
elsewhere (the option leg's pricing attributes, a sizing) stay open mappings.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import ConfigDict, Field

from thesis.document import Doc, absent, json_schema

if TYPE_CHECKING:
    from thesis.replay.lifecycle import LifeEvent, Position, Snapshot

REPLAY_SCHEMA: Final = "thesis.replay/2"
EVALUATE_SCHEMA: Final = "thesis.evaluate/2"

Number = float | None                 # a figure: None when unknown (NaN and infinities are None too)
Day = str | None                      # a session date, YYYY-MM-DD


# ------------------------------------------------------------------ lifecycle parts
class PositionDoc(Doc):
    """One variant's position after a session (thesis.replay.lifecycle.Position)."""

    variant: str
    entry: Number
    entry_session: Day
    size: Number
    stop: Number
    stop_moved: bool
    targets_left: list[float]
    realized_r: Number
    open_part_r: Number
    position_r: Number
    closed: bool

    @classmethod
    def of(cls, position: Position) -> PositionDoc:
        return cls.model_validate(position.to_dict())


class SnapshotDoc(Doc):
    """The idea after the close of a session (thesis.replay.lifecycle.Snapshot): its state, the stop
    in force, the primary position and each R (docs/lifecycle.md)."""

    session: Day
    close: Number
    state: str
    reason: str | None
    entry: Number
    filled: bool
    stop: Number
    stop_moved: bool
    targets_left: list[float]
    next_target: Number
    position: Number
    realized_r: Number
    open_part_r: Number
    position_r: Number
    horizon_end: Day
    entry_session: Day
    variants: list[PositionDoc]

    @classmethod
    def fields_of(cls, snapshot: Snapshot) -> dict[str, Any]:
        """The snapshot's fields, for a model that extends this one."""
        return snapshot.to_dict()

    @classmethod
    def of(cls, snapshot: Snapshot) -> SnapshotDoc:
        return cls.model_validate(cls.fields_of(snapshot))


class EventDoc(Doc):
    """One dated lifecycle event (thesis.replay.lifecycle.LifeEvent)."""

    kind: str
    session: Day
    price: Number
    text: str
    variant: str
    key: str
    size: Number
    r: Number
    level: Number
    primary: bool
    label: str = Field("", description="an exit's one name, the one every view shows (target 2, breakeven "
                                       "stop, time stop ...); empty for events that are not exits")

    @classmethod
    def of(cls, event: LifeEvent) -> EventDoc:
        return cls.model_validate(event.to_dict())


class _NoteHead(Doc):
    date: str
    session: Day
    price: Number


class _NoteTail(Doc):
    state_text: str
    text: str


class NoteRow(_NoteTail, SnapshotDoc, _NoteHead):
    """A dated note and the lifecycle's snapshot at the close of its session."""


# ------------------------------------------------------------------ shared parts
class IdeaHeader(Doc):
    title: str
    symbol: str
    direction: str                    # "long" or "short"
    published: str


class Claim(Doc):
    """A claim of the idea file checked against the plan (thesis.risk.check_claims)."""

    key: str
    claimed: float
    computed: Number
    consistent: bool | None
    sentence: str
    tolerance: float


class FromFill(Doc):
    """Reward/risk measured from the actual fill."""

    entry: float
    risk_per_share: float
    per_target: list[float]
    blended: float
    break_even_win_rate: Number


class TradeEntry(Doc):
    date: Day
    price: Number
    order: str
    limit: Number


class TradeExit(Doc):
    date: Day
    price: Number
    reason: str | None


class ScaledExit(TradeExit):
    """The exit of a scale-out: the last leg, and the size-weighted average labelled as such."""

    average_price: Number
    legs: int


class Excursion(Doc):
    price: Number
    date: Day
    r: Number


class Pnl(Doc):
    per_share: Number
    pct: Number
    r: Number


class Leg(Doc):
    kind: str
    date: Day
    price: Number
    size: float
    level: Number


class TradeDoc(Doc):
    """One replayed trade (thesis.replay.fills.Trade)."""

    variant: Literal["limit", "signal"] | str
    filled: bool
    entry: TradeEntry
    exit: ScaledExit | TradeExit
    mfe: Excursion
    mae: Excursion
    pnl: Pnl
    days_held: int | None
    sessions_held: int
    horizon_last_session: Day
    legs: list[Leg]
    gap_fills_modelled: bool
    flags: list[str]
    flagged_fills: list[str]
    notes: list[str]
    direction_sign: Literal[-1, 1]


class TradeWithMoney(TradeDoc):
    """A trade of a replay run with an account: its P&L per unit and per position in the account
    currency (thesis.risk.units.trade_money; None while unfilled)."""

    money: dict[str, Any] | None


class ConfirmationRow(Doc):
    """One confirmation on one date (thesis.market.confirmations)."""

    confirmation: int
    kind: str
    date: Day
    session: Day
    passed: bool | None
    status: str
    value: int | float | None
    text: str
    subject: str


class TriggerRow(Doc):
    kind: str
    date: Day
    timeframe: str
    price: Number
    detail: str


# ------------------------------------------------------------------ thesis.replay/2
class ReplayIdea(IdeaHeader):
    horizon: str | None
    file: str | None


class ReplayData(Doc):
    source: str | None
    adjustment: str | None
    first: Day
    last: Day
    warnings: list[str]
    missing: list[str]


class ReplayRiskReward(Doc):
    planned: float
    per_target: list[float]
    planned_entry: float
    from_fill: FromFill | None
    risk_per_share: float
    claimed: Number
    claim_consistent: bool | None
    break_even_win_rate: float


class ReplayTrigger(TriggerRow):
    after_published: bool
    confirmations: list[ConfirmationRow]


class ReplayNote(NoteRow):
    confirmations: list[ConfirmationRow]


class OptionsPathRow(Doc):
    date: Day
    spot: Number
    option_price: Number
    option_pnl: Number
    stock_pnl_per_share: Number
    stock_pnl_100_shares: Number


class OptionsLeg(Doc):
    """The option leg re-priced each session: the pricing's own attributes (model, strike, expiry,
    ``price_kind``, vol, ...) first, then the figures below."""

    model_config = ConfigDict(extra="allow")

    entry_price: Number
    exit_price: Number
    pnl_per_contract: Number
    position_pnl: Number
    stock_pnl_per_share: Number
    path: list[OptionsPathRow]

    def to_dict(self) -> dict[str, Any]:
        out = self.model_dump(mode="json")
        extra = list(self.model_extra or {})
        return {**{k: out[k] for k in extra}, **{k: v for k, v in out.items() if k not in extra}}


class OptionsError(Doc):
    error: str


class ReplayDocument(Doc):
    """``thesis replay --json``: what the market did with the idea (docs/json.md)."""

    schema_: Literal["thesis.replay/2"] = Field(default=REPLAY_SCHEMA, alias="schema")
    idea: ReplayIdea
    data: ReplayData
    asof: Day
    risk_reward: ReplayRiskReward
    claims: list[Claim]
    trades: list[TradeWithMoney | TradeDoc]
    triggers: list[ReplayTrigger]
    notes: list[ReplayNote]
    options: OptionsLeg | OptionsError | None

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        out = self.model_dump(mode="json", by_alias=True)
        if isinstance(self.options, OptionsLeg):
            out["options"] = self.options.to_dict()
        return out


# ------------------------------------------------------------------ thesis.evaluate/2
class EvaluateData(Doc):
    source: str | None
    adjustment: str | None
    last: Day
    warnings: list[str]
    missing: list[str]


class PriceBar(Doc):
    close: float
    open: Number
    high: float
    low: float


class Distance(Doc):
    """A level and how far the close is from it: in price, in percent and in R from the entry."""

    level: float
    distance: float
    pct: float
    r_from_entry: Number


class Zone(Doc):
    low: float
    high: float
    in_zone: bool
    to_low: Distance
    to_high: Distance


class EntryLevel(Distance):
    kind: Literal["fill", "planned"]
    date: Day


class StopLevel(Distance):
    planned: float
    moved: bool
    kind: Literal["breakeven", "planned"]


class TargetLevel(Distance):
    hit: bool


class Levels(Doc):
    measured_from: Literal["fill", "planned entry"]
    zone: Zone
    entry: EntryLevel
    planned_entry: Distance
    stop: StopLevel
    targets: list[TargetLevel]


class EvaluateState(SnapshotDoc):
    """The lifecycle's snapshot at the as-of session, its close, its sentence and the position's P&L."""

    price: Number
    text: str
    position_pnl: Number


class EvaluateRiskReward(Doc):
    planned: float
    per_target: list[float]
    planned_entry: float
    from_fill: FromFill | None
    now: float
    claimed: float | str | None       # as the idea file gives it: 7.0 or "7:1"
    claim_consistent: bool | None


class Sizing(Doc):
    """The position for an account (thesis.risk.units.size_idea), shares for a US equity and option
    contracts for an idea with an option leg."""

    position: dict[str, Any]
    entry: float
    shares: dict[str, Any] | None = Field(default=None, exclude_if=absent)
    contracts: dict[str, Any] | None = Field(default=None, exclude_if=absent)
    money: dict[str, Any] | None = Field(default=None, exclude_if=absent,
                                         description="once filled: the position's P&L at the as-of close in the "
                                                     "account currency, the keys of a replayed trade's money")


class Arithmetic(Doc):
    risk_reward: EvaluateRiskReward
    risk_per_share: float
    planned_risk_per_share: float
    break_even_win_rate: Number
    expectancy_r: dict[str, float] | None
    claims: list[Claim]
    sizing: Sizing | None


class EvaluateDocument(Doc):
    """``thesis evaluate --json``: the idea at the close of one session (docs/json.md)."""

    schema_: Literal["thesis.evaluate/2"] = Field(default=EVALUATE_SCHEMA, alias="schema")
    idea: IdeaHeader
    asof: Day
    asof_requested: Day
    notices: list[str]
    data: EvaluateData
    price: PriceBar
    levels: Levels
    notes: list[NoteRow]
    state: EvaluateState
    events: list[EventDoc]
    trades: list[TradeDoc]
    triggers_recent: list[TriggerRow]
    lookback_sessions: int
    confirmations: list[ConfirmationRow]
    arithmetic: Arithmetic

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def schemas() -> dict[str, dict[str, Any]]:
    """The JSON schema of each document, by file name under docs/schema/ (``make schema``)."""
    return {f"{name}.json": json_schema(model, name, version) for name, model, version in
            (("replay", ReplayDocument, REPLAY_SCHEMA), ("evaluate", EvaluateDocument, EVALUATE_SCHEMA))}
