"""Issue 10.5/10.6: one strict validation for idea files, the same for every command.

Each case here was accepted (or crashed) before: a string for a number, a non-finite or absurd
number, a zero horizon, deep nesting, a huge title, a claim `check` let through that replay refused.
"""
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.errors import IdeaError
from thesis.spec import load, parse
from thesis.spec.limits import MAX_FILE_BYTES, MAX_NOTE, MAX_TITLE

SEED = (Path(__file__).resolve().parents[2] / "examples" / "iwm-no-love-for-small-caps.toml").read_text()


def bad(old: str, new: str) -> IdeaError:
    assert old in SEED, old
    with pytest.raises(IdeaError) as e:
        parse(SEED.replace(old, new, 1), "idea.toml")
    return e.value


def ok(old: str, new: str):
    assert old in SEED, old
    return parse(SEED.replace(old, new, 1), "idea.toml")


@pytest.mark.parametrize("old,new,key,words", [
    # strings are not numbers (pydantic strict): "+700" contracts were 700 contracts
    ("contracts = 1", 'contracts = "+700"', "options.contracts", "'+700'"),
    ("stop = 212.0", 'stop = "212"', "levels.stop", "valid number"),
    ("contracts = 1", "contracts = 2.0", "options.contracts", "integer"),
    ("contracts = 1", "contracts = true", "options.contracts", "integer"),
    # non-finite numbers name the key and the line
    ("stop = 212.0", "stop = inf", "levels.stop", "finite"),
    ("entry_zone = [188.0, 190.0]", "entry_zone = [nan, 190.0]", "levels.entry_zone #1", "finite"),
    ("iv = 0.20", "iv = inf", "options.iv", "finite"),
    ("iv = 0.20", "iv = 0.20\nrate = nan", "options.rate", "finite"),
    ("risk_reward = 7.0", "risk_reward = nan", "claims.risk_reward", "finite"),
    # ranges
    ("stop = 212.0", "stop = 1e-300", "levels.stop", "greater than"),
    ("stop = 212.0", "stop = 1e308", "levels.stop", "out of range"),
    ("iv = 0.20", "iv = 20.0", "options.iv", "decimal"),
    ("iv = 0.20", "iv = 1000.0", "options.iv", "decimal"),
    ("iv = 0.20", "iv = 0.20\nrate = 5.0", "options.rate", "decimal"),
    ("days = 150", "days = 100000000", "options.days", "less than"),
    ("contracts = 1", "contracts = 0", "options.contracts", "greater than"),
    ('horizon = "6mo"', 'horizon = "0s"', "idea.horizon", "zero"),
    ('horizon = "6mo"', 'horizon = "99999999999y"', "idea.horizon", "30 years"),
    ('horizon = "6mo"', 'horizon = "31y"', "idea.horizon", "30 years"),
    ('horizon = "6mo"', "horizon = 2023-01-31", "idea.horizon", "after the publication"),
    ("date = 2023-06-05", "date = 9999-12-31", "notes #1.date", "2100-12-31"),
    ("published = 2023-06-04", "published = 1500-01-03", "idea.published", "1900-01-01"),
    ("days = 150", "expiry = 2023-01-20", "options", "after the publication"),
    # claims: what replay/evaluate refused, check refuses now
    ('american_odds = "+700"', "american_odds = 0", "claims.american_odds", "+100 or more"),
    ('american_odds = "+700"', 'american_odds = "abc"', "claims.american_odds", "number"),
    ('american_odds = "+700"', "break_even_win_rate = 5.0", "claims.break_even_win_rate", "less than 1"),
    ("risk_reward = 7.0", 'risk_reward = "abc"', "claims.risk_reward", "not a number"),
    ("risk_reward = 7.0", 'risk_reward = "2:0"', "claims.risk_reward", "divides by zero"),
    # an entry price outside its own zone
    ("price = 188.0", "price = 187.0", "entry.price", "outside the entry zone"),
    # symbols follow the one symbol rule
    ('symbol = "IWM"', 'symbol = "../../etc/x"', "idea.symbol", "not a valid symbol"),
    ('compare = ["SPY", "QQQ"]', 'compare = ["SPY", "a/b"]', "idea.compare", "not a valid symbol"),
])
def test_refused_with_file_line_and_key(old, new, key, words):
    e = bad(old, new)
    assert e.key is not None and e.key.startswith(key), (e.key, str(e))
    assert words in str(e), str(e)
    assert e.line is not None and str(e).startswith(f"idea.toml, line {e.line}")


