"""Issue 25: a first run that does not stall, one idea below numba's floor, a journal that stays fast.

Each figure beside its peer, measured in the same run:

- the first ``thesis replay IDEA --json`` in a fresh process with an empty $THESIS_HOME beside the
  warm run: before any warm-up (measured), after ``thesis warmup`` filled the shared cache folder and
  in warm-up's own home (target: within 1.5x);
- one idea's ``replay``/``evaluate`` on the python path (no numba import) beside the same command
  with ``THESIS_KERNELS=compiled`` (the path before: numba for everything) and beside numba's floor
  (a fresh process calling one cached kernel); target under 1.0 s warm;
- ``thesis journal --since D``, ``--idea``, ``--pending`` and the board's last-event lookup over a
  journal of 1,000,000 events (10,000 ideas), answered from the index, beside ``grep`` over the file
  and a plain JSONL scan (json.loads of every line), measured in the same run.

``BENCH_SPEED_EVENTS`` (default 1,000,000) sets the journal's size; ``BENCH_CLI_REPEAT`` (default 3
here) the runs per command (fastest kept).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.bench_cli import IDEA, KERNEL, ROOT, THESIS, _run, best

EVALUATE = ["evaluate", IDEA, "--asof", "2023-06-14", "--json"]
REPLAY = ["replay", IDEA, "--json"]


def _row(name, value, peer, peer_value, target, met, unit="s", **extra) -> dict:
    return {"name": name, "value": value, "unit": unit, "peer": peer, "peer_value": peer_value, "target": target,
            "met": met, **extra}


def first_run_rows(env: dict, tmp: Path, repeat: int) -> list[dict]:
    """The first run in a fresh process with an empty $THESIS_HOME: before any warm-up (no data cache
    anywhere: the universe is parsed, the breadth computed on numba, the bars validated, the option
    path priced with QuantLib), then after ``thesis warmup`` (run by ``make setup``) filled the user's
    shared cache folder (thesis.cache.shared_dir), and in the home warm-up itself used."""
    cold_env = dict(env, THESIS_HOME=str(tmp / "cold-home"), THESIS_SHARED_CACHE=str(tmp / "cold-shared"))
    cold, cold_cpu, _ = _run(THESIS + REPLAY, cold_env)
    warm, warm_cpu = best(THESIS + REPLAY, cold_env, repeat)
    setup_env = dict(env, THESIS_HOME=str(tmp / "setup-home"))
    _run(THESIS + ["warmup"], setup_env)
    fresh_env = dict(env, THESIS_HOME=str(tmp / "new-home"))
    first, first_cpu, _ = _run(THESIS + REPLAY, fresh_env)
    after, after_cpu, _ = _run(THESIS + REPLAY, setup_env)
    return [_row("first `thesis replay IDEA --json`, empty $THESIS_HOME, no warm-up ever (cold data caches)", cold,
                 "the same command warm", warm, "measure", None, cpu=cold_cpu, peer_cpu=warm_cpu),
            _row("first `thesis replay IDEA --json`, a new empty $THESIS_HOME after `thesis warmup`", first,
                 "the same command warm", warm, "<= 1.5x warm", first <= 1.5 * warm, cpu=first_cpu,
                 peer_cpu=warm_cpu),
            _row("first `thesis replay IDEA --json` in the $THESIS_HOME `thesis warmup` used", after,
                 "the same command warm", warm, "<= 1.5x warm", after <= 1.5 * warm, cpu=after_cpu,
                 peer_cpu=warm_cpu)]


def single_idea_rows(env: dict, tmp: Path, repeat: int) -> list[dict]:
    kernel_dir = tmp / "kernel"
    kernel_dir.mkdir(exist_ok=True)
    (kernel_dir / "bench_floor_kernel.py").write_text(KERNEL)
    floor, floor_cpu = best([sys.executable, "-c", "import numpy, bench_floor_kernel as k; k.total(numpy.ones(3))"],
                            dict(env, PYTHONPATH=str(kernel_dir)), repeat)
    rows = []
    for name, args in (("replay", REPLAY), ("evaluate", EVALUATE)):
        fast, fast_cpu = best(THESIS + args, env, repeat)
        old, old_cpu = best(THESIS + args, dict(env, THESIS_KERNELS="compiled"), repeat)
        rows.append(_row(f"one idea: thesis {name} IDEA --json (python kernels)", fast,
                         "the same, THESIS_KERNELS=compiled (numba)", old, "< 1.0 s", fast < 1.0, cpu=fast_cpu,
                         peer_cpu=old_cpu))
        rows.append(_row(f"one idea: thesis {name} IDEA --json vs numba's floor", fast,
                         "floor: first call of one cached numba kernel", floor, "below the floor", fast < floor,
                         cpu=fast_cpu, peer_cpu=floor_cpu))
    return rows


def write_journal(path: Path, n: int, ideas: int = 10_000) -> str:
    """n event records over ``ideas`` ideas and about 500 sessions (1 in 10 with an alert outbox, 9 in 10
    of those delivered), written like the watch pass writes them. Returns the last session."""
    import datetime as dt

    start = dt.date(2024, 1, 2)
    per_session = max(1, n // 500)
    deliveries_every = 10
    with open(path, "w") as fh:
        chunk = []
        for i in range(n):
            session = (start + dt.timedelta(days=i // per_session)).isoformat()
            idea = f"idea-{(i * 7919) % ideas:05d}"
            outbox = '["log"]' if i % deliveries_every == 0 else "[]"
            chunk.append(f'{{"t":"event","id":"{idea}:{i}","idea":"{idea}","kind":"zone_touched",'
                         f'"session":"{session}","price":101.25,"r":null,"text":"touched the zone","key":"k",'
                         f'"revision":0,"file":"ideas/{idea}.toml","recorded":"2026-01-01T00:00:00+00:00",'
                         f'"outbox":{outbox},"symbol":"SPY","state":"live"}}\n')
            if i % deliveries_every == 0 and i % (deliveries_every * 10) != 0:
                chunk.append(f'{{"t":"delivery","event":"{idea}:{i}","channel":"log","status":"sent",'
                             f'"at":"2026-01-01T00:00:00+00:00"}}\n')
            if len(chunk) >= 50_000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))
    return session


def _grep(pattern: str, path: Path, repeat: int) -> float:
    """Wall seconds of ``grep -cF pattern path`` (the fastest any tool reads the whole file), best of repeat."""
    import subprocess

    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        # stdout a pipe: GNU grep stops at the first match when it writes to /dev/null
        subprocess.run(["grep", "-cF", pattern, str(path)], stdout=subprocess.PIPE, check=False)
        times.append(time.perf_counter() - t)
    return min(times)


def journal_rows(env: dict, tmp: Path, repeat: int) -> list[dict]:
    """Each query through the whole command (start-up included) beside, from the same run: ``grep -cF``
    over the JSONL for the query's key (no JSON parsed: the floor of reading the file), the command on
    an empty journal (its start-up), and a plain scan parsing every line with json.loads (once: every
    scan answer pays at least that). The index's answers are checked against the scan's."""
    from thesis.watch import journal_index
    from thesis.watch.journal import Journal, last_events, query

    n = int(os.environ.get("BENCH_SPEED_EVENTS", "1000000"))
    home = tmp / "journal-home"
    jr = Journal(home / "watch")
    jr.folder.mkdir(parents=True)
    last = write_journal(jr.path, n)
    t = time.perf_counter()
    with journal_index.JournalIndex(jr.path):
        pass
    build = time.perf_counter() - t
    scanned = Journal(jr.folder)
    t = time.perf_counter()
    scanned.records()               # every line parsed into its type (records.parse), kept for the answers below
    scan = time.perf_counter() - t
    empty, empty_cpu = best(THESIS + ["journal", "--json"], dict(env, THESIS_HOME=str(tmp / "empty-home")), repeat)
    rows = [_row(f"journal index built from {n:,} events (once; then extended)", build,
                 f"plain scan: json.loads of every line ({jr.path.stat().st_size / 1e6:.0f} MB)", scan, "measure",
                 None),
            _row("thesis journal --json on an empty journal (the command's start-up)", empty, "-", None, "measure",
                 None, cpu=empty_cpu)]
    jenv = dict(env, THESIS_HOME=str(home))
    idea = "idea-04242"
    queries = [("--since D", ["--since", last], dict(since=last), f'"session":"{last}"'),
               ("--idea X", [idea], dict(idea=idea), f'"idea":"{idea}"'),
               ("--pending", ["--pending"], dict(pending=True), '"outbox":["')]
    for label, args, kwargs, key in queries:
        wall, cpu = best(THESIS + ["journal", *args, "--json"], jenv, repeat)
        got = query(Journal(jr.folder), use_index=True, **kwargs)[0]
        want = query(scanned, use_index=False, **kwargs)[0]
        assert got == want, f"the index and the scan disagree on journal {label}"
        rows.append(_row(f"thesis journal {label} --json, {n:,} events, {len(got):,} match (whole command)", wall,
                         f"grep -cF '{key}' (reads the file, parses nothing)", _grep(key, jr.path, repeat),
                         "< 1 s", wall < 1.0, cpu=cpu, matches=len(got)))
    t = time.perf_counter()
    got_last = last_events(Journal(jr.folder), use_index=True)
    indexed = time.perf_counter() - t
    t = time.perf_counter()
    want_last = last_events(scanned, use_index=False)
    on_scan = time.perf_counter() - t
    assert got_last == want_last, "the index and the scan disagree on the last events"
    rows.append(_row(f"board's last event per idea ({len(got_last):,} ideas, {n:,} events; in process)", indexed,
                     "plain scan (its json.loads of every line + the pick)", scan + on_scan, "< 1 s", indexed < 1.0))
    return rows


def run() -> list[dict]:
    repeat = int(os.environ.get("BENCH_CLI_REPEAT", "3"))
    with tempfile.TemporaryDirectory(prefix="thesis-bench-speed-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, THESIS_HOME=str(tmp / "home"), COLUMNS="80", PYTHONPATH=str(ROOT),
                   THESIS_SHARED_CACHE=str(tmp / "shared-cache"))
        env.pop("THESIS_KERNELS", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)    # an install has its .pyc files: so do the commands timed
        rows = first_run_rows(env, tmp, repeat)
        rows += single_idea_rows(env, tmp, repeat)
        rows += journal_rows(env, tmp, repeat)
    return rows


if __name__ == "__main__":
    for row in run():
        peer = "" if row["peer_value"] is None else f"  vs {row['peer_value']:.3f} s {row['peer']}"
        print(f"{row['name']:<80} {row['value']:7.3f} s{peer}  {row['target']}")
