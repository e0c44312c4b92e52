"""The JSON documents' versions follow their keys (docs/json.md, "Version history"): version 2 named
each R after issue 20, so no version-1 key may come back under version 2."""
from pathlib import Path

import thesis
from thesis.evaluate import EVALUATE_SCHEMA
from thesis.replay.run import REPLAY_SCHEMA, replay_document

SEED = Path(__file__).resolve().parents[2] / "examples" / "iwm-no-love-for-small-caps.toml"


def _keys(doc) -> set:
    found = set()
    if isinstance(doc, dict):
        for k, v in doc.items():
            found.add(k)
            found |= _keys(v)
    elif isinstance(doc, list):
        for v in doc:
            found |= _keys(v)
    return found


def test_evaluate_is_version_2_with_named_rs():
    doc = thesis.evaluate(SEED, asof="2023-07-03")
    assert EVALUATE_SCHEMA == "thesis.evaluate/2" and doc["schema"] == EVALUATE_SCHEMA
    keys = _keys(doc)
    assert {"position_r", "open_part_r", "realized_r"} <= keys
    assert not {"open_r", "open_pnl"} & keys


def test_replay_is_version_2_with_named_rs():
    doc = replay_document(thesis.replay(SEED, with_confirmations=False, with_options=False))
    assert REPLAY_SCHEMA == "thesis.replay/2" and doc["schema"] == REPLAY_SCHEMA
    keys = _keys(doc)
    assert "position_r" in keys and "open_r" not in keys
