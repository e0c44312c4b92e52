"""`thesis serve` on a free loopback port, for the browser tests (tests/web) and the web benchmark
(benchmarks/bench_web.py): one way to start it, wait for it and stop it, and the headless Chromium
both drive."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def thesis_serve(folder: Path, env: dict | None = None, log=subprocess.DEVNULL, warm: str | None = None):
    """Yield the base URL of `thesis serve --ideas folder` once it answers (and ``warm``, a path, has
    been fetched once); the server is stopped on exit. Output goes to ``log``."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "thesis", "serve", "--port", str(port), "--ideas", str(folder)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/static/app.css", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("thesis serve exited early") from None
                time.sleep(0.1)
        if warm:
            urllib.request.urlopen(base + warm, timeout=120)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
