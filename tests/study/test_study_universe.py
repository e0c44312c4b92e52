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


def test_universe_to_dict_has_the_documented_keys(uni_study, study_doc_check):
    doc = uni_study.to_dict()
    study_doc_check(doc)             # every headline figure from the occurrences, with types
    assert doc["data"]["symbols"] == 20 and doc["data"]["gap_fills_modelled"] is False
    assert {o["symbol"] for o in doc["occurrences"]} <= set(TWENTY)
    assert doc["summary"]["symbols_with_signals"] == len({o["symbol"] for o in doc["occurrences"]})
    mc = doc["grid"]["multiple_comparisons"]
    cells = doc["grid"]["cells"]
    assert mc["cells_tried"] == len(cells) == 2 and mc["best_cell"] == doc["cell"]["index"]
    assert [c["stop"] for c in cells] == ["5%", "10%"]
    chosen = cells[doc["cell"]["index"]]
    assert chosen["signals"] == doc["signals"] and chosen["mean_r"] == pytest.approx(doc["mean_r"])
    assert mc["best_p_raw"] == pytest.approx(chosen["p_mean_r_gt0"])
    # Holm with two cells: the smaller p doubles, the larger is max(itself, the doubled smaller)
    ps = sorted(c["p_mean_r_gt0"] for c in cells)
    assert sorted(c["p_holm"] for c in cells) == pytest.approx([min(1, 2 * ps[0]), min(1, max(ps[1], 2 * ps[0]))])


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
