"""The board sorted over every row, then paged; and its cache keyed on what changes (an idea file,
the journal's lines about an idea, a new closed session), never on a timer.

One `thesis serve` (real HTTP) and one headless Chromium over a folder of five ideas on IWM: the
two examples' kinds with other targets (so their R differ) and one file that does not parse (no
R: listed last). In the default order (file names) the largest position R is on the last page."""
from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import LONG, ROOT, SEED, Page, make_client, need_browser, served
from thesis.web.deps import SIGNATURE_TTL

TARGETS = "targets = [176.0, 188.0]"


def board_folder(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    long = (ROOT / "examples" / f"{LONG}.toml").read_text()
    assert TARGETS in long
    files = {"a-seed": (ROOT / "examples" / f"{SEED}.toml").read_text(), "b-long": long,
             "c-long-near": long.replace(TARGETS, "targets = [170.0, 176.0]"),
             "d-broken": 'schema_version = 1\n[idea]\ntitle = "broken"\n',
             "z-long-far": long.replace(TARGETS, "targets = [188.0, 196.0]")}
    for name, text in files.items():
        (dest / f"{name}.toml").write_text(text)
    return dest


def by_r(rows: list[dict], descending: bool) -> list[str]:
    """The ids in position-R order, worked out here: rows without an R last, ties by id."""
    known = sorted((r for r in rows if r["position_r"] is not None),
                   key=lambda r: (-r["position_r"] if descending else r["position_r"], r["id"]))
    return [r["id"] for r in known] + [r["id"] for r in rows if r["position_r"] is None]


def fresh_row(path: Path) -> dict:
    """The board row of one idea file computed afresh (the watch pass `thesis ideas FILE` runs)."""
    from thesis.watch.run import board, watch_pass

    rows = board(watch_pass([path], write=False, deliver=False))
    assert len(rows) == 1
    return json.loads(json.dumps(rows[0]))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = board_folder(tmp_path_factory.mktemp("order") / "ideas")
    with served(folder, tmp_path_factory, warm="/api/ideas") as (base, log):
        yield {"base": base, "folder": folder, "log": log}


def get(base: str, path: str) -> dict:
    with urllib.request.urlopen(base + path, timeout=120) as r:
        return json.loads(r.read())


def test_a_sort_orders_every_row_before_paging(server):
    base = server["base"]
    whole = get(base, "/api/ideas?limit=100")["ideas"]
    assert len(whole) == 5 and sum(r["position_r"] is None for r in whole) == 1   # the broken file
    top = max((r for r in whole if r["position_r"] is not None), key=lambda r: r["position_r"])
    pages = [get(base, f"/api/ideas?limit=2&offset={at}") for at in (0, 2, 4)]
    assert top["id"] not in [r["id"] for r in pages[0]["ideas"]]        # the default order: not on page 1
    for descending in (True, False):
        order = "desc" if descending else "asc"
        sorted_pages = [get(base, f"/api/ideas?limit=2&offset={at}&sort=position_r&dir={order}") for at in (0, 2, 4)]
        assert [r["id"] for p in sorted_pages for r in p["ideas"]] == by_r(whole, descending)
        assert {(p["sort"], p["dir"], p["total"]) for p in sorted_pages} == {("position_r", order, 5)}
    first = get(base, "/api/ideas?limit=2&sort=position_r&dir=desc")["ideas"][0]
    assert first == top                                                  # the same row, only moved
    assert get(base, "/api/ideas?limit=100&sort=title")["ideas"][0]["id"] == "d-broken"   # "broken" < "IWM..."


def test_editing_one_idea_file_changes_only_its_row(server):
    base, folder = server["base"], server["folder"]
    before = {r["id"]: r for r in get(base, "/api/ideas?limit=100")["ideas"]}
    path = folder / "c-long-near.toml"
    path.write_text(path.read_text().replace("targets = [170.0, 176.0]", "targets = [172.0, 180.0]"))
    time.sleep(SIGNATURE_TTL + 0.1)                    # the server re-reads the folder's version
    after = {r["id"]: r for r in get(base, "/api/ideas?limit=100")["ideas"]}
    assert before.keys() == after.keys()
    assert [i for i in before if before[i] != after[i]] == ["c-long-near"]
    assert after["c-long-near"]["position_r"] > before["c-long-near"]["position_r"]   # higher targets, both hit
    assert after["c-long-near"] == fresh_row(path)       # what a fresh computation of the new file says
    low = get(base, "/api/ideas?limit=1&sort=position_r&dir=asc")["ideas"][0]
    assert low["id"] == by_r(list(after.values()), descending=False)[0]     # the order is of the new version too


@pytest.fixture(scope="module")
def chromium():
    need_browser()


def test_sorting_in_the_browser_brings_the_top_of_the_whole_board(chromium, browser, server):
    whole = get(server["base"], "/api/ideas?limit=100")["ideas"]
    want = by_r(whole, descending=True)
    tab = Page(browser, server["base"]).open("/?limit=2")
    try:
        assert want[0] not in [tab.page.locator("#board-rows tr").nth(i).get_attribute("data-id") for i in (0, 1)]
        for _ in range(2):                              # ascending, then descending
            with tab.page.expect_navigation():
                tab.page.locator("th[data-key='position_r'] a").click()
            tab.wait("() => !!(window.thesis && window.thesis.ready)")
        rows = tab.page.locator("#board-rows tr")
        assert [rows.nth(i).get_attribute("data-id") for i in range(rows.count())] == want[:2]
        assert tab.js("window.thesis.sortKey") == "position_r desc"
        assert "sorted by position r (descending)" in tab.page.locator("#board-paging").inner_text()
        with tab.page.expect_navigation():
            tab.page.locator("#board-paging a[rel=next]").click()
        tab.wait("() => !!(window.thesis && window.thesis.ready)")
        assert [rows.nth(i).get_attribute("data-id") for i in range(rows.count())] == want[2:4]
        tab.page.evaluate("window.thesis.refresh()")      # a live refresh keeps the order and the page
        tab.wait("() => window.thesis.refreshes >= 1")
        assert [rows.nth(i).get_attribute("data-id") for i in range(rows.count())] == want[2:4]
        assert tab.errors == []
    finally:
        tab.close()


# ------------------------------------------------------------ what the cache is keyed on (in process)
@pytest.fixture
def passes(monkeypatch):
    """The idea ids each watch pass the board runs is given (one list per pass)."""
    import thesis.watch.run as run

    calls: list[list[str]] = []
    real = run.watch_pass

    def spy(paths, *args, **kwargs):
        calls.append(sorted(Path(p).stem for p in paths))
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(run, "watch_pass", spy)
    return calls


def test_a_journal_line_about_one_idea_recomputes_its_row_alone(tmp_path, passes):
    from thesis.watch.journal import Journal
    from thesis.watch.records import EventRecord

    client = make_client(board_folder(tmp_path / "ideas"))
    before = {r["id"]: r for r in client.get("/api/ideas").json()["ideas"]}
    assert passes == [sorted(before)]                    # the first build: one pass over every file
    with Journal().lock() as jr:
        jr.append([EventRecord(id="e-test-1", idea="b-long", kind="note", session="2024-01-05", text="still long")])
    time.sleep(SIGNATURE_TTL + 0.05)
    after = {r["id"]: r for r in client.get("/api/ideas").json()["ideas"]}
    assert passes[1:] == [["b-long"]]
    assert after["b-long"]["last_event"]["text"] == "still long"
    assert {i for i in before if before[i] != after[i]} == {"b-long"}


@pytest.fixture
def clock(monkeypatch):
    """Time moved on by ``clock["shift"]`` seconds (the process's clocks, both), and the calendars'
    last closed session and next close under the test's control."""
    import thesis.web.versions as versions

    state = {"shift": 0.0, "session": "2024-01-05"}
    wall, mono = time.time, time.monotonic
    monkeypatch.setattr(time, "time", lambda: wall() + state["shift"])
    monkeypatch.setattr(time, "monotonic", lambda: mono() + state["shift"])
    monkeypatch.setattr(versions, "_session", lambda inst, at: state["session"])
    monkeypatch.setattr(versions, "_next_close", lambda instruments, at: at + 3600)
    return state


def test_the_board_stays_warm_until_a_new_session_closes(tmp_path, passes, clock):
    client = make_client(board_folder(tmp_path / "ideas"))
    first = client.get("/api/ideas").json()
    ids = sorted(r["id"] for r in first["ideas"])
    for hours in (0.5, 2, 8):      # the next close passes, hours go by, but the session stays: still warm
        clock["shift"] = hours * 3600
        assert client.get("/api/ideas").json() == first and passes == [ids]
    clock["session"] = "2024-01-08"     # a new bar is final: every row again
    clock["shift"] += 3600
    assert client.get("/api/ideas").json()["ideas"] == first["ideas"]    # the same bars here: the same rows
    assert passes == [ids, ids]


def test_concurrent_requests_for_a_cold_board_build_it_once(tmp_path, passes):
    client = make_client(board_folder(tmp_path / "ideas"))
    got: list[int] = []
    threads = [threading.Thread(target=lambda: got.append(client.get("/api/ideas?limit=1").status_code))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [200] * 4 and len(passes) == 1
