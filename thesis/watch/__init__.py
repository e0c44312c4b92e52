"""Watch published ideas: a batch, so kernels compile with numba (thesis._jit)."""
from thesis._jit import use_compiled

use_compiled()
