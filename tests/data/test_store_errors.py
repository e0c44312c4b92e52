"""Issue 10.7: every store failure names the file, what happened and what to do; never a DuckDB traceback."""
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thesis.cli import app
from thesis.data import Store, load_bars
from thesis.errors import StoreError

runner = CliRunner()


@pytest.fixture
def iwm(data_root):
    return load_bars("IWM", start="2020-01-01", end="2023-12-31")


@pytest.fixture
def store_file(tmp_path, iwm):
    path = tmp_path / "s.duckdb"
    Store(path).upsert(iwm)
    return path


def test_truncated_store(store_file, iwm):
    os.truncate(store_file, store_file.stat().st_size // 2)
    kept = store_file.read_bytes()
    with pytest.raises(StoreError) as err:
        Store(store_file).fetch("IWM", "as-traded")
    msg = str(err.value)
    assert str(store_file) in msg and "damaged" in msg and "move it aside" in msg and "Traceback" not in msg
    with pytest.raises(StoreError, match="damaged"):
        Store(store_file).upsert(iwm)
    assert store_file.read_bytes() == kept  # never overwritten


def test_corrupt_block_checksum(store_file):
    with open(store_file, "r+b") as fh:  # scribble over the data blocks, keep the header
        fh.seek(store_file.stat().st_size // 2)
        fh.write(os.urandom(8192))
    res = runner.invoke(app, ["data", "show", "IWM", "--source", f"store:{store_file}"])
    assert res.exit_code == 1 and "damaged" in res.stderr and str(store_file) in res.stderr.replace("\n", "")
    assert "Traceback" not in res.output and "_duckdb." not in res.output


def test_not_a_database(tmp_path, iwm):
    path = tmp_path / "s.duckdb"
    path.write_bytes(b"this is not a database\x00" * 500)
    with pytest.raises(StoreError, match="damaged .*left untouched"):
        Store(path).upsert(iwm)


def test_read_only_store_is_read_and_not_called_damaged(store_file, iwm, monkeypatch):
    os.chmod(store_file, 0o444)
    os.chmod(store_file.parent, 0o555)
    try:
        back = Store(store_file).fetch("IWM", "as-traded")  # reading a read-only store works
        assert len(back) == len(iwm)
        if os.geteuid() == 0:  # root ignores file modes: make DuckDB answer as it does for a normal user
            import duckdb

            real = duckdb.connect

            def connect(database, read_only=False, **kw):
                if not read_only:
                    raise duckdb.IOException(f'IO Error: Cannot open file "{database}": Permission denied')
                return real(database, read_only=read_only, **kw)

            monkeypatch.setattr(duckdb, "connect", connect)
        with pytest.raises(StoreError) as err:
            Store(store_file).upsert(iwm)
        msg = str(err.value)
        assert "permission denied" in msg and "still be read" in msg and "THESIS_HOME" in msg
        assert "move it aside" not in msg and "damaged" not in msg
    finally:
        os.chmod(store_file.parent, 0o755)
        os.chmod(store_file, 0o644)


def test_thesis_home_that_is_a_file(tmp_path, monkeypatch):
    home = tmp_path / "home-file"
    home.write_text("x")
    monkeypatch.setenv("THESIS_HOME", str(home))
    res = runner.invoke(app, ["data", "ls"])
    assert res.exit_code == 1 and "is a file, not a folder" in res.stderr
    res = runner.invoke(app, ["data", "pull", "IWM", "--from", "2023-06-01", "--to", "2023-06-30"])
    assert res.exit_code == 1 and "is a file, not a folder" in res.stderr


def _limit_file_size(limit):
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
    return apply


def test_full_disk_during_a_multi_symbol_pull(tmp_path, data_root, private_home):
    """A real write failure (a file-size limit makes write() fail with EFBIG): the pull stops at the symbol
    whose commit failed, says what was stored and what was not, and the store keeps what it held."""
    env = {**os.environ, "THESIS_HOME": str(private_home), "THESIS_DATA": str(data_root)}
    exe = str(Path(sys.executable).with_name("thesis"))
    argv = [exe, "data", "pull", "IWM", "QQQ", "TLT", "--from", "2020-01-01", "--to", "2023-12-31"]
    subprocess.run([exe, "data", "pull", "SPY", "--from", "2023-01-01", "--to", "2023-01-31"], env=env, check=True,
                   capture_output=True)
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, preexec_fn=_limit_file_size(150_000),
                          timeout=120)
    err = " ".join(proc.stderr.split())
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "disk is full" in err and "rolled back" in err
    assert "stopped at QQQ: stored IWM (as-traded); not stored QQQ (as-traded), TLT (as-traded)" in err
    held = Store(private_home / "store.duckdb").inventory()
    assert sorted(held["symbol"]) == ["IWM", "SPY"]


def test_store_failure_makes_show_fall_back_and_say_so(data_root, private_home):
    private_home.mkdir(parents=True, exist_ok=True)
    (private_home / "store.duckdb").write_bytes(b"garbage" * 1000)
    res = runner.invoke(app, ["data", "show", "IWM", "--from", "2023-06-12", "--to", "2023-06-14", "--json"])
    assert res.exit_code == 0
    assert "note:" in res.stderr and "store could not be read" in res.stderr and "csv:" in res.stderr
    import json

    assert json.loads(res.stdout)["source"].startswith("csv:")
