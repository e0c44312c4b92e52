"""`thesis warmup`: compile the numba kernels ahead (``make setup`` runs it after installing)."""
from __future__ import annotations

import time

from thesis.cli._common import console, err_console, esc, handle_errors


def register(root) -> None:
    root.command("warmup")(warmup)


@handle_errors
def warmup():
    """Compile the kernels the batch commands use (study, scorecard, watch, serve) into numba's cache.

    One idea (replay, evaluate) never waits for numba: it runs its kernels as Python. Runs the
    library's own paths on the example ideas and the configured data (THESIS_DATA); a step without
    data is reported and skipped.
    """
    from thesis import jit
    from thesis.warmup import warmup as run

    jit.quiet()                           # the compile notice is for commands, not for this one
    t0 = time.perf_counter()

    def progress(name: str, done: int, total: int) -> None:
        if name != "done":
            err_console.print(f"warmup {esc(done + 1)}/{esc(total)}: {esc(name)} ...", highlight=False)

    steps = run(progress)
    for s in steps:
        note = f"skipped: {s['error']}" if s["error"] else "compiled"
        console.print(f"  {esc(s['step'])}: {s['seconds']:.1f} s, {esc(note, 200)}", highlight=False)
    console.print(f"warmup done in {time.perf_counter() - t0:.1f} s; numba cache: {esc(jit.cache_location())}",
                  highlight=False)
