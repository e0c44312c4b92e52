"""A seeded mutation fuzz over CSV bytes and symbols (issue 10, standing fuzz suite: the data side).

Every mutated file either loads (validated bars) or is refused with a DataFileError/BadInput naming the
file; never another exception, never a message over 2 KB. THESIS_FUZZ_CASES raises the case count.
"""
import os
import random

import numpy as np
import pytest

from thesis.data import AS_TRADED, CsvFolder
from thesis.data.symbols import validate_symbol
from thesis.errors import BadInput

CASES = int(os.environ.get("THESIS_FUZZ_CASES", "300"))
TOKENS = [b"\x00", b"\n", b"\r", b"\r\n", b",", b"\f", "\u2028".encode(), b"\xff\xfe", b"inf", b"-inf", b"nan",
          b"1e308", b"1e-300", b"-1", b"0", b"[/]", b":x:", b"9999-12-31", b"1500-01-03", b"2023-02-30", b" ",
          b'"', b"'", b"9" * 60, b"date,open,high,low,close,volume\n", b"\xef\xbb\xbf", b"\t", b"e", b"."]


def mutate(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        at = rng.randrange(len(out) + 1)
        if op < 0.4:
            out[at:at] = rng.choice(TOKENS)
        elif op < 0.7 and out:
            del out[at:at + rng.randint(1, 12)]
        elif out:
            out[at:at + 1] = bytes([rng.randrange(256)])
    return bytes(out)


def test_mutated_csvs_load_or_are_refused_cleanly(tmp_path, data_root):
    seed_text = b"".join((data_root / "daily" / "IWM.csv").read_bytes().splitlines(keepends=True)[:40])
    rng = random.Random(20261201)
    folder = tmp_path / "daily"
    folder.mkdir()
    outcomes = {"loaded": 0, "refused": 0}
    for case in range(CASES):
        name = f"F{case}"
        data = mutate(rng, seed_text)
        (folder / f"{name}.csv").write_bytes(data)
        try:
            bars = CsvFolder(folder).fetch(name, AS_TRADED)
        except BadInput as exc:  # DataFileError is a BadInput
            assert len(str(exc)) < 2000, (case, data[:200])
            assert f"{name}.csv" in str(exc), (case, str(exc)[:300])
            outcomes["refused"] += 1
            continue
        # what loads is sound: finite, positive, high >= low, dates increasing
        prices = bars[["high", "low", "close"]].to_numpy()
        assert np.isfinite(prices).all() and (prices > 0).all(), case
        assert (bars["high"] >= bars["low"]).all() and bars.index.is_monotonic_increasing, case
        outcomes["loaded"] += 1
    assert outcomes["loaded"] > 0 and outcomes["refused"] > 0, outcomes


@pytest.mark.parametrize("seed", range(3))
def test_random_symbols_are_valid_or_refused(seed):
    rng = random.Random(seed)
    alphabet = "AZaz09.-^=/\\%:[]\x00 ~\u2028é"
    for _ in range(max(CASES, 300)):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        try:
            sym = validate_symbol(text)
        except BadInput as exc:
            assert len(str(exc)) < 300
            continue
        assert sym == sym.upper() and "/" not in sym and "\\" not in sym and not sym.startswith(".")
        assert 1 <= len(sym) <= 21
