"""Runs jobs off the GUI thread: a QRunnable for the thread pool plus a separate QObject carrying its signals.

The worker calls :func:`vsg_core.pipeline.run_job` (the same call ``vsg sync``/``vsg batch`` make) for each
job in turn. Cancelling fires the running job's :class:`~vsg_core.cancel.CancelToken` — the pipeline stops
within a fraction of a second, kills a running external command and removes its partial output — and no
further job is started. Every signal emission is guarded: a window closed while the job runs must not crash
the worker.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from vsg_core.cancel import CancelToken
from vsg_core.config import Settings
from vsg_core.jobs.discovery import JobSpec
from vsg_core.jobs.layout import Layout
from vsg_core.pipeline import FAILED, MERGED, JobResult, run_job

from .archive import archive_logs


@dataclass(frozen=True)
class RunItem:
    """One job as the worker sees it: immutable, so the GUI may keep editing its own copy."""

    uid: int
    spec: JobSpec
    layout: Layout | None
    analyze_only: bool
    subfolder: str = ""   # set when another job of the batch has the same reference file name
    overwrite: bool = False  # the user agreed to replace an existing output (after the new one passed its audit)


class WorkerSignals(QObject):
    log = Signal(str)
    progress = Signal(float)          # the running job, 0.0–1.0
    overall = Signal(float)           # the whole batch, 0.0–1.0
    status = Signal(str)
    event = Signal(object)            # vsg_core.progress.ProgressEvent of the running job
    job_started = Signal(int)         # uid
    job_finished = Signal(int, object)  # uid, JobResult
    finished_all = Signal(object)     # list[JobResult]


class BatchWorker(QRunnable):
    def __init__(self, items: Sequence[RunItem], settings: Settings, output_dir: Path,
                 archive: bool = False) -> None:
        super().__init__()  # auto-delete: the pool owns the C++ object and frees it after run()
        self.items = list(items)
        self.settings = settings.copy()  # edits in the options dialog do not change a running batch
        self.output_dir = Path(output_dir)
        self.archive = archive
        self.signals = WorkerSignals()
        self._token = CancelToken()
        self._stop = threading.Event()
        self.results: list[JobResult] = []

    # ---------------------------------------------------------------- control (GUI thread)
    def cancel(self) -> None:
        self._stop.set()
        self._token.cancel()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    # ---------------------------------------------------------------- emission guard
    def _emit(self, signal_name: str, *args: object) -> None:
        try:
            getattr(self.signals, signal_name).emit(*args)
        except RuntimeError:  # the signals object or its receiver is gone (window closed)
            pass

    # ---------------------------------------------------------------- thread
    def run(self) -> None:
        try:
            self._run_all()
        finally:
            self._emit("finished_all", list(self.results))

    def _run_all(self) -> None:
        n = len(self.items)
        for i, item in enumerate(self.items):
            if self._stop.is_set():
                self._emit("log", f"[WORKER] Cancelled by user, stopping at job {i + 1}/{n}")
                break
            self._emit("status", f"Processing {i + 1}/{n}: {item.spec.reference.name}")
            self._emit("job_started", item.uid)
            self._emit("progress", 0.0)
            self._emit("overall", i / n)
            token = self._token

            def progress(f: float, i: int = i) -> None:
                f = max(0.0, min(1.0, float(f)))
                self._emit("progress", f)
                self._emit("overall", (i + f) / n)

            try:
                out = self.output_dir / item.subfolder if item.subfolder else self.output_dir
                result = run_job(item.spec, self.settings, output_dir=out, layout=item.layout,
                                 analyze_only=item.analyze_only, progress=progress, cancel_token=token,
                                 overwrite=item.overwrite,
                                 log_callbacks=[lambda s: self._emit("log", s)],
                                 on_progress=lambda e: self._emit("event", e))
            except Exception as e:  # run_job reports failures itself; this is a bug — keep the batch going
                self._emit("log", f"[FATAL WORKER ERROR] Job {i + 1} failed: {e}\n{traceback.format_exc()}")
                result = JobResult(FAILED, item.spec.reference.name, item.spec.reference, error=str(e))
            self.results.append(result)
            self._emit("job_finished", item.uid, result)
            if result.ok:
                self._emit("overall", (i + 1) / n)
        if self.archive and len(self.results) > 1 and any(r.status == MERGED for r in self.results):
            for line in archive_logs(self.output_dir):
                self._emit("log", line)
