"""Standing fuzz property over idea files (issue 10, "a standing fuzz suite"; the spec side).

For every generated file: validation either accepts it or refuses it with an IdeaError that names
the file; when it accepts, replay, its JSON document and evaluate run on real bars without
refusing the file and without any other exception. Bounded to a few dozen examples in `make test`;
set THESIS_FUZZ_EXAMPLES for a longer run.
"""
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typer.testing import CliRunner

from thesis.cli import app
from thesis.errors import IdeaError
from thesis.spec import parse

EXAMPLES = int(os.environ.get("THESIS_FUZZ_EXAMPLES", "30"))

# Per key: the plain value first, then values a careless or hostile author writes.
POOL = {
    ("idea", "title"): ['"IWM short"', '"[/] :x: [bold]"', '""', "5", '"' + "t" * 300 + '"'],
    ("idea", "symbol"): ['"IWM"', '"iwm"', '" IWM "', '"../x"', '""', "1", '"' + "A" * 30 + '"'],
    ("idea", "published"): ["2023-06-04", "2023-06-04T10:00:00", '"2023-06-04"', "1500-01-03", "2001-02-03",
                            "2025-12-31"],
    ("idea", "direction"): ['"short"', '"long"', '"sideways"', "1"],
    ("idea", "horizon"): ['"6mo"', '"40s"', '"0s"', '"1d"', '"8w"', '"1y"', '"30y"', '"31y"', "2023-12-31",
                          '"2023-12-31"', "2023-06-05", '"2023-02-30"', '"99999999999y"', "5", '"abc"'],
    ("levels", "entry_zone"): ["[188.0, 190.0]", "[190.0, 188.0]", "[nan, 190.0]", '["188", 190.0]',
                               "[1e-300, 190.0]", "[188.0]", "[188, 190]", "[150.0, 250.0]", "[[188.0], 190.0]"],
    ("levels", "stop"): ["212.0", "100.0", '"212"', "inf", "-1.0", "0", "1e308", "190.0", "189.0", "212"],
    ("levels", "targets"): ["[130.0]", "[]", "[150.0, 130.0]", "[200.0]", '["130"]', "[nan]", "[130.0, 130.0]",
                            "[187.99]"],
    ("levels", "sizes"): [None, "[1.0]", "[0.5, 0.5]", "[2.0]", "[0.0]", "[1]"],
    ("levels", "move_stop_to_breakeven"): [None, "true", '"yes"', "1"],
    ("entry", "order"): ['"limit"', '"signal"', '"market"'],
    ("entry", "price"): [None, "188.0", "187.0", "190.0", '"188"', "189.5", "nan"],
    ("claims", "risk_reward"): [None, "7.0", '"2:1"', '"2 to 1"', '"abc"', "nan", "0", "-3", '"2:0"', "1e12"],
    ("claims", "american_odds"): [None, '"+700"', "0", '"abc"', "-150", "50", "1e300"],
    ("claims", "break_even_win_rate"): [None, "0.3", "5.0", "0", "1"],
    ("claims", "target_pct"): [None, "30", "-31", "1e9", '"30%"'],
    ("options", "type"): ['"put"', None, '"call"', '"straddle"'],
    ("options", "delta"): ["-0.30", None, "0.30", "-1.5"],
    ("options", "days"): ["150", None, "0", "100000000", '"150"', "3000"],
    ("options", "iv"): ["0.20", None, "20.0", "inf", "1000.0", "0", "5.0", "0.0001"],
    ("options", "contracts"): [None, "1", '"+700"', "0", "100000000"],
    ("options", "rate"): [None, "0.05", "5.0", "nan", "-0.5"],
    ("triggers", "kind"): [None, '"outside_bar"', '"zone_rejection"', '"nope"'],
    ("triggers", "zone"): [None, "[188.0, 190.0]", "[nan, 1.0]", '["a", 1]'],
    ("notes", "date"): [None, "2023-06-05", "9999-12-31", "2030-01-01", '"2023-06-08"'],
    ("notes", "text"): ['"a note"', '"[/]"', "3"],
}
ARRAYS = {"triggers", "notes"}


def render(choice: dict) -> str:
    tables: dict[str, list[str]] = {}
    for (table, key), value in choice.items():
        if value is not None:
            tables.setdefault(table, []).append(f"{key} = {value}")
    out = ["schema_version = 1"]
    for table in ("idea", "levels", "entry", "claims", "options", "triggers", "notes"):
        lines = tables.get(table)
        if not lines:
            continue
        if table in ARRAYS:
            if not any(line.startswith(("kind", "date")) for line in lines):
                continue
            out.append(f"[[{table}]]")
        else:
            if table == "options" and not any(line.startswith("type") for line in lines):
                continue
            out.append(f"[{table}]")
        out += lines
    return "\n".join(out) + "\n"


@st.composite
def idea_texts(draw):
    # The plain file with up to four keys changed: keeps a good share of files valid, so the
    # commands run on many of them.
    keys = list(POOL)
    changed = draw(st.lists(st.sampled_from(keys), max_size=4, unique=True))
    return render({k: (draw(st.sampled_from(v)) if k in changed else v[0]) for k, v in POOL.items()})


@pytest.fixture(scope="module")
def bars_loaded(data_root):
    """Warm the loader once, so examples measure the property, not the first CSV read."""
    from thesis.data import load_bars

    return load_bars("IWM")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=idea_texts())
def test_valid_means_every_command_accepts(bars_loaded, tmp_path, text):
    try:
        idea = parse(text, "fuzz.toml")
    except IdeaError as exc:
        assert str(exc).startswith("fuzz.toml") and len(str(exc)) < 1000
        return
    path = tmp_path / "fuzz.toml"
    path.write_text(text)
    runs = [["check", str(path)], ["replay", str(path)], ["evaluate", str(path), "--account", "10000"]]
    if idea.options is not None:
        runs.append(["options", "plan", str(path), "--json"])
    for args in runs:
        out = CliRunner().invoke(app, args)
        crashed = out.exception is not None and not isinstance(out.exception, SystemExit)
        assert not crashed, f"{args[0]} raised {out.exception!r} on\n{text}"
        assert out.exit_code == 0, f"check passed but `{' '.join(args[:2])}` refused the file:\n{text}\n{out.output}"
