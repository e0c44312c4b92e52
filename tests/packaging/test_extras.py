"""Optional parts (pyproject extras): a missing one is one clear message naming the extra to
install, from the library and from the command line; the metadata gives ranges, the lock pins."""
from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest

from thesis.errors import MissingExtra
from thesis.extras import EXTRAS, require

ROOT = Path(__file__).resolve().parents[2]
IDEA = ROOT / "examples" / "iwm-no-love-for-small-caps.toml"


def _hide(monkeypatch, *modules):
    """Make ``import module`` fail as if the package were not installed."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_require_names_the_extra(monkeypatch):
    _hide(monkeypatch, "QuantLib")
    with pytest.raises(MissingExtra) as err:
        require("QuantLib", "American option prices")
    assert err.value.extra == "quantlib"
    assert "pip install 'trade-thesis[quantlib]'" in str(err.value)
    assert str(err.value).startswith("American option prices needs the optional package 'QuantLib'")


def test_an_installed_package_is_returned():
    assert require("yfinance", "the yahoo source").__name__ == "yfinance"


def test_american_price_without_quantlib(monkeypatch):
    from thesis.options.pricing import price

    _hide(monkeypatch, "QuantLib")
    european = price("put", 100, 100, days=180, iv=0.2, style="european")
    assert european["price"] > 0                   # European needs no QuantLib
    with pytest.raises(MissingExtra, match=r"trade-thesis\[quantlib\]"):
        price("put", 100, 100, days=180, iv=0.2, style="american")


def test_yahoo_without_yfinance(monkeypatch):
    from thesis.data.adapters.yahoo import Yahoo

    _hide(monkeypatch, "yfinance", "yfinance.exceptions")
    with pytest.raises(MissingExtra, match=r"trade-thesis\[yahoo\]"):
        Yahoo(retries=1, sleep=lambda s: None).fetch("IWM", "as-traded", None, None)


def test_study_on_dask_without_distributed(monkeypatch):
    from thesis.study.execute import _client

    _hide(monkeypatch, "distributed")
    with pytest.raises(MissingExtra, match=r"trade-thesis\[dask\]"):
        _client("tcp://127.0.0.1:1")


def test_watch_on_dask_without_distributed(monkeypatch, tmp_path):
    from thesis.watch.journal import Journal
    from thesis.watch.distributed import watch_pass_dask

    _hide(monkeypatch, "distributed")
    with pytest.raises(MissingExtra, match=r"watch pass on a Dask cluster.*trade-thesis\[dask\]"):
        watch_pass_dask([ROOT / "examples"], "tcp://127.0.0.1:1", asof="2023-06-14", journal=Journal(tmp_path))
    assert not (tmp_path / "journal.jsonl").exists()


def test_serve_without_the_web_extra_says_which(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from thesis.cli import app

    _hide(monkeypatch, "uvicorn")
    out = CliRunner().invoke(app, ["serve", "--ideas", str(ROOT / "examples"), "--port", "8799"])
    assert out.exit_code == 1, out.output
    assert "pip install 'trade-thesis[web]'" in " ".join(out.output.split())
    assert "Traceback" not in out.output


def test_metadata_has_ranges_and_extras_the_lock_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for spec in project["dependencies"] + [s for name, specs in extras.items() if name != "all" for s in specs]:
        assert "==" not in spec and ">=" in spec, spec
    assert set(extras["all"][0].split("[")[1].rstrip("]").split(",")) == set(extras) - {"all", "dev"}
    for _module, (package, extra) in EXTRAS.items():
        assert any(s.lower().startswith(package.lower()) for s in extras[extra]), (package, extra)
    lock = (ROOT / "requirements.lock").read_text()
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", lock, flags=re.M))
    norm = {re.sub(r"[-_.]+", "-", k.lower()): v for k, v in pins.items()}
    for spec in project["dependencies"] + [s for specs in extras.values() for s in specs if "trade-thesis" not in s]:
        name = re.sub(r"[-_.]+", "-", re.split(r"[<>=!\[ ]", spec)[0].lower())
        low = re.search(r">=([\w.]+)", spec).group(1)
        assert name in norm, f"{name} is not in requirements.lock"
        assert norm[name] == low, f"{name}: the lower bound {low} is not the locked, tested {norm[name]}"


def test_py_typed_ships():
    assert (ROOT / "thesis" / "py.typed").is_file()
    assert "py.typed" in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["thesis"]
