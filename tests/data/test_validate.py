"""validate_frame, rule by rule: what each problem rejects, repairs or reports, where it points, and
how many rows it lists (the policy table in thesis/data/validate.py and the README)."""
import numpy as np
import pandas as pd
import pytest

from thesis.data import calendar, limits
from thesis.data.outliers import Flag
from thesis.data.validate import REJECT, REPAIR, REPORT, Report, validate_frame

OK = (100.0, 101.0, 99.0, 100.5, 1000.0)


def frame(rows, start="2023-06-01", dates=None):
    """rows of (open, high, low, close, volume) on consecutive XNYS sessions, with CSV line numbers
    (line 1 is the header)."""
    if dates is None:
        dates = calendar.sessions(start, pd.Timestamp(start) + pd.Timedelta(days=2 * len(rows) + 10))[: len(rows)]
    arr = np.asarray(rows, dtype=float)
    return pd.DataFrame({"date": pd.DatetimeIndex(dates).as_unit("ns"), "open": arr[:, 0], "high": arr[:, 1],
                         "low": arr[:, 2], "close": arr[:, 3], "volume": arr[:, 4],
                         "_line": np.arange(2, len(rows) + 2)})


def kinds(report, action=None):
    return [p.kind for p in report.problems if action is None or p.action == action]


def test_a_clean_frame_has_no_problem_and_no_flag():
    out, report = validate_frame(frame([OK] * 30), "X", "X.csv")
    assert report.problems == [] and report.flags == [] and report.rejected == [] and report.flagged == {}
    assert len(out) == 30
    assert Report([]).flags == [] and Report([]).flagged == {}    # a report built without flags


def test_flags_on_one_date_are_joined():
    day = pd.Timestamp("2023-06-05")
    flags = [Flag(3, day, "high spike", "high", 250.0, 40.0), Flag(3, day, "volume spike", "volume", 9e9, 90.0)]
    flagged = Report([], flags).flagged
    assert flagged == {"2023-06-05": flags[0].message() + "; " + flags[1].message()}


@pytest.mark.parametrize("row, kind, column", [
    ((100, 101, 99, -1, 10), "non-positive price", "close"),
    ((100, 101, 99, 0, 10), "non-positive price", "close"),
    ((100, 101, 99, np.inf, 10), "not a finite number", "close"),
    ((100, 101, 99, 100, -5), "negative volume", "volume"),
    ((100, 101, 99, 100, np.inf), "not a finite number", "volume"),
    ((100, 101, 99, 100, 2e15), "implausible volume", "volume"),
    ((100, 101, 99, 5e-7, 10), "implausible price", "close"),
    ((100, 2e9, 99, 100, 10), "implausible price", "high"),
    ((100, 99, 101, 100, 10), "high below low", "high"),
])
def test_each_rejection_names_line_date_and_column(row, kind, column):
    _, report = validate_frame(frame([OK] * 4 + [row] + [OK] * 3), "X", "X.csv")
    assert [(p.kind, p.action, p.line) for p in report.rejected] == [(kind, REJECT, 6)]
    assert report.rejected[0].date == str(frame([OK] * 8)["date"].iloc[4].date())
    assert report.rejected[0].message.startswith(column)


def test_the_price_limits_are_inclusive():
    lo, hi = limits.MIN_PRICE, limits.MAX_PRICE
    rows = [(lo, lo, lo, lo, 0.0), (hi, hi, hi, hi, 0.0), (lo, lo, lo, lo, limits.MAX_VOLUME)]
    _, report = validate_frame(frame(rows), "X", "X.csv", check_calendar=False)
    assert report.rejected == []


def test_a_source_without_opens_is_still_checked_column_by_column():
    rows = [(np.nan, 101, 99, 100, 10)] * 3 + [(np.nan, 101, 99, -2, 10)]
    _, report = validate_frame(frame(rows), "X", "X.csv")
    assert kinds(report, REJECT) == ["non-positive price"]          # open all NaN: not a problem
    rows = [(100, np.nan, 99, 100, 10)] * 3
    _, report = validate_frame(frame(rows), "X", "X.csv")
    assert kinds(report) == ["not a finite number"] * 3             # a missing high is


