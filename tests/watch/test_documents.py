"""The board, watch pass and journal documents are typed models (thesis.watch.document): the committed
JSON schemas (docs/schema/{ideas,watch,journal}.json) are the ones the models generate, and what
`thesis ideas --json`, `thesis watch --json`, `thesis journal --json` and the web's /api/ideas print
validates against them, with every optional part reached (an idea file that does not parse, an idea
published after the board's session, a failed channel, a pending alert, an alert another tool sent)."""
from __future__ import annotations

import copy
import json
import shutil
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.watch.document import DeliveryRecordDoc, EventRecordDoc, schemas
from thesis.watch.journal import Journal
from thesis.watch.records import DeliveryRecord, EventRecord, ExternalRecord

ROOT = Path(__file__).resolve().parents[2]
ASOF = "2023-06-14"       # the seed is in trade; the long example is published later (2023-10-27)
DEAD = 'snapshots = false\n[[channels]]\nkind = "webhook"\nname = "desk"\nurl = "http://127.0.0.1:9/hook"\ntimeout = 0.5\n'


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((ROOT / "docs" / "schema" / name).read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The examples, and an idea file that does not parse (its row keeps no state: "error")."""
    out = tmp_path_factory.mktemp("ideas")
    for p in (ROOT / "examples").glob("*.toml"):
        shutil.copy(p, out / p.name)
    (out / "broken.toml").write_text((ROOT / "examples" / "iwm-no-love-for-small-caps.toml").read_text()[:300])
    return out


@pytest.fixture(scope="module")
def printed(folder, tmp_path_factory) -> dict[str, list[dict]]:
    """Schema name -> the documents the commands print, all in one private home: a pass whose channel
    fails, the board, the journal (whole, pending, one idea) with an alert another tool sent."""
    home = tmp_path_factory.mktemp("home")
    alerts = home / "alerts.toml"
    alerts.write_text(DEAD)
    runner = CliRunner()

    def run(*args) -> tuple[int, dict]:
        res = runner.invoke(app, [str(a) for a in args], env={"THESIS_HOME": str(home), "COLUMNS": "80"})
        return res.exit_code, json.loads(res.stdout)

    code, watch = run("watch", folder, "--once", "--asof", ASOF, "--alerts", alerts, "--json")
    assert code == 2            # the broken file: bad input (the failed channel alone would be 1)
    with Journal(home / "watch").lock(5) as jr:
        jr.append([ExternalRecord(id="tv-1", source="tradingview", idea="iwm-no-love-for-small-caps",
                                  kind="crossing", session=ASOF, key="close", time="2023-06-14T20:00:00Z",
                                  price=185.5, symbol="IWM", recorded="2023-06-14T20:00:05+00:00")])
    journals = [run("journal", "--json")[1], run("journal", "--pending", "--json")[1],
                run("journal", "iwm-no-love-for-small-caps", "--since", "2023-06-01", "--json")[1]]
    boards = [run("ideas", folder, "--asof", asof, "--json")[1] for asof in (ASOF, "2023-12-29")]
    return {"watch.json": [watch], "journal.json": journals, "ideas.json": boards}


def test_committed_schemas_are_the_generated_ones():
    from tools.write_schemas import render

    for name, schema in schemas().items():
        text = (ROOT / "docs" / "schema" / name).read_text(encoding="utf-8")
        assert text == render(schema), f"docs/schema/{name} is stale: run `make schema`"


def test_printed_documents_validate_and_reach_the_optional_parts(printed):
    for name, docs in printed.items():
        validator = _validator(name)
        for doc in docs:
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]
            assert not errors, (name, errors[:3])
    [watch] = printed["watch.json"]
    whole, pending, one = printed["journal.json"]
    early, late = printed["ideas.json"]
    rows = {r["id"]: r for r in watch["ideas"]}
    assert rows["broken"]["state"] == "error" and rows["broken"]["error"]
    assert rows["iwm-no-love-for-small-caps"]["stop"]["r"] > 0 and rows["iwm-no-love-for-small-caps"]["last_event"]
    assert watch["not_yet_published"] == early["not_yet_published"] == [{"id": "iwm-oversold-bounce-long",
                                                                       "published": "2023-10-27"}]
    assert [d["status"] for d in watch["deliveries"]].count("failed") == 1 and watch["outbox"]["failed"]
    assert watch["new_events"] and all(e["t"] == "event" and e["v"] == 1 for e in watch["new_events"])
    assert late["not_yet_published"] == [] and len(late["ideas"]) == 3
    states = {d["status"] for e in pending["events"] for d in e["deliveries"].values()}
    assert states == {"failed", "pending"} and all(e["source"] == "thesis" for e in pending["events"])
    assert [e["source"] for e in whole["events"]].count("tradingview") == 1
    assert one["events"] and {e["idea"] for e in one["events"]} == {"iwm-no-love-for-small-caps"}


def test_the_printed_journal_keeps_each_delivery_key_as_given(printed):
    """A delivery view prints the keys its status has (pending: no ``at``; failed: the next try even
    when null): the models add no null key and drop none."""
    whole = printed["journal.json"][0]
    views = [d for e in whole["events"] for d in e["deliveries"].values()]
    assert {tuple(sorted(d)) for d in views if d["status"] == "failed"} == {("at", "attempts", "error", "next_try",
                                                                             "status")}
    assert {tuple(sorted(d)) for d in views if d["status"] == "pending"} == {("attempts", "next_try", "status")}


def test_the_web_board_is_the_ideas_document(folder, printed):
    from tests.web.conftest import make_client

    client = make_client(folder)
    got = client.get(f"/api/ideas?asof={ASOF}&limit=2").json()
    assert not list(_validator("ideas.json").iter_errors(got))
    assert (got.pop("total"), got.pop("offset"), got.pop("limit")) == (2, 0, 2)
    assert got == printed["ideas.json"][0]
    late = client.get("/api/ideas?asof=2023-12-29&limit=2&sort=position_r&dir=desc").json()
    assert not list(_validator("ideas.json").iter_errors(late))
    assert (late["sort"], late["dir"], late["total"], len(late["ideas"])) == ("position_r", "desc", 3, 2)


def test_the_schemas_refuse_removed_misnamed_and_mistyped_keys(printed):
    validator = _validator("watch.json")
    doc = printed["watch.json"][0]
    for change in (lambda d: d["ideas"][0].pop("position_r"),
                   lambda d: d["ideas"][0].__setitem__("open_r", 0.5),        # a version-1 key
                   lambda d: d["ideas"][0].__setitem__("days_left", "soon"),
                   lambda d: d["new_events"][0].pop("outbox"),
                   lambda d: d["deliveries"][0].__setitem__("t", "event"),
                   lambda d: d.__setitem__("schema", "thesis.watch/1")):
        bad = copy.deepcopy(doc)
        change(bad)
        assert list(validator.iter_errors(bad)), "the schema let a broken document through"
    journal = copy.deepcopy(printed["journal.json"][1])
    next(iter(journal["events"][0]["deliveries"].values()))["status"] = "lost"
    assert list(_validator("journal.json").iter_errors(journal))


def test_the_record_models_have_every_field_of_the_records():
    for model, record in ((EventRecordDoc, EventRecord), (DeliveryRecordDoc, DeliveryRecord)):
        assert list(model.model_fields) == ["t", "v", *(f.name for f in fields(record) if f.name != "v")]
        required = {name for name, f in model.model_fields.items() if f.is_required()}
        assert required == {"t", "v", *record.ALWAYS}
