"""Runs a vsg job off the GUI thread: a QRunnable plus a separate QObject carrying its signals."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal

from vsg_core.errors import VsgError
from vsg_core.log import JobLog


class WorkerSignals(QObject):
    log = Signal(str)
    progress = Signal(float)
    finished = Signal(object)   # the job's result
    failed = Signal(str)        # a message for the user


JobFn = Callable[[JobLog], Any]


class JobWorker(QRunnable):
    """Calls ``job(log)`` in a QThreadPool thread; log lines and progress arrive as queued signals."""

    def __init__(self, job: JobFn) -> None:
        super().__init__()
        self.job = job
        self.signals = WorkerSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        jl = JobLog(callbacks=[self.signals.log.emit], progress=self.signals.progress.emit)
        try:
            result = self.job(jl)
        except VsgError as e:
            jl.raw(f"[FATAL ERROR] Job failed: {e}")
            self.signals.failed.emit(str(e))
        except Exception as e:  # a bug: show it, keep the app alive
            jl.raw(f"[FATAL ERROR] Job failed: {e}\n{traceback.format_exc()}")
            self.signals.failed.emit(f"{type(e).__name__}: {e}")
        else:
            self.signals.finished.emit(result)
        finally:
            jl.close()
