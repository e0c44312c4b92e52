"""`thesis study` as a command (registered here on a small app, as the lead registers it)."""
import json

import typer
from typer.testing import CliRunner

from thesis.cli.study import study

app = typer.Typer()
app.command("study")(study)


@app.command("version")
def _version():  # a second command keeps typer in multi-command mode, as in `thesis`
    pass


runner = CliRunner()
SEED = "examples/iwm-no-love-for-small-caps.toml"


def run(*args):
    return runner.invoke(app, ["study", *args])


def test_json_is_one_document_with_the_documented_keys(study_doc_check):
    res = run(SEED, "--from", "2000-01-01", "--json", "--bootstrap", "300")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    study_doc_check(doc)             # every headline figure from the occurrences, with types
    assert doc["settings"]["bootstrap"] == 300 and doc["settings"]["base_rate"] == 1
    assert doc["base_rate"]["signals"] + doc["base_rate"]["open_trades"] == len(doc["occurrences"])
    first = doc["occurrences"][0]
    assert {"symbol", "date", "outcome", "r"} <= set(first) and first["symbol"] == "IWM"
    assert first["date"] >= "2000-01-01"
    assert doc["signals"] == sum(o["outcome"] in ("stop", "target", "time") for o in doc["occurrences"])
    assert res.stderr == ""                                   # no progress bars with --json


def test_grid_axes_after_one_flag_split_and_report(tmp_path):
    out = tmp_path / "rep"
    res = run(SEED, "--from", "2010-01-01", "--grid", "stop=5%,8%", "target=10%,20%", "zone_width=0.5,1.0",
              "--split", "2018-01-01", "--report", str(out), "--json", "--bootstrap", "200")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["grid"]["multiple_comparisons"]["cells_tried"] == 8
    assert doc["grid"]["axes"] == {"stop": ["5%", "8%"], "target": ["10%", "20%"], "zone_width": ["0.5", "1"]}
    assert doc["split"]["selection"].startswith(f"cell {doc['cell']['index']} was chosen")
    page = (out / "index.html").read_text()
    assert page.count("data:image/png;base64,") == 4          # histogram, equity, MFE/MAE, heat map
    for name in ("r_histogram.png", "equity.png", "mfe_mae.png", "grid_heatmap.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert doc["report"] == str(out / "index.html")


def test_table_output_names_the_figures():
    res = run(SEED, "--from", "2015-01-01", "--bootstrap", "200")
    assert res.exit_code == 0, res.stderr
    assert "Occurrences vs random entries" in res.stdout and "mean R" in res.stdout
    assert "edge over random entries" in res.stdout


def test_bad_input_exits_2_with_a_message_on_stderr():
    for args, words in ((["--grid", "stop=5"], "no unit"),
                        (["--grid", "stop=5%", "colour=red"], "unexpected argument 'colour=red'"),
                        (["--levels", "fixed", "--symbols", "SPY"], "only mean something on IWM"),
                        (["--base-rate", "-1"], "base-rate"),
                        (["--universe", "csv:/no/such/folder"], "does not exist"),
                        (["--symbols", "NOPE"], "NOPE")):
        res = run(SEED, *args, "--json")
        assert res.exit_code == 2, (args, res.stdout, res.stderr)
        assert words in res.stderr and res.stdout == ""
    res = run("missing-idea.toml", "--json")
    assert res.exit_code == 2 and "no such idea file" in res.stderr
