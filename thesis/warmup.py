"""Compile the numba kernels ahead (``thesis warmup``, run by ``make setup``).

One idea (``thesis replay``, ``thesis evaluate``) runs its kernels as Python and never compiles
(thesis.jit). The batches (study, scorecard, watch, the dashboard, breadth over a universe)
compile every kernel they call on first use, and numba caches the machine code on disk (beside
the code, or ``$THESIS_HOME/numba-cache`` for a read-only install). Warm-up runs the library's
own paths in numba mode on the example ideas and the configured data, so the first real batch
reads its kernels from that cache. Compiling through the real paths, not with hand-written
signatures, caches exactly the argument types (dtypes, array layouts) the commands pass.

The same paths fill the data caches (the universe matrices, the breadth frame, validated bars,
American option paths): warm-up writes them to the user's shared cache folder too
(``thesis.cache.shared_dir``), so the first replay in any new $THESIS_HOME reads them instead of
parsing the 503-member universe.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def steps(examples: Path = EXAMPLES) -> list[tuple[str, Callable[[], object]]]:
    """(name, call) for every path that compiles kernels; each call uses numba."""
    ideas = sorted(examples.glob("*.toml")) + sorted((examples / "authors").glob("*.toml"))

    def replays():
        from thesis.errors import ThesisError
        from thesis.evaluate import evaluate
        from thesis.replay import replay

        failed = []
        for path in ideas:
            try:
                result = replay(path)
                evaluate(result.idea, asof=result.bars.index[-1])
            except ThesisError:            # one idea without data: the others still compile the kernels
                failed.append(path.name)
        if failed and len(failed) == len(ideas):
            raise ThesisError(f"no example idea could be replayed ({failed[0]} first)")

    def study():
        from thesis.study import study as run

        seed = examples / "iwm-no-love-for-small-caps.toml"
        run(seed, symbols=["IWM", "SPY"], n_boot=10)

    def scorecard():
        from thesis.scorecard import scorecard as run

        run(examples / "authors", draws=20)

    def market():
        from thesis.market.report import market_report

        market_report()

    def options():
        from thesis.options.bsm import bsm_greeks, implied_vol

        implied_vol(bsm_greeks("call", 100.0, 105.0, 0.5, 0.2)["price"], "call", 100.0, 105.0, 0.5)

    return [("replay and evaluate the examples", replays), ("an event study", study),
            ("a scorecard", scorecard), ("market internals", market), ("option pricing", options)]


def warmup(progress: Callable[[str, int, int], None] | None = None) -> list[dict]:
    """Run every step in numba mode; returns [{step, seconds, error}] (a step without data fails alone)."""
    from thesis import cache, jit
    from thesis.errors import ThesisError

    jit.use_compiled()
    cache.publish()     # the data caches it fills serve every $THESIS_HOME of this user (thesis.cache)
    done = []
    todo = steps()
    for i, (name, call) in enumerate(todo):
        if progress:
            progress(name, i, len(todo))
        t = time.perf_counter()
        error = None
        try:
            call()
        except (ThesisError, OSError) as exc:     # no data for this step: the others still compile
            error = str(exc).splitlines()[0]
        done.append({"step": name, "seconds": round(time.perf_counter() - t, 2), "error": error})
    if progress:
        progress("done", len(todo), len(todo))
    return done


def data_configured() -> bool:
    return bool(os.environ.get("THESIS_DATA"))
