"""The journal's record types: one dataclass per kind, each line stamped with a schema version ``v``.

    journal.append([EventRecord(id=..., idea=..., kind="filled", session="2023-06-14", ...)])

A record is written as one JSON object: ``t`` (the kind), ``v`` (the schema version), then its
fields. The fields in ``ALWAYS`` are written even when None; the others only when set, so a record
carries what its writer knew and no more (the shapes the journal had before versions were stamped).

Reading: the JSON-lines file stays the authority and its readers (the views in thesis.watch.journal,
the DuckDB index, the CLI, the board) read the JSON form, a dict. ``upgrade`` brings a line of an
older version to the current one as it is read: version 0 is a line without ``v`` (journals written
before versions were stamped), with the same fields as version 1. A line of a newer version than
this thesis knows is refused with a clear error rather than misread. ``parse`` gives the typed
record of a dict (a field no record of its kind has is an error naming it).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

#: The schema version written into every new record.
VERSION = 1


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
_FIELDS = {t: frozenset(f.name for f in fields(cls)) | {"t"} for t, cls in KINDS.items()}
_REQUIRED = {t: frozenset(f.name for f in fields(cls) if f.default is f.default_factory)  # both MISSING
             for t, cls in KINDS.items()}


def upgrade(rec: dict) -> dict:
    """``rec`` (a line as read) in the current version, in place. Raises RecordError for a newer version."""
    v = rec.get("v", 0)
    if v == VERSION:
        return rec
    if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > VERSION:
        raise RecordError(f"a journal record of version {v!r}; this thesis reads versions up to {VERSION} "
                          f"(upgrade thesis to read it)")
    rec["v"] = VERSION          # version 0 (no "v"): the fields of version 1
    return rec


def parse(rec: dict) -> Record:
    """The typed record of a dict (as read or as written); RecordError names what does not fit."""
    kind = rec.get("t")
    cls = KINDS.get(kind) if isinstance(kind, str) else None
    if cls is None or not isinstance(kind, str):
        raise RecordError(f"a journal record of unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
    values = dict(rec)
    del values["t"]
    if values.get("v", 0) != VERSION:
        values["v"] = upgrade({"v": values.get("v", 0)})["v"]
    try:
        return cls(**values)
    except TypeError:     # a field its kind does not have, or one it needs: say which
        keys = rec.keys()
        unknown = sorted(keys - _FIELDS[kind])
        if unknown:
            raise RecordError(f"a journal {kind!r} record has no field {', '.join(map(repr, unknown))}") from None
        missing = sorted(_REQUIRED[kind] - keys)
        raise RecordError(f"a journal {kind!r} record needs {', '.join(map(repr, missing))}") from None


def as_record(rec: Record | dict) -> Record:
    return rec if isinstance(rec, Record) else parse(rec)


__all__ = ["VERSION", "Record", "EventRecord", "DeliveryRecord", "IdeaRecord", "GoneRecord", "SkippedRecord",
           "ExternalRecord", "KINDS", "RecordError", "upgrade", "parse", "as_record"]
