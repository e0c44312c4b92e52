"""The base of every typed JSON document thesis prints (the replay and evaluate documents in
thesis.replay.document, the board, watch pass and journal documents in thesis.watch.document) and
the JSON schema written for each under docs/schema (``make schema``).

The bottom layer, beside thesis.jsonable: it imports pydantic only, so a command that prints one
small document (``thesis journal --json``) never loads the replay's models.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer


def absent(value: object) -> bool:
    """For ``Field(exclude_if=absent)``: a key left out of the document when it has no value."""
    return value is None


class Doc(BaseModel):
    """A part of a document: its keys are exactly its fields, in order."""

    # defer_build (inherited by every document's models): a model's validator is built on its first
    # use, so a replay does not build the evaluate document's (nor evaluate the replay's), and
    # `thesis journal --json` builds the journal's alone; measured 0.05-0.15 s of a one-idea command
    model_config = ConfigDict(extra="forbid", defer_build=True)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document: plain types, NaN and infinities as null (thesis.jsonable)."""
        return self.model_dump(mode="json")


class AsGiven(Doc):
    """A part whose optional keys appear as its writer gave them: a key given as null stays null, a
    key not given stays out (a journal record carries what its writer knew and no more). Its JSON
    schema is the validation one: the required keys are the fields without a default."""

    @model_serializer(mode="wrap")
    def _as_given(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        out: dict[str, Any] = handler(self)
        given = self.model_fields_set
        return {k: v for k, v in out.items() if k in given}


def json_schema(model: type[BaseModel], name: str, version: str, mode: str = "serialization") -> dict[str, Any]:
    """The JSON schema file of a document model: ``$schema``, an ``$id`` naming the document's
    version (``thesis.replay/2`` -> ``.../replay/v2.json``), then pydantic's schema, with ``schema``
    (the version key, written though it has a default) required."""
    body = model.model_json_schema(by_alias=True, mode="serialization" if mode == "serialization" else "validation")
    body["required"] = ["schema", *(k for k in body["required"] if k != "schema")]
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://thesis.invalid/schema/{name}/v{version.rsplit('/', 1)[1]}.json"}
    return {**head, **body}


__all__ = ["Doc", "AsGiven", "absent", "json_schema"]
