"""`thesis draft` scored on the posts with expected extractions ($THESIS_POSTS, default ../shared/posts,
with its subfolders such as more/), and timed on a 200 KB post.

Returns one row per field (precision, recall, exact share of posts, over every post) for the draft
table of ``python -m benchmarks`` (``python -m benchmarks draft`` runs it alone), a summary row per
folder and one for the held-out posts (those not in thesis/draft/tuned-on.txt: added since the rules
were last tuned), and prints the posts and fields that came out wrong.
"""
from __future__ import annotations

import time

from thesis.draft.score import load_posts, posts_dir, report, score

TARGET = 0.95
BIG_BYTES = 199_000
BIG_TARGET_S = 2.0


def run() -> list[dict]:
    result = score()
    print(report(result))
    rows = []
    for field, s in result["fields"].items():
        per_folder = [r["fields"][field]["exact"] for r in result["by_folder"].values() if field in r["fields"]]
        ok = all(e >= TARGET for e in per_folder)
        rows.append({"table": "draft", "name": f"draft {field}", "field": field, "posts": s["posts"],
                     "value": s["exact"], "unit": "", "precision": s["precision"], "recall": s["recall"],
                     "exact": s["exact"], "target": f"exact >= {TARGET:.0%} in each folder", "met": ok})
    groups = [(f"all fields, {name}/", r) for name, r in result["by_folder"].items()]
    if result["held_out"]:
        groups.append(("all fields, held out", result["held_out"]))
    for label, r in groups:
        share = r["fields_right"] / r["fields_total"] if r["fields_total"] else None
        rows.append({"table": "draft", "name": f"draft {label}", "field": label, "posts": r["posts_total"],
                     "value": share, "unit": "", "precision": None, "recall": None, "exact": share,
                     "target": "-", "met": None})
    rows.append(_big_post())
    return rows


def big_post(size: int = BIG_BYTES) -> str:
    """A long thread built from the folder's posts (every post once, then again until ``size`` bytes)."""
    texts = [path.read_text(encoding="utf-8") for _, path, _ in load_posts(posts_dir(), deep=True)]
    out, n = [], 0
    while n < size:
        for t in texts:
            out.append(t)
            n += len(t.encode()) + 2
            if n >= size:
                break
    return "\n\n".join(out)[:size]


def _big_post() -> dict:
    """Draft time of a 199 KB post beside the peer: 40 times the time of a 5 KB one (linear scaling)."""
    from thesis.draft import draft_post
    from thesis.errors import BadInput

    def timed(text: str) -> float:
        best = float("inf")
        for _ in range(2):
            t0 = time.perf_counter()
            try:
                draft_post(text, name="big", propose=False, published="2023-06-04")
            except BadInput:
                pass
            best = min(best, time.perf_counter() - t0)
        return best

    big = big_post()
    timed(big[:5000])  # warm the imports
    small = timed(big[:BIG_BYTES // 40])
    whole = timed(big)
    return {"name": f"draft a {len(big.encode()) // 1000} KB post", "value": whole, "unit": "s",
            "peer": "40 x a 5 KB post (linear)", "peer_value": 40 * small, "target": f"< {BIG_TARGET_S:g} s",
            "met": whole < BIG_TARGET_S}
