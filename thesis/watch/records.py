"""The journal's record types: one dataclass per kind, each line stamped with a schema version ``v``.

    journal.append([EventRecord(id=..., idea=..., kind="filled", session="2023-06-14", ...)])
    for rec in journal.records():          # typed records: EventRecord, DeliveryRecord, ...
        if isinstance(rec, EventRecord): ...

A record is written as one JSON object: ``t`` (the kind), ``v`` (the schema version), then its
fields. The fields in ``ALWAYS`` are written even when None; the others only when set, so a record
carries what its writer knew and no more (the shapes the journal had before versions were stamped).

Reading: the JSON-lines file stays the authority; every reader (the views in thesis.watch.journal,
the DuckDB index, the CLI, the board, alerts) gets typed records, parsed in one place: ``parse``
(thesis.watch.journal.read_records and the index name the file and line of a record that does not
fit). ``parse`` brings a line of an older version to the current one as it is read: version 0 is a
line without ``v`` (journals written before versions were stamped), with the same fields as
version 1. A line of a newer version than this thesis knows, of an unknown kind, without a field
its kind needs, with a field its kind does not have or with a required field of the wrong type is
refused with a clear error rather than misread; ``to_dict`` writes a parsed record back as it was
read (plus ``v``).
"""
from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from thesis.errors import StoreError

#: The schema version written into every new record.
VERSION = 1
R = TypeVar("R", bound="Record")


class RecordError(ValueError):
    """A journal record that does not match its type (a missing or unknown field, a newer version)."""


@dataclass(kw_only=True)
class Record:
    t: ClassVar[str]
    #: Fields written even when None (the rest are left out when None).
    ALWAYS: ClassVar[tuple[str, ...]] = ()
    v: int = VERSION

    def to_dict(self) -> dict[str, Any]:
        always = self.ALWAYS      # the instance's __dict__ holds the fields in order, ``v`` first
        return {"t": self.t, **{k: x for k, x in self.__dict__.items() if x is not None or k in always}}


@dataclass(kw_only=True)
class EventRecord(Record):
    """An event of an idea (an engine Event, a note, a revision, stale data) and its outbox: the
    channels it must be delivered to. Written once per id."""

    t: ClassVar[str] = "event"
    ALWAYS: ClassVar[tuple[str, ...]] = ("id", "idea", "kind", "session", "price", "r", "text", "key",
                                         "revision", "file", "recorded", "outbox")
    id: str
    idea: str
    kind: str
    session: str
    price: float | None = None
    r: float | None = None
    text: str = ""
    key: str = ""
    revision: int = 0
    file: str | None = None
    recorded: str | None = None
    outbox: list[str] = field(default_factory=list)
    levels: dict | None = None          # the levels then: entry zone, entry, stop, targets, stop in force
    symbol: str | None = None
    state: str | None = None            # the lifecycle's state after the event's session
    position: dict | None = None        # entry, filled, size and R then
    distance_r: float | None = None     # the event's price in R from the entry
    backfill: bool | None = None        # True: history journaled on a first look, never alerted
    snapshot: str | None = None         # the chart PNG of a note or an alert


@dataclass(kw_only=True)
class DeliveryRecord(Record):
    """One attempt to deliver an event on one channel: sent, failed (with the error and the next
    try) or skipped."""

    t: ClassVar[str] = "delivery"
    ALWAYS: ClassVar[tuple[str, ...]] = ("event", "channel", "status")
    event: str
    channel: str
    status: str
    at: str | None = None
    error: str | None = None
    attempt: int | None = None
    next_try: str | None = None
    snapshot: str | None = None


@dataclass(kw_only=True)
class IdeaRecord(Record):
    """The levels and state last seen for an idea file (a change of levels is a revision)."""

    t: ClassVar[str] = "idea"
    ALWAYS: ClassVar[tuple[str, ...]] = ("idea", "file", "fingerprint", "levels_fp", "revision", "state",
                                         "reason", "session", "at")
    idea: str
    file: str
    fingerprint: str
    levels_fp: dict
    revision: int = 0
    state: str | None = None
    reason: str | None = None
    session: str | None = None
    at: str | None = None
    direction: str | None = None
    realized_r: float | None = None
    position: float | None = None       # the open size then (filled ideas)
    settled: bool | None = None
    evaluated: bool | None = None       # False: the first look under these levels is still to come


@dataclass(kw_only=True)
class GoneRecord(Record):
    """An idea file disappeared (reported once)."""

    t: ClassVar[str] = "gone"
    ALWAYS: ClassVar[tuple[str, ...]] = ("idea", "file", "at")
    idea: str
    file: str
    at: str | None = None


@dataclass(kw_only=True)
class SkippedRecord(Record):
    """An idea file failed to parse (journaled once per version of the file: ``hash``)."""

    t: ClassVar[str] = "skipped"
    ALWAYS: ClassVar[tuple[str, ...]] = ("idea", "file", "hash", "error", "at")
    idea: str
    file: str
    hash: str
    error: str
    at: str | None = None


