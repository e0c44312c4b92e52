"""Fixtures of the dashboard tests: a private copy of the example ideas, an app and a client; a
served app (`thesis serve`), and for the browser tests (test_browser.py, test_markets_browser.py)
headless Chromium with a tab that records console errors. Each browser test module defines its own
module-scoped ``server`` fixture yielding {"base": URL, ...}; ``browser`` and ``tab`` use it."""
from __future__ import annotations

import os
import shutil
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest

from tools.serve_local import CHROMIUM, CHROMIUM_ARGS, thesis_serve

ROOT = Path(__file__).resolve().parents[2]
SEED = "iwm-no-love-for-small-caps"
LONG = "iwm-oversold-bounce-long"


def copy_examples(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for p in (ROOT / "examples").glob("*.toml"):
        shutil.copy(p, dest / p.name)
    return dest


@pytest.fixture(scope="module")
def ideas_dir(tmp_path_factory) -> Path:
    return copy_examples(tmp_path_factory.mktemp("ideas"))


def make_client(folder: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from thesis.web.app import create_app

    return TestClient(create_app(folder, **kw), base_url="http://127.0.0.1:8765", follow_redirects=False)


@pytest.fixture(scope="module")
def client(ideas_dir):
    return make_client(ideas_dir)


@contextmanager
def served(folder: Path, tmp_path_factory, warm: str | None = None):
    """`thesis serve` over ``folder`` on a free loopback port with a private THESIS_HOME; yields
    (base URL, log file). On exit the server stops and its log must hold no traceback."""
    home = tmp_path_factory.mktemp("home")
    log = open(tmp_path_factory.mktemp("log") / "serve.log", "w+")
    try:
        with thesis_serve(folder, env={**os.environ, "THESIS_HOME": str(home)}, log=log, warm=warm) as base:
            yield base, log
    finally:
        log.seek(0)
        text = log.read()
        log.close()
        assert "Traceback" not in text, text[-3000:]


# ------------------------------------------------------------ the browser tests
OUT = ROOT / "out" / "web"
DOCS_IMG = ROOT / "docs" / "img"


def need_browser():
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium chromium-driver, or `make browser` as root)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if missing:
        msg = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(msg + ": CI must run them")
        pytest.skip(msg)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Page:
    """A tab that records console errors and waits for the page's own `thesis.ready`."""

    def __init__(self, browser, base):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1500, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path: str, ready: bool = True):
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        if ready:
            self.wait("() => !!(window.thesis && window.thesis.ready)")
        return self

    def wait(self, predicate: str, timeout: float = 60.0):
        # Polled from here: the pages' CSP (script-src 'self') forbids wait_for_function's eval.
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.page.evaluate(predicate):
                return
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {predicate}; console errors: {self.errors}")

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def shot(self, name: str, full_page: bool = False) -> Path:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        if os.environ.get("THESIS_WEB_DOCS_IMG"):
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, DOCS_IMG / f"dashboard-{name}.png")
        assert path.stat().st_size > 10_000
        return path

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser, server):
    t = Page(browser, server["base"])
    yield t
    t.close()


# Non-background pixels of a chart, read from the chart's own screenshot canvas.
DRAWN = """(name) => { const c = window.thesis[name || 'chart'].takeScreenshot();
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 0; i < d.length; i += 16) if (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235) n++;
  return {w: c.width, h: c.height, ink: n}; }"""


def drawn(tab, name="chart") -> dict:
    got = tab.page.evaluate(DRAWN, name)
    assert got["w"] > 600 and got["h"] > 300 and got["ink"] > 2000, got
    return got
