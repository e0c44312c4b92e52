"""Typed journal records: every kind written through its type with a schema version, and a journal
written before versions were stamped (tests/watch/data/journal-v0.jsonl, written by the thesis of
that time: 3 ideas, a failed webhook, a broken and a removed idea file, a TradingView alert) still
reads, answers the same queries from its index, and is continued by a new pass."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from thesis.errors import StoreError
from thesis.watch.alerts import load_config
from thesis.watch.journal import Journal, delivery_view, query, read_records
from thesis.watch.records import KINDS, VERSION, EventRecord, RecordError, parse
from thesis.watch.run import watch_pass

from tests.watch.conftest import PLANS, idea_text, write_ideas

OLD = Path(__file__).parent / "data" / "journal-v0.jsonl"
WEBHOOK = '[[channels]]\nkind = "webhook"\nurl = "http://127.0.0.1:9/hook"\nevents = ["filled", "stopped"]\n'


def old_lines() -> list[dict]:
    return [json.loads(line) for line in OLD.read_text().splitlines()]


@pytest.fixture
def old_journal(tmp_path) -> tuple[Path, Journal]:
    """The old journal over the idea files it was written for (idea-01 broken, idea-02 removed)."""
    ideas = tmp_path / "ideas"
    write_ideas(ideas, 3)
    (ideas / "idea-01.toml").write_text((ideas / "idea-01.toml").read_text()[:150])
    (ideas / "idea-02.toml").unlink()
    jr = Journal(tmp_path / "watch")
    jr.folder.mkdir()
    jr.path.write_text(OLD.read_text().replace("{IDEAS}", str(ideas)))
    return ideas, jr


def test_the_old_journal_has_every_kind_and_no_version():
    lines = old_lines()
    assert {r["t"] for r in lines} == set(KINDS)
    assert not any("v" in r for r in lines)


def test_every_old_line_is_its_type_and_writes_back_the_same():
    """The types cover every field the old writers wrote; a line rewritten through its type differs
    only by the version (and by optional fields the old writer set to null)."""
    for line in old_lines():
        rec = parse(line)
        assert type(rec) is KINDS[line["t"]] and rec.v == VERSION
        kept = {k: v for k, v in line.items() if v is not None or k in rec.ALWAYS}
        assert rec.to_dict() == {**kept, "v": VERSION}


def test_an_old_journal_reads_and_a_new_pass_adds_nothing(old_journal):
    ideas, jr = old_journal
    before = jr.path.read_bytes()
    records = list(read_records(jr.path))
    assert len(records) == len(old_lines()) and all(type(r) is KINDS[r.t] and r.v == VERSION for r in records)
    events, dmap, _ = query(jr, use_index=False)
    assert [e.id for e in events] == [r["id"] for r in old_lines() if r["t"] == "event"] + \
        [r["id"] for r in old_lines() if r["t"] == "external"]
    assert [d["status"] for d in dmap.values()] == ["failed"]
    # the same bars again: every event id, idea fingerprint, skipped hash and removal is recognised
    res = watch_pass([ideas], asof="2023-01-04", config=load_config(_config(ideas)), journal=jr,
                     deliver=False, snapshots=False)
    assert res.new_events == [] and jr.path.read_bytes() == before


def test_a_journal_continued_by_a_new_version_answers_alike_from_its_index(old_journal):
    ideas, jr = old_journal
    (ideas / "idea-03.toml").write_text(idea_text(3, *PLANS[3]))          # a new idea: its first look
    res = watch_pass([ideas], asof="2023-01-05", journal=jr, deliver=False, snapshots=False)
    assert {e["idea"] for e in res.new_events} == {"idea-03"}
    lines = [json.loads(x) for x in jr.path.read_text().splitlines()]
    assert not any("v" in r for r in lines[:len(old_lines())])
    assert all(r["v"] == VERSION for r in lines[len(old_lines()):])
    for idea in (None, "idea-00"):
        scanned = query(jr, idea, use_index=False)
        indexed = query(jr, idea, use_index=True)
        assert scanned[0] == indexed[0]
        assert [delivery_view(e, scanned[1]) for e in scanned[0]] == [delivery_view(e, indexed[1]) for e in indexed[0]]


def test_a_newer_version_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "journal.jsonl"
    path.write_text(OLD.read_text().splitlines()[0] + "\n" + '{"t":"gone","v":%d,"idea":"x","file":"x.toml"}\n'
                    % (VERSION + 1))
    with pytest.raises(StoreError, match=rf"line 2: .*version {VERSION + 1}"):
        list(read_records(path))


def test_append_refuses_a_record_that_does_not_fit(tmp_path):
    jr = Journal(tmp_path)
    good = EventRecord(id="e1", idea="a", kind="filled", session="2024-01-02", outbox=["log"])
    with jr.lock(1):
        with pytest.raises(RecordError, match="'sesion'"):
            jr.append([{"t": "event", "id": "e2", "idea": "a", "kind": "filled", "sesion": "2024-01-02"}])
        with pytest.raises(RecordError, match="needs 'channel'"):
            jr.append([{"t": "delivery", "event": "e1", "status": "sent"}])
        assert jr.append([good, good]) == 1                  # written once per id
    (line,) = jr.path.read_text().splitlines()
    assert json.loads(line) == {"t": "event", "v": VERSION, "id": "e1", "idea": "a", "kind": "filled",
                                "session": "2024-01-02", "price": None, "r": None, "text": "", "key": "",
                                "revision": 0, "file": None, "recorded": None, "outbox": ["log"]}


def _config(ideas: Path) -> Path:
    path = ideas.parent / "alerts.toml"
    path.write_text(WEBHOOK)
    return path


def test_every_reader_gets_the_typed_records(old_journal):
    """The scan, the index, the last events and deliveries and the outbox all read records as their types."""
    from thesis.watch import journal_index
    from thesis.watch.alerts import pending
    from thesis.watch.journal import last_deliveries, last_events
    from thesis.watch.records import DeliveryRecord, ExternalRecord

    _, jr = old_journal
    assert {type(r) for r in jr.records()} == set(KINDS.values())
    for use_index in (False, True):
        events, _, _ = query(Journal(jr.folder), use_index=use_index)
        assert {type(e) for e in events} == {EventRecord, ExternalRecord}
        assert all(type(e) is EventRecord for e in last_events(Journal(jr.folder), use_index=use_index).values())
        assert [type(d) for d in last_deliveries(Journal(jr.folder), use_index=use_index)] == [DeliveryRecord]
    with journal_index.JournalIndex(jr.path) as ix:
        assert all(type(e) is EventRecord for e in ix.pending_events())
    assert pending(jr) and {type(p["event"]) for p in pending(jr)} == {EventRecord}


GOOD = '{"t":"gone","v":1,"idea":"x","file":"x.toml"}'
BAD = [('{"t":"event","id":"e","idea":"x","kind":"filled"}', "needs 'session'"),
       ('{"t":"event","id":"e","idea":"x","kind":"filled","session":"2024-01-02","sesion":"x"}', "no field 'sesion'"),
       ('{"t":"alert","id":"e"}', "unknown kind 'alert'"),
       ('{"t":"event","id":"e","idea":"x","kind":"filled","session":20240102}', "'session' is 20240102, not a string"),
       ('{"t":"event","id":"e","idea":"x","kind":"filled","session":"2024-01-02","outbox":"desk"}', "'outbox' is 'desk'"),
       ('["t","event"]', "a JSON object, not list"),
       ('{"t":"event","id":"e","idea":"x","kind":"filled","session":"2024-01-02","v":2}', "version 2")]


@pytest.mark.parametrize("line, why", BAD)
def test_a_record_that_does_not_fit_is_refused_naming_the_file_and_line(tmp_path, line, why):
    """Never read as something else, never skipped: the scan refuses it, and so does the index when a
    query reads it back (the index parses only the records a query returns)."""
    from thesis.watch import journal_index

    jr = Journal(tmp_path)
    text = f"{GOOD}\n{GOOD}\n{line}\n{GOOD}\n"
    jr.path.write_text(text)
    with pytest.raises(StoreError, match=rf"{jr.path}, line 3: .*{why}"):
        jr.records()
    if '"t":"event"' in line and line.startswith("{"):        # an event the index holds
        with journal_index.JournalIndex(jr.path) as ix, pytest.raises(StoreError, match=rf"line 3: .*{why}"):
            ix.events()
        with pytest.raises(StoreError, match=rf"line 3: .*{why}"):
            query(Journal(tmp_path), use_index=True)
    assert jr.path.read_text() == text                           # nothing rewritten, nothing lost
