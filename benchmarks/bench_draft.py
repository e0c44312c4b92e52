"""`thesis draft` scored on the posts with expected extractions ($THESIS_POSTS, default ../shared/posts).

Prints precision and recall per field over all posts (thesis.draft.score) and returns one
row per field for the benchmark table: the value is recall, the peer column precision.
``python -m benchmarks draft`` runs it alone.
"""
from __future__ import annotations

from thesis.draft.score import score, table

TARGET = 0.9


def run() -> list[dict]:
    result = score()
    print(f"draft: posts in {result['folder']}")
    print(table(result))
    rows = []
    for field, s in result["fields"].items():
        recall = s["recall"] if s["recall"] is not None else 1.0
        precision = s["precision"] if s["precision"] is not None else 1.0
        rows.append({"name": f"draft {field}: recall (peer column: precision)", "value": recall, "unit": "",
                     "peer": "precision", "peer_value": precision, "target": f">= {TARGET:g} both",
                     "met": recall >= TARGET and precision >= TARGET})
    return rows
