"""One date parser and one range rule for every command that takes a date (issue 9, item 6),
and one set of numeric limits for idea files and `thesis options` flags.

Every date flag goes through thesis.data.dates (parse_date / check_range): a date that does not
parse or lies outside the years thesis accepts, a reversed range, and a range wholly after today
and the data are bad input (exit 2) naming the flag. A single as-of date after the data is not
an error: the commands say where the data ends (issue 9, item 12).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"

FUTURE = (dt.date.today() + dt.timedelta(days=400)).isoformat()
PRICE = ["options", "price", "--type", "call", "--spot", "100", "--strike", "100", "--iv", "0.2"]
SCENARIO = ["options", "scenario", "--type", "put", "--strike", "100", "--spot", "100", "--iv", "0.2"]


def _flat(text: str) -> str:
    return " ".join(text.split())


# Every date flag of every command, with what the rest of the command line needs.
DATE_FLAGS = [
    (["evaluate", IDEA], "--asof"),
    (["chart", IDEA, "-o", "x.png"], "--asof"),
    (["study", IDEA], "--from"),
    (["study", IDEA], "--to"),
    (["study", IDEA], "--split"),
    (["market"], "--asof"),
    (["market"], "--since"),
    (PRICE + ["--days", "30"], "--asof"),
    (PRICE + ["--asof", "2024-01-02"], "--expiry"),
    (SCENARIO + ["--days", "30"], "--asof"),
    (SCENARIO + ["--asof", "2024-01-02"], "--expiry"),
    (["options", "plan", IDEA], "--asof"),
    (["scorecard", ROOT / "examples"], "--asof"),
    (["draft", ROOT / "examples" / "authors" / "missing-post.txt"], "--published"),
    (["journal"], "--since"),
    (["data", "show", "IWM"], "--from"),
    (["data", "show", "IWM"], "--to"),
]


@pytest.mark.parametrize("args,flag", DATE_FLAGS, ids=[f"{a[0]}-{a[1] if a[0] == 'options' else ''}{f}"
                                                       for a, f in DATE_FLAGS])
@pytest.mark.parametrize("value,words", [("2023-02-30", "is not a date: use YYYY-MM-DD"),
                                         ("9999-12-31", "outside the dates thesis accepts")])
def test_every_date_flag_uses_the_one_parser(run, args, flag, value, words):
    out = run([*args, flag, value])
    assert out.exit_code == 2 and out.problem() is None, (out.exit_code, out.stderr)
    assert f"{flag} " in out.stderr and words in _flat(out.stderr), out.stderr


@pytest.mark.parametrize("args,names", [
    (["study", IDEA, "--from", "2024-01-01", "--to", "2020-01-01"], ("--from 2024-01-01", "--to 2020-01-01")),
    (["study", IDEA, "--from", "2020-01-01", "--to", "2021-01-01", "--split", "2022-01-01"],
     ("--split 2022-01-01", "--to 2021-01-01")),
    (["study", IDEA, "--from", "2020-01-01", "--split", "2019-06-01"], ("--from 2020-01-01", "--split 2019-06-01")),
    (["data", "show", "IWM", "--from", "2024-01-01", "--to", "2020-01-01"], ("--from", "--to")),
    (PRICE + ["--asof", "2024-01-10", "--expiry", "2024-01-02"], ("--expiry 2024-01-02 is before --asof 2024-01-10",)),
    (SCENARIO + ["--asof", "2024-01-10", "--expiry", "2024-01-02"], ("--expiry 2024-01-02 is before --asof 2024-01-10",)),
    (["market", "--asof", "2020-01-02", "--since", "2021-01-04"], ("--since 2021-01-04",)),
])
def test_reversed_ranges_are_bad_input(run, args, names):
    out = run(args)
    assert out.exit_code == 2 and out.problem() is None, out.stderr
    text = _flat(out.stderr)
    assert all(n in text for n in names) and any(w in text for w in ("reversed", "after", "before")), text


@pytest.mark.parametrize("args,flag", [
    (["study", IDEA, "--from", FUTURE], "--from"),
    (["study", IDEA, "--split", FUTURE], "--split"),
    (["data", "show", "IWM", "--from", FUTURE], "--from"),
    (["journal", "--since", FUTURE], "--since"),
    (["draft", ROOT / "examples" / "authors" / "missing-post.txt", "--published", FUTURE], "--published"),
])
def test_ranges_wholly_after_today_and_the_data_are_bad_input(run, args, flag):
    out = run(args)
    assert out.exit_code == 2 and out.problem() is None, out.stderr
    assert f"{flag} {FUTURE} is in the future" in _flat(out.stderr), out.stderr


def test_a_future_pricing_date_is_a_what_if_not_an_error(run):
    out = run(PRICE + ["--asof", FUTURE, "--days", "30", "--json"])
    assert out.exit_code == 0, out.stderr
    assert '"price"' in out.stdout


def test_the_library_shares_the_parser():
    """study(), options' to_date and the market report refuse what the flags refuse, in the same words."""
    from thesis.data.dates import parse_date
    from thesis.errors import BadInput
    from thesis.options.pricing import to_date
    from thesis.study.plan import option_date

    for call in (lambda v: parse_date(v, "--x"), lambda v: to_date(v, "--x"), lambda v: option_date("--x", v)):
        with pytest.raises(BadInput, match=r"--x '2023-02-30' is not a date"):
            call("2023-02-30")
        with pytest.raises(BadInput, match="outside the dates thesis accepts"):
            call("1500-01-03")
    assert to_date("2023-06-05", "--x") == dt.date(2023, 6, 5)


