"""mutmut's hook module: tools/mutate.py copies it to the root of its working copy.

Per mutant (``pre_mutation``):
- ``@njit(...)`` lines are skipped (cache/nogil flags change no number);
- sampling: with MUTATE_SAMPLE=f (0 < f < 1) only a fixed, hash-chosen fraction f of the mutants is
  tested (the rest are "skipped" and left out of the survival rate); 1 (default) tests them all;
- tests: the narrowest test selection named for the mutated file in MUTATE_FILE_TESTS (JSON: path
  prefix -> pytest arguments), else the path's own (MUTATE_PATH_TESTS);
- numba: the command prefix of the path being mutated (MUTATE_PREFIX, ``env NUMBA_DISABLE_JIT=1`` when the
  path holds ``@njit`` kernels), the same as the clean run that sets mutmut's timeout. (Deciding per file
  is no faster: loading the cached kernels takes longer than a small test selection without the JIT.)
"""
from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys


def _sampled(context) -> bool:
    fraction = float(os.environ.get("MUTATE_SAMPLE", "1") or 1)
    if fraction >= 1:
        return True
    key = f"{context.filename}:{context.mutation_id.line}:{context.mutation_id.index}".encode()
    return int(hashlib.sha256(key).hexdigest()[:8], 16) / 0xFFFFFFFF < fraction


def pre_mutation(context):
    # decorator lines (@njit(cache=True, nogil=True), @dataclass(...)): compiler and threading flags
    # change no number; mutmut's "decorator" type only removes decorators, not their arguments
    if context.mutation_id.line.lstrip().startswith("@njit"):
        context.skip = True
        return
    if not _sampled(context):
        context.skip = True
        return
    table = json.loads(os.environ.get("MUTATE_FILE_TESTS", "{}"))
    best = max((p for p in table if context.filename == p or context.filename.startswith(p.rstrip("/") + "/")),
               key=len, default=None)
    tests = table[best] if best is not None else json.loads(os.environ.get("MUTATE_PATH_TESTS", "[]"))
    if not tests:
        return                                # keep the runner mutate.py gave mutmut
    prefix = json.loads(os.environ.get("MUTATE_PREFIX", "[]"))
    context.config.test_command = shlex.join([*prefix, sys.executable, "-m", "pytest", "-x", "-q",
                                              "-p", "no:cacheprovider", *tests])
