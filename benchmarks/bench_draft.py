"""`thesis draft` scored on the posts with expected extractions ($THESIS_POSTS, default ../shared/posts).

Returns one row per field (precision, recall, exact share of posts) for the draft table of
``python -m benchmarks`` (``python -m benchmarks draft`` runs it alone), and prints the posts
and fields that came out wrong.
"""
from __future__ import annotations

from thesis.draft.score import score

TARGET = 0.9


def run() -> list[dict]:
    result = score()
    print(f"draft: posts in {result['folder']}")
    for p in result["posts"]:
        for field, w in p["wrong"].items():
            print(f"  {p['post']}: {field}: got {w['got']!r}, expected {w['expected']!r}")
        if p["error"]:
            print(f"  {p['post']}: error: {p['error']}")
    rows = []
    for field, s in result["fields"].items():
        ok = all(s[k] is None or s[k] >= TARGET for k in ("precision", "recall"))
        rows.append({"table": "draft", "name": f"draft {field}", "field": field, "posts": s["posts"],
                     "value": s["recall"] if s["recall"] is not None else 1.0, "unit": "",
                     "precision": s["precision"], "recall": s["recall"], "exact": s["exact"],
                     "target": f">= {TARGET:.0%} both", "met": ok})
    return rows
