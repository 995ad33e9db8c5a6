"""Work-around for a reference-count bug of PySide6 6.12.0 on Python < 3.12.

Every call of a wrapped C++ method that returns nothing (``setText``, ``setValue``, ``processEvents`` …) drops
one reference to ``None``. Python 3.12+ makes ``None`` immortal, so only older interpreters are hit: after as
many such calls as ``None`` has references (~75 000 in this app, about 270 analysis jobs) the interpreter
frees ``None`` and aborts with "Fatal Python error: none_dealloc". PySide6 6.11 does not have the bug.

When the leak is measured at start-up, :func:`install` gives ``None`` permanent extra references in chunks (a
list that is itself never freed, not even at interpreter shutdown) and a timer adds another chunk whenever the
count falls halfway back. Without the bug (Python 3.12+, another PySide6) nothing happens.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QCoreApplication, QObject, QTimer

CHUNK = 1_000_000            # references per chunk (8 MB of list)
CHECK_INTERVAL_MS = 250
_chunks: list[list[None]] = []
_guard: RefcountGuard | None = None


def none_leak_per_call() -> float:
    """References to None lost per void wrapper call (0.0 when the binding is sound)."""
    if sys.version_info >= (3, 12):
        return 0.0
    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(200):
        probe.setObjectName("refcount probe")
    return max(0.0, (before - sys.getrefcount(None)) / 200)


def _add_chunk() -> None:
    chunk = [None] * CHUNK
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(chunk))  # the chunk (and its references) is never released
    _chunks.append(chunk)


class RefcountGuard(QObject):
    def __init__(self, parent: QObject | None) -> None:
        super().__init__(parent)
        _add_chunk()
        self.floor = sys.getrefcount(None) - CHUNK // 2
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(CHECK_INTERVAL_MS)

    def check(self) -> None:
        if sys.getrefcount(None) < self.floor:
            _add_chunk()

    @property
    def chunks(self) -> int:
        return len(_chunks)


def install() -> RefcountGuard | None:
    """Install the guard once per process if the leak is present; the guard, or None when not needed."""
    global _guard
    if _guard is None and none_leak_per_call() >= 0.5:
        _guard = RefcountGuard(QCoreApplication.instance())
    return _guard