def test_at_most_max_listed_rows_per_rule_are_listed():
    rows = [OK] + [(100, 101, 99, -1, 10)] * 25
    _, report = validate_frame(frame(rows), "X", "X.csv")
    assert len(report.rejected) == 20
    _, report = validate_frame(frame(rows), "X", "X.csv", max_listed=3)
    assert [p.line for p in report.rejected] == [3, 4, 5]
    # repairs past the cap add one line that says how many rows were repaired in all
    body = [OK] + [(100, 100.2, 99, 100.5, 10)] * 25            # high below the close
    out, report = validate_frame(frame(body), "X", "X.csv")
    assert kinds(report) == ["high below body"] * 21
    assert report.problems[-1].message == "25 rows in all" and report.problems[-1].line is None
    assert (out["high"].iloc[1:] == 100.5).all()


def test_two_rows_out_of_order_are_sorted():
    f = frame([OK, (100, 102, 99, 101, 10)])
    f = f.iloc[::-1].reset_index(drop=True)
    out, report = validate_frame(f, "X", "X.csv")
    assert [(p.kind, p.action, p.line) for p in report.problems] == [("dates out of order", REPAIR, 2)]
    assert out["date"].is_monotonic_increasing and list(out["close"]) == [100.5, 101.0]


def test_duplicate_dates_identical_repaired_different_rejected():
    f = frame([OK, OK, (100, 102, 99, 101, 10)])
    same = f.copy()
    same.loc[1, "date"] = same.loc[0, "date"]
    out, report = validate_frame(same, "X", "X.csv", check_calendar=False)
    assert [(p.kind, p.action, p.line) for p in report.problems] == [("duplicate date", REPAIR, 3)]
    assert len(out) == 2
    different = f.copy()
    different.loc[2, "date"] = different.loc[1, "date"]
    _, report = validate_frame(different, "X", "X.csv", check_calendar=False)
    assert [(p.kind, p.action, p.line) for p in report.problems] == [("duplicate date", REJECT, 4)]


@pytest.mark.parametrize("row, kind, column, value", [
    ((100.0, 100.2, 99.0, 100.5, 10), "high below body", "high", 100.5),    # high below the close
    ((101.0, 100.8, 99.0, 100.5, 10), "high below body", "high", 101.0),    # high below the open
    ((99.5, 101.0, 99.8, 100.5, 10), "low above body", "low", 99.5),        # low above the open
    ((100.5, 101.0, 100.2, 100.0, 10), "low above body", "low", 100.0),     # low above the close
])
def test_the_range_is_widened_to_the_body(row, kind, column, value):
    out, report = validate_frame(frame([OK, row, OK]), "X", "X.csv")
    assert [(p.kind, p.action, p.line) for p in report.problems] == [(kind, REPAIR, 3)]
    assert out[column].iloc[1] == value
    assert report.problems[0].message == f"{column} {row[1 if column == 'high' else 2]} set to {value}"


def test_calendar_gaps_and_non_sessions_are_reported_not_invented():
    sessions = calendar.sessions("2023-06-01", "2023-06-30")
    dates = sessions.delete([3, 4, 5]).append(pd.DatetimeIndex(["2023-07-01"]))   # 3 missing, one Saturday
    f = frame([OK] * len(dates), dates=dates)
    out, report = validate_frame(f, "X", "X.csv")
    assert len(out) == len(dates)
    problems = {p.kind: p for p in report.problems}
    assert set(problems) == {"missing sessions", "not a session"}
    assert all(p.action == REPORT for p in report.problems)
    missing = problems["missing sessions"]
    assert missing.date == str(sessions[3].date()) and missing.message.startswith("3 XNYS sessions")
    assert problems["not a session"].date == "2023-07-01"
    assert problems["not a session"].message == "1 date is not an XNYS session: 2023-07-01"
    one_gap = validate_frame(frame([OK] * 3, dates=sessions.delete([1])[:3]), "X", "X.csv")[1]
    assert [p.message for p in one_gap.problems] == [f"1 XNYS session has no bar: {sessions[1].date()}"]
    _, quiet = validate_frame(f, "X", "X.csv", check_calendar=False)
    assert quiet.problems == []


