"""The typed documents of the live side, as pydantic models:

    ``thesis ideas --json``, ``/api/ideas``   IdeasDocument    ``thesis.ideas/2``   (the board)
    ``thesis watch --json``                   WatchDocument    ``thesis.watch/2``   (a pass)
    ``thesis journal --json``                 JournalDocument  ``thesis.journal/1`` (the timeline)

The JSON those print is produced from the models (``ideas_document(res).to_dict()``), and
docs/schema/{ideas,watch,journal}.json are generated from them (``make schema``; docs/json.md).
The board's rows are rendered by thesis.watch.run.board from the lifecycle; the journal's events
and deliveries are the journal's own records (thesis.watch.records), whose models here are made
from the record dataclasses, so a record field cannot be missing from the schema.
"""
from __future__ import annotations

import json
import typing
from dataclasses import fields
from typing import TYPE_CHECKING, Any, Final, Literal

from pydantic import ConfigDict, Field, create_model

from thesis.document import AsGiven, Doc, absent, json_schema
from thesis.watch.records import DeliveryRecord, EventRecord, Record

if TYPE_CHECKING:
    from thesis.watch.run import PassResult

IDEAS_SCHEMA: Final = "thesis.ideas/2"
WATCH_SCHEMA: Final = "thesis.watch/2"
JOURNAL_SCHEMA: Final = "thesis.journal/1"

Number = float | None                 # a figure: None when unknown
Day = str | None                      # a session date, YYYY-MM-DD


