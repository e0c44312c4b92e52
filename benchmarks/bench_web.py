"""The dashboard's speed (issue 13): the idea page's JSON for 26 years of daily bars, the
board with 200 ideas, and the idea page's first paint in a real browser.

- idea document: GET /api/ideas/{seed} through the ASGI app (FastAPI's TestClient, no
  socket). "warm" is the served document of a running dashboard (computed once per idea
  file version and as-of date, then kept); "computed" is a fresh computation in a warm
  process (imports done, kernels compiled, bars read), i.e. what a new note or a new
  as-of date costs.
- board: GET / over a folder of 200 idea files (the two examples, 100 copies each, spread
  over 8 symbols): "computed" (first request of a new server in a warm process) and warm.
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


def _client(folder: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from thesis.web.app import create_app

    return TestClient(create_app(folder), base_url="http://127.0.0.1:8765")


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
    paint = _first_paint()
    if paint is not None:
        rows.append({"name": "idea page first paint in chromium", "value": paint, "unit": "ms", "peer": None,
                     "peer_value": None, "target": "< 1500 ms", "met": paint < 1500})
    else:
        print("first paint not measured: /usr/bin/chromium is missing (make browser)")
    return rows
