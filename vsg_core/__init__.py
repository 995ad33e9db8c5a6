"""vsg core: analysis, correction and muxing pipeline (no Qt imports anywhere in this package)."""

import os as _os

__version__ = "0.1.0"

# numpy's OpenBLAS starts a thread per CPU when numpy is imported, and those threads spin while they wait for
# work; vsg's only linear algebra is least squares over a few dozen points, which one thread does at once.
# Measured: the spinning took ~2 % of a `vsg analyze` run's CPU (perf), 0.07 s on the Opus pair (D79).
# A value the user set is kept.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
