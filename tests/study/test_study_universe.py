"""A universe study (20 S&P 500 constituents, no open column) and the same study on a Dask
cluster: identical results whoever runs it."""
import numpy as np
import pandas as pd
import pytest

from thesis.data import load_fields
from thesis.study import study

SEED = "examples/iwm-no-love-for-small-caps.toml"
TWENTY = ["AAPL", "ABT", "ADBE", "AMD", "AMZN", "BA", "CAT", "CVX", "DIS", "GE", "HD", "IBM", "JPM", "KO", "MCD",
          "MMM", "MSFT", "NVDA", "PFE", "XOM"]


@pytest.fixture(scope="module")
def universe(data_root):
    return f"csv:{data_root / 'sp500-constituents'}"


@pytest.fixture(scope="module")
def uni_study(universe):
    return study(SEED, universe=universe, symbols=TWENTY, grid=["stop=5%,10% target=2R"], n_boot=300)


def test_universe_without_open_fills_at_the_signal_close_and_says_so(uni_study, universe):
    res = uni_study
    assert res.symbols == TWENTY
    assert res.signals > 100 and not res.gap_fills_modelled
    assert any("no open prices" in w for w in res.warnings)
    assert any("survivorship" in w for w in res.warnings)
    assert any("gap fills could not be modelled" in n for n in res.notes)
    close = load_fields(universe, ("close",), TWENTY)["close"]
    occ = res.occurrences
    signal_close = np.array([close.at[d, s] for s, d in zip(occ["symbol"], occ["date"])])
    assert np.array_equal(occ["entry_price"].to_numpy(), signal_close)
    assert all("no_open" in f for f in occ["flags"])
    # the entry session is the one after the signal (the fill is at the signal's close)
    nxt = [close.index[close.index.searchsorted(d, side="right")] for d in occ["date"]]
    assert list(occ["entry_date"]) == nxt


def test_universe_to_dict_has_the_documented_keys(uni_study):
    doc = uni_study.to_dict()
    for key in ("signals", "hit_rate", "hit_rate_ci", "mean_r", "mean_r_ci", "expectancy", "occurrences"):
        assert key in doc
    assert set(doc["base_rate"]) >= {"hit_rate", "mean_r"}
    assert set(doc["occurrences"][0]) >= {"symbol", "date", "outcome", "r"}
    mc = doc["grid"]["multiple_comparisons"]
    assert mc["cells_tried"] == 2 and mc["best_p_holm"] >= mc["best_p_raw"]


def _comparable(doc):
    doc = dict(doc)
    doc.pop("timing")
    return doc


@pytest.mark.parametrize("processes", [False, True])
def test_dask_cluster_gives_the_local_result(universe, processes):
    from distributed import Client, LocalCluster

    kw = dict(universe=universe, symbols=TWENTY[:8], grid=["stop=5%,8% zone_width=0.5,1.0"], base_rate=1,
              n_boot=300, seed=5)
    local = study(SEED, workers=2, **kw)
    with LocalCluster(n_workers=2, processes=processes, threads_per_worker=1, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            remote = study(SEED, dask=client, **kw)
            by_address = study(SEED, dask=cluster.scheduler_address, **kw)
    assert _comparable(remote.to_dict()) == _comparable(local.to_dict())
    assert _comparable(by_address.to_dict()) == _comparable(local.to_dict())
    pd.testing.assert_frame_equal(remote.occurrences, local.occurrences)
    serial = study(SEED, workers=1, **kw)
    assert _comparable(serial.to_dict()) == _comparable(local.to_dict())
