"""Replay an idea against what the market really did (fill rules: docs/fills.md)."""
from thesis.replay.run import REPLAY_SCHEMA, ReplayResult, replay

__all__ = ["replay", "ReplayResult", "REPLAY_SCHEMA"]
