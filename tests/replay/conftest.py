"""Fixtures the lifecycle's cross-view tests share."""
from __future__ import annotations

import shutil
from contextlib import ExitStack
import warnings
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def client_for(tmp_path_factory):
    """A dashboard over a folder holding just one idea (its board then costs one idea per date):
    ``client_for(path)`` gives (folder, TestClient); each call a folder and a client of its own,
    open until the module ends (one event loop for all its requests, not one per request)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from thesis.web.app import create_app

    with ExitStack() as open_clients:
        def make(path: Path):
            folder = tmp_path_factory.mktemp(path.stem)
            shutil.copy(path, folder / path.name)
            client = TestClient(create_app(folder), base_url="http://127.0.0.1:8765")
            return folder, open_clients.enter_context(client)

        yield make
