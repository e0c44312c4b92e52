"""Watch published ideas: a batch, so kernels compile with numba (thesis.jit)."""
from thesis.jit import use_compiled

use_compiled()
