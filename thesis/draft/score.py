"""Score drafts against posts with expected extractions (``NN-name.txt`` + ``NN-name.expected.json``).

Per field over all posts: true positives (a value given and right), false positives (a value
given and wrong, or given where the post has none), false negatives (a value the post has and
the draft missed or got wrong). List fields (targets, trigger kinds, confirmations, notes'
dates) count element by element; ``{"any_of": [...]}`` takes the reading that scores best.
``exact`` is the share of posts whose field is entirely right (a correct "none" included).

The folder is ``$THESIS_POSTS``, by default ``<repo>/../shared/posts`` (beside the checkout,
like the market data).
"""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

FIELDS = ["opinion_only", "symbol", "direction", "published", "entry_zone", "entry_order", "stop", "targets", "sizes",
          "move_stop_to_breakeven", "horizon", "claims", "trigger_kinds", "trigger_timeframes", "confirmations",
          "options", "notes"]
SCALAR = {"opinion_only", "symbol", "direction", "published", "entry_zone", "entry_order", "stop", "horizon",
          "move_stop_to_breakeven"}


def posts_dir() -> Path:
    env = os.environ.get("THESIS_POSTS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared" / "posts"


def post_folders(root: str | Path | None = None) -> list[Path]:
    """The folder and each of its subfolders that holds posts (``posts/`` and ``posts/more/``)."""
    root = Path(root) if root else posts_dir()
    subs = sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.expected.json"))) \
        if root.is_dir() else []
    return [root, *subs]


def load_posts(folder: str | Path | None = None, deep: bool = False) -> list[tuple[str, Path, dict]]:
    """(name, post path, expected) of the posts in ``folder`` (with ``deep``, its subfolders too)."""
    folder = Path(folder) if folder else posts_dir()
    if deep:
        return [p for f in post_folders(folder) for p in load_posts(f)]
    out = []
    for exp in sorted(folder.glob("*.expected.json")):
        post = exp.with_name(exp.name.replace(".expected.json", ".txt"))
        if post.is_file():
            out.append((post.stem, post, json.loads(exp.read_text(encoding="utf-8"))))
    return out


def _eq(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_eq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_eq(a[k], b[k]) for k in a)
    return a == b


def _match(pred: list, exp: list) -> tuple[int, int, int]:
    left = list(exp)
    tp = 0
    for p in pred:
        hit = next((i for i, e in enumerate(left) if _eq(p, e)), None)
        if hit is not None:
            tp += 1
            left.pop(hit)
    return tp, len(pred) - tp, len(exp) - tp


def _scalar(pred, exp) -> tuple[int, int, int, bool]:
    if exp is None or exp is False:
        given = pred not in (None, False)
        return 0, int(given), 0, not given
    if pred is None or pred is False:
        return 0, 0, 1, False
    ok = _eq(pred, exp)
    return (1, 0, 0, True) if ok else (0, 1, 1, False)


def compare(name: str, pred, exp) -> tuple[int, int, int, bool]:
    """(tp, fp, fn, exact) of one field of one post."""
    if isinstance(exp, dict) and "any_of" in exp:      # the reading that fits best (the first of equals)
        readings = [compare(name, pred, reading) for reading in exp["any_of"]]
        return max(readings, key=lambda r: (r[3], r[0] - r[1] - r[2]))
    if name in SCALAR:
        return _scalar(pred, exp)
    if name == "notes":
        pred = pred or []
        if isinstance(exp, int):
            if exp == 0:
                return 0, int(len(pred) > 0), 0, len(pred) == 0
            return (1, 0, 0, True) if len(pred) == exp else (0, 1, 1, False)
        got = [n.get("date") for n in pred]
        want = [n.get("date") for n in exp]
        tp, fp, fn = _match(got, want)
        return tp, fp, fn, got == want
    if name == "claims":
        pred, exp = pred or {}, exp or {}
        p = [(k, v) for k, v in pred.items()]
        e = [(k, v) for k, v in exp.items()]
        tp, fp, fn = _match(p, e)
        return tp, fp, fn, fp == 0 and fn == 0
    if name == "options":
        if exp is None:
            return 0, int(pred is not None), 0, pred is None
        if pred is None:
            return 0, 0, len(exp), False
        p = [(k, v) for k, v in pred.items() if k in exp or k == "type"]
        e = list(exp.items())
        tp, fp, fn = _match(p, e)
        return tp, fp, fn, fp == 0 and fn == 0
    pred = list(pred or [])
    exp = list(exp or [])
    tp, fp, fn = _match(pred, exp)
    ordered = name in ("targets", "sizes")
    exact = (_eq(pred, exp) if ordered else (fp == 0 and fn == 0))
    return tp, fp, fn, exact


def draft_all(posts: list[tuple[str, Path, dict]], source: str | None = None) -> list[dict]:
    """Draft each post once: [{"post", "folder", "expected", "got", "error"}]."""
    from thesis.draft import NoTrade, draft_post, read_post
    from thesis.draft.write import summary
    from thesis.errors import BadInput

    rows = []
    for name, path, expected in posts:
        try:
            res = draft_post(read_post(path), source=source, name=path.name)
            got, error = summary(res.draft), None
        except NoTrade as exc:  # the post proposes no trade: its symbol and date still count
            got, error = summary(exc.draft), None
        except BadInput as exc:
            got, error = {}, str(exc)
        rows.append({"post": name, "folder": path.parent.name, "expected": expected, "got": got, "error": error})
    return rows


def field_scores(rows: list[dict]) -> dict:
    """Per-field precision, recall and exact share over ``rows`` (from draft_all), and the totals."""
    totals: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    posts = []
    right = total = whole = 0
    for r in rows:
        wrong = {}
        for f in FIELDS:
            if f not in r["expected"]:
                continue
            tp, fp, fn, exact = compare(f, r["got"].get(f), r["expected"][f])
            totals[f].update(tp=tp, fp=fp, fn=fn, exact=int(exact), n=1)
            right += exact
            total += 1
            if not exact:
                wrong[f] = {"got": r["got"].get(f), "expected": r["expected"][f]}
        whole += not wrong and r["error"] is None
        posts.append({"post": r["post"], "folder": r["folder"], "error": r["error"], "wrong": wrong})
    fields = {}
    for f, c in totals.items():
        if not c["n"]:
            continue
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        fields[f] = {"posts": c["n"], "tp": tp, "fp": fp, "fn": fn,
                     "precision": tp / (tp + fp) if tp + fp else None,
                     "recall": tp / (tp + fn) if tp + fn else None,
                     "exact": c["exact"] / c["n"]}
    return {"fields": fields, "posts": posts, "fields_right": right, "fields_total": total,
            "posts_right": whole, "posts_total": len(rows)}


def _tuned_lines() -> list[str]:
    path = Path(__file__).with_name("tuned-on.txt")
    return path.read_text(encoding="utf-8").splitlines() if path.is_file() else []


def tuned_on() -> set[str]:
    """The posts the rules were last tuned on (thesis/draft/tuned-on.txt): the others are held out."""
    return {ln.strip() for ln in _tuned_lines() if ln.strip() and not ln.lstrip().startswith("#")}


def score(folder: str | Path | None = None, source: str | None = None, deep: bool = True) -> dict:
    """Draft every post of ``folder`` (and, with ``deep``, of its subfolders such as ``more/``) and
    score it: {"folder", "fields", "posts", ...totals, "by_folder": {name: scores}, "held_out": scores
    of the posts not in tuned-on.txt (None when every post was tuned on)}."""
    root = Path(folder) if folder else posts_dir()
    rows = draft_all(load_posts(root, deep=deep), source)
    out = {"folder": str(root), **field_scores(rows)}
    out["by_folder"] = {name: field_scores([r for r in rows if r["folder"] == name])
                        for name in dict.fromkeys(r["folder"] for r in rows)}
    tuned = tuned_on()
    held = [r for r in rows if r["post"] not in tuned]
    out["held_out"] = field_scores(held) if held else None
    return out


def totals(result: dict) -> str:
    """'N of M fields right (P%), K of L posts fully right'."""
    n, m = result["fields_right"], result["fields_total"]
    return (f"{n} of {m} fields right ({n / m:.0%}), {result['posts_right']} of {result['posts_total']} "
            f"posts fully right" if m else "no posts")


def report(result: dict) -> str:
    """Every post, each folder alone, and the held-out posts, as plain text."""
    parts = [table(result, f"all posts in {result['folder']} and its subfolders")]
    for name, r in result["by_folder"].items():
        parts.append(table(r, f"folder {name}/", wrong=False))
    held = result["held_out"]
    parts.append(table(held, "held out (posts not in thesis/draft/tuned-on.txt)", wrong=False) if held else
                 "held out: none (every post was read when the rules were last tuned)")
    recorded = [ln.lstrip("# ").rstrip() for ln in _tuned_lines() if ln.startswith("#   ") or ln.startswith("# - ")]
    if recorded:
        parts.append("held-out figures recorded before tuning (thesis/draft/tuned-on.txt):\n  "
                     + "\n  ".join(recorded))
    return "\n\n".join(parts)


def table(result: dict, title: str | None = None, wrong: bool = True) -> str:
    """The per-field score as plain text (and, with ``wrong``, each field a post got wrong)."""
    def pct(v):
        return "   -" if v is None else f"{v:5.0%}"

    rows = [f"{title or 'posts in ' + result.get('folder', '')}: {totals(result)}",
            f"{'field':24} {'posts':>5} {'prec':>6} {'recall':>6} {'exact':>6}   tp  fp  fn"]
    for f, s in result["fields"].items():
        rows.append(f"{f:24} {s['posts']:5d} {pct(s['precision']):>6} {pct(s['recall']):>6} {pct(s['exact']):>6}"
                    f" {s['tp']:4d}{s['fp']:4d}{s['fn']:4d}")
    for p in result["posts"] if wrong else ():
        for f, w in p["wrong"].items():
            rows.append(f"  {p['post']}: {f}: got {w['got']!r}, expected {w['expected']!r}")
        if p["error"]:
            rows.append(f"  {p['post']}: error: {p['error']}")
    return "\n".join(rows)


if __name__ == "__main__":
    print(report(score()))