@dataclass(kw_only=True)
class ExternalRecord(Record):
    """An alert another tool sent in (TradingView's webhooks through ``thesis serve``). Written once per id."""

    t: ClassVar[str] = "external"
    ALWAYS: ClassVar[tuple[str, ...]] = ("id", "source", "idea", "kind", "key", "session", "time", "price",
                                         "symbol", "recorded")
    id: str
    source: str
    idea: str
    kind: str
    session: str
    key: str | None = None
    time: str | None = None
    price: float | None = None
    symbol: str | None = None
    recorded: str | None = None


KINDS: dict[str, type[Record]] = {cls.t: cls for cls in (EventRecord, DeliveryRecord, IdeaRecord, GoneRecord,
                                                         SkippedRecord, ExternalRecord)}


_UNSET: Any = object()


class _Shape:
    """What ``parse`` checks a kind against, computed once: every field (in order, with its default),
    the fields a record needs, and the JSON type each needed field must have."""

    def __init__(self, cls: type[Record]):
        own = fields(cls)
        if any(f.default_factory not in (MISSING, list) for f in own):
            raise TypeError(f"{cls.__name__}: parse builds only list defaults")
        self.cls = cls
        self.template = {f.name: _UNSET if f.default is MISSING else f.default for f in own}
        self.lists = [f.name for f in own if f.default_factory is list]
        self.allowed = frozenset(self.template) | {"t"}
        self.required = frozenset(f.name for f in own if f.default is MISSING and f.default_factory is MISSING)
        self.types = [(f.name, dict if f.type == "dict" else str) for f in own if f.name in self.required]


_SHAPES = {t: _Shape(cls) for t, cls in KINDS.items()}


def upgrade(rec: dict[str, Any]) -> dict[str, Any]:
    """``rec`` (a line as read) in the current version, in place. Raises RecordError for a newer version."""
    v = rec.get("v", 0)
    if v == VERSION:
        return rec
    if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > VERSION:
        raise RecordError(f"a journal record of version {v!r}; this thesis reads versions up to {VERSION} "
                          f"(upgrade thesis to read it)")
    rec["v"] = VERSION          # version 0 (no "v"): the fields of version 1
    return rec


def parse(rec: dict[str, Any]) -> Record:
    """The typed record of a dict (as read or as written); RecordError names what does not fit.

    Built without the dataclass's ``__init__`` (a journal holds millions of lines): the values go
    over the kind's defaults in field order, after the checks ``__init__`` would make and the
    required fields' types."""
    if type(rec) is not dict:
        raise RecordError(f"a journal record is a JSON object, not {type(rec).__name__}")
    kind = rec.get("t")
    shape = _SHAPES.get(kind) if isinstance(kind, str) else None
    if shape is None:
        raise RecordError(f"a journal record of unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    if not (rec.keys() <= shape.allowed and shape.required <= rec.keys()):
        unknown = rec.keys() - shape.allowed
        if unknown:
            raise RecordError(f"a journal {kind!r} record has no field {', '.join(map(repr, sorted(unknown)))}")
        raise RecordError(f"a journal {kind!r} record needs {', '.join(map(repr, sorted(shape.required - rec.keys())))}")
    for name, want in shape.types:
        if type(rec[name]) is not want:
            raise RecordError(f"a journal {kind!r} record's {name!r} is {rec[name]!r}, not a "
                              f"{'JSON object' if want is dict else 'string'}")
    values = dict(shape.template)
    values.update(rec)
    del values["t"]
    if values["v"] != VERSION:
        values["v"] = upgrade({"v": values["v"]})["v"]
    for name in shape.lists:                # fields with a default_factory: lists (an outbox)
        got = values[name]
        if got is _UNSET:
            values[name] = []
        elif type(got) is not list:
            raise RecordError(f"a journal {kind!r} record's {name!r} is {got!r}, not a list")
    out = object.__new__(shape.cls)
    out.__dict__.update(values)
    return out


def parse_as(kind: type[R], rec: dict[str, Any]) -> R:
    """``parse(rec)``, which must be a record of type ``kind`` (RecordError names the kind it is)."""
    out = parse(rec)
    if not isinstance(out, kind):
        raise RecordError(f"a journal {out.t!r} record where an {kind.t!r} record belongs")
    return out


def record_at(path: Path, line: bytes, offset: int) -> Record:
    """The typed record of ``line``, the line at byte ``offset`` of the journal ``path`` (what the
    index reads back); one that does not fit is a StoreError naming the file and the line number."""
    try:
        return parse(json.loads(line))
    except (json.JSONDecodeError, RecordError) as exc:
        with open(path, "rb") as fh:
            number = fh.read(offset).count(b"\n") + 1
        why = "not a journal record (the file was edited by hand?)" if isinstance(exc, json.JSONDecodeError) else exc
        raise StoreError(f"{path}, line {number}: {why}") from None


def as_record(rec: Record | dict[str, Any]) -> Record:
    return rec if isinstance(rec, Record) else parse(rec)


__all__ = ["VERSION", "Record", "EventRecord", "DeliveryRecord", "IdeaRecord", "GoneRecord", "SkippedRecord",
           "ExternalRecord", "KINDS", "RecordError", "upgrade", "parse", "parse_as", "record_at", "as_record"]
