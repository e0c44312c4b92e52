"""`thesis watch --dask`: a pass computed on a real local Dask cluster (a scheduler and two worker
processes on 127.0.0.1) journals exactly what the local pass journals, in the same order, and its
next pass adds only what is new. One cluster for the module."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.watch.conftest import write_ideas
from thesis.watch import distributed
from thesis.watch.alerts import Channel, Config
from thesis.watch.journal import Journal, read_records
from thesis.watch.distributed import watch_pass_dask
from thesis.watch.run import board, watch_pass

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [ROOT / "examples", ROOT / "examples" / "authors", ROOT / "examples" / "markets"]
DATES = ("2020-03-31", "2022-12-30", "2023-06-14", "2024-06-28")


@pytest.fixture(scope="module")
def module_home(tmp_path_factory) -> Path:
    """One store for the module's passes and its workers (never the user's): the bars are parsed
    into its cache once, not once per test."""
    return tmp_path_factory.mktemp("thesis-home")


@pytest.fixture(scope="module")
def cluster(module_home):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None, env={"THESIS_HOME": str(module_home)}) as c, Client(c) as client:
        yield c, client


@pytest.fixture(autouse=True)
def shared_home(module_home, monkeypatch):
    monkeypatch.setenv("THESIS_HOME", str(module_home))


def stamped(recs) -> list[dict]:
    """Records without the wall-clock stamps (the only fields two passes differ in)."""
    return [{k: v for k, v in r.items() if k not in ("recorded", "at")} for r in recs]


def records(journal: Journal) -> list[dict]:
    return stamped(r.to_dict() for r in read_records(journal.path))


def test_examples_journal_as_the_local_pass_at_several_dates(cluster, tmp_path):
    _, client = cluster
    local, remote = Journal(tmp_path / "local"), Journal(tmp_path / "dask")
    for day in DATES:
        before = len(records(remote))
        want = watch_pass(EXAMPLES, asof=day, journal=local, deliver=False)
        got = watch_pass_dask(EXAMPLES, client, asof=day, journal=remote, deliver=False)
        assert records(remote) == records(local), day
        assert board(got) == board(want), day
        assert [e["id"] for e in got.new_events] == [e["id"] for e in want.new_events]
        assert len(records(remote)) - before == len(got.new_events) + sum(
            r["t"] != "event" for r in records(remote)[before:])       # it appended what it reports, nothing else
    kinds = {r["kind"] for r in records(local) if r["t"] == "event"}
    assert {"filled", "stopped", "target_hit"} & kinds and len(kinds) >= 4      # a real history, not empty passes
    again = watch_pass_dask(EXAMPLES, client, asof=DATES[-1], journal=remote, deliver=False)
    assert again.new_events == [] and records(remote) == records(local)          # nothing new: nothing written


def test_next_pass_adds_only_what_is_new(cluster, tmp_path, monkeypatch):
    """Several ideas per symbol, a file that does not parse (its skipped record), a file removed
    (its gone record), alerts routed to a channel; many small partitions and the symbols read by the
    workers: the same journal as the local pass, pass after pass."""
    _, client = cluster
    monkeypatch.setattr(distributed, "SNIFF_LOCALLY", 0)
    monkeypatch.setattr(distributed, "PARTITION_IDEAS", 5)
    monkeypatch.setattr(distributed, "WRITE_RECORDS", 7)          # several writes, each of whole ideas
    folder = tmp_path / "ideas"
    files = write_ideas(folder, 24)
    (folder / "broken.toml").write_text("[idea]\nsymbol = \"SPY\"\ndirection = \n")
    config = Config([Channel("desk", "webhook", "https://example.invalid/hook", events=["filled", "stopped"])])
    local, remote = Journal(tmp_path / "local"), Journal(tmp_path / "dask")
    for day in ("2022-09-30", "2022-10-03", "2022-12-30"):
        if day == "2022-12-30":
            files[3].unlink()
        before = len(records(remote))
        want = watch_pass([folder], asof=day, journal=local, deliver=False, config=config)
        got = watch_pass_dask([folder], client, asof=day, journal=remote, deliver=False, config=config)
        assert records(remote) == records(local), day
        assert got.messages == want.messages and stamped(got.alerts) == stamped(want.alerts)
        assert sorted(got.bad_input) == sorted(want.bad_input)
        if day == "2022-10-03":      # the next session: only that session's events are new
            assert got.new_events and {e["session"] for e in got.new_events} == {"2022-10-03"}
        assert len(records(remote)) > before
    rec = records(local)
    assert any(r["t"] == "gone" for r in rec) and any(r["t"] == "skipped" for r in rec)
    assert any(r["t"] == "event" and r["outbox"] == ["desk"] for r in rec)
    assert any(r["t"] == "event" and r["outbox"] == [] for r in rec)


def test_a_pass_killed_while_writing_is_finished_by_the_next(cluster, tmp_path, idea_dir):
    """The writer killed after any record (a prefix of the journal left, a torn line cut off): the
    next pass on the cluster completes it to exactly the journal of an uninterrupted pass."""
    _, client = cluster
    whole = Journal(tmp_path / "whole")
    watch_pass_dask([idea_dir], client, asof="2022-12-30", journal=whole, deliver=False)
    lines = whole.path.read_bytes().splitlines(keepends=True)
    assert len(lines) > 20
    for cut in (7, len(lines) // 2 + 1):
        killed = Journal(tmp_path / f"cut-{cut}")
        killed.folder.mkdir()
        killed.path.write_bytes(b"".join(lines[:cut]) + lines[cut][:25])          # a torn last line
        watch_pass_dask([idea_dir], client, asof="2022-12-30", journal=killed, deliver=False)
        assert records(killed) == records(whole), cut


def test_partitions_keep_each_symbol_whole_and_balanced():
    symbols = ["SPY"] * 6 + ["QQQ"] * 3 + ["DIA"] * 3 + ["IWM"] * 2 + [""]
    symbols = [symbols[(7 * i) % len(symbols)] for i in range(len(symbols))]      # interleaved
    parts = distributed.partitions(symbols, 3)
    assert sorted(i for p in parts for i in p) == list(range(len(symbols)))
    assert all(p == sorted(p) for p in parts)                                       # file order inside
    owner = {symbols[i]: k for k, p in enumerate(parts) for i in p}
    assert all(owner[symbols[i]] == k for k, p in enumerate(parts) for i in p)     # one partition per symbol
    assert sorted(len(p) for p in parts) == [4, 5, 6]         # SPY alone; QQQ+IWM; DIA+""


def test_symbols_as_written(tmp_path):
    a, b, c = tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "c.toml"
    a.write_text('[idea]\ntitle = "x"\n  symbol = "BTC-USD"  # crypto\n')
    b.write_text("[idea]\nsymbol='SPY'\n")
    c.write_text("[idea]\ntitle = 'no symbol'\n")
    assert distributed.symbols_of([str(a), str(b), str(c), str(tmp_path / "missing.toml")]) == ["BTC-USD", "SPY", "", ""]


def test_cli_dask_prints_what_the_local_pass_prints(cluster, module_home):
    from thesis.cli import app

    c, _ = cluster
    runner = CliRunner()
    args = ["watch", "--once", "--asof", "2023-06-14", "--json", str(ROOT / "examples" / "authors")]
    want = runner.invoke(app, [*args, "--dry-run"])                  # the local pass, nothing written
    got = runner.invoke(app, [*args, "--dask", c.scheduler_address])
    assert got.exit_code == want.exit_code == 0, got.output
    w, g = json.loads(want.stdout), json.loads(got.stdout)
    assert g["ideas"] == w["ideas"] and g["not_yet_published"] == w["not_yet_published"]
    assert len(w["ideas"]) + len(w["not_yet_published"]) == 24 and len(w["ideas"]) >= 15
    assert [e["id"] for e in g["new_events"]] == [e["id"] for e in w["new_events"]] and w["new_events"]
    journaled = [r.id for r in read_records(module_home / "watch" / "journal.jsonl") if r.t == "event"]
    assert journaled == [e["id"] for e in w["new_events"]]


def test_cli_names_an_unreachable_scheduler(tmp_path):
    from thesis.cli import app

    out = CliRunner().invoke(app, ["watch", "--once", "--dask", "  ", str(ROOT / "examples")])
    assert out.exit_code == 2 and "--dask needs a scheduler address" in out.output