class Printed(Doc):
    """A whole document: its ``schema`` key by its alias, and its JSON text written by pydantic."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    def to_json(self) -> str:
        """What ``--json`` prints: ``json.dumps(self.to_dict(), indent=2)``, written in one pass by
        pydantic (four times faster on a journal of thousands of alerts; text is UTF-8, not escaped)."""
        return self.model_dump_json(indent=2, by_alias=True)


# ------------------------------------------------------------------ the board (thesis.ideas/2)
class Distance(Doc):
    """A level in force and how far the close is from it: in % of the close and in R (|entry - stop|)."""

    level: float
    pct: float
    r: Number


class LastEvent(Doc):
    """The idea's last journaled event on or before the board's session."""

    id: str
    kind: str
    session: str
    price: Number
    text: str


class VariantPosition(Doc):
    """A position beside the idea's own: a limit idea's signal variant, opened by a trigger."""

    variant: str
    entry: float
    entry_session: str
    position: Number = Field(description="the part still open")
    realized_r: Number
    open_part_r: Number
    position_r: Number
    closed: bool


class BoardRow(Doc):
    """One idea of the board, rendered from its lifecycle (thesis.watch.run.board; docs/watch.md#the-board).
    An idea whose file does not parse or whose data failed keeps its last journaled state, with ``error``."""

    id: str
    file: str
    title: str | None
    symbol: str | None
    adjustment: str | None
    direction: str | None
    state: str | None
    reason: str | None
    session: Day
    price: Number
    zone: Distance | None = Field(description="to the entry zone, while unfilled")
    stop: Distance | None = Field(description="the stop in force")
    stop_moved: bool | None
    next_target: Distance | None
    position: Number = Field(description="the open size, once filled")
    realized_r: Number = Field(description="R of the exits taken (docs/lifecycle.md)")
    open_part_r: Number = Field(description="R of the open part at the close")
    position_r: Number = Field(description="the whole position: exits taken plus the open part at the close")
    days_left: int | None
    variants: list[VariantPosition] | None = Field(
        description="the positions beside the idea's own (a limit idea's signal variant); null on an ended "
                    "idea's row kept from the journal")
    revision: int
    last_event: LastEvent | None
    error: str | None


class Unpublished(Doc):
    """An idea an as-of board leaves out: published after its session."""

    id: str
    published: str


class IdeasDocument(Printed):
    """``thesis ideas --json``: the board at the close of a session. The web's ``/api/ideas`` serves one
    page of its rows and adds ``total``, ``offset`` and ``limit`` (and ``sort``, ``dir`` when sorted)."""

    schema_: Literal["thesis.ideas/2"] = Field(default=IDEAS_SCHEMA, alias="schema")
    session: str
    ideas: list[BoardRow]
    not_yet_published: list[Unpublished]
    errors: list[str]
    total: int | None = Field(default=None, exclude_if=absent, description="/api/ideas: rows in the whole board")
    offset: int | None = Field(default=None, exclude_if=absent, description="/api/ideas: the page's first row")
    limit: int | None = Field(default=None, exclude_if=absent, description="/api/ideas: rows per page")
    sort: str | None = Field(default=None, exclude_if=absent,
                             description="/api/ideas: the column the whole board was sorted by before the cut")
    dir: Literal["asc", "desc"] | None = Field(default=None, exclude_if=absent, description="/api/ideas: its direction")


# ------------------------------------------------------------------ journal records
def _record_model(cls: type[Record]) -> type[AsGiven]:
    """The model of a journal record as written (``t``, ``v``, then its fields): the fields its
    writer always writes are required, the rest appear when set."""
    hints = typing.get_type_hints(cls)
    spec: dict[str, Any] = {"t": (Literal[cls.t], ...), "v": (int, ...)}
    for f in fields(cls):
        if f.name != "v":
            spec[f.name] = (hints[f.name], ... if f.name in cls.ALWAYS else None)
    return create_model(f"{cls.__name__}Doc", __base__=AsGiven, __doc__=cls.__doc__, **spec)


if TYPE_CHECKING:          # made at run time: to a type checker, parts with the keys as given
    EventRecordDoc = AsGiven
    DeliveryRecordDoc = AsGiven
else:
    EventRecordDoc = _record_model(EventRecord)
    DeliveryRecordDoc = _record_model(DeliveryRecord)


# ------------------------------------------------------------------ a pass (thesis.watch/2)
class Outbox(Doc):
    """What a pass did with the outbox (thesis.watch.alerts.outcome)."""

    retried: int = Field(description="alerts of earlier passes tried again")
    retried_sent: int
    delivered: int
    failed: list[DeliveryRecordDoc]
    skipped: int = Field(description="not tried: their channel failed earlier in the pass")
    pending: int
    next_try: str | None


class WatchDocument(Printed):
    """``thesis watch --json``: one pass, its board, the events it journaled and the deliveries it made."""

    schema_: Literal["thesis.watch/2"] = Field(default=WATCH_SCHEMA, alias="schema")
    session: str
    ideas: list[BoardRow]
    not_yet_published: list[Unpublished]
    new_events: list[EventRecordDoc]
    deliveries: list[DeliveryRecordDoc]
    outbox: Outbox | None = Field(description="null without alert channels")
    messages: list[str]
    errors: list[str]


# ------------------------------------------------------------------ the timeline (thesis.journal/1)
class DeliveryState(AsGiven):
    """An alert on one channel: ``pending`` (with ``next_try`` when its channel rests after a
    failure), ``sent`` (``at``) or ``failed`` (``error``, ``at``, ``next_try``)."""

    status: Literal["pending", "sent", "failed"]
    attempts: int
    at: str | None = None
    error: str | None = None
    next_try: str | None = None


class JournalRow(Doc):
    """An event of the timeline: thesis's own (``source`` "thesis") or an alert another tool sent in."""

    id: str
    idea: str
    symbol: str | None
    kind: str
    session: str
    price: Number
    r: Number
    text: str
    revision: int | None
    file: str | None
    recorded: str | None
    history: bool = Field(description="journaled as history on a first look, never alerted")
    deliveries: dict[str, DeliveryState]
    source: str


class JournalDocument(Printed):
    """``thesis journal --json``: the timeline, sorted by session and time recorded."""

    schema_: Literal["thesis.journal/1"] = Field(default=JOURNAL_SCHEMA, alias="schema")
    journal: str
    events: list[JournalRow]

    def to_json(self) -> str:
        """The document with an event per line: a long timeline reads line by line, and pydantic
        writes each line (an indented document of 10,000 alerts takes json's pure-Python encoder
        most of the command's time)."""
        head = json.dumps({"schema": self.schema_, "journal": self.journal})[:-1] + ', "events": ['
        if not self.events:
            return head + "]}"
        return head + "\n  " + ",\n  ".join(row.model_dump_json() for row in self.events) + "\n]}"


# ------------------------------------------------------------------ builders
def ideas_document(res: PassResult) -> IdeasDocument:
    """The board of a pass (``thesis ideas --json``)."""
    from thesis.watch.run import board, not_yet_published

    return IdeasDocument.model_validate({"session": res.session.date().isoformat(), "ideas": board(res),
                                         "not_yet_published": not_yet_published(res),
                                         "errors": res.bad_input + res.failures})


def watch_document(res: PassResult) -> WatchDocument:
    """A pass (``thesis watch --json``)."""
    from thesis.watch.run import board, not_yet_published

    return WatchDocument.model_validate({
        "session": res.session.date().isoformat(), "ideas": board(res), "not_yet_published": not_yet_published(res),
        "new_events": res.new_events, "deliveries": res.deliveries, "outbox": res.outbox,
        "messages": res.messages, "errors": res.bad_input + res.failures})


def schemas() -> dict[str, dict[str, Any]]:
    """The JSON schema of each document, by file name under docs/schema/ (``make schema``). The
    validation schema: the keys a document may leave out are the fields with a default."""
    return {f"{name}.json": json_schema(model, name, version, mode="validation") for name, model, version in
            (("ideas", IdeasDocument, IDEAS_SCHEMA), ("watch", WatchDocument, WATCH_SCHEMA),
             ("journal", JournalDocument, JOURNAL_SCHEMA))}


__all__ = ["IdeasDocument", "WatchDocument", "JournalDocument", "BoardRow", "JournalRow", "DeliveryState",
           "EventRecordDoc", "DeliveryRecordDoc", "ideas_document", "watch_document", "schemas",
           "IDEAS_SCHEMA", "WATCH_SCHEMA", "JOURNAL_SCHEMA"]
