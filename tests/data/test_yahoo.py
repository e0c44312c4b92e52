"""The Yahoo adapter against recorded responses (this sandbox never reaches Yahoo).

``tests/fixtures/yahoo/*.csv`` hold frames in the exact shape yfinance's
``Ticker.history(auto_adjust=False, actions=False)`` returns: a tz-aware
America/New_York index and Open, High, Low, Close, Adj Close, Volume.
"""
from pathlib import Path

import pandas as pd
import pytest

from thesis.data import Store, Yahoo, load_bars
from thesis.errors import ProviderUnavailable, SymbolNotFound

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "yahoo"


def recorded(symbol):
    frame = pd.read_csv(FIXTURES / f"{symbol}.csv", index_col="Date")
    frame.index = pd.to_datetime(frame.index, utc=True).tz_convert("America/New_York")
    return frame


class Replay(Yahoo):
    """Serves recorded responses; ``failures`` network errors first."""

    def __init__(self, failures=0, error=None, **kw):
        self.delays = []
        super().__init__(sleep=self.delays.append, **kw)
        self.failures, self.error, self.calls = failures, error, 0

    def _history(self, symbol, start, end):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error or TimeoutError("read timed out")
        if symbol == "NOSUCH":
            from yfinance.exceptions import YFPricesMissingError
            raise YFPricesMissingError("NOSUCH", "possibly delisted; no price data found")
        return recorded(symbol)


def test_recorded_as_traded_and_adjusted():
    y = Replay()
    bars = y.fetch("IWM", "as-traded")
    raw = recorded("IWM")
    assert bars.index[0] == pd.Timestamp("2023-06-12") and bars.index.tz is None
    assert bars["close"].iloc[0] == pytest.approx(raw["Close"].iloc[0])
    assert bars.attrs["source"] == "yahoo" and bars.attrs["adjustment"] == "as-traded"
    adj = y.fetch("IWM", "adjusted")
    ratio = raw["Adj Close"].iloc[0] / raw["Close"].iloc[0]
    assert adj["open"].iloc[0] == pytest.approx(raw["Open"].iloc[0] * ratio, rel=1e-6)
    assert len(adj) == len(raw.dropna(subset=["Close"]))


def test_retry_with_backoff_then_succeeds():
    y = Replay(failures=2)
    assert len(y.fetch("IWM", "as-traded")) > 0
    assert y.delays == [1.0, 2.0]


def test_provider_down_clear_error():
    y = Replay(failures=99, error=ConnectionError("connection refused"))
    with pytest.raises(ProviderUnavailable, match="did not answer for IWM after 3 tries.*ConnectionError"):
        y.fetch("IWM", "as-traded")
    assert y.delays == [1.0, 2.0] and y.calls == 3


def test_unknown_symbol():
    with pytest.raises(SymbolNotFound, match="NOSUCH"):
        Replay().fetch("NOSUCH", "as-traded")


def test_cached_data_usable_when_down(monkeypatch, tmp_path):
    monkeypatch.delenv("THESIS_DATA", raising=False)
    up = Replay()
    monkeypatch.setattr("thesis.data.Yahoo", lambda: up)
    first = load_bars("IWM")            # online: cached in the store
    assert Store().symbols() == ["IWM"]
    down = Replay(failures=99)
    monkeypatch.setattr("thesis.data.Yahoo", lambda: down)
    again = load_bars("IWM")
    assert (again["close"].to_numpy() == first["close"].to_numpy()).all()
    assert "unavailable" in again.attrs["warnings"][0]
    with pytest.raises(ProviderUnavailable):
        load_bars("SPY")                # nothing cached: the outage is reported


class DeadNetwork(Replay):
    """What yfinance does with no network: logs the curl error, then raises 'no timezone found'."""

    def _history(self, symbol, start, end):
        import logging

        from yfinance.exceptions import YFTzMissingError

        self.calls += 1
        logging.getLogger("yfinance").error(
            "Failed to get ticker 'IWM' reason: Failed to perform, curl: (6) Could not resolve host")
        raise YFTzMissingError(symbol)


