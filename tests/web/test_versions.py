"""What the dashboard's caches are keyed on (thesis.web.versions) and how the cache keeps one entry
per slot (thesis.web.core.Cache), on small synthetic journals."""
from __future__ import annotations

import json
import threading

from thesis.web.core import Cache
from thesis.web.versions import JournalVersions


def line(**rec) -> bytes:
    return (json.dumps(rec) + "\n").encode()


def test_each_idea_gets_a_version_that_moves_with_its_own_lines(tmp_path):
    path = tmp_path / "journal.jsonl"
    jv = JournalVersions()
    assert jv.versions(path)[1] == {}                              # no journal yet
    path.write_bytes(line(t="event", idea="a", id="1") + line(t="idea", idea="b") + line(t="delivery", event="1"))
    gen, first = jv.versions(path)
    assert first == {"a": 1, "b": 1}                               # a delivery names no idea
    with open(path, "ab") as fh:
        fh.write(line(t="event", idea="a", id="2") + b'{"t": "event", "idea": "b"')   # b's line is torn
    again, second = jv.versions(path)
    assert again == gen and second == {"a": 2, "b": 1} and first == {"a": 1, "b": 1}   # the old dict unchanged
    with open(path, "ab") as fh:
        fh.write(b', "id": "3"}\n')                                # ... and now whole
    assert jv.versions(path) == (gen, {"a": 2, "b": 2})


def test_a_journal_cut_or_replaced_starts_a_new_generation(tmp_path):
    path = tmp_path / "journal.jsonl"
    jv = JournalVersions()
    path.write_bytes(line(t="event", idea="a", id="1") + line(t="event", idea="a", id="2"))
    gen, _ = jv.versions(path)
    path.write_bytes(line(t="event", idea="a", id="1"))            # shorter: cut
    cut, counts = jv.versions(path)
    assert cut != gen and counts == {"a": 1}
    path.write_bytes(line(t="event", idea="z", id="9") + line(t="event", idea="z", id="8") * 3)   # replaced, longer
    new, counts = jv.versions(path)
    assert new != cut and counts == {"z": 4}
    path.unlink()
    assert jv.versions(path)[0] != new and jv.versions(path)[1] == {}


def test_a_slot_keeps_only_its_latest_version():
    cache = Cache(size=8)
    made: list[int] = []

    def make(v):
        made.append(v)
        return f"value {v}"

    assert cache.current("board", 1, lambda: make(1)) == "value 1"
    assert cache.current("board", 1, lambda: make(99)) == "value 1"
    assert cache.current("board", 2, lambda: make(2)) == "value 2"
    assert cache.peek("board", 1) is None and cache.peek("board", 2) == "value 2"
    assert made == [1, 2]


def test_a_failed_computation_is_tried_again_by_the_next_caller():
    cache = Cache()
    started, release = threading.Event(), threading.Event()
    errors: list[str] = []

    def failing():
        started.set()
        release.wait(5)
        raise RuntimeError("no data")

    def first():
        try:
            cache.get("k", failing)
        except RuntimeError as exc:
            errors.append(str(exc))

    t = threading.Thread(target=first)
    t.start()
    started.wait(5)
    got: list[str] = []
    waiter = threading.Thread(target=lambda: got.append(cache.get("k", lambda: "made by the waiter")))
    waiter.start()
    release.set()
    t.join(5)
    waiter.join(5)
    assert errors == ["no data"] and got == ["made by the waiter"]
