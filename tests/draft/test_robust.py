"""Mangled posts never crash the drafter: a draft (whose file is valid TOML within the idea file's
limits, or fails `thesis check` only for a missing key) or BadInput, nothing else."""
from __future__ import annotations

import random

from thesis.draft import draft_post
from thesis.draft.score import load_posts, posts_dir
from thesis.errors import BadInput

JUNK = ["\u200b", "🚀", "—", "１２３", "$", "%", ":", "/", "-", ".", ",", "\t", "(", ")", '"', "'", "\ufe0f", "½",
        "²", "9999999999", "0.00003", "-5", "1e9", "+700", "TP1", "SL", "stop", "short", "Note", "Update:"]


def test_mangled_posts_draft_or_refuse_cleanly():
    lines = [ln for _, path, _ in load_posts(posts_dir(), deep=True)
             for ln in path.read_text(encoding="utf-8").splitlines()]
    rnd = random.Random(20231201)
    drafted = 0
    for _ in range(120):
        picked = rnd.sample(lines, rnd.randint(1, 10))
        text = "\n".join("".join(ch if rnd.random() > 0.04 else rnd.choice(JUNK) for ch in ln) for ln in picked)
        try:
            res = draft_post(text, name="fuzz", propose=False, published=rnd.choice([None, "2023-06-04"]))
        except BadInput:
            continue
        drafted += 1
        assert res.check["valid"] or "missing required key" in res.check["message"], (res.check, text)
    assert drafted > 30