def test_dead_network_is_down_not_unknown_symbol(capsys):
    y = DeadNetwork()
    with pytest.raises(ProviderUnavailable, match="after 3 tries.*Could not resolve host"):
        y.fetch("IWM", "as-traded")
    assert y.calls == 3 and "curl" not in capsys.readouterr().err  # yfinance's noise kept off the terminal


def test_offline_analyses_find_bars_pulled_from_any_source(monkeypatch, data_root):
    """Issue 9.7: THESIS_DATA unset, Yahoo down: bars pulled from csv:... are used, and the warning says so;
    a symbol the store lacks gets a message naming what the store does hold."""
    from typer.testing import CliRunner

    from thesis.cli import app

    monkeypatch.delenv("THESIS_DATA", raising=False)
    res = CliRunner().invoke(app, ["data", "pull", "IWM", "SPY", "--source", f"csv:{data_root}", "--from",
                                   "2023-01-01", "--to", "2023-12-31"])
    assert res.exit_code == 0, res.output
    down = Replay(failures=99)
    monkeypatch.setattr("thesis.data.Yahoo", lambda: down)
    bars = load_bars("IWM", end="2023-06-14")
    assert bars.index[-1] == pd.Timestamp("2023-06-14") and bars["close"].iloc[-1] == 185.91
    assert bars.attrs["source"] == f"store:csv:{(data_root / 'daily').resolve()}"   # folders resolve links
    assert "Yahoo Finance is unavailable: using IWM bars stored from csv:" in bars.attrs["warnings"][0]
    with pytest.raises(ProviderUnavailable) as err:
        load_bars("QQQ")
    assert "the store holds no bars of QQQ; it holds IWM, SPY" in str(err.value)
    assert "still usable" not in str(err.value)  # no contradictory advice
    with pytest.raises(ProviderUnavailable) as err:
        load_bars("IWM", adjustment="adjusted")
    assert "the store holds as-traded from csv:" in str(err.value) and "2023-01-03 to 2023-12-29" in str(err.value)


def test_offline_replay_waits_for_yahoo_once_and_prints_whole_reasons(monkeypatch, data_root):
    """Issue 21.7: THESIS_DATA unset and no network. Only IWM is in the store; the seed idea also asks
    for SPY, UUP, TLT, USO (its confirmations). Yahoo is asked (with its backoff) once in the run, not once per symbol, and each
    reason is printed whole."""
    from typer.testing import CliRunner

    from thesis.cli import app

    monkeypatch.delenv("THESIS_DATA", raising=False)
    pulled = CliRunner().invoke(app, ["data", "pull", "IWM", "--source", f"csv:{data_root}", "--from",
                                      "2023-01-01", "--to", "2023-12-31"])
    assert pulled.exit_code == 0, pulled.output
    down = DeadNetwork()
    monkeypatch.setattr("thesis.data.Yahoo", lambda: down)
    seed = Path(__file__).resolve().parents[2] / "examples" / "iwm-no-love-for-small-caps.toml"
    res = CliRunner().invoke(app, ["replay", str(seed)], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert down.calls == 3 and down.delays == [1.0, 2.0]        # one run of tries, then no more waiting
    assert res.stderr.count("missing:") >= 4, res.stderr
    text = " ".join(res.stderr.split())
    assert "more characters" not in text
    for sym in ("SPY", "UUP", "TLT", "USO"):
        assert f"{sym} was not asked (no more waiting for Yahoo in this run)" in text
    assert "the store holds no bars of SPY; it holds IWM (that part is left out" in text     # the end of it


def test_an_outage_is_forgotten_after_a_while():
    from thesis.data.adapters.yahoo import OUTAGE_MEMORY

    now = [0.0]
    y = Replay(failures=3, clock=lambda: now[0])
    with pytest.raises(ProviderUnavailable, match="after 3 tries"):
        y.fetch("IWM", "as-traded")
    with pytest.raises(ProviderUnavailable, match="IWM was not asked"):
        y.fetch("IWM", "as-traded")
    assert y.calls == 3
    now[0] = OUTAGE_MEMORY + 1                  # a later pass of `thesis watch --every` asks again
    assert len(y.fetch("IWM", "as-traded")) > 0 and y.calls == 4
