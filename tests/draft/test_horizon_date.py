"""The idea's horizon may be an end date ("into year end"): one resolution function
(Idea.horizon_end / horizon_days) serves replay, options plan and studies."""
from __future__ import annotations

import pandas as pd
import pytest

import thesis
from thesis.errors import IdeaError
from thesis.spec import parse

IDEA = """schema_version = 1
[idea]
title = "ARKK into year end"
symbol = "ARKK"
published = 2023-06-30
direction = "long"
horizon = {horizon}
[levels]
entry_zone = [44.0, 44.0]
stop = 30.0
targets = [80.0]
"""


@pytest.mark.parametrize("horizon", ["2023-12-31", '"2023-12-31"'])
def test_end_date_resolves_to_that_day_whatever_the_entry(horizon):
    idea = parse(IDEA.format(horizon=horizon))
    assert idea.horizon_end("2023-07-05") == pd.Timestamp("2023-12-31")
    assert idea.horizon_end("2023-09-01") == pd.Timestamp("2023-12-31")
    assert idea.horizon_sessions() is None
    assert idea.horizon_days(idea.idea.published) == 184


def test_replay_time_stop_is_the_last_session_on_or_before_the_end_date():
    res = thesis.replay(parse(IDEA.format(horizon="2023-12-31")), with_options=False)
    trade = res.to_dict()["trades"][0]
    assert trade["entry"]["date"] == "2023-06-30"
    assert trade["exit"] == {"date": "2023-12-29", "price": pytest.approx(52.37, abs=0.01), "reason": "time"}


def test_study_keeps_the_span_from_publication():
    from thesis.study.plan import _idea_hold

    assert _idea_hold(parse(IDEA.format(horizon="2023-12-31"))).offset == "184d"


def test_an_end_date_before_publication_is_refused():
    with pytest.raises(IdeaError, match="after the publication date"):
        parse(IDEA.format(horizon="2023-06-01"))


def test_options_plan_takes_the_days_to_the_end_date(tmp_path):
    import json

    from typer.testing import CliRunner

    from thesis.cli import app

    idea = tmp_path / "arkk.toml"
    idea.write_text(IDEA.format(horizon="2023-12-31"))
    result = CliRunner().invoke(app, ["options", "plan", str(idea), "--iv", "0.5", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["horizon_days"] == 184 and doc["asof"] == "2023-06-30"
