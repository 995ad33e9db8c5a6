"""The PySide6 6.12.0 / Python < 3.12 work-around: when the binding drops a reference to None per void call,
the guard keeps None alive through more such calls than it had references; otherwise it stays out."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject

from vsg_qt import refcount_guard


def test_guard_keeps_none_alive_when_the_binding_leaks(qtbot) -> None:
    leak = refcount_guard.none_leak_per_call()
    guard = refcount_guard.install()
    if leak < 0.5:
        assert guard is None, "the guard must not be installed for a sound binding"
        return
    assert guard is not None
    chunks = guard.chunks
    probe = QObject()
    calls = sys.getrefcount(None) - guard.floor + 50_000   # enough leaked references to go below the floor
    for _ in range(calls):
        probe.setObjectName("x")
    qtbot.waitUntil(lambda: guard.chunks > chunks, timeout=10_000)
    assert sys.getrefcount(None) > guard.floor
