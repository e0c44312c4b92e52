"""The dashboard's speed (issue 13): the idea page's JSON for 26 years of daily bars, the
board with 200 ideas, and the idea page's first paint in a real browser.

- idea document: GET /api/ideas/{seed} through the ASGI app (FastAPI's TestClient, no
  socket). "warm" is the served document of a running dashboard (computed once per idea
  file version and as-of date, then kept); "computed" is a fresh computation in a warm
  process (imports done, kernels compiled, bars read), i.e. what a new note or a new
  as-of date costs.
- board: GET / over a folder of 200 idea files (the two examples, 100 copies each, spread
  over 8 symbols): "computed" (first request of a new server in a warm process) and warm.
- board at scale (issue 25): ``BENCH_BOARD_IDEAS`` (10,000 by default) ideas generated as the
  watch benchmark does, on 500 S&P 500 symbols. "cold" is the first ``/api/ideas?limit=200`` of
  a new server in a warm process (every idea's lifecycle on the batch path, wall and CPU); then
  warm: one page of the JSON and of ``/`` (200 rows), each beside the whole board unpaged
  (``limit=N``), the size a page had before paging; the first page sorted by position R over
  every row; and the first page after one idea file is edited and after one journal line about
  one idea (that row alone recomputed), each beside the cold build (what the server paid before,
  when its cache expired after 300 s).
- first paint: `thesis serve` on a free loopback port, Debian's chromium headless via
  Playwright; milliseconds from navigation start to the chart's first frame (the page's
  own `performance.now()` after setData), best of 3 after a warm-up visit. Skipped with a
  note when /usr/bin/chromium is missing.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = "iwm-no-love-for-small-caps"
SYMBOLS = ["IWM", "SPY", "QQQ", "DIA", "GLD", "TLT", "XLE", "EEM"]


def _client(folder: Path, source: str | None = None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from thesis.web.app import create_app

    return TestClient(create_app(folder, source=source), base_url="http://127.0.0.1:8765")


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def _ideas(folder: Path, n: int = 200) -> Path:
    sources = sorted((ROOT / "examples").glob("*.toml"))
    for i in range(n):
        text = sources[i % len(sources)].read_text()
        sym = SYMBOLS[(i // len(sources)) % len(SYMBOLS)]
        text = text.replace('symbol = "IWM"', f'symbol = "{sym}"', 1)
        (folder / f"idea-{i:03d}.toml").write_text(text)
    return folder


def _get(client, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])


def _clocked(fn) -> tuple[float, float]:
    """(wall, CPU) seconds of one call; CPU of the whole process (the server's worker threads too)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def _board_scale() -> list[dict]:
    from benchmarks.bench_watch import generate
    from benchmarks.bench_watch_scale import universe
    from thesis.watch.journal import Journal
    from thesis.watch.records import EventRecord
    from thesis.web.deps import SIGNATURE_TTL

    n = int(os.environ.get("BENCH_BOARD_IDEAS", 10000))
    data = Path(os.environ["THESIS_DATA"]) / "sp500-constituents"
    source = f"csv:{data}"
    symbols, closes = universe(data, source)
    tmp = Path(tempfile.mkdtemp(prefix="thesis-bench-board-scale-"))
    page, whole, ranked = "/api/ideas?limit=200", f"/api/ideas?limit={n}", "/?sort=position_r&dir=desc"

    def after_change() -> tuple[float, float]:
        time.sleep(SIGNATURE_TTL + 0.05)       # the folder's version is re-read: the next request sees it
        return _clocked(lambda: _get(board, "/"))

    try:
        folder = tmp / "ideas"
        generate(folder, n, symbols, closes)
        board = _client(folder, source)
        cold, cold_cpu = _clocked(lambda: _get(board, page))
        _get(board, f"/?limit={n}")  # every symbol's sparkline once
        first_sort = _clocked(lambda: _get(board, ranked))   # the order of every row, computed once per version
        warm = {url: min(_timed(lambda u=url: _get(board, u)) for _ in range(5))
                for url in (page, "/", whole, f"/?limit={n}", ranked)}
        restat = [after_change() for _ in range(3)]          # nothing changed: the stat of every file first
        edited = folder / "gen-00007.toml"
        edit = []
        for i in range(3):                                  # one idea file edited: its row alone recomputed
            edited.write_text(edited.read_text().replace("\n[levels]", f"\n# edit {i}\n[levels]", 1))
            edit.append(after_change())
        journaled = []
        for i in range(3):                                  # one journal line about one idea: its row alone
            with Journal().lock() as jr:
                jr.append([EventRecord(id=f"bench-{i}", idea="gen-00011", kind="note", session="2024-01-05",
                                       text=f"bench note {i}")])
            journaled.append(after_change())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    label = f"board, {n:,} ideas on {len(symbols)} symbols"
    cold_peer = {"peer": "the cold build (first request)", "peer_value": cold * 1000}
    return [
        {"name": f"{label}: first /api/ideas (cold: every lifecycle, the watch pass's batch path)",
         "value": cold * 1000, "cpu": cold_cpu, "unit": "ms", "peer": None, "peer_value": None,
         "target": "measured", "met": None},
        {"name": f"{label}: /api/ideas?limit=200 (warm)", "value": warm[page] * 1000, "unit": "ms", **cold_peer,
         "target": "< 1000 ms", "met": warm[page] < 1.0},
        {"name": f"  unpaged /api/ideas?limit={n} (warm)", "value": warm[whole] * 1000,
         "unit": "ms", "peer": None, "peer_value": None, "target": "measured", "met": None},
        {"name": f"{label}: / first page, 200 rows (warm)", "value": warm["/"] * 1000, "unit": "ms",
         "peer": f"the whole board on one page, /?limit={n} (warm)", "peer_value": warm[f"/?limit={n}"] * 1000,
         "target": "< 1000 ms", "met": warm["/"] < 1.0},
        {"name": f"{label}: {ranked}, every row sorted, first page (warm)", "value": warm[ranked] * 1000,
         "unit": "ms", "peer": "the unsorted first page / (warm)", "peer_value": warm["/"] * 1000,
         "target": "< 1000 ms", "met": warm[ranked] < 1.0},
        {"name": f"  the same, its first request (the order of {n:,} rows computed)", "value": first_sort[0] * 1000,
         "cpu": first_sort[1], "unit": "ms", "peer": None, "peer_value": None, "target": "< 1000 ms",
         "met": first_sort[0] < 1.0},
        {"name": f"  / first page after the {SIGNATURE_TTL:g} s signature TTL (stat of {n:,} files)",
         "value": min(restat)[0] * 1000, "cpu": min(restat)[1], "unit": "ms", "peer": None, "peer_value": None,
         "target": "< 1000 ms", "met": min(restat)[0] < 1.0},
        {"name": f"{label}: / after editing one idea file (its row recomputed)", "value": min(edit)[0] * 1000,
         "cpu": min(edit)[1], "unit": "ms", **cold_peer, "peer_cpu": cold_cpu, "target": "< 1000 ms",
         "met": min(edit)[0] < 1.0},
        {"name": f"{label}: / after a journal line about one idea (its row recomputed)",
         "value": min(journaled)[0] * 1000, "cpu": min(journaled)[1], "unit": "ms", **cold_peer,
         "peer_cpu": cold_cpu, "target": "< 1000 ms", "met": min(journaled)[0] < 1.0},
    ]


def _first_paint() -> float | None:
    from tools.serve_local import CHROMIUM, CHROMIUM_ARGS, thesis_serve

    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    with thesis_serve(ROOT / "examples", warm=f"/api/ideas/{SEED}") as base, sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(viewport={"width": 1500, "height": 1000})
        times = []
        for _ in range(4):
            page.goto(f"{base}/ideas/{SEED}")
            for _ in range(600):
                if page.evaluate("() => !!(window.thesis && window.thesis.ready)"):
                    break
                time.sleep(0.02)
            times.append(page.evaluate("() => window.thesis.firstPaintMs"))
        b.close()
    return min(times[1:])


def run() -> list[dict]:
    os.environ.setdefault("THESIS_HOME", tempfile.mkdtemp(prefix="thesis-bench-web-"))
    rows = []
    url = f"/api/ideas/{SEED}"
    warm = _client(ROOT / "examples")
    _get(warm, url)  # imports, kernels, bars
    computed = min(_timed(lambda: _get(_client(ROOT / "examples"), url)) for _ in range(3))
    cached = min(_timed(lambda: _get(warm, url)) for _ in range(5))
    rows.append({"name": "idea page JSON, 26 y daily (served, warm)", "value": cached * 1000, "unit": "ms",
                 "peer": None, "peer_value": None, "target": "< 150 ms", "met": cached < 0.150})
    rows.append({"name": "idea page JSON, 26 y daily (computed)", "value": computed * 1000, "unit": "ms",
                 "peer": None, "peer_value": None, "target": None, "met": None})
    tmp = Path(tempfile.mkdtemp(prefix="thesis-bench-board-"))
    try:
        folder = _ideas(tmp)
        _get(_client(folder), "/")  # every symbol's bars read once
        board = _client(folder)
        cold = _timed(lambda: _get(board, "/"))
        hot = min(_timed(lambda: _get(board, "/")) for _ in range(3))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows.append({"name": "board, 200 ideas (computed)", "value": cold * 1000, "unit": "ms", "peer": None,
                 "peer_value": None, "target": "< 1000 ms", "met": cold < 1.0})
    rows.append({"name": "board, 200 ideas (served, warm)", "value": hot * 1000, "unit": "ms", "peer": None,
                 "peer_value": None, "target": "< 1000 ms", "met": hot < 1.0})
    rows += _board_scale()
    paint = _first_paint()
    if paint is not None:
        rows.append({"name": "idea page first paint in chromium", "value": paint, "unit": "ms", "peer": None,
                     "peer_value": None, "target": "< 1500 ms", "met": paint < 1500})
    else:
        print("first paint not measured: /usr/bin/chromium is missing (make browser)")
    return rows
