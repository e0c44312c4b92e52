"""The replay and evaluate documents are typed models (thesis.replay.document): the committed JSON
schemas (docs/schema) are the ones the models generate, and real documents of the examples validate
against them; a key version 2 removed, or a missing one, fails."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from thesis.evaluate import evaluate_document
from thesis.replay.document import EvaluateDocument, ReplayDocument, schemas
from thesis.replay.run import replay

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"          # short, option leg, notes, confirmations
SCALE_OUT = ROOT / "examples" / "authors" / "01-spy-christmas-low-long.toml"   # exits in legs
BTC = ROOT / "examples" / "markets" / "btc-68k-rejection-short.toml"      # fractional units


def _committed(name: str) -> dict:
    return json.loads((ROOT / "docs" / "schema" / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed():
    res = replay(SEED)
    return res, res.document()


@pytest.fixture(scope="module")
def typed_documents(seed):
    """(kind, typed document) of real runs covering the optional parts of both schemas."""
    res, typed = seed
    return [("replay", typed),
            ("replay", replay(SCALE_OUT, with_options=False).document()),
            ("evaluate", evaluate_document(SEED, asof="2023-06-14", account=100_000)),
            ("evaluate", evaluate_document(SEED, asof="2023-06-05")),
            ("evaluate", evaluate_document(BTC, account=10_000)),
            ("replay", replay(SEED, account=25_000, with_confirmations=False, with_options=False).document())]


@pytest.fixture(scope="module")
def documents(typed_documents):
    return [(kind, doc.to_dict()) for kind, doc in typed_documents]


def test_committed_schemas_are_the_generated_ones():
    from tools.write_schemas import render

    for name, schema in schemas().items():
        text = (ROOT / "docs" / "schema" / name).read_text(encoding="utf-8")
        assert text == render(schema), f"docs/schema/{name} is stale: run `make schema`"


def test_real_documents_validate_against_the_committed_schemas(documents):
    validators = {kind: jsonschema.Draft202012Validator(_committed(f"{kind}.json")) for kind in ("replay", "evaluate")}
    for kind, doc in documents:
        errors = [e.message for e in validators[kind].iter_errors(json.loads(json.dumps(doc)))]
        assert not errors, (kind, doc["idea"]["title"], errors[:3])
    # the documents reach the optional parts the schemas describe
    replay_seed, replay_legs, ev_sized, ev_early, ev_btc, replay_money = (d for _, d in documents)
    assert replay_seed["options"]["path"] and replay_seed["notes"][0]["confirmations"]
    assert any("average_price" in t["exit"] for t in replay_legs["trades"])
    assert {"shares", "contracts"} <= set(ev_sized["arithmetic"]["sizing"])
    assert ev_early["state"]["filled"] is False and ev_early["levels"]["measured_from"] == "planned entry"
    assert isinstance(ev_btc["arithmetic"]["sizing"]["position"]["units"], float)
    assert "money" not in replay_seed["trades"][0] and replay_money["trades"][0]["money"]


def test_the_schemas_refuse_removed_missing_and_misnamed_keys(documents):
    validator = jsonschema.Draft202012Validator(_committed("evaluate.json"))
    doc = json.loads(json.dumps(documents[2][1]))
    for change in (lambda d: d["state"].__setitem__("open_r", 0.5),          # a version-1 key
                   lambda d: d.pop("trades"),
                   lambda d: d.__setitem__("schema", "thesis.evaluate/1"),
                   lambda d: d["levels"]["stop"].__setitem__("moved", "no")):
        bad = copy.deepcopy(doc)
        change(bad)
        assert list(validator.iter_errors(bad)), change


def test_the_typed_document_is_the_json_document(seed, typed_documents):
    res, typed = seed
    doc = res.to_dict()
    assert json.dumps(ReplayDocument.model_validate(doc).to_dict()) == json.dumps(doc)     # key order kept
    assert typed.schema_ == doc["schema"] == "thesis.replay/2"
    # the short limit at 188 (stop 212: 1 R = 24) left at the time exit, 193.33: -5.33 / 24 R
    limit = typed.trades[0]
    assert limit.variant == "limit" and limit.entry.price == 188.0 and limit.exit.price == 193.33
    assert limit.pnl.r == pytest.approx(-(193.33 - 188.0) / 24.0)
    ev = typed_documents[2][1]
    assert isinstance(ev, EvaluateDocument) and ev.asof == "2023-06-14" and ev.state.filled
    assert ev.state.entry == 188.0 and ev.levels.stop.r_from_entry == -1.0 and ev.to_dict()["state"]["entry"] == 188.0


def test_every_top_level_key_docs_json_md_names_is_in_the_schema():
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    table = text.split("`thesis replay --json`", 1)[1].split("`thesis evaluate --json`", 1)[0]
    named = {line.split("`")[1].split(".")[0].rstrip("[]") for line in table.splitlines() if line.startswith("| `")}
    assert named and named <= set(_committed("replay.json")["properties"]), named