def test_claims_written_as_text_are_accepted_like_check_claims_does():
    for text in ('"2:1"', '"2 to 1"', '"7/1"', "2"):
        idea = ok("risk_reward = 7.0", f"risk_reward = {text}")
        assert idea.claims.given()["risk_reward"] in ("2:1", "2 to 1", "7/1", 2)


def test_horizon_forms_and_their_days():
    assert ok('horizon = "6mo"', 'horizon = "40s"').horizon_sessions() == 40
    # 40 XNYS sessions from 2023-06-05 end on 2023-08-01 (Juneteenth and July 4th are holidays)
    idea = ok('horizon = "6mo"', 'horizon = "40s"')
    assert str(idea.horizon_date("2023-06-05").date()) == "2023-08-01"
    assert idea.horizon_days("2023-06-04") == 58
    end = ok('horizon = "6mo"', "horizon = 2023-12-31")  # the end-date form (a TOML date or text)
    assert end.horizon() == ("date", __import__("datetime").date(2023, 12, 31))
    assert end.horizon_days("2023-06-04") == 210
    assert ok('horizon = "6mo"', 'horizon = "2023-12-31"').horizon_days("2023-06-04") == 210
    assert ok('horizon = "6mo"', 'horizon = "8w"').horizon_days("2023-06-04") == 56


def test_deep_nesting_is_refused_cleanly():
    e = bad("tags = [", "deep = " + "[" * 500 + "]" * 500 + "\ntags = [")
    assert "nested too deep" in str(e)
    e = bad("tags = [", "tags = " + "[" * 20 + "]" * 20 + "\nxtags = [")
    assert "nested more than" in str(e) and e.key.startswith("idea.tags")


def test_text_limits_are_checked_before_anything_else():
    e = bad('title = "IWM: no love for small caps"', 'title = "' + "x" * 100_000 + '"')
    assert e.key == "idea.title" and f"at most {MAX_TITLE}" in str(e) and len(str(e)) < 300
    e = bad("Frankly speaking", "x" * (MAX_NOTE + 1) + " Frankly speaking")
    assert e.key == "notes #1.text" and f"at most {MAX_NOTE:,}" in str(e)


def test_file_size_limit_before_reading(tmp_path):
    big = tmp_path / "big.toml"
    big.write_text(SEED + "#" * (MAX_FILE_BYTES + 10))
    with pytest.raises(IdeaError, match="at most 1,000,000 bytes"):
        load(big)
    binary = tmp_path / "bin.toml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(IdeaError, match="not UTF-8"):
        load(binary)
    with pytest.raises(IdeaError, match="is a folder"):
        load(tmp_path)


def test_check_runs_the_validation_replay_runs(tmp_path):
    """A claim replay used to refuse (american_odds = 0) now fails `check` with exit 2, and the same
    file fails replay with the same message: one validation."""
    f = tmp_path / "odds.toml"
    f.write_text(SEED.replace('american_odds = "+700"', "american_odds = 0"))
    runner = CliRunner()
    outs = [runner.invoke(app, [cmd, str(f)]) for cmd in ("check", "replay", "evaluate")]
    assert [o.exit_code for o in outs] == [2, 2, 2]
    first = outs[0].stderr if hasattr(outs[0], "stderr") else outs[0].output
    assert "claims.american_odds" in first
    assert all(not isinstance(o.exception, Exception) or isinstance(o.exception, SystemExit) for o in outs)


def test_check_output_escapes_markup_and_counts_in_words(tmp_path):
    f = tmp_path / "m.toml"
    f.write_text(SEED.replace('title = "IWM: no love for small caps"', 'title = "[/] [bold]x :x:"'))
    out = CliRunner().invoke(app, ["check", str(f)])
    assert out.exit_code == 0, out.output
    assert "[/] [bold]x :x:" in out.output and "3 triggers" in out.output


def test_check_warns_on_symbols_the_source_lacks(tmp_path, data_root):
    folder = tmp_path / "csv"
    folder.mkdir()
    for sym in ("IWM", "SPY"):
        (folder / f"{sym}.csv").write_bytes((data_root / "daily" / f"{sym}.csv").read_bytes())
    f = tmp_path / "idea.toml"
    f.write_text(SEED)
    out = CliRunner().invoke(app, ["check", str(f), "--source", f"csv:{folder}", "--json"])
    assert out.exit_code == 0
    import json

    doc = json.loads(out.stdout)
    assert doc["valid"] is True
    missing = " ".join(doc["warnings"])
    for sym in ("QQQ", "UUP", "TLT", "USO"):
        assert f"symbol {sym} is not in" in missing
    assert "symbol IWM " not in missing and "symbol SPY " not in missing
