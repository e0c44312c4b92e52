"""Fixtures of the dashboard tests: a private copy of the example ideas, an app and a client."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import warnings
from contextlib import contextmanager
from pathlib import Path

import pytest

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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(folder: Path, tmp_path_factory, warm: str | None = None):
    """`thesis serve` over ``folder`` on a free loopback port with a private THESIS_HOME; yields
    (base URL, log file). On exit the server stops and its log must hold no traceback."""
    home = tmp_path_factory.mktemp("home")
    port = free_port()
    log = open(tmp_path_factory.mktemp("log") / "serve.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "thesis", "serve", "--port", str(port), "--ideas", str(folder)],
                            cwd=ROOT, env={**os.environ, "THESIS_HOME": str(home)}, stdout=log,
                            stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/static/app.css", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, "thesis serve exited early"
                time.sleep(0.1)
        if warm:
            urllib.request.urlopen(base + warm, timeout=120)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.seek(0)
        text = log.read()
        log.close()
        assert "Traceback" not in text, text[-3000:]
