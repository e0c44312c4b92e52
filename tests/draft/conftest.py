"""The posts folder: $THESIS_POSTS, else ../shared/posts beside the checkout (read in place)."""
from __future__ import annotations

import pytest

from thesis.draft.score import load_posts, posts_dir


@pytest.fixture(scope="session")
def posts():
    folder = posts_dir()
    found = load_posts(folder)
    assert found, f"no posts with expected.json in {folder} (set THESIS_POSTS)"
    return found
