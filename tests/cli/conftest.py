"""Shared helpers of the CLI tests: run a command in-process with a time limit,
no network, and classify what came out (clean exit, traceback, hang, flood)."""
from __future__ import annotations

import os
import signal
import socket
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"
# Longest stderr/stdout a failing command may print (an error is a sentence, not a dump).
MAX_ERROR_CHARS = 4000


class Hang(BaseException):
    """A command ran past its time limit (a BaseException, so no `except Exception` swallows it)."""


@dataclass
class Outcome:
    args: list
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    @property
    def crashed(self) -> bool:
        """An exception escaped the command (a traceback for the user)."""
        return self.exception is not None and not isinstance(self.exception, SystemExit)

    @property
    def hung(self) -> bool:
        return isinstance(self.exception, Hang)

    def problem(self, allow_exit_1: bool = False) -> str | None:
        """Why this outcome is not acceptable, or None."""
        if self.hung:
            return "hang (time limit)"
        if self.crashed:
            return f"traceback: {type(self.exception).__name__}: {str(self.exception)[:300]}"
        text = self.stdout + self.stderr
        if "Traceback (most recent call last)" in text:
            return "traceback text in the output"
        if self.exit_code not in (0, 2) and not (allow_exit_1 and self.exit_code == 1):
            return f"exit status {self.exit_code}: {self.stderr.strip()[-300:]}"
        if self.exit_code != 0 and len(self.stderr) > MAX_ERROR_CHARS:
            return f"error message of {len(self.stderr)} characters"
        if "internal error (" in self.stderr:
            return "internal error: " + self.stderr.strip()[-300:]
        if self.exit_code == 2 and not self.stderr.strip():
            return "bad input without a message on stderr"
        return None


def _no_network(*args, **kwargs):
    raise OSError("network disabled in the CLI tests")


@pytest.fixture
def run(monkeypatch, tmp_path):
    """run(args, timeout=30) -> Outcome; in-process, network off, cwd a temp folder."""
    monkeypatch.setattr(socket.socket, "connect", _no_network)
    monkeypatch.setattr(socket, "create_connection", _no_network)
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    from thesis.cli import app

    def invoke(args, timeout: float = 30.0, input: str | None = None) -> Outcome:
        def on_alarm(signum, frame):
            raise Hang(f"{args} ran over {timeout} s")

        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            res = runner.invoke(app, [str(a) for a in args], input=input)
        except Hang as exc:
            return Outcome([str(a) for a in args], -1, "", "", exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
        return Outcome([str(a) for a in args], res.exit_code, res.stdout, res.stderr, res.exception)

    return invoke


@pytest.fixture(scope="session")
def daily_dir() -> Path:
    root = os.environ.get("THESIS_DATA")
    assert root and (Path(root) / "daily").is_dir(), "THESIS_DATA must point at the shared market-data folder"
    return Path(root) / "daily"
