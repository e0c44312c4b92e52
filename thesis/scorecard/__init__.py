"""Scorecards: grade an author's ideas, not just one idea.

    from thesis.scorecard import scorecard
    card = scorecard("examples/authors")          # every idea file (and post) in the folder
    card.to_dict()["authors"][0]["skill"]         # the random-entry skill test

Each idea is replayed with its own levels and fill rules (``thesis.replay``); each author's
ideas are summarised (fill rate, hit rate, mean R with intervals, drawdown, claims) and
placed among random entries with the same levels (``thesis.scorecard.skill``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from thesis.jit import use_compiled

SCORECARD_SCHEMA = "thesis.scorecard/1"
GROUP_KEYS = ("author", "symbol", "direction")


@dataclass
class ScorecardResult:
    folder: str
    by: str
    asof: str | None
    grades: list = field(default_factory=list)          # IdeaGrade, in publication order
    groups: list[dict] = field(default_factory=list)     # per author (or symbol, direction)
    skipped: list[dict] = field(default_factory=list)    # files that could not be graded, and why
    draws: int = 0
    seed: int = 0
    random_r: object = field(default=None, repr=False)   # (ideas, draws) array of random-entry R
    timing: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"schema": SCORECARD_SCHEMA, "folder": self.folder, "by": self.by, "asof": self.asof,
                "settings": {"draws": self.draws, "seed": self.seed},
                "ideas": [g.to_dict() for g in self.grades],
                "authors": self.groups, "skipped": self.skipped, "timing": self.timing}


def collect(folder, source: str | None = None, recursive: bool = True) -> tuple[list, list[dict]]:
    """Idea files (*.toml) and posts (*.txt, drafted on the fly) in ``folder`` (or one file;
    with ``recursive`` its subfolders too).

    Returns (ideas, skipped): a file that does not load, or a post whose draft is incomplete,
    is listed in ``skipped`` with the reason, never graded.
    """
    from thesis.errors import BadInput, ThesisError
    from thesis.spec import load

    root = Path(folder)
    if not root.exists():
        raise BadInput(f"{folder}: no such file or folder")
    found = root.rglob("*") if recursive else root.glob("*")
    files = [root] if root.is_file() else sorted(p for p in found if p.suffix in (".toml", ".txt") and p.is_file())
    if not files:
        raise BadInput(f"{folder}: no idea files (*.toml) or posts (*.txt) in it")
    ideas, skipped = [], []
    for path in files:
        try:
            if path.suffix == ".txt":
                idea, missing = _draft(path, source)
                if idea is None:
                    skipped.append({"file": str(path), "reason": "incomplete draft", "missing": missing})
                    continue
            else:
                idea = load(path)
        except ThesisError as exc:
            skipped.append({"file": str(path), "reason": str(exc), "missing": []})
            continue
        ideas.append(idea)
    return ideas, skipped


def _draft(path: Path, source: str | None = None):
    """(Idea, []) for a post whose draft is complete (it passes the one idea validation),
    (None, [what it lacks]) otherwise: the draft's open questions and the validation's word."""
    from thesis.draft import draft_post, read_post
    from thesis.spec import parse

    result = draft_post(read_post(path), source=source, name=str(path))
    if not result.check["valid"]:
        lacks = list(result.document.get("open_questions") or [])
        return None, lacks + [result.check["message"]]
    idea = parse(result.toml, path)
    idea._path = str(path)
    return idea, []


def scorecard(folder, by: str = "author", asof=None, source: str | None = None, draws: int = 1000,
              seed: int = 0, with_setup: bool = True, progress=None, recursive: bool = True,
              account: float | None = None, risk_fraction: float = 0.01, currency: str = "USD") -> ScorecardResult:
    """Grade every idea in ``folder`` and summarise them per ``by`` (author, symbol or direction).

    ``account`` (with ``risk_fraction`` and ``currency``): each filled idea is sized to lose
    ``account x risk_fraction`` at its stop, and its P&L is given in that currency (per idea, and
    totalled per group over the ideas whose size is known; docs/scorecard.md)."""
    use_compiled()   # a batch: the numba kernels (thesis.jit)
    import time

    import pandas as pd

    from thesis.errors import ParameterError
    from thesis.scorecard.grade import grade_idea
    from thesis.scorecard.skill import random_r
    from thesis.scorecard.summary import author_summary

    if by not in GROUP_KEYS:
        raise ParameterError("by", f"must be one of {', '.join(GROUP_KEYS)}, not {by!r}")
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= 100_000:
        raise ParameterError("draws", f"must be a whole number from 0 to 100000, got {draws!r}")
    from thesis.risk.units import Account

    sized = None if account is None else Account(account, risk_fraction, currency)
    t0 = time.perf_counter()
    ideas, skipped = collect(folder, source, recursive)
    if asof is not None:
        asof = pd.Timestamp(asof)
        later = [i for i in ideas if pd.Timestamp(i.idea.published) > asof]
        skipped += [{"file": str(i.path), "reason": f"published {i.idea.published}, after --asof "
                     f"{asof.date()}", "missing": []} for i in later]
        ideas = [i for i in ideas if pd.Timestamp(i.idea.published) <= asof]
    ideas.sort(key=lambda i: (i.idea.published, str(i.path)))
    from thesis.scorecard.bars import BarsCache

    bars_of = BarsCache(source, asof)
    for adjustment in {i.idea.adjustment for i in ideas}:
        bars_of.preload({i.symbol for i in ideas if i.idea.adjustment == adjustment}, adjustment)
    grades = []
    for n, idea in enumerate(ideas):
        grades.append(grade_idea(idea, source=source, asof=asof, bars_of=bars_of, with_setup=with_setup,
                                 account=sized))
        if progress:
            progress("replay", n + 1, len(ideas))
    t1 = time.perf_counter()
    rand = random_r([g.skill for g in grades], bars_of, draws, seed) if draws else None
    t2 = time.perf_counter()
    keyed: dict[str, list[int]] = {}
    for i, g in enumerate(grades):
        keyed.setdefault(str(getattr(g, by)), []).append(i)
    groups = []
    for key, rows in sorted(keyed.items()):
        members = [grades[i] for i in rows]
        tested = [j for j, i in enumerate(rows) if grades[i].skill is not None]
        sub = None if rand is None else rand[rows]
        doc = author_summary(key, members, sub, tested, seed=seed)
        if by != "author":
            doc[by] = doc.pop("author")
        groups.append(doc)
    return ScorecardResult(folder=str(folder), by=by, asof=None if asof is None else str(asof.date()),
                           grades=grades, groups=groups, skipped=skipped, draws=draws, seed=seed,
                           random_r=rand, timing={"replay_s": round(t1 - t0, 3), "skill_s": round(t2 - t1, 3),
                                                  "total_s": round(time.perf_counter() - t0, 3)})
