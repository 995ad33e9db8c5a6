"""One function run off the GUI thread: a QRunnable for the global thread pool and a separate QObject carrying
its signals (``done`` with the result, ``failed`` with a message for the user). Used by the style editor to
extract a subtitle track and to render a preview frame with ffmpeg."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from vsg_core.errors import VsgError


class TaskSignals(QObject):
    done = Signal(object)
    failed = Signal(str)


class FunctionTask(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()

    def run(self) -> None:
        try:
            result = self.fn()
        except (VsgError, OSError) as e:
            self._emit(self.signals.failed, str(e))
            return
        except Exception as e:  # a bug: still a message, never a crashed worker thread
            self._emit(self.signals.failed, f"unexpected error: {e}\n{traceback.format_exc(limit=3)}")
            return
        self._emit(self.signals.done, result)

    @staticmethod
    def _emit(signal: Any, value: Any) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the dialog (and the signals' receivers) were closed meanwhile
            pass


def start(fn: Callable[[], Any], on_done: Callable[[Any], None], on_failed: Callable[[str], None]) -> FunctionTask:
    """Run ``fn`` in the global thread pool; the callbacks run on the GUI thread."""
    task = FunctionTask(fn)
    task.setAutoDelete(False)  # the caller keeps it (and its signals) alive until a signal arrives
    task.signals.done.connect(on_done)
    task.signals.failed.connect(on_failed)
    QThreadPool.globalInstance().start(task)
    return task
