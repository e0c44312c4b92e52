"""Replay an idea against what the market really did (fill rules: docs/fills.md).

The names below load on first use (PEP 562): ``thesis/__init__`` registers this package lazily, and
a package body that imported its own modules would run them a second time when one of them is
imported first (``from thesis.replay.fills import Trade`` would then give two ``Trade`` classes).
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__all__ = ["replay", "ReplayResult", "REPLAY_SCHEMA", "ReplayDocument"]

_HOME = {"replay": "thesis.replay.run", "ReplayResult": "thesis.replay.run", "REPLAY_SCHEMA": "thesis.replay.document",
         "ReplayDocument": "thesis.replay.document"}


def __getattr__(name: str) -> object:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module 'thesis.replay' has no attribute {name!r}")


if TYPE_CHECKING:
    from thesis.replay.document import REPLAY_SCHEMA, ReplayDocument
    from thesis.replay.run import ReplayResult, replay
