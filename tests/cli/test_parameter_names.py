"""Library errors name the parameter (``asof``, ``day``, ``currency``); the command line names its flag
(``--asof``, ``--date``, ``--currency``) for the same error: the two sides of thesis.errors.ParameterError."""
from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

import thesis
from thesis.errors import ParameterError

SEED = Path(__file__).resolve().parents[2] / "examples" / "iwm-no-love-for-small-caps.toml"
BEFORE = "2020-01-02"          # the seed was published in 2023


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_evaluate_and_replay_name_their_parameters():
    with pytest.raises(ParameterError, match=r"^lookback must be a whole number") as err:
        thesis.evaluate(SEED, lookback=0)
    with pytest.raises(ParameterError, match=rf"^asof {BEFORE} is before the idea was published") as err2:
        thesis.evaluate(SEED, asof=BEFORE)
    with pytest.raises(ParameterError, match=rf"^asof {BEFORE} is before the idea was published") as err3:
        thesis.replay(SEED, asof=BEFORE)
    assert all("--" not in str(e.value) for e in (err, err2, err3))


def test_sizing_and_notes_name_their_parameters(tmp_path):
    from thesis.risk.units import Account, parse_risk, size_idea
    from thesis.watch.notes import add_note

    with pytest.raises(ParameterError, match=r"^risk_fraction must be above 0"):
        parse_risk("2")
    with pytest.raises(ParameterError, match=r"^account must be a positive amount"):
        Account(-5.0)
    with pytest.raises(ParameterError, match=r"^risk_fraction must be above 0"):
        Account(10_000.0, 2.0)
    with pytest.raises(ParameterError, match=r"^currency must be a 3-letter code"):
        size_idea(thesis.load(SEED).instrument, 10_000, 0.01, 180.0, 190.0, "DOLLARS", pd.Timestamp("2023-06-14"))
    idea = tmp_path / "idea.toml"
    shutil.copy(SEED, idea)
    before = idea.read_bytes()
    future = date.today() + timedelta(days=30)
    with pytest.raises(ParameterError, match=rf"^day {future} is in the future"):
        add_note(idea, "a note", future)
    with pytest.raises(ParameterError, match=r"^day 2020-01-02 is before the idea was published"):
        add_note(idea, "a note", date(2020, 1, 2))
    assert idea.read_bytes() == before


@pytest.mark.parametrize("args, said", [
    (["evaluate", str(SEED), "--asof", BEFORE], f"--asof {BEFORE} is before the idea was published"),
    (["evaluate", str(SEED), "--account", "10000", "--risk", "2"], "--risk must be above 0"),
    (["evaluate", str(SEED), "--account", "10000", "--currency", "DOLLARS"], "--currency must be a 3-letter code"),
    (["replay", str(SEED), "--account", "10000", "--currency", "DOLLARS"], "--currency must be a 3-letter code"),
])
def test_the_command_line_names_the_flags(run, args, said):
    out = run(args)
    assert out.exit_code == 2 and said in _flat(out.stderr), out.stderr


def test_note_names_the_date_flag(run, tmp_path):
    idea = tmp_path / "idea.toml"
    shutil.copy(SEED, idea)
    out = run(["note", str(idea), "a note", "--date", "2020-01-02"])
    assert out.exit_code == 2 and "--date 2020-01-02 is before the idea was published" in _flat(out.stderr), out.stderr