def _with_spike(n=40, at=30):
    rows = [(100.0, 100.5 + 0.1 * (i % 3), 99.5, 100.0 + 0.1 * (i % 2), 1000.0) for i in range(n)]
    rows[at] = (100.0, 160.0, 99.5, 100.0, 1000.0)              # a high printed 60x the range, reverting
    return rows


def test_bad_prints_are_searched_after_repairs_but_not_after_a_rejection():
    rows = _with_spike()
    _, clean = validate_frame(frame(rows), "X", "X.csv")
    assert [f.index for f in clean.flags] == [30] and kinds(clean) == ["bad print? high spike"]
    repaired = list(rows)
    repaired[5] = (100.0, 99.9, 99.5, 100.0, 1000.0)             # high below the body: repaired
    _, report = validate_frame(frame(repaired), "X", "X.csv")
    assert kinds(report) == ["high below body", "bad print? high spike"] and len(report.flags) == 1
    rejected = list(rows)
    rejected[5] = (100.0, 100.5, 99.5, -1.0, 1000.0)             # a negative close: rejected
    _, report = validate_frame(frame(rejected), "X", "X.csv")
    assert report.flags == [] and not any(k.startswith("bad print") for k in kinds(report))


def test_dates_before_the_calendar_starts_are_not_called_non_sessions():
    dates = pd.DatetimeIndex(["1989-12-27", "1989-12-28", "1989-12-29", "1990-01-02", "1990-01-03"])
    _, report = validate_frame(frame([OK] * len(dates), dates=dates), "X", "X.csv")
    assert report.problems == []


@pytest.mark.parametrize("gaps, listed, more", [(5, 5, False), (6, 5, True)])
def test_calendar_messages_list_five_dates_then_say_there_are_more(gaps, listed, more):
    sessions = calendar.sessions("2023-06-01", "2023-07-31")
    dates = sessions.delete(list(range(2, 2 + 2 * gaps, 2)))                      # every other session
    _, report = validate_frame(frame([OK] * len(dates), dates=dates), "X", "X.csv")
    (missing,) = report.problems
    shown = missing.message.split(": ", 1)[1]
    assert missing.message.startswith(f"{gaps} XNYS sessions have no bar")
    assert shown.removesuffix(" ...").split(", ") == [str(sessions[i].date()) for i in range(2, 2 + 2 * listed, 2)]
    assert shown.endswith(" ...") is more
    saturdays = pd.date_range("2023-06-03", periods=6, freq="7D")
    weekdays = calendar.sessions("2023-06-01", "2023-07-14")
    _, report = validate_frame(frame([OK] * (len(weekdays) + 6), dates=weekdays.append(saturdays).sort_values()),
                               "X", "X.csv")
    (extra,) = report.problems
    assert extra.message == "6 dates are not XNYS sessions: " + ", ".join(str(d.date()) for d in saturdays[:5])


def test_the_load_error_names_the_first_rejection_and_counts_the_others():
    from thesis.data.validate import ensure_loadable
    from thesis.errors import DataFileError

    rows = [OK, (100, 101, 99, -1, 10), (100, 101, 99, -2, 10), (100, 101, 99, -3, 10)]
    _, report = validate_frame(frame(rows), "X", "X.csv")
    with pytest.raises(DataFileError) as err:
        ensure_loadable(report, "X.csv", "X")
    assert err.value.line == 3 and str(err.value).endswith("non-positive price: close = -1.0 (and 2 more problems)")
    _, report = validate_frame(frame(rows[:2]), "X", "X.csv")
    with pytest.raises(DataFileError) as err:
        ensure_loadable(report, "X.csv", "X")
    assert str(err.value).endswith("non-positive price: close = -1.0")
    ensure_loadable(validate_frame(frame([OK] * 3), "X", "X.csv")[1], "X.csv", "X")       # nothing rejected
