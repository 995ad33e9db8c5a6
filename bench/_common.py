"""Helpers shared by the bench scripts (run as ``python bench/<name>.py``, so this folder is on ``sys.path``)."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_mb() -> float:
    """Peak RSS of this process image in MB (VmHWM; ru_maxrss would include the forking parent's peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def compile_sources() -> None:
    """Byte-compile vsg's modules as setup_env.sh does, so timed runs do not compile changed modules again on
    every start (they cannot store .pyc files when PYTHONDONTWRITEBYTECODE is set)."""
    import compileall

    root = Path(__file__).resolve().parents[1]
    for pkg in ("vsg_core", "vsg_qt"):
        compileall.compile_dir(str(root / pkg), quiet=1)
