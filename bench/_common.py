"""Helpers shared by the bench scripts (run as ``python bench/<name>.py``, so this folder is on ``sys.path``)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any


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


# A small launcher process forks and execs the measured command and reports what wait4 says about it. The
# benchmark process itself cannot do that: Linux keeps a process's peak RSS across fork and exec, so a child
# of a benchmark that holds gigabytes of decoded audio reported that benchmark's peak (5 GB) as its own. The
# launcher is a bare interpreter (-I -S, about 10 MB), which bounds what a child can inherit from it.
_LAUNCHER = r"""
import json, os, sys, time
res, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(res, "w") as f:
    json.dump({"wall_s": wall, "maxrss_kb": ru.ru_maxrss, "code": os.waitstatus_to_exitcode(status)}, f)
"""


@dataclass(frozen=True)
class Measured:
    """Wall time from fork to exit of a command, its exit code and the peak RSS of the largest process of its
    tree (the command or a child it waited for), in MB."""

    wall_s: float
    peak_mb: float
    code: int


class MeasuredRun:
    """``cmd`` started through the launcher (same environment, stdin/stdout/stderr as given); :meth:`wait`
    returns its :class:`Measured`."""

    def __init__(self, cmd: list[str], **popen: Any) -> None:
        fd, self._res = tempfile.mkstemp(prefix="vsg_bench_", suffix=".json")
        os.close(fd)
        self.proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _LAUNCHER, self._res, *cmd], **popen)

    def wait(self) -> Measured:
        self.proc.wait()
        try:
            data = json.loads(Path(self._res).read_text() or "{}")
        finally:
            Path(self._res).unlink(missing_ok=True)
        if not data:
            raise SystemExit(f"the bench launcher failed (exit {self.proc.returncode})")
        return Measured(float(data["wall_s"]), data["maxrss_kb"] / 1024.0, int(data["code"]))
