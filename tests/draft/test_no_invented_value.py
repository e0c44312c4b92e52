"""No drafted level is a number the post does not give: over every post of the folder (posts/ and
posts/more/), each level of each draft is read back from the text span it came from, and lies in the
band around the symbol's price on the publication date when the data source holds it."""
from __future__ import annotations

import re

import pytest

from thesis.draft import NoTrade, draft_post, read_post
from thesis.draft.band import BAND, reference_price, times_off
from thesis.draft.score import load_posts, posts_dir

NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(k\b)?(?:\s*/\s*(\d{1,3})\b)?", re.I)
PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def numbers_in(span_text: str) -> list[float]:
    """The numbers a reader sees in ``span_text``: '4,300' is 4300, '62.5k' 62500, '1.3640/60' both ends."""
    out = []
    for m in NUMBER.finditer(span_text):
        whole, frac, k, tail = m.group(1).replace(",", ""), m.group(2) or "", m.group(3), m.group(4)
        v = float(whole + frac) * (1000 if k else 1)
        out.append(v)
        if tail and len(tail) <= len(frac) - 1:  # dealer shorthand: the tail replaces the last digits
            out.append(float((whole + frac)[:-len(tail)] + tail))
        if k is None:
            out.append(v * 1000)  # "61.5-62.5k": the k of the range's other end
    return out


def spans_text(post_text: str, spans: list[dict]) -> str:
    lines = post_text.split("\n")
    return " | ".join(lines[s["line"] - 1][s["start"]:s["end"]] for s in spans)


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(b))


ALL = load_posts(posts_dir(), deep=True)


@pytest.mark.parametrize("name,path,expected", ALL, ids=[n for n, _, _ in ALL])
def test_every_drafted_level_is_read_from_its_span_and_in_the_price_band(name, path, expected):
    text = read_post(path)
    try:
        res = draft_post(text, name=path.name, propose=False)
    except NoTrade as exc:  # an opinion-only post drafts no levels
        assert expected.get("opinion_only"), f"{name}: {exc}"
        assert all(exc.draft.value(k) is None for k in ("entry_zone", "stop", "targets"))
        return
    assert not expected.get("opinion_only"), f"{name} is opinion only but was drafted"
    fields = res.document["fields"]
    levels = []
    for key in ("entry_zone", "stop", "targets"):
        value = fields[key]["value"]
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        levels += values
        seen = spans_text(text, fields[key]["spans"])
        assert seen.strip(), f"{name}: {key} {value} has no span"
        found = numbers_in(seen)
        pct = PERCENT.search(seen)
        for v in values:
            if any(close(v, n) for n in found):
                continue
            # a percentage level ("a stop 5% below entry") resolved from the entry
            entry = fields["entry_zone"]["value"]
            assert pct and entry and any(close(v, round(e * (1 + sgn * float(pct.group(1)) / 100), 4))
                                         for e in entry for sgn in (1, -1)), \
                f"{name}: {key} {v} is not a number of its span {seen!r}"
    published = res.draft.value("published")
    symbol = res.draft.value("symbol")
    if published and symbol and levels:
        found = reference_price(symbol, published)
        if found:
            assert all(times_off(v, found[0]) <= BAND for v in levels), (name, levels, found)


def test_the_whole_folder_is_read(posts):
    assert len(ALL) > len(posts) >= 14
    assert sum(1 for _, _, e in ALL if e.get("opinion_only")) >= 3
