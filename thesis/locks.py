"""One way to wait for an exclusive flock (the watch journal's writer lock, an idea file's note lock)."""
from __future__ import annotations

import fcntl
import time
from typing import Callable


def flock_until(fd: int, deadline: float, busy: Callable[[], Exception], poll: float = 0.01) -> None:
    """Take an exclusive flock on ``fd``, polling until ``deadline`` (time.monotonic()); then raise
    ``busy()``. flock, not a lock file: nothing is left beside the file and the kernel releases the
    lock when its holder dies."""
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise busy() from None
            time.sleep(poll)