@pytest.mark.parametrize("value", ["2023", "20230605", "June 5 2023", "yesterday"])
def test_only_year_month_day_is_a_date(run, value):
    """pandas reads "2023" as 2023-01-01: `--to 2023` would silently drop the year it names."""
    out = run(["study", IDEA, "--to", value])
    assert out.exit_code == 2 and f"--to {value!r} is not a date: use YYYY-MM-DD" in out.stderr, out.stderr


# ---------------------------------------------------------------- one set of numeric limits
def _idea_with_options(tmp_path, **options) -> str:
    text = IDEA.read_text()
    body = "".join(f"{k} = {v}\n" for k, v in options.items())
    days = "days = 150\n"
    assert days in text
    if "days" in options:
        text = text.replace(days, "")
    path = tmp_path / "idea.toml"
    path.write_text(text.replace("iv = 0.20\n", "iv = 0.20\n" + body))
    return str(path)


def test_cli_flags_and_idea_files_read_the_same_limits():
    import thesis.limits as limits
    from thesis.cli import options as cli
    from thesis.options import spec

    for name in ("MAX_IV", "MIN_RATE", "MAX_RATE", "MAX_DAYS", "MAX_PRICE", "MAX_CONTRACTS", "MAX_DIV_YIELD"):
        assert getattr(spec, name) == getattr(limits, name), name
    assert cli.MAX_DAYS == spec.MAX_DAYS and cli.MAX_IV == spec.MAX_IV and cli.MAX_RATE == spec.MAX_RATE


@pytest.mark.parametrize("key,flag,refused,accepted", [
    ("rate", "--rate", "0.6", "0.5"),            # the CLI once took up to 1
    ("days", "--days", "3661", "3660"),          # the CLI once took up to 10950
])
def test_a_value_the_idea_file_refuses_the_flag_refuses(run, tmp_path, key, flag, refused, accepted):
    bad = run(["check", _idea_with_options(tmp_path, **{key: refused})])
    assert bad.exit_code == 2 and key in bad.stderr, bad.stderr
    good = run(["check", _idea_with_options(tmp_path, **{key: accepted})])
    assert good.exit_code == 0, good.stderr
    timing = [] if key == "days" else ["--days", "30"]
    out = run(PRICE + timing + [flag, refused])
    assert out.exit_code == 2 and flag in out.stderr and out.problem() is None, out.stderr
    out = run(PRICE + timing + [flag, accepted, "--style", "european", "--json"])
    assert out.exit_code == 0, out.stderr


def test_horizon_days_flag_takes_the_longest_idea_horizon(run):
    from thesis.limits import MAX_HORIZON_DAYS
    from thesis.spec.idea import HORIZON_MAX

    assert HORIZON_MAX["d"] == MAX_HORIZON_DAYS
    args = ["options", "plan", "--direction", "long", "--entry", "100", "--stop", "90", "--target", "120",
            "--iv", "0.2", "--asof", "2024-01-02", "--json"]
    assert run(args + ["--horizon-days", str(MAX_HORIZON_DAYS + 1)]).exit_code == 2
    out = run(args + ["--horizon-days", str(MAX_HORIZON_DAYS)])
    assert out.exit_code == 0, out.stderr


@pytest.mark.parametrize("value,words", [("2023-02-30", "is not a date"), ("9999-12-31", "outside the dates"),
                                         (FUTURE, "is in the future")])
def test_note_date_uses_the_one_parser_and_leaves_the_file_alone(run, tmp_path, value, words):
    idea = tmp_path / "idea.toml"
    idea.write_text(IDEA.read_text())
    before = idea.read_text()
    out = run(["note", idea, "a note", "--date", value])
    assert out.exit_code == 2 and f"--date {value if value != '2023-02-30' else repr(value)}" in out.stderr
    assert words in _flat(out.stderr) and idea.read_text() == before


def test_an_option_expiry_past_the_last_year_is_refused_by_file_and_flag(run, tmp_path):
    text = IDEA.read_text().replace("days = 150\n", "expiry = 2150-01-02\n")
    (tmp_path / "late.toml").write_text(text)
    bad = run(["check", tmp_path / "late.toml"])
    assert bad.exit_code == 2 and "expiry" in bad.stderr, bad.stderr
    out = run(PRICE + ["--asof", "2149-12-01", "--expiry", "2150-01-02"])
    assert out.exit_code == 2 and "--asof 2149-12-01: dates must lie between 1901 and 2100" in _flat(out.stderr)
