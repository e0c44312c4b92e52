"""Write docs/schema/*.json, the JSON schemas of the documents thesis prints, generated from their
pydantic models (thesis.replay.document: replay, evaluate; thesis.watch.document: ideas, watch,
journal). ``make schema``; tests/replay/test_documents.py and tests/watch/test_documents.py fail
while a committed file differs from what the models generate."""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "docs" / "schema"


def render(schema: dict) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from thesis.replay import document as replay_documents
    from thesis.watch import document as watch_documents

    FOLDER.mkdir(exist_ok=True)
    for name, schema in {**replay_documents.schemas(), **watch_documents.schemas()}.items():
        (FOLDER / name).write_text(render(schema), encoding="utf-8")
        print(f"wrote {FOLDER / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
